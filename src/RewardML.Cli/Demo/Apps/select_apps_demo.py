"""Builds apps-demo.jsonl, the demo's embedded APPS subset, from ../shared/data/apps-sample.jsonl.

Run once by hand (python3 select_apps_demo.py [SAMPLE] [OUT]); the output is committed and embedded in the CLI, so
nothing here runs at demo time. Selection rule (deterministic, in problem_id order):
  * tests: the first 6 tests whose input and expected output are each at most 2,000 characters;
  * solutions: at most 600 characters, importing only from the standard modules below, no file or network use;
    a solution is kept if it passes all kept tests here (plain python3, whitespace-token comparison per line,
    or == for call-based problems) in under 2 s per test (python start included; generous, because the machine that made the file was loaded: the sandbox test checks the real speed); the shortest 2 passing solutions that differ in their tokens are kept;
  * a problem is kept if at least one solution passes and its statement has at most 3,000 characters;
  * the first 20 kept standard-input problems of each difficulty (introductory, interview, competition) and the first
    6 kept call-based problems (fn_name; all introductory in the sample), 66 in all.
The sandbox test (DemoDatasetTests) re-judges every kept solution with the real APPS comparison.
"""
import io, json, os, re, subprocess, sys, time, tokenize

ALLOWED_IMPORTS = {"sys", "math", "collections", "itertools", "heapq", "bisect", "functools", "string", "re",
                   "fractions", "operator", "copy"}
MAX_TESTS, MAX_TEST_CHARS, MAX_SOLUTION_CHARS, MAX_QUESTION_CHARS, MAX_SOLUTIONS = 6, 2000, 600, 3000, 2
PER_DIFFICULTY, CALL_BASED = 20, 6


def imports_ok(code):
    for m in re.finditer(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))", code, re.M):
        names = [m.group(1)] if m.group(1) else [n.strip().split(" ")[0] for n in m.group(2).split(",")]
        if any(n.split(".")[0] not in ALLOWED_IMPORTS for n in names):
            return False
    return not re.search(r"\bopen\(|\bos\.|socket|threading", code)


def token_key(code):
    """The program's tokens without comments and blank lines (indentation kept): equal for layout-only differences."""
    skip = {tokenize.COMMENT, tokenize.NL}
    bare = {tokenize.NEWLINE, tokenize.DEDENT, tokenize.ENDMARKER}  # their text depends on a final line break
    try:
        return tuple(t.type if t.type in bare else t.string
                     for t in tokenize.generate_tokens(io.StringIO(code.strip("\n")).readline) if t.type not in skip)
    except (tokenize.TokenError, SyntaxError):
        return (code,)


def lines_tokens(text):
    return [l.split() for l in text.strip().splitlines() if l.strip()]


CALL_RUNNER = r"""
import json, sys
code, fn, args = json.loads(sys.stdin.read())
g = {"__name__": "__main__"}
exec(compile(code, "<solution>", "exec"), g)
f = getattr(g["Solution"](), fn) if "Solution" in g else g[fn]
r = f(*args)
if isinstance(r, tuple): r = list(r)
print(json.dumps(r))
"""


def run_test(code, fn, inp, out):
    t = time.time()
    try:
        if fn is None:
            p = subprocess.run([sys.executable, "-c", code], input=inp, capture_output=True, text=True, timeout=3)
            ok = p.returncode == 0 and lines_tokens(p.stdout) == lines_tokens(out if isinstance(out, str) else "\n".join(out))
        else:
            p = subprocess.run([sys.executable, "-c", CALL_RUNNER], input=json.dumps([code, fn, inp]), capture_output=True,
                               text=True, timeout=3)
            want = out[0] if isinstance(out, list) and len(out) == 1 else out
            ok = p.returncode == 0 and (json.loads(p.stdout) == want or json.loads(p.stdout) == out)
    except (subprocess.TimeoutExpired, ValueError):
        return False, 9.0
    return ok, time.time() - t


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "../../../../../shared/data/apps-sample.jsonl"
    dst = sys.argv[2] if len(sys.argv) > 2 else "apps-demo.jsonl"
    kept = []
    per_difficulty = {}
    for line in open(src, encoding="utf-8"):
        row = json.loads(line)
        io = json.loads(row["input_output"])
        fn = io.get("fn_name")
        group = "call-based" if fn else row["difficulty"]
        if len(row["question"]) > MAX_QUESTION_CHARS or per_difficulty.get(group, 0) >= (CALL_BASED if fn else PER_DIFFICULTY):
            continue
        pairs = [(i, o) for i, o in zip(io["inputs"], io["outputs"])
                 if len(json.dumps(i)) <= MAX_TEST_CHARS and len(json.dumps(o)) <= MAX_TEST_CHARS][:MAX_TESTS]
        if not pairs:
            continue
        sols = sorted((s for s in json.loads(row["solutions"]) if len(s) <= MAX_SOLUTION_CHARS and imports_ok(s)), key=len)
        good, keys = [], set()
        for s in sols[:12]:
            if token_key(s) in keys:
                continue  # the same program as a kept one, up to layout and comments
            results = [run_test(s, fn, i, o) for i, o in pairs]
            if all(ok and sec < 2.0 for ok, sec in results):
                good.append(s)
                keys.add(token_key(s))
            if len(good) == MAX_SOLUTIONS:
                break
        if not good:
            print(f"skip {row['problem_id']}: no short passing solution", file=sys.stderr)
            continue
        per_difficulty[group] = per_difficulty.get(group, 0) + 1
        new_io = {"inputs": [i for i, _ in pairs], "outputs": [o for _, o in pairs]}
        if fn:
            new_io["fn_name"] = fn
        kept.append({
            "problem_id": str(row["problem_id"]),
            "question": row["question"],
            "solutions": json.dumps(good),
            "input_output": json.dumps(new_io),
            "difficulty": row["difficulty"],
            "starter_code": row["starter_code"] or "",
            "url": row["url"],
            "source": f"APPS {row['split']} problem_id {row['problem_id']} via {row['source_repo']}@{row['source_commit'][:12] if row.get('source_commit') else '?'} {row['source_path']}",
        })
        print(f"keep {row['problem_id']} {row['difficulty']} tests={len(pairs)} solutions={len(good)} fn={fn}", file=sys.stderr)
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        for k in kept:
            f.write(json.dumps(k, ensure_ascii=False) + "\n")
    print(f"{len(kept)} problems, {os.path.getsize(dst)} bytes -> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
