#!/usr/bin/env python3
"""Render ForgetBench's own chat-template cases (own_cases.py) against every shared template.

Writes Tests/JinjaTests/Fixtures/own-renderings/<folder>.json in the layout of the shared
renderings.json ({template_source, special_tokens, renderer, cases}) plus a top-level
"template_sha256" (sha256 of the template string as UTF-8), so a test can check that it renders
the same template the fixture was made from.

Every case is rendered by transformers (render_jinja_template, fed as apply_chat_template feeds
it) and by render_reference.py's pure-jinja2 replica; any disagreement -> exit status 1.

The shared folder is used in place (nothing is copied into the repository):

    python3 scripts/chat-templates/render_own_cases.py [TEMPLATES_DIR] [--out DIR]

TEMPLATES_DIR defaults to $FORGETBENCH_CHAT_TEMPLATES, else ../shared/chat-templates relative to
the repository root. It must hold render_reference.py and the model folders.
"""
import argparse
import hashlib
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_TEMPLATES = os.environ.get("FORGETBENCH_CHAT_TEMPLATES",
                                   os.path.join(ROOT, "..", "shared", "chat-templates"))
DEFAULT_OUT = os.path.join(ROOT, "Tests", "JinjaTests", "Fixtures", "own-renderings")

sys.path.insert(0, HERE)
from own_cases import OWN_CASES  # noqa: E402


def load_reference(templates_dir):
    path = os.path.join(templates_dir, "render_reference.py")
    spec = importlib.util.spec_from_file_location("render_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def template_folders(templates_dir):
    for d in sorted(os.listdir(templates_dir)):
        p = os.path.join(templates_dir, d)
        if os.path.isdir(p) and (os.path.exists(os.path.join(p, "tokenizer_config.json"))
                                 or os.path.exists(os.path.join(p, "chat_template.jinja"))):
            yield d, p


def build_own_cases(default_tools):
    cases = []
    for c in OWN_CASES:
        case = {"kwargs": {}, **c}
        if "tools" not in c:
            case["tools"] = default_tools  # as render_reference.build_cases does for the common cases
        cases.append(case)
    return cases


def check_cases_are_own(ref):
    common_names = {n for n, _, _, _ in ref.COMMON_CASES}
    common_msgs = [json.dumps(m, sort_keys=True) for _, m, _, _ in ref.COMMON_CASES]
    names = [c["name"] for c in OWN_CASES]
    assert len(names) == len(set(names)), "duplicate own case names"
    for c in OWN_CASES:
        assert c["name"] not in common_names, f"{c['name']} collides with a common case name"
        assert json.dumps(c["messages"], sort_keys=True) not in common_msgs, f"{c['name']} repeats a common case"


def process(ref, name, path, tf_render, tf_version, out_dir):
    template, specials, source, _extra, default_tools = ref.load_folder(path)
    out_cases, mismatches = [], []
    for case in build_own_cases(default_tools):
        rep = ref.outcome(ref.replica_render, template, specials, case)
        entry = {"name": case["name"], "messages": case["messages"],
                 "add_generation_prompt": case.get("add_generation_prompt", False),
                 "tools": case.get("tools"), "documents": case.get("documents"),
                 "kwargs": case.get("kwargs", {})}
        norm = ref.normalize_messages(case["messages"])
        if norm != case["messages"]:
            entry["template_messages"] = norm
        tf = ref.outcome(tf_render, template, specials, case)
        if tf != rep:
            mismatches.append((case["name"], tf, rep))
        entry.update(tf)
        out_cases.append(entry)
    doc = {
        "template_sha256": hashlib.sha256(template.encode("utf-8")).hexdigest(),
        "template_source": source,
        "special_tokens": specials,
        "renderer": {"transformers": tf_version, "jinja2": ref.jinja2.__version__,
                     "strftime_now_frozen_at": ref.FROZEN_NOW.isoformat(),
                     "replica_agrees": not mismatches},
        "cases": out_cases,
    }
    with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    n_err = sum(1 for c in out_cases if "error" in c)
    print(f"{name}: {len(out_cases)} own cases ({n_err} errors), mismatches={len(mismatches)}")
    for n, tf, rep in mismatches:
        print("  MISMATCH", n, json.dumps(tf, ensure_ascii=False)[:200], "|",
              json.dumps(rep, ensure_ascii=False)[:200])
    return len(mismatches)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("templates", nargs="?", default=DEFAULT_TEMPLATES,
                    help="folder with render_reference.py and the template folders")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    args = ap.parse_args(argv[1:])
    templates_dir = os.path.abspath(args.templates)
    ref = load_reference(templates_dir)
    check_cases_are_own(ref)
    tf_render, tf_version = ref.transformers_renderer()
    if tf_render is None:
        print("transformers is not importable; both renderers are required", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    bad = 0
    for name, path in template_folders(templates_dir):
        bad += process(ref, name, path, tf_render, tf_version, args.out)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
