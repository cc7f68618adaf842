#!/usr/bin/env python3
"""Train a value head on a dataset exported by `rewardml export-dataset`, with RewardHead's loss (docs/training.md).

The model is transformers' AutoModelForCausalLM (a Phi-3/Phi-4 checkpoint, or a folder written by `rewardml export-model`)
plus a linear value head `v_head.summary` = Linear(hidden, 1) on the decoder's final hidden states: the key layout of
TRL's AutoModelForCausalLMWithValueHead. The result is saved as a folder `rewardml import-model` reads:

    rewardml export-dataset --data rollouts.jsonl --problems apps.jsonl --tokenizer phi4-mini --out ds/
    accelerate launch examples/trl/train_value_head.py --model /models/phi-4-mini --data ds/ --out trained/
    rewardml import-model trained/ --out reward.zip

Loss, per optimizer step over its rows B (gradient accumulation included):

    L = sum_i w_i * mean_{p in P_i} BCEWithLogits(z_i[p], t_ip) / sum_i w_i

with P_i the row's step_token_ends entries >= 0, t_ip its step_targets entry (when the dataset has them) else its label,
and w_i = weight x the per-problem class-balancing factor (n / 2p for passing and n / 2f for failing programs of a
problem with p passing and f failing of n; 1 when all pass or all fail), as RewardHead's BalanceClasses (default on).

Not run in CI (it needs torch and transformers); `python3 -m py_compile` checks its syntax.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
from collections import defaultdict


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="Hugging Face Phi-3/Phi-4 folder (or an export-model folder: its v_head is loaded too).")
    p.add_argument("--data", required=True, help="Folder written by `rewardml export-dataset` (data.jsonl, dataset_info.json).")
    p.add_argument("--out", required=True, help="Output folder for `rewardml import-model`.")
    p.add_argument("--validation-data", help="Another export-dataset folder: loss reported after each epoch. Default none.")
    p.add_argument("--learning-rate", type=float, default=1e-4, help="Peak AdamW learning rate. Default 1e-4 (RewardHead's).")
    p.add_argument("--epochs", type=int, default=2, help="Passes over the data. Default 2.")
    p.add_argument("--batch-size", type=int, default=4, help="Rows per micro-batch. Default 4.")
    p.add_argument("--gradient-accumulation-steps", type=int, default=1, help="Micro-batches per optimizer step. Default 1.")
    p.add_argument("--warmup-steps", type=int, default=0, help="Linear warmup steps, then linear decay to 0. Default 0.")
    p.add_argument("--weight-decay", type=float, default=0.0, help="AdamW decay on 2-D weights only. Default 0.")
    p.add_argument("--max-gradient-norm", type=float, default=1.0, help="Global gradient-norm clip; 0 = off. Default 1.")
    p.add_argument("--trainable-layers", type=int, default=12, help="Decoder layers trained from the top (+ final norm, value head). Default 12.")
    p.add_argument("--balance-classes", type=lambda s: s.lower() in ("1", "true", "yes"), default=True, help="Per-problem class balancing. Default true.")
    p.add_argument("--no-shuffle", action="store_true", help="Take rows in file order (RewardHead's Shuffle = false with BatchSize = N gives the same batches).")
    p.add_argument("--seed", type=int, default=0, help="Seed of value-head initialisation and shuffling. Default 0.")
    p.add_argument("--bf16", action="store_true", help="Decoder in bfloat16 (value head, loss and optimizer state stay float32).")
    p.add_argument("--gradient-checkpointing", action="store_true", help="Recompute activations in the backward pass.")
    p.add_argument("--logging-steps", type=int, default=10, help="Optimizer steps between log lines. Default 10.")
    return p.parse_args()


def read_rows(folder: str) -> tuple[list[dict], dict]:
    with open(os.path.join(folder, "dataset_info.json"), encoding="utf-8") as f:
        info = json.load(f)
    if info.get("format") != "rewardml.reward-dataset":
        raise SystemExit(f"{folder}: not a `rewardml export-dataset` folder (format {info.get('format')!r}).")
    with open(os.path.join(folder, info.get("data_file", "data.jsonl")), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return rows, info


def balance_factors(rows: list[dict], enabled: bool) -> list[float]:
    """RewardHead's per-problem class balancing (docs/training.md): both classes of a problem carry n/2."""
    if not enabled:
        return [1.0] * len(rows)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r.get("problem_id", "")].append(i)
    factors = [1.0] * len(rows)
    for members in groups.values():
        n = len(members)
        passing = sum(1 for i in members if rows[i]["labels"] == 1)
        failing = n - passing
        if passing == 0 or failing == 0:
            continue
        for i in members:
            factors[i] = n / (2 * passing) if rows[i]["labels"] == 1 else n / (2 * failing)
    return factors


def positions_and_targets(row: dict) -> tuple[list[int], list[float]]:
    """P_i and t_ip: every step_token_ends entry >= 0, with its step target or the row's label."""
    targets = row.get("step_targets")
    pos, tgt = [], []
    for step, end in enumerate(row["step_token_ends"]):
        if end < 0:
            continue
        pos.append(end)
        tgt.append(float(targets[step]) if targets is not None else float(row["labels"]))
    return pos, tgt


def main() -> None:
    args = parse_args()
    import torch
    import torch.nn.functional as F
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    try:
        from accelerate import Accelerator
        accelerator = Accelerator(gradient_accumulation_steps=1)  # accumulation is done by hand to keep RewardHead's normalisation
    except ImportError:
        accelerator = None
    device = accelerator.device if accelerator else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    is_main = accelerator.is_main_process if accelerator else True

    rows, info = read_rows(args.data)
    # As RewardHead: balancing factors over all rows, then rows without a position (they carry no loss) are left out.
    factors = balance_factors(rows, args.balance_classes)
    kept = [i for i, r in enumerate(rows) if positions_and_targets(r)[0]]
    if not kept:
        raise SystemExit(f"{args.data}: no row has a step inside the window.")
    if is_main and len(kept) < len(rows):
        print(f"{len(rows) - len(kept)} row(s) have no step inside the window and are left out", flush=True)
    weights = [float(rows[i].get("weight", 1.0)) * factors[i] for i in kept]
    rows = [rows[i] for i in kept]

    torch.manual_seed(args.seed)
    dtype = torch.bfloat16 if args.bf16 else torch.float32
    base = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=dtype)
    if args.gradient_checkpointing:
        base.gradient_checkpointing_enable()

    class ValueHead(torch.nn.Module):
        """TRL's ValueHead without its dropout: `summary` = Linear(hidden, 1), float32."""

        def __init__(self, hidden: int) -> None:
            super().__init__()
            self.summary = torch.nn.Linear(hidden, 1)

    class WithValueHead(torch.nn.Module):
        """The decoder and the value head in one module (one DDP wrapper); keys as TRL's AutoModelForCausalLMWithValueHead."""

        def __init__(self, pretrained_model: torch.nn.Module) -> None:
            super().__init__()
            self.pretrained_model = pretrained_model
            self.v_head = ValueHead(pretrained_model.config.hidden_size)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            # The decoder stack only (no LM head): its last_hidden_state is after the final norm, as RewardHead's.
            last = self.pretrained_model.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.v_head.summary(last.float()).squeeze(-1)  # value logits [batch, seq]

    net = WithValueHead(base)
    hidden = base.config.hidden_size
    generator = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        net.v_head.summary.weight.copy_(torch.randn(1, hidden, generator=generator) * getattr(base.config, "initializer_range", 0.02))
        net.v_head.summary.bias.zero_()
    # An export-model folder already holds a trained value head: continue from it.
    for name in sorted(os.listdir(args.model)):
        if name.endswith(".safetensors"):
            state = load_file(os.path.join(args.model, name))
            if "v_head.summary.weight" in state:
                with torch.no_grad():
                    net.v_head.summary.weight.copy_(state["v_head.summary.weight"].float())
                    net.v_head.summary.bias.copy_(state["v_head.summary.bias"].float())

    # What trains: the last N decoder layers, the final norm (when any layer trains) and the value head.
    for p in base.parameters():
        p.requires_grad_(False)
    layers = base.model.layers
    n = min(args.trainable_layers, len(layers))
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    if n > 0:
        for p in base.model.norm.parameters():
            p.requires_grad_(True)

    decay, no_decay = [], []
    for p in net.parameters():
        if p.requires_grad:
            (decay if p.dim() == 2 else no_decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.learning_rate, betas=(0.9, 0.999), eps=1e-8)
    processes = accelerator.num_processes if accelerator else 1
    micro_per_epoch = math.ceil(len(rows) / args.batch_size)
    total_steps = max(1, math.ceil(micro_per_epoch / (args.gradient_accumulation_steps * processes)) * args.epochs)

    def lr_lambda(step: int) -> float:  # transformers' get_linear_schedule_with_warmup
        if step < args.warmup_steps:
            return step / max(1, args.warmup_steps)
        return max(0.0, (total_steps - step) / max(1, total_steps - args.warmup_steps))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    net.to(device)
    model = accelerator.prepare(net) if accelerator else net

    def batch_loss_terms(batch: list[int], data: list[dict], w: list[float]) -> torch.Tensor:
        """Sum over the micro-batch of w_i * mean_p BCEWithLogits(z_i[p], t_ip) (not yet divided by sum w)."""
        length = max(max(positions_and_targets(data[i])[0]) + 1 for i in batch)  # a causal model needs nothing after the last position
        ids = torch.zeros(len(batch), length, dtype=torch.long)
        mask = torch.zeros(len(batch), length, dtype=torch.long)
        for b, i in enumerate(batch):
            row = data[i]["input_ids"][:length]
            ids[b, :len(row)] = torch.tensor(row)
            mask[b, :len(row)] = 1
        z = model(ids.to(device), mask.to(device))  # value logits [batch, seq], float32
        total = z.new_zeros(())
        for b, i in enumerate(batch):
            pos, tgt = positions_and_targets(data[i])
            per_position = F.binary_cross_entropy_with_logits(z[b, pos], torch.tensor(tgt, device=z.device), reduction="none")
            total = total + w[i] * per_position.mean()
        return total

    order = list(range(len(rows)))
    rng = random.Random(args.seed)
    step = 0
    for epoch in range(args.epochs):
        if not args.no_shuffle:
            rng.shuffle(order)
        micro = [order[k:k + args.batch_size] for k in range(0, len(order), args.batch_size)]
        # Each process takes every `processes`-th micro-batch; the weight sum of a step is over all processes' rows.
        # Keep the number of micro-batches a multiple of processes x accumulation steps, or the last step differs per process.
        micro_local = micro[(accelerator.process_index if accelerator else 0)::processes]
        model.train()
        for k in range(0, len(micro_local), args.gradient_accumulation_steps):
            group = micro_local[k:k + args.gradient_accumulation_steps]
            group_global = micro[k * processes:(k + args.gradient_accumulation_steps) * processes]
            weight_sum = sum(weights[i] for mb in group_global for i in mb)
            optimizer.zero_grad(set_to_none=True)
            loss_value = 0.0
            for mb in group:
                # Each micro-batch's part is divided by the whole step's sum of weights: accumulated gradients equal one large batch's.
                loss = batch_loss_terms(mb, rows, weights) / weight_sum
                if accelerator:
                    accelerator.backward(loss * processes)  # DDP averages gradients over processes; the loss is already global
                else:
                    loss.backward()
                loss_value += loss.item()
            params = [p for p in model.parameters() if p.requires_grad]
            norm = torch.nn.utils.clip_grad_norm_(params, args.max_gradient_norm) if args.max_gradient_norm > 0 else None
            optimizer.step()
            scheduler.step()
            step += 1
            if is_main and (step % args.logging_steps == 0 or step == 1):
                print(json.dumps({"step": step, "epoch": epoch + 1, "loss": loss_value, "learning_rate": scheduler.get_last_lr()[0],
                                  "grad_norm": None if norm is None else float(norm)}), flush=True)

        if args.validation_data:
            val_rows, _ = read_rows(args.validation_data)
            val_factors = balance_factors(val_rows, args.balance_classes)
            val_kept = [i for i, r in enumerate(val_rows) if positions_and_targets(r)[0]]
            val_w = [float(val_rows[i].get("weight", 1.0)) * val_factors[i] for i in val_kept]
            val_rows = [val_rows[i] for i in val_kept]
            model.eval()
            with torch.no_grad():
                total = sum(batch_loss_terms(list(range(k, min(k + args.batch_size, len(val_rows)))), val_rows, val_w).item()
                            for k in range(0, len(val_rows), args.batch_size))
            if is_main:
                print(json.dumps({"epoch": epoch + 1, "validation_loss": total / max(1e-12, sum(val_w))}), flush=True)

    if accelerator:
        accelerator.wait_for_everyone()
    if not is_main:
        return
    net = accelerator.unwrap_model(model) if accelerator else model
    os.makedirs(args.out, exist_ok=True)
    # As TRL's save_pretrained: the decoder's state dict plus v_head.summary.* in the same safetensors file(s).
    state_dict = net.pretrained_model.state_dict()
    for key, value in net.v_head.state_dict().items():
        state_dict[f"v_head.{key}"] = value.float()
    net.pretrained_model.save_pretrained(args.out, state_dict=state_dict, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "rewardml.json"):
        source = os.path.join(args.model, name)
        if os.path.exists(source):
            shutil.copy(source, os.path.join(args.out, name))
    with open(os.path.join(args.out, "training_info.json"), "w", encoding="utf-8") as f:
        json.dump({"dataset": info, "steps": step, "args": vars(args)}, f, indent=2)
    print(f"saved {args.out}; next: rewardml import-model {args.out} --out reward.zip"
          + ("" if os.path.exists(os.path.join(args.out, "rewardml.json")) else
             f" --tokenizer {info.get('tokenizer_spec', 'phi4')} --max-length {info.get('max_length')} --template {info.get('prompt_template')!r} --steps {info.get('step_strategy')}"))


if __name__ == "__main__":
    main()
