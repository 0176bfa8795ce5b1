#!/usr/bin/env python3
"""Reference fixtures for the Swift inference engine, produced with Hugging Face transformers.

Creates small, randomly initialised (fixed seeds) Llama / Qwen2 checkpoints with
`save_pretrained(..., safe_serialization=True)` under Tests/Fixtures/hf/<name>/ and, for each, an
expected.json with per-token log-probabilities, greedy continuations from `model.generate` and a
few debugging values, all computed by PyTorch in float32 from the weights as saved on disk.

Environment (CPU-only is enough; the committed fixtures were made with torch 2.13.0+cpu and
transformers 5.24.0):

    python3 -m venv .venv && .venv/bin/pip install torch==2.13.0+cpu transformers safetensors
    # (torch CPU wheels come from the PyTorch CPU index:
    #  .venv/bin/pip install torch==2.13.0+cpu --index-url https://download.pytorch.org/whl/cpu)

Run (from the repository root):

    .venv/bin/python scripts/reference/make_hf_fixtures.py            # all fixtures
    .venv/bin/python scripts/reference/make_hf_fixtures.py --only llama_gqa_untied_f32

Notes
- transformers 5.x writes `rope_parameters` (holding rope_theta and any scaling) and `dtype` into
  config.json, where checkpoints saved by transformers 4.x (most of those on the Hub) have
  `rope_theta`, `rope_scaling` and `torch_dtype`. Every fixture therefore also gets
  `config_v4.json`: the same config in the 4.x layout. The script checks that transformers loads
  that variant into a model giving bit-identical logits, so an engine can be tested on both layouts.
- Log-probs: for a sequence t_0..t_{n-1}, entry i of `logprobs` is log p(t_{i+1} | t_0..t_i), from
  log_softmax of the float32 logits (n-1 entries). Each sequence is scored alone (batch 1, no
  padding, no BOS added: the ids are used exactly as listed).
- Linear and embedding weights are drawn N(0, 0.2^2) (initializer_range 0.2); RMSNorm weights are
  1 + 0.1 * N(0, 1) and all biases (Qwen2 q/k/v) 0.5 * N(0, 1), so every tensor matters and logits are
  far from uniform (std of a logit row ~1.5). Greedy prompts are chosen (deterministically) so that
  the top-1/top-2 logit margin is >= 2e-3 at every generated step.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import torch
import transformers

from fixture_models import random_causal_lm

REPO = Path(__file__).resolve().parents[2]
OUT_ROOT = REPO / "Tests" / "Fixtures" / "hf"

# Lengths of the scored sequences: first one >= 200 tokens, total >= 300.
SEQ_LENGTHS = [230, 64, 17, 2]
GREEDY_PROMPT_LENGTHS = [5, 12]
GREEDY_NEW_TOKENS = 20
MIN_GREEDY_MARGIN = 2e-3  # top-1 minus top-2 logit, so an F32 engine reproduces the argmax

# What every fixture's config shares, then each family's defaults; a fixture overrides what it tests.
COMMON = dict(num_hidden_layers=2, vocab_size=256, max_position_embeddings=512)
LLAMA = dict(COMMON, rope_theta=10000.0, rms_norm_eps=1e-5)
QWEN2 = dict(COMMON, rope_theta=1000000.0, rms_norm_eps=1e-6, use_sliding_window=False)


def fixture(family, description, seed, *, tied, dtype=torch.float32, **config):
    """A fixture's spec: `family`'s defaults (LLAMA or QWEN2) overridden by `config`."""
    defaults = {"llama": LLAMA, "qwen2": QWEN2}[family]
    shard = {"max_shard_size": config.pop("max_shard_size")} if "max_shard_size" in config else {}
    return dict(cls=family, description=description, dtype=dtype, seed=seed,
                config=dict(defaults, **config, tie_word_embeddings=tied), **shard)


# (hidden size, MLP size, query heads, KV heads) as keyword arguments.
def shape(hidden, mlp, heads, kv_heads):
    return dict(hidden_size=hidden, intermediate_size=mlp, num_attention_heads=heads, num_key_value_heads=kv_heads)


FIXTURES = {
    "llama_gqa_untied_f32": fixture(
        "llama", "Llama, GQA (8 query heads / 4 KV heads, head_dim 8), untied lm_head, float32 weights.",
        1001, tied=False, **shape(64, 172, 8, 4)),
    "llama_tied_bf16": fixture(
        "llama", "Llama, GQA, tied embeddings (no lm_head.weight in the file), bfloat16 weights; "
                 "reference computed with the bf16 weights upcast to float32.",
        1002, tied=True, dtype=torch.bfloat16, **shape(64, 172, 8, 4)),
    "llama3_rope_scaling_f32": fixture(
        "llama", "Llama with Llama-3 RoPE scaling (factor 8, low/high freq factors 1/4, original max "
                 "positions 64), rope_theta 500000, head_dim 16 (4 heads / 2 KV heads), tied, float32. "
                 "Long sequence (230) so the scaled low frequencies matter.",
        1003, tied=True, **shape(64, 128, 4, 2), head_dim=16, rope_theta=500000.0,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    "qwen2_gqa_f32": fixture(
        "qwen2", "Qwen2 (random non-zero q/k/v biases), GQA 8 heads / 2 KV heads, untied, "
                 "rope_theta 1e6, rms_norm_eps 1e-6, float32.",
        1004, tied=False, **shape(64, 128, 8, 2)),
    "qwen2_tied_f16": fixture(
        "qwen2", "Qwen2 (random q/k/v biases), GQA 8/2, tied embeddings, float16 weights; reference "
                 "computed with the f16 weights upcast to float32.",
        1005, tied=True, dtype=torch.float16, **shape(64, 128, 8, 2)),
    "llama_sharded_f32": fixture(
        "llama", "Small Llama (hidden 32, 4 heads / 2 KV heads, untied, float32) saved with "
                 "max_shard_size='40KB': model.safetensors.index.json + several shards.",
        1006, tied=False, max_shard_size="40KB", **shape(32, 86, 4, 2)),
}


def load_f32(path, cls):
    # Load the weights as saved (in their stored dtype), then upcast to float32.
    m = cls.from_pretrained(path, dtype="auto", attn_implementation="eager")
    return m.float().eval()


@torch.no_grad()
def logits_of(model, ids):
    return model(torch.tensor([ids], dtype=torch.long), use_cache=False).logits[0].float()


@torch.no_grad()
def score(model, ids):
    logits = logits_of(model, ids)
    lp = torch.log_softmax(logits, dim=-1)
    tgt = torch.tensor(ids[1:], dtype=torch.long)
    per_tok = lp[:-1].gather(1, tgt[:, None])[:, 0]
    return logits, per_tok


@torch.no_grad()
def greedy_manual(model, prompt, n):
    ids, margins = list(prompt), []
    for _ in range(n):
        last = logits_of(model, ids)[-1]
        top2 = torch.topk(last, 2).values
        margins.append(float(top2[0] - top2[1]))
        ids.append(int(torch.argmax(last)))
    return ids[len(prompt):], min(margins)


@torch.no_grad()
def greedy_hf(model, prompt, n):
    # No EOS at all during generation (the saved generation_config.json keeps eos_token_id=2).
    model.generation_config.eos_token_id = None
    out = model.generate(torch.tensor([prompt], dtype=torch.long), do_sample=False, max_new_tokens=n,
                         min_new_tokens=n, eos_token_id=None, pad_token_id=0,
                         temperature=None, top_p=None, top_k=None)
    return [int(t) for t in out[0, len(prompt):]]


def v4_config(cfg: dict) -> dict:
    """config.json as transformers 4.x wrote it: rope_theta/rope_scaling/torch_dtype."""
    out = {}
    for k, v in cfg.items():
        if k == "rope_parameters":
            rp = dict(v)
            out["rope_theta"] = rp.pop("rope_theta")
            out["rope_scaling"] = None if rp.get("rope_type", "default") == "default" else rp
        elif k == "dtype":
            out["torch_dtype"] = v
        else:
            out[k] = v
    return dict(sorted(out.items()))


def tensor_inventory(d: Path):
    from safetensors import safe_open
    inv = {}
    for f in sorted(d.glob("*.safetensors")):
        with safe_open(str(f), framework="pt") as sf:
            for k in sf.keys():
                t = sf.get_slice(k)
                inv[k] = {"file": f.name, "dtype": t.get_dtype(), "shape": list(t.get_shape())}
    return dict(sorted(inv.items()))


def make(name, spec):
    out = OUT_ROOT / name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    model, cls = random_causal_lm(spec["cls"], spec["config"], spec["seed"], initializer_range=0.2)
    model = model.to(spec["dtype"])
    model.config.dtype = spec["dtype"]
    save_kwargs = dict(safe_serialization=True)
    if "max_shard_size" in spec:
        save_kwargs["max_shard_size"] = spec["max_shard_size"]
    model.save_pretrained(out, **save_kwargs)

    cfg = json.loads((out / "config.json").read_text())
    (out / "config_v4.json").write_text(json.dumps(v4_config(cfg), indent=2) + "\n")

    # Reference model: reload from disk, compute in float32.
    ref = load_f32(out, cls)

    # The v4-layout config must describe the same model.
    with tempfile.TemporaryDirectory() as td:
        for f in out.iterdir():
            if f.name not in ("config.json", "config_v4.json"):
                shutil.copy(f, td)
        shutil.copy(out / "config_v4.json", Path(td) / "config.json")
        ref_v4 = load_f32(td, cls)
        probe = list(range(0, 256, 3))[:80]
        assert torch.equal(logits_of(ref, probe), logits_of(ref_v4, probe)), "config_v4.json differs"

    g = torch.Generator().manual_seed(spec["seed"] + 7)
    vocab = cfg["vocab_size"]
    sequences = []
    first_logits = None
    for L in SEQ_LENGTHS:
        ids = torch.randint(0, vocab, (L,), generator=g).tolist()
        logits, lp = score(ref, ids)
        if first_logits is None:
            first_logits = logits
        sequences.append({"token_ids": ids, "logprobs": [float(x) for x in lp],
                          "sum_logprob": float(lp.double().sum())})

    greedy = []
    attempt = 0
    for L in GREEDY_PROMPT_LENGTHS:
        while True:
            attempt += 1
            prompt = torch.randint(0, vocab, (L,), generator=g).tolist()
            manual, margin = greedy_manual(ref, prompt, GREEDY_NEW_TOKENS)
            if margin >= MIN_GREEDY_MARGIN:
                break
            assert attempt < 50, "could not find a prompt with well separated greedy tokens"
        hf = greedy_hf(ref, prompt, GREEDY_NEW_TOKENS)
        assert hf == manual, f"{name}: generate() {hf} != manual argmax {manual}"
        assert len(hf) == GREEDY_NEW_TOKENS
        greedy.append({"prompt_ids": prompt, "generated_ids": hf, "min_top2_margin": margin})

    all_lp = torch.tensor([x for s in sequences for x in s["logprobs"]])
    debug = {
        "first_sequence_last_argmax": int(torch.argmax(first_logits[-1])),
        "logprob_mean": float(all_lp.mean()),
        "logprob_min": float(all_lp.min()),
        "uniform_logprob": -float(torch.log(torch.tensor(float(vocab)))),
        "last_logits_std": float(first_logits[-1].std()),
    }
    if cfg.get("rope_parameters", {}).get("rope_type", "default") != "default":
        # How much the scaling matters: same weights, plain RoPE with the same theta.
        plain_cfg = dict(cfg)
        plain_cfg["rope_parameters"] = {"rope_type": "default",
                                        "rope_theta": cfg["rope_parameters"]["rope_theta"]}
        with tempfile.TemporaryDirectory() as td:
            for f in out.iterdir():
                if f.suffix == ".safetensors" or f.name.endswith(".index.json"):
                    shutil.copy(f, td)
            (Path(td) / "config.json").write_text(json.dumps(plain_cfg))
            plain = load_f32(td, cls)
            _, lp_plain = score(plain, sequences[0]["token_ids"])
        diff = (lp_plain - torch.tensor(sequences[0]["logprobs"])).abs()
        debug["without_rope_scaling_first_seq_max_abs_logprob_diff"] = float(diff.max())
        debug["without_rope_scaling_first_seq_max_abs_logprob_diff_positions_lt_64"] = float(diff[:63].max())

    files = sorted(f.name for f in out.iterdir()) + ["expected.json"]
    expected = {
        "fixture": name,
        "description": spec["description"],
        "generated_by": "scripts/reference/make_hf_fixtures.py",
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "model_class": cls.__name__,
        "weights_dtype": str(spec["dtype"]).replace("torch.", ""),
        "compute_dtype": "float32",
        "files": sorted(set(files)),
        "tensors": tensor_inventory(out),
        "logprobs_convention": "logprobs[i] = log_softmax(float32 logits at position i)[token_ids[i+1]]; "
                               "each sequence scored alone, batch 1, no padding, no BOS added",
        "sequences": sequences,
        "greedy_convention": "model.generate(do_sample=False, max_new_tokens=20) with no EOS; "
                             "generated_ids exclude the prompt; equals argmax of full recomputation",
        "greedy": greedy,
        "last_logits_first16": [float(x) for x in first_logits[-1, :16]],
        "debug": debug,
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    size = sum(f.stat().st_size for f in out.iterdir())
    print(f"{name}: {size / 1024:.0f} KiB, files={sorted(f.name for f in out.iterdir())}, "
          f"greedy margins={[round(x['min_top2_margin'], 4) for x in greedy]}, debug={debug}",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="fixture names (default: all)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    for name in args.only or FIXTURES:
        make(name, FIXTURES[name])
    total = sum(f.stat().st_size for f in OUT_ROOT.rglob("*") if f.is_file())
    print(f"total {total / 1024:.0f} KiB in {OUT_ROOT}", file=sys.stderr)


if __name__ == "__main__":
    main()
