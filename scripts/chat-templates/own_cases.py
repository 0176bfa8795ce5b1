"""ForgetBench's own chat-template conversations (on top of the 27 COMMON_CASES in
../shared/chat-templates/render_reference.py).

Plain data: OWN_CASES is a list of dicts (made by `case`) with the keys render_reference's cases
use: name, messages, add_generation_prompt, kwargs, and optionally tools / documents.
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


def case(name, *messages, gen=True, kwargs=None, **extra):
    """One case: `messages` in order, a generation prompt unless `gen=False`, the template's extra
    `kwargs`, and any other key of the case (`tools`, `documents`)."""
    return {"name": name, "messages": list(messages), "add_generation_prompt": gen, "kwargs": kwargs or {}, **extra}


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
    case("own_tools_absent_multi_turn",
         U("What's the weather like?"), A("I can't check live weather."), U("Ok, then say hi.")),
    case("own_tools_empty_list", U("No tools here, right?"), tools=[]),
    case("own_documents_ignored",
         U("Summarise the document."), documents=[{"title": "Doc one", "text": "Some text about llamas."}]),

    # --- system message variants ------------------------------------------------------------
    case("own_empty_system_multi_turn", S(""), U("Hi"), A("Hello."), U("Bye")),
    case("own_system_whitespace_only", S("  \n\t  "), U("Is the system prompt blank?")),
    case("own_system_padded", S("\n\n  You are a pirate.  \n"), U("Greet me.")),

    # --- multi-turn ------------------------------------------------------------------------
    case("own_multi_turn_8_no_gen",
         S("You count things."), U("One?"), A("1"), U("Two?"), A("2"), U("Three?"), A("3"), U("Four?"),
         gen=False),
    case("own_multi_turn_6_gen",
         U("Let's play a word game."), A("Sure! Say a word."), U("Apple"), A("Elephant"), U("Tiger"),
         A("Rabbit")),
    case("own_multi_turn_4_assistant_last",
         U("Translate 'cat' to French."), A("chat"), U("And to German?"), A("Katze"), gen=False),
    case("own_ends_user_no_gen",
         U("First"), A("Second"), U("Third, and no generation prompt after me."), gen=False),

    # --- unicode -------------------------------------------------------------------------
    case("own_unicode_combining",
         U("Cafe\u0301 vs Café, n\u0303, a\u030a, Z\u0351\u0362a\u0360l\u0489g\u0335o"),
         A("e\u0301 is 'e' + U+0301."), gen=False),
    case("own_unicode_devanagari_math",
         U("नमस्ते, क्या हाल है? ∀x∈ℝ: x² ≥ 0, ∑ᵢ aᵢ ≈ ∫₀^∞ e^{-x} dx, ¬(p ∧ q) ⇔ ¬p ∨ ¬q")),
    case("own_unicode_control_chars",
         U("vertical\u000btab, form\u000cfeed, unit\u001fsep, bell\u0007, esc\u001b[0m, del\u007f")),
    # Python's str.strip() (jinja |trim, .strip()) removes \v \f \x1c-\x1f \x85 \xa0 \u2000-\u200a
    # \u2028 \u3000 ...; it keeps \u200b (zero-width space) and \ufeff (BOM).
    case("own_unicode_whitespace_edges",
         S("\u000b\u00a0 system \u2003\u0085"), U("\u3000\u2028\u001f user text \u000c\u1680"),
         A("\u200b assistant keeps zero-width \ufeff"), U("\u00a0\u202f")),
    case("own_unicode_astral", U("Astral: 𝄞 𝔘𝔫𝔦 😀🫠 🧑🏽‍🚀 \U0001F1FA\U0001F1F3 \U000E0067 𐍈 🀄")),

    # --- content shapes ----------------------------------------------------------------------
    case("own_very_long_message", U(LONG_MESSAGE)),
    case("own_quotes_backslashes_newlines", U("\"\"\n''\n\\\\\n\\n\\t\\\"\n`\n\n\n")),
    case("own_json_like_content", U(JSON_LIKE), A("[1, 2, {\"a\": \"b\"}]"), gen=False),
    case("own_numbers_as_text", U("42"), A("3.14"), U("-0"), A("1e10"), U("007")),
    case("own_assistant_whitespace_padding",
         U("pad"), A("  \n leading and trailing \t\n  "), U("again"), A("\n\nonly leading"), gen=False),
    case("own_assistant_empty_content", U("Say nothing."), A(""), U("Now say something.")),
    case("own_single_user_no_gen_unicode", U("Ünïcödé without a generation prompt ✓"), gen=False),

    # --- extra message keys / odd values ----------------------------------------------------
    case("own_name_fields",
         S("Group chat.", name="moderator"), U("Hi all", name="alice"), A("Hello Alice", name="bot"),
         U("Hi bot", name="bob")),
    case("own_unknown_message_keys", U("Hi", id="m1", metadata={"lang": "en", "n": 1}), A("Hello", weight=0)),
    # transformers drops the None-valued key, so templates see a message without "content".
    case("own_user_content_none", U(None), A("ok")),
    case("own_user_content_integer", U(42)),
    case("own_developer_role",
         {"role": "developer", "content": "Answer in one word."}, U("Colour of the sky?")),

    # --- reasoning / thinking ------------------------------------------------------------------
    case("own_enable_thinking_false", U("Quick: 5*5?"), kwargs={"enable_thinking": False}),
    case("own_enable_thinking_true", U("Think: 5*5?"), kwargs={"enable_thinking": True}),
    case("own_think_multi_turn_no_gen",
         U("1+1?"), A("<think>\n\neasy\n\n</think>\n\n2"), U("2+2?"), A("\n<think>add</think>\n\n\n4"),
         gen=False, kwargs={"enable_thinking": True}),
    case("own_think_unclosed_and_double_close",
         U("a"), A("<think>never closed"), U("b"), A("x</think>y</think>z"), U("c")),
    case("own_reasoning_content_last_turn",
         U("Why is the sky blue?"),
         A("Rayleigh scattering.", reasoning_content="\nShort wavelengths scatter more.\n"), gen=False),

    # --- kwargs -----------------------------------------------------------------------------
    case("own_kwargs_reasoning_effort_low_identity",
         U("Hello"), kwargs={"reasoning_effort": "low", "model_identity": "You are a test model."}),
    # extra kwargs win over the tokenizer's special tokens
    case("own_kwargs_override_special_tokens",
         U("Hi"), A("Hey"), gen=False, kwargs={"bos_token": "[BOS]", "eos_token": "[EOS]"}),
]
