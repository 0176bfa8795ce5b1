#!/usr/bin/env python3
"""Summarises a scripts/toy-experiment directory: per regime and seed, the masked fraction, the
target change, each non-target task's change with its p-value, and BWT (Markdown on stdout)."""
import glob, json, os, re, sys

out = sys.argv[1] if len(sys.argv) > 1 else "runs/toy"

def get(d, *names):
    for n in names:
        if n in d:
            return d[n]
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), n)
        if camel in d:
            return d[camel]
    return None

base = json.load(open(os.path.join(out, "base", "results.json")))
rows = []
for cmp_dir in sorted(glob.glob(os.path.join(out, "*-s*-compare"))):
    name = os.path.basename(cmp_dir)[: -len("-compare")]
    regime, seed = name.rsplit("-s", 1)
    c = json.load(open(os.path.join(cmp_dir, "comparison.json")))
    manifest = json.load(open(os.path.join(out, regime + ".manifest.json")))
    counts = get(manifest, "counts")
    masked = get(counts, "masked_fraction")
    deltas = get(c, "deltas")
    cells = {}
    for t in get(c, "tasks"):
        m = get(t, "metrics")[0]
        cells[get(t, "name")] = (get(m, "base"), get(m, "candidate"), get(m, "p_value"), get(t, "role"))
    rows.append((regime, seed, masked, cells, get(deltas, "target_improvement"), get(deltas, "backward_transfer"),
                 get(deltas, "backward_transfer_points")))

tasks = None
for r in rows:
    tasks = sorted(r[3], key=lambda n: (n == "toy_subtract", n))
    break
if not rows:
    sys.exit("no comparisons under " + out)
print("| regime | seed | masked | " + " | ".join(tasks) + " | TI % | BWT % |")
print("|---|---|---|" + "---|" * len(tasks) + "---|---|")
for regime, seed, masked, cells, ti, bwt, bwtp in rows:
    parts = []
    for n in tasks:
        b, a, p, role = cells[n]
        star = "**" if p is not None and p < 0.01 else ""
        parts.append(f"{star}{b:.2f}→{a:.2f}{star} (p={p:.1g})")
    fmt = lambda v: "n/a" if v is None else f"{v:+.1f}"
    print(f"| {regime} | {seed} | {masked:.2f} | " + " | ".join(parts) + f" | {fmt(ti)} | {fmt(bwt)} |")
