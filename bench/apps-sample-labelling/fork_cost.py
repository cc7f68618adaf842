#!/usr/bin/env python3
"""CPU cost of one fork()+_exit() of a Python that preloaded what the sandbox driver preloads (per-test floor)."""
import gc, os, resource

for name in ("bisect", "re", "string", "decimal", "copy", "operator", "functools", "itertools", "collections", "math",
             "fractions", "typing", "random", "heapq", "array", "statistics", "threading", "shutil", "json", "select"):
    __import__(name)
gc.collect()
gc.freeze()


def cpu():
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, kids.ru_utime + kids.ru_stime


N = 40
before = cpu()
for _ in range(N):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
after = cpu()
print(f"fork+exit: {1000 * (after[0] - before[0]) / N:.2f} ms CPU per fork in total, "
      f"{1000 * (after[1] - before[1]) / N:.2f} ms in the children")
