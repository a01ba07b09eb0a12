"""64 concurrent clients with mixed lengths and tasks get the answers the same requests get alone:
the batcher pads with a real attention mask, so batch-mates change float rounding only (see
serve_util.close for the bound and why); and batches of more than one input really formed."""
import json
import os
import re
import threading

from serve_util import DATA, Server, check, close

cases = [json.loads(l) for l in open(os.path.join(DATA, "fillmask", "cases.jsonl"), encoding="utf-8")]
requests = []
for i in range(64):
    c = cases[i % len(cases)]
    if i % 3 == 2:  # embeddings of texts from 3 to ~2000 tokens
        requests.append(("/embed", {"inputs": c["text_hf"].replace("<mask>", "word"), "normalize": i % 2 == 0}))
    else:
        params = {"top_k": c["top_k"]}
        if c["targets"]:
            params["targets"] = c["targets"]
        requests.append(("/fill-mask", {"inputs": c["text"], "parameters": params}))

s = Server("--max-batch-requests", "16", "--max-batch-tokens", "8192")
try:
    alone = []
    for path, body in requests:
        status, got = s.post(path, body)
        check(status == 200, f"alone {path}: {status} {got}")
        alone.append(got)
    _, _, before = s.request("GET", "/metrics")

    together = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def client(i):
        start.wait()
        together[i] = s.post(*requests[i], timeout=120)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    worst = 0.0
    for i, (path, _) in enumerate(requests):
        status, got = together[i]
        check(status == 200, f"concurrent {i} {path}: {status} {got}")
        check(close(got, alone[i]), f"concurrent {i} {path}: answer differs from the lone one")
        flat_a, flat_b = re.findall(r"-?\d\.\d+(?:e-?\d+)?", json.dumps(got)), re.findall(
            r"-?\d\.\d+(?:e-?\d+)?", json.dumps(alone[i]))
        worst = max([worst] + [abs(float(x) - float(y)) for x, y in zip(flat_a, flat_b)])
    print(f"64 concurrent answers match the lone ones; largest float difference {worst:.3g}")

    _, _, after = s.request("GET", "/metrics")

    def stat(text, name):
        return float(re.search(rf"^{name} (\S+)$", text.decode(), re.M).group(1))

    passes = stat(after, "yoso_batch_size_count") - stat(before, "yoso_batch_size_count")
    inputs = stat(after, "yoso_batch_size_sum") - stat(before, "yoso_batch_size_sum")
    print(f"{int(inputs)} inputs in {int(passes)} forward passes")
    check(inputs == 64 and passes < 64, "concurrent requests were batched")
finally:
    check(s.stop() == 0, "SIGTERM exits 0")
print("ok")
