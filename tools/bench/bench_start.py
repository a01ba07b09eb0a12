#!/usr/bin/env python3
"""Start-up benchmark: cold and warm start of `yoso fill-mask` to its first answer, side by side
for one or more yoso builds, in interleaved rounds on the same machine.

Usage (from the repository root, after building):

    python3 tools/bench/bench_start.py [--yoso build/yoso [--yoso other/build/yoso ...]]
                                       [--model DIR] [--tokens 128] [--rounds 3] [--out FILE.md]

Each round runs every build (the order rotating from round to round) three ways, each as a new
process answering one text of --tokens tokens with -v:
  cold  empty YOSO_CACHE_DIR and POCL_CACHE_DIR (fresh temporary folders: every kernel compiles),
  warm  the caches that cold run filled, the same text,
  new   the same caches, a text one token longer (a new shape: shows compiles at first launch).
It reports per build and way the median wall time from the process start to its exit after the
answer, the medians of the phases `yoso -v` prints: device ready (program build or cache load,
self-check, GEMM backend), weights loaded, forward, and of the process's CPU time (user +
system: on a shared machine less noisy than the wall time). /proc/loadavg (1 min) is read before
and after every run; the machine's CPU and ISA head the table. Stdlib only (no numpy).
The model defaults to the fill-mask test fixture (tests/data/fillmask/model: 2 layers, hidden
32, the full vocabulary); the 12-layer bench model is `--model bench-models/yoso-4096-random`.
"""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_e2e  # noqa: E402  (loadavg, cpu_info, make_text)

WAYS = ("cold", "warm", "new")
PHASES = {"ready": r"ready in ([0-9.]+) s", "weights": r"weights loaded in ([0-9.]+) s",
          "forward": r"forward [^\n]*total ([0-9.]+) s"}


def run_once(yoso, model, text, caches, attention):
    """One fill-mask process with the given cache folders: (wall s, {phase: s}, load pair); the
    phases include "cpu", the process's user + system seconds (less sensitive to the load)."""
    env = dict(os.environ, YOSO_CACHE_DIR=caches[0], POCL_CACHE_DIR=caches[1])
    load0 = bench_e2e.loadavg()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    cmd = [yoso, "fill-mask", "-v", "-m", model] + (["--attention", attention] if attention else [])
    r = subprocess.run(cmd + [text], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"bench: {yoso} failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
    phases = {}
    for name, pattern in PHASES.items():
        m = re.search(pattern, r.stderr)
        phases[name] = float(m.group(1)) if m else float("nan")
    phases["cpu"] = ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime
    return wall, phases, (load0, bench_e2e.loadavg())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--yoso", action="append", help="a yoso binary (repeat to compare builds)")
    p.add_argument("--model", default="tests/data/fillmask/model")
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--attention", choices=["expectation", "lsh"],
                   help="yoso's --attention (default: the model's config)")
    p.add_argument("--out", help="also write the table to this Markdown file")
    p.add_argument("--keep-openblas-coretype", action="store_true",
                   help="leave $OPENBLAS_CORETYPE as the environment sets it (default: unset)")
    args = p.parse_args()
    blas_note = bench_e2e.openblas_unpin(args.keep_openblas_coretype)
    builds = args.yoso or ["build/yoso"]
    texts = [bench_e2e.make_text(builds[0], args.model, n) for n in (args.tokens, args.tokens + 1)]
    cpu, isa = bench_e2e.cpu_info()
    runs = {(b, w): [] for b in builds for w in WAYS}
    loads = []
    tmp = tempfile.mkdtemp(prefix="yoso-bench-start-")
    try:
        for r in range(args.rounds):
            for i in range(len(builds)):
                b = builds[(i + r) % len(builds)]
                caches = (os.path.join(tmp, f"{r}-{i}", "yoso"), os.path.join(tmp, f"{r}-{i}", "pocl"))
                for way in WAYS:
                    wall, phases, load = run_once(b, args.model, texts[way == "new"], caches,
                                                  args.attention)
                    runs[(b, way)].append((wall, phases))
                    loads += load
                    print(f"bench: round {r} {b} {way}: {wall:.2f} s {phases} load {load}",
                          file=sys.stderr)
                shutil.rmtree(os.path.join(tmp, f"{r}-{i}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    attention = f" --attention {args.attention}" if args.attention else ""
    lines = [f"Start-up of `yoso fill-mask{attention}` at {args.tokens} tokens, model {args.model}: "
             f"{time.strftime('%Y-%m-%d %H:%M')} · {cpu} · ISA {isa} · {os.cpu_count()} cores · "
             f"{blas_note} · load {min(loads):.2f}–{max(loads):.2f} · {args.rounds} rounds, medians", "",
             "| build | start | to the answer (process wall) s | device ready s | weights s | "
             "forward s | CPU s |", "|---|---|---:|---:|---:|---:|---:|"]
    for b in builds:
        for way in WAYS:
            rs = runs[(b, way)]
            med = [statistics.median(x[0] for x in rs)] + [
                statistics.median(x[1][k] for x in rs) for k in (*PHASES, "cpu")]
            lines.append(f"| {b} | {way} | " + " | ".join(f"{v:.2f}" for v in med) + " |")
    lines += ["", "cold: empty YOSO_CACHE_DIR and POCL_CACHE_DIR; warm: the caches the cold run "
              "filled, same text; new: the same caches, a text one token longer."]
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
