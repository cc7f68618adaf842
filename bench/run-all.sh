#!/usr/bin/env bash
# Runs every benchmark of the project and writes their output as one Markdown file (default
# bench/results/latest-run.md). The curated write-ups with goals and analysis are beside it: phi-model.md,
# reward-head.md, tokenization-throughput.md, apps-sample-labelling.md, label-throughput.md.
# usage: bench/run-all.sh [--full] [--out FILE] [--threads N]
#   --full  also the 3.8B Phi-4-mini-shaped load/forward run (writes a ~7.7 GB checkpoint to /tmp; needs ≥ 20 GB RAM)
set -uo pipefail
cd "$(dirname "$0")/.."
full=0; out=bench/results/latest-run.md; threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --out) out="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
  shift
done
shared=../shared
dotnet build bench/RewardML.Bench -c Release -v q -nologo >/dev/null || { echo "build of bench/RewardML.Bench failed"; exit 1; }
dotnet build bench/TokenizationThroughput -c Release -v q -nologo >/dev/null || { echo "build of bench/TokenizationThroughput failed"; exit 1; }
dotnet build bench/ServeThroughput -c Release -v q -nologo >/dev/null || { echo "build of bench/ServeThroughput failed"; exit 1; }
bench="dotnet bench/RewardML.Bench/bin/Release/net10.0/RewardML.Bench.dll"
status=0

section() { # title, command...
  local title="$1"; shift
  echo "## $title"; echo
  echo '```'; echo "\$ $*"; echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$@" 2>&1 || { echo "(exit code $?)"; status=1; }
  echo '```'; echo
}

{
  echo "# Benchmark run, $(date -u +%Y-%m-%dT%H:%MZ)"; echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -m); commit $(git rev-parse --short HEAD); libtorch threads $threads."
  echo "Wall-clock numbers depend on what else runs: compare the ratios measured within one run."; echo
  section "Phi decoder: forward and forward+backward vs matmul" $bench throughput --threads "$threads"
  section "Reward head: one pass per program vs one pass per step prefix" $bench step-scoring --threads "$threads"
  section "Reward head: Fit vs the bare training loop" $bench trainer-overhead --threads "$threads"
  if [ -f "$shared/data/apps-sample.jsonl" ]; then
    section "Tokenization throughput (APPS sample)" dotnet bench/TokenizationThroughput/bin/Release/net10.0/TokenizationThroughput.dll "$shared/data/apps-sample.jsonl"
    if command -v bwrap >/dev/null; then
      section "Sandbox labelling of the APPS sample vs the in-process baseline" bash bench/apps-sample-labelling/run.sh
      section "Labelling throughput vs a human-eval-style reference (every 10th HumanEval program) and in-process APPS" bash bench/label-throughput/run.sh 10
    else
      echo "## Sandbox labelling"; echo; echo "skipped: bubblewrap is not installed"; echo
    fi
  else
    echo "## Tokenization and labelling"; echo; echo "skipped: $shared/data/apps-sample.jsonl is absent"; echo
  fi
  if [ -f "$shared/data/humaneval-codegen16b/train.jsonl" ]; then
    section "rewardml serve: concurrent clients vs one request at a time (loopback)" dotnet bench/ServeThroughput/bin/Release/net10.0/ServeThroughput.dll --data "$shared/data/humaneval-codegen16b/train.jsonl" --threads "$threads"
  else
    echo "## rewardml serve"; echo; echo "skipped: $shared/data/humaneval-codegen16b/train.jsonl is absent"; echo
  fi
  if [ "$full" = 1 ]; then
    ckpt=/tmp/rewardml-phi4mini-bench
    section "Phi-4-mini shape: write a random checkpoint" $bench write-checkpoint --out "$ckpt"
    section "Phi-4-mini shape: load, peak RSS, forward (bfloat16)" /usr/bin/time -v $bench load-forward --checkpoint "$ckpt" --dtype bfloat16 --tokens 512
    rm -rf "$ckpt"
  fi
} | tee "$out"
echo "written: $out"
exit $status
