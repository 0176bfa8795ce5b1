#!/usr/bin/env python3
"""Small deterministic tokenizers for the chat-template fixture folders.

For every model folder of the shared chat templates this writes
Tests/Fixtures/chat-tokenizers/<folder>/tokenizer.json and tokenizer_config.json:

* a byte-level BPE (vocab 800) trained with the `tokenizers` library on the fixed corpus below,
  with the family's pre-tokenizer regex / normalizer,
* the family's control tokens as added tokens (special, or non-special where the real model has
  them non-special, e.g. Qwen's <tool_call>/<think>), with the real model's lstrip/rstrip flags
  where they matter (Phi-3's role tokens have rstrip=true),
* a post-processor like the real model's: BOS through TemplateProcessing for the Llama-3.x,
  Hermes-3, Gemma-2, Mistral-Nemo and DeepSeek-R1-Distill tokenizers; none (ByteLevel /
  "$A" only) for Qwen2.5, Qwen3, gpt-oss and Phi-3.5 (Phi-3.5-mini's tokenizer_config has
  add_bos_token=false, so the real tokenizer does not add <s>; its template does not write
  bos_token either).

tokenizer_config.json has no chat_template (the test copies the shared template next to these
files); its named special tokens are the ones the shared renderings were made with
(render_config.json "special_tokens", or the DeepSeek tokenizer_config.json), so rendering through
the tokenizer gives the same strings as renderings.json.

Not real vocabularies: Gemma-2, Phi-3.5 and DeepSeek's real tokenizers differ (SentencePiece-style
BPE with byte fallback for Gemma/Phi). Only the control-token layout and the boundary behaviour
around them are modelled.

    python3 scripts/chat-templates/make_tokenizers.py [--out DIR]
"""
import argparse
import json
import os
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_OUT = os.path.join(ROOT, "Tests", "Fixtures", "chat-tokenizers")
VOCAB_SIZE = 800

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
# o200k (gpt-oss harmony) and tekken (Mistral-Nemo) style: case-aware letter runs
O200K_REGEX = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
               r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
               r"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
TEKKEN_REGEX = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
                r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|"
                r"\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def T(content, special=True, lstrip=False, rstrip=False):
    return {"content": content, "special": special, "lstrip": lstrip, "rstrip": rstrip}


LLAMA3_SPECIALS = [T("<|begin_of_text|>"), T("<|end_of_text|>"), T("<|reserved_special_token_0|>"),
                   T("<|reserved_special_token_1|>"), T("<|finetune_right_pad_id|>"), T("<|start_header_id|>"),
                   T("<|end_header_id|>"), T("<|eom_id|>"), T("<|eot_id|>"), T("<|python_tag|>")]
QWEN_SPECIALS = [T("<|endoftext|>"), T("<|im_start|>"), T("<|im_end|>"), T("<|object_ref_start|>"),
                 T("<|object_ref_end|>"), T("<|box_start|>"), T("<|box_end|>"), T("<|quad_start|>"),
                 T("<|quad_end|>"), T("<|vision_start|>"), T("<|vision_end|>"), T("<|vision_pad|>"),
                 T("<|image_pad|>"), T("<|video_pad|>"),
                 T("<tool_call>", special=False), T("</tool_call>", special=False)]
QWEN3_EXTRA = [T("<tool_response>", special=False), T("</tool_response>", special=False),
               T("<think>", special=False), T("</think>", special=False)]

# family: pre-tokenizer regex, normalizer, ignore_merges, tokens placed before the trained vocab
# ("first", SentencePiece-style layouts) and after it ("last"), BOS for TemplateProcessing (or None),
# the post-processor style, and tokenizer_config's named special tokens.
FAMILIES = {
    "llama-3.1-8b-instruct": dict(
        regex=LLAMA3_REGEX, nfc=False, ignore_merges=True, first=[], last=LLAMA3_SPECIALS,
        bos="<|begin_of_text|>", post="llama3",
        config={"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    "llama-3.2-3b-instruct": dict(
        regex=LLAMA3_REGEX, nfc=False, ignore_merges=True, first=[], last=LLAMA3_SPECIALS,
        bos="<|begin_of_text|>", post="llama3",
        config={"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    "hermes-3-llama-3.1-8b": dict(
        # Llama-3.1 vocabulary with two reserved slots renamed to ChatML and Hermes' tool tags added
        regex=LLAMA3_REGEX, nfc=False, ignore_merges=True, first=[],
        last=[T("<|begin_of_text|>"), T("<|end_of_text|>"), T("<|im_start|>"), T("<|im_end|>"),
              T("<|reserved_special_token_2|>"), T("<|finetune_right_pad_id|>"), T("<|start_header_id|>"),
              T("<|end_header_id|>"), T("<|eom_id|>"), T("<|eot_id|>"), T("<|python_tag|>"),
              T("<tool_call>", special=False), T("</tool_call>", special=False),
              T("<tool_response>", special=False), T("</tool_response>", special=False),
              T("<tools>", special=False), T("</tools>", special=False)],
        bos="<|begin_of_text|>", post="llama3",
        config={"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"}),
    "qwen2.5-7b-instruct": dict(
        regex=QWEN2_REGEX, nfc=True, ignore_merges=False, first=[], last=QWEN_SPECIALS,
        bos=None, post="bytelevel",
        config={"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}),
    "qwen3-0.6b": dict(
        regex=QWEN2_REGEX, nfc=True, ignore_merges=False, first=[], last=QWEN_SPECIALS + QWEN3_EXTRA,
        bos=None, post="bytelevel",
        config={"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}),
    "deepseek-r1-distill-qwen-7b": dict(
        regex=QWEN2_REGEX, nfc=True, ignore_merges=False, first=[],
        last=[T("<｜end▁of▁sentence｜>"), T("<｜User｜>", special=False), T("<｜Assistant｜>", special=False),
              T("<｜begin▁of▁sentence｜>"), T("<|EOT|>", special=False),
              T("<think>", special=False), T("</think>", special=False),
              T("<|im_start|>"), T("<|im_end|>"),
              T("<｜tool▁calls▁begin｜>", special=False), T("<｜tool▁calls▁end｜>", special=False),
              T("<｜tool▁call▁begin｜>", special=False), T("<｜tool▁call▁end｜>", special=False),
              T("<｜tool▁outputs▁begin｜>", special=False), T("<｜tool▁outputs▁end｜>", special=False),
              T("<｜tool▁output▁begin｜>", special=False), T("<｜tool▁output▁end｜>", special=False),
              T("<｜tool▁sep｜>", special=False)],
        bos="<｜begin▁of▁sentence｜>", post="llama3",
        config={"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>",
                "pad_token": "<｜end▁of▁sentence｜>"}),
    "gemma-2-2b-it": dict(
        regex=LLAMA3_REGEX, nfc=False, ignore_merges=False,
        first=[T("<pad>"), T("<eos>"), T("<bos>"), T("<unk>"), T("<mask>")],
        last=[T("<start_of_turn>"), T("<end_of_turn>")],
        bos="<bos>", post="template",
        config={"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"}),
    "mistral-nemo-instruct-2407": dict(
        regex=TEKKEN_REGEX, nfc=False, ignore_merges=True,
        first=[T("<unk>"), T("<s>"), T("</s>"), T("[INST]"), T("[/INST]"), T("[AVAILABLE_TOOLS]"),
               T("[/AVAILABLE_TOOLS]"), T("[TOOL_RESULTS]"), T("[/TOOL_RESULTS]"), T("[TOOL_CALLS]"),
               T("<pad>"), T("[PREFIX]"), T("[MIDDLE]"), T("[SUFFIX]")],
        last=[],
        bos="<s>", post="template",
        config={"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    "phi-3.5-mini-instruct": dict(
        # Phi-3 layout: <unk> <s> </s> first; </s> is not special and has rstrip; the chat tokens
        # (and placeholders) are special with rstrip=true, so whitespace after them is swallowed.
        regex=LLAMA3_REGEX, nfc=False, ignore_merges=False,
        first=[T("<unk>"), T("<s>"), T("</s>", special=False, rstrip=True)],
        last=[T("<|endoftext|>"), T("<|assistant|>", rstrip=True), T("<|placeholder1|>", rstrip=True),
              T("<|placeholder2|>", rstrip=True), T("<|placeholder3|>", rstrip=True),
              T("<|placeholder4|>", rstrip=True), T("<|system|>", rstrip=True), T("<|end|>", rstrip=True),
              T("<|placeholder5|>", rstrip=True), T("<|placeholder6|>", rstrip=True),
              T("<|user|>", rstrip=True)],
        bos=None, post="template",
        config={"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>",
                "pad_token": "<|endoftext|>"}),
    "gpt-oss-120b": dict(
        regex=O200K_REGEX, nfc=False, ignore_merges=True, first=[],
        last=[T("<|startoftext|>"), T("<|endoftext|>"), T("<|reserved_200000|>"), T("<|reserved_200001|>"),
              T("<|return|>"), T("<|constrain|>"), T("<|reserved_200004|>"), T("<|channel|>"), T("<|start|>"),
              T("<|end|>"), T("<|message|>"), T("<|reserved_200009|>"), T("<|reserved_200010|>"),
              T("<|reserved_200011|>"), T("<|call|>"), T("<|endofprompt|>")],
        bos=None, post="bytelevel",
        config={"bos_token": "<|startoftext|>", "eos_token": "<|return|>", "pad_token": "<|endoftext|>"}),
}

# ---------------------------------------------------------------------------------------------
# Training corpus: fixed English + chat vocabulary + some unicode, repeated so merges are stable.
# ---------------------------------------------------------------------------------------------
CORPUS = [
    "You are a helpful assistant. Answer the question as well as you can.",
    "The user asks a question and the assistant gives an answer. The system message sets the rules.",
    "What is the capital of France? The capital of France is Paris.",
    "Hello! How can I help you today? Tell me a joke. Why did the chicken cross the road?",
    "Once upon a time there was a little girl named Lily. She loved to play outside in the park.",
    "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG.",
    "I don't know what you'll do, but we've seen it and I'm sure he'd agree. It's fine, isn't it?",
    "Let me think step by step. First, add the numbers. Then multiply the result by two.",
    "Question: Janet has 16 eggs. She eats 3 and bakes with 4. How many are left? Answer: 9.",
    "2 + 2 = 4; 12 * 12 = 144; 3.14159 is pi; 1,000,000 people; 42 is the answer; 7% of 250.",
    "def add(a, b):\n    return a + b\n\nfor i in range(10):\n    print(add(i, 2 * i))\n",
    '{"name": "get_current_weather", "arguments": {"location": "San Francisco, CA", "unit": "celsius"}}',
    "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nEnvironment: ipython\n",
    "model user system assistant tool function tools developer analysis final commentary",
    "Reasoning: medium\n\n# Valid channels: analysis, commentary, final.\n",
    "Knowledge cutoff: 2024-06\nCurrent date: 2025-01-15\n",
    "Le café est très bon. L'élève a réussi son examen. Ça va? Où est la bibliothèque? Merci à vous !",
    "Der Bär läuft über die Straße. Schöne Grüße aus München! Größe, Fuß, weiß.",
    "Привет, как дела? Москва — столица России.",
    "日本語のテキストです。東京は日本の首都です。中文文本。北京是中国的首都。",
    "नमस्ते दुनिया। यह हिंदी में एक वाक्य है। क्या हाल है?",
    "مرحبا بالعالم. שלום עולם.",
    "Emoji: 😀 😂 👍 ❤️ 🎉 🚀 🙏 and math ∑ ∫ √ ∞ ≠ ≤ ≥ ± × ÷ ∀x∈ℝ",
    "    indented line\n\t\ttabbed line\n\n\nthree newlines above\r\nwindows line\r\n",
    "Llamas are members of the camelid family. Rayleigh scattering makes the sky blue.",
]


def corpus():
    lines = []
    for r in range(25):
        lines.extend(CORPUS[r % len(CORPUS):] + CORPUS[:r % len(CORPUS)])
    for i in range(200):
        lines.append(f"turn {i}: user says {i * 37 % 1000} and assistant replies {i * 11 % 97}.")
    return lines


def added(spec, start_id):
    return [{"id": start_id + i, "content": t["content"], "single_word": False, "lstrip": t["lstrip"],
             "rstrip": t["rstrip"], "normalized": False, "special": t["special"]} for i, t in enumerate(spec)]


def build(name, fam):
    tok = Tokenizer(models.BPE(ignore_merges=fam["ignore_merges"]))
    if fam["nfc"]:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(fam["regex"]), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    first = [t["content"] for t in fam["first"]]
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=first)
    tok.train_from_iterator(corpus(), trainer=trainer)
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    for i, t in enumerate(fam["first"]):
        assert vocab[t["content"]] == i
    n = len(vocab)
    last = added(fam["last"], n)
    for t in last:
        vocab[t["content"]] = t["id"]  # added tokens live in the model vocab too, as in real files
    data["added_tokens"] = added(fam["first"], 0) + last
    data["model"]["ignore_merges"] = fam["ignore_merges"]

    ids = {t["content"]: t["id"] for t in data["added_tokens"]}
    bytelevel_post = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    if fam["bos"] is not None:
        bos = fam["bos"]
        template = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [ids[bos]], "tokens": [bos]}},
        }
        data["post_processor"] = ({"type": "Sequence", "processors": [bytelevel_post, template]}
                                  if fam["post"] == "llama3" else template)
    elif fam["post"] == "bytelevel":
        data["post_processor"] = bytelevel_post
    else:  # Phi-3.5: what transformers' update_post_processor writes for add_bos_token=false
        data["post_processor"] = {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {}}
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    check = Tokenizer.from_str(text)  # must load back
    if fam["bos"] is not None:
        assert check.encode("hi").ids[0] == ids[fam["bos"]], name
    else:
        assert check.encode("hi").ids == check.encode("hi", add_special_tokens=False).ids, name
    for t in fam["config"].values():
        assert t is None or t in ids, (name, t)
    return text


def config_for(fam):
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False}
    cfg.update(fam["config"])
    return json.dumps(cfg, ensure_ascii=False, indent=1) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv[1:])
    for name, fam in FAMILIES.items():
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        text = build(name, fam)
        with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        with open(os.path.join(d, "tokenizer_config.json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(config_for(fam))
        print(f"{name}: tokenizer.json {len(text.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
