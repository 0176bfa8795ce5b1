#!/usr/bin/env python3
"""The built-in engine against PyTorch (transformers, float32, same weights, same threads) in one run.

Prints, per configuration, tokens/s of each and their ratio (engine / PyTorch, higher is better),
the engine's sgemm GFLOP/s measured in the same run, and stories260K generation speed against
llama2.c's run.c when a built run.c is given.

Setup (once):
    python3 -m venv .venv && .venv/bin/pip install torch==2.13.0+cpu transformers safetensors
    swift build -c release --product EngineBenchmarks

Run:
    .venv/bin/python Benchmarks/engine_vs_torch.py [--threads 2] [--repeats 5] [--configs small,110m]
        [--mode forward|train] [--runc /path/to/llama2.c/run] [--work /tmp/forgetbench-bench]
        [--engine .build/release/EngineBenchmarks]

Weights are written by PyTorch to --work (the ~110M config takes about 0.5 GB there) and read by the
engine, so both score the same model on the same token ids; the engine's summed log-probs are
compared with PyTorch's as a check.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

CONFIGS = {
    "small": dict(hidden=256, layers=6, heads=8, kv_heads=4, intermediate=688, vocab=512),
    "110m": dict(hidden=768, layers=12, heads=12, kv_heads=12, intermediate=2048, vocab=32000),
}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINE = os.path.join(ROOT, ".build", "release", "EngineBenchmarks")


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--configs", default="small,110m")
    ap.add_argument("--mode", choices=["forward", "train", "generate"], default="forward",
                    help="generate: batched greedy decoding at --concurrency sequences against transformers' batched generate")
    ap.add_argument("--concurrency", default="1,4,8,16", help="generate mode: sequences decoded together")
    ap.add_argument("--new-tokens", type=int, default=128, help="generate mode: new tokens per sequence")
    ap.add_argument("--runc", help="a built llama2.c run binary, for the generation comparison")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"))
    ap.add_argument("--work", default="/tmp/forgetbench-bench")
    ap.add_argument("--engine", default=ENGINE, help="the EngineBenchmarks binary (default: .build/release/EngineBenchmarks)")
    args = ap.parse_args()
    engine_bin = args.engine
    if not os.path.exists(engine_bin):
        sys.exit(f"{engine_bin} is missing: run `swift build -c release --product EngineBenchmarks` first")

    if args.mode == "generate":
        return generate(args, engine_bin)

    sgemm = run_json([engine_bin, "sgemm", "--size", "1024", "--threads", str(args.threads), "--repeats", str(args.repeats)])
    print(f"sgemm 1024^3 on {args.threads} threads: {sgemm['gflops_median']:.1f} GFLOP/s (OpenBLAS kernel {sgemm['kernel']})")

    for name in args.configs.split(","):
        c = CONFIGS[name]
        work = os.path.join(args.work, name)
        torch_cmd = [sys.executable, os.path.join(ROOT, "Benchmarks", "torch_reference.py"),
                     "--hidden", str(c["hidden"]), "--layers", str(c["layers"]), "--heads", str(c["heads"]),
                     "--kv-heads", str(c["kv_heads"]), "--intermediate", str(c["intermediate"]), "--vocab", str(c["vocab"]),
                     "--batch", str(args.batch), "--seq", str(args.seq), "--threads", str(args.threads),
                     "--repeats", str(args.repeats), "--mode", args.mode, "--save-weights", work]
        torch = run_json(torch_cmd)
        engine = run_json([engine_bin, args.mode, "--model", work, "--inputs", os.path.join(work, "inputs.json"),
                           "--threads", str(args.threads), "--repeats", str(args.repeats)])
        ratio = engine["tokens_per_s_median"] / torch["tokens_per_s_median"]
        # Matrix-product FLOPs per token (2 per weight forward, 6 with the backward), attention apart.
        flops_per_token = (6 if args.mode == "train" else 2) * engine.get("matmul_parameters", engine.get("parameters", 0))
        line = (f"{name} {args.mode} batch {args.batch}x{args.seq}: engine {engine['tokens_per_s_median']:.0f} tok/s, "
                f"PyTorch {torch['tokens_per_s_median']:.0f} tok/s, ratio {ratio:.2f}x; "
                f"peak RSS engine {engine['peak_rss_mb']:.0f} MB vs PyTorch {torch['peak_rss_mb']:.0f} MB")
        if flops_per_token:
            mfu = flops_per_token * engine["tokens_per_s_median"] / 1e9 / sgemm["gflops_median"]
            line += f"; model FLOP utilisation {mfu * 100:.0f}% of sgemm"
        if "max_abs_diff_sum_logprob" in engine:
            line += f"; |Δ sum log-prob| max {engine['max_abs_diff_sum_logprob']:.1e}"
        print(line, flush=True)

    stories = os.path.join(args.shared, "models", "stories260K", "stories260K.bin")
    gen = run_json([engine_bin, "generate", "--model", stories, "--threads", "1", "--repeats", str(args.repeats)])
    line = f"stories260K greedy generation, 1 thread: engine {gen['tokens_per_s_median']:.0f} tok/s"
    if args.runc:
        rates = []
        for _ in range(args.repeats):
            r = subprocess.run([args.runc, stories, "-z", os.path.join(os.path.dirname(stories), "tok512.bin"),
                                "-t", "0", "-n", "512"], capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
            m = re.search(r"achieved tok/s: ([0-9.]+)", r.stderr)
            if m:
                rates.append(float(m.group(1)))
        if rates:
            runc = statistics.median(rates)
            line += f", run.c {runc:.0f} tok/s, ratio {gen['tokens_per_s_median'] / runc:.2f}x"
    print(line)


def generate(args, engine_bin):
    """Batched greedy decoding: tokens/s at each concurrency, engine and PyTorch in one run."""
    import random
    levels = args.concurrency
    most = max(int(x) for x in levels.split(","))
    for name in args.configs.split(","):
        c = CONFIGS[name]
        work = os.path.join(args.work, name)
        if not os.path.exists(os.path.join(work, "config.json")):
            run_json([sys.executable, os.path.join(ROOT, "Benchmarks", "torch_reference.py"),
                      "--hidden", str(c["hidden"]), "--layers", str(c["layers"]), "--heads", str(c["heads"]),
                      "--kv-heads", str(c["kv_heads"]), "--intermediate", str(c["intermediate"]), "--vocab", str(c["vocab"]),
                      "--batch", "1", "--seq", "16", "--threads", str(args.threads), "--repeats", "1", "--mode", "forward",
                      "--save-weights", work])
        rng = random.Random(7)
        prompts = [[rng.randrange(1, c["vocab"]) for _ in range(rng.randrange(8, 65))] for _ in range(most)]
        prompts_file = os.path.join(work, "prompts.json")
        with open(prompts_file, "w") as f:
            json.dump({"prompts": prompts}, f)
        torch = run_json([sys.executable, os.path.join(ROOT, "Benchmarks", "torch_generate.py"), "--model", work, "--prompts", prompts_file,
                          "--tokens", str(args.new_tokens), "--concurrency", levels, "--threads", str(args.threads),
                          "--repeats", str(args.repeats)])
        engine = run_json([engine_bin, "batched-generate", "--model", work, "--inputs", prompts_file, "--tokens", str(args.new_tokens),
                           "--concurrency", levels, "--threads", str(args.threads), "--repeats", str(args.repeats)])
        same = sum(a == b for a, b in zip(engine["first_tokens"], torch["first_tokens"]))
        single = engine["tokens_per_s_median"][levels.split(",")[0]]
        for level in levels.split(","):
            e, t = engine["tokens_per_s_median"][level], torch["tokens_per_s_median"][level]
            print(f"{name} generate {level} x {args.new_tokens} new tokens: engine {e:.0f} tok/s ({e / single:.1f}x its 1-sequence rate), "
                  f"PyTorch generate {t:.0f} tok/s, ratio {e / t:.2f}x", flush=True)
        print(f"{name}: first 16 greedy tokens identical in {same} of {len(torch['first_tokens'])} sequences")
    stories = os.path.join(args.shared, "models", "stories260K", "stories260K.bin")
    engine = run_json([engine_bin, "batched-generate", "--model", stories, "--tokens", str(args.new_tokens), "--concurrency", levels,
                       "--threads", str(args.threads), "--repeats", str(args.repeats)])
    single = engine["tokens_per_s_median"][levels.split(",")[0]]
    for level in levels.split(","):
        e = engine["tokens_per_s_median"][level]
        print(f"stories260K generate {level} x {args.new_tokens}: engine {e:.0f} tok/s ({e / single:.1f}x its 1-sequence rate; no PyTorch checkpoint)")


if __name__ == "__main__":
    main()
