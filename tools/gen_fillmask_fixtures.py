#!/usr/bin/env python3
"""Writes the fill-mask golden fixtures under tests/data/fillmask/ with the real Hugging Face
`pipeline("fill-mask")`.

Usage (from the repository root; about a minute on one CPU core):

    python3 tools/gen_fillmask_fixtures.py [--out tests/data/fillmask] [--seed 100]

Writes:
  <out>/model/       a random-weight YosoForMaskedLM with the real vocabulary (50265), hidden 32,
                     2 layers, 2 heads, FFN 64, max_position 4096 (config.json, model.safetensors),
                     plus roberta-base's tokenizer files (vocab.json, merges.txt,
                     tokenizer_config.json, special_tokens_map.json; see fixture_util.py).
  <out>/cases.jsonl  one JSON object per case: name, text (with [MASK], as our users write it),
                     text_hf (with <mask>), top_k, targets (or null), input_ids (HF tokenizer on
                     text_hf), expected (exactly the pipeline's output), and for information
                     target_ids (the ids HF resolved the targets to), mask_positions, hf_warnings
                     (what transformers logged during the call).

The weights are drawn with initializer_range 0.8 so the distributions are peaky. For every mask of
every case the script checks that the top_k + 1 best scores (over the targets when given) differ
pairwise by more than 1e-4 relative; if any does not, it retries with the next seed. The pipeline
loads the model from the written folder, so the expected outputs come from the saved files.
See tests/data/fillmask/README.md.
"""

import argparse
import json
import logging
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_util as fu  # noqa: E402
from transformers import YosoConfig, YosoForMaskedLM, pipeline  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

INIT_RANGE = 0.8
MIN_REL_GAP = 1e-4
MAX_SEEDS = 50

MODEL_CONFIG = dict(vocab_size=50265, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=64, max_position_embeddings=4096)

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "In 1889 the Eiffel Tower was completed in Paris, the capital of France.",
    "Researchers in Madison proposed an attention method based on hashing.",
    "Each query looks at a few buckets instead of every key in the sequence.",
    "She said: \"it's about 3.14 percent, isn't it?\"",
    "Rivers, mountains and forests cover most of the northern region.",
    "The committee will meet again on Tuesday to discuss the budget.",
    "Long documents need models that scale linearly with their length.",
]


def long_text(sentences, mask_after):
    """Joins `sentences` cycled SENTENCES with spaces and puts ' [MASK]' after the sentence
    indices in mask_after (a [MASK] sentence of its own: 'The next word is [MASK].')."""
    parts = []
    for i in range(sentences):
        parts.append(SENTENCES[i % len(SENTENCES)])
        if i in mask_after:
            parts.append("The next word is [MASK].")
    return " ".join(parts)


# (name, text with [MASK], top_k, targets)
CASES = [
    ("single_mid", "Paris is the [MASK] of France.", 5, None),
    ("punct_after", "The capital of France is [MASK].", 5, None),
    ("mask_at_start", "[MASK] is the capital of France.", 5, None),
    ("mask_only", "[MASK]", 5, None),
    ("end_no_punct", "The answer is [MASK]", 5, None),
    ("comma_after", "Well, [MASK], he said.", 5, None),
    ("exclamation", "Hello [MASK]!", 5, None),
    ("parenthesis", "The result (see [MASK]) was clear.", 5, None),
    ("top_k_1", "My name is [MASK].", 1, None),
    ("top_k_10", "I went to the [MASK] to buy some bread.", 10, None),
    ("two_masks", "The [MASK] sat on the [MASK].", 5, None),
    ("three_masks_start", "[MASK] [MASK] [MASK]", 3, None),
    ("adjacent_masks", "Paris is the[MASK][MASK] of France.", 2, None),
    ("no_space_before", "foo[MASK]bar", 5, None),
    ("double_space", "Paris is the  [MASK] of France.", 5, None),
    ("newline_tab_before", "First line.\n[MASK] second\t[MASK] line.", 4, None),
    ("unicode", "Le café est [MASK] à Paris — très bien.", 5, None),
    ("emoji", "I love [MASK] 😀 so much.", 5, None),
    ("numbers", "There are [MASK] apples and 42 oranges.", 5, None),
    ("contraction", "It's [MASK]'s book, isn't it?", 5, None),
    ("literal_mask", "Paris is the <mask> of France.", 5, None),
    ("targets", "Paris is the [MASK] of France.", 5, [" capital", " city", " heart"]),
    ("targets_multitoken", "He was born in [MASK] in 1950.", 5, [" Paris", " London", " Londonderry"]),
    ("targets_vocab_forms", "Paris is the [MASK] of France.", 2,
     ["capital", "Ġcapital", " capital", "Paris"]),
    # Vocabulary-form targets that are partial UTF-8 byte sequences (token_str decodes to U+FFFD)
    # or a newline.
    ("targets_byte_pieces", "A dash [MASK] and a smile.", 5, ["âĢ", "ðŁĺ", "Ġâ", "Ã", "Ċ"]),
    ("targets_two_masks", "The [MASK] of France is [MASK].", 2, [" capital", " Paris", " city"]),
    ("long_300", long_text(24, {11}), 5, None),
    ("long_700", long_text(50, {47}), 5, None),
    ("long_700_two_masks", long_text(50, {0, 46}), 3, None),
    ("long_2000", long_text(150, {145}), 10, None),
]


class LogCapture(logging.Handler):
    """Collects the messages transformers logs."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_model(seed, folder):
    """Writes the random model (seed) and the tokenizer files into folder; returns the model."""
    torch.manual_seed(seed)
    config = YosoConfig(initializer_range=INIT_RANGE, use_expectation=True, **MODEL_CONFIG)
    model = YosoForMaskedLM(config)
    fu.perturb_params(model, lm_bias_scale=0.5)
    # A shift in the head's LayerNorm adds one constant direction to every mask's vector, and
    # the word that best matches it (a "hub") then wins at almost every mask; drop it.
    model.cls.predictions.transform.LayerNorm.bias.zero_()
    model.eval()
    os.makedirs(folder, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    fu.write_tokenizer_files(folder)
    fu.check_tokenizer(folder)
    return model


def check_scores(model, case, target_ids):
    """Recomputes each mask's distribution with a plain forward pass, checks the pipeline's
    answer against it (same tokens, scores within 1e-6 relative) and returns the smallest
    relative gap between consecutive scores among the top_k + 1 best of each mask."""
    logits = model(input_ids=torch.tensor([case["input_ids"]])).logits[0, case["mask_positions"]]
    probs = logits.softmax(dim=-1)
    ids = torch.arange(probs.shape[-1])
    if target_ids is not None:
        probs, ids = probs[:, target_ids], torch.tensor(target_ids)
    rows = case["expected"] if len(case["mask_positions"]) > 1 else [case["expected"]]
    worst = float("inf")
    for row, expected in zip(probs, rows):
        order = row.argsort(descending=True, stable=True)[: case["top_k"] + 1]
        top = row[order].double()
        got = [(int(ids[i]), float(row[i])) for i in order[: len(expected)]]
        for (token, score), want in zip(got, expected):
            if token != want["token"] or abs(score - want["score"]) > 1e-6 * want["score"]:
                raise RuntimeError(f"{case['name']}: forward pass gives {got}, pipeline {expected}")
        if len(top) > 1:
            worst = min(worst, float(((top[:-1] - top[1:]) / top[:-1]).min()))
    return worst


def run_case(folder, capture, name, text, top_k, targets):
    """Runs a fresh fill-mask pipeline (so once-per-tokenizer warnings show every time) on one
    case; returns its JSON object."""
    fill = pipeline("fill-mask", model=folder, tokenizer=folder, device="cpu")
    if fill.model.dtype != torch.float32:
        raise RuntimeError(f"pipeline loaded {fill.model.dtype}, want float32")
    text_hf = text.replace("[MASK]", "<mask>")
    capture.messages.clear()
    kwargs = {"top_k": top_k}
    if targets is not None:
        kwargs["targets"] = targets
    expected = fill(text_hf, **kwargs)
    warnings = list(capture.messages)
    input_ids = fill.tokenizer(text_hf)["input_ids"]
    target_ids = None
    if targets is not None:
        target_ids = sorted(int(i) for i in fill.get_target_ids(targets))
    mask_positions = [i for i, t in enumerate(input_ids) if t == fill.tokenizer.mask_token_id]
    case = dict(name=name, text=text, text_hf=text_hf, top_k=top_k, targets=targets,
                input_ids=input_ids, expected=expected, target_ids=target_ids,
                mask_positions=mask_positions, hf_warnings=warnings)
    gap = check_scores(fill.model, case, target_ids)
    return case, gap


def generate(out, seed):
    """Builds the model for seed and runs every case; returns (cases, smallest gap)."""
    folder = os.path.join(out, "model")
    build_model(seed, folder)
    capture = LogCapture()
    logging.getLogger("transformers").addHandler(capture)
    cases, worst = [], float("inf")
    try:
        for name, text, top_k, targets in CASES:
            case, gap = run_case(folder, capture, name, text, top_k, targets)
            cases.append(case)
            worst = min(worst, gap)
            if gap <= MIN_REL_GAP:
                print(f"seed {seed}: case {name} has scores only {gap:.2e} apart; next seed")
                return None, gap
    finally:
        logging.getLogger("transformers").removeHandler(capture)
    return cases, worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(fu.REPO_ROOT, "tests", "data", "fillmask"))
    parser.add_argument("--seed", type=int, default=100, help="first seed to try")
    args = parser.parse_args()
    fu.setup_torch()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_warning()
    for seed in range(args.seed, args.seed + MAX_SEEDS):
        cases, worst = generate(args.out, seed)
        if cases is not None:
            break
    else:
        raise SystemExit(f"no seed in {args.seed}..{args.seed + MAX_SEEDS - 1} separates the scores")
    with open(os.path.join(args.out, "cases.jsonl"), "w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "model", "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    print(f"seed {seed}: {len(cases)} cases, smallest relative score gap {worst:.3e}, "
          f"initializer_range {config['initializer_range']}, "
          f"{fu.dir_size(args.out) / 1e6:.2f} MB")
    for case in cases:
        rows = case["expected"] if isinstance(case["expected"][0], list) else [case["expected"]]
        print(f"  {case['name']:20s} L={len(case['input_ids']):5d} masks={len(rows)} "
              f"top1={[round(r[0]['score'], 4) for r in rows]} "
              f"tokens={[r[0]['token_str'] for r in rows]} warnings={len(case['hf_warnings'])}")


if __name__ == "__main__":
    main()
