#!/usr/bin/env python3
"""bench_serve.py — load benchmark of `yoso serve` on loopback (stdlib only, bounded): fill-mask
requests/s and p50/p99 latency at 1, 8 and 64 concurrent clients, with dynamic batching and
one request at a time (--max-batch-requests 1); then the server's RSS over 10,000 requests.

    python3 tools/bench/bench_serve.py [--cli build/yoso] [-m tests/data/fillmask/model] [--seconds 5]
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "server"))
os.environ.setdefault("YOSO_CLI", "build/yoso")
import serve_util  # noqa: E402

TEXTS = ["Paris is the <mask> of France.", "The <mask> sat on the mat.",
         "In 1905 Einstein published four papers that changed physics, and the <mask> of them was special relativity.",
         "word " * 120 + "<mask>."]


def run_load(server, clients, seconds, requests_cap=None):
    """clients threads send fill-mask requests for `seconds` (or until requests_cap in all)."""
    lat, lock, stop = [], threading.Lock(), time.time() + seconds
    failures = [0]

    def client(k):
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        i = k
        while time.time() < stop:
            with lock:
                if requests_cap is not None and len(lat) >= requests_cap:
                    return
            body = json.dumps({"inputs": TEXTS[i % len(TEXTS)]})
            t0 = time.perf_counter()
            c.request("POST", "/fill-mask", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                failures[0] += r.status != 200
            i += 1

    t0 = time.time()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t0
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
    return len(lat) / wall, pct(0.50), pct(0.99), len(lat), failures[0]


def rss(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.environ["YOSO_CLI"])
    ap.add_argument("-m", "--model", default=serve_util.FILL_MODEL)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--leak-requests", type=int, default=10000)
    a = ap.parse_args()
    serve_util.CLI = a.cli
    print("| batching | clients | requests/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---|---|---|---|---|")
    for label, extra in [("dynamic (default)", []), ("off (--max-batch-requests 1)", ["--max-batch-requests", "1"])]:
        s = serve_util.Server(*extra, model=a.model)
        try:
            run_load(s, 64, 3)  # warm-up: PoCL specializes kernels per new launch shape on first use
            for clients in (1, 8, 64):
                rps, p50, p99, n, bad = run_load(s, clients, a.seconds)
                print(f"| {label} | {clients} | {rps:.1f} | {p50:.1f} | {p99:.1f} | {n} | {bad} |", flush=True)
        finally:
            s.stop()
    s = serve_util.Server(model=a.model)
    try:
        run_load(s, 8, 2)
        before = rss(s.proc.pid)
        half = None
        done = 0
        while done < a.leak_requests:
            _, _, _, n, bad = run_load(s, 8, 600, requests_cap=min(1000, a.leak_requests - done))
            done += n
            if half is None and done >= a.leak_requests // 2:
                half = rss(s.proc.pid)
        after = rss(s.proc.pid)
        print(f"\nRSS over {done} requests: {before:.1f} MiB after warm-up, {half:.1f} MiB at half, {after:.1f} MiB at the end")
    finally:
        s.stop()


if __name__ == "__main__":
    main()
