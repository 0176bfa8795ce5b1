#!/usr/bin/env python3
"""PyTorch's batched greedy `generate` (transformers, float32, CPU) on a saved model, by batch size.

For each batch size N in --concurrency, the first N prompts of --prompts (token ids of mixed
lengths) are left-padded into one batch and generated greedily with exactly --tokens new tokens
(min_new_tokens = max_new_tokens, so EOS does not end a row early), --repeats times after one
untimed warm-up. Prints ONE JSON line:

    {"tokens_per_s_median": {"1": ..., "4": ..., ...}, "first_tokens": [[...], ...], ...}

tokens/s = N x --tokens / median wall time. `first_tokens` (the first 16 new tokens of each row of
the largest batch) lets the caller check that both engines generated the same text.

    .venv/bin/python Benchmarks/torch_generate.py --model /tmp/forgetbench-bench/small --prompts prompts.json --threads 2
"""
import argparse
import json
import statistics
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a save_pretrained directory")
    ap.add_argument("--prompts", required=True, help='JSON {"prompts": [[ids...], ...]}')
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--concurrency", default="1,4,8,16")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32).eval()
    prompts = json.load(open(args.prompts))["prompts"]
    pad = model.config.pad_token_id if model.config.pad_token_id is not None else 0
    rates, first_tokens = {}, []
    levels = [int(x) for x in args.concurrency.split(",")]
    for level in levels:
        batch = prompts[:level]
        width = max(len(p) for p in batch)
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in batch])
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in batch])
        seconds = []
        for repeat in range(args.repeats + 1):
            start = time.perf_counter()
            with torch.inference_mode():
                out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=args.tokens, min_new_tokens=args.tokens,
                                     do_sample=False, pad_token_id=pad)
            if repeat > 0:
                seconds.append(time.perf_counter() - start)
        if level == max(levels):
            first_tokens = out[:, width:width + 16].tolist()
        rates[str(level)] = level * args.tokens / statistics.median(seconds)
    print(json.dumps({"tokens_per_s_median": rates, "new_tokens": args.tokens, "threads": args.threads,
                      "first_tokens": first_tokens, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
