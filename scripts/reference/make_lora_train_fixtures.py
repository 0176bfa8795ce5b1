#!/usr/bin/env python3
"""Three LoRA training steps with PEFT + torch.optim.AdamW, for the engine's LoRA training parity test.

Base model and batch: Tests/Fixtures/grad/llama_untied (weights, input_ids, labels with -100; the loss
is the batch mean over counted targets, each sequence run alone, as make_grad_fixtures.py documents).
Adapter: LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0), initialised by
PEFT under torch.manual_seed(7) (A Kaiming-uniform, B zero) and saved as initial/. Three steps, each:
loss and gradients, torch.nn.utils.clip_grad_norm_(1.0), AdamW(lr 1e-2, betas (0.9, 0.999), eps 1e-8,
weight decay 0.01 on every LoRA tensor, as the Hugging Face Trainer decays them). The adapter after
step 3 is saved as final/, and expected.json records the loss before each step.

    python3 -m venv .venv && .venv/bin/pip install torch==2.13.0+cpu transformers safetensors peft
    .venv/bin/python scripts/reference/make_lora_train_fixtures.py
"""
import json
from pathlib import Path

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "Tests" / "Fixtures" / "grad" / "llama_untied"
OUT = REPO / "Tests" / "Fixtures" / "lora_train" / "llama_untied_r4"


def batch_loss(model, input_ids, labels):
    total, counted = 0.0, 0
    for ids, lab in zip(input_ids, labels):
        logits = model(input_ids=torch.tensor([ids])).logits[0, :-1].float()
        target = torch.tensor(lab[1:])
        total = total + F.cross_entropy(logits, target, ignore_index=-100, reduction="sum")
        counted += int((target != -100).sum())
    return total / counted


def save(model, directory):
    model.save_pretrained(directory)
    (directory / "README.md").unlink(missing_ok=True)
    config = json.loads((directory / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "Tests/Fixtures/grad/llama_untied"
    config["target_modules"] = sorted(config["target_modules"])
    (directory / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def main():
    expected = json.loads((BASE / "expected.json").read_text())
    input_ids, labels = expected["input_ids"], expected["labels"]
    model = AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32)
    torch.manual_seed(7)
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM"))
    save(model, OUT / "initial")
    params = [p for n, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    losses, norms = [], []
    for _ in range(3):
        optimizer.zero_grad()
        loss = batch_loss(model, input_ids, labels)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(params, 1.0)))
        optimizer.step()
        losses.append(float(loss))
    save(model, OUT / "final")
    (OUT / "expected.json").write_text(json.dumps({
        "generated_by": "scripts/reference/make_lora_train_fixtures.py", "base": "Tests/Fixtures/grad/llama_untied",
        "lr": 1e-2, "weight_decay": 0.01, "max_grad_norm": 1.0, "losses": losses, "grad_norms_before_clipping": norms}, indent=1) + "\n")
    print("losses", losses, "norms", norms)


if __name__ == "__main__":
    main()
