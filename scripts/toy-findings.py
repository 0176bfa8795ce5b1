#!/usr/bin/env python3
"""Prints the findings table of docs/toy-world.md from a run's results.json (forgetbench run).

    scripts/toy-findings.py runs/ablations/results.json

One row per regime: masked share, TI and BWT (%, mean +/- sd over seeds), the target's change in
points with its largest McNemar p over the seeds, and the non-target tasks that dropped
significantly (Holm-adjusted p < 0.05) in every seed.
"""
import json
import sys


def spread(s):
    if s is None:
        return "n/a"
    return f"{s['mean']:+.1f} ± {s['standardDeviation']:.1f}" if s["count"] > 1 else f"{s['mean']:+.1f}"


def main(path):
    r = json.load(open(path))
    print("| regime | masked | TI % | BWT % | target Δ pts (max p) | non-target drops, p < 0.05 every seed |")
    print("|---|---|---|---|---|---|")
    for g in r["regimes"]:
        target = [t for t in g["tasks"] if t["role"] == "target"]
        t = target[0] if target else None
        tcell = f"{t['changePoints']['mean']:+.1f} (p ≤ {t['maxPValue']:.2g})" if t else "n/a"
        drops = [x["task"].replace("toy_", "") for x in g["tasks"]
                 if x["role"] == "non_target" and x["changePoints"]["mean"] < 0 and x["maxPValue"] < 0.05]
        print(f"| {g['regime']} | {g['maskedFraction'] * 100:.1f}% | {spread(g.get('targetImprovement'))} | "
              f"{spread(g.get('backwardTransfer'))} | {tcell} | {', '.join(drops) if drops else 'none'} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/ablations/results.json")
