#!/usr/bin/env python3
"""Exports a Hugging Face YosoForMaskedLM folder to ONNX for the ONNX Runtime contender of
tools/bench/bench_e2e.py (benchmarks only; CI never needs it).

Usage (from the repository root; pip install onnxruntime onnx):

    python3 tools/bench/export_onnx.py [--model DIR] [--out DIR] [--opset 17]

Writes into OUT (default MODEL/onnx):
- full.onnx: input_ids, attention_mask [1, L] int64 → logits [1, L, V], as HF computes them;
- head_at_mask.onnx: input_ids, attention_mask [1, L], mask_index [1] int64 → logits [1, V] of
  the token at mask_index only (the encoder, then the LM head on one row, as yoso does);
- head_at_mask_batch.onnx: the same for a padded batch, input_ids, attention_mask [B, L],
  mask_index [B] → logits [B, V] (tools/bench/bench_throughput.py).
All come from torch.onnx.export's legacy TorchScript exporter (dynamo=False), opset 17, with a
dynamic sequence length. Each graph is then run once in ONNX Runtime (ORT_ENABLE_ALL) on a
short and a longer input and compared with HF; the script fails when the largest logit
difference exceeds --tolerance.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class HeadAtMask(torch.nn.Module):
    """The encoder, then the LM head at one position only."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, mask_index):
        hidden = self.model.yoso(input_ids=input_ids, attention_mask=attention_mask)[0]
        row = torch.index_select(hidden[0], 0, mask_index)  # [1, H]
        return self.model.cls(row)


class HeadAtMaskBatch(HeadAtMask):
    """HeadAtMask for a padded batch: the LM head at mask_index[b] of each row b."""

    def forward(self, input_ids, attention_mask, mask_index):
        hidden = self.model.yoso(input_ids=input_ids, attention_mask=attention_mask)[0]
        rows = hidden[torch.arange(hidden.shape[0]), mask_index]  # [B, H]
        return self.model.cls(rows)


class Full(torch.nn.Module):
    """HF's logits for every position."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def export(module, args, names, dynamic, path, opset):
    """torch.onnx.export with the legacy exporter."""
    torch.onnx.export(module, args, path, input_names=names, output_names=["logits"],
                      dynamic_axes=dynamic, opset_version=opset, do_constant_folding=True,
                      dynamo=False)


def session(path, threads):
    """An ONNX Runtime CPU session with all graph optimizations and `threads` intra-op threads."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=os.path.join(REPO, "bench-models", "yoso-4096-random"))
    p.add_argument("--out", help="output folder (default MODEL/onnx)")
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--tolerance", type=float, default=1e-4,
                   help="largest allowed |ORT − HF| logit difference")
    p.add_argument("--check-length", type=int, default=300, help="tokens of the longer check")
    args = p.parse_args()
    out = args.out or os.path.join(args.model, "onnx")
    os.makedirs(out, exist_ok=True)
    from transformers import YosoForMaskedLM
    from transformers.utils import logging
    logging.set_verbosity_error()
    torch.set_grad_enabled(False)
    torch.set_num_threads(os.cpu_count())
    model = YosoForMaskedLM.from_pretrained(args.model, dtype=torch.float32).eval()
    start = time.time()
    L = 16
    ids = torch.randint(5, model.config.vocab_size, (1, L))
    am = torch.ones(1, L, dtype=torch.int64)
    dyn = {"input_ids": {1: "tokens"}, "attention_mask": {1: "tokens"}}
    full_path, head_path = os.path.join(out, "full.onnx"), os.path.join(out, "head_at_mask.onnx")
    batch_path = os.path.join(out, "head_at_mask_batch.onnx")
    # The wrappers are made in eval mode: the exporter restores each module's mode afterwards,
    # and a wrapper left in training mode would switch HF's dropout on for the checks below.
    export(Full(model).eval(), (ids, am), ["input_ids", "attention_mask"], dict(dyn, logits={1: "tokens"}),
           full_path, args.opset)
    export(HeadAtMask(model).eval(), (ids, am, torch.tensor([3])),
           ["input_ids", "attention_mask", "mask_index"], dyn, head_path, args.opset)
    bdyn = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "mask_index": {0: "batch"}, "logits": {0: "batch"}}
    export(HeadAtMaskBatch(model).eval(), (ids.repeat(2, 1), am.repeat(2, 1), torch.tensor([3, 5])),
           ["input_ids", "attention_mask", "mask_index"], bdyn, batch_path, args.opset)
    print(f"export_onnx: wrote {full_path}, {head_path} and {batch_path} in "
          f"{time.time() - start:.1f} s")

    model.eval()
    worst = 0.0
    full, head = session(full_path, os.cpu_count()), session(head_path, os.cpu_count())
    batch = session(batch_path, os.cpu_count())
    for n in (7, args.check_length):
        x = torch.randint(5, model.config.vocab_size, (1, n))
        m = torch.ones(1, n, dtype=torch.int64)
        ref = model(input_ids=x, attention_mask=m).logits[0].numpy()
        got = full.run(None, {"input_ids": x.numpy(), "attention_mask": m.numpy()})[0][0]
        pos = n // 2
        one = head.run(None, {"input_ids": x.numpy(), "attention_mask": m.numpy(),
                              "mask_index": np.array([pos], np.int64)})[0][0]
        # two unpadded rows (HF's padding mask is a no-op, so only equal lengths compare)
        two = batch.run(None, {"input_ids": x.repeat(2, 1).numpy(),
                               "attention_mask": m.repeat(2, 1).numpy(),
                               "mask_index": np.array([pos, n - 1], np.int64)})[0]
        d_full = float(np.abs(got - ref).max())
        d_head = float(np.abs(one - ref[pos]).max())
        d_batch = float(np.abs(two - ref[[pos, n - 1]]).max())
        print(f"export_onnx: L={n}: max |ORT − HF| full {d_full:.2e}, head at mask {d_head:.2e}, "
              f"batched head at mask {d_batch:.2e}")
        worst = max(worst, d_full, d_head, d_batch)
    if worst > args.tolerance:
        raise SystemExit(f"export_onnx: ORT differs from HF by {worst:.2e} > {args.tolerance:.0e}: "
                         "the export is wrong (check the torch and onnx versions)")


if __name__ == "__main__":
    sys.exit(main())
