#!/usr/bin/env python3
"""Reference gradients for the Swift engine's hand-written backward pass, from PyTorch autograd.

For each fixture this builds a small, randomly initialised (fixed seed) Llama / Qwen2 causal LM,
saves it with `save_pretrained(..., safe_serialization=True)` under Tests/Fixtures/grad/<name>/, and
writes expected.json with the training loss of a fixed batch and, for every parameter tensor (by its
Hugging Face name), facts about d(loss)/d(tensor): its L2 norm, its first 8 values, values at a few
fixed random indices, the full gradient for tensors of at most 256 elements, and its dot product with
a fixed probe vector (probe_i = cos(0.37 * i), i the flat row-major index), which checks every element
at once. Everything is float32 PyTorch on CPU, from the weights as saved on disk.

Environment (the committed fixtures were made with torch 2.13.0+cpu and transformers 5.24.0):

    python3 -m venv /work/venv && /work/venv/bin/pip install torch==2.13.0+cpu transformers safetensors \
        --extra-index-url https://download.pytorch.org/whl/cpu

Run (from the repository root):

    /work/venv/bin/python scripts/reference/make_grad_fixtures.py            # all fixtures
    /work/venv/bin/python scripts/reference/make_grad_fixtures.py --only llama_untied

The loss (Hugging Face's causal-LM convention, `ForCausalLMLoss`)
- Each sequence i has input ids x_i[0..n_i-1] and labels y_i[0..n_i-1] of the same length, -100 where
  a token is not trained on. The logits at position t predict y_i[t+1] (the "shift"): the targets of
  sequence i are y_i[1..n_i-1]; the last position predicts nothing.
- loss = (sum over sequences i, over t < n_i - 1 with y_i[t+1] != -100, of -log softmax(logits_i[t])[y_i[t+1]])
         / N,  N = the number of counted targets over the whole batch.
  That is exactly what transformers computes for the right-padded batch (pads labelled -100, attention
  mask 0 on pads, reduction "mean" over all non-ignored targets of the batch): the script checks it.
- The reference runs each sequence alone (batch 1, no padding, positions 0..n_i-1), sums the
  per-sequence CE sums and divides by N, then calls backward() on that scalar.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
from pathlib import Path

import torch
import transformers

from fixture_models import batch_loss, counted_targets, masked_batch, probe, random_causal_lm

REPO = Path(__file__).resolve().parents[2]
OUT_ROOT = REPO / "Tests" / "Fixtures" / "grad"

SEQ_LENGTHS = [90, 41]  # the first spans two of the engine's 64-row attention blocks
FULL_LIMIT = 256         # store the whole gradient of tensors this small
RANDOM_SAMPLES = 16      # extra values at fixed random indices per tensor
SIZE_BUDGET = 600_000    # bytes per fixture directory

BASE = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=8,
            num_key_value_heads=4, vocab_size=256, max_position_embeddings=128, rms_norm_eps=1e-5)

FIXTURES = {
    "llama_untied": dict(cls="llama", seed=2001,
                         description="Llama, GQA 8 heads / 4 KV heads (head_dim 8), untied lm_head.",
                         config=dict(BASE, rope_theta=10000.0, tie_word_embeddings=False)),
    "llama_tied": dict(cls="llama", seed=2002,
                       description="Llama, GQA 8/4, tied embeddings: the embedding gradient sums the "
                                   "lookup's and the classifier's contributions.",
                       config=dict(BASE, rope_theta=10000.0, tie_word_embeddings=True)),
    "qwen2_bias_tied": dict(cls="qwen2", seed=2003,
                            description="Qwen2 (random non-zero q/k/v biases), GQA 8/4, tied, rms_norm_eps 1e-6.",
                            config=dict(BASE, rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                                        use_sliding_window=False)),
}


def padded_hf_loss(model, ids, labels):
    """transformers' own mean over the non-ignored targets of the right-padded batch."""
    n = max(len(x) for x in ids)
    inp = torch.zeros(len(ids), n, dtype=torch.long)
    lab = torch.full((len(ids), n), -100, dtype=torch.long)
    mask = torch.zeros(len(ids), n, dtype=torch.long)
    for i, (x, y) in enumerate(zip(ids, labels)):
        inp[i, :len(x)] = torch.tensor(x)
        lab[i, :len(y)] = torch.tensor(y)
        mask[i, :len(x)] = 1
    with torch.no_grad():
        return float(model(input_ids=inp, attention_mask=mask, labels=lab, use_cache=False).loss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    args = ap.parse_args()
    torch.set_num_threads(1)
    for name, spec in FIXTURES.items():
        if args.only and name != args.only:
            continue
        out = OUT_ROOT / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        model, cls = random_causal_lm(spec["cls"], spec["config"], spec["seed"], initializer_range=0.1)
        model.save_pretrained(out, safe_serialization=True)
        (out / "generation_config.json").unlink(missing_ok=True)
        model = cls.from_pretrained(out, dtype=torch.float32, attn_implementation="eager").float().train()
        # attention_dropout is 0 in these configs, so train() mode computes the same function as eval().
        ids, labels = masked_batch(spec["seed"] + 7, spec["config"]["vocab_size"], SEQ_LENGTHS,
                                   prompt_length=lambda i: 6 + 3 * i, masked_responses=4)
        counted = counted_targets(labels)

        model.zero_grad()
        loss = batch_loss(model, ids, labels, counted)
        loss.backward()
        loss = loss.detach()
        hf_padded = padded_hf_loss(model, ids, labels)
        assert abs(hf_padded - float(loss)) <= 1e-5 * abs(float(loss)), (hf_padded, float(loss))

        g = torch.Generator().manual_seed(spec["seed"] + 11)
        grads = {}
        for pname, p in model.named_parameters():
            gr = p.grad.detach().double().reshape(-1)
            count = gr.numel()
            idx = torch.randint(0, count, (RANDOM_SAMPLES,), generator=g).tolist()
            entry = {
                "shape": list(p.shape),
                "norm": float(gr.norm()),
                "first": [float(v) for v in gr[:8]],
                "indices": idx,
                "values": [float(gr[i]) for i in idx],
                "probe_dot": float((gr * probe(count)).sum()),
            }
            if count <= FULL_LIMIT:
                entry["full"] = [float(v) for v in gr]
            grads[pname] = entry
        expected = {
            "description": spec["description"],
            "generator": f"scripts/reference/make_grad_fixtures.py (torch {torch.__version__}, transformers {transformers.__version__})",
            "loss_convention": "sum over sequences of CE(logits[:-1], labels[1:]) ignoring -100, divided by the "
                               "number of non-ignored shifted labels in the whole batch",
            "input_ids": ids,
            "labels": labels,
            "counted_tokens": counted,
            "loss": float(loss),
            "hf_padded_batch_loss": hf_padded,
            "tied": bool(spec["config"]["tie_word_embeddings"]),
            "gradients": grads,
        }
        (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
        size = sum(f.stat().st_size for f in out.iterdir())
        assert size < SIZE_BUDGET, f"{name}: {size} bytes"
        print(f"{name}: loss {float(loss):.6f} over {counted} tokens, {size} bytes, {len(grads)} tensors")


if __name__ == "__main__":
    main()
