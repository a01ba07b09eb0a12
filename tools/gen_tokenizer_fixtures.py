#!/usr/bin/env python3
"""Asks the real Hugging Face tokenizer (the oracle) for the fixtures of the C tokenizer tests.

Reads  tests/data/roberta-bpe/{vocab.json,merges.txt}   (roberta-base's files)
       tests/data/tokenizer/corpus.jsonl                (tools/gen_tokenizer_corpus.py)
Writes tests/data/tokenizer/expected.jsonl      ids, tokens, decodings of every corpus text
       tests/data/tokenizer/decode_cases.jsonl  decodings of random id lists (U+FFFD handling)
       tests/data/tokenizer/truncation.jsonl    ids with truncation=True, max_length=N
       tests/data/tokenizer/variants.json       other special-token configs and their ids
       tests/data/tokenizer/roberta-json/tokenizer.json   the same tokenizer as tokenizer.json

The tokenizer is built the way roberta-base's tokenizer_config.json describes it:
RobertaTokenizer from vocab.json + merges.txt, mask_token an AddedToken with lstrip=True,
rstrip=False, normalized=False; add_prefix_space False; <s> … </s> around each text.

`[MASK]` is not a token of HF's tokenizer (it splits it into pieces); our tokenizer reads it as
the mask. So for texts with `[MASK]` the expected ids are HF's ids of the same text with
`<mask>` written instead ("hf_text").

CI never runs this; the C tests read what it writes. Run it from the repository root:
    python3 tools/gen_tokenizer_fixtures.py
"""
import json
import os
import random
import shutil
import sys
import tempfile

import tokenizers
import transformers
from tokenizers import AddedToken, Tokenizer
from transformers import RobertaTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BPE_DIR = os.path.join(ROOT, "tests", "data", "roberta-bpe")
OUT_DIR = os.path.join(ROOT, "tests", "data", "tokenizer")


def load_hf(folder=BPE_DIR, **kwargs):
    """roberta-base's tokenizer as transformers builds it from vocab.json + merges.txt."""
    if "mask_token" not in kwargs:
        kwargs["mask_token"] = AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False,
                                          special=True)
    return RobertaTokenizer.from_pretrained(folder, **kwargs)


def read_corpus():
    with open(os.path.join(OUT_DIR, "corpus.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def write_jsonl(name, rows):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {os.path.relpath(path, ROOT)}")


def text_fields(text):
    """{"text": …}, plus "text_hex" (UTF-8 bytes) when cJSON could not carry the text (U+0000)."""
    row = {"text": text}
    if "\0" in text:
        row["text_hex"] = text.encode("utf-8").hex()
    return row


def check_design_facts(tok):
    """The ids DESIGN.md §4 states; a wrong tokenizer build fails here, not in C."""
    assert tok("Hello world")["input_ids"] == [0, 31414, 232, 2]
    for word, want in [(" capital", 812), (" Republic", 3497), (" French", 1515),
                       (" Paris", 2201), (" President", 270)]:
        assert tok(word, add_special_tokens=False)["input_ids"] == [want], word
    assert tok.mask_token_id == 50264 and tok.pad_token_id == 1
    assert tok("a <mask>")["input_ids"] == [0, 102, 50264, 2], "mask must lstrip"


def expected_rows(tok, texts):
    rows = []
    for text in texts:
        hf_text = text.replace("[MASK]", "<mask>")
        ids = tok(hf_text)["input_ids"]
        rust = tok.backend_tokenizer.encode(hf_text).ids
        assert rust == ids, f"transformers and tokenizers disagree on {text!r}"
        skip = tok.decode(ids, skip_special_tokens=True)
        row = text_fields(text)
        if hf_text != text:
            row["hf_text"] = hf_text
        row.update({
            "ids": ids,
            "tokens": tok.convert_ids_to_tokens(ids),
            "decoded": tok.decode(ids),
            "decoded_skip": skip,
            "decoded_cleanup": tok.clean_up_tokenization(skip),
            "token_strs": [tok.decode([i]) for i in ids],
        })
        rows.append(row)
    return rows


def decode_rows(tok, count=300, seed=7):
    """Random id lists: byte tokens (which split UTF-8 sequences), specials, ordinary tokens."""
    rng = random.Random(seed)
    vocab = len(tok)
    alphabet = sorted(tok.backend_tokenizer.pre_tokenizer.alphabet())  # a set: fix the order
    byte_ids = [tok.convert_tokens_to_ids(c) for c in alphabet]
    specials = [0, 1, 2, 3, 50264]
    rows = []
    for i in range(count):
        n = rng.randint(1, 24)
        ids = []
        for _ in range(n):
            r = rng.random()
            if r < 0.45:
                ids.append(rng.choice(byte_ids))
            elif r < 0.55:
                ids.append(rng.choice(specials))
            else:
                ids.append(rng.randrange(vocab))
        skip = tok.decode(ids, skip_special_tokens=True)
        rows.append({"ids": ids, "decoded": tok.decode(ids), "decoded_skip": skip,
                     "decoded_cleanup": tok.clean_up_tokenization(skip)})
    return rows


def truncation_rows(tok, texts):
    rows = []
    picks = [t for t in texts if 12 <= len(tok(t.replace("[MASK]", "<mask>"))["input_ids"]) <= 80]
    for text in picks[:25]:
        hf_text = text.replace("[MASK]", "<mask>")
        full = len(tok(hf_text)["input_ids"])
        for max_length in sorted({2, 3, 5, full - 1, full, full + 1}):
            ids = tok(hf_text, truncation=True, max_length=max_length)["input_ids"]
            rows.append({**text_fields(text), "max_length": max_length, "ids": ids})
    return rows


VARIANT_TEXTS = ["Hello <mask> world", "a  <mask>  b", "<mask>", "x\t<mask>\ty", "[MASK] z",
                 "<s> <pad> </s> <unk>", "Hello world", "yoso is fast", "yosofast yoso",
                 "a yoso, b", "x <sep2>  y", "yo yoso yoyo", "\u00e9yoso yoso_ 1yoso",
                 "a<sep2><mask>b", "<sep2>\u3000<sep2>\u00a0"]

VARIANTS = [
    {   # the mask written out without lstrip, with rstrip: it eats the spaces after it instead
        "name": "mask_rstrip_no_lstrip",
        "files": {"tokenizer_config.json": {
            "tokenizer_class": "RobertaTokenizer",
            "mask_token": {"__type": "AddedToken", "content": "<mask>", "lstrip": False,
                           "rstrip": True, "normalized": False, "single_word": False,
                           "special": True}}},
    },
    {   # what transformers saves for roberta-base: special_tokens_map.json with the mask dict
        "name": "special_tokens_map_lstrip",
        "files": {"special_tokens_map.json": {
            "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
            "pad_token": "<pad>", "cls_token": "<s>",
            "mask_token": {"content": "<mask>", "single_word": False, "lstrip": True,
                           "rstrip": False, "normalized": False}}},
    },
    {   # added tokens: single_word, lstrip+rstrip, normalized (second pass) and not, one whose
        # string is already in the vocabulary (HF keeps the vocabulary's id, not the one asked)
        "name": "added_tokens",
        "files": {"tokenizer_config.json": {
            "tokenizer_class": "RobertaTokenizer",
            "mask_token": {"__type": "AddedToken", "content": "<mask>", "lstrip": True,
                           "rstrip": False, "normalized": False, "single_word": False,
                           "special": True},
            "added_tokens_decoder": {
                "50265": {"content": "yoso", "lstrip": False, "rstrip": False,
                          "normalized": True, "single_word": True, "special": False},
                "50266": {"content": "<sep2>", "lstrip": True, "rstrip": True,
                          "normalized": False, "single_word": False, "special": True},
                "50267": {"content": "yo", "lstrip": False, "rstrip": False,
                          "normalized": True, "single_word": False, "special": False}}}},
    },
    {   # add_prefix_space: a space before each stretch of text (after <s>, between added tokens)
        "name": "add_prefix_space",
        "files": {"tokenizer_config.json": {
            "tokenizer_class": "RobertaTokenizer", "add_prefix_space": True,
            "mask_token": {"__type": "AddedToken", "content": "<mask>", "lstrip": True,
                           "rstrip": False, "normalized": False, "single_word": False,
                           "special": True}}},
    },
]


def variant_rows():
    out = []
    for v in VARIANTS:
        with tempfile.TemporaryDirectory() as d:
            for name in ("vocab.json", "merges.txt"):
                shutil.copy(os.path.join(BPE_DIR, name), d)
            for name, content in v["files"].items():
                with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                    json.dump(content, f)
            tok = RobertaTokenizer.from_pretrained(d)
            cases = []
            for t in VARIANT_TEXTS:
                ids = tok(t.replace("[MASK]", "<mask>"))["input_ids"]
                cases.append({"text": t, "ids": ids, "decoded": tok.decode(ids),
                              "decoded_skip": tok.decode(ids, skip_special_tokens=True)})
            out.append({"name": v["name"], "files": v["files"], "vocab_size": len(tok),
                        "cases": cases})
    return out


def main():
    print(f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}")
    tok = load_hf()
    check_design_facts(tok)
    texts = read_corpus()
    expected = expected_rows(tok, texts)
    write_jsonl("expected.jsonl", expected)
    write_jsonl("decode_cases.jsonl", decode_rows(tok))
    write_jsonl("truncation.jsonl", truncation_rows(tok, texts))

    variants = variant_rows()
    path = os.path.join(OUT_DIR, "variants.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(variants, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(variants)} variants to {os.path.relpath(path, ROOT)}")

    # the same tokenizer as one tokenizer.json; check it encodes the corpus identically
    json_dir = os.path.join(OUT_DIR, "roberta-json")
    os.makedirs(json_dir, exist_ok=True)
    json_path = os.path.join(json_dir, "tokenizer.json")
    fresh = load_hf().backend_tokenizer  # truncation_rows left truncation set on `tok`
    assert fresh.truncation is None and fresh.padding is None
    fresh.save(json_path, pretty=False)
    reloaded = Tokenizer.from_file(json_path)
    for row in expected:
        text = row.get("hf_text", row["text"])
        assert reloaded.encode(text).ids == row["ids"], f"tokenizer.json differs on {text!r}"
    print(f"wrote {os.path.relpath(json_path, ROOT)} ({os.path.getsize(json_path)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
