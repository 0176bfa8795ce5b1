#!/usr/bin/env python3
"""Token-level chat-template references: how training examples are cut into prompt and response.

For every template folder: assemble a temporary tokenizer directory (this repo's fixture
Tests/Fixtures/chat-tokenizers/<folder>/{tokenizer.json,tokenizer_config.json} + the shared template
written as chat_template.jinja), load it with transformers.AutoTokenizer and, for a set of training
conversations (prompt messages + one assistant response), record

  full_text   = apply_chat_template(prompt + [response], tokenize=False)
  prompt_text = apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
  input_ids   = apply_chat_template(prompt + [response])["input_ids"]          (tokenize=True)
  prompt_ids  = apply_chat_template(prompt, add_generation_prompt=True)["input_ids"]
  response_start = the paper's boundary (appier-research/robust-llm-finetunes collate_fn.py,
      CustomizedDataCollatorForChatML): both strings are rendered with tokenize=False, tokenized
      with tokenizer(..., add_special_tokens=False), the prompt truncated to len(full ids), and the
      response starts at len(prompt ids) (labels = [-100] * response_start + input_ids[response_start:])
  prefix_ok   = prompt_ids is a token prefix of input_ids
  double_bos  = input_ids starts with two BOS ids

and writes Tests/Fixtures/chat-tokenizers/<folder>/expected.json. Conversations a template rejects
(e.g. Gemma with a system turn) are skipped for that folder; the file lists the skipped ones with
their errors.

    python3 scripts/chat-templates/token_reference.py [TEMPLATES_DIR]

TEMPLATES_DIR: as for render_own_cases.py ($FORGETBENCH_CHAT_TEMPLATES, else ../shared/chat-templates
relative to the repository root).
"""
import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_TEMPLATES = os.environ.get("FORGETBENCH_CHAT_TEMPLATES",
                                   os.path.join(ROOT, "..", "shared", "chat-templates"))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "chat-tokenizers")
PAPER_MAX_LENGTH = 2048  # collate_fn.py: max_length = min(tokenizer.model_max_length, 2048)


def U(c):
    return {"role": "user", "content": c}


def A(c, **extra):
    return {"role": "assistant", "content": c, **extra}


def S(c):
    return {"role": "system", "content": c}


# (name, prompt messages, response message, template kwargs)
CONVERSATIONS = [
    ("single_turn", [U("What is the capital of France?")], A("The capital of France is Paris."), {}),
    ("system_single_turn", [S("You are a concise assistant."), U("Name a prime number.")], A("7"), {}),
    ("multi_turn", [U("Hi"), A("Hello! How can I help?"), U("Tell me a fact about llamas.")],
     A("Llamas are members of the camelid family."), {}),
    ("multi_turn_system", [S("Answer in French."), U("Hello"), A("Bonjour"), U("Thank you")],
     A("Merci à vous !"), {}),
    ("unicode", [U("Écris « bonjour » en hindi 🙏")], A("नमस्ते 🙏 — e\u0301 ∑ 𝄞 日本語"), {}),
    ("whitespace_only_response", [U("Reply with only whitespace.")], A("  \n\t "), {}),
    ("leading_newlines_response", [U("Start with a blank line.")], A("\n\nDone.  "), {}),
    ("think_in_response", [U("What is 12*12?")], A("<think>\n12*12 = 144\n</think>\n\n144"), {}),
    ("think_in_history", [U("1+1?"), A("<think>trivial</think>\n\n2"), U("Times 3?")],
     A("<think>\n2*3\n</think>\n\n6"), {}),
    ("reasoning_field", [U("Is 9 odd?")], A("Yes.", thinking="9 = 2*4 + 1, so it is odd."), {}),
    ("enable_thinking_false_reasoning_response", [U("Is 10 even?")],
     A("<think>\n10 = 2*5\n</think>\n\nYes."), {"enable_thinking": False}),
]


def load_reference(templates_dir):
    spec = importlib.util.spec_from_file_location("render_reference",
                                                  os.path.join(templates_dir, "render_reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ids_of(x):
    """transformers 5.x apply_chat_template(tokenize=True) returns a BatchEncoding (return_dict=True
    by default); 4.x returned a plain list of ids."""
    if isinstance(x, list):
        return list(x)
    return list(x["input_ids"])


_INT_LIST = re.compile(r"\[\n\s*(-?\d+(?:,\n\s*-?\d+)*)\n\s*\]")


def compact_int_lists(text):
    """Put id lists on one line. Only matches across real newlines, which JSON strings cannot hold."""
    return _INT_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)


def common_prefix_len(a, b):
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def folder_reference(ref, name, path):
    from transformers import AutoTokenizer

    template, specials, _source, _extra, default_tools = ref.load_folder(path)
    tmp = tempfile.mkdtemp(prefix=f"chat-tok-{name}-")
    try:
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(FIXTURES, name, f), os.path.join(tmp, f))
        with open(os.path.join(tmp, "chat_template.jinja"), "w", encoding="utf-8", newline="") as f:
            f.write(template)
        tok = AutoTokenizer.from_pretrained(tmp)
    finally:
        shutil.rmtree(tmp)
    assert tok.chat_template == template, name
    bos_id = tok.bos_token_id
    tools = default_tools
    convs, skipped = [], []
    for cname, prompt, response, kwargs in CONVERSATIONS:
        full = prompt + [response]
        try:
            full_text = tok.apply_chat_template(full, tools=tools, tokenize=False, **kwargs)
            prompt_text = tok.apply_chat_template(prompt, tools=tools, tokenize=False,
                                                  add_generation_prompt=True, **kwargs)
        except Exception as e:  # noqa: BLE001 -- a template rejecting the conversation (gemma + system)
            skipped.append({"name": cname, "error": str(e), "error_type": type(e).__name__})
            continue
        # the fixture tokenizer's special tokens give the same strings as the shared replica renderer
        for msgs, gen, text in ((full, False, full_text), (prompt, True, prompt_text)):
            case = {"messages": msgs, "add_generation_prompt": gen, "tools": tools, "kwargs": kwargs}
            assert ref.replica_render(template, specials, case) == text, (name, cname, gen)
        enc = tok.apply_chat_template(full, tools=tools, tokenize=True, **kwargs)
        assert not isinstance(enc, list) and "input_ids" in enc, type(enc)  # BatchEncoding in 5.x
        input_ids = ids_of(enc)
        prompt_ids = ids_of(tok.apply_chat_template(prompt, tools=tools, tokenize=True,
                                                    add_generation_prompt=True, **kwargs))
        # the paper's collator, step by step
        paper_full = tok(full_text, truncation=True, max_length=PAPER_MAX_LENGTH, padding=False,
                         return_tensors=None, add_special_tokens=False)["input_ids"]
        paper_prompt = tok(prompt_text, truncation=True, max_length=len(paper_full), padding=False,
                           return_tensors=None, add_special_tokens=False)["input_ids"]
        response_start = len(paper_prompt)
        with_specials = tok(full_text)["input_ids"]  # what a plain tokenizer(text) call would give
        entry = {
            "name": cname,
            "messages": prompt,
            "response": response,
            "tools": tools,
            "kwargs": kwargs,
            "full_text": full_text,
            "prompt_text": prompt_text,
            "text_prefix_ok": full_text.startswith(prompt_text),
            "input_ids": input_ids,
            "prompt_ids": prompt_ids,
            "response_start": response_start,
            "prefix_ok": input_ids[:len(prompt_ids)] == prompt_ids,
            "common_prefix_len": common_prefix_len(input_ids, prompt_ids),
            "double_bos": bos_id is not None and input_ids[:2] == [bos_id, bos_id],
            "paper_ids_equal_input_ids": paper_full == input_ids,
            "add_special_tokens_ids_prefix": with_specials[:4],
            "double_bos_with_add_special_tokens": bos_id is not None and with_specials[:2] == [bos_id, bos_id],
        }
        assert paper_full == input_ids, (name, cname)
        assert paper_prompt == prompt_ids[:len(paper_full)], (name, cname)
        convs.append(entry)
    return {
        "template_sha256": hashlib.sha256(template.encode("utf-8")).hexdigest(),
        "tokenizer": {"bos_token_id": bos_id, "eos_token_id": tok.eos_token_id,
                      "special_tokens": tok.special_tokens_map, "class": type(tok).__name__},
        "boundary_rule": ("appier-research/robust-llm-finetunes collate_fn.py "
                          "CustomizedDataCollatorForChatML: prompt = messages[:-1] rendered with "
                          "add_generation_prompt=True, full = messages rendered with "
                          "add_generation_prompt=False, both tokenize=False then "
                          "tokenizer(text, add_special_tokens=False); prompt truncated to len(full); "
                          "response_start = len(prompt ids)"),
        "conversations": convs,
        "skipped": skipped,
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("templates", nargs="?", default=DEFAULT_TEMPLATES)
    args = ap.parse_args(argv[1:])
    templates_dir = os.path.abspath(args.templates)
    ref = load_reference(templates_dir)
    ref.transformers_renderer()  # freezes strftime_now (llama-3.2, gpt-oss) at render_reference.FROZEN_NOW
    import transformers
    import tokenizers
    for d in sorted(os.listdir(templates_dir)):
        path = os.path.join(templates_dir, d)
        if not os.path.isdir(os.path.join(FIXTURES, d)):
            continue
        doc = folder_reference(ref, d, path)
        doc["versions"] = {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                           "jinja2": ref.jinja2.__version__}
        with open(os.path.join(FIXTURES, d, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(compact_int_lists(json.dumps(doc, ensure_ascii=False, indent=1)) + "\n")
        convs = doc["conversations"]
        bad = [c["name"] for c in convs if not c["prefix_ok"]]
        print(f"{d}: {len(convs)} conversations, skipped={[s['name'] for s in doc['skipped']]}, "
              f"prefix_ok false: {bad}")
        assert len(convs) >= 8, d
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
