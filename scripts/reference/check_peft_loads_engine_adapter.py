#!/usr/bin/env python3
"""Interoperability check: a LoRA adapter trained by `forgetbench train` loads in PEFT and gives the
engine's log-probs.

Trains a rank-4 LoRA adapter with the built-in engine on Tests/Fixtures/hf/llama_gqa_untied_f32 (a
few steps on token-id data, so the adapter is far from its zero start), scores the fixture's
sequences with `forgetbench perplexity --adapter`, loads the same adapter directory with PEFT on
top of transformers' model, and compares per-token log-probs (maximum absolute difference; the
issue's bound is 2e-4).

    python3 -m venv .venv && .venv/bin/pip install torch==2.13.0+cpu transformers safetensors peft
    swift build --product forgetbench
    .venv/bin/python scripts/reference/check_peft_loads_engine_adapter.py [--forgetbench .build/debug/forgetbench]
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "Tests" / "Fixtures" / "hf" / "llama_gqa_untied_f32"
TOKENIZER = REPO / "Tests" / "Fixtures" / "tokenizers" / "bytelevel" / "tokenizer.json"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--forgetbench", default=str(REPO / ".build" / "debug" / "forgetbench"))
    args = ap.parse_args()
    fb = args.forgetbench
    sequences = [s["token_ids"] for s in json.loads((BASE / "expected.json").read_text())["sequences"] if len(s["token_ids"]) > 2]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train = tmp / "train.jsonl"
        train.write_text("".join(json.dumps({"prompt_ids": s[:5], "response_ids": s[5:60]}) + "\n" for s in sequences))
        common = ["--model", str(BASE), "--tokenizer", str(TOKENIZER)]
        subprocess.run([fb, "mask", *common, "--input", str(train), "--regime", "ground-truth", "--output", str(tmp / "m.jsonl")], check=True)
        subprocess.run([fb, "train", *common, "--data", str(tmp / "m.jsonl"), "--lora-rank", "4", "--lora-alpha", "8", "--lr", "5e-2",
                        "--epochs", "8", "--batch-size", "2", "--output", str(tmp / "adapter")], check=True)
        scored = tmp / "in.jsonl"
        scored.write_text("".join(json.dumps({"token_ids": s}) + "\n" for s in sequences))
        subprocess.run([fb, "perplexity", *common, "--adapter", str(tmp / "adapter"), "--input", str(scored), "--output", str(tmp / "out.jsonl")], check=True)
        engine = [json.loads(line)["logprobs"] for line in (tmp / "out.jsonl").read_text().splitlines()]

        model = AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32)
        base_lp = []
        with torch.no_grad():
            for s in sequences:
                ids = torch.tensor([s])
                base_lp.append(torch.log_softmax(model(input_ids=ids).logits[0, :-1], -1).gather(-1, ids[0, 1:, None])[:, 0])
        model = PeftModel.from_pretrained(model, tmp / "adapter").eval()
        worst, moved = 0.0, 0.0
        with torch.no_grad():
            for s, e, b in zip(sequences, engine, base_lp):
                ids = torch.tensor([s])
                lp = torch.log_softmax(model(input_ids=ids).logits[0, :-1], -1).gather(-1, ids[0, 1:, None])[:, 0]
                worst = max(worst, (lp - torch.tensor(e)).abs().max().item())
                moved = max(moved, (lp - b).abs().max().item())
    print(f"PEFT vs engine log-probs on {sum(len(s) - 1 for s in sequences)} tokens: max |difference| {worst:.2e} "
          f"(the adapter moved log-probs by up to {moved:.2f} from the base)")
    sys.exit(0 if worst <= 2e-4 and moved > 1e-2 else 1)


if __name__ == "__main__":
    main()
