"""Prints the Markdown summary of bench/demo-folds/run.sh from the eval reports it wrote.
usage: summarize.py OUT FOLDS SEED SECONDS "EXTRA DEMO OPTIONS"
"""
import json
import os
import sys

out, folds, seed, seconds, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]


def report(*path):
    with open(os.path.join(out, *path, "report.json")) as f:
        return json.load(f)


def signed(x):
    return f"{x['value']:+.3f} [{x['lower']:+.3f}, {x['upper']:+.3f}]"


model, ensemble = report("eval-reward-model"), report("eval-ensemble")
m, b = model["scorers"]
e = ensemble["scorers"][0]
settings = [f"best-{s['k']}-of-{s['n']}" for s in m["best_of_n"]]
problems = m["best_of_n"][0]["problems"]

print(f"`demo --seed {seed} --judge 0 {extra}`".replace("  ", " ").replace(" `", "`") +
      f", {folds} folds by problem ({problems} held-out problems, {m['classifier']['rows']} scored programs), {seconds} s in all\n")
print("| scorer | AUC | " + " | ".join(f"{s} (gain over random)" for s in settings) + " |")
print("| --- | --- | " + " | ".join("---" for _ in settings) + " |")
for name, scorer in [("reward model", m), ("ensemble", e), ("n-gram baseline", b)]:
    cells = [f"{x['model']['value']:.3f} ({x['relative_gain_over_random']['value']:+.0%})" for x in scorer["best_of_n"]]
    print(f"| {name} | {scorer['classifier']['auc']:.3f} | " + " | ".join(cells) + " |")
for name in ["random", "oracle"]:
    print(f"| {name} | | " + " | ".join(f"{x[name]['value']:.3f}" for x in m["best_of_n"]) + " |")

print("\n| paired difference over the same programs (95% bootstrap over problems) | " + " | ".join(settings) + " | AUC | verdict |")
print("| --- | " + " | ".join("---" for _ in settings) + " | --- | --- |")
for name, r in [("reward model − n-gram", model), ("ensemble − n-gram", ensemble)]:
    diffs = {d["metric"]: d for d in r["comparison"]["differences"]}
    print(f"| {name} | " + " | ".join(signed(diffs[s]["difference"]) for s in settings) +
          f" | {signed(diffs['AUC']['difference'])} | {r['comparison']['verdict']} |")

print("\n| fold | held-out AUC: reward model / n-gram / ensemble | kept epoch |")
print("| --- | --- | --- |")
aucs = []
for i in range(folds):
    fold, alone = report(f"fold-{i}"), report(f"fold-{i}", "reward-model-alone")
    kept = next((l.split("kept epoch ")[1].split(";")[0] for l in open(os.path.join(out, f"fold-{i}.log")) if "kept epoch" in l), "?")
    aucs.append([alone["scorers"][0]["classifier"]["auc"], fold["scorers"][1]["classifier"]["auc"], fold["scorers"][0]["classifier"]["auc"]])
    print(f"| {i}/{folds} | {' / '.join(f'{a:.3f}' for a in aucs[-1])} | {kept} |")
# The pooled AUC above ranks programs scored by different folds' models together; the mean of the folds' own AUCs does not.
print(f"| mean | {' / '.join(f'{sum(a[j] for a in aucs) / folds:.3f}' for j in range(3))} | |")
