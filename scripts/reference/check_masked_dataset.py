#!/usr/bin/env python3
"""Check a masked training set (`forgetbench mask` output) against Hugging Face transformers.

Loads OUT.jsonl ({"input_ids", "labels", "ppl"} per line) the way a Hugging Face Trainer does:
each line becomes a feature {"input_ids", "labels"}, batched one example at a time by
`transformers.default_data_collator` (no padding, so nothing is added to the labels), and the model's
own causal-LM loss is computed with `model(input_ids=..., labels=...)`, which shifts the labels
internally (logits at t-1 predict labels[t]) and ignores -100. The script prints every example's loss
and the token-weighted mean over the whole file:

    sum_e sum_{t: labels_e[t] != -100, t >= 1} -log p(input_ids_e[t] | input_ids_e[<t]) / (number of such t)

With a Hugging Face checkpoint directory (config.json + safetensors) that is the same model the
dataset was scored with, this must equal the engine's masked mean NLL recorded in the manifest
(OUT.manifest.json, "base_masked_mean_nll") up to float32 rounding (~1e-6). `--tolerance` makes a
difference above it exit 1.

Usage (from the repository root, e.g. with /work/venv or any env with torch + transformers):

    python3 scripts/reference/check_masked_dataset.py --model Tests/Fixtures/hf/llama_gqa_untied_f32 \
        --data Tests/Fixtures/masking/hf_llama_gqa_untied_f32.masked.jsonl [--tolerance 1e-5] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, default_data_collator


def manifest_path(data: Path) -> Path:
    name = data.name
    stem = name[: -len(".jsonl")] if name.endswith(".jsonl") else name
    return data.with_name(stem + ".manifest.json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="Hugging Face model directory")
    parser.add_argument("--data", required=True, help="masked dataset (JSON Lines) written by forgetbench mask")
    parser.add_argument("--tolerance", type=float, default=None, help="exit 1 when |HF - engine| exceeds this")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = parser.parse_args()

    torch.manual_seed(0)
    try:
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    except TypeError:  # transformers 4.x
        model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32)
    model.eval()

    data = Path(args.data)
    features = []
    for number, line in enumerate(data.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if len(row["input_ids"]) != len(row["labels"]):
            print(f"{data}:{number}: input_ids and labels differ in length", file=sys.stderr)
            return 1
        features.append({"input_ids": row["input_ids"], "labels": row["labels"]})

    losses, counts = [], []
    with torch.no_grad():
        for feature in features:
            batch = default_data_collator([feature])  # what a Trainer with batch size 1 feeds the model
            n = int((batch["labels"][:, 1:] != -100).sum())
            if n == 0:
                losses.append(None)
                counts.append(0)
                continue
            out = model(input_ids=batch["input_ids"], labels=batch["labels"])
            losses.append(float(out.loss))
            counts.append(n)
    total = sum(l * n for l, n in zip(losses, counts) if l is not None)
    tokens = sum(counts)
    mean = total / tokens if tokens else math.nan
    for i, (l, n) in enumerate(zip(losses, counts)):
        print(f"example {i}: {n} labelled tokens, loss {l if l is None else f'{l:.7f}'}")
    print(f"hf_masked_mean_nll {mean:.7f} over {tokens} tokens")

    result = {"hf_masked_mean_nll": mean, "labelled_tokens": tokens, "per_example_loss": losses,
              "per_example_tokens": counts, "torch": torch.__version__}
    status = 0
    manifest = manifest_path(data)
    if manifest.exists():
        engine = json.loads(manifest.read_text()).get("base_masked_mean_nll")
        if engine is not None:
            diff = abs(engine - mean)
            print(f"engine_masked_mean_nll {engine:.7f}  |difference| {diff:.3e}")
            result.update({"engine_masked_mean_nll": engine, "abs_difference": diff})
            if args.tolerance is not None and diff > args.tolerance:
                print(f"difference {diff:.3e} exceeds the tolerance {args.tolerance:g}", file=sys.stderr)
                status = 1
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
