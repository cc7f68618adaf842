"""A plain PyTorch (1.13, Debian's python3-torch) training loop of the same tiny Phi-3 value model as `rewardml train
--backbone tiny`, on the rows `rewardml export-dataset` wrote: the reference the trainer's speed is measured against.

Same architecture and sizes (embedding, RMSNorm, fused qkv with grouped-query attention, RoPE, gated SiLU MLP, final
norm, value head), float32, every parameter trainable, torch.optim.AdamW (lr 1e-4, β 0.9/0.999, ε 1e-8, no decay),
clip_grad_norm_ 1.0, the weighted BCE at every step end (each row's steps averaged, rows averaged). Batches: rows cut
after their last step end, shuffled, sorted by length within windows and packed up to --max-tokens padded tokens, as
the trainer plans them. Attention is written out (1.13 has no scaled_dot_product_attention). Prints one JSON line.
"""
import argparse
import json
import math
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RmsNorm(nn.Module):
    def __init__(self, hidden, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Layer(nn.Module):
    def __init__(self, hidden, intermediate, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.input_layernorm = RmsNorm(hidden)
        self.qkv_proj = nn.Linear(hidden, (heads + 2 * kv_heads) * self.head_dim, bias=False)
        self.o_proj = nn.Linear(hidden, hidden, bias=False)
        self.post_attention_layernorm = RmsNorm(hidden)
        self.gate_up_proj = nn.Linear(hidden, 2 * intermediate, bias=False)
        self.down_proj = nn.Linear(intermediate, hidden, bias=False)

    def forward(self, x, cos, sin, bias):
        b, s, _ = x.shape
        d = self.head_dim
        qkv = self.qkv_proj(self.input_layernorm(x))
        q, k, v = qkv.split([self.heads * d, self.kv_heads * d, self.kv_heads * d], dim=-1)
        q = q.view(b, s, self.heads, d).transpose(1, 2)
        k = k.view(b, s, self.kv_heads, d).transpose(1, 2)
        v = v.view(b, s, self.kv_heads, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, -1)
        x = x + self.o_proj(attended)
        gate, up = self.gate_up_proj(self.post_attention_layernorm(x)).chunk(2, dim=-1)
        return x + self.down_proj(up * F.silu(gate))


class ValueModel(nn.Module):
    def __init__(self, vocab, hidden, layers, intermediate, heads, kv_heads):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden)
        self.layers = nn.ModuleList([Layer(hidden, intermediate, heads, kv_heads) for _ in range(layers)])
        self.norm = RmsNorm(hidden)
        self.value_head = nn.Linear(hidden, 1)
        self.head_dim = hidden // heads
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, ids, mask):
        b, s = ids.shape
        inv = 1.0 / (10000 ** (torch.arange(0, self.head_dim, 2).float() / self.head_dim))
        freqs = torch.outer(torch.arange(s).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        causal = torch.ones(s, s, dtype=torch.bool).tril()
        allowed = causal[None, None] & mask[:, None, None, :].bool()
        bias = torch.zeros(b, 1, s, s).masked_fill(~allowed, float("-inf"))
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, bias)
        return self.value_head(self.norm(x)).squeeze(-1)


def plan(lengths, max_tokens, seed):
    order = list(range(len(lengths)))
    random.Random(seed).shuffle(order)
    batches = []
    window = 32 * max(1, max_tokens // max(1, int(sum(lengths) / len(lengths))))
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batch, longest = [], 0
        for i in chunk:
            if batch and max(longest, lengths[i]) * (len(batch) + 1) > max_tokens:
                batches.append(batch)
                batch, longest = [], 0
            batch.append(i)
            longest = max(longest, lengths[i])
        if batch:
            batches.append(batch)
    random.Random(seed + 1).shuffle(batches)
    return batches


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--vocab", type=int, default=100352)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=4096)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rows = []
    with open(a.data) as f:
        for line in f:
            r = json.loads(line)
            ends = [e for e in r["step_token_ends"] if e >= 0]
            if ends:
                rows.append((r["input_ids"][: ends[-1] + 1], ends, float(r["labels"])))
    model = ValueModel(a.vocab, a.hidden, a.layers, a.intermediate, a.heads, a.kv_heads)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    batches = plan([len(r[0]) for r in rows], a.max_tokens, a.seed)
    timed_tokens, timed_seconds = 0, 0.0
    for step, batch in enumerate(batches[: a.warmup + a.steps]):
        started = time.perf_counter()
        longest = max(len(rows[i][0]) for i in batch)
        ids = torch.zeros(len(batch), longest, dtype=torch.long)
        mask = torch.zeros(len(batch), longest, dtype=torch.long)
        flat, targets, factors = [], [], []
        for b, i in enumerate(batch):
            tokens, ends, label = rows[i]
            ids[b, : len(tokens)] = torch.tensor(tokens)
            mask[b, : len(tokens)] = 1
            for e in ends:
                flat.append(b * longest + e)
                targets.append(label)
                factors.append(1.0 / len(ends) / len(batch))
        optimizer.zero_grad(set_to_none=True)
        z = model(ids, mask).reshape(-1)[torch.tensor(flat)]
        loss = (F.binary_cross_entropy_with_logits(z, torch.tensor(targets), reduction="none") * torch.tensor(factors)).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        seconds = time.perf_counter() - started
        if step >= a.warmup:
            timed_tokens += int(mask.sum())
            timed_seconds += seconds
    print(json.dumps({"torch": torch.__version__, "threads": a.threads, "steps": a.steps, "tokens": timed_tokens,
                      "seconds": round(timed_seconds, 3), "tokens_per_second": round(timed_tokens / timed_seconds, 1)}))


if __name__ == "__main__":
    main()
