#!/bin/bash
# Side by side, ABBA, two builds of the CLI: A (e.g. main's) and B (this branch's), each labelling the APPS sample's
# reference solutions (436 programs) and 200 HumanEval programs (candidates 0-9 of the first 20 problems), with 2
# workers and --details (so every result has cpu_seconds). Then prints wall time, CPU per program and verdict
# differences. Usage: bench/label-semantics/run.sh A_CLI_DIR B_CLI_DIR OUT_DIR   (CLI dirs: dotnet build -o output)
set -euo pipefail
A=$1; B=$2; OUT=$3; mkdir -p "$OUT"
SHARED=$(cd "$(dirname "$0")/../../../shared/data" && pwd)
python3 - "$SHARED" "$OUT/he200.jsonl" <<'PY'
import json, sys
shared, out = sys.argv[1], sys.argv[2]
first = [json.loads(l)['task_id'] for l in open(f'{shared}/humaneval-codegen16b/problems.jsonl')][:20]
with open(out, 'w') as f:
    for line in open(f'{shared}/humaneval-codegen16b/train.jsonl'):
        o = json.loads(line)
        if o['problem_id'] in first and int(o['candidate_id']) < 10: f.write(line)
PY
run() { # label dir kind round
  local out="$OUT/$1-$3-$4.jsonl"; rm -f "$out"
  if [ "$3" = apps ]; then args=(--problems "$SHARED/apps-sample.jsonl" --reference-solutions 3)
  else args=(--problems "$SHARED/humaneval-codegen16b/problems.jsonl" --candidates "$OUT/he200.jsonl"); fi
  local l0 s e; l0=$(cut -d' ' -f1 /proc/loadavg); s=$(date +%s.%N)
  "$2/RewardML.Cli" label "${args[@]}" --out "$out" --workers 2 --details > "$out.log" 2>&1
  e=$(date +%s.%N); echo "$1 $3 round $4: wall $(echo "$e - $s" | bc) s, load $l0 -> $(cut -d' ' -f1 /proc/loadavg)"
}
for kind in apps he; do run A "$A" $kind 1; run B "$B" $kind 1; run B "$B" $kind 2; run A "$A" $kind 2; done
python3 - "$OUT" <<'PY'
import glob, json, sys
out = sys.argv[1]
def load(p): return {(str(o['problem_id']), str(o['candidate_id'])): o for o in map(json.loads, open(p))}
for kind in ('apps', 'he'):
    runs = {(b, r): load(f'{out}/{b}-{kind}-{r}.jsonl') for b in 'AB' for r in (1, 2)}
    for b in 'AB':
        rows = [o for r in (1, 2) for o in runs[(b, r)].values()]
        print(kind, b, f"CPU {1000 * sum(o['cpu_seconds'] for o in rows) / len(rows):.1f} ms/program, strict passes {sum(o['strict_pass'] for o in runs[(b, 1)].values())}")
    a, b = runs[('A', 1)], runs[('B', 1)]
    print(kind, 'programs whose verdicts differ between A and B (round 1):', sum([t['verdict'] for t in a[k]['tests']] != [t['verdict'] for t in b[k]['tests']] for k in a))
PY
