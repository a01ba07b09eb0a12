#!/usr/bin/env python3
"""Writes the checkpoint-loader fixtures under tests/data/loader/ (a few hundred KB in all).

A tiny YosoForMaskedLM (hidden 16, 2 heads, 1 layer, vocab 50, FFN 24, 32 positions) saved as
safetensors and as torch.save(state_dict()) in F32, F16 and BF16; a base YosoModel checkpoint; a
conv_window model; strided tensor views; the float32 values every tensor must load as
(reference_*.npy + reference_*.txt); and the bad inputs the C tests must refuse: broken
safetensors, broken zips, a pickle naming a foreign global (written opcode by opcode, never
unpickled here), checkpoints that do not match their config, and broken config.json files.

Run from the repository root: python3 tools/gen_loader_fixtures.py
"""
import copy
import json
import os
import shutil
import struct
import tempfile
import zipfile
import zlib

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import YosoConfig, YosoForMaskedLM, YosoModel

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "loader")
TINY = dict(vocab_size=50, hidden_size=16, num_attention_heads=2, num_hidden_layers=1,
            intermediate_size=24, max_position_embeddings=32)
DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def path(*parts):
    p = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def write_bytes(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def write_reference(stem, tensors):
    """Every tensor's float32 values, concatenated, plus an index: name offset ndim dims..."""
    flat, lines, offset = [], [], 0
    for name, t in tensors.items():
        v = t.detach().to(torch.float64 if not t.is_floating_point() else torch.float32)
        v = v.to(torch.float32).contiguous().reshape(-1).numpy()
        flat.append(v)
        dims = " ".join(str(d) for d in t.shape)
        lines.append(f"{name} {offset} {t.dim()} {dims}".rstrip())
        offset += v.size
    np.save(path(stem + ".npy"), np.concatenate(flat).astype("<f4"))
    with open(path(stem + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def tiny_model(**extra):
    torch.manual_seed(0)
    model = YosoForMaskedLM(YosoConfig(**TINY, **extra)).eval()
    with torch.no_grad():
        for p in model.parameters():  # non-trivial values everywhere, not just init's zeros/ones
            p.copy_(torch.randn_like(p) * 0.5)
        # Values that exercise the half conversions: signed zero, subnormal halves, the
        # smallest half subnormal, large finite values, values that round in bf16.
        special = torch.tensor([0.0, -0.0, 1e-6, -3e-7, 2.0 ** -24, -2.0 ** -24, 60000.0,
                                -1000.5, 3.14159265, 1.0 / 3.0, 1e-30, 6.1e-5, -6.0e-5, 7.0,
                                -65504.0, 0.1])
        model.yoso.embeddings.LayerNorm.bias.copy_(special)
    return model


def state_dict_in(model, dtype):
    return {k: v.to(dtype) for k, v in model.state_dict().items()}


def safetensors_dict(sd):
    """What save_pretrained writes: the tied decoder weight and bias left out."""
    return {k: v.contiguous() for k, v in sd.items() if not k.startswith("cls.predictions.decoder.")}


def save_pretrained_safetensors(model, name):
    with tempfile.TemporaryDirectory() as d:
        model.save_pretrained(d, safe_serialization=True)
        shutil.copy(os.path.join(d, "model.safetensors"), path(name))
        return json.load(open(os.path.join(d, "config.json")))


# ---------------------------------------------------------------------------------------------
# zip and safetensors writers for the hand-made files


def write_zip(name, entries, zip64=False, compress=False):
    """A zip of stored entries (or deflated ones); zip64 puts 0xFFFFFFFF in the central directory
    and the real values in zip64 extra fields, with zip64 end records."""
    out, central = bytearray(), bytearray()
    for ename, data in entries:
        n = ename.encode()
        body = zlib.compress(data)[2:-4] if compress else data
        crc = zlib.crc32(data)
        method = 8 if compress else 0
        local_off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(body),
                           len(data), len(n), 0) + n + body
        if zip64:
            extra = struct.pack("<HHQQQ", 1, 24, len(data), len(body), local_off)
            sizes = (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        else:
            extra, sizes = b"", (len(body), len(data), local_off)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0, crc,
                               sizes[0], sizes[1], len(n), len(extra), 0, 0, 0, 0,
                               sizes[2]) + n + extra
    cd_off = len(out)
    out += central
    count = len(entries)
    if zip64:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                           len(central), cd_off)
        out += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), cd_off, 0)
    write_bytes(name, bytes(out))


def zip_entries(filename):
    with zipfile.ZipFile(path(filename)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def write_safetensors(name, header, data, header_len=None):
    """A safetensors file from a header dict (or raw text) and the data area's bytes."""
    text = header if isinstance(header, (bytes, str)) else json.dumps(header)
    text = text.encode() if isinstance(text, str) else text
    n = len(text) if header_len is None else header_len
    write_bytes(name, struct.pack("<Q", n) + text + data)


# ---------------------------------------------------------------------------------------------


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    model = tiny_model()
    config = save_pretrained_safetensors(model, "tiny_f32.safetensors")
    with open(path("config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)

    # The same model in three dtypes, as safetensors (save_pretrained) and .bin (torch.save).
    for tag, dtype in DTYPES.items():
        half = copy.deepcopy(model).to(dtype)
        if tag != "f32":
            save_pretrained_safetensors(half, f"tiny_{tag}.safetensors")
        torch.save(half.state_dict(), path(f"tiny_{tag}.bin"))
        write_reference(f"reference_{tag}", state_dict_in(model, dtype))

    # A base YosoModel (no "yoso." prefix, no head) with the same encoder weights.
    base = YosoModel(YosoConfig(**TINY)).eval()
    base.load_state_dict({k[5:]: v for k, v in model.state_dict().items() if k.startswith("yoso.")})
    save_file({k: v.contiguous() for k, v in base.state_dict().items()},
              path("base_f32.safetensors"), metadata={"format": "pt"})
    torch.save(base.state_dict(), path("base_f32.bin"))

    # A model with the depthwise conv branch (conv_window 3).
    conv = tiny_model(conv_window=3)
    conv_config = save_pretrained_safetensors(conv, os.path.join("conv", "model.safetensors"))
    with open(path("conv", "config.json"), "w") as f:
        json.dump(conv_config, f, indent=2, sort_keys=True)

    # Strided views: torch.save keeps the whole storage plus offset/size/stride.
    torch.manual_seed(1)
    w = torch.randn(8, 6)
    views = {
        "transposed": w.t(),
        "sliced": w[2:5, 1::2],
        "row": w[7],
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
        "expanded": torch.arange(3.0).expand(2, 3),
        "half_transposed": w.half().t(),
        "bf16_column": w.bfloat16()[:, 4],
        "int64": torch.arange(6, dtype=torch.int64).view(2, 3),
        "int32_t": torch.arange(6, dtype=torch.int32).view(2, 3).t(),
        "param": torch.nn.Parameter(torch.randn(3, 2)),
    }
    torch.save(views, path("views.bin"))
    write_reference("views_reference", views)

    # torch.save's own zip re-packed with zip64 extra fields in the central directory.
    write_zip("tiny_f32_zip64.bin", zip_entries("tiny_f32.bin"), zip64=True)

    # ---- bad .bin files ----
    # A pickle that names os.system: PROTO 2, GLOBAL 'os system', ('echo pwned',), REDUCE, STOP.
    evil = (b"\x80\x02" + b"cos\nsystem\nq\x00" + b"X\x0a\x00\x00\x00echo pwned" + b"\x85q\x01"
            + b"Rq\x02" + b".")
    write_zip("foreign_global.bin", [("archive/data.pkl", evil), ("archive/byteorder", b"little"),
                                     ("archive/version", b"3\n")])
    # The same idea hidden inside a state dict, after a valid tensor entry: builtins.eval.
    tiny = zip_entries("tiny_f32.bin")
    pkl = dict(tiny)["tiny_f32/data.pkl"]
    assert pkl.endswith(b"."), "data.pkl must end with STOP"
    sneaky = pkl[:-1] + b"cbuiltins\neval\nX\x03\x00\x00\x001+1\x85R."  # STOP replaced
    write_zip("foreign_global_in_state_dict.bin",
              [(n, sneaky if n.endswith("data.pkl") else d) for n, d in tiny])
    raw = open(path("tiny_f32.bin"), "rb").read()
    write_bytes("truncated.bin", raw[: len(raw) // 2])
    write_bytes("truncated_tail.bin", raw[:-10])
    write_zip("compressed.bin", tiny, compress=True)
    write_zip("missing_storage.bin", [(n, d) for n, d in tiny if n != "tiny_f32/data/3"])
    write_zip("short_storage.bin", [(n, d[:-4] if n == "tiny_f32/data/3" else d) for n, d in tiny])
    torch.save({"a": torch.ones(2)}, path("legacy.bin"), _use_new_zipfile_serialization=False)
    torch.save({"epoch": 3, "model": {"a": torch.ones(2)}}, path("not_state_dict.bin"))
    torch.save({"d": torch.ones(2, dtype=torch.float64)}, path("float64.bin"))

    # ---- safetensors files for the reader ----
    a = np.arange(6, dtype="<f4") * 0.5 - 1.0
    b = np.array([1.0, -2.0, 0.5, 65504.0], dtype="<f2")
    data = a.tobytes() + b.tobytes()
    good = {"__metadata__": {"format": "pt"},
            "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
            "b": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]}}
    write_safetensors("small.safetensors", good, data)

    def variant(name, **changes):
        h = json.loads(json.dumps(good))
        for key, entry in changes.items():
            h[key] = entry
        write_safetensors(name, h, data)

    write_bytes("st_empty.safetensors", b"")
    write_bytes("st_tiny.safetensors", b"\x10\x00\x00")
    raw = open(path("small.safetensors"), "rb").read()
    write_bytes("st_truncated.safetensors", raw[:-5])
    write_safetensors("st_header_too_big.safetensors", good, data, header_len=200 * 1024 * 1024)
    write_safetensors("st_header_past_end.safetensors", good, data, header_len=5000)
    variant("st_overlap.safetensors", b={"dtype": "F16", "shape": [4], "data_offsets": [20, 28]})
    variant("st_outside.safetensors",
            b={"dtype": "F16", "shape": [500000], "data_offsets": [24, 1000024]})
    variant("st_begin_after_end.safetensors",
            b={"dtype": "F16", "shape": [0], "data_offsets": [32, 24]})
    variant("st_bad_dtype.safetensors", b={"dtype": "F64", "shape": [1], "data_offsets": [24, 32]})
    variant("st_size_mismatch.safetensors",
            a={"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 24]})
    variant("st_negative_shape.safetensors",
            a={"dtype": "F32", "shape": [-2, -3], "data_offsets": [0, 24]})
    variant("st_missing_offsets.safetensors", a={"dtype": "F32", "shape": [2, 3]})
    variant("st_entry_not_object.safetensors", a=[1, 2, 3])
    write_safetensors("st_not_json.safetensors", b'{"a": {"dtype": "F32", "shape": [2, 3],', data)
    text = json.dumps(good)
    write_safetensors("st_duplicate.safetensors", text[:-1] + ', "a": ' + json.dumps(good["a"])
                      + "}", data)
    nan = a.copy()
    nan[4] = np.nan
    write_safetensors("st_nan.safetensors", good, nan.tobytes() + b.tobytes())
    inf = b.copy()
    inf[2] = np.inf
    write_safetensors("st_inf_f16.safetensors", good, a.tobytes() + inf.tobytes())

    # ---- checkpoints that do not match config.json ----
    sd = safetensors_dict(model.state_dict())
    q = "yoso.encoder.layer.0.attention.self.query.weight"
    save_file({**sd, q: torch.zeros(16, 8)}, path("w_wrong_shape.safetensors"))
    save_file({k: v for k, v in sd.items() if k != "yoso.encoder.layer.0.output.dense.bias"},
              path("w_missing.safetensors"))
    save_file({**sd, "yoso.encoder.layer.0.attention.self.query.bias":
               torch.arange(16, dtype=torch.int64)}, path("w_int_dtype.safetensors"))
    renamed = {("cls.predictions.decoder.bias" if k == "cls.predictions.bias" else k): v
               for k, v in sd.items()}
    save_file(renamed, path("w_decoder_bias.safetensors"))
    extra = dict(sd)
    for k, v in sd.items():
        if k.startswith("yoso.encoder.layer.0."):
            extra[k.replace("layer.0.", "layer.1.")] = v.clone()
    save_file(extra, path("w_extra_layer.safetensors"))
    save_file({**sd, "yoso.encoder.layer.0.attention.self.conv.weight": torch.zeros(2, 1, 3, 1)},
              path("w_unexpected_conv.safetensors"))

    # ---- config.json files ----
    def cfg(name, text=None, drop=(), **changes):
        c = dict(config)
        for k in drop:
            del c[k]
        c.update(changes)
        with open(path("configs", name), "w") as f:
            f.write(text if text is not None else json.dumps(c, indent=2, sort_keys=True))

    full = YosoConfig().to_dict()  # the uw-madison/yoso-4096 values, plus a transformers 4 field
    full["position_embedding_type"] = "absolute"
    full["architectures"] = ["YosoForMaskedLM"]
    with open(path("configs", "yoso4096.json"), "w") as f:
        json.dump(full, f, indent=2, sort_keys=True)
    cfg("minimal.json", text=json.dumps(TINY))
    cfg("two_layers.json", num_hidden_layers=2)
    cfg("eos_list_pad_null.json", eos_token_id=[2, 3], pad_token_id=None)
    cfg("missing_hidden_size.json", drop=["hidden_size"])
    cfg("hidden_size_zero.json", hidden_size=0)
    cfg("hidden_size_string.json", hidden_size="16")
    cfg("hidden_size_float.json", hidden_size=16.5)
    cfg("heads_not_dividing.json", num_attention_heads=3)
    cfg("hash_code_len_17.json", hash_code_len=17)
    cfg("hash_code_len_0.json", hash_code_len=0)
    cfg("vocab_negative.json", vocab_size=-5)
    cfg("vocab_huge.json", vocab_size=10 ** 12)
    cfg("layers_huge.json", num_hidden_layers=100000)
    cfg("hidden_act_relu.json", hidden_act="relu")
    cfg("hidden_act_number.json", hidden_act=3)
    cfg("position_relative.json", position_embedding_type="relative_key")
    cfg("use_expectation_string.json", use_expectation="true")
    cfg("conv_even.json", conv_window=4)
    cfg("conv_string.json", conv_window="3")
    cfg("tie_false.json", tie_word_embeddings=False)
    cfg("model_type_bert.json", model_type="bert")
    cfg("eps_negative.json", layer_norm_eps=-1e-12)
    cfg("pad_out_of_range.json", pad_token_id=50)
    cfg("not_json.json", text='{"hidden_size": 16,')
    cfg("not_object.json", text="[1, 2, 3]")
    cfg("empty.json", text="")

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {sum(len(fs) for _, _, fs in os.walk(OUT))} files, {total} bytes, under {OUT}")


if __name__ == "__main__":
    main()
