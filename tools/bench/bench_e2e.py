#!/usr/bin/env python3
"""End-to-end benchmark: one fill-mask call of `yoso fill-mask` (expectation and LSH attention)
against Hugging Face transformers (PyTorch CPU) and ONNX Runtime on the same yoso-4096-shaped
model and inputs, in interleaved rounds, with the machine's load recorded.

Usage (from the repository root, after building; pip install onnxruntime onnx for ORT):

    python3 tools/bench/bench_e2e.py [--layers N] [--lengths 128,512,...] [--rounds R]
                                     [--contenders hf,ort,expectation,lsh] [--threads T]
                                     [--model DIR] [--yoso build/yoso] [--fp16] [--out docs/bench]

The model: --model DIR, else bench-models/yoso-4096-random (12 layers) or, with --layers N,
bench-models/yoso-random-Nl; a missing one is made with tools/fixtures/make_full_model.py and
exported to ONNX (MODEL/onnx) with tools/bench/export_onnx.py. A quick smoke run:
`--layers 2 --lengths 128,512 --rounds 3`; the real table needs the full model on a quiet machine.

Contenders, each a long-lived process answering one text at a time on a pipe (the time is the
round trip: tokenization, forward, top-5):
- hf: transformers' pipeline("fill-mask") on PyTorch, torch threads = T;
- ort: ONNX Runtime (ORT_ENABLE_ALL, T intra-op threads) on head_at_mask.onnx (the LM head at
  the mask only, as yoso does), the HF fast tokenizer, a numpy top-5;
- expectation, lsh: `yoso fill-mask --json` reading stdin, with OPENBLAS_NUM_THREADS and PoCL's
  thread count set to T; fused (not in the default list): expectation with
  YOSO_EXPECTATION=fused, for an end-to-end A/B of the fused attention path.
Start: each contender is started twice on the shortest length and timed to its first answer:
cold (yoso: empty YOSO_CACHE_DIR and POCL_CACHE_DIR; Python: the first start of this run, OS
page cache not dropped) and warm (yoso: the caches the cold run filled). The warm process stays
and serves the rounds. Rounds: per length, one untimed warm-up call each, then R rounds, the
contenders' order rotating from round to round; /proc/loadavg is read before and after each
call. Reported: the median (and min) call per contender and length, speed vs ORT (ORT median
/ contender median: > 1 is faster than ORT), the load range, peak RSS (VmHWM) and the SGEMM peak
(numpy, 4096×768×3072) before and after. The CPU model and its ISA head every table.

Writes OUT/results.json, OUT/results.md and OUT/bench.png (gnuplot, if installed). On a shared
machine only the ratios of one run mean anything.
"""

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMES = {"hf": "HF PyTorch", "ort": "ONNX Runtime (head at mask)",
         "expectation": "yoso expectation", "lsh": "yoso LSH",
         "fused": "yoso expectation, fused path"}
CALL_TIMEOUT_S = 900.0

# The Python contenders' worker: loads, prints "ready", then answers one JSON line per line.
PY_WORKER = r"""
import json, os, sys
kind, model_dir, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
import numpy as np
from transformers import AutoTokenizer
from transformers.utils import logging
logging.set_verbosity_error()
tok = AutoTokenizer.from_pretrained(model_dir)
tok.model_max_length = 1 << 20
if kind == "hf":
    import torch
    from transformers import YosoForMaskedLM, pipeline
    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)
    model = YosoForMaskedLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    fill = pipeline("fill-mask", model=model, tokenizer=tok, device="cpu")
    def answer(text):
        return fill(text)[0]["token_str"]
else:
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(model_dir, "onnx", "head_at_mask.onnx"), so,
                                providers=["CPUExecutionProvider"])
    def answer(text):
        enc = tok(text, return_tensors="np")
        ids = enc["input_ids"].astype(np.int64)
        pos = np.flatnonzero(ids[0] == tok.mask_token_id)[:1].astype(np.int64)
        logits = sess.run(None, {"input_ids": ids, "attention_mask":
                                 enc["attention_mask"].astype(np.int64), "mask_index": pos})[0][0]
        e = np.exp(logits - logits.max())
        probs = e / e.sum()  # the softmax and top-5 HF's pipeline computes
        top = np.argpartition(-probs, 5)[:5]
        top = top[np.argsort(-probs[top])]
        return tok.decode([int(top[0])])
print("ready", flush=True)
for line in sys.stdin:
    print(json.dumps({"answer": answer(json.loads(line)["text"])}), flush=True)
"""


def loadavg():
    """The 1-minute load average."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def peak_rss_mib(pid):
    """A running process's VmHWM in MiB (nan when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def cpu_info():
    """(model name, ISA summary) from /proc/cpuinfo."""
    name, flags = "?", set()
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name") and name == "?":
                name = ln.split(":", 1)[1].strip()
            elif ln.startswith("flags") and not flags:
                flags = set(ln.split(":", 1)[1].split())
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    if "avx512_bf16" in flags:
        isa += " (+BF16)"
    if "fma" in flags:
        isa += ", FMA"
    return name, isa


class Worker:
    """A contender's long-lived process: call(text) → (seconds, answer)."""

    def __init__(self, kind, args, caches):
        self.kind = kind
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads),
                   POCL_CPU_MAX_CU_NUM=str(args.threads), POCL_MAX_PTHREAD_COUNT=str(args.threads),
                   OMP_NUM_THREADS=str(args.threads))
        if kind in ("hf", "ort"):
            cmd = [sys.executable, "-c", PY_WORKER, kind, args.model, str(args.threads)]
        else:
            for name, folder in zip(("YOSO_CACHE_DIR", "POCL_CACHE_DIR"), caches):
                if folder:
                    env[name] = folder
                else:
                    env.pop(name, None)
            if kind == "fused":
                env["YOSO_EXPECTATION"] = "fused"
            cmd = [args.yoso, "fill-mask", "--json", "-m", args.model, "--attention",
                   "lsh" if kind == "lsh" else "expectation"]
            if args.fp16:
                cmd.insert(2, "--fp16")
        self.err = tempfile.TemporaryFile(mode="w+")
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, bufsize=1)
        if kind in ("hf", "ort"):
            self._readline()  # "ready"

    def _readline(self):
        """One line of stdout, or SystemExit with the worker's last stderr line."""
        ready, _, _ = select.select([self.proc.stdout], [], [], CALL_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.err.seek(0)
            last = (self.err.read().strip().splitlines() or ["no output"])[-1]
            raise SystemExit(f"bench: {self.kind} failed: {last}")
        return line

    def call(self, text):
        """Sends one text; returns (round-trip seconds, the top answer's token string)."""
        t0 = time.perf_counter()
        self.proc.stdin.write(json.dumps({"text": text}) + "\n" if self.kind in ("hf", "ort")
                              else text + "\n")
        line = self._readline()
        dt = time.perf_counter() - t0
        out = json.loads(line)
        return dt, out["answer"] if isinstance(out, dict) else out[0]["token_str"]

    def peak_rss_mib(self):
        return peak_rss_mib(self.proc.pid)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.err.close()


def make_text(yoso, model, L):
    """A text of exactly L tokens (with <s>, </s> and one <mask>), checked with `yoso tokenize`."""
    text = "hello" + " hello" * (L - 5) + " <mask>."
    out = subprocess.run([yoso, "tokenize", "-m", model, text], capture_output=True, text=True,
                         check=True).stdout
    n = len(json.loads(out.splitlines()[0]))
    if n != L:
        raise SystemExit(f"bench: the {L}-token text has {n} tokens")
    return text


def openblas_unpin(keep):
    """Drops $OPENBLAS_CORETYPE for every contender (and numpy) unless keep; returns a note.

    A pinned core type (this workplace's sandboxes set Haswell) holds OpenBLAS to its AVX2
    kernels where it would pick AVX-512 ones itself, while ONNX Runtime's MLAS ignores it; a
    user's machine has no such pin."""
    pin = os.environ.get("OPENBLAS_CORETYPE")
    if pin is None:
        return "OPENBLAS_CORETYPE unset"
    if keep:
        return f"OPENBLAS_CORETYPE={pin} kept"
    del os.environ["OPENBLAS_CORETYPE"]
    return f"OPENBLAS_CORETYPE={pin} from the environment unset"


def gemm_backend(yoso, model):
    """yoso's GEMM backend as `yoso -v` names it (with OpenBLAS: which kernel set runs)."""
    err = subprocess.run([yoso, "fill-mask", "-v", "-m", model, "a <mask>."], capture_output=True,
                         text=True).stderr
    return next((ln.split(": ", 2)[-1].strip() for ln in err.splitlines()
                 if "GEMM backend" in ln), "?")


def sgemm_peak(reps=3):
    """Best GFLOP/s of a 4096×768×3072 SGEMM through numpy (OpenBLAS)."""
    import numpy as np
    m, k, n = 4096, 768, 3072
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(n, k).astype(np.float32)
    c = np.empty((m, n), np.float32)
    best = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        np.matmul(a, b.T, out=c)
        best = max(best, 2.0 * m * n * k / (time.perf_counter() - t) / 1e9)
    return best


def ensure_model(args):
    """Makes the random model and its ONNX export when missing."""
    py = sys.executable
    if not os.path.exists(os.path.join(args.model, "config.json")):
        print(f"bench: making {args.model} ({args.layers} layers)", file=sys.stderr)
        subprocess.run([py, os.path.join(REPO, "tools", "fixtures", "make_full_model.py"),
                        args.model, "--layers", str(args.layers)], check=True)
    if "ort" in args.contenders and not os.path.exists(
            os.path.join(args.model, "onnx", "head_at_mask.onnx")):
        print(f"bench: exporting {args.model} to ONNX", file=sys.stderr)
        subprocess.run([py, os.path.join(REPO, "tools", "bench", "export_onnx.py"), "--model",
                        args.model], check=True)


def measure_starts(args, text, tmp):
    """Cold and warm start to the first answer per contender; returns (starts, warm workers)."""
    starts, workers = {}, {}
    for kind in args.contenders:
        caches = (os.path.join(tmp, kind, "yoso"), os.path.join(tmp, kind, "pocl"))
        if args.no_cold:  # the user's caches, as earlier runs left them
            caches = (os.environ.get("YOSO_CACHE_DIR", ""), os.environ.get("POCL_CACHE_DIR", ""))
        row = {}
        for phase in ("warm",) if args.no_cold else ("cold", "warm"):
            load0 = loadavg()
            w = Worker(kind, args, caches)
            dt, _ = w.call(text)
            row[phase + "_s"] = time.perf_counter() - w.start
            row[phase + "_call_s"] = dt
            row[phase + "_load"] = [load0, loadavg()]
            if phase == "cold":
                w.close()
            else:
                workers[kind] = w
        starts[kind] = row
        print(f"bench: start {kind} {json.dumps(row)}", file=sys.stderr)
    return starts, workers


def run_rounds(args, workers, L, text):
    """R interleaved rounds at length L; returns the row of results."""
    row = {"L": L, "calls": {k: [] for k in args.contenders}, "answers": {}, "load": []}
    for kind in args.contenders:  # untimed warm-up at this length
        _, row["answers"][kind] = workers[kind].call(text)
    order = list(args.contenders)
    for r in range(args.rounds):
        for kind in order[r % len(order):] + order[:r % len(order)]:
            load0 = loadavg()
            dt, _ = workers[kind].call(text)
            row["calls"][kind].append(dt)
            row["load"].append([load0, loadavg()])
    row["median"] = {k: statistics.median(v) for k, v in row["calls"].items()}
    row["min"] = {k: min(v) for k, v in row["calls"].items()}
    print(f"bench: L={L} medians {json.dumps(row['median'])} answers {row['answers']}",
          file=sys.stderr)
    return row


def fmt(x, spec=".2f"):
    return "—" if x is None or x != x else format(x, spec)


def write_table(path, meta, starts, rows):
    """The markdown tables of one run."""
    kinds = meta["contenders"]
    lines = [
        f"Run: {meta['date']} · {meta['cpu']} · ISA {meta['isa']} · {meta['cores']} cores, "
        f"{meta['threads']} threads per contender · {meta['device']} · "
        f"GEMM {meta.get('gemm', '?')} · {meta['layers']} layers · "
        f"weights {'fp16' if meta['fp16'] else 'fp32'} · {meta['rounds']} interleaved rounds · "
        f"SGEMM peak (numpy 4096×768×3072) {meta['peak'][0]:.0f} GFLOP/s before, "
        f"{meta['peak'][1]:.0f} after · load average {meta['load'][0]:.2f} → "
        f"{meta['load'][1]:.2f}.",
        "",
        "| tokens | " + " | ".join(NAMES[k] + " s" for k in kinds) + " | load during rounds |",
        "|---:|" + "---:|" * len(kinds) + "---|",
    ]
    for r in rows:
        ort = r["median"].get("ort")
        cells = []
        for k in kinds:
            cell = f"{fmt(r['median'][k])} (min {fmt(r['min'][k])})"
            if ort and k != "ort":
                cell += f", {fmt(ort / r['median'][k])}× ORT"
            cells.append(cell)
        lo = min(min(x) for x in r["load"])
        hi = max(max(x) for x in r["load"])
        lines.append(f"| {r['L']} | " + " | ".join(cells) + f" | {lo:.2f}–{hi:.2f} |")
    lines += [
        "",
        "| contender | cold start → 1st answer s | warm start → 1st answer s | peak RSS MiB |",
        "|---|---:|---:|---:|",
    ]
    for k in kinds:
        s = starts[k]
        lines.append(f"| {NAMES[k]} | {fmt(s.get('cold_s'))} | {fmt(s['warm_s'])} | "
                     f"{fmt(s.get('rss_mib'), '.0f')} |")
    lines += [
        "",
        f"Call: the median (min) round trip of one fill-mask text of that many tokens (tokenize, "
        f"forward, top-5) to a warmed-up process; × ORT = ORT's median / the contender's (> 1: "
        f"faster than ORT). Start: process start to the first answer at {meta['start_tokens']} "
        f"tokens; cold: yoso with empty YOSO_CACHE_DIR and POCL_CACHE_DIR (Python contenders: "
        f"their first start, page cache not dropped); warm: the caches filled. Peak RSS: VmHWM "
        f"of the warm process at the end. Load: /proc/loadavg (1 min) before and after each "
        f"call. HF runs expectation attention (its LSH needs CUDA).",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_plot(out_dir, meta, rows):
    """bench.png: median call time against tokens per contender, log-log, via gnuplot."""
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not found (apt-get install gnuplot-nox): no plot", file=sys.stderr)
        return
    kinds = meta["contenders"]
    data = os.path.join(out_dir, "bench.dat")
    with open(data, "w") as f:
        f.write("# L " + " ".join(kinds) + "\n")
        for r in rows:
            f.write(f"{r['L']} " + " ".join(str(r["median"][k]) for k in kinds) + "\n")
    plots = ", ".join(f"'{data}' using 1:{i + 2} with linespoints lw 2 title '{NAMES[k]}'"
                      for i, k in enumerate(kinds))
    script = f"""
set terminal pngcairo size 900,560 noenhanced font ",11"
set output '{os.path.join(out_dir, "bench.png")}'
set title 'one fill-mask call (warm, median), {meta['layers']}-layer yoso-4096-shaped model, {meta['cpu']} {meta['isa']}'
set xlabel 'tokens'
set ylabel 'seconds'
set logscale xy
set key top left
set grid
plot {plots}
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--yoso", default=os.path.join(REPO, "build", "yoso"))
    p.add_argument("--model", help="HF model folder (default: by --layers, see above)")
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--lengths", default="128,512,1024,4096")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--contenders", default="hf,ort,expectation,lsh")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--fp16", action="store_true", help="yoso stores the weights as half")
    p.add_argument("--no-cold", action="store_true",
                   help="skip the cold starts (yoso's then start with the caches of earlier runs)")
    p.add_argument("--out", default=os.path.join(REPO, "docs", "bench"))
    p.add_argument("--keep-openblas-coretype", action="store_true",
                   help="leave $OPENBLAS_CORETYPE as the environment sets it (default: unset)")
    p.add_argument("--replot", action="store_true",
                   help="only rewrite results.md and bench.png from OUT/results.json")
    args = p.parse_args()
    if args.replot:
        with open(os.path.join(args.out, "results.json")) as f:
            saved = json.load(f)
        write_table(os.path.join(args.out, "results.md"), saved["meta"], saved["starts"],
                    saved["rows"])
        write_plot(args.out, saved["meta"], saved["rows"])
        return
    args.contenders = args.contenders.split(",")
    if any(k not in NAMES for k in args.contenders):
        raise SystemExit(f"bench: --contenders takes {','.join(NAMES)}")
    if not args.model:
        name = "yoso-4096-random" if args.layers == 12 else f"yoso-random-{args.layers}l"
        args.model = os.path.join(REPO, "bench-models", name)
    ensure_model(args)
    with open(os.path.join(args.model, "config.json")) as f:
        args.layers = json.load(f)["num_hidden_layers"]
    os.makedirs(args.out, exist_ok=True)
    lengths = [int(x) for x in args.lengths.split(",")]
    cpu, isa = cpu_info()
    blas_note = openblas_unpin(args.keep_openblas_coretype)
    backend = gemm_backend(args.yoso, args.model)
    print(f"bench: {cpu}, {isa}; yoso's GEMM: {backend} ({blas_note})", file=sys.stderr)
    load0, peak0 = loadavg(), sgemm_peak()
    rows = []
    with tempfile.TemporaryDirectory(prefix="yoso-bench-") as tmp:
        starts, workers = measure_starts(args, make_text(args.yoso, args.model, min(lengths)), tmp)
        try:
            for L in lengths:
                rows.append(run_rounds(args, workers, L, make_text(args.yoso, args.model, L)))
        finally:
            for kind, w in workers.items():
                starts[kind]["rss_mib"] = w.peak_rss_mib()
                w.close()
    dev = subprocess.run([args.yoso, "devices"], capture_output=True, text=True).stdout
    device = next((ln.split(None, 2)[-1].strip() for ln in dev.splitlines() if "*" in ln), "?")
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "isa": isa,
            "cores": os.cpu_count(), "threads": args.threads, "device": device,
            "gemm": f"{backend}, {blas_note}",
            "layers": args.layers, "fp16": args.fp16, "rounds": args.rounds,
            "contenders": args.contenders, "start_tokens": min(lengths),
            "peak": [peak0, sgemm_peak()], "load": [load0, loadavg()]}
    suffix = "-fp16" if args.fp16 else ""
    with open(os.path.join(args.out, f"results{suffix}.json"), "w") as f:
        json.dump({"meta": meta, "starts": starts, "rows": rows}, f, indent=1)
    write_table(os.path.join(args.out, f"results{suffix}.md"), meta, starts, rows)
    if not args.fp16:
        write_plot(args.out, meta, rows)
    print(open(os.path.join(args.out, f"results{suffix}.md")).read())


if __name__ == "__main__":
    main()
