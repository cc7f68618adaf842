# An UNDEFENDED judge, for the tests only: the official harnesses' way of running a program (APPS testing_util,
# HumanEval execution.py, MBPP): program, comparison or test code, and the report, all in ONE process, with plain exec.
# The hostile tests run each attack here first and require it to pass, so that the attack is shown to work against
# a judge without our defences; then they require our sandbox to fail it.
#
# Job (one JSON line on stdin): {"mode": "call"|"check", "code", "fn_name"?, "inputs"?, "outputs"?,
#   "prompt"?, "test"?, "entry_point"?, "setup"?, "call_check"?}
# Reports (stdout, as our driver's protocol): {"index", "status", "match"} per test, then {"done": true}.
# The reader stops at the first "done"; the last report of a test counts.
import json, sys

JOB = json.loads(sys.stdin.readline())


def call_matches(output, expected):
    # The harness's comparison, in the program's own process (our driver's call_matches, run where the program lives).
    if isinstance(output, tuple):
        output = list(output)
    ok = output == expected
    if isinstance(expected, list) and expected:
        ok = ok or output == expected[0]
    return bool(ok)


def report(index, ok, status="ok"):
    print(json.dumps({"index": index, "status": status, "match": ok}), flush=True)


if JOB["mode"] == "call":
    namespace = {"__name__": "solution"}
    exec(compile(JOB["code"], "program.py", "exec"), namespace)
    for i, (args, expected) in enumerate(zip(JOB["inputs"], JOB["outputs"])):
        try:
            report(i, call_matches(namespace[JOB["fn_name"]](*args), expected))
        except BaseException as e:
            report(i, False, "error")
else:
    # HumanEval: prompt + completion + test + check(entry_point); MBPP: code + setup + asserts. One exec, as there.
    code, prompt = JOB["code"], JOB.get("prompt") or ""
    program = code if not prompt or code.startswith(prompt) else prompt + code
    parts = [program, JOB.get("setup") or "", JOB["test"]]
    if JOB.get("call_check"):
        parts.append(f"check({JOB['entry_point']})")
    try:
        exec(compile("\n".join(parts), "check_program.py", "exec"), {"__name__": "solution"})
        report(0, True)
    except BaseException as e:
        report(0, False, "error")
print('{"done": true}', flush=True)
