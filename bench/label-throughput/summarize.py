#!/usr/bin/env python3
"""Summarises bench/label-throughput/run.sh's outputs (ARTIFACTS folder): speed ratios and verdict agreement."""
import json, os, sys

out = sys.argv[1]
times = {}
for line in open(os.path.join(out, "times.txt")):
    name, seconds, *load = line.split()
    times[name] = (float(seconds), " ".join(load))


def results(name):
    path = os.path.join(out, name + ".jsonl")
    return {(r["problem_id"], r["candidate_id"]): r for r in map(json.loads, open(path))} if os.path.exists(path) else None


print(f"| run | programs | wall s (whole command) | programs/s | load avg. at start | verdicts |")
print(f"| --- | --- | --- | --- | --- | --- |")
if "humaneval-reference" in times:  # absent with ONLY_APPS=1
    stored = {(r["problem_id"], r["candidate_id"]): bool(r["label"]) for r in map(json.loads, open(os.path.join(out, "humaneval-candidates.jsonl")))}
    reference = json.load(open(os.path.join(out, "humaneval-reference.json")))["verdicts"]
    n = len(stored)
    ref_s, ref_load = times["humaneval-reference"]
    ref_agree = sum((reference[f"{p}#{c}"] == "passed") == label for (p, c), label in stored.items())
    print(f"| HumanEval reference (Process per program, 2 workers) | {n} | {ref_s:.1f} | {n / ref_s:.1f} | {ref_load} | agrees with the official labels on {ref_agree}/{n} |")
    for name in ("humaneval-rewardml", "humaneval-compare"):
        got = results(name)
        if got is None or name not in times:
            continue
        s, l = times[name]
        agree = sum(got[k]["strict_pass"] == label for k, label in stored.items() if k in got)
        timeouts = sum(t["verdict"] == "timeout" for r in got.values() for t in r["tests"])
        print(f"| HumanEval {name.split('-')[1]} | {len(got)} | {s:.1f} | {len(got) / s:.1f} | {l} | agrees with the official labels on {agree}/{n} ({timeouts} timeouts); **{ref_s / s:.2f}x the reference** |")
apps_ref = json.load(open(os.path.join(out, "apps-inprocess.json")))
a_s, a_load = times["apps-inprocess"]
print(f"| APPS in-process (one core) | {apps_ref['programs']} | {a_s:.1f} | {apps_ref['programs'] / a_s:.1f} | {a_load} | strict pass {apps_ref['strict_pass']} (its stand-in comparison) |")
ours_apps = results("apps-rewardml")
compare_apps = results("apps-compare")
for name, got in (("apps-rewardml", ours_apps), ("apps-compare", compare_apps)):
    if got is None or name not in times:
        continue
    s, l = times[name]
    strict = sum(r["strict_pass"] for r in got.values())
    same = ""
    if name == "apps-rewardml" and compare_apps is not None:
        identical = sum([t["verdict"] for t in got[k]["tests"]] == [t["verdict"] for t in compare_apps[k]["tests"]] for k in got if k in compare_apps)
        same = f"; every test's verdict identical to compare on {identical}/{len(got)} programs"
    print(f"| APPS {name.split('-')[1]} | {len(got)} | {s:.1f} | {len(got) / s:.1f} | {l} | strict pass {strict}{same}; **{a_s / s:.2f}x in-process** |")
for kind in ("humaneval", "apps"):
    if f"{kind}-compare" in times:
        print(f"\n{kind}: this checkout {times[f'{kind}-compare'][0] / times[f'{kind}-rewardml'][0]:.2f}x the compared one")
