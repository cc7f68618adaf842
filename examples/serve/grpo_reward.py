"""A GRPO-style reward function backed by `rewardml serve` (standard library only).

GRPO trainers (TRL's GRPOTrainer, verl, OpenRLHF's group baselines) call a function with a batch of prompts and the
completions sampled for them and expect one float per completion. `reward_fn` posts the whole batch in one request,
so the server scores it in one round with whatever other workers send at the same time:

    from grpo_reward import make_reward_fn
    trainer = GRPOTrainer(model=..., reward_funcs=[make_reward_fn("http://127.0.0.1:8000")], ...)

`process_reward` shows /v1/score's per-step values: the first step whose value drops below a threshold is where a
program most likely goes wrong (its character offset in the code is `step_ends`).

    python3 grpo_reward.py --url http://127.0.0.1:8000
"""
import argparse

from reward_client import RewardClient


def make_reward_fn(url, missing=0.0):
    """A function (prompts, completions, **kwargs) -> list[float]; `missing` for a program with no scored step."""
    client = RewardClient(url)

    def reward_fn(prompts, completions, **kwargs):
        items = [{"prompt": _text(p), "code": _text(c)} for p, c in zip(prompts, completions)]
        return [missing if s["probability"] is None else s["probability"] for s in client.score(items)]

    reward_fn.__name__ = "rewardml_reward"  # TRL logs rewards under the function's name
    return reward_fn


def process_reward(url, prompt, code, threshold=0.5):
    """Per-step values of one program and the offset of the first step below `threshold` (None when none is)."""
    [scored] = RewardClient(url).score([{"prompt": prompt, "code": code}])
    start = 0
    for value, end in zip(scored["step_scores"], scored["step_ends"]):
        if value is not None and value < threshold:
            return scored, start
        start = end
    return scored, None


def _text(value):
    # Conversational datasets give [{"role": ..., "content": ...}]; take the last message's content.
    if isinstance(value, list):
        return value[-1]["content"] if value else ""
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    RewardClient(args.url).wait_until_ready()
    prompt = "Read n and print the sum of 1..n.\n"
    group = ["n = int(input())\nprint(n * (n + 1) // 2)\n", "n = int(input())\nprint(sum(range(n)))\n"]
    print("group rewards:", make_reward_fn(args.url)([prompt] * len(group), group))
    scored, offset = process_reward(args.url, prompt, group[1])
    print("step values:", scored["step_scores"], "step ends:", scored["step_ends"])
    print("first step below 0.5 starts at offset", offset)


if __name__ == "__main__":
    main()
