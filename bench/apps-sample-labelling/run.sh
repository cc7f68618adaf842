#!/usr/bin/env bash
# Labels the first 3 reference solutions of every problem of ../shared/data/apps-sample.jsonl with `rewardml label`
# (bubblewrap sandbox), then runs the same programs in-process (inprocess_baseline.py) in the same run, and prints
# the numbers that bench/results/apps-sample-labelling.md reports.
# usage: bench/apps-sample-labelling/run.sh ["WORKER COUNTS"]   (default: "2")
set -euo pipefail
cd "$(dirname "$0")/../.."
problems=../shared/data/apps-sample.jsonl
out=artifacts/bench/apps-sample-labelling
mkdir -p "$out"
dotnet build src/RewardML.Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(bwrap --version), $(/usr/bin/python3 --version)"
baseline() {
  echo "in-process baseline (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  /usr/bin/python3 bench/apps-sample-labelling/inprocess_baseline.py "$problems" 3 "$out/inprocess-$1.json"
}
# Other work shares the machine: bracket the sandbox runs with baseline runs to see how the load moved.
baseline before
for w in ${1:-2}; do
  rm -f "$out/results-w$w.jsonl"
  echo "sandbox, $w workers (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  start=$(date +%s.%N)
  $cli label --problems "$problems" --reference-solutions 3 --out "$out/results-w$w.jsonl" --details --workers "$w" > "$out/label-w$w.log" 2>&1
  end=$(date +%s.%N)
  echo "  $(echo "$end - $start" | bc) s wall for the whole command (incl. .NET start); its summary:"
  grep -E "strict pass|tests|wall time" "$out/label-w$w.log" | sed 's/^/  /'
  /usr/bin/python3 bench/apps-sample-labelling/summarize.py "$out/results-w$w.jsonl"
done
baseline after
