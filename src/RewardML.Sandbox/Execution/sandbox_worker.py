# RewardML sandbox worker: one warm Python per sandbox that judges many programs, one after the other.
#
# Interpreter start-up, the driver's compilation and the harness's imports are paid once, here. For each job line
# on stdin the worker forks a job process that runs sandbox_driver.run_job (which forks the program's processes,
# dropped to the program's own uid), waits for it, and resets the sandbox before it reads the next job:
#   - every other process in the PID namespace is killed and reaped (the worker is PID 1 there: orphans are its
#     children, and signals from inside the namespace cannot reach it);
#   - /tmp, /dev/mqueue and System V IPC are emptied, and checked empty.
# Then it writes {"clean": true, "job": "..."}. If anything could not be removed it writes {"clean": false, ...}
# and exits: the host throws this sandbox away and starts a fresh one. The worker never runs program code, never
# reads a job's secret line (the job process does), and holds no file descriptor but 0, 1 and 2.
# Outside a PID namespace (--unsafe-no-isolation) it judges the one job the host sends and stops at end of input.
import gc, json, os, shutil, signal, stat, sys, traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox_driver as driver  # noqa: E402  (compiles the driver and pre-imports the harness's modules, once)

SANDBOX_TMP = "/tmp"
MQUEUE = "/dev/mqueue"
SYSV_IPC = ("/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg")


def kill_everything_else():
    """As PID 1: SIGKILL every other process of the namespace and reap it; returns when we have no child left."""
    while True:
        try:
            os.kill(-1, signal.SIGKILL)  # never reaches the caller, nor PID 1 (us)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def ipc_objects():
    count = 0
    for table in SYSV_IPC:
        try:
            with open(table) as f:
                count += max(0, len(f.read().splitlines()) - 1)  # the first line is a header
        except OSError:
            pass
    return count


def leftovers():
    """What the last program left in the sandbox's shared places; empty when the sandbox is as new."""
    found = [os.path.join(SANDBOX_TMP, n) for n in os.listdir(SANDBOX_TMP)]
    if os.path.isdir(MQUEUE):
        found += [os.path.join(MQUEUE, n) for n in os.listdir(MQUEUE)]
    if ipc_objects():
        found.append(f"{ipc_objects()} System V IPC objects")
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    if others:
        found.append(f"processes {others}")
    return found


def remove_as_owner(uid):
    """In a forked child with the program's uid (root here lacks CAP_DAC_OVERRIDE, so only the owner can enter a
    folder it closed): open every folder up, delete everything in /tmp and /dev/mqueue, and its IPC objects."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for place in (SANDBOX_TMP, MQUEUE):
                for name in os.listdir(place) if os.path.isdir(place) else []:
                    path = os.path.join(place, name)
                    if os.path.isdir(path) and not os.path.islink(path):
                        for root, dirs, _ in os.walk(path):
                            for d in dirs:
                                try:
                                    os.chmod(os.path.join(root, d), stat.S_IRWXU)
                                except OSError:
                                    pass
                        try:
                            os.chmod(path, stat.S_IRWXU)
                        except OSError:
                            pass
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        try:
                            os.unlink(path)
                        except OSError:
                            pass
            if ipc_objects() and os.path.exists("/usr/bin/ipcrm"):
                os.execv("/usr/bin/ipcrm", ["ipcrm", "--all"])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def remove_as_root():
    """The usual case, without a fork: an empty work folder and plain files, removable by the owner of /tmp (us)."""
    for place in (SANDBOX_TMP, MQUEUE):
        for name in os.listdir(place) if os.path.isdir(place) else []:
            path = os.path.join(place, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
            except OSError:
                pass


def reset_sandbox(uid):
    kill_everything_else()
    remove_as_root()
    if leftovers() and uid is not None:
        remove_as_owner(uid)
        kill_everything_else()  # ipcrm, and anything else that cleaner started
    return leftovers()


def wait_for(pid):
    """Waits for the job's process, reaping on the way the orphans that its tests' cleanups killed (as PID 1 they
    are ours), so that no zombie of one test is still listed in /proc when the next test starts."""
    while True:
        done, status = os.waitpid(-1, 0)
        if done == pid:
            return status


def describe(status):
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


def parse_job(line):
    """The host's job line, whose inputs may hold ints of any size; Python's digit limit comes back after it, so that
    the job's and the program's processes inherit the limit the program runs under in the official harness."""
    if not hasattr(sys, "set_int_max_str_digits"):
        return json.loads(line.decode("utf-8"))
    sys.set_int_max_str_digits(0)
    try:
        return json.loads(line.decode("utf-8"))
    finally:
        sys.set_int_max_str_digits(4300)


def serve():
    in_namespace = os.getpid() == 1
    jobs = sys.stdin.buffer
    numpy_loaded = False
    while True:
        line = jobs.readline()
        if not line:
            return
        job = parse_job(line)
        if not numpy_loaded and driver.wants_numpy(job):
            try:
                import numpy  # noqa: F401  once per worker, then shared by every fork (copy-on-write)
            except Exception:
                pass
            numpy_loaded = True
        gc.collect()
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                driver.run_job(job)
                code = 0
            except BaseException:
                traceback.print_exc()  # a fault of ours, not the program's: the host reports the stderr tail
            finally:
                sys.stderr.flush()
                os._exit(code)
        status = wait_for(pid)
        left = reset_sandbox(job.get("uid")) if in_namespace else []
        driver.emit({"clean": not left, "job": describe(status), "left": "; ".join(left)[:300]})
        if left:
            os._exit(3)


serve()
