#!/usr/bin/env python3
"""Fine-tunes a Hugging Face causal LM on a ForgetBench masked training set with PyTorch.

ForgetBench keeps the science (scoring, masks, evaluation); this script does the training on GPUs with
transformers + PEFT, and runs unchanged alone, under `torchrun` and under `accelerate launch` (DDP,
FSDP or DeepSpeed ZeRO-2/3: see the configs beside it).

    python train.py --data train.stm.jsonl --settings settings.json --model BASE_DIR --output OUT_DIR

Inputs
  --data      JSONL written by `forgetbench mask`: one object per line with `input_ids` and `labels`
              (same length; -100 where no loss is taken; the label at t+1 is the target of position t),
              and for the `soft` regime `weights`, one non-negative loss weight per token.
              Its manifest (`X.manifest.json` beside `X.jsonl`) must name this model's tokenizer: the
              sha256 of BASE_DIR/tokenizer.json must equal the manifest's `tokenizer_sha256`.
  --settings  JSON written by ForgetBench (`forgetbench train --trainer-command`, or an experiment run
              with `training.trainer: command`); keys are described in `Settings` below.
  --model     a Hugging Face model directory (config.json, weights, tokenizer.json).

What it computes (the same as ForgetBench's built-in trainer, so the two give the same loss curve):
  * the examples are never re-tokenised; longer ones are cut to `max_seq_len`; a micro-batch is padded on
    the right with label -100 (causal attention: padding never reaches earlier positions);
  * the loss of an optimiser step is the summed cross-entropy over the step's counted targets (labels
    != -100, every micro-batch of the step, every process) divided by their count; with `weights`
    (the `soft` regime) each target's cross-entropy counts `weights[t]` times in the sum (the count
    stays the number of targets), and a line without weights weighs 1 per target;
  * the order of examples per epoch is ForgetBench's seeded shuffle (`order: forgetbench`), so that a
    run is reproducible across trainers; micro-batches of `batch_size` examples per process, and
    `gradient_accumulation` of them per optimiser step (the last step of an epoch may hold fewer);
  * AdamW (torch.optim.AdamW) with decoupled weight decay on every parameter except biases and
    normalisation weights; global gradient-norm clipping; linear warm-up then cosine (or linear, or
    constant) decay computed per optimiser step as transformers' schedules do;
  * LoRA via PEFT (`A` Kaiming-uniform, `B` zero); with `lora_init: forgetbench` the `A` matrices are
    drawn from ForgetBench's seeded generator instead of torch's, so the built-in trainer and this one
    start from the same adapter.

Outputs in --output: a PEFT adapter (adapter_config.json + adapter_model.safetensors) for LoRA / DoRA,
or a Hugging Face model directory (config.json + model.safetensors + the tokenizer) for full fine-tuning
or `merge: true`; and `training.json` (written last; the keys of ForgetBench's FineTuningSummary) with
`losses`, the loss of every optimiser step.
Each step prints one line `step K/N loss L lr R grad-norm G` on stdout, as `forgetbench train` does.
Exit codes: 0 done, 1 training failed (e.g. a non-finite loss), 2 bad input (file and line named).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path

IGNORE = -100
MASK64 = (1 << 64) - 1
LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class InputError(Exception):
    """Bad input: the message names the file (and line) and what was expected."""


# ---------------------------------------------------------------------------------------------------
# Settings

SETTINGS_DEFAULTS = {
    "format_version": 1,
    "method": "lora",            # lora | dora | full
    "lora_rank": 8,
    "lora_alpha": 16.0,
    "lora_dropout": 0.0,
    "target_modules": "all-linear",  # or a list of module names (q_proj, ...)
    "lora_init": "forgetbench",  # forgetbench | peft
    "merge": False,              # LoRA: write the merged model instead of the adapter
    "learning_rate": 2e-5,
    "schedule": "cosine",        # cosine | linear | constant
    "warmup_steps": 0,
    "epochs": 3,
    "batch_size": 8,             # examples per micro-batch per process
    "gradient_accumulation": 1,  # micro-batches per optimiser step
    "max_seq_len": None,         # null: the model's max_position_embeddings
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,        # 0: no clipping
    "adam_beta1": 0.9,
    "adam_beta2": 0.999,
    "adam_epsilon": 1e-8,
    "seed": 42,
    "order": "forgetbench",      # forgetbench (the built-in trainer's shuffle) | sequential
    "dtype": "float32",          # float32 | bfloat16 | float16 (weights and compute)
}
CHOICES = {"method": {"lora", "dora", "full"}, "lora_init": {"forgetbench", "peft"}, "schedule": {"cosine", "linear", "constant"},
           "order": {"forgetbench", "sequential"}, "dtype": {"float32", "bfloat16", "float16"}}
POSITIVE_INTS = ["lora_rank", "epochs", "batch_size", "gradient_accumulation"]


def read_settings(path: str) -> dict:
    """The settings JSON with defaults filled in; raises InputError naming the key for anything invalid."""
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as e:
        raise InputError(f"{path}: cannot read the settings ({e.strerror})")
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not JSON ({e.msg})")
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a JSON object of training settings")
    unknown = sorted(set(raw) - set(SETTINGS_DEFAULTS) - {"created_by", "comment"})
    if unknown:
        raise InputError(f"{path}: unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(SETTINGS_DEFAULTS))})")
    s = dict(SETTINGS_DEFAULTS, **raw)
    if s["format_version"] != 1:
        raise InputError(f"{path}: format_version {s['format_version']} is not supported (expected 1)")
    for key, allowed in CHOICES.items():
        if s[key] not in allowed:
            raise InputError(f"{path}: {key} is {s[key]!r}; expected one of {', '.join(sorted(allowed))}")
    for key in POSITIVE_INTS:
        if not isinstance(s[key], int) or s[key] < 1:
            raise InputError(f"{path}: {key} must be a positive integer, got {s[key]!r}")
    if not isinstance(s["warmup_steps"], int) or s["warmup_steps"] < 0:
        raise InputError(f"{path}: warmup_steps must be an integer >= 0")
    if not isinstance(s["seed"], int) or not 0 <= s["seed"] <= MASK64:
        raise InputError(f"{path}: seed must be an integer in [0, 2^64)")
    if s["max_seq_len"] is not None and (not isinstance(s["max_seq_len"], int) or s["max_seq_len"] < 2):
        raise InputError(f"{path}: max_seq_len must be null or an integer >= 2")
    for key in ["learning_rate", "lora_alpha"]:
        if not isinstance(s[key], (int, float)) or not s[key] > 0:
            raise InputError(f"{path}: {key} must be a positive number")
    if not 0 <= s["lora_dropout"] < 1:
        raise InputError(f"{path}: lora_dropout must be in [0, 1)")
    if s["weight_decay"] < 0 or s["max_grad_norm"] < 0:
        raise InputError(f"{path}: weight_decay and max_grad_norm must be >= 0")
    tm = s["target_modules"]
    if not (tm == "all-linear" or (isinstance(tm, list) and tm and all(isinstance(m, str) for m in tm))):
        raise InputError(f"{path}: target_modules must be \"all-linear\" or a non-empty list of module names")
    if s["merge"] and s["method"] == "full":
        raise InputError(f"{path}: merge applies to LoRA and DoRA; full fine-tuning already writes a whole model")
    return s


# ---------------------------------------------------------------------------------------------------
# Data

def manifest_path(data: str) -> str:
    """`x.jsonl` -> `x.manifest.json`; anything else + `.manifest.json` (as `forgetbench mask` names it)."""
    return (data[: -len(".jsonl")] if data.endswith(".jsonl") else data) + ".manifest.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_tokenizer(data: str, model_dir: str) -> dict:
    """Refuses data whose manifest names another tokenizer than the model's tokenizer.json."""
    mpath = manifest_path(data)
    try:
        manifest = json.loads(Path(mpath).read_text())
    except OSError:
        raise InputError(f"{mpath}: missing; the training set must be written by 'forgetbench mask', which writes this manifest beside it")
    except json.JSONDecodeError as e:
        raise InputError(f"{mpath}:{e.lineno}: not JSON ({e.msg})")
    expected = manifest.get("tokenizer_sha256")
    if not expected:
        raise InputError(f"{mpath}: has no tokenizer_sha256 (written by an older 'forgetbench mask'); mask the data again")
    tokenizer = Path(model_dir) / "tokenizer.json"
    if not tokenizer.is_file():
        raise InputError(f"{tokenizer}: missing; the model's tokenizer is needed to check the data was tokenised by it")
    actual = sha256_file(tokenizer)
    if actual != expected:
        raise InputError(f"{data}: was tokenised by another tokenizer (manifest {mpath} names tokenizer sha256 {expected}, "
                         f"the model's {tokenizer} is {actual}); mask the data with this model's tokenizer")
    return manifest


def read_examples(path: str, vocab_size: int, max_len: int) -> tuple[list[tuple[list[int], list[int], list[float] | None]], int]:
    """(input_ids, labels, weights or None) per line, cut to `max_len`; the count of cut examples."""
    examples, truncated = [], 0
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read the training set ({e.strerror})")
    with f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{path}:{number}: not a JSON object (expected one masked example per line)")
            ids, labels = (obj.get("input_ids"), obj.get("labels")) if isinstance(obj, dict) else (None, None)
            if not (isinstance(ids, list) and isinstance(labels, list) and ids and len(ids) == len(labels)
                    and all(isinstance(t, int) for t in ids) and all(isinstance(t, int) for t in labels)):
                raise InputError(f"{path}:{number}: expected input_ids and labels, integer lists of the same non-zero length")
            bad = next((t for t in ids if not 0 <= t < vocab_size), None)
            if bad is not None:
                raise InputError(f"{path}:{number}: token id {bad} is outside the vocabulary (0..<{vocab_size})")
            bad = next((t for t in labels if t != IGNORE and not 0 <= t < vocab_size), None)
            if bad is not None:
                raise InputError(f"{path}:{number}: label {bad} is neither -100 nor a token id (0..<{vocab_size})")
            weights = obj.get("weights")
            if weights is not None and not (isinstance(weights, list) and len(weights) == len(ids) and all(
                    isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w) and w >= 0 for w in weights)):
                raise InputError(f"{path}:{number}: expected weights: one non-negative number per token")
            if len(ids) > max_len:
                ids, labels, truncated = ids[:max_len], labels[:max_len], truncated + 1
                weights = weights[:max_len] if weights is not None else None
            examples.append((ids, labels, weights))
    if not examples:
        raise InputError(f"{path}: no training examples")
    return examples, truncated


def counted_targets(example) -> int:
    """Targets that carry a loss: labels at positions >= 1 that are not -100."""
    return sum(1 for t in example[1][1:] if t != IGNORE)


# ---------------------------------------------------------------------------------------------------
# ForgetBench's seeded generator, shuffle and schedule (Sources/Harness/SplitMix64.swift,
# Sources/NativeModel/Trainer.swift, LearningRateSchedule.swift), so both trainers see the same steps.

class SplitMix64:
    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, bound: int) -> int:
        """Uniform in 0..<bound by Lemire's multiply-shift with rejection."""
        threshold = ((1 << 64) - bound) % bound
        while True:
            r = self.next() * bound
            if (r & MASK64) >= threshold:
                return r >> 64

    def uniform24(self) -> int:
        """The top 24 bits of the next output (the built-in's `nextUniform() * 2^24`)."""
        return self.next() >> 40


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    rng = SplitMix64((seed + epoch * 0x9E3779B9) & MASK64)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def plan(n: int, s: dict, processes: int) -> list[list[list[int]]]:
    """Optimiser steps, each a list of micro-batches, each the example indices of all processes
    (`batch_size * processes` of them; process r takes its contiguous share)."""
    width = s["batch_size"] * processes
    steps = []
    for epoch in range(s["epochs"]):
        order = epoch_order(n, s["seed"], epoch) if s["order"] == "forgetbench" else list(range(n))
        batches = [order[i:i + width] for i in range(0, n, width)]
        ga = s["gradient_accumulation"]
        steps += [batches[i:i + ga] for i in range(0, len(batches), ga)]
    return steps


def lr_multiplier(kind: str, k: int, warmup: int, total: int) -> float:
    if k < warmup:
        return k / max(1, warmup)
    if kind == "constant":
        return 1.0
    if kind == "linear":
        return max(0.0, (total - k) / max(1, total - warmup))
    progress = (k - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))


def decays(name: str) -> bool:
    """The Hugging Face Trainer's rule: no weight decay on biases and normalisation weights."""
    return not ("norm" in name.lower() or name.endswith(".bias"))


# ---------------------------------------------------------------------------------------------------
# Training

def lora_init_forgetbench(model, seed: int):
    """Draws every LoRA `A` as the built-in trainer does: one SplitMix64 stream seeded with `seed`, layer
    by layer, modules in the order q, k, v, o, gate, up, down, each A row-major, uniform in ±1/√in
    (24-bit uniforms, float32 arithmetic); B stays zero."""
    import numpy as np
    import torch
    rng = SplitMix64(seed)
    layers = {}
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            parts = name.split(".")
            if "layers" not in parts:
                continue
            index = int(parts[parts.index("layers") + 1])
            layers.setdefault(index, {})[parts[-1]] = module
    for index in sorted(layers):
        for short in LINEAR_MODULES:
            module = layers[index].get(short)
            if module is None:
                continue
            a = module.lora_A["default"].weight
            rank, fan_in = a.shape
            bits = np.array([rng.uniform24() for _ in range(rank * fan_in)], dtype=np.float32)
            u = bits / np.float32(1 << 24)
            bound = np.float32(1) / np.sqrt(np.float32(fan_in))
            values = ((u * np.float32(2) - np.float32(1)) * bound).astype(np.float32).reshape(rank, fan_in)
            with torch.no_grad():
                a.copy_(torch.from_numpy(values).to(a.dtype))
                module.lora_B["default"].weight.zero_()


def build_model(args, s):
    import torch
    from transformers import AutoModelForCausalLM
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[s["dtype"]]
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype)
    model.config.use_cache = False
    if s["method"] == "full":
        return model
    from peft import LoraConfig, get_peft_model
    config = LoraConfig(r=s["lora_rank"], lora_alpha=s["lora_alpha"], lora_dropout=s["lora_dropout"], target_modules=s["target_modules"],
                        use_dora=s["method"] == "dora", bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    if s["lora_init"] == "forgetbench":
        if s["method"] == "dora":
            raise InputError(f"{args.settings}: lora_init forgetbench applies to LoRA; use lora_init peft with DoRA")
        lora_init_forgetbench(model, s["seed"])
    return model


def micro_batch(examples, indices, device):
    """Right-padded input_ids, attention mask, labels (-100 on padding) and per-token loss weights
    (None when no example of the batch has any; 1 for an example without, 0 on padding)."""
    import torch
    width = max(len(examples[i][0]) for i in indices)
    ids = torch.zeros(len(indices), width, dtype=torch.long)
    labels = torch.full((len(indices), width), IGNORE, dtype=torch.long)
    attention = torch.zeros(len(indices), width, dtype=torch.long)
    weighted = any(examples[i][2] is not None for i in indices)
    weights = torch.zeros(len(indices), width, dtype=torch.float32) if weighted else None
    for row, i in enumerate(indices):
        x, y, w = examples[i]
        ids[row, :len(x)] = torch.tensor(x)
        labels[row, :len(y)] = torch.tensor(y)
        attention[row, :len(x)] = 1
        if weights is not None:
            weights[row, :len(x)] = torch.tensor(w, dtype=torch.float32) if w is not None else 1.0
    return ids.to(device), attention.to(device), labels.to(device), None if weights is None else weights.to(device)


def summed_loss(model, ids, attention, labels, weights=None):
    """The summed cross-entropy of the targets (labels shifted by one; -100 ignored), in float32;
    with `weights`, target t's cross-entropy counts weights[t] times."""
    import torch.nn.functional as F
    logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
    target = labels[:, 1:]
    if weights is None:
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=IGNORE, reduction="sum")
    per_target = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=IGNORE, reduction="none")
    return (per_target * weights[:, 1:].reshape(-1)).sum()


def train(args) -> int:
    s = read_settings(args.settings)
    check_tokenizer(args.data, args.model)
    import torch
    from accelerate import Accelerator
    from accelerate.utils import DistributedType
    from transformers import AutoConfig

    # Under DeepSpeed the engine accumulates (its steps must equal the settings'); elsewhere train.py does.
    deepspeed_env = os.environ.get("ACCELERATE_USE_DEEPSPEED", "false").lower() == "true"
    accelerator = Accelerator(gradient_accumulation_steps=s["gradient_accumulation"] if deepspeed_env else 1)
    main = accelerator.is_main_process
    deepspeed = accelerator.distributed_type == DistributedType.DEEPSPEED
    config = AutoConfig.from_pretrained(args.model)
    context = getattr(config, "max_position_embeddings", None) or 1 << 30
    max_len = min(s["max_seq_len"] or context, context)
    examples, truncated = read_examples(args.data, config.vocab_size, max_len)
    processes, rank = accelerator.num_processes, accelerator.process_index
    steps = plan(len(examples), s, processes)

    torch.manual_seed(s["seed"] & 0x7FFF_FFFF_FFFF_FFFF)
    model = build_model(args, s)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [{"params": [p for n, p in named if decays(n)], "weight_decay": s["weight_decay"]},
              {"params": [p for n, p in named if not decays(n)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW([g for g in groups if g["params"]], lr=s["learning_rate"], betas=(s["adam_beta1"], s["adam_beta2"]),
                                  eps=s["adam_epsilon"])
    if deepspeed:
        ds = accelerator.state.deepspeed_plugin.deepspeed_config
        ds["train_micro_batch_size_per_gpu"] = s["batch_size"]
        ds["gradient_accumulation_steps"] = s["gradient_accumulation"]
        ds["gradient_clipping"] = s["max_grad_norm"]
    model, optimizer = accelerator.prepare(model, optimizer)
    model.train()
    trained = [p for p in model.parameters() if p.requires_grad]
    # FSDP clips through the wrapped module only when given all of its parameters (frozen ones have no gradient).
    clipped = list(model.parameters()) if accelerator.distributed_type == DistributedType.FSDP else trained
    output = Path(args.output)
    if main:
        output.mkdir(parents=True, exist_ok=True)
        print(f"training ({s['method']}) {len(examples)} examples ({truncated} truncated to {max_len} tokens), {len(steps)} optimiser steps, "
              f"{processes} process(es)", flush=True)

    losses, started, tokens = [], time.time(), 0
    for k, micro in enumerate(steps):
        counted = sum(counted_targets(examples[i]) for batch in micro for i in batch)
        rate = s["learning_rate"] * lr_multiplier(s["schedule"], k, s["warmup_steps"], len(steps))
        for group in optimizer.param_groups:
            group["lr"] = rate
        local = torch.zeros((), dtype=torch.float64, device=accelerator.device)
        for j, batch in enumerate(micro):
            share = (len(batch) + processes - 1) // processes
            mine = batch[rank * share:(rank + 1) * share]
            last = j == len(micro) - 1
            # A process without examples in this micro-batch runs one of the others' with weight 0: every
            # process must take part in each forward (FSDP, ZeRO-3 gathers) and backward (gradient all-reduce).
            ids, attention, labels, weights = micro_batch(examples, mine or batch[:1], accelerator.device)
            weight = 1.0 if mine else 0.0
            with (nullcontext() if last or deepspeed else accelerator.no_sync(model)):
                loss_sum = summed_loss(model, ids, attention, labels, weights)
                # Gradients of the step's token mean: the engines average over processes (× processes)
                # and DeepSpeed divides by its accumulation steps (× gradient_accumulation).
                scale = weight * processes * (s["gradient_accumulation"] if deepspeed else 1) / max(counted, 1)
                if deepspeed:
                    accelerator.deepspeed_engine_wrapped.backward(loss_sum * scale, sync_gradients=last)
                else:
                    accelerator.backward(loss_sum * scale)
            if mine:
                tokens += int(attention.sum())
                local += loss_sum.detach().double()
        loss = float(accelerator.reduce(local, reduction="sum")) / max(counted, 1)
        if deepspeed:
            norm = float(accelerator.deepspeed_engine_wrapped.get_global_grad_norm() or 0.0)
        else:
            if s["max_grad_norm"] > 0:
                norm = float(accelerator.clip_grad_norm_(clipped, s["max_grad_norm"]))
            else:
                norm = float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad.float()) for p in trained if p.grad is not None])))
            if not (math.isfinite(loss) and math.isfinite(norm)):
                if main:
                    print(f"error: the loss became {loss} (or the gradient non-finite) at step {k + 1}; stopped before applying it "
                          "(lower learning_rate or check the data)", file=sys.stderr, flush=True)
                return 1
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        losses.append(loss)
        if main:
            elapsed = time.time() - started
            print(f"step {k + 1}/{len(steps)}  loss {loss:.6f}  lr {rate:.3e}  grad-norm {norm:.4f}  "
                  f"{tokens * processes / max(elapsed, 1e-9):.0f} tok/s  ETA {int(elapsed / (k + 1) * (len(steps) - k - 1))}s", flush=True)

    accelerator.wait_for_everyone()
    state = accelerator.get_state_dict(model)
    if main:
        save(accelerator.unwrap_model(model), state, s, args, output)
        # The keys of ForgetBench's FineTuningSummary (training.json of the built-in trainer).
        summary = {"examples": len(examples), "truncatedExamples": truncated, "steps": len(steps), "finalLoss": losses[-1],
                   "losses": losses, "trainedTokens": sum(counted_targets(e) for e in examples),
                   "method": describe(s), "seconds": time.time() - started, "resumed": False, "trainer": "integrations/hf/train.py",
                   "processes": processes}
        write_atomic(output / "training.json", json.dumps(summary, indent=2, sort_keys=True) + "\n")
        print(f"final loss {losses[-1]:.4f}; wrote {output}", flush=True)
    accelerator.wait_for_everyone()
    return 0


def describe(s: dict) -> str:
    if s["method"] == "full":
        return "full"
    return f"{s['method']} r={s['lora_rank']} alpha={float(s['lora_alpha'])} dropout={float(s['lora_dropout'])}"


def save(model, state, s, args, output: Path):
    """Writes the adapter, or the (merged or fully fine-tuned) model with the base's tokenizer files."""
    if s["method"] != "full" and not s["merge"]:
        model.save_pretrained(output, state_dict=state, safe_serialization=True)
        (output / "README.md").unlink(missing_ok=True)
        config_path = output / "adapter_config.json"
        config = json.loads(config_path.read_text())
        config["base_model_name_or_path"] = args.model
        write_atomic(config_path, json.dumps(config, indent=2, sort_keys=True) + "\n")
        return
    if s["method"] != "full":
        model = model.merge_and_unload()
        state = None
    model.save_pretrained(output, state_dict=state, safe_serialization=True, max_shard_size="1000GB")
    for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "tokenizer.model"]:
        if (Path(args.model) / name).is_file():
            shutil.copyfile(Path(args.model) / name, output / name)


def write_atomic(path: Path, text: str):
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="masked JSONL written by 'forgetbench mask'")
    parser.add_argument("--settings", required=True, help="training settings JSON written by ForgetBench")
    parser.add_argument("--model", required=True, help="base model: a Hugging Face directory")
    parser.add_argument("--output", required=True, help="directory for the adapter or model and training.json")
    args = parser.parse_args(argv)
    try:
        return train(args)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
