#!/usr/bin/env python3
"""Reference values for the engine's optimizer pieces (AdamW, learning-rate schedules, gradient
clipping) from PyTorch and transformers, for Tests/NativeModelTests/OptimizerTests.swift.

Writes under Tests/Fixtures/train/:

- schedules.json: transformers' get_{cosine,linear,constant}_schedule_with_warmup learning rates for
  every optimizer step k = 0 .. total + 1 of a few (peak, warmup, total) settings, read with
  scheduler.get_last_lr() before each optimizer step (the Hugging Face Trainer's order: the k-th
  optimizer step uses lambda(k), then scheduler.step()).
- llama_untied/: a small, randomly initialised (fixed seed) Llama causal LM saved with
  save_pretrained(safe_serialization=True) (hidden 64, 2 layers, 8 heads / 4 KV heads, intermediate
  128, vocab 256, untied lm_head), and expected.json: three steps of full fine-tuning on one fixed
  batch of two sequences of different lengths with -100 labels:
    * loss = (sum over sequences of the summed CE of logits[:-1] against labels[1:], -100 ignored)
      / (targets counted over the whole batch) -- the engine's TrainingPass convention, computed by
      running each sequence alone (as scripts/reference/make_grad_fixtures.py does);
    * torch.nn.utils.clip_grad_norm_(parameters, 1.0);
    * torch.optim.AdamW(lr=1e-3, betas (0.9, 0.999), eps 1e-8) with two parameter groups: weight decay
      0.01 for every parameter except normalisation weights and biases (names containing "norm" or
      ending in ".bias": the Hugging Face Trainer's rule, AdamW.defaultDecay), 0 for those;
    * transformers.get_cosine_schedule_with_warmup(warmup 1, total 3): rates 0, 1e-3, 5e-4 (the first
      step only advances the moments -- decay and update both scale with lr -- so the test also checks
      that the moment state carries over between steps).
  Recorded per step (before its update): the loss, the gradient norm before clipping, the rate. After
  the third step: the loss of the final weights and, for each parameter tensor (Hugging Face name),
  facts about delta = final - initial (float64): its L2 norm, its first 8 values, its dot product
  with the probe cos(0.37 * i) (i the flat row-major index; checks every element at once), the L2
  norm of the initial tensor, and the whole delta for tensors of at most 256 elements.

Everything is float32 PyTorch on CPU, one thread, from the weights as saved on disk.

Environment (the committed fixtures were made with torch 2.13.0+cpu and transformers 5.24.0):

    python3 -m venv /work/venv && /work/venv/bin/pip install torch==2.13.0+cpu transformers safetensors \
        --extra-index-url https://download.pytorch.org/whl/cpu

Run (from the repository root):

    /work/venv/bin/python scripts/reference/make_train_fixtures.py
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
import transformers
from transformers import (LlamaForCausalLM, get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
                          get_linear_schedule_with_warmup)

from fixture_models import batch_loss, counted_targets, masked_batch, probe, random_causal_lm

REPO = Path(__file__).resolve().parents[2]
OUT_ROOT = REPO / "Tests" / "Fixtures" / "train"
SIZE_BUDGET = 600_000  # bytes per fixture file
SEED = 3001
SEQ_LENGTHS = [47, 29]
LR, WEIGHT_DECAY, MAX_NORM, WARMUP, STEPS = 1e-3, 0.01, 1.0, 1, 3
FULL_LIMIT = 256

CONFIG = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=8,
              num_key_value_heads=4, vocab_size=256, max_position_embeddings=128, rms_norm_eps=1e-5,
              rope_theta=10000.0, tie_word_embeddings=False)

SCHEDULES = [  # (peak, warmup, total)
    (2e-5, 3, 10),
    (1e-3, 0, 5),
    (1e-3, 1, 3),
    (5e-4, 4, 4),
]


def decays(name: str) -> bool:
    """AdamW.defaultDecay: the Hugging Face Trainer's rule."""
    return not ("norm" in name.lower() or name.endswith(".bias"))


def make_schedules():
    makers = {"cosine": get_cosine_schedule_with_warmup, "linear": get_linear_schedule_with_warmup,
              "constant": lambda opt, w, t: get_constant_schedule_with_warmup(opt, w)}
    cases = []
    for kind, make in makers.items():
        for peak, warmup, total in SCHEDULES:
            opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
            sched = make(opt, warmup, total)
            rates = []
            for _ in range(total + 2):
                rates.append(float(sched.get_last_lr()[0]))
                opt.step()
                sched.step()
            cases.append(dict(kind=kind, peak=peak, warmup=warmup, total=total, rates=rates))
    return cases


def main():
    torch.set_num_threads(1)
    OUT_ROOT.mkdir(parents=True, exist_ok=True)
    schedules = {"generator": f"scripts/reference/make_train_fixtures.py (torch {torch.__version__}, "
                              f"transformers {transformers.__version__})",
                 "note": "rates[k] = the learning rate of optimizer step k (from 0), scheduler.get_last_lr() before it",
                 "cases": make_schedules()}
    (OUT_ROOT / "schedules.json").write_text(json.dumps(schedules, indent=1) + "\n")

    out = OUT_ROOT / "llama_untied"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    fresh, _ = random_causal_lm("llama", CONFIG, SEED, initializer_range=0.1)  # Llama has no biases to perturb
    fresh.save_pretrained(out, safe_serialization=True)
    (out / "generation_config.json").unlink(missing_ok=True)
    model = LlamaForCausalLM.from_pretrained(out, dtype=torch.float32, attn_implementation="eager").float().train()
    # attention_dropout is 0, so train() mode computes the same function as eval().
    named = list(model.named_parameters())
    initial = {n: p.detach().clone().double() for n, p in named}
    ids, labels = masked_batch(SEED + 7, CONFIG["vocab_size"], SEQ_LENGTHS,
                               prompt_length=lambda i: 5 + 4 * i, masked_responses=3)
    counted = counted_targets(labels)

    groups = [{"params": [p for n, p in named if decays(n)], "weight_decay": WEIGHT_DECAY},
              {"params": [p for n, p in named if not decays(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-8)
    sched = get_cosine_schedule_with_warmup(opt, WARMUP, STEPS)
    steps = []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = batch_loss(model, ids, labels, counted)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
        rate = float(sched.get_last_lr()[0])
        opt.step()
        sched.step()
        steps.append({"loss": float(loss.detach()), "grad_norm": float(norm), "learning_rate": rate})
    with torch.no_grad():
        final_loss = float(batch_loss(model, ids, labels, counted))

    params = {}
    for name, p in named:
        delta = (p.detach().double() - initial[name]).reshape(-1)
        entry = {"shape": list(p.shape), "decays": decays(name), "initial_norm": float(initial[name].norm()),
                 "delta_norm": float(delta.norm()), "delta_first": [float(v) for v in delta[:8]],
                 "delta_probe_dot": float((delta * probe(delta.numel())).sum())}
        if delta.numel() <= FULL_LIMIT:
            entry["delta_full"] = [float(v) for v in delta]
        params[name] = entry
    expected = {
        "description": "3 optimizer steps of full fine-tuning: batch-mean CE, clip_grad_norm_(1.0), AdamW "
                       "(lr 1e-3, weight decay 0.01 except norms/biases), cosine schedule warmup 1 over 3 steps.",
        "generator": schedules["generator"],
        "input_ids": ids, "labels": labels, "counted_tokens": counted,
        "learning_rate": LR, "weight_decay": WEIGHT_DECAY, "betas": [0.9, 0.999], "eps": 1e-8,
        "max_grad_norm": MAX_NORM, "schedule": {"kind": "cosine", "warmup": WARMUP, "total": STEPS},
        "steps": steps, "final_loss": final_loss, "parameters": params,
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    for f in out.iterdir():
        assert f.stat().st_size < SIZE_BUDGET, f"{f}: {f.stat().st_size} bytes"
    print(f"steps {steps}, final loss {final_loss:.6f}, {counted} tokens, "
          f"{sum(f.stat().st_size for f in out.iterdir())} bytes")


if __name__ == "__main__":
    main()
