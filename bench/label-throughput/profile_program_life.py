#!/usr/bin/env python3
"""Where one program's time goes in the sandbox: each phase of a program's life measured on its own (median wall
clock and CPU of REPS runs), for a HumanEval program and an APPS program, under the per-program sandbox (one bwrap +
one interpreter + the driver from `-c` per program: the design before issue 23) and the warm worker (one sandbox per
worker, one forked job process per program). Run as root (per-program uids), from the repository root.

usage: profile_program_life.py OLD_DRIVER.py REPS
  OLD_DRIVER.py: the per-program driver to compare with, e.g. `git show 5cbb2bc:src/RewardML.Sandbox/Execution/sandbox_driver.py`
The bwrap arguments below mirror Execution/BubblewrapCommand.cs (as root, merged /usr).
"""
import json, os, resource, statistics, subprocess, sys, time

REPO = os.getcwd()
SHARED = os.path.join(REPO, "..", "shared", "data")
DRIVER_DIR = os.path.join(REPO, "src", "RewardML.Sandbox", "Execution")
UID = 399_000


def bwrap(extra_binds=()):
    args = ["bwrap", "--unshare-pid", "--as-pid-1", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "HOME", "/tmp", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            "--setenv", "PYTHONHASHSEED", "0", "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1",
            "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for p in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"):
        args += ["--ro-bind-try", p, p]
    args += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue", "--perms", "1777", "--size", str(64 << 20),
             "--tmpfs", "/tmp", "--chdir", "/tmp"]
    for src, dst in extra_binds:
        args += ["--ro-bind", src, dst]
    args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL", "--"]
    return args


def cpu_of_children():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def measure(reps, fn):
    walls, cpus = [], []
    for _ in range(reps):
        c0, t0 = cpu_of_children(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_of_children() - c0)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def worker_pid(bwrap_pid):
    """The worker (PID 1 inside) as the host sees it: bwrap's child."""
    for _ in range(100):
        for task in os.listdir(f"/proc/{bwrap_pid}/task"):
            children = open(f"/proc/{bwrap_pid}/task/{task}/children").read().split()
            if children:
                return int(children[0])
        time.sleep(0.01)
    raise RuntimeError("no worker under bwrap")


def tree_cpu(pid):
    """CPU seconds of a process and of its reaped descendants (utime + stime + cutime + cstime)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def job(kind, uid):
    common = {"timeout_seconds": 3.0 if kind == "humaneval" else 4.0, "cpu_seconds": 5, "memory_bytes": 2 << 30,
              "file_size_bytes": 16 << 20, "max_processes": 64, "uid": uid, "cleanup": "namespace", "workdir": "/tmp/work",
              "stdout_bytes": 8 << 20, "stderr_bytes": 64 << 10}
    if kind == "humaneval":
        problems = {p["task_id"]: p for p in map(json.loads, open(os.path.join(SHARED, "humaneval-codegen16b", "problems.jsonl")))}
        row = next(r for r in map(json.loads, open(os.path.join(SHARED, "humaneval-codegen16b", "train.jsonl"))) if r["label"])
        p = problems[row["problem_id"]]
        secret = {"prompt_code": p["prompt"], "setup": None, "test": p["test"], "call_check": True}
        return dict(common, mode="check", code=row["code"], fn_name=None, inputs=[None], prompt=p["prompt"],
                    entry_point=p["entry_point"]), secret, f"{row['problem_id']} candidate {row['candidate_id']}"
    row = json.loads(open(os.path.join(SHARED, "apps-sample.jsonl")).readline())
    io_spec = json.loads(row["input_output"])
    return dict(common, mode="stdin", code=json.loads(row["solutions"])[0], fn_name=None, inputs=io_spec["inputs"],
                prompt=None, entry_point=None), None, f"APPS problem {row['problem_id']} solution 0, {len(io_spec['inputs'])} tests"


def talk(proc, job_obj, secret, until):
    """Sends one job and answers the driver until a line with key `until`; returns the time of each message kind."""
    t0 = time.perf_counter()
    marks = {}
    proc.stdin.write((json.dumps(job_obj) + "\n").encode())
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox ended: " + proc.stderr.read().decode()[-500:])
        msg = json.loads(line)
        if "need" in msg:
            proc.stdin.write((json.dumps(secret) + "\n").encode())
            proc.stdin.flush()
        if "index" in msg:
            assert msg["status"] == "ok", msg
        for key in ("need", "done", "clean"):
            if key in msg:
                marks[key] = time.perf_counter() - t0
        if until in msg:
            return marks


def main():
    old_driver, reps = open(sys.argv[1]).read(), int(sys.argv[2])
    rows = []

    def row(name, wall_cpu, note=""):
        rows.append((name, wall_cpu[0], wall_cpu[1], note))

    run = lambda cmd: subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    row("bwrap + /bin/true (namespaces, mounts, teardown)", measure(reps, lambda: run(bwrap() + ["/bin/true"])))
    row("python3 -I -c pass, no sandbox (interpreter start)", measure(reps, lambda: run(["/usr/bin/python3", "-I", "-c", "pass"])))
    row("bwrap + python3 -I -c pass", measure(reps, lambda: run(bwrap() + ["/usr/bin/python3", "-I", "-c", "pass"])))
    walls, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        compile(old_driver, "<driver>", "exec")
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    row("compile the driver source (old: every program, `-c`)", (statistics.median(walls) * 1000, statistics.median(cpus) * 1000), "in-process")
    imports = ("import builtins, gc, json, os, re, resource, select, shutil, signal, sys, time, types\n"
               "for n in ('bisect','re','string','decimal','copy','operator','functools','itertools','collections','math',"
               "'fractions','typing','random','heapq','array','statistics','threading'): __import__(n)\n")
    row("python3 -I: the driver's imports and pre-imports (incl. start)", measure(reps, lambda: run(["/usr/bin/python3", "-I", "-c", imports])))

    for kind in ("humaneval", "apps"):
        job_obj, secret, what = job(kind, UID)

        def old_once():
            proc = subprocess.Popen(bwrap() + ["/usr/bin/python3", "-I", "-c", old_driver], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            talk(proc, job_obj, secret, "done")
            proc.stdin.close()
            proc.wait()
            proc.stdout.close(); proc.stderr.close()
        row(f"{kind}: whole program, per-program sandbox (old)", measure(reps, old_once), what)

        worker = subprocess.Popen(bwrap([(DRIVER_DIR, "/rewardml")]) + ["/usr/bin/python3", "-I", "/rewardml/sandbox_worker.py"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        talk(worker, job_obj, secret, "clean")  # warm up: start-up is paid once per worker
        marks = []
        inner = worker_pid(worker.pid)
        c0 = tree_cpu(inner)
        wall = measure(reps, lambda: marks.append(talk(worker, job_obj, secret, "clean")))[0]
        row(f"{kind}: whole program, warm worker (new)", (wall, (tree_cpu(inner) - c0) / reps * 1000), what + "; CPU: mean, from the worker's /proc stat")
        row(f"{kind}:   of which: job fork + tests + reports, until done", (statistics.median(m["done"] for m in marks) * 1000, float("nan")))
        row(f"{kind}:   of which: reset of the sandbox (kill, reap, /tmp, IPC)", (statistics.median((m["clean"] - m["done"]) * 1000 for m in marks), float("nan")))
        worker.stdin.close()
        worker.wait()

    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores, {reps} repetitions, medians")
    print("| phase | wall ms | CPU ms | note |\n| --- | --- | --- | --- |")
    for name, wall, cpu, note in rows:
        print(f"| {name} | {wall:.1f} | {'' if cpu != cpu else f'{cpu:.1f}'} | {note} |")


if __name__ == "__main__":
    main()
