# RewardML sandbox driver: runs every test of ONE program inside one sandbox process.
#
# Protocol: the host writes one JSON job on stdin and closes it; the driver writes one JSON line per test on its
# stdout ({"index", "status", "seconds", "stdout"?, "detail"?}) and a final {"done": true}.
# The driver compiles the program once, then forks one child per test. A child gets a fresh __main__ module, its
# own stdin (an in-memory file holding only that test's input), pipes for stdout/stderr, rlimits, and, when a uid
# is given, drops to that uid so it can neither signal the driver nor survive the cleanup after the test.
# Standard-input tests: the host compares stdout (expected outputs never enter the sandbox).
# Call-based tests: the child calls the function and compares the returned value (Python object semantics).
import builtins, gc, json, os, resource, select, shutil, signal, sys, time, types

JOB = json.loads(sys.stdin.buffer.read().decode("utf-8"))
sys.stdin.close()
OUT = sys.stdout
sys.stdout = sys.stderr  # nothing we print by accident can corrupt the protocol

# The names the official harness puts in front of every program; programs that use them unimported pass there.
HEADER = """import sys
import time
import itertools
from itertools import accumulate, product, permutations, combinations
import collections
from collections import Counter, OrderedDict, deque, defaultdict, ChainMap
from functools import lru_cache
import math
from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2
import fractions
from typing import List, Tuple
import random
import heapq
from heapq import *
"""
try:
    import numpy  # noqa: F401  (absent from Debian's python3 unless python3-numpy is installed)
    HEADER += "import numpy as np\n"
except Exception:
    pass
# Pre-import what programs commonly use, once, so forked children don't pay for it per test.
for _name in ("bisect", "re", "string", "decimal", "copy", "operator", "functools", "itertools", "collections",
              "math", "fractions", "typing", "random", "heapq", "array", "statistics", "threading"):
    try:
        __import__(_name)
    except Exception:
        pass
HEADER_CODE = compile(HEADER, "<header>", "exec")

CODE = JOB["code"]
FN_NAME = JOB.get("fn_name")
TIMEOUT = float(JOB["timeout_seconds"])
CLEANUP = JOB["cleanup"]  # "namespace": kill every other process (private PID namespace); "uid": those of UID; "group"
UID = JOB.get("uid")
WORKDIR = JOB["workdir"]
STDOUT_CAP = int(JOB["stdout_bytes"])
STDERR_CAP = int(JOB["stderr_bytes"])
NONCE = os.urandom(16).hex()


def emit(obj):
    # A program's exception text may hold lone surrogates, which strict JSON readers refuse: replace them.
    clean = {k: v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str) else v for k, v in obj.items()}
    OUT.write(json.dumps(clean) + "\n")
    OUT.flush()


def live_pids():
    me = os.getpid()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid in (1, me):
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            continue
        if "\nState:\tZ" in status:
            continue
        if CLEANUP == "uid":
            uid_line = next((l for l in status.splitlines() if l.startswith("Uid:")), "")
            if uid_line.split()[1:2] != [str(UID)]:
                continue
        pids.append(pid)
    return pids


def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def cleanup(child_pid):
    """Kill everything the test left behind (daemons, fork bombs) before the next test starts."""
    for _ in range(200):
        if CLEANUP == "namespace":
            try:
                os.kill(-1, signal.SIGKILL)  # in a private PID namespace: all but the driver and bwrap's init
            except ProcessLookupError:
                pass
        elif CLEANUP == "group":
            try:
                os.killpg(child_pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            reap()
            return
        pids = live_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        reap()
        if not pids:
            return
        time.sleep(0.005)


def set_limits():
    def lim(kind, value):
        if value is not None:
            resource.setrlimit(kind, (int(value), int(value)))
    lim(resource.RLIMIT_AS, JOB.get("memory_bytes"))
    cpu = JOB.get("cpu_seconds")
    if cpu is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu) + 1))
    lim(resource.RLIMIT_FSIZE, JOB.get("file_size_bytes"))
    lim(resource.RLIMIT_CORE, 0)
    if UID is not None:
        lim(resource.RLIMIT_NPROC, JOB.get("max_processes"))


def harness_inputs(args, expected):
    # JSON object keys are strings; the harness turns a leading dict argument's keys back into ints.
    try:
        if isinstance(args[0], dict):
            args = [{int(k): v for k, v in args[0].items()}]
    except Exception:
        pass
    try:
        if isinstance(expected, dict):
            expected = [{int(k): v for k, v in expected.items()}]
    except Exception:
        pass
    try:
        if isinstance(expected[0], dict):
            expected = [{int(k): v for k, v in expected[0].items()}]
    except Exception:
        pass
    return args, expected


def call_matches(output, expected):
    if isinstance(output, tuple):
        output = list(output)
    ok = output == expected
    if isinstance(expected, list) and expected:
        ok = ok or output == expected[0]
    try:
        if isinstance(output[0], tuple):
            ok = ok or [list(x) for x in output] == expected[0]
    except Exception:
        pass
    return bool(ok)


def run_child(code_obj, index, result_fd):
    """In the forked child: become the program. Never returns."""
    my_pid = os.getpid()
    status = {"nonce": NONCE, "status": "error", "detail": ""}
    try:
        os.setsid()
        set_limits()
        if UID is not None:
            os.setgroups([])
            os.setgid(UID)
            os.setuid(UID)
        if os.path.exists(WORKDIR):
            shutil.rmtree(WORKDIR, ignore_errors=True)  # the previous test's files
        os.makedirs(WORKDIR, exist_ok=True)
        os.chdir(WORKDIR)
        sys.stdin = sys.__stdin__ = open(0, "r", encoding="utf-8", errors="replace", closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="replace", closefd=False, buffering=1)
        sys.argv = ["program.py"]
        module = types.ModuleType("__main__" if FN_NAME is None else "solution")
        module.__dict__["__builtins__"] = builtins
        module.__file__ = os.path.join(WORKDIR, "program.py")
        sys.modules[module.__name__] = module
        exec(HEADER_CODE, module.__dict__)
        if FN_NAME is None:
            try:
                exec(code_obj, module.__dict__)
            except SystemExit:
                pass  # the harness treats exit() as the end of the program, whatever its code
            status["status"] = "ok"
        else:
            args, expected = harness_inputs(TESTS_IN[index], TESTS_OUT[index])
            try:
                exec(code_obj, module.__dict__)
                target = module.Solution() if "class Solution" in CODE else module
                fn = getattr(target, FN_NAME)
            except MemoryError:
                raise
            except BaseException as e:
                status.update(status="load_error", detail=f"{type(e).__name__}: {e}")
                raise _Reported()
            output = fn(*args)
            status.update(status="ok", match=call_matches(output, expected))
    except _Reported:
        pass
    except MemoryError:
        status.update(status="memory", detail="MemoryError")
    except BaseException as e:
        status.update(status="error", detail=f"{type(e).__name__}: {e}"[:500])
    if os.getpid() != my_pid:
        os._exit(0)  # a forked copy of the program finished: only the original reports
    try:
        sys.stdout.flush()
    except BaseException:
        pass
    try:
        status["detail"] = str(status.get("detail", ""))[:500]
        os.write(result_fd, (json.dumps(status) + "\n").encode())
    except BaseException:
        pass
    os._exit(0)


class _Reported(Exception):
    pass


def read_some(fd, buf, cap):
    """Read what is available; returns (eof, over_cap)."""
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        return False, False
    except OSError:
        return True, False
    if not chunk:
        return True, False
    room = cap - len(buf)
    buf += chunk[:max(room, 0)]
    return False, len(chunk) > room


def pump(fd, open_fds):
    """Read what fd holds into its buffer, forget fd at EOF; True when its cap was exceeded."""
    buf, cap = open_fds[fd]
    eof, over = read_some(fd, buf, cap)
    if eof:
        del open_fds[fd]
    return over

def run_test(code_obj, index, stdin_text):
    memfd = os.memfd_create("stdin", 0)
    os.write(memfd, stdin_text.encode("utf-8"))
    os.lseek(memfd, 0, os.SEEK_SET)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(memfd, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.dup2(res_w, 3)
            for fd in os.listdir("/proc/self/fd"):  # only the open ones: closerange over 64k numbers costs ~20 ms
                if int(fd) > 3:
                    try:
                        os.close(int(fd))
                    except OSError:
                        pass
            run_child(code_obj, index, 3)
        finally:
            os._exit(70)
    for fd in (memfd, out_w, err_w, res_w):
        os.close(fd)
    out, err, res = bytearray(), bytearray(), bytearray()
    open_fds = {out_r: (out, STDOUT_CAP), err_r: (err, STDERR_CAP), res_r: (res, 65536)}
    for fd in open_fds:
        os.set_blocking(fd, False)
    pidfd = os.pidfd_open(pid)
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    deadline = start + TIMEOUT
    timed_out = over_output = False
    wait_status = None
    while wait_status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(open_fds) + [pidfd], [], [], left)
        for fd in ready:
            if fd == pidfd:
                wait_status = os.waitpid(pid, 0)[1]
                continue
            if pump(fd, open_fds) and fd == out_r:
                over_output = True
        if over_output:
            break
    seconds = time.monotonic() - start
    if wait_status is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        wait_status = os.waitpid(pid, 0)[1]
    os.close(pidfd)
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_used = (usage_after.ru_utime + usage_after.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
    cleanup(pid)
    # Every writer is dead now: drain what the pipes still hold (bounded by the caps).
    drain_deadline = time.monotonic() + 1.0
    while open_fds and time.monotonic() < drain_deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.1)
        for fd in ready:
            if pump(fd, open_fds) and fd == out_r:
                over_output = True
    for fd in (out_r, err_r, res_r):
        os.close(fd)

    report = {"index": index, "seconds": round(seconds, 4)}
    stderr_tail = err.decode("utf-8", "replace")[-300:]
    message = None
    for line in res.decode("utf-8", "replace").splitlines():
        try:
            candidate = json.loads(line)
        except ValueError:
            continue
        if isinstance(candidate, dict) and candidate.get("nonce") == NONCE:
            message = candidate
    if timed_out:
        report.update(status="timeout", detail=f"wall clock over {TIMEOUT:g}s")
    elif over_output:
        report.update(status="output_limit", detail=f"stdout over {STDOUT_CAP} bytes")
    elif os.WIFSIGNALED(wait_status) and message is None and (
            os.WTERMSIG(wait_status) == signal.SIGXCPU
            or (os.WTERMSIG(wait_status) == signal.SIGKILL and cpu_used >= float(JOB.get("cpu_seconds") or 1e9))):
        report.update(status="timeout", detail="CPU time limit")
    elif message is not None:
        report["status"] = message["status"]
        if "match" in message:
            report["match"] = bool(message["match"])
        report["detail"] = message.get("detail") or stderr_tail
    elif os.WIFSIGNALED(wait_status):
        report.update(status="error", detail=f"killed by signal {os.WTERMSIG(wait_status)}; {stderr_tail}")
    elif os.WEXITSTATUS(wait_status) == 0 and FN_NAME is None:
        report["status"] = "ok"  # os._exit(0) after printing: a normal end for a script
    else:
        report.update(status="error", detail=f"exit code {os.WEXITSTATUS(wait_status)}; {stderr_tail}")
    if FN_NAME is None and report["status"] == "ok":
        report["stdout"] = out.decode("utf-8", "replace")
    return report


TESTS_IN = JOB["inputs"]
TESTS_OUT = JOB.get("outputs") or []
JOB["outputs"] = None  # expected outputs: only the call-based child needs its own one


def wrapped_like_harness(code):
    """The harness runs a standard-input program as the body of a function: the imports before the first other line
    stay at module level, everything from there on is indented one tab. Some reference programs rely on that: a
    top-level `return`, or `nonlocal` naming a top-level variable."""
    head, body = [], []
    for line in code.split("\n"):
        if not body and line.startswith(("import ", "from ")):
            head.append(line)
        else:
            body.append("\t" + line)
    return "\n".join(head + ["def __program__():", "\tpass"] + body + ["__program__()", ""])


def compile_program(code):
    try:
        return compile(code, "program.py", "exec"), None
    except SyntaxError as e:
        error = f"SyntaxError: {e}"
        if FN_NAME is None and ("outside function" in str(e.msg) or "nonlocal" in str(e.msg)):
            try:
                return compile(wrapped_like_harness(code), "program.py", "exec"), None
            except BaseException:
                pass
        return None, error[:500]
    except BaseException as e:  # ValueError (null bytes), RecursionError, MemoryError
        return None, f"{type(e).__name__}: {e}"[:500]


CODE_OBJ, compile_error = compile_program(CODE)
# Everything allocated so far is shared with the forked children: keep their garbage collector off those pages,
# or each child's first collection would copy them all (copy-on-write).
gc.collect()
gc.freeze()

for i, test_input in enumerate(TESTS_IN):
    if CODE_OBJ is None:
        emit({"index": i, "status": "compile_error", "seconds": 0.0, "detail": compile_error})
        continue
    if FN_NAME is None:
        stdin_text = "\n".join(test_input) if isinstance(test_input, list) else str(test_input)
    else:
        stdin_text = ""
    emit(run_test(CODE_OBJ, i, stdin_text))
self_usage, child_usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
emit({"done": True, "cpu_seconds": round(self_usage.ru_utime + self_usage.ru_stime + child_usage.ru_utime + child_usage.ru_stime, 4)})
