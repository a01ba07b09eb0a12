"""Shared helpers for the Python fixture generators in tools/ (gen_model_fixtures.py,
gen_fillmask_fixtures.py, make_full_model.py, hf_reference.py).

Everything here runs the real Hugging Face `transformers` YOSO code on CPU in float32. CI never
runs Python: the generators write their results under tests/data/ and those files are committed.
"""

import json
import os
import shutil

import numpy as np
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BPE_DIR = os.path.join(REPO_ROOT, "tests", "data", "roberta-bpe")

# roberta-base's special_tokens_map.json as transformers 4.x saved it (239 bytes, the size listed
# for uw-madison/yoso-4096 on the hub): the mask is an AddedToken that strips whitespace on its left.
SPECIAL_TOKENS_MAP = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "cls_token": "<s>",
    "mask_token": {"content": "<mask>", "single_word": False, "lstrip": True, "rstrip": False,
                   "normalized": False},
}

# roberta-base's tokenizer_config.json in the transformers 4.x layout (what yoso-4096 ships).
TOKENIZER_CONFIG = {
    "errors": "replace",
    "unk_token": "<unk>",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "add_prefix_space": False,
    "cls_token": "<s>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
    "trim_offsets": True,
    "model_max_length": 512,
    "tokenizer_class": "RobertaTokenizer",
}


def setup_torch():
    """Makes runs deterministic and polite on the shared 2-core machine."""
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_grad_enabled(False)


def perturb_params(model, ln_scale=0.2, bias_scale=0.2, lm_bias_scale=1.0):
    """Randomizes LayerNorm gains/shifts and all biases (HF initializes them to 1/0) from the
    global torch RNG, so a loader that swaps or drops any of them fails the golden comparison."""
    for name, param in model.named_parameters():
        if name.endswith("LayerNorm.weight"):
            param.copy_(1.0 + ln_scale * torch.randn(param.shape))
        elif name == "cls.predictions.bias":
            param.copy_(lm_bias_scale * torch.randn(param.shape))
        elif name.endswith(".bias"):
            param.copy_(bias_scale * torch.randn(param.shape))


def random_ids(batch, length, vocab):
    """Draws int64 ids [batch, length] uniformly from 0..vocab-1 with <s>=0 first and </s>=2 last."""
    ids = torch.randint(0, vocab, (batch, length), dtype=torch.long)
    ids[:, 0] = 0
    ids[:, -1] = 2
    return ids


def save_npy(path, array, dtype):
    """Writes a C-order little-endian .npy file of the given dtype."""
    arr = np.ascontiguousarray(np.asarray(array), dtype=np.dtype(dtype).newbyteorder("<"))
    np.save(path, arr, allow_pickle=False)


def write_tokenizer_files(folder):
    """Writes roberta-base's tokenizer files into folder: vocab.json and merges.txt (byte-identical
    copies of tests/data/roberta-bpe), special_tokens_map.json and tokenizer_config.json (the
    transformers 4.x layout that yoso-4096 ships). No tokenizer.json: HF then builds the tokenizer
    from exactly the files the C tokenizer reads."""
    os.makedirs(folder, exist_ok=True)
    for name in ("vocab.json", "merges.txt"):
        shutil.copyfile(os.path.join(BPE_DIR, name), os.path.join(folder, name))
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(SPECIAL_TOKENS_MAP))
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(TOKENIZER_CONFIG))


def check_tokenizer(folder):
    """Loads the tokenizer in folder with AutoTokenizer and checks it behaves like roberta-base
    (DESIGN.md section 4); returns it. Raises on any mismatch."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder)
    mask = tok.added_tokens_decoder[50264]
    checks = {
        "Hello world": [0, 31414, 232, 2],
        " capital": [0, 812, 2],
        "Paris is the <mask> of France.": [0, 32826, 16, 5, 50264, 9, 1470, 4, 2],
        "a  <mask>b": [0, 102, 50264, 428, 2],
    }
    for text, want in checks.items():
        got = tok(text)["input_ids"]
        if got != want:
            raise RuntimeError(f"tokenizer in {folder}: {text!r} -> {got}, want {want}")
    if not (mask.content == "<mask>" and mask.lstrip and not mask.rstrip):
        raise RuntimeError(f"tokenizer in {folder}: mask token is {mask!r}, want lstrip <mask>")
    if tok.model_max_length != 512 or tok.mask_token_id != 50264 or tok.pad_token_id != 1:
        raise RuntimeError(f"tokenizer in {folder}: unexpected special ids or model_max_length")
    return tok


def save_bin(model, folder):
    """Saves like transformers 4.x did for yoso-4096: config.json plus pytorch_model.bin written
    by torch.save(state_dict) (the tied decoder tensors share storage with the embeddings), with
    the int64 buffer yoso.embeddings.position_ids that old checkpoints carry."""
    import copy

    config = copy.deepcopy(model.config)
    config.dtype = next(model.parameters()).dtype  # float16 when the weights are
    config.architectures = [type(model).__name__]
    config.save_pretrained(folder)
    state = model.state_dict()
    npos = model.config.max_position_embeddings
    state["yoso.embeddings.position_ids"] = torch.arange(npos).expand((1, -1)) + 2
    torch.save(state, os.path.join(folder, "pytorch_model.bin"))


def dir_size(path):
    """Total bytes of the files under path."""
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total
