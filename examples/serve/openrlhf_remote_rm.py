"""OpenRLHF with `rewardml serve` as its remote reward model.

Start the server, then point OpenRLHF's PPO/REINFORCE trainer at it:

    rewardml serve --model reward.zip --port 8000            # --reward logit for the raw score
    python -m openrlhf.cli.train_ppo_ray ... --remote_rm_url http://127.0.0.1:8000/get_reward

OpenRLHF posts {"query": [prompt + response, ...], "prompts": [prompt, ...]} (and "labels", which the server ignores)
and reads "rewards". The server scores each response (the query after its prompt) as the program answering that
prompt. This script makes the same call OpenRLHF makes, so the wiring can be checked before a long run:

    python3 openrlhf_remote_rm.py --url http://127.0.0.1:8000
"""
import argparse

from reward_client import RewardClient

PROMPT = "Write a program that reads two integers a and b from one line and prints a + b.\n"
RESPONSES = [
    "a, b = map(int, input().split())\nprint(a + b)\n",
    "a, b = map(int, input().split())\nprint(a - b)\n",
    "print(sum(map(int, input().split())))\n",
]


def remote_rm_fn(url, queries, prompts):
    """What OpenRLHF's remote reward function does: one POST to --remote_rm_url, one reward per query."""
    client = RewardClient(url.rsplit("/get_reward", 1)[0])
    return client.get_reward(queries, prompts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    RewardClient(args.url).wait_until_ready()
    queries = [PROMPT + response for response in RESPONSES]
    rewards = remote_rm_fn(args.url + "/get_reward", queries, [PROMPT] * len(queries))
    for response, reward in zip(RESPONSES, rewards):
        print(f"{reward if reward is not None else 'null':>10}  {response.strip()!r}")


if __name__ == "__main__":
    main()
