#!/usr/bin/env python3
"""Writes the tokenizer parity fixtures under Tests/Fixtures/tokenizers/.

The Swift `Tokenizers` module must reproduce Hugging Face `tokenizers` exactly. This script trains two
small BPE tokenizers with that library on a varied corpus it writes itself, configures them the way the
real model families are configured, and records what the library does on a varied test corpus:

- `bytelevel/`        byte-level BPE configured like Llama 3 (Split regex + ByteLevel(use_regex=False),
                      ByteLevel decoder, ignore_merges, <|begin_of_text|> via TemplateProcessing)
- `bytelevel_qwen2/`  the same model configured like Qwen2 (NFC normalizer, Qwen2 regex, no BOS)
- `bytelevel_gpt2/`   the same model configured like GPT-2/RoBERTa (ByteLevel pre-tokenizer with its
                      built-in regex, add_prefix_space=true)
- `sentencepiece/`    SentencePiece-style BPE configured like Llama 2 / TinyLlama (Prepend+Replace
                      normalizer, byte_fallback with all 256 <0xXX> tokens, Replace/ByteFallback/Fuse/Strip
                      decoder, <s> via TemplateProcessing); merges stored in the legacy "a b" form
- `metaspace_first/`  the same model with a Metaspace pre-tokenizer (prepend_scheme=first, split=false)
                      and a ByteFallback+Metaspace decoder (Llama 2 legacy=false / Mistral style)
- `metaspace_always/` Metaspace with prepend_scheme=always, split=true

Each folder holds `tokenizer.json` and `expected.json` (the library's encodings with and without special
tokens and its decodings). Deterministic: training uses one thread's worth of fixed input.

Setup (any machine with Python 3.9+):

    python3 -m venv .venv && .venv/bin/pip install tokenizers
    .venv/bin/python scripts/reference/make_tokenizer_fixtures.py
    # optional local stress run (5000 wide-Unicode cases per variant, not committed):
    .venv/bin/python scripts/reference/make_tokenizer_fixtures.py --stress /tmp/tokenizer-stress
    FORGETBENCH_TOKENIZER_STRESS=/tmp/tokenizer-stress swift test --filter TokenizersTests
"""

import json
import os
import random
import sys

import tokenizers
from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models, normalizers,
                        pre_tokenizers, processors, trainers)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

# ---------------------------------------------------------------------------------------------
# Training corpus (written here so the fixtures need nothing else).
# ---------------------------------------------------------------------------------------------

TRAIN_PARAGRAPHS = [
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.",
    "One day, she saw a big dog. The dog was very friendly and wanted to play with her.",
    "\"Hello!\" said Lily. \"What's your name?\" The dog wagged its tail. They're best friends now.",
    "I don't know what you'll do, but we've seen it and I'm sure he'd agree. It's fine.",
    "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG.",
    "def add(a, b):\n    return a + b\n\nfor i in range(10):\n    print(add(i, 2 * i))\n",
    "func main() {\n\tlet x = [1, 2, 3].map { $0 * 2 }\n\tprint(\"x = \\(x)\")\n}\n",
    "if (x >= 10 && y != 0) { z = x / y; } else { z = -1; } // comment\n",
    "Question: Janet has 16 eggs. She eats 3 and bakes with 4. How many are left?\nAnswer: 16 - 3 - 4 = 9.",
    "The year 2024 had 366 days; 1,000,000 people; 3.14159 is pi; 42 is the answer; 7% of 250 is 17.5.",
    "Le café est très bon. L'élève a réussi son examen. Ça va? Où est la bibliothèque?",
    "Der Bär läuft über die Straße. Schöne Grüße aus München! Größe, Fuß, weiß.",
    "El niño comió una manzana. ¿Dónde está el baño? ¡Qué sorpresa! Año nuevo.",
    "Привет, как дела? Москва — столица России. Я люблю читать книги.",
    "Γειά σου κόσμε. Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "日本語のテキストです。東京は日本の首都です。今日はいい天気ですね。",
    "中文文本。北京是中国的首都。我喜欢学习语言。",
    "한국어 텍스트입니다. 서울은 한국의 수도입니다.",
    "مرحبا بالعالم. هذه جملة باللغة العربية.",
    "नमस्ते दुनिया। यह हिंदी में एक वाक्य है।",
    "Emoji: 😀 😂 👍 ❤️ 🎉 🚀 and more 😀😀 text.",
    "Email me at someone@example.com or visit https://example.org/path?q=1&r=2.",
    "    indented line\n\t\ttabbed line\n\n\nthree newlines above\r\nwindows line\r\n",
    "Mr. Smith's cat isn't here. We'll see. They'd've gone. You're right, aren't you?",
    "She sells sea shells by the sea shore. Peter Piper picked a peck of pickled peppers.",
]


def training_corpus():
    rng = random.Random(1234)
    lines = []
    for _ in range(30):
        paragraphs = TRAIN_PARAGRAPHS[:]
        rng.shuffle(paragraphs)
        lines.extend(paragraphs)
    # Some numbers and mixed tokens so digit merges exist.
    for i in range(300):
        lines.append(f"item {i}: {rng.randint(0, 99999)} x{rng.randint(0, 999)} = {rng.random():.4f}")
    return lines


# ---------------------------------------------------------------------------------------------
# Test corpus: the strings whose encodings are recorded.
# ---------------------------------------------------------------------------------------------

FIXED_CASES = [
    "",
    " ",
    "  ",
    "Hello",
    "Hello world",
    " Hello world",
    "Hello world ",
    "  leading and trailing  ",
    "Once upon a time, there was a little girl named Lily.",
    "The quick brown fox jumps over the lazy dog.",
    "DON'T YOU'LL WE'VE I'M HE'D SHE'S IT'S THEY'RE",
    "don't you'll we've i'm he'd she's it's they're",
    "'s 't 're 've 'm 'll 'd ' 'x 'S",
    "Digits: 1 12 123 1234 12345 123456789012 3.14159 1,000,000 ١٢٣ ⅷ",
    "a1b22c333d4444",
    "Tabs\tand\t\ttabs\t",
    "newline\nnewline\n\nnewlines\n\n\n",
    "spaces   between    words     here",
    "trailing spaces then newline   \n  next",
    "carriage\r\nreturn\rline",
    " \n \n\t \n",
    "\n",
    "\t",
    "mixed \t\n whitespace \u00a0nbsp\u2003emspace\u3000ideographic",
    "Le café est très bon. L'élève a réussi.",
    "combining: e\u0301 a\u0300 o\u0308 n\u0303 (decomposed) vs é à ö ñ (precomposed)",
    "Der Bär läuft über die Straße.",
    "Привет, мир! Как дела?",
    "Γειά σου κόσμε",
    "日本語のテキストです。東京",
    "中文文本，北京。",
    "한국어 텍스트",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "Emoji 😀 😂 👍🏽 ❤️ 🎉",
    "ZWJ family 👨‍👩‍👧‍👦 and 🏳️‍🌈 flag and 👩🏿‍💻 coder",
    "flags 🇫🇷🇯🇵 keycap 1️⃣ #️⃣",
    "def add(a, b):\n    return a + b\n",
    "    for i in range(10):\n        print(i)\n",
    "func main() {\n\tlet x = [1, 2, 3].map { $0 * 2 }\n}",
    "if (x >= 10 && y != 0) { z = x / y; } // comment",
    "<html><body class=\"main\">Text</body></html>",
    "https://example.org/path?q=1&r=2#frag",
    "email@example.com",
    "!!!???...,,,;;;:::",
    "(parentheses) [brackets] {braces} <angles>",
    "under_score snake_case CamelCase kebab-case",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "control \u0001\u0002\u007f chars",
    "replacement \ufffd char",
    "math ∑ ∫ √ ∞ ≠ ≤ ≥ ± × ÷",
    "currency $ € £ ¥ ₹ ₿",
    "¿Dónde está? ¡Hola!",
    "Ｆｕｌｌｗｉｄｔｈ　ＡＢＣ １２３",
    "ligature ﬁ ﬂ and Å Ω K",
    "x" * 60,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Question: Janet has 16 eggs. She eats 3.\nAnswer: 16 - 3 = 13.",
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    "ALL CAPS SENTENCE WITH NUMBERS 2024 AND PUNCTUATION!",
    "\U0001F600\U0001F600\U0001F600",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𝟙𝟚𝟛",
    "Thai: สวัสดีครับ",
    "Hebrew: שלום עולם",
    "'ſ x'S 'K it'Ll WE'RE",
    "nel\u0085x nbsp\u00a0 y mvs\u180ez line\u2028sep\u2029par",
    "a\u0301b 1\u0663 \u01c5a \u01c8",
]

# Strings that contain special or added tokens written in the text (kept per family below).
BYTELEVEL_SPECIAL_CASES = [
    "<|begin_of_text|>Hello world<|eot_id|>",
    "<|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    "text <|eot_id|> more text",
    "<|eot_id|><|eot_id|>",
    "partial <|eot_id and <|begin_of_text| not tokens",
    "<|endoftext|>",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n",
    "fill   <mask>   here",
    "<mask>start and end<mask>",
    "hello_world is single; ahello_world and hello_worldb are not; (hello_world) is.",
    "right [RS]    stripped and [RS]\n\nnewlines",
]

SENTENCEPIECE_SPECIAL_CASES = [
    "<s>Hello world</s>",
    "<s> Hello world </s>",
    "Hello</s>world",
    "text <s> more",
    "<unk> unknown",
    "<s><s></s>",
    "[INST] What is 2+2? [/INST]",
    "the foo bar token and foo  bar and xfoo bar",
    "<0x41> looks like a byte token",
    "fill   <mask>   here",
]


def random_cases(seed, count):
    rng = random.Random(seed)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "0123456789",
        " " * 6 + "\t\n\r",
        "'.,;:!?-_()[]{}<>\"/\\@#$%^&*+=|~`",
        "éèêëàâäôöûüçñßøåæœÉÀÖÜ",
        "абвгдежзийклмнопрстуфхцчшщыэюяАБВ",
        "αβγδεζηθικλμνξοπρστυφχψω",
        "日本語中文漢字ひらがなカタカナ한국어",
        "😀😂👍🏽❤️🎉🚀👨‍👩‍👧\u200d\u0301\u0308",
        "١٢٣٤٥مرحبا",
    ]
    words = ["the", "The", "and", "don't", "DON'T", "it's", "time", "upon", "Once", "hello", "world",
             "print", "return", "123", "4567", "café", "naïve", "über", " ", "  ", "\n", "\t"]
    cases = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.4:
                parts.append(rng.choice(words))
            else:
                pool = rng.choice(pools)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 6))))
            if rng.random() < 0.5:
                parts.append(" ")
        cases.append("".join(parts))
    return cases


# ---------------------------------------------------------------------------------------------
# Tokenizer construction.
# ---------------------------------------------------------------------------------------------

def train_bytelevel(corpus):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    trainer = trainers.BpeTrainer(
        vocab_size=800, min_frequency=2, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(corpus, trainer=trainer)
    return json.loads(tok.to_str())


def bytelevel_variant(base, name):
    data = json.loads(json.dumps(base))
    data["added_tokens"] = []
    if name == "bytelevel":
        data["model"]["ignore_merges"] = True
        data["normalizer"] = None
        data["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_REGEX}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]}
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                    "<|eot_id|>"]
    elif name == "bytelevel_qwen2":
        data["model"]["ignore_merges"] = False
        data["normalizer"] = {"type": "NFC"}
        data["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_REGEX}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        ]}
        specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    elif name == "bytelevel_gpt2":
        data["model"]["ignore_merges"] = False
        data["normalizer"] = None
        data["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                                 "use_regex": True}
        specials = ["<|endoftext|>"]
    else:
        raise ValueError(name)
    data["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    data["post_processor"] = None
    tok = Tokenizer.from_str(json.dumps(data))
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    # Added tokens with the flags the library honours.
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    tok.add_tokens([AddedToken("hello_world", single_word=True, special=False, normalized=True),
                    AddedToken("[RS]", rstrip=True, special=False, normalized=False)])
    bos = specials[0]
    if name == "bytelevel":
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(
                single=f"{bos} $A", pair=f"{bos} $A {bos} $B:1",
                special_tokens=[(bos, tok.token_to_id(bos))]),
        ])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def train_sentencepiece(corpus):
    byte_tokens = [f"<0x{i:02X}>" for i in range(256)]
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    # Train on words (so merges do not cross word boundaries); the saved tokenizer has no pre-tokenizer,
    # like TinyLlama's.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(
        vocab_size=1000, min_frequency=2, show_progress=False,
        special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens)
    tok.train_from_iterator(corpus, trainer=trainer)
    data = json.loads(tok.to_str())
    # The <0xXX> pieces live in the model vocabulary only (as in Llama 2), not among the added tokens.
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] in ("<unk>", "<s>", "</s>")]
    assert all(data["model"]["vocab"][b] == 3 + i for i, b in enumerate(byte_tokens))
    return data


def sentencepiece_variant(base, name):
    data = json.loads(json.dumps(base))
    data["model"]["ignore_merges"] = False
    if name == "sentencepiece":
        data["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
        ]}
        data["pre_tokenizer"] = None
        data["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]}
        # Legacy merges form: "a b" strings.
        data["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]]
    elif name in ("metaspace_first", "metaspace_always"):
        scheme, split = ("first", False) if name == "metaspace_first" else ("always", True)
        data["normalizer"] = None
        data["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme,
                                 "split": split}
        data["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "ByteFallback"},
            {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": split},
        ]}
    else:
        raise ValueError(name)
    data["post_processor"] = None
    tok = Tokenizer.from_str(json.dumps(data))
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A $B:1", special_tokens=[("<s>", 1)])
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=True, special=True, normalized=False)])
    tok.add_tokens([AddedToken("foo bar", special=False, normalized=True),
                    AddedToken("[INST]", special=False, normalized=False),
                    AddedToken("[/INST]", special=False, normalized=False)])
    return tok


def record(tok, cases):
    out = []
    for text in cases:
        with_special = tok.encode(text, add_special_tokens=True).ids
        plain = tok.encode(text, add_special_tokens=False).ids
        out.append({
            "text": text,
            "ids": with_special,
            "ids_plain": plain,
            "decoded": tok.decode(with_special, skip_special_tokens=False),
            "decoded_skip": tok.decode(with_special, skip_special_tokens=True),
            "decoded_plain": tok.decode(plain, skip_special_tokens=False),
            # A prefix cut anywhere exercises lossy UTF-8 decoding of partial characters.
            "decoded_prefix": tok.decode(plain[: (len(plain) + 1) // 2], skip_special_tokens=False),
        })
    return out


def write(name, tok, cases):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    # Round trip through JSON so what we test is exactly what the file says.
    text = tok.to_str()
    tok = Tokenizer.from_str(text)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")))
    expected = {
        "library": "tokenizers",
        "version": tokenizers.__version__,
        "generator": "scripts/reference/make_tokenizer_fixtures.py",
        "vocab_size": tok.get_vocab_size(with_added_tokens=True),
        "cases": record(tok, cases),
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(expected, ensure_ascii=False, separators=(",", ":")))
    sizes = [os.path.getsize(os.path.join(folder, n)) for n in ("tokenizer.json", "expected.json")]
    print(f"{name}: {len(cases)} cases, tokenizer.json {sizes[0]} B, expected.json {sizes[1]} B")


def stress_cases(seed, count):
    """Wide random Unicode for a local stress run (not committed)."""
    rng = random.Random(seed)
    singles = ("'sStTmMdD\u017f rReEvVlL _-.,!?\"()[]{}<>0123456789aZ"
               "\t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000"
               "\u180e\u200b\u200c\u200d\ufeff\u0301\u0308\u0903\u20dd\ufe0f\U0001f3fd"
               "\u00bd\u00b2\u2160\u2467\u0663\u096a\uff11\u02b0\u01c5\u3005\u203f\u00aa"
               "\u00e9\u00df\u0130\u03a3\u03c2\u1e9e\u212a\u2126\ufb01")
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
              (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2100, 0x22FF),
              (0x3000, 0x30FF), (0x4E00, 0x4E80), (0xAC00, 0xAC80), (0xFF00, 0xFFEF), (0x1F300, 0x1F6FF),
              (0x1D400, 0x1D7FF)]
    cases = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(0, 30)):
            r = rng.random()
            if r < 0.5:
                chars.append(rng.choice(singles))
            else:
                lo, hi = rng.choice(ranges)
                c = rng.randint(lo, hi)
                if not (0xD800 <= c < 0xE000):
                    chars.append(chr(c))
        cases.append("".join(chars))
    return cases


def main():
    global OUT
    corpus = training_corpus()
    randoms = random_cases(seed=7, count=120)
    bl_cases = FIXED_CASES + BYTELEVEL_SPECIAL_CASES + randoms
    sp_cases = FIXED_CASES + SENTENCEPIECE_SPECIAL_CASES + randoms
    if len(sys.argv) == 3 and sys.argv[1] == "--stress":
        # Local stress run: many wide-Unicode cases into another folder. The Swift test
        # HFTokenizerParityTests.testStressFixtures runs them when FORGETBENCH_TOKENIZER_STRESS names it.
        OUT = os.path.abspath(sys.argv[2])
        bl_cases = sp_cases = stress_cases(seed=11, count=5000)
    base = train_bytelevel(corpus)
    for name in ("bytelevel", "bytelevel_qwen2", "bytelevel_gpt2"):
        write(name, bytelevel_variant(base, name), bl_cases)
    base = train_sentencepiece(corpus)
    for name in ("sentencepiece", "metaspace_first", "metaspace_always"):
        write(name, sentencepiece_variant(base, name), sp_cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
