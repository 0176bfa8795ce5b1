"""What the reference-fixture scripts (make_hf_fixtures.py, make_grad_fixtures.py,
make_train_fixtures.py) share: the perturbation of a freshly initialised model, the fixed training
batch with -100 labels, the engine's batch loss convention and the probe vector.

Imported by those scripts as a sibling module (run them from the repository root as documented in
each; Python puts the script's own folder on the import path).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

IGNORE = -100

# The model families the fixtures use: config class and causal-LM class.
FAMILIES = {"llama": (LlamaConfig, LlamaForCausalLM), "qwen2": (Qwen2Config, Qwen2ForCausalLM)}


def random_causal_lm(family, config, seed, initializer_range):
    """A freshly initialised float32 causal LM of `family` ("llama" or "qwen2") with `config`
    (keyword arguments of its config class; bos 1, eos 2), seeded with `seed`, its constant
    parameters perturbed; returns (model, causal-LM class)."""
    torch.manual_seed(seed)
    config_class, cls = FAMILIES[family]
    model = cls(config_class(**config, initializer_range=initializer_range, bos_token_id=1, eos_token_id=2)).float()
    return perturb_constant_parameters(model), cls


def perturb_constant_parameters(model):
    """Draws what the default init leaves constant, from the global torch generator, in parameter
    order: RMSNorm weights (ones) become 1 + 0.1 * N(0, 1), biases (zeros) 0.5 * N(0, 1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.5 * torch.randn_like(p))
    return model


def masked_batch(seed, vocab, lengths, prompt_length, masked_responses):
    """Random ids in [3, vocab) for sequences of `lengths`; labels copy the ids, with -100 on the
    first `prompt_length(i)` tokens of sequence i (a prompt-like prefix) and on `masked_responses`
    tokens drawn at random after it (a few masked response tokens)."""
    g = torch.Generator().manual_seed(seed)
    ids, labels = [], []
    for i, n in enumerate(lengths):
        x = torch.randint(3, vocab, (n,), generator=g).tolist()
        y = list(x)
        prompt = prompt_length(i)
        for t in range(prompt):
            y[t] = IGNORE
        for t in (torch.randperm(n - prompt, generator=g)[:masked_responses] + prompt).tolist():
            y[t] = IGNORE
        ids.append(x)
        labels.append(y)
    return ids, labels


def counted_targets(labels):
    """The number of shifted labels that are trained on (labels[1:] other than -100) over the batch."""
    return sum(1 for y in labels for t in y[1:] if t != IGNORE)


def batch_loss(model, ids, labels, counted):
    """The engine's TrainingPass loss: each sequence run alone (batch 1, no padding), the summed
    cross-entropy of logits[:-1] against labels[1:] (-100 ignored) over all sequences, divided by
    `counted` (counted_targets of the batch)."""
    total = torch.zeros(())
    for x, y in zip(ids, labels):
        logits = model(input_ids=torch.tensor([x]), use_cache=False).logits[0].float()
        total = total + F.cross_entropy(logits[:-1], torch.tensor(y[1:]), ignore_index=IGNORE, reduction="sum")
    return total / counted


def probe(count):
    """probe_i = cos(0.37 * i) in float64 for the flat row-major index i: a dot product with it
    checks every element of a tensor at once."""
    return torch.cos(0.37 * torch.arange(count, dtype=torch.float64))
