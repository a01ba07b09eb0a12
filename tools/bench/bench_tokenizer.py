#!/usr/bin/env python3
"""Tokenizer speed, side by side: Hugging Face `tokenizers` (Rust) and ours (tools/bench/bench_tokenizer.c).

Generates a few MB of text (deterministic: Zipf-distributed words taken from the vocabulary,
sentences with punctuation, numbers, capitals, glued compounds, and lines of the multilingual
test corpus), writes it one document per line, then
  - HF: Tokenizer.from_file(tests/data/tokenizer/roberta-json/tokenizer.json), encode line by
    line (one core), encode_batch and encode_batch_fast (no offsets) over the lines (Rayon: all
    cores);
  - C:  bench_tokenizer -m tests/data/roberta-bpe on the same file (one thread, and --threads N);
checks that both produce the same ids (count + FNV-1a checksum), and prints MB/s.
Not a test; run from the repository root after building:
    python3 tools/bench/bench_tokenizer.py [--bench build-tok/bench_tokenizer] [--mb 4]
"""
import argparse
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_text(target_bytes, seed=2024):
    """Documents of English-like text, one per line."""
    rng = random.Random(seed)
    with open(os.path.join(ROOT, "tests", "data", "roberta-bpe", "vocab.json"),
              encoding="utf-8") as f:
        vocab = json.load(f)
    # vocabulary ids follow merge order, a fair proxy for frequency: Zipf over that order
    words = [w[1:] for w, _ in sorted(vocab.items(), key=lambda kv: kv[1])
             if w.startswith("\u0120") and w[1:].isalpha() and w[1:].isascii()]
    weights = [1.0 / (rank + 10) for rank in range(len(words))]
    with open(os.path.join(ROOT, "tests", "data", "tokenizer", "corpus.jsonl"),
              encoding="utf-8") as f:
        extra = [json.loads(line)["text"].replace("\n", " ") for line in f]
        # HF does not know [MASK] (ours reads it as <mask>): give both the same text
        extra = [t.replace("[MASK]", "<mask>") for t in extra if "\0" not in t and len(t) < 400]
    docs, size = [], 0
    while size < target_bytes:
        sentences = []
        for _ in range(rng.randint(3, 12)):
            n = rng.randint(4, 25)
            ws = rng.choices(words, weights, k=n)
            for i in range(n):
                r = rng.random()
                if r < 0.04:
                    ws[i] = str(rng.randint(0, 10 ** rng.randint(1, 6)))
                elif r < 0.07:
                    ws[i] = ws[i].capitalize()
                elif r < 0.09:
                    ws[i] = ws[i] + rng.choice(words)  # a compound the vocabulary lacks
                elif r < 0.12:
                    ws[i] = ws[i] + rng.choice([",", ";", ":", "'s", "n't", ")", "\""])
            s = " ".join(ws)
            sentences.append(s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", "!", "..."]))
        if rng.random() < 0.15:
            sentences.append(rng.choice(extra))
        doc = " ".join(sentences)
        docs.append(doc)
        size += len(doc.encode("utf-8")) + 1
    return "\n".join(docs) + "\n"


def fnv(ids_lists):
    """64-bit FNV-1a over the ids as little-endian int32 (what bench_tokenizer.c computes)."""
    h = 0xCBF29CE484222325
    for ids in ids_lists:
        for b in b"".join(i.to_bytes(4, "little") for i in ids):
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, times[0], min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", help="path of the bench_tokenizer program")
    ap.add_argument("--mb", type=float, default=4.0, help="megabytes of text")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bench = args.bench or next(iter(sorted(glob.glob(os.path.join(ROOT, "build*",
                                                                  "bench_tokenizer")))), None)
    if not bench or not os.path.exists(bench):
        sys.exit("bench_tokenizer not found: build first, or pass --bench PATH")

    text = make_text(int(args.mb * 1e6))
    lines = text.split("\n")[:-1]
    nbytes = len(text.encode("utf-8"))
    mb = nbytes / 1e6
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        tok = Tokenizer.from_file(os.path.join(ROOT, "tests", "data", "tokenizer", "roberta-json",
                                               "tokenizer.json"))
        batch, hf_batch_first, hf_batch_best = best_of(lambda: tok.encode_batch(lines),
                                                       args.repeat)
        tok1 = Tokenizer.from_file(os.path.join(ROOT, "tests", "data", "tokenizer",
                                                "roberta-json", "tokenizer.json"))
        _, hf_one_first, hf_one_best = best_of(lambda: [tok1.encode(s) for s in lines],
                                               args.repeat)
        fast = None
        if hasattr(tok, "encode_batch_fast"):  # no offsets: HF's quickest path
            fast_out, fast_first, fast_best = best_of(lambda: tok.encode_batch_fast(lines),
                                                      args.repeat)
            assert [e.ids for e in fast_out] == [e.ids for e in batch]
            fast = (fast_first, fast_best)
        hf_ids = [e.ids for e in batch]
        hf_count, hf_sum = sum(len(i) for i in hf_ids), fnv(hf_ids)

        model = os.path.join(ROOT, "tests", "data", "roberta-bpe")
        one = json.loads(subprocess.run([bench, "-m", model, "--repeat", str(args.repeat), path],
                                        check=True, capture_output=True, text=True).stdout)
        threads = os.cpu_count() or 1
        many = json.loads(subprocess.run([bench, "-m", model, "--repeat", str(args.repeat),
                                          "--threads", str(threads), path],
                                         check=True, capture_output=True, text=True).stdout)
    finally:
        os.unlink(path)

    same = one["ids"] == hf_count and one["checksum"] == hf_sum
    print(f"text: {mb:.2f} MB, {len(lines)} lines, {hf_count} ids "
          f"({'identical ids' if same else 'IDS DIFFER'}: C {one['ids']} / {one['checksum']}, "
          f"HF {hf_count} / {hf_sum})")
    print(f"{'':38s} {'first pass':>12s} {'best of ' + str(args.repeat):>12s}")
    rows = [
        ("HF tokenizers encode, 1 thread", hf_one_first, hf_one_best),
        (f"HF tokenizers encode_batch, {threads} threads", hf_batch_first, hf_batch_best),
    ] + ([(f"HF tokenizers encode_batch_fast, {threads} thr.", *fast)] if fast else []) + [
        ("C yoso tokenizer, 1 thread", one["first_s"], one["best_s"]),
        (f"C yoso tokenizer, {threads} threads", many["first_s"], many["best_s"]),
    ]
    for name, first, best in rows:
        print(f"{name:38s} {mb / first:9.2f} MB/s {mb / best:9.2f} MB/s")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
