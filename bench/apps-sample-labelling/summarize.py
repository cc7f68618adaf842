#!/usr/bin/env python3
"""Summarises a results.jsonl: strict pass rate, verdict counts, tests/s, and every failed program with its details."""
import collections, json, sys

rows = [json.loads(l) for l in open(sys.argv[1])]
verdicts = collections.Counter(t["verdict"] for r in rows for t in r["tests"])
tests = sum(len(r["tests"]) for r in rows)
strict = sum(r["strict_pass"] for r in rows)
busy = sum(r["seconds"] for r in rows)
cpu = sum(r.get("cpu_seconds", 0) for r in rows)
print(f"CPU seconds of the sandboxes (driver + test processes): {cpu:.1f} = {1000 * cpu / tests:.1f} ms per test")
print(f"programs {len(rows)}, strict pass {strict} ({100 * strict / len(rows):.1f}%), tests {tests}, "
      f"verdicts {dict(verdicts)}, sum of per-program seconds {busy:.1f}")
for r in sorted(rows, key=lambda r: (int(r["problem_id"]), int(r["candidate_id"]))):
    if r["strict_pass"]:
        continue
    bad = [(i, t["verdict"], (t.get("detail") or "")[:160].replace("\n", "\\n")) for i, t in enumerate(r["tests"]) if t["verdict"] != "pass"]
    print(f"  problem {r['problem_id']} solution {r['candidate_id']}: {len(bad)}/{len(r['tests'])} failed; first: {bad[0]}")
