#!/usr/bin/env python3
"""Writes the golden model fixtures under tests/data/models/ with the real Hugging Face YOSO code.

Usage (from the repository root; about a minute on one CPU core):

    python3 tools/gen_model_fixtures.py [--out tests/data/models] [--only tiny,odd,...]

Each fixture is a folder <out>/<name>/ with config.json, the weights (model.safetensors from
save_pretrained, or pytorch_model.bin from torch.save(state_dict)), input_ids.npy (int32 [B, L]),
attention_mask.npy (int32 [B, L], all ones: HF's mask is a no-op, so every row is unpadded), and
the float32 goldens logits.npy [B, L, V] and/or hidden.npy [B, L, H] (last_hidden_state).
Random weights (torch.manual_seed per fixture, initializer_range 0.2, LayerNorm gains/shifts and
all biases randomized too), float32 compute, model.eval(), no grad, use_expectation=True.
After writing, every folder is reloaded with from_pretrained and must reproduce its goldens to
1e-6. <out>/summary.json records per fixture the shapes, max |logit| and the distance of the
float32 goldens from a float64 run of the same weights (the noise floor of the goldens).
See tests/data/models/README.md.
"""

import argparse
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_util as fu  # noqa: E402
from transformers import YosoConfig, YosoForMaskedLM, YosoModel  # noqa: E402
from transformers.activations import ACT2FN  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

INIT_RANGE = 0.2

# name -> how to build it. "like" reuses another fixture's weights and ids; "store" picks files.
FIXTURES = {
    "tiny": dict(seed=1, cls="mlm", batch=2, length=16,
                 config=dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2,
                             num_attention_heads=4, intermediate_size=128,
                             max_position_embeddings=64)),
    # head_scale shrinks the LM-head transform so its LayerNorm sees a tiny variance and the
    # golden depends strongly on layer_norm_eps (1e-5 here).
    "odd": dict(seed=2, cls="mlm", batch=3, length=23, head_scale=0.02,
                config=dict(vocab_size=500, hidden_size=48, num_hidden_layers=2,
                            num_attention_heads=3, intermediate_size=100,
                            max_position_embeddings=64, hash_code_len=6, layer_norm_eps=1e-5)),
    "long4096": dict(seed=3, cls="mlm", batch=1, length=4096,
                     config=dict(vocab_size=100, hidden_size=32, num_hidden_layers=1,
                                 num_attention_heads=2, intermediate_size=64,
                                 max_position_embeddings=4096)),
    "realvocab": dict(seed=4, cls="mlm", batch=1, length=12,
                      config=dict(vocab_size=50265, hidden_size=32, num_hidden_layers=2,
                                  num_attention_heads=2, intermediate_size=64,
                                  max_position_embeddings=512)),
    "f16": dict(like="tiny", weights="f16", format="safetensors"),
    "conv": dict(seed=5, cls="mlm", batch=2, length=16,
                 config=dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2,
                             num_attention_heads=4, intermediate_size=128,
                             max_position_embeddings=64, conv_window=3)),
    "base": dict(seed=6, cls="base", batch=2, length=16,
                 config=dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2,
                             num_attention_heads=4, intermediate_size=128,
                             max_position_embeddings=64)),
    "tiny-bin": dict(like="tiny", weights="f32", format="bin"),
    "tiny-bin-f16": dict(like="tiny", weights="f16", format="bin"),
}


def build_model(spec):
    """Builds the randomly initialized float32 model of a fixture and its ids [B, L] (int64)."""
    torch.manual_seed(spec["seed"])
    config = YosoConfig(initializer_range=INIT_RANGE, use_expectation=True, **spec["config"])
    model = (YosoForMaskedLM if spec["cls"] == "mlm" else YosoModel)(config)
    fu.perturb_params(model)
    if "head_scale" in spec:
        model.cls.predictions.transform.dense.weight.mul_(spec["head_scale"])
        model.cls.predictions.transform.dense.bias.mul_(spec["head_scale"])
    model.eval()
    ids = fu.random_ids(spec["batch"], spec["length"], config.vocab_size)
    return model, ids


def run_model(model, ids):
    """Runs model on unpadded ids; returns (logits [B,L,V] or None, hidden [B,L,H]) as numpy."""
    mask = torch.ones_like(ids)
    if isinstance(model, YosoForMaskedLM):
        out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        return out.logits.float().numpy(), out.hidden_states[-1].float().numpy()
    out = model(input_ids=ids, attention_mask=mask)
    return None, out.last_hidden_state.float().numpy()


def rounded_to_f16(model):
    """Returns (f16 copy for saving, f32 copy holding the fp16-rounded weights for computing)."""
    half = copy.deepcopy(model).half()
    return half, copy.deepcopy(half).float()


def write_fixture(name, folder, save_model, compute_model, ids, store_logits):
    """Saves the weights and the goldens of one fixture; returns its summary entry."""
    os.makedirs(folder, exist_ok=True)
    for old in ("model.safetensors", "pytorch_model.bin", "logits.npy", "hidden.npy"):
        if os.path.exists(os.path.join(folder, old)):
            os.remove(os.path.join(folder, old))
    if FIXTURES[name].get("format") == "bin":
        fu.save_bin(save_model, folder)
    else:
        save_model.save_pretrained(folder, safe_serialization=True)
    logits, hidden = run_model(compute_model, ids)
    ref_logits, ref_hidden = run_model(copy.deepcopy(compute_model).double(), ids)
    for arr in (logits, hidden):
        if arr is not None and not np.isfinite(arr).all():
            raise RuntimeError(f"{name}: non-finite output (acos of |cos| > 1?)")
    fu.save_npy(os.path.join(folder, "input_ids.npy"), ids.numpy(), np.int32)
    fu.save_npy(os.path.join(folder, "attention_mask.npy"), np.ones(ids.shape), np.int32)
    entry = dict(cls=type(compute_model).__name__, batch=int(ids.shape[0]),
                 length=int(ids.shape[1]),
                 weights="f16" if FIXTURES[name].get("weights") == "f16" else "f32",
                 format=FIXTURES[name].get("format", "safetensors"),
                 hidden_f64_max_abs_diff=float(np.abs(hidden - ref_hidden).max()),
                 max_abs_hidden=float(np.abs(hidden).max()))
    fu.save_npy(os.path.join(folder, "hidden.npy"), hidden, np.float32)
    if logits is not None and store_logits:
        fu.save_npy(os.path.join(folder, "logits.npy"), logits, np.float32)
        entry["max_abs_logit"] = float(np.abs(logits).max())
        entry["logits_std"] = float(logits.std())
        entry["logits_f64_max_abs_diff"] = float(np.abs(logits - ref_logits).max())
    return entry, logits


def variant_diff(model, ids, logits, change):
    """Max |logits - logits of a copy of model modified by change(copy)|: how far a C
    implementation that got that detail wrong would land from the goldens."""
    other = copy.deepcopy(model)
    change(other)
    return float(np.abs(run_model(other, ids)[0] - logits).max())


def set_layer_norm_eps(model, eps):
    """Sets eps of every LayerNorm in model."""
    for module in model.modules():
        if isinstance(module, torch.nn.LayerNorm):
            module.eps = eps


def set_hash_code_len(model, tau):
    """Sets the expectation exponent tau of every attention layer."""
    for layer in model.yoso.encoder.layer:
        layer.attention.self.lsh_config["hash_code_len"] = tau


def set_tanh_gelu(model):
    """Replaces the exact erf GELU with the tanh approximation everywhere."""
    for layer in model.yoso.encoder.layer:
        layer.intermediate.intermediate_act_fn = ACT2FN["gelu_new"]
    model.cls.predictions.transform.transform_act_fn = ACT2FN["gelu_new"]


def zero_conv(model):
    """Drops the depthwise conv branch (zero weights)."""
    for layer in model.yoso.encoder.layer:
        layer.attention.self.conv.weight.zero_()


def sensitivities(name, model, ids, logits, unrounded):
    """Distances of the goldens from plausible wrong implementations, for the summary."""
    out = {}
    if name == "tiny":
        out["tanh_gelu"] = variant_diff(model, ids, logits, set_tanh_gelu)
        out["layer_norm_eps_1e-5"] = variant_diff(model, ids, logits,
                                                  lambda m: set_layer_norm_eps(m, 1e-5))
    if name == "odd":
        out["layer_norm_eps_1e-12"] = variant_diff(model, ids, logits,
                                                   lambda m: set_layer_norm_eps(m, 1e-12))
        out["hash_code_len_9"] = variant_diff(model, ids, logits, lambda m: set_hash_code_len(m, 9))
    if name == "conv":
        out["conv_dropped"] = variant_diff(model, ids, logits, zero_conv)
    if name in ("f16", "tiny-bin-f16"):
        out["unrounded_f32_weights"] = float(np.abs(run_model(unrounded, ids)[0] - logits).max())
    return out


def verify_fixture(name, folder):
    """Reloads folder with from_pretrained (float32) and checks it reproduces the goldens to 1e-6."""
    config = YosoConfig.from_pretrained(folder)
    cls = YosoModel if config.architectures == ["YosoModel"] else YosoForMaskedLM
    model, info = cls.from_pretrained(folder, dtype=torch.float32, output_loading_info=True)
    model.eval()
    if info["missing_keys"] or info["mismatched_keys"]:
        raise RuntimeError(f"{name}: reload reports {info}")
    ids = torch.from_numpy(np.load(os.path.join(folder, "input_ids.npy")).astype(np.int64))
    logits, hidden = run_model(model, ids)
    worst = float(np.abs(hidden - np.load(os.path.join(folder, "hidden.npy"))).max())
    if os.path.exists(os.path.join(folder, "logits.npy")):
        worst = max(worst, float(np.abs(logits - np.load(os.path.join(folder, "logits.npy"))).max()))
    if worst > 1e-6:
        raise RuntimeError(f"{name}: reloaded model differs from the goldens by {worst}")
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(fu.REPO_ROOT, "tests", "data", "models"))
    parser.add_argument("--only", default="", help="comma-separated fixture names (default all)")
    args = parser.parse_args()
    fu.setup_torch()
    hf_logging.disable_progress_bar()
    names = [n for n in FIXTURES if not args.only or n in args.only.split(",")]
    summary_path = os.path.join(args.out, "summary.json")
    summary = {}
    if os.path.exists(summary_path):
        with open(summary_path, encoding="utf-8") as f:
            summary = json.load(f)
    built = {}
    for name in names:
        spec = FIXTURES[name]
        base = spec.get("like", name)
        if base not in built:
            built[base] = build_model(FIXTURES[base])
        model, ids = built[base]
        save_model = compute_model = model
        if spec.get("weights") == "f16":
            save_model, compute_model = rounded_to_f16(model)
        folder = os.path.join(args.out, name)
        entry, logits = write_fixture(name, folder, save_model, compute_model, ids,
                                      store_logits=True)
        if logits is not None:
            entry["logits_max_abs_diff_if"] = sensitivities(name, compute_model, ids, logits, model)
        entry["seed"] = FIXTURES[base]["seed"]
        entry["reload_max_abs_diff"] = verify_fixture(name, folder)
        entry["bytes"] = fu.dir_size(folder)
        summary[name] = entry
        print(f"{name:13s} max|logit| {entry.get('max_abs_logit', float('nan')):8.4f}  "
              f"|f32-f64| {entry.get('logits_f64_max_abs_diff', entry['hidden_f64_max_abs_diff']):.2e}"
              f"  reload {entry['reload_max_abs_diff']:.1e}  {entry['bytes'] / 1e6:6.2f} MB")
    with open(summary_path, "w", encoding="utf-8") as f:
        json.dump(dict(sorted(summary.items())), f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
