#!/usr/bin/env python3
"""Runs Hugging Face YOSO (float32, CPU) on a model folder and writes its logits (or hidden
states) as .npy, for manual comparisons with `yoso logits`.

Usage (from the repository root):

    python3 tools/hf_reference.py -m MODEL_DIR --ids "0,5,6,2;0,7,2,1" --out logits.npy
    python3 tools/hf_reference.py -m MODEL_DIR --ids-npy tests/data/models/tiny/input_ids.npy \\
        --out /tmp/ref.npy
    python3 tools/hf_reference.py -m MODEL_DIR --text "Paris is the <mask> of France." --out x.npy
    python3 tools/hf_reference.py -m MODEL_DIR --ids "0,5,6,2" --hidden --out hidden.npy

and then, e.g.:

    build/yoso logits -m MODEL_DIR --ids "0,5,6,2;0,7,2,1" --out ours.npy
    python3 -c "import numpy as n; print(abs(n.load('ours.npy') - n.load('logits.npy')).max())"

Input (one of): --ids "a,b,c;d,e,f" (rows separated by ';', the same syntax as `yoso logits`),
--ids-npy FILE (int [B, L]), or --text T (repeatable; tokenized with the folder's tokenizer, which
must then be there; `[MASK]` is rewritten to `<mask>`). Rows of different lengths are padded on
the right with pad id 1 and mask 0. --attention-mask "1,1,1,0;..." or --attention-mask-npy FILE
give an explicit mask; default all ones (besides that padding).

Output: float32 C-order .npy, [B, L, V] logits of YosoForMaskedLM, or with --hidden the encoder's
last_hidden_state [B, L, H]. A base YosoModel checkpoint (architectures ["YosoModel"]) only has
--hidden. Weights stored as float16 are upcast to float32 (computation is always float32). The
ids and the mask actually used are printed on stderr.

Caveats: (1) HF ignores the attention mask (it turns it into all ones), so padded rows give
different results from ours (we mask padding for real, DESIGN.md section 2): compare padded
batches row by row against unpadded single runs instead. (2) Only expectation attention runs on
CPU in HF (its LSH mode needs a CUDA kernel); this script forces use_expectation=True.
(3) HF's acos is not clamped: a NaN in the output means |cos| > 1 somewhere.
"""

import argparse
import os
import sys

import numpy as np
import torch


def parse_rows(spec):
    """Parses "a,b,c;d,e" into a list of int lists."""
    rows = [r for r in spec.split(";") if r.strip()]
    return [[int(x) for x in r.split(",") if x.strip()] for r in rows]


def pad_rows(rows, pad_id):
    """Pads int rows on the right to one length; returns (ids [B, L], mask [B, L]) int64 arrays."""
    length = max(len(r) for r in rows)
    ids = np.full((len(rows), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), length), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return ids, mask


def load_inputs(args, pad_id):
    """Builds (ids, mask) int64 [B, L] from the command-line options."""
    given = [args.ids is not None, args.ids_npy is not None, bool(args.text)]
    if sum(given) != 1:
        sys.exit("hf_reference: give exactly one of --ids, --ids-npy, --text")
    if args.ids is not None:
        ids, mask = pad_rows(parse_rows(args.ids), pad_id)
    elif args.ids_npy is not None:
        ids = np.load(args.ids_npy).astype(np.int64)
        ids = ids[None, :] if ids.ndim == 1 else ids
        mask = np.ones_like(ids)
    else:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(args.model)
        rows = [tok(t.replace("[MASK]", "<mask>"))["input_ids"] for t in args.text]
        ids, mask = pad_rows(rows, pad_id)
    if args.attention_mask is not None:
        mask = np.array(parse_rows(args.attention_mask), dtype=np.int64)
    elif args.attention_mask_npy is not None:
        mask = np.load(args.attention_mask_npy).astype(np.int64).reshape(ids.shape)
    if mask.shape != ids.shape:
        sys.exit(f"hf_reference: mask shape {mask.shape} differs from ids shape {ids.shape}")
    return ids, mask


def main():
    parser = argparse.ArgumentParser(
        description="Run HF YOSO in float32 on CPU and write logits/hidden states as .npy.")
    parser.add_argument("-m", "--model", required=True, help="model folder (config.json + weights)")
    parser.add_argument("--ids", help='token ids, rows separated by ";", e.g. "0,5,6,2;0,7,2,1"')
    parser.add_argument("--ids-npy", help="int .npy of ids, [B, L] or [L]")
    parser.add_argument("--text", action="append", help="text to tokenize (repeatable)")
    parser.add_argument("--attention-mask", help='e.g. "1,1,1,1;1,1,1,0" (HF ignores it)')
    parser.add_argument("--attention-mask-npy", help="int .npy mask, same shape as the ids")
    parser.add_argument("--hidden", action="store_true", help="write last_hidden_state instead")
    parser.add_argument("--out", required=True, help="output .npy path")
    args = parser.parse_args()

    from transformers import YosoConfig, YosoForMaskedLM, YosoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.set_grad_enabled(False)
    config = YosoConfig.from_pretrained(args.model)
    base = config.architectures == ["YosoModel"]
    if base and not args.hidden:
        sys.exit("hf_reference: a YosoModel checkpoint has no LM head; use --hidden")
    ids, mask = load_inputs(args, config.pad_token_id if config.pad_token_id is not None else 1)
    cls = YosoModel if base else YosoForMaskedLM
    model = cls.from_pretrained(args.model, dtype=torch.float32, use_expectation=True).eval()
    print(f"ids {ids.tolist()}\nmask {mask.tolist()}", file=sys.stderr)
    inputs = dict(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    if base:
        out = model(**inputs).last_hidden_state
    elif args.hidden:
        out = model(**inputs, output_hidden_states=True).hidden_states[-1]
    else:
        out = model(**inputs).logits
    result = np.ascontiguousarray(out.float().numpy(), dtype="<f4")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.save(args.out, result, allow_pickle=False)
    print(f"wrote {args.out}: float32 {list(result.shape)}, max |x| {np.abs(result).max():.4f}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
