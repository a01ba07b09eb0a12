#!/usr/bin/env python3
"""Exhaustive check of the C pre-tokenizer against Hugging Face's (a developer tool, not a test).

1. Every Unicode code point (but U+0000, which --jsonl cannot carry, and the surrogates) in the
   contexts the GPT-2 split regex tells apart: after/before letters, digits, punctuation,
   spaces, tabs, runs of itself, an apostrophe.
2. Every string of 4 symbols over a small alphabet of tricky pieces (letters, digits, ', s,
   spaces, tabs, newlines, é, U+2003, <mask>), which covers the hand-written ASCII matcher.
Both run through `yoso tokenize --jsonl` and HF's tokenizer; any difference is printed.
Run after building, from the repository root:
    python3 tools/check_tokenizer_unicode.py [path/to/yoso]
Takes about two minutes here. Rerun it when the PCRE2 version changes (its Unicode tables).
"""
import glob
import itertools
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_tokenizer_fixtures import BPE_DIR, load_hf  # noqa: E402


def run_c(yoso, texts):
    data = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()
    out = subprocess.run([yoso, "tokenize", "--jsonl", "--max-length", "0", "-m", BPE_DIR],
                         input=data, capture_output=True, check=True).stdout.decode()
    return [json.loads(line)["ids"] for line in out.splitlines()]


def compare(name, yoso, tok, texts):
    hf = [e.ids for e in tok.backend_tokenizer.encode_batch(texts)]
    mine = run_c(yoso, texts)
    assert len(mine) == len(hf)
    bad = [t for t, a, b in zip(texts, hf, mine) if a != b]
    print(f"{name}: {len(texts)} texts, {len(bad)} differ")
    return bad


def context(c):
    return f"a{c}a {c}1{c}!{c} {c}  {c}\t{c}x{c}{c} '{c} {c}{c}"


def main():
    yoso = sys.argv[1] if len(sys.argv) > 1 else next(iter(sorted(glob.glob("build*/yoso"))), "")
    if not os.path.exists(yoso):
        sys.exit("yoso not found: build it, or pass its path")
    tok = load_hf()
    cps = [c for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    groups = [cps[i:i + 32] for i in range(0, len(cps), 32)]
    bad_groups = compare("code points (groups of 32)", yoso, tok,
                         ["|".join(context(chr(c)) for c in g) for g in groups])
    bad_cps = []
    if bad_groups:
        suspects = [c for g in groups if "|".join(context(chr(c)) for c in g) in bad_groups
                    for c in g]
        bad_cps = compare("suspect code points", yoso, tok, [context(chr(c)) for c in suspects])
        print("differing code points:", [f"U+{ord(t[1]):04X}" for t in bad_cps][:50])
    alphabet = ["a", "B", "1", "!", "'", "s", "l", " ", "\t", "\n", "\u00e9", "\u00a0",
                "\u2003", "\u0663", "\x0b", "\x1c", "<mask>"]
    combos = ["".join(p) for n in range(1, 5) for p in itertools.product(alphabet, repeat=n)]
    bad_combos = compare("combinations", yoso, tok, combos)
    for t in bad_combos[:20]:
        print("  ", repr(t))
    return 1 if bad_cps or bad_groups or bad_combos else 0


if __name__ == "__main__":
    sys.exit(main())
