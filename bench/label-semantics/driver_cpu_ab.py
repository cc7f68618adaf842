# CPU per program of two versions of the sandbox driver (A, B), alternating ABBA, on the same jobs, without bwrap (the
# driver as `label --unsafe-no-isolation` runs it; as root, programs run as uid 200999): 10 HumanEval programs and the
# first reference solution of 10 APPS problems. Needs root.
# Usage: python3 driver_cpu_ab.py A/sandbox_driver.py B/sandbox_driver.py ROUNDS WORKDIR
import json, os, resource, subprocess, sys, time
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data")
DRIVERS = {"A": os.path.abspath(sys.argv[1]), "B": os.path.abspath(sys.argv[2])}
WORKDIR = sys.argv[4]
probs = {json.loads(l)['task_id']: json.loads(l) for l in open(f'{SHARED}/humaneval-codegen16b/problems.jsonl')}
first = list(probs)[:20]
cands = [c for c in map(json.loads, open(f'{SHARED}/humaneval-codegen16b/train.jsonl')) if c['problem_id'] in first and int(c['candidate_id']) < 10][:40:4]
apps = [json.loads(l) for l in open(f'{SHARED}/apps-sample.jsonl')][:10]
def he_job(c):
    p = probs[c['problem_id']]
    job = {"mode": "check", "code": c['code'], "fn_name": None, "inputs": [None], "prompt": p['prompt'], "entry_point": p['entry_point'],
           "timeout_seconds": 3, "cpu_seconds": 4, "memory_bytes": 2 << 30, "file_size_bytes": 16 << 20, "max_processes": 64,
           "uid": 200999, "cleanup": "uid", "workdir": WORKDIR + "/w", "stdout_bytes": 8 << 20, "stderr_bytes": 65536}
    return job, {"prompt_code": p['prompt'], "setup": None, "test": p['test'], "call_check": True}
def apps_job(p):
    io = json.loads(p['input_output']); sol = json.loads(p['solutions'])[0]
    job = {"mode": "call" if io.get('fn_name') else "stdin", "code": sol, "fn_name": io.get('fn_name'), "inputs": io['inputs'],
           "timeout_seconds": 4, "cpu_seconds": 5, "memory_bytes": 2 << 30, "file_size_bytes": 16 << 20, "max_processes": 64,
           "uid": 200999, "cleanup": "uid", "workdir": WORKDIR + "/w", "stdout_bytes": 8 << 20, "stderr_bytes": 65536}
    return job, {"outputs": io['outputs']}
def run(driver, job, secret):
    p = subprocess.Popen(['/usr/bin/python3', '-I', DRIVERS[driver]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=WORKDIR)
    p.stdin.write((json.dumps(job) + "\n").encode()); p.stdin.flush()
    verdicts = []
    for line in p.stdout:
        m = json.loads(line)
        if "need" in m:
            p.stdin.write((json.dumps(secret) + "\n").encode()); p.stdin.flush()
        elif "done" in m:
            break
        else:
            verdicts.append((m.get('status'), m.get('match')))
    p.stdin.close(); p.wait()
    return verdicts
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN); return r.ru_utime + r.ru_stime
jobs = {"he": [he_job(c) for c in cands], "apps": [apps_job(p) for p in apps]}
total = {}
# Alternated per job (A B, then B A on the next), so that a change of the machine's load hits both alike.
for rnd in range(int(sys.argv[3])):
    for kind, js in jobs.items():
        for i, (j, sec) in enumerate(js):
            for name in (["A", "B"] if (rnd + i) % 2 == 0 else ["B", "A"]):
                c0 = cpu(); w0 = time.monotonic()
                v = run(name, j, sec)
                t = total.setdefault((kind, name), [0, 0, 0, []])
                t[0] += cpu() - c0; t[1] += time.monotonic() - w0; t[2] += 1
                if rnd == 0: t[3].append(v)
for kind in jobs:
    m, n = total[(kind, "A")], total[(kind, "B")]
    print(kind, f"A {1000*m[0]/m[2]:.1f} ms CPU/program, B {1000*n[0]/n[2]:.1f} ({n[0]/m[0]:.3f}x); wall {n[1]/m[1]:.3f}x; same verdicts: {m[3] == n[3]}")
