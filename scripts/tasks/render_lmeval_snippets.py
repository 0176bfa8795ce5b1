#!/usr/bin/env python3
"""Render task-template snippets with jinja2 configured as lm-evaluation-harness configures it.

Writes Tests/JinjaTests/Fixtures/lmeval-snippets.json: a conformance fixture for the Swift
interpreter's `TemplateEnvironment.lmEvaluationHarness` (Sources/Jinja/Template.swift), checked by
Tests/JinjaTests/LMEvalEnvironmentTests.swift. The environment is lm-eval's
(lm_eval/utils.py): `Environment(loader=BaseLoader(), undefined=StrictUndefined,
keep_trailing_newline=True)`; no trim_blocks, no lstrip_blocks. Each entry records what jinja2 did:

    {"name", "template", "context", "expected"}            rendered text, or
    {"name", "template", "context", "error_type"}          type(e).__name__

The snippets are written from jinja2's documented behaviour, never from what the Swift code does.

    python3 scripts/tasks/render_lmeval_snippets.py [--out FILE]
"""
import argparse
import json
import os

from jinja2 import BaseLoader, Environment, StrictUndefined

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(ROOT, "Tests", "JinjaTests", "Fixtures", "lmeval-snippets.json")

DOC = {
    "question": "What is 2 + 3?",
    "answer": "2 + 3 = 5\n#### 5",
    "choices": ["4", "5"],
    "gold": 1,
    "ratio": 0.5,
    "flag": True,
    "meta": {"source": "unit"},
}

SNIPPETS = [
    ("keeps_trailing_newline", "Q: {{ question }}\n"),
    ("keeps_two_trailing_newlines", "Q: {{ question }}\n\n"),
    ("no_trim_blocks", "{% if gold %}\nyes\n{% endif %}\n"),
    ("no_lstrip_blocks", "  {% for c in choices %}{{ c }}{% endfor %}"),
    ("strict_name", "{{ questoin }}"),
    ("strict_attribute", "{{ meta.sorce }}"),
    ("strict_index", "{{ choices[5] }}"),
    ("strict_loop", "{% for x in missing %}{{ x }}{% endfor %}"),
    ("strict_filter", "{{ missing | upper }}"),
    ("strict_concat", "{{ 'a' ~ missing }}"),
    ("default_takes_undefined", "{{ missing | default('none') }}"),
    ("defined_test", "{{ 'y' if missing is defined else 'n' }}"),
    ("split_strip", "{{ answer.split('####')[-1].strip() }}"),
    ("gsm8k_target", "{{answer.split('####')[-1].strip() if answer is defined else target}}"),
    ("index_by_field", "{{ choices[gold] }}"),
    ("list_prints", "{{ choices }}"),
    ("float_prints", "{{ ratio }}"),
    ("bool_prints", "{{ flag }}"),
    ("join_newline", "{{ choices | join('\\n') }}"),
    ("replace_crlf", "{{ 'a\\r\\nb' | replace('\\r\\n', '\\n') }}"),
    ("trim", "{{ '  x \\n' | trim }}"),
    ("literal_braces", "{{ '{{' }}x"),
    ("letters", "{% for c in choices %}{{ 'ABCD'[loop.index0] }}. {{ c }}\n{% endfor %}"),
    ("comment", "a{# note #}b"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    env = Environment(loader=BaseLoader(), undefined=StrictUndefined, keep_trailing_newline=True)
    cases = []
    for name, template in SNIPPETS:
        case = {"name": name, "template": template, "context": DOC}
        try:
            case["expected"] = env.from_string(template).render(**DOC)
        except Exception as error:  # noqa: BLE001 - the class is the fixture
            case["error_type"] = type(error).__name__
        cases.append(case)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"generator": "scripts/tasks/render_lmeval_snippets.py", "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
