"""The pipelines through `yoso serve`: every text-classification, token-classification,
question-answering and multiple-choice fixture case (tests/data/tasks, made by the real Hugging
Face pipelines) POSTed to its route equals the pipeline's answer within 1e-5; a list of inputs
answers a list in order; /predict is the model's own pipeline byte for byte. (/feature-extraction
is the pooled TEI-style route, checked in test_serve_api.py.)"""
import json
import os
from collections import defaultdict

from serve_util import DATA, Server, check, close

TASKS = ["text-classification", "token-classification", "question-answering", "multiple-choice"]
TOKENIZER = os.path.join(DATA, "tasks", "tokenizer")

by_model = defaultdict(list)  # model folder -> [(task, case)]
for task in TASKS:
    with open(os.path.join(DATA, "tasks", task + ".jsonl"), encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            by_model[c["model"]].append((task, c))

checked = 0
for model, cases in by_model.items():
    s = Server("--tokenizer", TOKENIZER, model=os.path.join(DATA, "tasks", model))
    try:
        _, _, body = s.request("GET", "/info")
        own = json.loads(body)["model_type"]
        for task, c in cases:
            body = {"inputs": c["inputs"], "parameters": c.get("kwargs", {})}
            status, got = s.post("/" + task, body)
            want = c["expected"]
            check(status == 200 and close(got, want), f"{c['name']} ({task}): {status} {got} vs {want}")
            _, _, raw = s.request("POST", "/" + task, body, {"Content-Type": "application/json"})
            _, _, own_raw = s.request("POST", "/predict", body, {"Content-Type": "application/json"})
            check(own == task and own_raw == raw, f"{c['name']}: /predict is /{task} byte for byte")
            checked += 1
        # a list of inputs with one set of parameters answers a list, in order
        task, first = cases[0]
        same = [c for t, c in cases if c.get("kwargs", {}) == first.get("kwargs", {})][:4]
        status, got = s.post("/" + task, {"inputs": [c["inputs"] for c in same],
                                          "parameters": first.get("kwargs", {})})
        check(status == 200 and close(got, [c["expected"] for c in same]),
              f"{model}: a list of {len(same)} inputs answers a list in order")
        # another task's route names what this checkpoint is
        other = "question-answering" if task != "question-answering" else "text-classification"
        status, got = s.post("/" + other, {"inputs": "x"})
        check(status == 422 and "this checkpoint is a Yoso" in got["error"], f"{model}: /{other} {got}")
        status, got = s.post("/fill-mask", {"inputs": "a <mask>"})
        check(status == 422 and "has no fill-mask head: run `yoso" in got["error"], f"{model}: /fill-mask {got}")
    finally:
        check(s.stop() == 0, f"{model}: server exits 0")
check(checked >= 60, f"{checked} cases checked")
print(f"ok: {checked} pipeline cases through yoso serve")
