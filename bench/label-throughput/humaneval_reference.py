#!/usr/bin/env python3
"""Reference for the labelling throughput benchmark: labels HumanEval programs the way the official openai/human-eval
harness does per program (our own code, written for this measurement, not a copy of theirs): a thread pool of
WORKERS threads; per program a multiprocessing.Manager list for the result and a fresh multiprocessing.Process that
makes a temporary folder and enters it, silences stdin/stdout/stderr, arms a 3 s real-time timer and execs
prompt-or-code + test + check(entry_point) in a fresh namespace; the parent joins with timeout + 1 s and kills a
process still alive. No isolation. Prints programs/s and the agreement with the labels stored in the candidates.

usage: humaneval_reference.py PROBLEMS.jsonl CANDIDATES.jsonl WORKERS LIMIT OUT.json
  LIMIT: label only the first LIMIT candidates (0 = all)
"""
import contextlib, io, json, multiprocessing, os, signal, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 3.0


class TimedOut(Exception):
    pass


def on_alarm(signum, frame):
    raise TimedOut()


def run_one(source, result):
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                sys.stdin = io.StringIO()
                signal.signal(signal.SIGALRM, on_alarm)
                signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
                try:
                    exec(source, {})
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            result.append("passed")
        except TimedOut:
            result.append("timed out")
        except BaseException as e:
            result.append(f"failed: {e}")
        os.chdir("/")


def check(problem, code):
    # As in train.jsonl: `code` is prompt + completion, i.e. what the harness builds from the prompt and completion.
    source = code + "\n" + problem["test"] + "\n" + f"check({problem['entry_point']})"
    manager = multiprocessing.Manager()
    try:
        result = manager.list()
        process = multiprocessing.Process(target=run_one, args=(source, result))
        process.start()
        process.join(timeout=TIMEOUT + 1)
        if process.is_alive():
            process.kill()
        return result[0] if len(result) else "timed out"
    finally:
        manager.shutdown()


def main():
    problems_path, candidates_path, workers, limit, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    problems = {p["task_id"]: p for p in map(json.loads, open(problems_path))}
    rows = [json.loads(l) for l in open(candidates_path)]
    if limit:
        rows = rows[:limit]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = list(pool.map(lambda r: check(problems[r["problem_id"]], r["code"]), rows))
    seconds = time.monotonic() - start
    passed = sum(v == "passed" for v in verdicts)
    agree = sum((v == "passed") == bool(r.get("label")) for v, r in zip(verdicts, rows))
    summary = {"programs": len(rows), "seconds": round(seconds, 2), "programs_per_second": round(len(rows) / seconds, 2),
               "passed": passed, "agree_with_stored_labels": agree, "workers": workers}
    json.dump({"summary": summary, "verdicts": {f"{r['problem_id']}#{r['candidate_id']}": v for r, v in zip(rows, verdicts)}},
              open(out, "w"))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
