#!/usr/bin/env python3
"""(gold, candidate) answer pairs from MATH-500 with math-verify's verdicts (ForgetBench).

Writes Tests/Fixtures/math/math_verify_pairs.json, which Tests/TasksTests/MathVerifyAgreementTests
reads: ForgetBench's Swift `MathEquivalence` must agree with math-verify on at least 98% of the
pairs, and every pair where they differ must be listed, with who is right and why, in
Tests/Fixtures/math/disagreements.json. The fixture is committed, so the Swift tests never need
Python; rerun this script only when the pair generator changes.

Pairs, for each of the 500 reference answers of MATH-500 (../shared/data/math/test.jsonl):
- equivalent rewritings where the answer's shape allows one: the answer itself; spaces added;
  \\frac -> \\dfrac, a/b, a decimal; \\left( \\right) around tuples; sets and bare lists
  reordered; a unit in \\text{}, degrees, a dollar sign, "x = " in front; integers as "n.0";
- near misses: an integer off by one, the sign flipped, a fraction upside down, interval
  brackets swapped, a tuple's entries swapped, an element dropped, \\pi left out, a square root of
  the next integer;
- a second family (`harder`), written after Swift agreed on the first: unreduced and mixed
  fractions, the sign inside a fraction, roots as powers, irrational values rounded to 6 and to 2
  decimals, sets and tuples without their brackets, text in lower case or cut short, matrices
  respaced or with an entry changed, polynomial terms reordered or a coefficient changed.
math-verify decides each pair: verify(parse("$gold$"), parse("$candidate$")) with its defaults
(float_rounding=6, strict=True).

Setup (once), from the repository root:

    python3 -m venv /work/venv-math
    /work/venv-math/bin/pip install math-verify==0.9.0     # pulls latex2sympy2_extended, sympy
    /work/venv-math/bin/python scripts/reference/math_verify_pairs.py [path/to/math/test.jsonl]

Tested with math-verify 0.9.0, latex2sympy2_extended 1.11.0, sympy 1.14.0, antlr4 4.13.2.
"""

import json
import os
import random
import re
import sys
from fractions import Fraction

import math_verify
from math_verify import parse, verify

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "data", "math", "test.jsonl")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "math", "math_verify_pairs.json")

INT = re.compile(r"^-?\d+$")
FRAC = re.compile(r"^(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}$")
SQRT = re.compile(r"^(\d*)\\sqrt\{(\d+)\}$")


def split_top(s, sep=","):
    parts, depth, cur = [], 0, ""
    i = 0
    while i < len(s):
        c = s[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return [p.strip() for p in parts]


def decimal_of(fr):
    """A decimal spelling of a Fraction: exact when it terminates, else 8 digits."""
    d = fr.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        text = f"{float(fr):.10f}".rstrip("0").rstrip(".")
        return text
    return f"{float(fr):.8f}"


def rewrites(gold, rng):
    """(candidate, kind, intended) triples; intended is 'equivalent' or 'near_miss'."""
    out = [(gold, "identity", "equivalent")]
    g = gold.strip()
    spaced = re.sub(r"([,+=])", r" \1 ", g)
    if spaced != g:
        out.append((spaced, "spaces", "equivalent"))
    if INT.match(g):
        n = int(g)
        out += [
            (str(n + 1), "off_by_one", "near_miss"),
            (str(-n) if n != 0 else "1", "sign", "near_miss"),
            (f"{n}.0", "integer_as_decimal", "equivalent"),
            (f"{n}\\text{{ units}}", "unit_text", "equivalent"),
            (f"x = {n}", "assignment", "equivalent"),
        ]
        if abs(n) >= 1000:
            out.append((f"{n:,}", "thousands_separator", "equivalent"))
        if n >= 0:
            out.append((f"\\${n}", "dollar", "equivalent"))
            out.append((f"{n}^\\circ", "degrees", "equivalent"))
        return out
    m = FRAC.match(g)
    if m:
        sign, a, b = m.group(1), int(m.group(2)), int(m.group(3))
        fr = Fraction(a, b) * (-1 if sign else 1)
        out += [
            (f"{sign}{a}/{b}", "slash_fraction", "equivalent"),
            (f"{sign}\\dfrac{{{a}}}{{{b}}}", "dfrac", "equivalent"),
            (f"{sign}\\frac{{{b}}}{{{a}}}" if a != b else f"{sign}\\frac{{{a+1}}}{{{b}}}", "fraction_inverted", "near_miss"),
            ("-" + g if not sign else g[1:], "sign", "near_miss"),
            (decimal_of(fr), "decimal", "equivalent"),
            (f"{sign}\\frac{{{a + 1}}}{{{b}}}", "numerator_off_by_one", "near_miss"),
        ]
        return out
    m = SQRT.match(g)
    if m:
        coef, n = m.group(1), int(m.group(2))
        out += [
            (f"{coef}\\sqrt{{{n + 1}}}", "sqrt_next", "near_miss"),
            (f"{coef}\\sqrt {n}" if n < 10 else f"{coef} \\sqrt{{{n}}}", "sqrt_spacing", "equivalent"),
            (f"-{g}", "sign", "near_miss"),
        ]
        if coef:
            out.append((f"{coef}*\\sqrt{{{n}}}", "explicit_product", "equivalent"))
        return out
    if g.startswith("\\left(") or g.startswith("(") or g.startswith("[") or g.startswith("\\left["):
        inner = g
        for a, b in (("\\left(", "("), ("\\right)", ")"), ("\\left[", "["), ("\\right]", "]")):
            inner = inner.replace(a, b)
        if inner[0] in "([" and inner[-1] in ")]":
            parts = split_top(inner[1:-1])
            if len(parts) >= 2:
                out.append((inner, "without_left_right", "equivalent"))
                out.append(("\\left" + inner[0] + " " + ", ".join(parts) + " \\right" + inner[-1], "left_right", "equivalent"))
                swapped = {"(": "[", "[": "("}[inner[0]] + ", ".join(parts) + inner[-1]
                out.append((swapped, "bracket_swapped", "near_miss"))
                if parts[0] != parts[1]:
                    rev = inner[0] + ", ".join([parts[1], parts[0]] + parts[2:]) + inner[-1]
                    out.append((rev, "entries_swapped", "near_miss"))
                out.append((inner[0] + ", ".join(parts[:-1]) + inner[-1] if len(parts) > 2 else parts[0], "entry_dropped", "near_miss"))
        return out
    if g.startswith("\\{") and g.endswith("\\}"):
        parts = split_top(g[2:-2])
        if len(parts) >= 2:
            rng.shuffle(parts)
            out.append(("\\{" + ", ".join(parts) + "\\}", "set_reordered", "equivalent"))
            out.append(("\\{" + ", ".join(parts[:-1]) + "\\}", "element_dropped", "near_miss"))
        return out
    parts = split_top(g)
    if len(parts) >= 2 and all(parts):
        rev = list(reversed(parts))
        out.append((", ".join(rev), "list_reordered", "equivalent"))
        out.append((", ".join(parts[:-1]), "element_dropped", "near_miss"))
        return out
    if "\\pi" in g:
        without = g.replace("\\pi", "").strip()
        if without and without not in ("-", "+"):
            out.append((without, "pi_dropped", "near_miss"))
        out.append((g.replace("\\pi", "\\cdot\\pi") if re.match(r"^\d+\\pi", g) else g.replace("\\pi", " \\pi"), "pi_spelling", "equivalent"))
    if "\\frac" in g and "\\dfrac" not in g:
        out.append((g.replace("\\frac", "\\dfrac"), "dfrac", "equivalent"))
    if "\\text{" in g:
        out.append((re.sub(r"\\text\{([^{}]*)\}", r"\1", g), "text_unwrapped", "equivalent"))
    if re.search(r"\d", g) and not re.search(r"[a-zA-Z]", g.replace("\\frac", "").replace("\\sqrt", "")):
        bumped = re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1), g, count=1)
        out.append((bumped, "first_number_off_by_one", "near_miss"))
    if g.startswith("-"):
        out.append((g[1:], "sign", "near_miss"))
    return out


ALGEBRA = re.compile(r"^[0-9a-z+\-^{}\\ ()]*[a-z][0-9a-z+\-^{}\\ ()]*$")


def harder(gold, rng):
    """A second family of rewritings, added after the first family agreed: spellings a grader
    finds harder (unreduced and mixed fractions, roots as powers, rounded decimals of irrational
    values, lists without their brackets, text case, reordered polynomial terms)."""
    out = []
    g = gold.strip()
    if INT.match(g):
        n = int(g)
        out += [(f"\\frac{{{2 * n}}}{{2}}", "integer_as_unreduced_fraction", "equivalent"),
                (f"{n}^1", "integer_to_the_first", "equivalent"),
                (f"{n}.5", "integer_plus_half", "near_miss")]
        if n != 0 and n % 1000 == 0:
            out.append((f"{n / 1000:g} \\times 10^{{3}}", "scientific", "equivalent"))
        return out
    m = FRAC.match(g)
    if m:
        sign, a, b = m.group(1), int(m.group(2)), int(m.group(3))
        out += [(f"{sign}\\frac{{{2 * a}}}{{{2 * b}}}", "unreduced_fraction", "equivalent"),
                (f"\\frac{{{sign}{a}}}{{{b}}}", "sign_inside_fraction", "equivalent"),
                (f"{sign}{float(Fraction(a, b)):.2f}", "decimal_two_places", "near_miss" if b not in (1, 2, 4, 5, 10, 20, 25, 50, 100) else "equivalent")]
        if a > b and not sign:
            out.append((f"{a // b}\\frac{{{a % b}}}{{{b}}}" if a % b else str(a // b), "mixed_number", "equivalent"))
        return out
    m = SQRT.match(g)
    if m:
        coef, n = m.group(1), int(m.group(2))
        out += [(f"{coef}{'*' if coef else ''}{n}^{{1/2}}", "root_as_power", "equivalent"),
                (f"{(int(coef) if coef else 1) * n ** 0.5:.6f}", "root_rounded_6", "equivalent"),
                (f"{(int(coef) if coef else 1) * n ** 0.5:.2f}", "root_rounded_2", "near_miss")]
        return out
    if "\\pi" in g and re.match(r"^\\frac\{(\d*)\\pi\}\{(\d+)\}$", g):
        k, d = re.match(r"^\\frac\{(\d*)\\pi\}\{(\d+)\}$", g).groups()
        value = (int(k) if k else 1) * 3.141592653589793 / int(d)
        out += [(f"{value:.6f}", "pi_fraction_rounded_6", "equivalent"),
                (f"{value:.2f}", "pi_fraction_rounded_2", "near_miss"),
                (f"\\frac{{{k or 1}}}{{{d}}}\\pi", "pi_outside_fraction", "equivalent")]
        return out
    if g.startswith("\\{") and g.endswith("\\}"):
        out.append((g[2:-2], "set_without_braces", "equivalent"))
        return out
    if g.startswith("(") and g.endswith(")") and len(split_top(g[1:-1])) >= 2:
        out.append((g[1:-1], "tuple_without_parentheses", "near_miss"))
        return out
    if g.startswith("\\text{") and g.endswith("}") and re.match(r"^\\text\{[A-Za-z ]+\}$", g):
        word = g[6:-1]
        out += [(word.lower(), "text_lowercase", "equivalent"), (word[:-1], "text_truncated", "near_miss")]
        return out
    if "\\begin{pmatrix}" in g:
        out.append((g.replace("\\\\", " \\\\ "), "matrix_spacing", "equivalent"))
        bumped = re.sub(r"(?<![\d\\])(\d+)", lambda mm: str(int(mm.group(1)) + 1), g, count=1)
        out.append((bumped, "matrix_entry_off_by_one", "near_miss"))
        return out
    if ALGEBRA.match(g) and "+" in g and "\\" not in g:
        terms = split_top(g.replace("-", "+-"), "+")
        terms = [t for t in terms if t]
        if len(terms) >= 2:
            rng.shuffle(terms)
            out.append(("+".join(terms).replace("+-", "-"), "terms_reordered", "equivalent"))
            out.append((re.sub(r"(\d+)", lambda mm: str(int(mm.group(1)) + 1), g, count=1), "coefficient_off_by_one", "near_miss"))
    return out


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA
    rng = random.Random(20250701)
    pairs = []
    seen = set()
    with open(data, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    for rec in records:
        gold = rec["answer"]
        for cand, kind, intended in rewrites(gold, rng) + harder(gold, rng):
            key = (gold, cand)
            if key in seen:
                continue
            seen.add(key)
            g = parse("$" + gold + "$")
            c = parse("$" + cand + "$")
            verdict = bool(verify(g, c))
            pairs.append({"id": rec["unique_id"], "gold": gold, "candidate": cand, "kind": kind,
                          "intended": intended, "math_verify": verdict})
    meta = {
        "generator": "scripts/reference/math_verify_pairs.py",
        "math_verify_version": getattr(math_verify, "__version__", "0.9.0"),
        "call": "verify(parse('$' + gold + '$'), parse('$' + candidate + '$'))",
        "source": "MATH-500 test.jsonl, sha256 35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132",
        "count": len(pairs),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    # One pair per line, so that a regenerated fixture diffs line by line.
    with open(OUT, "w", encoding="utf-8") as f:
        f.write('{"meta": ' + json.dumps(meta, sort_keys=True) + ',\n "pairs": [\n')
        f.write(",\n".join("  " + json.dumps(p, sort_keys=True) for p in pairs))
        f.write("\n ]}\n")
    agree = sum(1 for p in pairs if p["math_verify"] == (p["intended"] == "equivalent"))
    print(f"{len(pairs)} pairs; math-verify matches the intended verdict on {agree}")


if __name__ == "__main__":
    main()
