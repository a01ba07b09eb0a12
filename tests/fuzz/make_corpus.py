#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/ (committed; CI
never runs Python). Deterministic: rerunning gives the same bytes with the same torch version.
Files named regress_* are inputs that once failed a target; they are kept as they are.

    python3 tests/fuzz/make_corpus.py
"""
import io
import json
import os
import struct
import zipfile
from collections import OrderedDict

import torch
from safetensors.torch import save as st_save

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus")


def write(target, name, data):
    """Writes one seed file."""
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def torch_bytes(state):
    """torch.save of a state dict as bytes (the zip format pytorch_model.bin uses)."""
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def safetensors_seeds():
    """Small safetensors files: every dtype, metadata, an empty and a zero-size tensor."""
    ar = torch.arange(24, dtype=torch.float32)
    write("fuzz_safetensors", "f32.safetensors", st_save({"a.weight": ar[:6].reshape(2, 3)}))
    write("fuzz_safetensors", "f16_bf16.safetensors",
          st_save({"h": ar[:4].half(), "b": ar[:4].reshape(2, 2).bfloat16()}))
    write("fuzz_safetensors", "ints_meta.safetensors",
          st_save({"i": torch.arange(3), "j": torch.arange(2, dtype=torch.int32)},
                  metadata={"format": "pt"}))
    write("fuzz_safetensors", "zero_size.safetensors",
          st_save({"z": torch.zeros(0, 4), "s": torch.tensor(1.5)}))
    write("fuzz_safetensors", "empty.safetensors", st_save({}))


def torch_seeds():
    """Small torch.save zips: dtypes, shared storages with views, an OrderedDict with metadata."""
    ar = torch.arange(16, dtype=torch.float32)
    write("fuzz_torch_zip", "f32.bin", torch_bytes({"w": ar.reshape(4, 4), "b": ar[:4].clone()}))
    write("fuzz_torch_zip", "half.bin", torch_bytes({"h": ar[:4].half(), "b": ar[:4].bfloat16()}))
    base = ar.reshape(4, 4)
    write("fuzz_torch_zip", "views.bin", torch_bytes({"t": base, "row": base[1], "col": base[:, 2],
                                                       "tr": base.t()}))
    od = OrderedDict([("x", ar[:2].clone()), ("y", torch.arange(3))])
    od._metadata = OrderedDict([("", {"version": 1})])
    write("fuzz_torch_zip", "ordered_meta.bin", torch_bytes(od))


def pickle_seeds():
    """data.pkl of state dicts whose storages are exactly 64 bytes, named "0".."3" (what
    fuzz_torch_pickle's wrapper archive provides)."""
    def f32():
        return torch.arange(16, dtype=torch.float32)

    states = {
        "plain.pkl": {"a": f32().reshape(4, 4)},
        "views.pkl": (lambda t: {"t": t, "row": t[2], "col": t[:, 1], "tr": t.t()})(
            f32().reshape(4, 4)),
        "dtypes.pkl": {"f": f32(), "h": torch.arange(32).half(), "b": torch.arange(32).bfloat16(),
                       "i": torch.arange(8)},
        "ordered.pkl": OrderedDict([("x.weight", f32().reshape(2, 8)), ("x.bias", f32()[3:7])]),
    }
    states["ordered.pkl"]._metadata = OrderedDict([("x", {"version": 1})])
    for name, state in states.items():
        with zipfile.ZipFile(io.BytesIO(torch_bytes(state))) as z:
            prefix = z.namelist()[0].split("/")[0]
            for n in z.namelist():
                if "/data/" in n:
                    assert z.getinfo(n).file_size == 64, (name, n)
                    assert n.rsplit("/", 1)[1] in "0123", (name, n)
            write("fuzz_torch_pickle", name, z.read(prefix + "/data.pkl"))


def config_seeds():
    """Real config.json files of the golden fixtures, plus a minimal and a YOSO-4096 one."""
    for name in ("tiny", "odd", "conv"):
        with open(os.path.join(ROOT, "tests/data/models", name, "config.json"), "rb") as f:
            write("fuzz_config", name + ".json", f.read())
    write("fuzz_config", "minimal.json", json.dumps(
        {"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
         "intermediate_size": 16, "max_position_embeddings": 8}).encode())
    write("fuzz_config", "yoso4096.json", json.dumps(
        {"model_type": "yoso", "vocab_size": 50265, "hidden_size": 768, "num_hidden_layers": 12,
         "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 4096,
         "type_vocab_size": 1, "layer_norm_eps": 1e-12, "use_expectation": True,
         "hash_code_len": 9, "num_hash": 64, "conv_window": None, "use_fast_hash": True,
         "hidden_act": "gelu", "position_embedding_type": "absolute", "pad_token_id": 1,
         "bos_token_id": 0, "eos_token_id": [2], "tie_word_embeddings": True}, indent=2).encode())


def bytes_to_unicode():
    """GPT-2's byte → printable character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def vocab_merges_seeds():
    """A small byte-level BPE (the 256 byte symbols, specials, a few merges) as
    vocab.json NUL merges.txt."""
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    merges = [("Ġ", "l"), ("Ġl", "o"), ("Ġlo", "w"), ("e", "r"), ("Ġlow", "er"), ("e", "s"),
              ("es", "t"), ("Ġlow", "est"), ("H", "e"), ("He", "l"), ("Hel", "l"), ("Hell", "o"),
              ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("l", "d"), ("Ġwor", "ld")]
    vocab = {}
    for t in specials + sorted(set(bytes_to_unicode().values())):
        vocab.setdefault(t, len(vocab))
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab["<mask>"] = len(vocab)
    text = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)
    v = json.dumps(vocab, ensure_ascii=False).encode()
    write("fuzz_vocab_merges", "small.bin", v + b"\0" + text.encode())
    write("fuzz_vocab_merges", "crlf_noheader.bin",
          v + b"\0" + "".join(f"{a} {b}\r\n" for a, b in merges[:8]).encode())
    write("fuzz_vocab_merges", "no_merges.bin", json.dumps(vocab, ensure_ascii=True).encode())


def tokenize_seeds():
    """Texts for fuzz_tokenize; the first byte is the mode (0 plain, 1 truncated, 2 ids,
    3 specials)."""
    texts = [
        b"\x00Hello world",
        b"\x00caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80"
        b" it's 12,5%",
        b"\x00  spaces\t\ttabs\nnew\r\nlines   ",
        b"\x00\xff\xfe not UTF-8 \xc0\xaf \xed\xa0\x80",
        b"\x21Paris is the <mask> of France. " * 3,
        b"\x03Hello <mask> and [MASK] and </s> <pad><unk>",
        b"\x02" + struct.pack("<8i", 0, 31414, 232, 2, 50264, 1, 3, 812),
    ]
    for i, t in enumerate(texts):
        write("fuzz_tokenize", f"seed{i}.txt", t)


def main():
    # start clean, but keep the regression seeds (inputs that once failed), named regress_*
    for root, _, files in os.walk(OUT):
        for f in files:
            if not f.startswith("regress_"):
                os.remove(os.path.join(root, f))
    torch.manual_seed(0)
    safetensors_seeds()
    torch_seeds()
    pickle_seeds()
    config_seeds()
    vocab_merges_seeds()
    tokenize_seeds()


if __name__ == "__main__":
    main()
