#!/usr/bin/env python3
"""End-to-end benchmark: `yoso fill-mask` against Hugging Face transformers (PyTorch CPU) on the
same yoso-4096-shaped model and inputs, plus the machine's SGEMM peak, in one run.

Usage (from the repository root, after building):

    apt-get install gnuplot-nox                       # for the plot (not needed by CI)
    python3 tools/fixtures/make_full_model.py                  # once: bench-models/yoso-4096-random
    python3 tools/bench/bench_e2e.py [--yoso build/yoso] [--model DIR] [--lengths 128,512,...]
                               [--modes expectation,lsh] [--fp16] [--out docs/bench]

For each length L (tokens, including <s>, </s> and one <mask>) and attention mode it runs
`yoso fill-mask --json -v` twice: cold (fresh, empty YOSO_CACHE_DIR and POCL_CACHE_DIR) and
warm (the same caches, now filled). It records the wall time, the phases that `-v` prints
(startup to the first kernel launch, the forward's phases, GFLOP/s), the peak RSS of the
process (wait4) and the device memory the library reports. Hugging Face runs in a child
process (torch threads = the number of cores): load, one fill-mask pipeline call to warm up, then
one timed call on the same text; its peak RSS is measured the same way. HF has only the expectation mode on CPU,
so the LSH rows compare with HF's expectation time. Machine peak: best of 5 SGEMMs of
4096×768×3072 through numpy (OpenBLAS) and through the system OpenBLAS yoso loads, measured again
(numpy) right before each row's yoso runs (the machine is shared: its load changes during a run).

Writes OUT/results.json, OUT/results.md (the table the README shows) and OUT/bench.png
(gnuplot). The machine is shared and noisy: compare the ratios of one run, not absolute times.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def count_flops(L, hidden=768, inter=3072, layers=12):
    """Dense FLOPs of the encoder and the attention GEMM FLOPs (expectation) for one sequence."""
    dense = 2.0 * L * (4 * hidden * hidden + 2 * hidden * inter) * layers
    attention = 4.0 * L * L * hidden * layers
    return dense, attention


def make_text(yoso, model, L):
    """A text of exactly L tokens (with <s>, </s> and one <mask>), checked with `yoso tokenize`."""
    text = "hello" + " hello" * (L - 5) + " <mask>."
    out = subprocess.run([yoso, "tokenize", "-m", model, text], capture_output=True, text=True,
                         check=True).stdout
    n = len(json.loads(out.splitlines()[0]))
    if n != L:
        raise SystemExit(f"bench: the {L}-token text has {n} tokens")
    return text


def run_measured(cmd, env=None, stdin=None):
    """Runs cmd; returns (wall seconds, stdout, stderr, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(stdin)
    return time.perf_counter() - start, out, err, proc.returncode


# Runs the command in a child and prints the child's own peak RSS (wait4) on stderr.
RSS_WRAPPER = r"""
import os, sys, time
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.stderr.write("bench-rss-kib %d\n" % ru.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_with_rss(cmd, env=None):
    """Runs cmd under the wait4 wrapper; returns a dict with wall, rss_mib, stdout, stderr."""
    wall, out, err, rc = run_measured([sys.executable, "-c", RSS_WRAPPER] + cmd, env=env)
    m = re.search(r"bench-rss-kib (\d+)", err)
    rss = int(m.group(1)) / 1024.0 if m else float("nan")
    return {"wall_s": wall, "rss_mib": rss, "stdout": out, "stderr": err, "rc": rc}


def parse_yoso_stderr(err):
    """Pulls the -v timings out of yoso's stderr."""
    r = {}
    m = re.search(r"first kernel launch ([\d.]+) s", err)
    if m:
        r["first_launch_s"] = float(m.group(1))
    m = re.search(r"forward \d+×\d+: (.*?) total ([\d.]+) s; dense ([\d.]+) GFLOP at ([\d.]+) "
                  r"GFLOP/s; attention ([\d.]+) GFLOP", err)
    if m:
        for part in m.group(1).split(","):
            part = part.strip()
            if part:
                name, value, _ = part.split()
                r["phase_" + name] = float(value)
        r["forward_s"] = float(m.group(2))
        r["dense_gflops_rate"] = float(m.group(4))
    m = re.search(r"device memory: weights ([\d.]+) MiB, activations ([\d.]+) MiB", err)
    if m:
        r["device_mib"] = float(m.group(1)) + float(m.group(2))
        r["weights_mib"] = float(m.group(1))
    m = re.search(r"tokenize \+ forward \+ top-k in ([\d.]+) s", err)
    if m:
        r["call_s"] = float(m.group(1))
    m = re.search(r"GEMM backend: (.*)", err)
    if m:
        r["gemm"] = m.group(1).strip()
    return r


def bench_yoso(args, text, mode, caches):
    """One `yoso fill-mask` run with the given cache folders."""
    env = dict(os.environ, YOSO_CACHE_DIR=caches[0], POCL_CACHE_DIR=caches[1])
    cmd = [args.yoso, "fill-mask", "--json", "-v", "-m", args.model, "--attention", mode, text]
    if args.fp16:
        cmd.insert(2, "--fp16")
    r = run_with_rss(cmd, env)
    if r["rc"] != 0:
        msg = r["stderr"].strip().splitlines()[-1:] or ["?"]
        return {"error": msg[0]}
    out = parse_yoso_stderr(r["stderr"])
    out.update(wall_s=r["wall_s"], rss_mib=r["rss_mib"])
    out["answer"] = json.loads(r["stdout"].splitlines()[0])[0]["token_str"]
    return out


HF_WORKER = r"""
import json, os, sys, time
t0 = time.perf_counter()
import torch
from transformers import AutoTokenizer, YosoForMaskedLM, pipeline
from transformers.utils import logging
logging.set_verbosity_error()
torch.set_num_threads(os.cpu_count())
torch.set_grad_enabled(False)
model_dir, text = sys.argv[1], sys.stdin.read()
t1 = time.perf_counter()
tok = AutoTokenizer.from_pretrained(model_dir)
tok.model_max_length = 4096
model = YosoForMaskedLM.from_pretrained(model_dir, dtype=torch.float32).eval()
fill = pipeline("fill-mask", model=model, tokenizer=tok, device="cpu")
fill(text)  # warm-up on the same text: shape-specific first-call costs are not timed
t2 = time.perf_counter()
ids = tok(text, return_tensors="pt")
answer = fill(text)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "call_s": t3 - t2,
                  "answer": answer[0]["token_str"], "tokens": int(ids["input_ids"].shape[1])}))
"""


def bench_hf(args, text):
    """Hugging Face in a child process: load, a warm-up call, one timed pipeline call."""
    path = os.path.join(tempfile.gettempdir(), "yoso_bench_hf_worker.py")
    with open(path, "w") as f:
        f.write(HF_WORKER)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RSS_WRAPPER, sys.executable, path, args.model],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.communicate(text)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"error": (err.strip().splitlines() or ["?"])[-1]}
    r = json.loads(out.strip().splitlines()[-1])
    m = re.search(r"bench-rss-kib (\d+)", err)
    r["rss_mib"] = int(m.group(1)) / 1024.0 if m else float("nan")
    r["wall_s"] = wall
    return r


def sgemm_peak(reps=5):
    """Best GFLOP/s of 4096×768×3072 SGEMM: numpy, and the system OpenBLAS through cblas."""
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
    result = {"numpy": best}
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        fp = ctypes.POINTER(ctypes.c_float)
        sg = lib.cblas_sgemm
        sg.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, fp, ctypes.c_int, fp, ctypes.c_int,
                                            ctypes.c_float, fp, ctypes.c_int]
        pa, pb, pc = (x.ctypes.data_as(fp) for x in (a, b, c))
        best = 0.0
        for _ in range(reps):
            t = time.perf_counter()
            sg(101, 111, 112, m, n, k, 1.0, pa, k, pb, k, 0.0, pc, n)
            best = max(best, 2.0 * m * n * k / (time.perf_counter() - t) / 1e9)
        result["system_openblas"] = best
    except OSError:
        pass
    return result


def fmt(x, spec=".2f"):
    return "—" if x is None or x != x else format(x, spec)


def write_table(path, meta, rows):
    """The markdown table of one run."""
    peak = meta["peak"]["numpy"]
    lines = [
        f"Run: {meta['date']} · {meta['cpu']} ({meta['cores']} cores) · {meta['device']} · "
        f"GEMM: {meta['gemm']} · SGEMM peak (4096×768×3072): numpy {peak:.0f} GFLOP/s, system "
        f"OpenBLAS {meta['peak'].get('system_openblas', float('nan')):.0f} GFLOP/s · "
        f"weights {'fp16' if meta['fp16'] else 'fp32'}.",
        "",
        "| L | mode | yoso call s | HF call s | speed-up | yoso forward s | SGEMM peak GFLOP/s "
        "| dense GFLOP/s (% peak) "
        "| all GEMM GFLOP/s (% peak) | yoso peak RSS MiB | HF peak RSS MiB | device MiB "
        "| warm start → 1st kernel s | cold run wall s | warm run wall s | HF run wall s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        y, c, h = r["warm"], r["cold"], r["hf"]
        if "error" in y:
            lines.append(f"| {r['L']} | {r['mode']} | {y['error']} |" + " |" * 15)
            continue
        dense, attn = count_flops(r["L"])
        if r["mode"] != "expectation":
            attn = 0.0
        fwd = y.get("forward_s")
        call = y.get("call_s", y["wall_s"] - y.get("first_launch_s", 0.0))
        hf_call = h.get("call_s")
        d_rate = dense / fwd / 1e9 if fwd else None
        a_rate = (dense + attn) / fwd / 1e9 if fwd else None
        peak = r.get("peak", meta["peak"]["numpy"])
        lines.append(
            f"| {r['L']} | {r['mode']} | {fmt(call)} | {fmt(hf_call)} | "
            f"{fmt(hf_call / call if call and hf_call else None)}× | {fmt(fwd)} | "
            f"{fmt(peak, '.0f')} | "
            f"{fmt(d_rate, '.0f')} ({fmt(100 * d_rate / peak if d_rate else None, '.0f')} %) | "
            f"{fmt(a_rate, '.0f')} ({fmt(100 * a_rate / peak if a_rate else None, '.0f')} %) | "
            f"{fmt(y['rss_mib'], '.0f')} | {fmt(h.get('rss_mib'), '.0f')} | "
            f"{fmt(y.get('device_mib'), '.0f')} | {fmt(y.get('first_launch_s'))} | "
            f"{fmt(c.get('wall_s'))} | {fmt(y['wall_s'])} | {fmt(h.get('wall_s'))} |")
    lines += [
        "",
        "Call: one fill-mask answer, tokenization to top-k, after start-up (yoso: `-v`'s "
        "'tokenize + forward + top-k' of the warm run; HF: a `pipeline('fill-mask')` call in a "
        "warmed-up process). Speed-up = HF call / yoso call. yoso forward: the encoder + LM head "
        "at the mask, from `-v`. "
        "GFLOP/s: dense encoder FLOPs (and, for expectation, + the 4·L²·H attention GEMM FLOPs "
        "per layer) over the whole yoso forward; % of the numpy SGEMM peak measured right before "
        "that row's yoso runs. Peak RSS: the whole "
        "process (wait4), including the weights (on a CPU device, device memory is host memory). "
        "Cold run: empty YOSO_CACHE_DIR and POCL_CACHE_DIR; warm run: the same caches filled. "
        "HF runs expectation attention only (its LSH mode needs CUDA), so LSH rows compare with it.",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_plot(out_dir, rows):
    """bench.png: forward time against L for yoso (each mode) and HF, log-log, via gnuplot."""
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not found (apt-get install gnuplot-nox): no plot", file=sys.stderr)
        return
    data = os.path.join(out_dir, "bench.dat")
    with open(data, "w") as f:
        f.write("# L yoso_expectation yoso_lsh hf\n")
        for L in sorted({r["L"] for r in rows}):
            vals = []
            for mode in ("expectation", "lsh"):
                r = next((r for r in rows if r["L"] == L and r["mode"] == mode), None)
                y = r["warm"] if r else {}
                vals.append(y.get("call_s", "NaN"))
            hf = next((r["hf"].get("call_s") for r in rows if r["L"] == L and r["hf"]), None)
            f.write(f"{L} {vals[0]} {vals[1]} {hf if hf is not None else 'NaN'}\n")
    script = f"""
set terminal pngcairo size 900,560 noenhanced font ",11"
set output '{os.path.join(out_dir, "bench.png")}'
set title 'one fill-mask call (warm), yoso-4096-shaped model, same 2-core CPU'
set xlabel 'tokens L'
set ylabel 'seconds'
set logscale xy
set xrange [100:5200]
set xtics (128, 256, 512, 1024, 2048, 4096)
set key top left
set grid
set datafile missing 'NaN'
plot '{data}' using 1:4 with linespoints lw 2 title 'Hugging Face (PyTorch CPU, expectation)', \\
     '{data}' using 1:2 with linespoints lw 2 title 'yoso-cl expectation', \\
     '{data}' using 1:3 with linespoints lw 2 title 'yoso-cl LSH'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--yoso", default=os.path.join(REPO, "build", "yoso"))
    p.add_argument("--model", default=os.path.join(REPO, "bench-models", "yoso-4096-random"))
    p.add_argument("--lengths", default="128,512,1024,2048,4096")
    p.add_argument("--modes", default="expectation,lsh")
    p.add_argument("--fp16", action="store_true", help="yoso stores the weights as half")
    p.add_argument("--no-hf", action="store_true", help="skip Hugging Face")
    p.add_argument("--out", default=os.path.join(REPO, "docs", "bench"))
    p.add_argument("--replot", action="store_true",
                   help="only rewrite results.md and bench.png from OUT/results.json")
    args = p.parse_args()
    if args.replot:
        with open(os.path.join(args.out, "results.json")) as f:
            saved = json.load(f)
        write_table(os.path.join(args.out, "results.md"), saved["meta"], saved["rows"])
        write_plot(args.out, saved["rows"])
        return
    if not os.path.exists(os.path.join(args.model, "config.json")):
        raise SystemExit(f"bench: no model in {args.model}: run python3 tools/fixtures/make_full_model.py")
    os.makedirs(args.out, exist_ok=True)
    lengths = [int(x) for x in args.lengths.split(",")]
    modes = args.modes.split(",")

    print("bench: SGEMM peak ...", file=sys.stderr)
    peak = sgemm_peak()
    print(f"bench: peak {peak}", file=sys.stderr)
    rows = []
    for L in lengths:
        text = make_text(args.yoso, args.model, L)
        hf = {} if args.no_hf else bench_hf(args, text)
        print(f"bench: L={L} HF {json.dumps(hf)}", file=sys.stderr)
        for mode in modes:
            peak_now = sgemm_peak(3)["numpy"]
            with tempfile.TemporaryDirectory(prefix="yoso-bench-") as tmp:
                caches = (os.path.join(tmp, "yoso"), os.path.join(tmp, "pocl"))
                cold = bench_yoso(args, text, mode, caches)
                warm = bench_yoso(args, text, mode, caches)
            print(f"bench: L={L} {mode} cold {json.dumps(cold)}\n"
                  f"bench: L={L} {mode} warm {json.dumps(warm)}", file=sys.stderr)
            rows.append({"L": L, "mode": mode, "cold": cold, "warm": warm, "hf": hf,
                         "peak": peak_now})

    dev = subprocess.run([args.yoso, "devices"], capture_output=True, text=True).stdout
    device = next((ln.split(None, 1)[1].strip() for ln in dev.splitlines() if "*" in ln), "?")
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    gemm = next((r["warm"].get("gemm") for r in rows if r["warm"].get("gemm")), "?")
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "cores": os.cpu_count(),
            "device": device, "gemm": gemm, "peak": peak, "fp16": args.fp16}
    suffix = "-fp16" if args.fp16 else ""
    with open(os.path.join(args.out, f"results{suffix}.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    write_table(os.path.join(args.out, f"results{suffix}.md"), meta, rows)
    if not args.fp16:
        write_plot(args.out, rows)
    print(open(os.path.join(args.out, f"results{suffix}.md")).read())


if __name__ == "__main__":
    main()
