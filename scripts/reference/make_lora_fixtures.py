#!/usr/bin/env python3
"""A PEFT LoRA adapter on a committed HF fixture, and the log-probs PEFT computes with it.

Builds a LoRA adapter (rank 4, alpha 8, all linear layers of the decoder: q/k/v/o/gate/up/down) on
Tests/Fixtures/hf/llama_gqa_untied_f32 with random (non-zero) A and B, saves it with PEFT's
save_pretrained into Tests/Fixtures/lora/llama_gqa_untied_f32_r4/ (adapter_config.json +
adapter_model.safetensors), and writes expected.json there with per-token log-probs of the base
fixture's sequences through the PEFT model (unmerged forward, float32).

Environment (the committed fixture was made with torch 2.13.0+cpu, transformers 5.24.0, peft 0.21.2):
    python3 -m venv .venv && .venv/bin/pip install torch==2.13.0+cpu transformers safetensors peft
Run from the repository root:
    .venv/bin/python scripts/reference/make_lora_fixtures.py
"""
import json
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "Tests" / "Fixtures" / "hf" / "llama_gqa_untied_f32"
OUT = REPO / "Tests" / "Fixtures" / "lora" / "llama_gqa_untied_f32_r4"


def main():
    torch.manual_seed(4242)
    model = AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    # PEFT initialises B to zero (the adapter starts as a no-op); make it non-trivial.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn_like(p) * 0.3)
    model.eval()
    OUT.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(OUT)
    (OUT / "README.md").unlink(missing_ok=True)  # PEFT's model-card template
    adapter_config = json.loads((OUT / "adapter_config.json").read_text())
    adapter_config["base_model_name_or_path"] = "Tests/Fixtures/hf/llama_gqa_untied_f32"
    adapter_config["target_modules"] = sorted(adapter_config["target_modules"])
    (OUT / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2, sort_keys=True) + "\n")
    sequences = json.loads((BASE / "expected.json").read_text())["sequences"]
    records = []
    with torch.no_grad():
        for s in sequences:
            ids = torch.tensor([s["token_ids"]])
            logits = model(input_ids=ids).logits[0].float()
            lp = torch.log_softmax(logits[:-1], dim=-1).gather(-1, ids[0, 1:, None])[:, 0]
            records.append({"token_ids": s["token_ids"], "logprobs": lp.tolist()})
    (OUT / "expected.json").write_text(json.dumps({
        "base": "Tests/Fixtures/hf/llama_gqa_untied_f32", "generated_by": "scripts/reference/make_lora_fixtures.py",
        "peft_config": {"r": 4, "lora_alpha": 8, "target_modules": "all-linear"},
        "logprobs_convention": "logprobs[i] = log_softmax(logits at i)[token_ids[i+1]], PEFT unmerged forward, float32",
        "sequences": records}, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
