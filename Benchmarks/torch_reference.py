#!/usr/bin/env python3
"""PyTorch float32 reference timings for a Llama-family model (randomly initialised).

Times either forward scoring (logits + per-token log-probs of the input, no grad) or one full
fine-tuning step (forward + causal-LM loss + backward + AdamW step) on CPU, and prints ONE JSON line:

    {"tokens_per_s_median": ..., "seconds_median": ..., "peak_rss_mb": ..., ...}

tokens = batch * seq per repeat; seconds_median is the median wall time of one repeat after
`--warmup` untimed repeats; peak_rss_mb is the process's peak resident set size (ru_maxrss),
which includes model construction (and, with --save-weights, serialisation).

Environment:

    python3 -m venv .venv && .venv/bin/pip install torch==2.13.0+cpu transformers safetensors
    # (torch CPU wheels: add --index-url https://download.pytorch.org/whl/cpu for torch)

Examples:

    # small config
    .venv/bin/python Benchmarks/torch_reference.py --hidden 256 --layers 6 --heads 8 --kv-heads 4 \
        --intermediate 688 --vocab 512 --batch 4 --seq 256 --threads 2 --repeats 5 --mode forward
    # ~110M config (Llama-2-style 768/12/12, vocab 32000), full fine-tuning step
    .venv/bin/python Benchmarks/torch_reference.py --hidden 768 --layers 12 --heads 12 --kv-heads 12 \
        --intermediate 2048 --vocab 32000 --batch 4 --seq 256 --threads 2 --repeats 3 --mode train
    # same weights for the Swift engine (safetensors, f32, save_pretrained layout) + the input ids
    .venv/bin/python Benchmarks/torch_reference.py ... --save-weights /tmp/torch_ref_small

--save-weights DIR writes the freshly initialised model (before any timed step) with
save_pretrained(DIR, safe_serialization=True) in float32, plus DIR/inputs.json holding the token ids
used for timing and, for forward mode, the reference per-sequence sum of log-probs. Do not point it
into the repository for large configs.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=None, help="default: --heads")
    ap.add_argument("--intermediate", type=int, default=688)
    ap.add_argument("--vocab", type=int, default=512)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--mode", choices=["forward", "train"], default="forward")
    ap.add_argument("--tied", action="store_true", help="tie lm_head to the embeddings (default untied)")
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--lr", type=float, default=1e-4, help="AdamW learning rate (train mode)")
    ap.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"], help="attention implementation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-weights", metavar="DIR", default=None)
    return ap.parse_args()


def main():
    args = parse_args()
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    import transformers

    transformers.logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    config = LlamaConfig(
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads or args.heads,
        vocab_size=args.vocab,
        max_position_embeddings=max(args.seq, 2048),
        rope_theta=args.rope_theta,
        rms_norm_eps=1e-5,
        tie_word_embeddings=args.tied,
        bos_token_id=1,
        eos_token_id=2,
    )
    model = LlamaForCausalLM(config).float()
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation(args.attn)
    else:  # older transformers
        model.config._attn_implementation = args.attn
    n_params = sum(p.numel() for p in model.parameters())

    g = torch.Generator().manual_seed(args.seed + 1)
    ids = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)

    def forward_score():
        with torch.inference_mode():
            logits = model(input_ids=ids, use_cache=False).logits
            lp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
            tok_lp = lp.gather(-1, ids[:, 1:, None])[..., 0]
            return tok_lp.sum(dim=1)

    if args.mode == "forward":
        model.eval()
        step = forward_score
    else:
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr)

        def step():
            out = model(input_ids=ids, labels=ids, use_cache=False)
            out.loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            return out.loss.detach()

    if args.save_weights:
        os.makedirs(args.save_weights, exist_ok=True)
        model.save_pretrained(args.save_weights, safe_serialization=True)
        info = {"input_ids": ids.tolist(), "seed": args.seed,
                "note": "token ids used by Benchmarks/torch_reference.py for timing"}
        was_training = model.training
        model.eval()
        info["sum_logprob_per_sequence_float32"] = [float(x) for x in forward_score()]
        model.train(was_training)
        with open(os.path.join(args.save_weights, "inputs.json"), "w") as f:
            json.dump(info, f)

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)

    sec = statistics.median(times)
    tokens = args.batch * args.seq
    result = {
        "tokens_per_s_median": tokens / sec,
        "seconds_median": sec,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "mode": args.mode,
        "seconds_min": min(times),
        "tokens_per_s_best": tokens / min(times),
        "seconds": times,
        "tokens_per_repeat": tokens,
        "params": n_params,
        "threads": args.threads,
        "attn": args.attn,
        "config": {"hidden": args.hidden, "layers": args.layers, "heads": args.heads,
                   "kv_heads": args.kv_heads or args.heads, "intermediate": args.intermediate,
                   "vocab": args.vocab, "batch": args.batch, "seq": args.seq, "tied": args.tied},
        "torch": torch.__version__,
    }
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
