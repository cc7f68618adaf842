#!/usr/bin/env bash
# Training speed, side by side in one command: `rewardml train --backbone tiny` (embedding trained; the touched-rows
# update, and dense AdamW, the default) against a plain PyTorch 1.13 loop (plain_loop.py) on the same rows and batch budget:
# the 10,000 shared CodeGen-16B HumanEval programs, max length 384, 4096 padded tokens per batch, 60 timed steps after
# 5 warm-up steps. Real (unpadded) tokens per second of the timed steps, from each run's own per-step timings.
# usage: bench/trainer-vs-pytorch/run.sh [threads=2] [rounds=2]    needs: apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${DATA:-$root/../shared/data/humaneval-codegen16b/train.jsonl}
threads=${1:-2}
rounds=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$root/src/RewardML.Cli" >/dev/null
cli=(dotnet "$root/src/RewardML.Cli/bin/Release/net10.0/RewardML.Cli.dll")
"${cli[@]}" export-dataset --data "$data" --out "$work/export" --max-length 384 >/dev/null

ours() { # tokens/s of steps 6..65 from the trainer's step log
  "${cli[@]}" train --data "$data" --backbone tiny --max-length 384 --max-tokens-per-batch 4096 --max-steps 65 --epochs 1 \
    --device cpu --threads "$threads" --embedding-update "$1" --out "$work/$1.zip" >/dev/null
  /usr/bin/python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][5:]; t=sum(x["tokens"] for x in r); s=sum(x["seconds"] for x in r); print(f"{t/s:.0f}")' "$work/$1.zip.log.jsonl"
  rm -rf "$work/$1.zip"*
}

echo "| round | load (1/5/15 min) | ours, touched rows: tokens/s | ours, dense AdamW: tokens/s | plain PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'): tokens/s | touched rows ÷ PyTorch | dense ÷ PyTorch |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq "$rounds"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  touched=$(ours TouchedRows)
  dense=$(ours Dense)
  plain=$(/usr/bin/python3 "$here/plain_loop.py" --data "$work/export/data.jsonl" --threads "$threads" | /usr/bin/python3 -c 'import json,sys; print(round(json.load(sys.stdin)["tokens_per_second"]))')
  echo "| $round | $load | $touched | $dense | $plain | $(/usr/bin/python3 -c "print(f'{$touched/$plain:.2f}×')") | $(/usr/bin/python3 -c "print(f'{$dense/$plain:.2f}×')") |"
done
