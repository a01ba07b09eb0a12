#!/usr/bin/env python3
"""Throughput benchmark: many fill-mask texts of mixed lengths through `yoso fill-mask --jsonl`
(expectation and LSH), `yoso serve` (its dynamic batching, concurrent clients) and ONNX Runtime
(one text at a time, and in padded batches), in interleaved rounds on the same model and texts.

Usage (from the repository root, after building; pip install onnxruntime onnx transformers
torch):

    python3 tools/bench/bench_throughput.py [--inputs 64] [--lengths 16-512] [--batch 8]
                                            [--rounds 3] [--threads T] [--layers N]
                                            [--contenders ort,ort-batch,expectation,lsh,serve]
                                            [--model DIR] [--yoso build/yoso] [--out docs/bench]

The model is made and exported as tools/bench/bench_e2e.py does (bench-models/...). The texts:
--inputs texts, each `hello hello ... <mask>.` of a length drawn uniformly from --lengths
(seeded, the same every run), in that order. A round sends all of them to each contender, the
contenders' order rotating; reported is the median time per round, as inputs/s and tokens/s,
and the speed against ORT one at a time.

Contenders (each a warm process, started before the rounds and warmed up on the first text):
- ort: ONNX Runtime on head_at_mask.onnx, one text at a time (its answers are HF's);
- ort-batch: head_at_mask_batch.onnx on --batch texts at a time in arrival order, right-padded
  to the longest of the batch. HF's YOSO ignores its padding mask (the padded rows' answers are
  not the unpadded ones), so this is a speed bound only: the report counts its agreements;
- expectation, lsh: `yoso fill-mask --jsonl --json` reading all the texts from one pipe (the
  lines already waiting run as one padded batch, at most 8);
- serve: `yoso serve` (expectation) on a free loopback port, --batch clients posting one text
  each to /fill-mask at a time, so its worker batches what arrives together.
Each contender's top answer per text is compared with ORT's one-at-a-time answer (random weights
make near-ties; expectation should agree on nearly all).

Writes OUT/throughput.json and OUT/throughput.md. On a shared machine only the ratios of one
run mean anything.
"""

import argparse
import concurrent.futures
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_e2e  # noqa: E402  (loadavg, cpu_info, make_text, ensure_model, Worker's env)

REPO = bench_e2e.REPO
NAMES = {"ort": "ONNX Runtime, one at a time", "ort-batch": "ONNX Runtime, padded batches",
         "expectation": "yoso --jsonl, expectation", "lsh": "yoso --jsonl, LSH",
         "serve": "yoso serve, expectation"}

# The ORT worker: loads, prints "ready", then answers a JSON list of texts per line with a list.
ORT_WORKER = r"""
import json, os, sys
model_dir, threads, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import numpy as np
import onnxruntime as ort
from transformers import AutoTokenizer
from transformers.utils import logging
logging.set_verbosity_error()
tok = AutoTokenizer.from_pretrained(model_dir)
tok.model_max_length = 1 << 20
so = ort.SessionOptions()
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
so.intra_op_num_threads = threads
so.inter_op_num_threads = 1
name = "head_at_mask.onnx" if batch == 1 else "head_at_mask_batch.onnx"
sess = ort.InferenceSession(os.path.join(model_dir, "onnx", name), so,
                            providers=["CPUExecutionProvider"])
def answers(texts):
    enc = tok(texts, return_tensors="np", padding=True)
    ids = enc["input_ids"].astype(np.int64)
    pos = np.array([np.flatnonzero(row == tok.mask_token_id)[0] for row in ids], np.int64)
    logits = sess.run(None, {"input_ids": ids, "attention_mask":
                             enc["attention_mask"].astype(np.int64), "mask_index": pos})[0]
    return [tok.decode([int(np.argmax(row))]) for row in logits]
print("ready", flush=True)
for line in sys.stdin:
    texts = json.loads(line)
    out = []
    for i in range(0, len(texts), batch):
        out += answers(texts[i:i + batch])
    print(json.dumps(out), flush=True)
"""


def free_port():
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Contender:
    """A warm process: run(texts) → (seconds, top answers)."""

    def __init__(self, kind, args):
        self.kind = kind
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads),
                   POCL_CPU_MAX_CU_NUM=str(args.threads), POCL_MAX_PTHREAD_COUNT=str(args.threads),
                   OMP_NUM_THREADS=str(args.threads))
        self.err = tempfile.TemporaryFile(mode="w+")
        if kind.startswith("ort"):
            batch = args.batch if kind == "ort-batch" else 1
            cmd = [sys.executable, "-c", ORT_WORKER, args.model, str(args.threads), str(batch)]
        elif kind == "serve":
            self.port = free_port()
            cmd = [args.yoso, "serve", "-m", args.model, "--host", "127.0.0.1", "--port",
                   str(self.port)]  # config.json: expectation
        else:
            cmd = [args.yoso, "fill-mask", "--jsonl", "--json", "-m", args.model, "--attention",
                   kind]
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, bufsize=1)
        if kind.startswith("ort"):
            self._line()  # "ready"
        elif kind == "serve":
            self._wait_ready()

    def _fail(self, why):
        self.err.seek(0)
        last = (self.err.read().strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"throughput: {self.kind} failed ({why}): {last}")

    def _line(self):
        line = self.proc.stdout.readline()
        if not line:
            self._fail("no answer")
        return line

    def _wait_ready(self):
        """Polls /health until the server answers (the model loads first)."""
        t_end = time.time() + 300
        while time.time() < t_end:
            if self.proc.poll() is not None:
                self._fail("exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self._fail("not ready after 300 s")

    def _post(self, text):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/fill-mask",
                                     data=json.dumps({"inputs": text}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=900) as r:
            return json.loads(r.read())[0]["token_str"]

    def run(self, texts, batch):
        """All texts through the contender; returns (seconds, top token string per text)."""
        t0 = time.perf_counter()
        if self.kind.startswith("ort"):
            self.proc.stdin.write(json.dumps(texts) + "\n")
            out = json.loads(self._line())
        elif self.kind == "serve":
            with concurrent.futures.ThreadPoolExecutor(batch) as pool:
                out = list(pool.map(self._post, texts))
        else:  # one writer thread, so that a full pipe cannot stall the reader
            lines = "".join(json.dumps({"text": t}) + "\n" for t in texts)
            writer = threading.Thread(target=lambda: (self.proc.stdin.write(lines),
                                                      self.proc.stdin.flush()))
            writer.start()
            out = [json.loads(self._line())[0]["token_str"] for _ in texts]
            writer.join()
        return time.perf_counter() - t0, out

    def close(self):
        if self.kind == "serve":
            self.proc.terminate()
        else:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def make_texts(args):
    """args.inputs texts of lengths drawn from args.lengths (seeded), with their lengths."""
    lo, hi = (int(x) for x in args.lengths.split("-"))
    rng = random.Random(args.seed)
    lengths = [rng.randint(lo, hi) for _ in range(args.inputs)]
    cache = {}
    for L in sorted(set(lengths)):
        cache[L] = bench_e2e.make_text(args.yoso, args.model, L)
    return [cache[L] for L in lengths], lengths


def write_table(path, meta, rows):
    """The markdown table of one run."""
    ort = rows["ort"]["median_s"] if "ort" in rows else None
    lines = [
        f"Run: {meta['date']} · {meta['cpu']} · ISA {meta['isa']} · {meta['cores']} cores, "
        f"{meta['threads']} threads per contender · GEMM {meta.get('gemm', '?')} · "
        f"{meta['layers']} layers · {meta['inputs']} "
        f"texts of {meta['lengths']} tokens ({meta['tokens']} in all), batches of "
        f"{meta['batch']} · {meta['rounds']} interleaved rounds · load average "
        f"{meta['load'][0]:.2f} → {meta['load'][1]:.2f}.",
        "",
        "| contender | round s (median, min) | inputs/s | tokens/s | × ORT one at a time | "
        "top answer = ORT's | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for k in meta["contenders"]:
        r = rows[k]
        speed = f"{ort / r['median_s']:.2f}×" if ort else "—"
        agree = f"{r['agree']}/{meta['inputs']}" if ort else "—"
        lines.append(
            f"| {NAMES[k]} | {r['median_s']:.2f} ({r['min_s']:.2f}) | "
            f"{meta['inputs'] / r['median_s']:.1f} | {meta['tokens'] / r['median_s']:.0f} | "
            f"{speed} | {agree} | {r['rss_mib']:.0f} |")
    lines += [
        "",
        "Round: all the texts through one warm contender, from the first sent to the last "
        "answer. ORT in padded batches computes HF's math, whose padding mask is a no-op, so its "
        "answers for padded rows differ from the unpadded ones: it bounds the speed of batching "
        "in ORT, not a correct result. yoso pads with a real mask.",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--yoso", default=os.path.join(REPO, "build", "yoso"))
    p.add_argument("--model", help="HF model folder (default: by --layers, as bench_e2e.py)")
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--inputs", type=int, default=64)
    p.add_argument("--lengths", default="16-512", help="LO-HI tokens per text")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--contenders", default="ort,ort-batch,expectation,lsh,serve")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--out", default=os.path.join(REPO, "docs", "bench"))
    p.add_argument("--keep-openblas-coretype", action="store_true",
                   help="leave $OPENBLAS_CORETYPE as the environment sets it (default: unset)")
    args = p.parse_args()
    args.contenders = args.contenders.split(",")
    for k in args.contenders:
        if k not in NAMES:
            raise SystemExit(f"throughput: unknown contender '{k}': use {', '.join(NAMES)}")
    if not args.model:
        args.model = os.path.join(REPO, "bench-models", "yoso-4096-random" if args.layers == 12
                                  else f"yoso-random-{args.layers}l")
    bench_e2e.ensure_model(argparse.Namespace(model=args.model, layers=args.layers,
                                              contenders=["ort"]))
    if not os.path.exists(os.path.join(args.model, "onnx", "head_at_mask_batch.onnx")):
        subprocess.run([sys.executable, os.path.join(REPO, "tools", "bench", "export_onnx.py"),
                        "--model", args.model], check=True)
    texts, lengths = make_texts(args)
    cpu, isa = bench_e2e.cpu_info()
    blas_note = bench_e2e.openblas_unpin(args.keep_openblas_coretype)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "isa": isa,
            "cores": os.cpu_count(), "threads": args.threads, "layers": args.layers,
            "gemm": f"{bench_e2e.gemm_backend(args.yoso, args.model)}, {blas_note}",
            "inputs": args.inputs, "lengths": args.lengths, "tokens": sum(lengths),
            "batch": args.batch, "rounds": args.rounds, "contenders": args.contenders,
            "load": [bench_e2e.loadavg()]}
    workers = {}
    for k in args.contenders:
        workers[k] = Contender(k, args)
        workers[k].run(texts[:1], args.batch)  # warm-up
        print(f"throughput: {k} ready", file=sys.stderr)
    times = {k: [] for k in args.contenders}
    answers = {}
    order = list(args.contenders)
    for r in range(args.rounds):
        for k in order[r % len(order):] + order[:r % len(order)]:
            dt, answers[k] = workers[k].run(texts, args.batch)
            times[k].append(dt)
            print(f"throughput: round {r + 1} {k} {dt:.2f} s", file=sys.stderr)
    meta["load"].append(bench_e2e.loadavg())
    ref = answers.get("ort")
    rows = {}
    for k in args.contenders:
        rows[k] = {"times_s": times[k], "median_s": statistics.median(times[k]),
                   "min_s": min(times[k]), "rss_mib": bench_e2e.peak_rss_mib(workers[k].proc.pid),
                   "agree": sum(a == b for a, b in zip(answers[k], ref)) if ref else 0}
        workers[k].close()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "throughput.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows, "lengths": lengths}, f, indent=1)
    write_table(os.path.join(args.out, "throughput.md"), meta, rows)
    print(open(os.path.join(args.out, "throughput.md")).read())


if __name__ == "__main__":
    sys.exit(main())
