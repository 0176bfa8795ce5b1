#!/usr/bin/env python3
"""Reference values for the Swift `Metrics` module (ForgetBench).

Writes Tests/Fixtures/metrics/reference.json, which Tests/MetricsTests reads. The fixture is
committed, so the Swift tests never need Python; rerun this script only when a definition or a
case changes, and commit the new fixture with the change.

Everything here comes from code we did not write (numpy, scipy.stats, statsmodels) or from closed
forms, except the bootstrap replay, which re-implements the documented resampling stream
(SplitMix64 -> xoshiro256** -> Lemire bounded integers) independently in Python (checked against
published test vectors first) and computes the statistics with numpy.

Setup (once), from the repository root:

    python3 -m venv /work/venv            # or any venv
    /work/venv/bin/pip install numpy scipy statsmodels mpmath
    /work/venv/bin/python scripts/reference/metrics_reference.py

Tested with numpy 2.4, scipy 1.17, statsmodels 0.15, and mpmath 1.3
(the far-tail normal CDF reference). statsmodels is optional: without it Holm's
adjustment is checked against the hand-coded version below only.
"""

import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

MASK = (1 << 64) - 1
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "metrics", "reference.json")


# ---------------------------------------------------------------------------------------------
# PRNG: SplitMix64 seeding xoshiro256**, Lemire bounded integers (documented in
# Sources/Metrics/Xoshiro256StarStar.swift).
# ---------------------------------------------------------------------------------------------
class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed=None, state=None):
        if state is not None:
            self.s = list(state)
        else:
            sm = SplitMix64(seed)
            self.s = [sm.next() for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_int(self, bound):
        m = self.next() * bound
        low = m & MASK
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                m = self.next() * bound
                low = m & MASK
        return m >> 64

    def next_double(self):
        return (self.next() >> 11) * 2.0**-53


def check_published_vectors():
    # Rosetta Code "Pseudo-random numbers/Splitmix64", seed 1234567.
    sm = SplitMix64(1234567)
    assert [sm.next() for _ in range(5)] == [
        6457827717110365317, 3203168211198807973, 9817491932198370423,
        4593380528125082431, 16408922859458223821,
    ]
    # xoshiro256** from state (1, 2, 3, 4) (values of the reference C code).
    x = Xoshiro256StarStar(state=[1, 2, 3, 4])
    assert [x.next() for _ in range(10)] == [
        11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
        607988272756665600, 16172922978634559625, 8476171486693032832,
        10595114339597558777, 2904607092377533576,
    ]


def prng_section():
    out = {"xoshiro_seeded": [], "bounded": [], "doubles": []}
    for seed in [0, 1, 42, 20250101, MASK]:
        x = Xoshiro256StarStar(seed)
        out["xoshiro_seeded"].append({"seed": str(seed), "outputs": [str(x.next()) for _ in range(8)]})
    for seed, bound in [(7, 1), (7, 2), (7, 10), (7, 1000), (99, 3), (99, (1 << 63) + 1), (5, (1 << 64) - 1)]:
        x = Xoshiro256StarStar(seed)
        out["bounded"].append({"seed": str(seed), "bound": str(bound), "outputs": [str(x.next_int(bound)) for _ in range(16)]})
    x = Xoshiro256StarStar(123)
    out["doubles"] = {"seed": "123", "outputs": [x.next_double() for _ in range(8)]}
    return out


# ---------------------------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------------------------
rng = np.random.default_rng(20250501)


def datasets():
    sets = {
        "binary_small": [1.0, 0.0, 1.0, 1.0, 0.0],
        "binary_200": rng.binomial(1, 0.37, size=200).astype(float).tolist(),
        "continuous_50": rng.normal(0.3, 1.7, size=50).tolist(),
        "continuous_skewed_80": rng.exponential(2.0, size=80).tolist(),
        "two_items": [0.25, 0.75],
        "constant": [0.5] * 10,
    }
    return sets


def summary_section(sets):
    z = stats.norm.ppf(0.975)
    out = []
    for name, x in sets.items():
        a = np.array(x)
        n = len(a)
        mean = float(np.mean(a))
        sd = float(np.std(a, ddof=1))
        se = sd / math.sqrt(n)
        z90 = stats.norm.ppf(0.95)
        out.append({
            "name": name, "values": x, "mean": mean, "sd": sd, "stderr": se,
            "lower95": mean - z * se, "upper95": mean + z * se,
            "lower90": mean - z90 * se, "upper90": mean + z90 * se,
        })
    return out


def normal_section():
    import mpmath
    mpmath.mp.dps = 50
    ps = [1e-300, 1e-20, 1e-10, 1e-6, 0.001, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5,
          0.55, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.999999, 1 - 1e-12]
    xs = [-30.0, -10.0, -5.0, -1.959963984540054, -1.0, -0.1, 0.0, 0.5, 1.0, 1.959963984540054, 3.0, 8.0]
    return {
        "quantile": [{"p": p, "z": float(stats.norm.ppf(p))} for p in ps],
        # mpmath at 50 digits: in the far tail scipy's ndtr is itself only ~1e-13 relative.
        "cdf": [{"x": x, "p": float(mpmath.ncdf(x))} for x in xs],
    }


def likelihood_section():
    ll = rng.uniform(-400.0, -5.0, size=25)
    tokens = rng.integers(5, 300, size=25)
    words = rng.integers(3, 150, size=25)
    nbytes = rng.integers(10, 1200, size=25)
    return {
        "loglikelihoods": ll.tolist(), "tokens": tokens.tolist(), "words": words.tolist(), "bytes": nbytes.tolist(),
        # lm-eval: perplexity = exp(-mean(ll)); weighted_perplexity = exp(-sum(ll)/sum(n));
        # bits_per_byte = -sum(ll)/sum(bytes)/ln 2.
        "perplexity": math.exp(-float(np.mean(ll))),
        "token_perplexity": math.exp(-float(np.sum(ll)) / int(np.sum(tokens))),
        "word_perplexity": math.exp(-float(np.sum(ll)) / int(np.sum(words))),
        "byte_perplexity": math.exp(-float(np.sum(ll)) / int(np.sum(nbytes))),
        "bits_per_byte": -float(np.sum(ll)) / int(np.sum(nbytes)) / math.log(2),
    }


def mcnemar_section():
    pairs = [(0, 0), (0, 5), (5, 0), (10, 12), (30, 55), (100, 140), (1000, 1100),
             (0, 1), (1, 0), (1, 1), (1, 2), (2, 9), (3, 3), (7, 8), (1, 30), (0, 40), (17, 4),
             (250, 251), (490, 560), (5000, 5400), (20000, 20500), (123456, 124000),
             (0, 1074), (1, 1100), (3, 2000), (40, 400)]
    for b in range(0, 26):
        for c in range(0, 26, 5):
            pairs.append((b, c))
    seen, out = set(), []
    for b, c in pairs:
        if (b, c) in seen:
            continue
        seen.add((b, c))
        n = b + c
        p = 1.0 if n == 0 else float(stats.binomtest(min(b, c), n, 0.5).pvalue)
        out.append({"b": b, "c": c, "p": p})
    return out


def paired_binary_section():
    out = []
    z = stats.norm.ppf(0.975)
    for name, n, pb, flip_good, flip_bad in [("n300", 300, 0.6, 0.08, 0.15), ("n40", 40, 0.5, 0.2, 0.1), ("n1000", 1000, 0.72, 0.05, 0.05)]:
        base = rng.binomial(1, pb, size=n)
        cand = base.copy()
        u = rng.uniform(size=n)
        cand[(base == 0) & (u < flip_good)] = 1
        cand[(base == 1) & (u < flip_bad)] = 0
        d = cand.astype(float) - base.astype(float)
        b = int(np.sum((base == 1) & (cand == 0)))
        c = int(np.sum((base == 0) & (cand == 1)))
        se = float(np.std(d, ddof=1)) / math.sqrt(n)
        diff = float(np.mean(d))
        out.append({
            "name": name, "base": base.tolist(), "candidate": cand.tolist(), "b": b, "c": c,
            "base_mean": float(np.mean(base)), "candidate_mean": float(np.mean(cand)),
            "difference": diff, "stderr": se, "lower95": diff - z * se, "upper95": diff + z * se,
            "p": 1.0 if b + c == 0 else float(stats.binomtest(min(b, c), b + c, 0.5).pvalue),
        })
    return out


def percentile_type7(reps, q):
    return float(np.percentile(np.array(reps), q * 100))  # numpy default method="linear"


def bootstrap_replay(values, B, seed):
    x = Xoshiro256StarStar(seed)
    n = len(values)
    reps = []
    for _ in range(B):
        s = 0.0
        for _ in range(n):
            s += values[x.next_int(n)]
        reps.append(s / n)
    return reps


def bootstrap_section(sets):
    out = {"mean": [], "paired": []}
    for name, B, seed, level in [("continuous_50", 2000, 7, 0.95), ("binary_200", 1000, 11, 0.95),
                                 ("continuous_skewed_80", 1500, 3, 0.9), ("binary_small", 500, 1, 0.95)]:
        v = sets[name]
        reps = bootstrap_replay(v, B, seed)
        tail = (1 - level) / 2
        out["mean"].append({
            "name": name, "values": v, "resamples": B, "seed": seed, "level": level,
            "estimate": float(np.mean(v)),
            "lower": percentile_type7(reps, tail), "upper": percentile_type7(reps, 1 - tail),
            "stderr": float(np.std(reps, ddof=1)),
            "first_replicates": reps[:5],
        })
    for name, n, shift, B, seed in [("shifted", 60, 0.35, 2000, 5), ("null", 45, 0.0, 1000, 9), ("identical", 30, None, 300, 2)]:
        base = rng.normal(1.0, 1.0, size=n)
        if shift is None:
            cand = base.copy()
        else:
            cand = base + shift + rng.normal(0.0, 0.8, size=n)
        d = (cand - base).tolist()
        reps = bootstrap_replay(d, B, seed)
        le = sum(1 for r in reps if r <= 0)
        ge = sum(1 for r in reps if r >= 0)
        p = min(1.0, 2 * (min(le, ge) + 1) / (B + 1))
        out["paired"].append({
            "name": name, "base": base.tolist(), "candidate": cand.tolist(), "resamples": B, "seed": seed, "level": 0.95,
            "difference": float(np.mean(d)),
            "lower": percentile_type7(reps, 0.025), "upper": percentile_type7(reps, 0.975),
            "stderr": float(np.std(reps, ddof=1)), "p": p,
        })
    return out


def holm_hand(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: (p[i], i))
    adj = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def holm_section():
    lists = [
        [0.01, 0.04, 0.03, 0.005],
        [0.5],
        [0.001, 0.001, 0.2, 0.9, 0.04, 0.04],
        [0.2, 0.3, 0.6, 0.9],
        [1e-10, 0.049, 0.0125, 0.0126, 0.5, 0.01],
        rng.uniform(0, 0.2, size=12).tolist(),
    ]
    try:
        from statsmodels.stats.multitest import multipletests
        have_sm = True
    except ImportError:
        have_sm = False
    out = []
    for p in lists:
        hand = holm_hand(p)
        if have_sm:
            sm = multipletests(p, method="holm")[1].tolist()
            assert np.allclose(sm, hand, rtol=1e-15, atol=0), (sm, hand)
            ref = sm
        else:
            ref = hand
        out.append({"p": p, "adjusted": ref})
    return out, have_sm


def forgetting_section():
    # Wu et al. (NeurIPS 2025), Gemma 2 2B fine-tuned on MBPP with ground truth.
    target = {"task": "mbpp", "before": 0.5106, "after": 0.3995}
    non_target = [
        {"task": "math", "before": 0.2810, "after": 0.2290},
        {"task": "arc", "before": 0.7474, "after": 0.7159},
        {"task": "gsm8k", "before": 0.5845, "after": 0.1926},
        {"task": "bird", "before": 0.1389, "after": 0.0514},
    ]
    rel = lambda t: (t["after"] - t["before"]) / t["before"] * 100
    pts = lambda t: (t["after"] - t["before"]) * 100
    ti = rel(target)
    bwt = float(np.mean([rel(t) for t in non_target]))
    assert round(ti, 2) == -21.76 and round(bwt, 2) == -38.19, (ti, bwt)
    return {
        "target": target, "non_target": non_target,
        "ti": ti, "ti_points": pts(target), "bwt": bwt,
        "bwt_points": float(np.mean([pts(t) for t in non_target])),
        "paper_ti_rounded": -21.76, "paper_bwt_rounded": -38.19,
    }


def main():
    check_published_vectors()
    sets = datasets()
    holm, have_sm = holm_section()
    ref = {
        "generator": {
            "script": "scripts/reference/metrics_reference.py",
            "python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "holm_checked_against_statsmodels": have_sm,
        },
        "prng": prng_section(),
        "summaries": summary_section(sets),
        "normal": normal_section(),
        "likelihood": likelihood_section(),
        "mcnemar": mcnemar_section(),
        "paired_binary": paired_binary_section(),
        "bootstrap": bootstrap_section(sets),
        "holm": holm,
        "forgetting": forgetting_section(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
