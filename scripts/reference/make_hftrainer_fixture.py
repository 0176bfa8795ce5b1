#!/usr/bin/env python3
"""A tiny random Llama with a real tokenizer, for the test that integrations/hf/train.py and the built-in
trainer (`forgetbench train`) give the same loss curve (Tests/ForgetBenchCLITests/HFTrainerParityTests).

Writes Tests/Fixtures/hftrainer/tiny_llama/: config.json + model.safetensors (LlamaForCausalLM,
hidden 32, 2 layers, 4 heads / 2 KV heads, untied, float32, weights N(0, 0.1^2) from
torch.manual_seed(20261207); RMSNorm weights 1) and the 810-token Llama 3 tokenizer of
Tests/Fixtures/chat-tokenizers/llama-3.1-8b-instruct (tokenizer.json, tokenizer_config.json), plus
train.jsonl: 12 prompt/response pairs for `forgetbench mask`.

    python3 -m venv /work/venv && /work/venv/bin/pip install torch==2.13.0+cpu transformers safetensors
    /work/venv/bin/python scripts/reference/make_hftrainer_fixture.py
"""
import json
import shutil
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

REPO = Path(__file__).resolve().parents[2]
TOKENIZER = REPO / "Tests" / "Fixtures" / "chat-tokenizers" / "llama-3.1-8b-instruct"
OUT = REPO / "Tests" / "Fixtures" / "hftrainer" / "tiny_llama"

PAIRS = [
    ("What is two plus three?", "Two plus three is five."),
    ("Name a colour of the sky.", "The sky is often blue."),
    ("Spell cat backwards.", "Cat backwards is tac."),
    ("What do bees make?", "Bees make honey in their hives."),
    ("How many legs has a spider?", "A spider has eight legs."),
    ("Where does the sun rise?", "The sun rises in the east."),
    ("What is frozen water?", "Frozen water is ice."),
    ("Which animal says moo?", "A cow says moo."),
    ("What is ten minus four?", "Ten minus four is six."),
    ("Name a fruit that is yellow.", "A banana is yellow."),
    ("What do plants need to grow?", "Plants need light, water and soil to grow well."),
    ("Count from one to three.", "One, two, three."),
]


def main():
    tokenizer = json.loads((TOKENIZER / "tokenizer.json").read_text())
    vocab = max(max(tokenizer["model"]["vocab"].values()), max(t["id"] for t in tokenizer["added_tokens"])) + 1
    special = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    config = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5, tie_word_embeddings=False,
                         bos_token_id=special["<|begin_of_text|>"], eos_token_id=special["<|eot_id|>"], initializer_range=0.1)
    torch.manual_seed(20261207)
    model = LlamaForCausalLM(config).float().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.1)
    OUT.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(OUT, safe_serialization=True)
    (OUT / "generation_config.json").unlink(missing_ok=True)
    for name in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copyfile(TOKENIZER / name, OUT / name)
    with open(OUT.parent / "train.jsonl", "w") as f:
        for prompt, response in PAIRS:
            f.write(json.dumps({"prompt": prompt, "response": " " + response}) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
