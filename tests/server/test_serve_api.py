"""Every endpoint's schema and values: /fill-mask equals `yoso fill-mask --json` byte for byte,
/tokenize equals Hugging Face's ids, /embed equals the pooled HF hidden states (golden fixtures),
/v1/embeddings and /feature-extraction agree with /embed; /health /info /metrics /openapi.json."""
import json
import math
import os
import subprocess

from serve_util import CLI, DATA, FILL_MODEL, Server, check, close, read_npy

cases = [json.loads(l) for l in open(os.path.join(DATA, "fillmask", "cases.jsonl"), encoding="utf-8")]

# The CLI's answer for every case, each run alone (one input per process, as the server runs a
# request that arrives alone: the same padded shape, so the same floats to the last bit).
def cli_answer(c):
    line = json.dumps({"text": c["text"], "top_k": c["top_k"], "targets": c["targets"]}) + "\n"
    out = subprocess.run([CLI, "fill-mask", "--jsonl", "-m", FILL_MODEL], input=line, text=True,
                         capture_output=True, check=True).stdout.splitlines()
    check(len(out) == 1, f"{c['name']}: one CLI line")
    return out[0]


cli = [cli_answer(c) for c in cases]

s = Server()
try:
    for c, want in zip(cases, cli):
        params = {"top_k": c["top_k"]}
        if c["targets"] is not None:
            params["targets"] = c["targets"]
        status, _, body = s.request("POST", "/fill-mask", {"inputs": c["text"], "parameters": params})
        check(status == 200, f"{c['name']}: status {status} {body!r}")
        check(body.decode() == want, f"{c['name']}: server {body!r} != CLI {want!r}")
        # the HF spelling of the mask too, and the values HF computed (the fixture's tolerance)
        status, got = s.post("/fill-mask", {"inputs": c["text_hf"], "parameters": params})
        check(got == json.loads(want), f"{c['name']}: <mask> and [MASK] differ")
    # a list of inputs: a list of the single answers
    status, got = s.post("/fill-mask", {"inputs": [cases[0]["text"], cases[1]["text"]]})
    check(status == 200 and close(got, [json.loads(cli[0]), json.loads(cli[1])]), "list input")

    # /tokenize: HF's ids, byte offsets into the text
    for c in cases:
        status, got = s.post("/tokenize", {"inputs": c["text_hf"]})
        check(status == 200 and [t["id"] for t in got[0]] == c["input_ids"], f"tokenize {c['name']}")
    status, got = s.post("/tokenize", {"inputs": ["Hello world", "x"], "add_special_tokens": False})
    check(got[0] == [{"id": 31414, "text": "Hello", "special": False, "start": 0, "stop": 5},
                     {"id": 232, "text": " world", "special": False, "start": 5, "stop": 11}]
          and len(got) == 2, f"tokenize offsets {got}")
    # /decode: one string for one list, a list for a list of lists
    status, got = s.post("/decode", {"ids": [0, 31414, 232, 2]})
    check(status == 200 and got == "Hello world", f"decode {got!r}")
    status, got = s.post("/decode", {"ids": [[0, 31414, 2], [232]], "skip_special_tokens": False})
    check(got == ["<s>Hello</s>", " world"], f"decode lists {got!r}")

    # /embed vs /v1/embeddings vs /feature-extraction (same vectors, three schemas)
    texts = ["Hello world", "The capital of France is Paris."]
    status, emb = s.post("/embed", {"inputs": texts})
    check(status == 200 and len(emb) == 2 and len(emb[0]) == 32, "embed shape")
    check(all(abs(math.fsum(x * x for x in v) - 1) < 1e-5 for v in emb), "embed normalized")
    status, oa = s.post("/v1/embeddings", {"input": texts, "model": "yoso"})
    check(status == 200 and oa["object"] == "list" and [d["index"] for d in oa["data"]] == [0, 1],
          "openai schema")
    check([d["embedding"] for d in oa["data"]] == emb, "openai equals embed")
    check(oa["usage"]["prompt_tokens"] == 4 + 9, f"openai usage {oa['usage']}")
    status, fe = s.post("/feature-extraction", {"inputs": texts[0]})
    check(status == 200 and close(fe, emb[0]), "feature-extraction of a string: one vector")
    status, one = s.post("/embed", {"inputs": texts[0]})
    check(close(one, [emb[0]]), "embed of a string: a list of one vector")

    # the pipelines this masked-LM checkpoint has no head for name what it is and can run
    for path in ["/text-classification", "/token-classification", "/question-answering",
                 "/multiple-choice"]:
        status, got = s.post(path, {"inputs": "x"})
        check(status == 422 and got["error_type"] == "validation" and
              got["error"].startswith("this checkpoint is a YosoForMaskedLM") and
              "`yoso fill-mask`" in got["error"], f"{path}: {status} {got}")
    # /predict runs the model's own pipeline: byte for byte the answer of /fill-mask
    for body in [{"inputs": "Paris is the <mask> of France.", "parameters": {"top_k": 3}},
                 {"inputs": ["A <mask> b.", "The <mask> sat on the <mask>."]}]:
        _, _, want = s.request("POST", "/fill-mask", body, {"Content-Type": "application/json"})
        status, _, got = s.request("POST", "/predict", body, {"Content-Type": "application/json"})
        check(status == 200 and got == want, f"/predict equals /fill-mask: {got[:200]!r}")
    status, got = s.post("/predict", {"inputs": "a <mask>", "parameters": {"top_k": 0}})
    check(status == 422 and "\"top_k\" must be an integer" in got["error"], f"/predict top_k 0 {got}")
    status, got = s.post("/predict", {"inputs": ["a <mask>", "no mask"]})
    check(status == 422 and got["error"].startswith("input 1: "), f"/predict names input 1 {got}")
    status, got = s.post("/predict", {"inputs": "a <mask>", "extra": 1})
    check(status == 422 and "unknown field \"extra\"" in got["error"], f"/predict extra {got}")

    status, _, body = s.request("GET", "/health")
    check(status == 200, "health")
    status, info = s.post("/info", {})  # POST is refused
    check(status == 405, "POST /info is 405")
    status, _, body = s.request("GET", "/info")
    info = json.loads(body)
    check(info["model_type"] == "fill-mask" and info["tasks"] == ["fill-mask", "feature-extraction"],
          f"info tasks {info.get('tasks')}")
    check(info["max_input_length"] == 4096 and info["hidden_size"] == 32 and info["device"]["name"],
          f"info {info}")
    status, _, body = s.request("GET", "/openapi.json")
    spec = json.loads(body)
    for path in ["/fill-mask", "/embed", "/feature-extraction", "/v1/embeddings", "/tokenize",
                 "/decode", "/health", "/info", "/metrics", "/openapi.json", "/", "/predict",
                 "/text-classification", "/token-classification", "/question-answering",
                 "/multiple-choice"]:
        check(path in spec["paths"], f"openapi lists {path}")
    status, _, body = s.request("GET", "/")
    check(status == 200 and b"<textarea" in body, "page")
    status, headers, body = s.request("GET", "/metrics")
    text = body.decode()
    for name in ['yoso_requests_total{endpoint="/fill-mask",status="200"}', "yoso_queue_depth",
                 "yoso_batch_size_bucket", "yoso_batch_tokens_sum", "yoso_request_duration_seconds_count",
                 "yoso_device_memory_bytes", "yoso_process_resident_memory_bytes"]:
        check(name in text, f"metrics has {name}")
finally:
    check(s.stop() == 0, "SIGTERM exits 0")

# /embed against Hugging Face's last hidden states (tests/data/models/tiny, ids given directly):
# mean over the tokens, and <s> (CLS) pooling; the golden tests' tolerance 1e-4 * max(1, scale).
tiny = os.path.join(DATA, "models", "tiny")
(b, l), ids = read_npy(os.path.join(tiny, "input_ids.npy"))
(_, _, h), hid = read_npy(os.path.join(tiny, "hidden.npy"))
rows = [ids[i * l:(i + 1) * l] for i in range(b)]
for pooling in ["mean", "cls"]:
    s = Server("--pooling", pooling, "--tokenizer", os.path.join(DATA, "roberta-bpe"), model=tiny)
    try:
        status, got = s.post("/embed", {"inputs": rows, "normalize": False})
        check(status == 200 and len(got) == b, f"tiny embed {status} {got}")
        for i in range(b):
            n = l if pooling == "mean" else 1
            want = [sum(hid[(i * l + t) * h + c] for t in range(n)) / n for c in range(h)]
            scale = max(abs(x) for x in want)
            err = max(abs(x - y) for x, y in zip(got[i], want))
            print(f"embed {pooling} row {i}: max |error| {err:.3g} (scale {scale:.3g})")
            check(err <= 1e-4 * max(1, scale), f"{pooling} pooling row {i} error {err}")
        status, got = s.post("/embed", {"inputs": [[0, 5000, 2]]})
        check(status == 422 and "vocabulary" in got["error"], f"id outside the vocabulary: {got}")
    finally:
        check(s.stop() == 0, "SIGTERM exits 0")
print("ok")
