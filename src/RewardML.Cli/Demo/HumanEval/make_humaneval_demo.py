"""Builds the demo's embedded HumanEval data from the project's shared copy (run once; not at demo time).

    python3 make_humaneval_demo.py ../../../../../shared/data/humaneval-codegen16b

samples.jsonl.gz: the 10,000 CodeGen-Mono-16B programs of train.jsonl with only what the demo needs --
problem_id, candidate_id, completion, label (the official harness's verdict) and harness_result; `prompt` and
`code` (= prompt + completion) are rebuilt from problems.jsonl.gz at load time, so they are not stored twice.
problems.jsonl.gz: problems.jsonl unchanged. Both gzip -9 with a zero mtime, so the bytes are reproducible.
"""
import gzip
import json
import sys
from pathlib import Path

source = Path(sys.argv[1])
problems = {json.loads(l)["task_id"]: json.loads(l) for l in (source / "problems.jsonl").open()}
rows = []
for line in (source / "train.jsonl").open():
    r = json.loads(line)
    assert r["code"] == problems[r["problem_id"]]["prompt"] + r["completion"], r["problem_id"]
    rows.append(json.dumps({k: r[k] for k in ("problem_id", "candidate_id", "completion", "label", "harness_result")}))


def write(name, text):
    with open(name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
        f.write(text.encode("utf-8"))


write("samples.jsonl.gz", "\n".join(rows) + "\n")
write("problems.jsonl.gz", (source / "problems.jsonl").read_text(encoding="utf-8"))
