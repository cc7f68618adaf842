# RewardML sandbox driver: runs every test of ONE program (run_job), in a process the warm worker
# (sandbox_worker.py) forks for that program alone; the worker imports this module once per sandbox.
#
# Protocol: the host writes one JSON job line on stdin (read by the worker, handed to run_job). The driver writes one JSON line per test on its stdout
# ({"index", "status", "seconds", "stdout"?, "match"?, "detail"?}) and a final {"done": true}.
# Secrets come late: for call-based and check problems the driver first runs the program, then writes
# {"need": "secret"}, and only then does the host send the second line (the expected values, or the test code).
# Nothing the program's processes ever inherit from the driver's memory holds them.
# The driver compiles the program once, then forks one child per test. A child gets a fresh __main__ module, its
# own stdin (an in-memory file holding only that test's input), pipes for stdout/stderr, rlimits, and, when a uid
# is given, drops to that uid so it can neither signal the driver nor survive the cleanup after the test.
# Standard-input tests: the host compares stdout.
# Call-based tests: the child serialises the returned value as plain data (to_plain) on a fresh pipe; the driver
#   compares it with the expected value after every test has run (the APPS rules, on plain data only).
# Check problems (HumanEval / MBPP): the program runs in one process (a server answering calls with plain data),
#   the test code in another that the program cannot reach; the verdict is whether the test code finished.
import builtins, gc, json, os, re, resource, select, shutil, signal, sys, time, types

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
# Pre-import what programs commonly use, once, so forked children don't pay for it per test.
for _name in ("bisect", "re", "string", "decimal", "copy", "operator", "functools", "itertools", "collections",
              "math", "fractions", "typing", "random", "heapq", "array", "statistics", "threading"):
    try:
        __import__(_name)
    except Exception:
        pass


def wants_numpy(job):
    """The harness's header has `import numpy as np`. Importing numpy costs ~0.1 s, so only for programs that may use
    it (their source mentions np or numpy); the worker imports it once and shares it with every later fork."""
    return bool(re.search(r"\bnp\b|numpy", job["code"])) and job.get("mode") != "check"


def begin_job(job):
    """In the job's process (forked from the warm worker, sandbox_worker.py): this program's settings become the
    globals the rest of the driver reads. Nothing of one job is left in the worker for the next."""
    global JOB, HEADER_CODE, MODE, CODE, FN_NAME, TIMEOUT, CLEANUP, UID, WORKDIR, STDOUT_CAP, STDERR_CAP
    JOB = job
    header = HEADER
    if wants_numpy(JOB):
        try:
            import numpy  # noqa: F401  (absent from Debian's python3 unless python3-numpy is installed)
            header += "import numpy as np\n"
        except Exception:
            pass
    HEADER_CODE = compile(header, "<header>", "exec")

    MODE = JOB.get("mode") or ("call" if JOB.get("fn_name") else "stdin")  # "stdin", "call" or "check"
    CODE = JOB["code"]
    FN_NAME = JOB.get("fn_name") if MODE == "call" else None
    TIMEOUT = float(JOB["timeout_seconds"])
    CLEANUP = JOB["cleanup"]  # "namespace": kill every other process but the worker (pid 1); "uid": those of UID; "group"
    UID = JOB.get("uid")
    WORKDIR = JOB["workdir"]
    STDOUT_CAP = int(JOB["stdout_bytes"])
    STDERR_CAP = int(JOB["stderr_bytes"])


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


def keyctl_clear():
    """keyctl(KEYCTL_CLEAR, keyring) as a function, made once per worker (ctypes is imported here, not per program);
    None on an architecture we have no syscall number for."""
    number = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
    if number is None:
        return None
    import ctypes
    syscall = ctypes.CDLL(None, use_errno=True).syscall
    return lambda keyring: syscall(number, 7, keyring)  # 7: KEYCTL_CLEAR


KEYCTL_CLEAR = keyctl_clear()


def forget_keyrings():
    """As the program's uid, before anything of the program runs: empty the uid's user and user-session keyrings,
    which outlive every process and would carry keys from an earlier program that ran under this uid."""
    if KEYCTL_CLEAR is not None:
        for keyring in (-4, -5):  # KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING
            KEYCTL_CLEAR(keyring)


def namespace_filter():
    """A seccomp filter (classic BPF) for the program's processes: unshare, clone with any CLONE_NEW* flag, and setns
    fail with EPERM; clone3 with ENOSYS (its flags lie in memory, out of a filter's reach; glibc then falls back to
    clone). Without a new user namespace the program's unprivileged uid can mount nothing, so the sandbox's
    size-limited tmpfs stays its only writable storage. memfd_create and shmget fail with EPERM too: their memory
    outlives every mapping (RLIMIT_AS does not count it) and nothing else bounds it. Built once here; installed by each
    program child. None on an architecture we have no syscall numbers for (the children then refuse to run)."""
    arch = {"x86_64": (0xC000003E, 56, 272, 308, 435, 319, 29),
            "aarch64": (0xC00000B7, 220, 97, 268, 435, 279, 194)}.get(os.uname().machine)
    if arch is None:
        return None
    audit_arch, nr_clone, nr_unshare, nr_setns, nr_clone3, nr_memfd_create, nr_shmget = arch
    ld, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06
    allow, eperm, enosys, kill = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38, 0x80000000
    new_namespaces = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME
    prog = [
        (ld, 0, 0, 4), (jeq, 1, 0, audit_arch), (ret, 0, 0, kill),  # another ABI's numbers: no process
        (ld, 0, 0, 0),
        (jge, 0, 1, 0x40000000), (ret, 0, 0, eperm),  # x32 system calls
        (jeq, 0, 1, nr_unshare), (ret, 0, 0, eperm),
        (jeq, 0, 1, nr_setns), (ret, 0, 0, eperm),
        (jeq, 0, 1, nr_memfd_create), (ret, 0, 0, eperm),
        (jeq, 0, 1, nr_shmget), (ret, 0, 0, eperm),
        (jeq, 0, 1, nr_clone3), (ret, 0, 0, enosys),
        (jeq, 0, 3, nr_clone), (ld, 0, 0, 16), (jset, 0, 1, new_namespaces), (ret, 0, 0, eperm),
        (ret, 0, 0, allow),
    ]
    # The C-level _ctypes, not ctypes: importing the ctypes package costs a few ms per program, a measurable share.
    import _ctypes, struct

    class ULong(_ctypes._SimpleCData):
        _type_ = "L"

    class Int(_ctypes._SimpleCData):
        _type_ = "i"

    class Byte(_ctypes._SimpleCData):
        _type_ = "B"

    class Function(_ctypes.CFuncPtr):
        _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
        _restype_ = Int

    def buffer(data):
        return type("Buffer", (_ctypes.Array,), {"_type_": Byte, "_length_": len(data)}).from_buffer_copy(data)

    insns = buffer(b"".join(struct.pack("=HBBI", *i) for i in prog))
    fprog = buffer(struct.pack("=HxxxxxxQ", len(prog), _ctypes.addressof(insns)))  # struct sock_fprog
    prctl = Function(_ctypes.dlsym(_ctypes.dlopen(None, os.RTLD_NOW), "prctl"))
    return prctl, ULong, _ctypes.byref(fprog), _ctypes.get_errno, (insns, fprog)  # the buffers must stay alive


NAMESPACE_FILTER = namespace_filter()


def forbid_new_namespaces():
    """In a program child, after the uid drop: install NAMESPACE_FILTER (no_new_privs first, as seccomp requires
    without CAP_SYS_ADMIN). Raises when it cannot: the program must not run without it."""
    if NAMESPACE_FILTER is None:
        raise OSError("no seccomp filter for this architecture: the program may not run")
    prctl, ULong, fprog_ref, get_errno, _ = NAMESPACE_FILTER
    zero = ULong(0)
    if prctl(ULong(38), ULong(1), zero, zero, zero) != 0 or prctl(ULong(22), ULong(2), fprog_ref, zero, zero) != 0:
        raise OSError(get_errno(), "could not install the seccomp filter")  # 38: NO_NEW_PRIVS; 22, 2: SECCOMP filter


def harness_args(args):
    # JSON object keys are strings; the harness turns a leading dict argument's keys back into ints.
    try:
        if isinstance(args[0], dict):
            args = [{int(k): v for k, v in args[0].items()}]
    except Exception:
        pass
    return args


def harness_expected(expected):
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
    return expected


def call_matches(output, expected):
    """The harness's comparison. Runs in the driver, on plain data decoded by from_plain: every == here is a
    built-in type's own, never the program's."""
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


class NotPlain(Exception):
    pass


def to_plain(x, depth=0):
    """A returned value as plain JSON data. Only built-in types (and subclasses of them, reduced to the built-in
    value through the base type's own methods: the program's overrides never run): None, bool, int, float, str,
    bytes, list, tuple, dict, set, frozenset. JSON objects are tags: {"t": tuple}, {"d": [[k, v], ...]},
    {"s": set}, {"f": frozenset}, {"b": hex bytes}. Anything else raises NotPlain.
    This runs in the program's process, so it is a convenience for honest programs, not a defence: whatever bytes
    come out are only ever decoded into built-in values by from_plain in another process."""
    if depth > 100:
        raise NotPlain("nested more than 100 levels deep")
    t = type(x)
    if x is None or t is bool or t is int or t is float or t is str:  # `is`: a metaclass's __eq__ never runs
        return x
    if issubclass(t, int):
        return int.__int__(x)
    if issubclass(t, float):
        return float.__float__(x)
    if issubclass(t, str):
        return str.__str__(x)
    d = depth + 1
    if issubclass(t, list):
        return [to_plain(e, d) for e in list.__iter__(x)]
    if issubclass(t, tuple):
        return {"t": [to_plain(e, d) for e in tuple.__iter__(x)]}
    if issubclass(t, dict):
        return {"d": [[to_plain(k, d), to_plain(v, d)] for k, v in dict.items(x)]}
    if issubclass(t, frozenset):
        return {"f": [to_plain(e, d) for e in frozenset.__iter__(x)]}
    if issubclass(t, set):
        return {"s": [to_plain(e, d) for e in set.__iter__(x)]}
    if issubclass(t, (bytes, bytearray)):
        return {"b": bytes.hex(bytes(memoryview(x)))}
    raise NotPlain(f"returned a value of type {type.__getattribute__(t, '__qualname__')}, not plain data")


def _tagged(o):
    """json.loads hook: a one-key object with a tag is a container; any other object is left as a dict of strings
    (our envelopes; in a returned value it can only mean the program forged its message, for a dict it could return)."""
    if len(o) == 1 and next(iter(o)) in ("t", "d", "s", "f", "b"):
        (tag, v), = o.items()
        if tag == "t":
            return tuple(v)
        if tag == "d":
            return {(tuple(k) if isinstance(k, list) else k): val for k, val in v}
        if tag == "s":
            return set(v)
        if tag == "f":
            return frozenset(v)
        if tag == "b":
            return bytes.fromhex(v)
    return o


INT_DIGITS = 4300  # Python's own int/text limit: below it int() is cheap; above, its cost grows with the square


class LargeInt:
    """An int of more than INT_DIGITS digits, kept as its JSON text. Turning 3,000,000 digits into an int costs the
    driver seconds (quadratic); comparing texts costs a string comparison. JSON writes an int one way only, so two are
    equal exactly when their texts are; an int of fewer digits, or a float, never equals one."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return type(other) is LargeInt and other.text == self.text

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.text)


def _int_or_text(text):
    return int(text) if len(text) <= INT_DIGITS + 1 else LargeInt(text)


def from_plain(text, parse_int=_int_or_text):
    """Decodes what to_plain produced (untrusted text: a bad one raises ValueError/TypeError/RecursionError).
    Bounded work by default: ints longer than INT_DIGITS digits are not converted (LargeInt). Where code computes
    with the values (the program, the test code), parse_int=int: the cost then counts against that process's limits."""
    return json.loads(text, object_hook=_tagged, parse_int=parse_int)


def any_int_size(fn, *args):
    """fn(*args) with Python's int/text digit limit lifted, then the limit as it was: plain data of any size crosses
    the pipes, while the program's own str()/int() keep the limit it runs under in the official harness."""
    if not hasattr(sys, "set_int_max_str_digits"):
        return fn(*args)
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return fn(*args)
    finally:
        sys.set_int_max_str_digits(old)


def plain_json(x, cap):
    text = json.dumps(to_plain(x))
    if len(text) > cap:
        raise NotPlain(f"returned value over {cap} bytes")
    return text


def prepare_child(module_name, run_header):
    """In a forked child: session, rlimits, the program's uid, a clean work folder, fresh streams and module."""
    os.setsid()
    set_limits()
    if UID is not None:
        os.setgroups([])
        os.setgid(UID)
        os.setuid(UID)
        forget_keyrings()
    forbid_new_namespaces()
    if os.path.exists(WORKDIR):
        shutil.rmtree(WORKDIR, ignore_errors=True)  # the previous test's files
    os.makedirs(WORKDIR, exist_ok=True)
    os.chdir(WORKDIR)
    sys.stdin = sys.__stdin__ = open(0, "r", encoding="utf-8", errors="replace", closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="replace", closefd=False, buffering=1)
    sys.argv = ["program.py"]
    module = types.ModuleType(module_name)
    module.__dict__["__builtins__"] = builtins
    module.__file__ = os.path.join(WORKDIR, "program.py")
    sys.modules[module.__name__] = module
    if run_header:
        exec(HEADER_CODE, module.__dict__)
    return module


def run_child(code_obj, index, result_fd):
    """In the forked child: become the program. Never returns. What it writes on result_fd is only a claim about
    how the program ended and, for call-based tests, the returned value as plain data: the driver decides."""
    my_pid = os.getpid()
    status = {"status": "error", "detail": ""}
    try:
        module = prepare_child("__main__" if FN_NAME is None else "solution", True)
        if FN_NAME is None:
            try:
                exec(code_obj, module.__dict__)
            except SystemExit:
                pass  # the harness treats exit() as the end of the program, whatever its code
            status["status"] = "ok"
        else:
            args = harness_args(TESTS_IN[index])
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
            if hasattr(sys, "set_int_max_str_digits"):
                sys.set_int_max_str_digits(0)  # the program is done; a huge int is still a value to compare
            try:
                status.update(status="ok", value=plain_json(output, STDOUT_CAP))
            except NotPlain as e:
                status.update(status="ok", not_plain=str(e))
            except RecursionError:
                status.update(status="ok", not_plain="returned a value nested too deeply")
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
        data = (json.dumps(status) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(result_fd, view):]
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

def child_message(res):
    """The child's claim about how it ended: the last line of its result pipe, if it is a JSON object with a status.
    Untrusted: the program may have written there itself; all it can say is what it could also have returned."""
    lines = [l for l in res.decode("utf-8", "replace").splitlines() if l.strip()]
    if not lines:
        return None
    try:
        message = json.loads(lines[-1])
    except ValueError:
        return None
    return message if isinstance(message, dict) and isinstance(message.get("status"), str) else None


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
    open_fds = {out_r: (out, STDOUT_CAP), err_r: (err, STDERR_CAP), res_r: (res, STDOUT_CAP + 65536)}
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
    message = child_message(res)
    if timed_out:
        report.update(status="timeout", detail=f"wall clock over {TIMEOUT:g}s")
    elif over_output:
        report.update(status="output_limit", detail=f"stdout over {STDOUT_CAP} bytes")
    elif os.WIFSIGNALED(wait_status) and message is None and (
            os.WTERMSIG(wait_status) == signal.SIGXCPU
            or (os.WTERMSIG(wait_status) == signal.SIGKILL and cpu_used >= float(JOB.get("cpu_seconds") or 1e9))):
        report.update(status="timeout", detail="CPU time limit")
    elif message is not None:
        report["status"] = message["status"] if message["status"] in ("ok", "error", "load_error", "memory") else "error"
        if FN_NAME is not None and report["status"] == "ok":
            # Compared with the expected value only after every test has run (compare_values).
            report["value"] = message.get("value")
            report["not_plain"] = message.get("not_plain")
            if not isinstance(report["value"], str) and not report["not_plain"]:
                report["not_plain"] = "no returned value"
        report["detail"] = str(message.get("detail") or stderr_tail)
    elif os.WIFSIGNALED(wait_status):
        report.update(status="error", detail=f"killed by signal {os.WTERMSIG(wait_status)}; {stderr_tail}")
    elif os.WEXITSTATUS(wait_status) == 0 and FN_NAME is None:
        report["status"] = "ok"  # os._exit(0) after printing: a normal end for a script
    else:
        report.update(status="error", detail=f"exit code {os.WEXITSTATUS(wait_status)}; {stderr_tail}")
    if FN_NAME is None and report["status"] == "ok":
        report["stdout"] = out.decode("utf-8", "replace")
    return report


def begin_tests():
    """The job's tests, and (not root) our /proc closed to the program."""
    global TESTS_IN, PROMPT, ENTRY_POINT
    TESTS_IN = JOB["inputs"]
    PROMPT = JOB.get("prompt") or ""
    ENTRY_POINT = JOB.get("entry_point")
    if UID is None:
        # Not root: the program runs under our uid. Non-dumpable, our /proc files (fds, memory) are closed to it, so it
        # cannot write report lines into our stdout or into the test runner's result pipe.
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
        except Exception:
            pass


def read_secret_line():
    """The second line from the host, sent only when asked: by now no process of the program is alive, or (check
    problems) the program's process already exists and cannot read our memory."""
    emit({"need": "secret"})
    return sys.stdin.buffer.readline().decode("utf-8")


def read_secret():
    return json.loads(read_secret_line())


def compare_values(reports):
    """Call-based: the expected values arrive now, after every test has run, and meet only plain data."""
    pending = [r for r in reports if r.get("status") == "ok" and "value" in r]
    outputs = from_plain(read_secret_line())["outputs"] if pending else []
    for r in reports:
        value, not_plain = r.pop("value", None), r.pop("not_plain", None)
        if r.get("status") != "ok":
            continue
        if not_plain:
            r.update(match=False, detail=not_plain)
            continue
        if len(value) > STDOUT_CAP:  # bounded before parsing: the pipe's cap lets a little more through
            r.update(match=False, detail=f"returned value over {STDOUT_CAP} bytes")
            continue
        try:
            r["match"] = call_matches(from_plain(value), harness_expected(outputs[r["index"]]))
        except (ValueError, TypeError, RecursionError, IndexError) as e:
            r.update(match=False, detail=f"unreadable returned value ({type(e).__name__})")
        if r["match"]:
            r["detail"] = ""


def install_fds(mapping):
    """In a forked child: make fd target = source for each (target, source), close every other fd."""
    import fcntl
    high = {t: fcntl.fcntl(src, fcntl.F_DUPFD, 100) for t, src in mapping.items()}
    for t, h in high.items():
        os.dup2(h, t)
    keep = set(mapping)
    for fd in os.listdir("/proc/self/fd"):  # only the open ones: closerange over 64k numbers costs ~20 ms
        if int(fd) not in keep:
            try:
                os.close(int(fd))
            except OSError:
                pass


def write_line(fd, obj):
    view = memoryview((json.dumps(obj) + "\n").encode())
    while view:
        view = view[os.write(fd, view):]


def callable_names(namespace):
    return [n for n, v in list(dict.items(namespace)) if type(n) is str and not n.startswith("__") and callable(v)]


def program_server(code_obj):
    """Check problems, in the program's process (fd 3: calls in, fd 4: replies out): loads the program, says which
    names it defines, then answers each call with the returned value as plain data. Never returns."""
    try:
        module = prepare_child("solution", False)  # like the official exec: __name__ is not "__main__"
        reply = {"ready": True}
        try:
            exec(code_obj, module.__dict__)
            reply["callables"] = callable_names(module.__dict__)
        except MemoryError:
            reply = {"load_error": "MemoryError"}
        except BaseException as e:
            reply = {"load_error": f"{type(e).__name__}: {e}"[:500]}
        write_line(4, reply)
        if "load_error" in reply:
            os._exit(0)
        calls = os.fdopen(3, "rb")
        while True:
            line = calls.readline()
            if not line:
                os._exit(0)
            try:
                request = any_int_size(from_plain, line.decode("utf-8"), int)
                fn = module.__dict__.get(request["name"])
                if fn is None:
                    reply = {"exc": "NameError", "msg": f"name {request['name']!r} is not defined"}
                else:
                    reply = {"value": to_plain(fn(*request["args"], **request["kwargs"]))}
                text = any_int_size(json.dumps, reply)
                if len(text) > STDOUT_CAP:
                    raise NotPlain(f"returned value over {STDOUT_CAP} bytes")
            except NotPlain as e:
                text = json.dumps({"exc": "TypeError", "msg": str(e)})
            except BaseException as e:
                try:
                    text = json.dumps({"exc": builtin_exception_name(e), "msg": str(e)[:300]})
                except BaseException:
                    text = json.dumps({"exc": "Exception", "msg": ""})
            write_all(4, text + "\n")
    finally:
        os._exit(70)


def builtin_exception_name(e):
    """The nearest built-in class of the exception (a subclass of ValueError is reported as ValueError, so a test's
    `except ValueError` still catches it). Runs in the program's process: the test runner trusts no name it gets."""
    for cls in type.__getattribute__(type(e), "__mro__"):
        name = type.__getattribute__(cls, "__name__")
        if getattr(builtins, name, None) is cls:
            return name
    return "Exception"


# Exceptions that steer the caller's control flow rather than report an error: a StopIteration coming out of the
# candidate ends map()/next()/for early (all(map(candidate, xs)) is then True), the others unwind past the test's
# `except Exception` handlers. From the program they come back as a plain error, whatever their name.
CONTROL_FLOW_EXCEPTIONS = (StopIteration, StopAsyncIteration)


class CandidateError(RuntimeError):
    """An exception the program raised that may not keep its type in the test runner (see CONTROL_FLOW_EXCEPTIONS)."""


class CandidateProxy:
    """In the test runner: stands for one of the program's functions. Arguments go out as plain data, the returned
    value comes back as plain data (so it has built-in types and built-in __eq__), exceptions come back by name."""

    def __init__(self, name, calls, replies):
        self.__name__ = name
        self._calls, self._replies = calls, replies

    def __call__(self, *args, **kwargs):
        request = json.dumps({"name": self.__name__, "args": to_plain(list(args)), "kwargs": to_plain(kwargs)})
        write_all(self._calls, request + "\n")
        line = self._replies.readline(STDOUT_CAP + 65536)
        if not line.endswith(b"\n"):
            raise RuntimeError("the program's process ended during a call")
        reply = from_plain(line.decode("utf-8"), int)  # the test code computes with it; this runner's time limit applies
        if not isinstance(reply, dict):
            raise RuntimeError("unreadable reply from the program's process")
        if "exc" in reply:
            name, message = str(reply["exc"]), str(reply.get("msg", ""))
            cls = getattr(builtins, name, None)
            if not (isinstance(cls, type) and issubclass(cls, Exception)) or issubclass(cls, CONTROL_FLOW_EXCEPTIONS):
                raise CandidateError(f"the program raised {name}: {message}")
            raise cls(message)
        if "value" not in reply:
            raise RuntimeError("unreadable reply from the program's process")
        return reply["value"]


def write_all(fd, text):
    view = memoryview(text.encode())
    while view:
        view = view[os.write(fd, view):]


def test_runner(secret):
    """Check problems, in the test runner's process (fd 3: verdict out, fd 4: replies in, fd 5: calls out): runs the
    trusted test code against proxies of the program's functions. Not the program's uid (root only). Never returns."""
    result = {"status": "error", "detail": ""}
    try:
        os.setsid()
        set_limits()
        os.chdir("/")
        if hasattr(sys, "set_int_max_str_digits"):
            sys.set_int_max_str_digits(0)  # only trusted code runs here; the program's values may be ints of any size
        sys.stdin = sys.__stdin__ = sys.stdout = sys.__stdout__ = sys.stderr = sys.__stderr__ = open(os.devnull, "w")
        replies = os.fdopen(4, "rb")
        hello = replies.readline(1 << 20)
        try:
            hello = from_plain(hello.decode("utf-8")) if hello.endswith(b"\n") else None
        except (ValueError, TypeError, RecursionError):
            hello = None
        if not isinstance(hello, dict) or ("load_error" not in hello and not isinstance(hello.get("callables"), list)):
            result.update(status="error", detail="the program's process ended before it was loaded")
            raise _Reported()
        if "load_error" in hello:
            result.update(status="load_error", detail=str(hello["load_error"]))
            raise _Reported()
        namespace = {"__builtins__": builtins}
        if secret.get("prompt_code"):
            exec(compile(secret["prompt_code"], "prompt.py", "exec"), namespace)  # the prompt's own helpers
        if secret.get("setup"):
            exec(compile(secret["setup"], "setup.py", "exec"), namespace)
        for name in hello["callables"]:
            # The test code and the prompt's helpers keep their own builtins and the prompt's definitions: a program
            # that defines abs, range or sum (or redefines a prompt helper) changes them only in its own process.
            if type(name) is str and name not in namespace and not hasattr(builtins, name):
                namespace[name] = CandidateProxy(name, 5, replies)
        if ENTRY_POINT:
            namespace[ENTRY_POINT] = CandidateProxy(ENTRY_POINT, 5, replies)
        exec(compile(secret["test"], "test.py", "exec"), namespace)
        if secret.get("call_check"):
            namespace["check"](namespace[ENTRY_POINT])
        result.update(status="passed")
    except _Reported:
        pass
    except AssertionError as e:
        result.update(status="failed", detail=f"AssertionError: {e}"[:500])
    except MemoryError:
        result.update(status="memory", detail="MemoryError")
    except BaseException as e:
        result.update(status="error", detail=f"{type(e).__name__}: {e}"[:500])
    try:
        write_line(3, result)
    except BaseException:
        pass
    os._exit(0)


def run_check(code_obj):
    """One test: the program in one process, the test code in another; pass = the test code finished."""
    memfd = os.memfd_create("stdin", 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    call_r, call_w = os.pipe()
    reply_r, reply_w = os.pipe()
    start = time.monotonic()
    program_pid = os.fork()
    if program_pid == 0:
        try:
            install_fds({0: memfd, 1: devnull, 2: devnull, 3: call_r, 4: reply_w})
            program_server(code_obj)
        finally:
            os._exit(70)
    for fd in (memfd, call_r, reply_w):
        os.close(fd)
    secret = read_secret()  # the test code enters our memory only now, after the program's process was forked
    res_r, res_w = os.pipe()
    runner_pid = os.fork()
    if runner_pid == 0:
        try:
            install_fds({0: devnull, 1: devnull, 2: devnull, 3: res_w, 4: reply_r, 5: call_w})
            test_runner(secret)
        finally:
            os._exit(70)
    for fd in (devnull, res_w, reply_r, call_w):
        os.close(fd)
    res = bytearray()
    open_fds = {res_r: (res, 1 << 20)}
    os.set_blocking(res_r, False)
    pidfd = os.pidfd_open(runner_pid)
    deadline = start + TIMEOUT
    runner_status = None
    while runner_status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(list(open_fds) + [pidfd], [], [], left)
        for fd in ready:
            if fd == pidfd:
                runner_status = os.waitpid(runner_pid, 0)[1]
            else:
                pump(fd, open_fds)
    seconds = time.monotonic() - start
    timed_out = runner_status is None
    for pid in (runner_pid, program_pid):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass
    if runner_status is None:
        runner_status = os.waitpid(runner_pid, 0)[1]
    program_rusage = os.wait4(program_pid, 0)[2]
    os.close(pidfd)
    cleanup(program_pid)
    if CLEANUP == "group":
        cleanup(runner_pid)
    drain_deadline = time.monotonic() + 1.0
    while open_fds and time.monotonic() < drain_deadline:
        for fd in select.select(list(open_fds), [], [], 0.1)[0]:
            pump(fd, open_fds)
    os.close(res_r)
    report = {"index": 0, "seconds": round(seconds, 4)}
    message = child_message(res)
    program_cpu = program_rusage.ru_utime + program_rusage.ru_stime
    if timed_out or (program_cpu >= float(JOB.get("cpu_seconds") or 1e9) and (message or {}).get("status") != "passed"):
        report.update(status="timeout", detail=f"wall clock over {TIMEOUT:g}s" if timed_out else "CPU time limit")
    elif message is None or not os.WIFEXITED(runner_status) or os.WEXITSTATUS(runner_status) != 0:
        report.update(status="error", detail="the test runner ended without a verdict")
    elif message["status"] == "passed":
        report.update(status="ok", match=True)
    elif message["status"] == "failed":
        report.update(status="ok", match=False, detail=str(message.get("detail", "")))
    elif message["status"] in ("load_error", "memory"):
        report.update(status=message["status"], detail=str(message.get("detail", "")))
    else:
        report.update(status="error", detail=str(message.get("detail", "")))
    return report


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
        if MODE == "stdin" and ("outside function" in str(e.msg) or "nonlocal" in str(e.msg)):
            try:
                return compile(wrapped_like_harness(code), "program.py", "exec"), None
            except BaseException:
                pass
        return None, error[:500]
    except BaseException as e:  # ValueError (null bytes), RecursionError, MemoryError
        return None, f"{type(e).__name__}: {e}"[:500]


def check_program(code, prompt):
    """Check problems: the program is the candidate's code when it already starts with the prompt; otherwise the
    prompt followed by the code (a completion, as in the official harness; or a whole program, whose definitions
    then replace the prompt's stubs). No prompt (MBPP): the code alone."""
    if not prompt or code.startswith(prompt):
        return code
    first = next((l for l in code.split("\n") if l.strip()), "")
    if not prompt.endswith("\n") and first and not first[0].isspace():
        return prompt + "\n" + code
    return prompt + code


def run_job(job):
    """Runs one program's tests in this process (the job's process) and emits its reports, then {"done"}."""
    global CODE
    begin_job(job)
    begin_tests()
    if MODE == "check":
        CODE = check_program(CODE, PROMPT)
    CODE_OBJ, compile_error = compile_program(CODE)
    # Everything allocated so far is shared with the forked children: keep their garbage collector off those pages,
    # or each child's first collection would copy them all (copy-on-write).
    gc.collect()
    gc.freeze()

    reports = []
    for i, test_input in enumerate(TESTS_IN):
        if CODE_OBJ is None:
            reports.append({"index": i, "status": "compile_error", "seconds": 0.0, "detail": compile_error})
        elif MODE == "check":
            reports.append(run_check(CODE_OBJ))
        elif MODE == "stdin":
            stdin_text = "\n".join(test_input) if isinstance(test_input, list) else str(test_input)
            reports.append(run_test(CODE_OBJ, i, stdin_text))
        else:
            reports.append(run_test(CODE_OBJ, i, ""))
        if MODE != "call":
            emit(reports.pop())
    if MODE == "call":
        compare_values(reports)
        for report in reports:
            emit(report)
    self_usage, child_usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    emit({"done": True, "cpu_seconds": round(self_usage.ru_utime + self_usage.ru_stime + child_usage.ru_utime + child_usage.ru_stime, 4)})
