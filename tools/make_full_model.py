#!/usr/bin/env python3
"""Writes a random checkpoint shaped exactly like uw-madison/yoso-4096, for manual and benchmark
runs (its output is git-ignored and must not be committed).

Usage (from the repository root):

    python3 tools/make_full_model.py [FOLDER] [--bin] [--f16] [--seed N] [--init-range R]

FOLDER defaults to bench-models/yoso-4096-random. It receives config.json (YosoConfig defaults:
vocab 50265, hidden 768, 12 layers, 12 heads, FFN 3072, max_position 4096, hash_code_len 9,
num_hash 64, no conv; plus yoso-4096's `"tokenizer_class": "AlbertTokenizer"`, which HF ignores
because tokenizer_config.json names the class), model.safetensors (float32, ~510 MB, 127,449,945
parameters; from save_pretrained, so without the tied cls.predictions.decoder.* tensors) and
roberta-base's tokenizer files (vocab.json, merges.txt, tokenizer_config.json,
special_tokens_map.json). --bin also writes pytorch_model.bin the way the real checkpoint is
(torch.save of the state dict, tied tensors sharing storage, the int64 position_ids buffer);
--f16 stores every weight as float16 instead. Weights: HF's init (normal, std --init-range,
default 0.02 as in YosoConfig), LayerNorm gains 1 + 0.2·N(0,1), biases 0.2·N(0,1),
cls.predictions.bias N(0,1). At the end it runs HF once on "Hello world" ([0, 31414, 232, 2])
and prints logits[0, :3, :3] so the folder can be compared with `yoso logits` and
tools/hf_reference.py.
"""

import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_util as fu  # noqa: E402
from transformers import YosoConfig, YosoForMaskedLM  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?",
                        default=os.path.join(fu.REPO_ROOT, "bench-models", "yoso-4096-random"))
    parser.add_argument("--bin", action="store_true", help="also write pytorch_model.bin")
    parser.add_argument("--f16", action="store_true", help="store the weights as float16")
    parser.add_argument("--seed", type=int, default=4096)
    parser.add_argument("--init-range", type=float, default=0.02)
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    torch.set_num_threads(2)
    hf_logging.disable_progress_bar()

    start = time.time()
    torch.manual_seed(args.seed)
    config = YosoConfig(initializer_range=args.init_range, tokenizer_class="AlbertTokenizer")
    model = YosoForMaskedLM(config)
    fu.perturb_params(model)
    model.eval()
    if args.f16:
        model = model.half()
    os.makedirs(args.folder, exist_ok=True)
    for old in ("model.safetensors", "pytorch_model.bin"):
        if os.path.exists(os.path.join(args.folder, old)):
            os.remove(os.path.join(args.folder, old))
    model.save_pretrained(args.folder, safe_serialization=True)
    if args.bin:
        fu.save_bin(model, args.folder)
    fu.write_tokenizer_files(args.folder)
    fu.check_tokenizer(args.folder)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.folder}: {params:,} parameters, {fu.dir_size(args.folder) / 1e6:.1f} MB "
          f"in {time.time() - start:.1f} s")

    reloaded = YosoForMaskedLM.from_pretrained(args.folder, dtype=torch.float32).eval()
    logits = reloaded(input_ids=torch.tensor([[0, 31414, 232, 2]])).logits
    print("HF float32 logits[0, :3, :3] for [0, 31414, 232, 2]:")
    print(logits[0, :3, :3].numpy())


if __name__ == "__main__":
    main()
