#!/usr/bin/env bash
# Labelling throughput, side by side in one run: `rewardml label` (bubblewrap sandbox, warm workers) against
#  - HumanEval: humaneval_reference.py, our own loop that does per program what the official openai/human-eval harness
#    does (Manager list + fresh multiprocessing.Process, exec of program + test + check(entry_point), 3 s, 2 threads),
#    on ../shared/data/humaneval-codegen16b (10,000 CodeGen-16B programs, or every STRIDE-th of them);
#  - APPS: ../apps-sample-labelling/inprocess_baseline.py (in-process, the APPS harness's way) on the first 3
#    reference solutions of every problem of ../shared/data/apps-sample.jsonl (436 programs, 2641 tests).
# usage: bench/label-throughput/run.sh [STRIDE] [WORKERS]   (defaults: 1 = all 10,000 programs; the CLI's default workers)
# COMPARE_WITH=DIR (a checkout of another commit): its CLI labels the APPS programs right after ours (and the HumanEval
# ones too with COMPARE_HUMANEVAL=1), for a before/after ratio and a verdict-by-verdict comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
stride=${1:-1}
workers=${2:-}
data=$(realpath ../shared/data)
out=artifacts/bench/label-throughput
mkdir -p "$out"
dotnet build src/RewardML.Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll"
compare_cli=""
if [ -n "${COMPARE_WITH:-}" ]; then
  dotnet build "$COMPARE_WITH/src/RewardML.Cli" -c Release -v q -nologo >/dev/null
  compare_cli="dotnet $COMPARE_WITH/src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll"
fi
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, load average $(load), $(bwrap --version), $(/usr/bin/python3 --version); this checkout at $(git rev-parse --short HEAD)"
awk -v s="$stride" '(NR - 1) % s == 0' "$data/humaneval-codegen16b/train.jsonl" > "$out/humaneval-candidates.jsonl"
n=$(wc -l < "$out/humaneval-candidates.jsonl")
worker_flag=${workers:+--workers $workers}

timed() { # timed NAME COMMAND...: runs it, appends "NAME seconds load-at-start" to $out/times.txt
  local name=$1; shift
  local l; l=$(load); local start; start=$(date +%s.%N)
  "$@"
  echo "$name $(echo "$(date +%s.%N) - $start" | bc) $l" >> "$out/times.txt"
}
label_humaneval() { # CLI NAME
  rm -f "$out/$2.jsonl"
  $1 label --problems "$data/humaneval-codegen16b/problems.jsonl" --candidates "$out/humaneval-candidates.jsonl" \
    --out "$out/$2.jsonl" $worker_flag > "$out/$2.log" 2>&1
}
label_apps() { # CLI NAME
  rm -f "$out/$2.jsonl"
  $1 label --problems "$data/apps-sample.jsonl" --reference-solutions 3 --out "$out/$2.jsonl" --details $worker_flag > "$out/$2.log" 2>&1
}
rm -f "$out/times.txt"
if [ -z "${ONLY_APPS:-}" ]; then # ONLY_APPS=1: the APPS part alone
echo "HumanEval: $n programs (every ${stride}th of train.jsonl)"
timed humaneval-reference /usr/bin/python3 bench/label-throughput/humaneval_reference.py "$data/humaneval-codegen16b/problems.jsonl" \
  "$out/humaneval-candidates.jsonl" 2 0 "$out/humaneval-reference.json" > /dev/null
timed humaneval-rewardml label_humaneval "$cli" humaneval-rewardml
if [ -n "$compare_cli" ] && [ -n "${COMPARE_HUMANEVAL:-}" ]; then timed humaneval-compare label_humaneval "$compare_cli" humaneval-compare; fi
fi
echo "APPS sample: 3 reference solutions per problem"
timed apps-inprocess /usr/bin/python3 bench/apps-sample-labelling/inprocess_baseline.py "$data/apps-sample.jsonl" 3 "$out/apps-inprocess.json" > /dev/null
timed apps-rewardml label_apps "$cli" apps-rewardml
if [ -n "$compare_cli" ]; then timed apps-compare label_apps "$compare_cli" apps-compare; fi
echo "load average at the end $(load)"
/usr/bin/python3 bench/label-throughput/summarize.py "$out"
