#!/usr/bin/env python3
"""Baseline for the labelling benchmark: run the same programs IN-PROCESS, the way the official APPS harness
(hendrycks/apps eval/testing_util.py) does - no sandbox, no process per test: the program is compiled once (standard-
input programs wrapped in a function, the harness's imports in front), and every test calls it with stdin/stdout
swapped for in-memory buffers and a SIGALRM timeout. Our own code, written for this measurement.
Like the APPS evaluation scripts, each program gets one forked process, so a program that breaks global state
(sys.exit, monkey-patching) cannot spoil the next one. Comparison: exact or whitespace-token equality per line (a
cheap stand-in; pass counts are for orientation only, the speed is what this script measures).

usage: inprocess_baseline.py PROBLEMS.jsonl N_SOLUTIONS OUT.json
"""
import collections, io, json, os, signal, sys, time

HEADER = ("import sys\nimport time\nimport itertools\nfrom itertools import accumulate, product, permutations, combinations\n"
          "import collections\nfrom collections import Counter, OrderedDict, deque, defaultdict, ChainMap\n"
          "from functools import lru_cache\nimport math\nfrom math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2\n"
          "import fractions\nfrom typing import List, Tuple\nimport random\nimport heapq\nfrom heapq import *\n")
TIMEOUT = 4
LAST_ERROR = [""]


class Alarm(Exception):
    pass


def on_alarm(signum, frame):
    raise Alarm()


def as_function(code):
    # As the harness: leading imports stay at module level, the rest becomes the body of code().
    head, body = [], []
    for line in code.split("\n"):
        if not body and line.startswith(("import ", "from ")):
            head.append(line)
        else:
            body.append("\t" + line)
    return "\n".join(head + ["def code():", "\tpass"] + body + [""])


def same(out, expected):
    if isinstance(expected, list):
        expected = "\n".join(expected)
    a = [l.split() for l in out.strip().splitlines() if l.strip()]
    b = [l.split() for l in str(expected).strip().splitlines() if l.strip()]
    return a == b


def run_program(code, io_spec):
    """Returns a list of 'pass' | 'fail' | 'error' per test (compile errors: 'error' for every test)."""
    fn_name = io_spec.get("fn_name")
    n = len(io_spec["inputs"])
    namespace = {"__name__": "tmp_sol"}
    signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.alarm(TIMEOUT)
        exec(compile(HEADER + (code if fn_name else as_function(code)), "<program>", "exec"), namespace)
        target = namespace["Solution"]() if fn_name and "class Solution" in code else None
        method = getattr(target, fn_name) if target is not None else namespace[fn_name or "code"]
        signal.alarm(0)
    except BaseException as e:
        signal.alarm(0)
        LAST_ERROR[0] = f"load: {type(e).__name__}: {e}"[:200]
        return ["error"] * n
    results = []
    for args, expected in zip(io_spec["inputs"], io_spec["outputs"]):
        real_stdin, real_stdout = sys.stdin, sys.stdout
        try:
            signal.alarm(TIMEOUT)
            if fn_name:
                out = method(*args)
                out = list(out) if isinstance(out, tuple) else out
                ok = out == expected or (isinstance(expected, list) and bool(expected) and out == expected[0])
            else:
                text = "\n".join(args) if isinstance(args, list) else args
                sys.stdin, sys.stdout = io.StringIO(text), io.StringIO()
                try:
                    method()
                except SystemExit:
                    pass
                ok = same(sys.stdout.getvalue(), expected)
            results.append("pass" if ok else "fail")
        except BaseException as e:
            LAST_ERROR[0] = LAST_ERROR[0] or f"{type(e).__name__}: {e}"[:200]
            results.append("error")
        finally:
            signal.alarm(0)
            sys.stdin, sys.stdout = real_stdin, real_stdout
    return results


def main():
    problems_path, per_problem, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    jobs = []
    for line in open(problems_path):
        row = json.loads(line)
        io_spec = json.loads(row["input_output"])
        for i, code in enumerate(json.loads(row["solutions"])[:per_problem]):
            jobs.append((row["problem_id"], i, code, io_spec))
    start = time.monotonic()
    counts = {"pass": 0, "fail": 0, "error": 0}
    strict = 0
    failures = []
    tests = 0
    for problem_id, i, code, io_spec in jobs:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            try:
                payload = json.dumps([run_program(code, io_spec), LAST_ERROR[0]]).encode()
            except BaseException:
                payload = json.dumps([["error"] * len(io_spec["inputs"]), "driver"]).encode()
            os.write(w, payload)
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        verdicts, error = json.loads(data) if data else (["error"] * len(io_spec["inputs"]), "process died")
        if not all(v == "pass" for v in verdicts):
            failures.append({"problem_id": problem_id, "candidate_id": i, "verdicts": dict(collections.Counter(verdicts)), "first_error": error})
        for v in verdicts:
            counts[v] += 1
        tests += len(verdicts)
        strict += all(v == "pass" for v in verdicts)
    seconds = time.monotonic() - start
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    summary = {"programs": len(jobs), "tests": tests, "seconds": round(seconds, 2), "tests_per_second": round(tests / seconds, 1),
               "cpu_seconds": round(cpu, 2), "cpu_ms_per_test": round(1000 * cpu / tests, 1),
               "strict_pass": strict, "verdicts": counts}
    print(json.dumps(summary))
    summary["failed_programs"] = failures
    json.dump(summary, open(out_path, "w"), indent=1)


if __name__ == "__main__":
    main()
