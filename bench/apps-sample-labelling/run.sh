#!/usr/bin/env bash
# Labels the first 3 reference solutions of every problem of ../shared/data/apps-sample.jsonl with `rewardml label`
# (bubblewrap sandbox), then runs the same programs in-process (inprocess_baseline.py) in the same run, and prints
# the numbers that bench/results/apps-sample-labelling.md reports.
# usage: bench/apps-sample-labelling/run.sh [WORKERS...]   (default: 2 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
problems=../shared/data/apps-sample.jsonl
out=artifacts/bench/apps-sample-labelling
mkdir -p "$out"
dotnet build src/RewardML.Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(bwrap --version), $(/usr/bin/python3 --version)"
for workers in "${@:-2 1}"; do
  for w in $workers; do
    rm -f "$out/results-w$w.jsonl"
    start=$(date +%s.%N)
    $cli label --problems "$problems" --reference-solutions 3 --out "$out/results-w$w.jsonl" --details --workers "$w" > "$out/label-w$w.log" 2>&1
    end=$(date +%s.%N)
    echo "sandbox, $w workers: $(echo "$end - $start" | bc) s wall for the whole command (incl. .NET start)"
    /usr/bin/python3 bench/apps-sample-labelling/summarize.py "$out/results-w$w.jsonl"
  done
done
echo "load average before the in-process baseline: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 bench/apps-sample-labelling/inprocess_baseline.py "$problems" 3 "$out/inprocess.json"
