"""ForgetBench's own chat-template conversations (on top of the 27 COMMON_CASES in
../shared/chat-templates/render_reference.py).

Plain data: OWN_CASES is a list of dicts with the keys render_reference's cases use:
  name, messages, add_generation_prompt, kwargs, and optionally tools / documents.
A case without a "tools" key gets the folder's render_config.json `default_tools`
(only hermes-3-llama-3.1-8b has them), exactly as render_reference.build_cases does
for the common cases; a case that sets "tools" (even to []) keeps its own value.

Several cases are expected to fail on some templates (gemma rejects system roles,
role-alternation checks, non-string content, ...). The failures are recorded, not
avoided. Keep every string NUL-free (the Swift side reads them from JSON).
"""


def U(c, **extra):
    return {"role": "user", "content": c, **extra}


def A(c, **extra):
    return {"role": "assistant", "content": c, **extra}


def S(c, **extra):
    return {"role": "system", "content": c, **extra}


def _long_message():
    # ~10k characters: prose, code, numbers and some non-ASCII, deterministic.
    parts = []
    for i in range(120):
        parts.append(f"Paragraph {i}: the quick brown fox #{i * 7 % 13} jumps over {i * i} lazy dogs; "
                     f"café naïve Straße 東京 {i % 10}\n")
        if i % 17 == 0:
            parts.append("    def f(x):\n        return x * 2  # {{ not jinja }}\n")
    return "".join(parts)


LONG_MESSAGE = _long_message()

JSON_LIKE = ('{"name": "get_weather", "arguments": {"city": "Paris", "days": [1, 2, 3], '
             '"nested": {"ok": true, "none": null, "pi": 3.14}}}')

OWN_CASES = [
    # --- tools / documents plumbing ---------------------------------------------------------
    {"name": "own_tools_absent_multi_turn",
     "messages": [U("What's the weather like?"), A("I can't check live weather."), U("Ok, then say hi.")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_tools_empty_list",
     "messages": [U("No tools here, right?")],
     "add_generation_prompt": True, "kwargs": {}, "tools": []},
    {"name": "own_documents_ignored",
     "messages": [U("Summarise the document.")],
     "add_generation_prompt": True, "kwargs": {},
     "documents": [{"title": "Doc one", "text": "Some text about llamas."}]},

    # --- system message variants ------------------------------------------------------------
    {"name": "own_empty_system_multi_turn",
     "messages": [S(""), U("Hi"), A("Hello."), U("Bye")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_system_whitespace_only",
     "messages": [S("  \n\t  "), U("Is the system prompt blank?")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_system_padded",
     "messages": [S("\n\n  You are a pirate.  \n"), U("Greet me.")],
     "add_generation_prompt": True, "kwargs": {}},

    # --- multi-turn ------------------------------------------------------------------------
    {"name": "own_multi_turn_8_no_gen",
     "messages": [S("You count things."), U("One?"), A("1"), U("Two?"), A("2"), U("Three?"), A("3"),
                  U("Four?")],
     "add_generation_prompt": False, "kwargs": {}},
    {"name": "own_multi_turn_6_gen",
     "messages": [U("Let's play a word game."), A("Sure! Say a word."), U("Apple"), A("Elephant"),
                  U("Tiger"), A("Rabbit")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_multi_turn_4_assistant_last",
     "messages": [U("Translate 'cat' to French."), A("chat"), U("And to German?"), A("Katze")],
     "add_generation_prompt": False, "kwargs": {}},
    {"name": "own_ends_user_no_gen",
     "messages": [U("First"), A("Second"), U("Third, and no generation prompt after me.")],
     "add_generation_prompt": False, "kwargs": {}},

    # --- unicode -------------------------------------------------------------------------
    {"name": "own_unicode_combining",
     "messages": [U("Cafe\u0301 vs Café, n\u0303, a\u030a, Z\u0351\u0362a\u0360l\u0489g\u0335o"),
                  A("e\u0301 is 'e' + U+0301.")],
     "add_generation_prompt": False, "kwargs": {}},
    {"name": "own_unicode_devanagari_math",
     "messages": [U("नमस्ते, क्या हाल है? ∀x∈ℝ: x² ≥ 0, ∑ᵢ aᵢ ≈ ∫₀^∞ e^{-x} dx, ¬(p ∧ q) ⇔ ¬p ∨ ¬q")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_unicode_control_chars",
     "messages": [U("vertical\u000btab, form\u000cfeed, unit\u001fsep, bell\u0007, esc\u001b[0m, del\u007f")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_unicode_whitespace_edges",
     # Python's str.strip() (jinja |trim, .strip()) removes \v \f \x1c-\x1f \x85 \xa0 \u2000-\u200a
     # \u2028 \u3000 ...; it keeps \u200b (zero-width space) and \ufeff (BOM).
     "messages": [S("\u000b\u00a0 system \u2003\u0085"),
                  U("\u3000\u2028\u001f user text \u000c\u1680"),
                  A("\u200b assistant keeps zero-width \ufeff"), U("\u00a0\u202f")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_unicode_astral",
     "messages": [U("Astral: 𝄞 𝔘𝔫𝔦 😀🫠 🧑🏽‍🚀 \U0001F1FA\U0001F1F3 \U000E0067 𐍈 🀄")],
     "add_generation_prompt": True, "kwargs": {}},

    # --- content shapes ----------------------------------------------------------------------
    {"name": "own_very_long_message",
     "messages": [U(LONG_MESSAGE)],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_quotes_backslashes_newlines",
     "messages": [U("\"\"\n''\n\\\\\n\\n\\t\\\"\n`\n\n\n")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_json_like_content",
     "messages": [U(JSON_LIKE), A("[1, 2, {\"a\": \"b\"}]")],
     "add_generation_prompt": False, "kwargs": {}},
    {"name": "own_numbers_as_text",
     "messages": [U("42"), A("3.14"), U("-0"), A("1e10"), U("007")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_assistant_whitespace_padding",
     "messages": [U("pad"), A("  \n leading and trailing \t\n  "), U("again"), A("\n\nonly leading")],
     "add_generation_prompt": False, "kwargs": {}},
    {"name": "own_assistant_empty_content",
     "messages": [U("Say nothing."), A(""), U("Now say something.")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_single_user_no_gen_unicode",
     "messages": [U("Ünïcödé without a generation prompt ✓")],
     "add_generation_prompt": False, "kwargs": {}},

    # --- extra message keys / odd values ----------------------------------------------------
    {"name": "own_name_fields",
     "messages": [S("Group chat.", name="moderator"), U("Hi all", name="alice"), A("Hello Alice", name="bot"),
                  U("Hi bot", name="bob")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_unknown_message_keys",
     "messages": [U("Hi", id="m1", metadata={"lang": "en", "n": 1}), A("Hello", weight=0)],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_user_content_none",
     # transformers drops the None-valued key, so templates see a message without "content".
     "messages": [U(None), A("ok")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_user_content_integer",
     "messages": [U(42)],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_developer_role",
     "messages": [{"role": "developer", "content": "Answer in one word."}, U("Colour of the sky?")],
     "add_generation_prompt": True, "kwargs": {}},

    # --- reasoning / thinking ------------------------------------------------------------------
    {"name": "own_enable_thinking_false",
     "messages": [U("Quick: 5*5?")],
     "add_generation_prompt": True, "kwargs": {"enable_thinking": False}},
    {"name": "own_enable_thinking_true",
     "messages": [U("Think: 5*5?")],
     "add_generation_prompt": True, "kwargs": {"enable_thinking": True}},
    {"name": "own_think_multi_turn_no_gen",
     "messages": [U("1+1?"), A("<think>\n\neasy\n\n</think>\n\n2"), U("2+2?"),
                  A("\n<think>add</think>\n\n\n4")],
     "add_generation_prompt": False, "kwargs": {"enable_thinking": True}},
    {"name": "own_think_unclosed_and_double_close",
     "messages": [U("a"), A("<think>never closed"), U("b"), A("x</think>y</think>z"), U("c")],
     "add_generation_prompt": True, "kwargs": {}},
    {"name": "own_reasoning_content_last_turn",
     "messages": [U("Why is the sky blue?"),
                  A("Rayleigh scattering.", reasoning_content="\nShort wavelengths scatter more.\n")],
     "add_generation_prompt": False, "kwargs": {}},

    # --- kwargs -----------------------------------------------------------------------------
    {"name": "own_kwargs_reasoning_effort_low_identity",
     "messages": [U("Hello")],
     "add_generation_prompt": True,
     "kwargs": {"reasoning_effort": "low", "model_identity": "You are a test model."}},
    {"name": "own_kwargs_override_special_tokens",
     # extra kwargs win over the tokenizer's special tokens
     "messages": [U("Hi"), A("Hey")],
     "add_generation_prompt": False, "kwargs": {"bos_token": "[BOS]", "eos_token": "[EOS]"}},
]
