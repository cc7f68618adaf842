#!/usr/bin/env bash
# Labels the first 3 reference solutions of every problem of ../shared/data/apps-sample.jsonl with `rewardml label`
# (bubblewrap sandbox), then runs the same programs in-process (inprocess_baseline.py) in the same run, and prints
# the numbers that bench/results/apps-sample-labelling.md reports.
# usage: bench/apps-sample-labelling/run.sh ["WORKER COUNTS"]   (default: "2")
# COMPARE_WITH=DIR (a checkout of another commit, e.g. a `git worktree add --detach DIR main`): its CLI is built too
# and labels the same programs right after ours, for every worker count, so that two versions are measured under the
# same load. Its results go to results-w$w-compare.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
problems=../shared/data/apps-sample.jsonl
out=artifacts/bench/apps-sample-labelling
mkdir -p "$out"
dotnet build src/RewardML.Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll"
compare_cli=""
if [ -n "${COMPARE_WITH:-}" ]; then
  dotnet build "$COMPARE_WITH/src/RewardML.Cli" -c Release -v q -nologo >/dev/null
  compare_cli="dotnet $COMPARE_WITH/src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll"
  echo "comparing with $COMPARE_WITH at $(git -C "$COMPARE_WITH" rev-parse --short HEAD); this checkout at $(git rev-parse --short HEAD)"
fi
problems=$(realpath "$problems")
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(bwrap --version), $(/usr/bin/python3 --version)"
baseline() {
  echo "in-process baseline (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  /usr/bin/python3 bench/apps-sample-labelling/inprocess_baseline.py "$problems" 3 "$out/inprocess-$1.json"
}
label() { # label NAME CLI WORKERS
  rm -f "$out/results-$1.jsonl"
  echo "sandbox $1 ($3 workers, load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  start=$(date +%s.%N)
  $2 label --problems "$problems" --reference-solutions 3 --out "$out/results-$1.jsonl" --details --workers "$3" > "$out/label-$1.log" 2>&1
  end=$(date +%s.%N)
  echo "  $(echo "$end - $start" | bc) s wall for the whole command (incl. .NET start); its summary:"
  grep -E "strict pass|tests|wall time" "$out/label-$1.log" | sed 's/^/  /'
  /usr/bin/python3 bench/apps-sample-labelling/summarize.py "$out/results-$1.jsonl"
}
# Other work shares the machine: bracket the sandbox runs with baseline runs to see how the load moved.
baseline before
for w in ${1:-2}; do
  label "w$w" "$cli" "$w"
  if [ -n "$compare_cli" ]; then label "w$w-compare" "$compare_cli" "$w"; fi
done
baseline after
