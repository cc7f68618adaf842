#!/usr/bin/env bash
# The demo cross-validated by problem: `rewardml demo --fold I/K` for I = 0 … K−1 (every HumanEval problem held out
# exactly once), the folds' held-out-scores.jsonl concatenated, and `rewardml eval` on all of them: the reward model
# alone and the ensemble, each against the n-gram baseline, paired on the same programs, with bootstrap intervals
# over all 100 problems instead of one fold's 20. Official labels (--judge 0: the sandbox agreed with every one it
# judged, docs/demo.md), so the folds differ only in the split.
# usage: bench/demo-folds/run.sh [K=5] [seed=0] [-- extra demo options, e.g. --backbone tiny:hidden=128,layers=4,heads=4,kv-heads=2]
# Writes the folds and the evaluations to $OUT (default a temporary folder) and prints a Markdown summary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
folds=5; seed=0
[ $# -gt 0 ] && [ "$1" != "--" ] && { folds=$1; shift; }
[ $# -gt 0 ] && [ "$1" != "--" ] && { seed=$1; shift; }
[ $# -gt 0 ] && [ "$1" == "--" ] && shift
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
dotnet build -c Release "$root/src/RewardML.Cli" >/dev/null
cli=(dotnet "$root/src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll")

start=$(date +%s)
: > "$out/held-out-scores.jsonl"
for i in $(seq 0 $((folds - 1))); do
  "${cli[@]}" demo --fold "$i/$folds" --seed "$seed" --judge 0 --out "$out/fold-$i" "$@" > "$out/fold-$i.log" 2>&1 \
    || { echo "fold $i/$folds failed: see $out/fold-$i.log"; tail -5 "$out/fold-$i.log"; exit 1; }
  cat "$out/fold-$i/held-out-scores.jsonl" >> "$out/held-out-scores.jsonl"
done
seconds=$(( $(date +%s) - start ))

evaluate() { # name, score column, probability column
  "${cli[@]}" eval --scored "$out/held-out-scores.jsonl" --score-column "$2" --probability-column "$3" --baseline BaselineProbability \
    --seed "$seed" --report-dir "$out/eval-$1" > "$out/eval-$1.txt" 2>&1
}
evaluate reward-model RewardModelScore RewardModelProbability
evaluate ensemble Score Probability

/usr/bin/python3 "$here/summarize.py" "$out" "$folds" "$seed" "$seconds" "$*"
