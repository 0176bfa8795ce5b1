#!/usr/bin/env python3
"""Render small Jinja snippets with jinja2 configured as transformers configures it.

Writes Tests/JinjaTests/Fixtures/snippets.json: a conformance fixture for the Swift interpreter
(Sources/Jinja), checked by Tests/JinjaTests/SnippetConformanceTests.swift. Every snippet is
compiled with render_reference.py's `replica_compile` (ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks, {% generation %}, loopcontrols; transformers' tojson, raise_exception,
strftime_now frozen at 2025-01-15 12:00:00, dict, namespace) and rendered with its context as
keyword arguments. Each entry records what jinja2 did:

    {"name", "template", "context", "expected"}                 rendered text, or
    {"name", "template", "context", "error", "error_type"}      str(e), type(e).__name__

Compile errors (TemplateSyntaxError, TemplateAssertionError) are recorded as errors too.

The snippets are written from jinja2's documented behaviour, never from what the Swift code does:
the point is to find where the two differ.

    python3 scripts/chat-templates/render_snippets.py [--out FILE]

render_reference.py is read from $FORGETBENCH_SHARED/chat-templates/, else from
../shared/chat-templates/ relative to the repository root. The output is deterministic.
"""
import argparse
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.environ.get("FORGETBENCH_SHARED", os.path.join(ROOT, "..", "shared"))
REFERENCE = os.path.join(SHARED, "chat-templates", "render_reference.py")
DEFAULT_OUT = os.path.join(ROOT, "Tests", "JinjaTests", "Fixtures", "snippets.json")


def load_reference(path=REFERENCE):
    spec = importlib.util.spec_from_file_location("render_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------------------- shared contexts
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]
USERS = [{"name": "ann", "age": 31, "active": True, "role": "admin"},
         {"name": "bob", "age": 25, "active": False, "role": "user"},
         {"name": "cy", "age": 40, "active": True, "role": "user"}]
NESTED = {"name": "tool", "args": {"x": [1, 2.5, None, True, False], "s": "é\n\"q\""}, "empty": {}, "list": []}
TREE = [{"name": "a", "children": [{"name": "b", "children": []}, {"name": "c", "children": [{"name": "d", "children": []}]}]},
        {"name": "e", "children": []}]
METHOD_KEYS = {"items": "I", "keys": "K", "values": "V", "get": "G", "title": "T", "content": "C"}

# ----------------------------------------------------------------------------- snippets
# (group, [(name, template, context), ...]); names are "group/name".
GROUPS = []


def group(name, *snippets):
    GROUPS.append((name, [s if len(s) == 3 else (s[0], s[1], {}) for s in snippets]))


group("whitespace",
      ("minus_block_left", "a  \n  {%- if true %}b{% endif %}"),
      ("minus_block_right", "{% if true -%}   \n  b{% endif %}"),
      ("minus_expr_both", "a  {{- 'x' -}}  b"),
      ("minus_expr_left_newlines", "a\n\n{{- 'x' }}\n\nb"),
      ("minus_endblock", "{% for i in [1, 2] %}  {{ i }}  {%- endfor %}|"),
      ("plus_block_left", "a\n    {%+ if true %}x{% endif %}"),
      ("plus_block_right", "{% if true +%}\nx{% endif %}"),
      ("trim_after_block", "{% if true %}\nx\n{% endif %}\ny"),
      ("trim_after_comment", "{# c #}\nx"),
      ("trim_only_one_newline", "{% if true %}\n\nx{% endif %}"),
      ("trim_after_expr_not_applied", "{{ 'x' }}\ny"),
      ("lstrip_spaces", "a\n    {% if true %}\n    b\n    {% endif %}\nc"),
      ("lstrip_tabs", "a\n\t\t{% if true %}x{% endif %}"),
      ("lstrip_mixed_blank", "a\n \t {% if true %}x{% endif %}"),
      ("lstrip_not_line_start", "a   {% if true %}x{% endif %}"),
      ("lstrip_first_line", "   {% if true %}x{% endif %}"),
      ("lstrip_not_for_expr", "a\n    {{ 'x' }}\n"),
      ("lstrip_comment", "a\n   {# c #}\nb"),
      ("lstrip_with_minus", "a\n  {%- if true %}b{% endif %}"),
      ("minus_comment", "a   {#- c -#}   b"),
      ("crlf_template", "{% if true %}\r\nx\r\n{% endif %}\r\ny\r\n"),
      ("crlf_set", "{% set x = 1 %}\r\n{{ x }}\r\nz"),
      ("crlf_in_text", "a\r\nb"),
      ("lone_cr_in_text", "a\rb"),
      ("trailing_newline_dropped", "x\n"),
      ("two_trailing_newlines", "x\n\n"),
      ("trailing_crlf", "x\r\n"),
      ("raw_block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}"),
      ("raw_block_whitespace", "a {%- raw %}  {{ x }}  {% endraw -%}  b"),
      ("raw_trim_blocks", "{% raw %}\nline\n{% endraw %}\nafter"),
      ("for_lines", "{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}\n"),
      ("for_lines_indented", "<ul>\n  {% for i in [1, 2] %}\n  <li>{{ i }}</li>\n  {% endfor %}\n</ul>"),
      ("if_else_lines", "{% if false %}\nA\n{% else %}\nB\n{% endif %}\n"),
      ("expr_minus_newline", "{{ 'a' -}}\n\n   {{ 'b' }}"),
      ("only_whitespace_text", "   \n   "),
      )

group("comments",
      ("simple", "a{# comment #}b"),
      ("multiline", "a{# line1\nline2 #}b"),
      ("with_tags_inside", "a{# {% if %} {{ x }} #}b"),
      ("comment_only", "{# nothing #}"),
      ("comment_line_between", "x\n{# c #}\ny"),
      )

group("literals",
      ("str_escapes", r"{{ 'a\nb\tc\\d' }}"),
      ("str_quote_escapes", r"""{{ 'it\'s' }}|{{ "say \"hi\"" }}"""),
      ("str_unicode_escape", r"{{ '\u00e9' }}"),
      ("str_hex_escape", r"{{ '\x41' }}"),
      ("str_non_ascii", "{{ 'é✓🦙' }}"),
      ("str_unknown_escape", r"{{ 'a\qb' }}"),
      ("adjacent_strings", "{{ 'a' 'b' \"c\" }}"),
      ("ints", "{{ 42 }}|{{ -7 }}|{{ 0 }}"),
      ("int_leading_zeros", "{{ 007 }}"),
      ("int_underscore", "{{ 1_000_000 }}"),
      ("float_1_0", "{{ 1.0 }}"),
      ("float_1e5", "{{ 1e5 }}"),
      ("float_sum", "{{ 0.1 + 0.2 }}"),
      ("float_small", "{{ 1e-7 }}|{{ 0.0001 }}|{{ 1.5e-5 }}"),
      ("float_large", "{{ 1e16 }}|{{ 1e15 }}|{{ 123456789.125 }}|{{ 1e100 }}"),
      ("float_third", "{{ 1 / 3 }}|{{ 2 / 3 }}|{{ 10 / 3 }}"),
      ("float_negative_zero", "{{ -0.0 }}"),
      ("float_trailing_zeros", "{{ 3.10 }}|{{ 2.50 }}"),
      ("big_int_max", "{{ 9223372036854775807 }}"),
      ("big_int_mul", "{{ 4294967296 * 2 }}|{{ 2 ** 62 }}"),
      ("booleans_none", "{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}"),
      ("list", "{{ [1, 'a', none, true, 1.5] }}"),
      ("dict", "{{ {'a': 1, 'b': [1, 2]} }}"),
      ("tuple", "{{ (1, 2) }}|{{ (1,) }}|{{ () }}"),
      ("nested", "{{ {'k': {'n': [none, false, (1, 'x')]}} }}"),
      ("empty_containers", "{{ [] }}|{{ {} }}"),
      ("list_str_with_single_quote", "{{ [\"it's\"] }}"),
      ("list_str_with_double_quote", "{{ ['say \"x\"'] }}"),
      ("list_str_with_both_quotes", r"""{{ ["it's \"x\""] }}"""),
      ("list_str_escapes", r"{{ ['a\nb', 'tab\t', 'back\\slash'] }}"),
      ("list_str_control", r"{{ ['\x01', '\x7f'] }}"),
      ("list_str_unicode", "{{ ['é', '🦙', '日本'] }}"),
      ("list_str_nbsp_zwj", "{{ ['\u00a0', '\u200d'] }}"),
      ("list_floats", "{{ [1.0, 2.5, 1e20, 1e-5, 0.1] }}"),
      ("dict_int_keys", "{{ {1: 'a', 2: 'b'} }}"),
      ("dict_duplicate_keys", "{{ {'a': 1, 'a': 2} }}"),
      ("dict_true_one_same_key", "{{ {1: 'a', true: 'b'} }}"),
      ("context_values", "{{ x }}|{{ y }}|{{ z }}|{{ f }}", {"x": None, "y": True, "z": [1, {"a": None, "b": "q'"}], "f": 2.0}),
      ("context_str_repr_in_dict", "{{ d }}", {"d": {"text": "line\nnext", "q": "a'b\"c"}}),
      )

group("arithmetic",
      ("int_ops", "{{ 7 + 3 }}|{{ 7 - 10 }}|{{ 7 * 3 }}|{{ 7 / 2 }}|{{ 7 // 2 }}|{{ 7 % 3 }}|{{ 2 ** 10 }}"),
      ("true_division_exact", "{{ 6 / 3 }}"),
      ("floor_div_negative", "{{ -7 // 2 }}|{{ 7 // -2 }}"),
      ("mod_negative", "{{ -7 % 3 }}|{{ 7 % -3 }}|{{ -7 % -3 }}"),
      ("float_floor_div_mod", "{{ 7.5 // 2 }}|{{ 7.5 % 2 }}|{{ -7.5 % 2 }}"),
      ("pow_negative_exponent", "{{ 2 ** -1 }}"),
      ("pow_float", "{{ 2 ** 0.5 }}|{{ 4 ** 0.5 }}"),
      ("pow_left_assoc", "{{ 2 ** 3 ** 2 }}"),
      ("int_plus_float", "{{ 1 + 1.0 }}|{{ 3 * 1.5 }}"),
      ("str_times_int", "{{ 'ab' * 3 }}|{{ 3 * 'ab' }}|{{ 'ab' * 0 }}|{{ 'ab' * -1 }}"),
      ("list_plus_list", "{{ [1] + [2, 3] }}|{{ [0] * 3 }}"),
      ("str_plus_str", "{{ 'a' + 'b' }}"),
      ("unary", "{{ -x }}|{{ +x }}|{{ 10 - -3 }}|{{ --2 }}", {"x": 5}),
      ("bool_arith", "{{ true + 1 }}|{{ true * 3 }}|{{ false - 1 }}"),
      ("float_overflow", "{{ 1e300 * 1e10 }}"),
      ("precedence_mul", "{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 10 / 4 * 2 }}|{{ 10 - 2 - 3 }}"),
      ("float_mul", "{{ 0.1 * 3 }}|{{ 100.0 / 3 }}|{{ 5 // 0.5 }}"),
      ("str_format_percent", "{{ 'Hello %s, %d' % ('ann', 3) }}|{{ '%05.2f' % 3.14159 }}"),
      ("large_int_sum", "{{ 9223372036854775806 + 1 }}"),
      )

group("comparisons",
      ("basic", "{{ 1 < 2 }}|{{ 2 <= 2 }}|{{ 3 > 4 }}|{{ 3 >= 4 }}|{{ 1 == 1.0 }}|{{ 'a' != 'b' }}"),
      ("chained", "{{ 1 < 2 < 3 }}|{{ 1 < 3 < 2 }}|{{ 1 == 1 == 1 }}|{{ 3 > 2 > 1 }}"),
      ("strings", "{{ 'a' < 'b' }}|{{ 'B' < 'a' }}|{{ 'ab' < 'b' }}|{{ '' < 'a' }}"),
      ("lists", "{{ [1, 2] == [1, 2] }}|{{ [1, 2] < [1, 3] }}|{{ [1] < [1, 0] }}"),
      ("dicts", "{{ {'a': 1} == {'a': 1} }}|{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}"),
      ("none_bool_number", "{{ none == none }}|{{ none == false }}|{{ 0 == false }}|{{ 1 == true }}|{{ 'a' == 1 }}"),
      ("undefined_eq", "{{ nothing == none }}|{{ nothing == nothing2 }}|{{ nothing != 1 }}"),
      ("tuple_eq_list", "{{ (1, 2) == [1, 2] }}"),
      ("int_lt_str", "{{ 1 < 'a' }}"),
      ("none_lt_int", "{{ none < 1 }}"),
      )

group("membership",
      ("in_string", "{{ 'b' in 'abc' }}|{{ 'x' in 'abc' }}|{{ '' in 'abc' }}|{{ 'bc' in 'abc' }}"),
      ("in_list", "{{ 2 in [1, 2] }}|{{ 3 not in [1, 2] }}|{{ 'a' in ['a'] }}|{{ 1.0 in [1] }}"),
      ("in_dict", "{{ 'a' in {'a': 1} }}|{{ 1 in {'a': 1} }}|{{ 'a' not in {'a': 1} }}"),
      ("in_context_dict", "{{ 'content' in m }}|{{ 'tool_calls' in m }}", {"m": {"role": "user", "content": "x"}}),
      ("not_in_precedence", "{{ not 'a' in 'abc' }}"),
      ("in_undefined", "{{ 'a' in nothing }}"),
      ("int_in_string", "{{ 1 in 'abc' }}"),
      ("in_none", "{{ 'a' in none }}"),
      )

group("concat",
      ("tilde_mixed", "{{ 'a' ~ none ~ 1 ~ 1.5 ~ true ~ 1.0 }}"),
      ("tilde_undefined", "{{ 'a' ~ nothing ~ 'b' }}"),
      ("tilde_numbers", "{{ 1 ~ 2 }}"),
      ("tilde_containers", "{{ [1, 'x'] ~ {'a': none} }}"),
      ("tilde_after_plus", "{{ 1 + 2 ~ 3 }}"),
      ("tilde_before_plus", "{{ 'a' ~ 1 + 2 }}"),
      ("tilde_vs_mul", "{{ 2 * 3 ~ 4 }}|{{ 'a' ~ 2 * 3 }}"),
      ("tilde_vs_compare", "{{ 'a' ~ 'b' == 'ab' }}"),
      )

group("logic",
      ("or_and_operands", "{{ 0 or 'x' }}|{{ 'a' or 'b' }}|{{ '' and 'b' }}|{{ 'a' and 'b' }}|{{ none or [] }}"),
      ("not", "{{ not 0 }}|{{ not 'a' }}|{{ not [] }}|{{ not none }}|{{ not {} }}|{{ not 0.0 }}"),
      ("or_undefined", "{{ x or 'default' }}"),
      ("empty_containers_or", "{{ [] or {} }}"),
      ("short_circuit", "{{ 0 and 1 / 0 }}|{{ 1 or 1 / 0 }}"),
      ("and_returns_undefined", "[{{ true and nothing }}]"),
      ("truthiness_if", "{% for v in [0, 1, '', 'a', [], [0], {}, none, 0.0, '0', false] %}{{ 't' if v else 'f' }}{% endfor %}"),
      )

group("inline_if",
      ("with_else_true", "{{ 'yes' if x else 'no' }}", {"x": True}),
      ("with_else_false", "{{ 'yes' if x else 'no' }}", {"x": 0}),
      ("without_else_false", "[{{ 'yes' if x }}]", {"x": False}),
      ("without_else_defined_test", "{{ ('yes' if false) is defined }}"),
      ("without_else_concat", "{{ ('yes' if false) ~ 'z' }}"),
      ("chained", "{{ 'a' if x else 'b' if y else 'c' }}", {"x": False, "y": False}),
      ("undefined_condition", "{{ 'set' if nothing else 'unset' }}"),
      ("binds_loosest", "{{ 1 if true else 2 ~ 'x' }}|{{ 'p' ~ 'q' if false else 'r' }}"),
      )

group("precedence",
      ("not_eq", "{{ not a == b }}", {"a": 1, "b": 2}),
      ("neg_pow", "{{ -2 ** 2 }}"),
      ("or_and", "{{ a or b and c }}", {"a": 0, "b": 1, "c": 2}),
      ("defined_and", "{{ x is defined and y }}", {"y": 1}),
      ("not_is_defined", "{{ not x is defined }}"),
      ("filter_binds_tight", "{{ [1, 2, 3] | length + 1 }}|{{ 'ab' ~ 'cd' | upper }}"),
      ("neg_filter", "{{ -3 | abs }}"),
      ("is_binds_tight", "{{ 1 + 1 is even }}"),
      ("compare_and", "{{ 1 < 2 and 2 < 1 or 3 == 3 }}"),
      )

group("filters",
      ("trim", "[{{ '  a b \n ' | trim }}]|[{{ 'xxaxx' | trim('x') }}]"),
      ("tojson_nested", "{{ d | tojson }}", {"d": NESTED}),
      ("tojson_indent", "{{ d | tojson(indent=2) }}", {"d": NESTED}),
      ("tojson_indent_4_list", "{{ [1, [2, {'a': none}], []] | tojson(indent=4) }}"),
      ("tojson_unicode_control", "{{ s | tojson }}", {"s": "é🦙\n\t\u0001\u001f\"\\/</script>"}),
      ("tojson_scalars", "{{ [1.0, 0.5, 1e20, 1e-7, 0.1 + 0.2, none, true, false, -3] | tojson }}"),
      ("tojson_string", "{{ 'x' | tojson }}|{{ 1 | tojson }}|{{ none | tojson }}"),
      ("tojson_empty", "{{ {} | tojson }}|{{ [] | tojson(indent=2) }}|{{ {'a': [], 'b': {}} | tojson(indent=2) }}"),
      ("tojson_tuple", "{{ (1, 'a') | tojson }}"),
      ("tojson_non_string_keys", "{{ {1: 'a', 2.5: 'x', none: 'c', false: 'f'} | tojson }}"),
      ("tojson_sort_keys", "{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}"),
      ("tojson_positional_indent", "{{ {'a': 1} | tojson(2) }}"),
      ("tojson_undefined", "{{ nothing | tojson }}"),
      ("length", "{{ 'abc' | length }}|{{ [1, 2] | length }}|{{ {'a': 1} | length }}|{{ nothing | length }}|{{ (1, 2, 3) | count }}"),
      ("join", "{{ [1, 2, 3] | join(', ') }}|{{ ['a', 'b'] | join }}|{{ 'abc' | join('-') }}|{{ [] | join(',') }}"),
      ("join_attribute", "{{ users | join(', ', attribute='name') }}", {"users": USERS}),
      ("join_mixed", "{{ [1, none, 'a', 1.5] | join('|') }}"),
      ("select_reject_tests", "{{ [1, 2, 3, 4] | select('odd') | list }}|{{ [1, 2, 3, 4] | reject('even') | list }}"),
      ("select_with_args", "{{ [1, 2, 3, 4, 6] | select('divisibleby', 3) | list }}|{{ [1, 5, 10] | select('gt', 3) | list }}"),
      ("select_no_test", "{{ [0, 1, '', 'a', none, [], [0]] | select | list }}|{{ [0, 1, ''] | reject | list }}"),
      ("select_in_equalto", "{{ ['a', 'b', 'c'] | select('in', ['a', 'c']) | list }}|{{ [1, 2, 3] | select('equalto', 2) | list }}"),
      ("select_operator_names", "{{ [1, 2, 3] | select('==', 2) | list }}|{{ [1, 2, 3] | reject('<', 2) | list }}"),
      ("select_string_test", "{{ ['a', 1, none, 'b'] | select('string') | list }}"),
      ("selectattr_truthy", "{{ users | selectattr('active') | map(attribute='name') | join(',') }}", {"users": USERS}),
      ("rejectattr_truthy", "{{ users | rejectattr('active') | map(attribute='name') | list }}", {"users": USERS}),
      ("selectattr_equalto", "{{ users | selectattr('role', 'equalto', 'user') | map(attribute='name') | list }}", {"users": USERS}),
      ("selectattr_eq_operator", "{{ messages | selectattr('role', '==', 'user') | list | length }}", {"messages": MESSAGES}),
      ("selectattr_gt", "{{ users | selectattr('age', 'gt', 30) | map(attribute='name') | list }}", {"users": USERS}),
      ("selectattr_defined", "{{ items | selectattr('x', 'defined') | list }}|{{ items | rejectattr('x', 'defined') | list }}", {"items": [{"x": 1}, {"y": 2}]}),
      ("selectattr_undefined_attr", "{{ items | selectattr('missing') | list }}", {"items": [{"x": 1}]}),
      ("rejectattr_none", "{{ items | rejectattr('x', 'none') | map(attribute='x') | list }}", {"items": [{"x": None}, {"x": 3}]}),
      ("map_filter", "{{ ['a', 'b'] | map('upper') | list }}|{{ [1.5, 2.7] | map('int') | list }}"),
      ("map_filter_args", "{{ ['a-b', 'c'] | map('replace', '-', '+') | join(' ') }}"),
      ("map_attribute", "{{ users | map(attribute='name') | list }}|{{ users | map(attribute='age') | sum }}", {"users": USERS}),
      ("map_attribute_default", "{{ items | map(attribute='a', default='z') | list }}", {"items": [{"a": 1}, {}]}),
      ("map_attribute_missing", "{{ items | map(attribute='a') | list }}", {"items": [{"a": 1}, {}]}),
      ("map_attribute_index", "{{ [[1, 2], [3, 4]] | map(attribute=1) | list }}"),
      ("list", "{{ 'abc' | list }}|{{ {'a': 1, 'b': 2} | list }}|{{ (1, 2) | list }}|{{ nothing | list }}"),
      ("string", "{{ 1 | string }}|{{ [1, 'a'] | string }}|{{ none | string }}|{{ 1.0 | string ~ 'x' }}|{{ true | string | length }}"),
      ("items", "{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": [2]}}),
      ("items_undefined", "[{{ nothing | items | list }}]"),
      ("items_none", "{{ none | items | list }}"),
      ("first_last", "{{ [1, 2, 3] | first }}|{{ [1, 2, 3] | last }}|{{ 'abc' | first }}|{{ 'abc' | last }}"),
      ("first_last_empty", "[{{ [] | first }}][{{ [] | last }}]"),
      ("first_dict", "{{ {'k': 1, 'j': 2} | first }}"),
      ("lower_upper", "{{ 'HeLLo wOrld' | lower }}|{{ 'HeLLo wOrld' | upper }}|{{ 'straße' | upper }}"),
      ("capitalize", "{{ 'hELLO world' | capitalize }}|{{ '' | capitalize }}|{{ 'élan' | capitalize }}"),
      ("title", "{{ 'hello wORLD-foo bar_baz (qux) [zed]' | title }}"),
      ("title_apostrophe", "{{ \"it's o'neil\" | title }}"),
      ("replace", "{{ 'aaa' | replace('a', 'b') }}|{{ 'aaa' | replace('a', 'b', 2) }}|{{ 'abc' | replace('', '-') }}|{{ 'abc' | replace('x', 'y') }}"),
      ("replace_non_string", "{{ 1234 | replace('2', 'x') }}"),
      ("default", "{{ x | default('d') }}|{{ '' | default('d') }}|{{ '' | default('d', true) }}|{{ none | default('d') }}|{{ x | d('dd') }}"),
      ("default_boolean_kw", "{{ false | default('d', boolean=true) }}|{{ 0 | d(5, true) }}|{{ [] | d('e', true) }}|{{ 'v' | d('e', true) }}"),
      ("default_no_arg", "[{{ x | default }}]"),
      ("int", "{{ '42' | int }}|{{ 3.9 | int }}|{{ -3.9 | int }}|{{ 'x' | int }}|{{ 'x' | int(7) }}|{{ '3.5' | int }}"),
      ("int_more", "{{ ' 12 ' | int }}|{{ none | int }}|{{ true | int }}|{{ '-5' | int }}|{{ '1e3' | int }}"),
      ("int_base", "{{ '0x1A' | int(0, 16) }}|{{ '1A' | int(base=16) }}|{{ '0b101' | int(0, 2) }}"),
      ("float", "{{ '1.5' | float }}|{{ 2 | float }}|{{ 'x' | float }}|{{ 'x' | float(1.5) }}|{{ '1e3' | float }}|{{ none | float }}"),
      ("abs", "{{ x | abs }}|{{ (-2.5) | abs }}|{{ 0 | abs }}", {"x": -3}),
      ("round", "{{ 2.5 | round }}|{{ 3.5 | round }}|{{ 3.14159 | round(2) }}|{{ 1.005 | round(2) }}|{{ -2.5 | round }}"),
      ("round_methods", "{{ 2.7 | round(0, 'floor') }}|{{ 2.1 | round(0, 'ceil') }}|{{ 2.15 | round(1, 'floor') }}|{{ -2.5 | round(method='ceil') }}"),
      ("round_int", "{{ 3 | round }}|{{ 12345 | round(-2) }}|{{ 7 | round(1) }}"),
      ("indent_default", "{{ 'a\nb\nc' | indent }}"),
      ("indent_first", "{{ 'a\nb' | indent(2, true) }}|{{ 'a\nb' | indent(first=True) }}"),
      ("indent_blank_lines", "[{{ 'a\n\nb\n' | indent(2) }}]|[{{ 'a\n\nb' | indent(2, blank=true) }}]"),
      ("indent_string", "{{ 'a\nb' | indent('> ') }}"),
      ("unique", "{{ [1, 2, 1, 3, 2] | unique | list }}|{{ ['a', 'A', 'b'] | unique | list }}|{{ ['a', 'A'] | unique(case_sensitive=true) | list }}"),
      ("sort", "{{ [3, 1, 2] | sort }}|{{ [3, 1, 2] | sort(reverse=true) }}|{{ ['b', 'A', 'c'] | sort }}|{{ ['b', 'A', 'c'] | sort(case_sensitive=true) }}"),
      ("sort_attribute", "{{ users | sort(attribute='age') | map(attribute='name') | list }}|{{ users | sort(attribute='name', reverse=true) | map(attribute='name') | join }}", {"users": USERS}),
      ("sort_mixed_numbers", "{{ [3, 1.5, true, 0] | sort }}"),
      ("sort_strings_dict", "{{ {'b': 1, 'a': 2} | sort }}"),
      ("reverse", "{{ [1, 2, 3] | reverse | list }}|{{ 'abc' | reverse }}|{{ (1, 2) | reverse | list }}"),
      ("sum", "{{ [1, 2, 3] | sum }}|{{ [1.5, 2] | sum }}|{{ [] | sum }}|{{ [1, 2] | sum(start=10) }}"),
      ("sum_attribute", "{{ users | sum(attribute='age') }}", {"users": USERS}),
      ("min_max", "{{ [3, 1, 2] | min }}|{{ [3, 1, 2] | max }}|{{ ['b', 'A', 'c'] | max }}|{{ ['b', 'A', 'c'] | min }}|{{ 'bca' | max }}"),
      ("min_max_attribute", "{{ (users | min(attribute='age')).name }}|{{ (users | max(attribute='age')).name }}", {"users": USERS}),
      ("min_max_empty", "[{{ [] | max }}][{{ [] | min }}]"),
      ("dictsort", "{{ {'b': 1, 'a': 2} | dictsort }}|{{ {'b': 1, 'a': 2} | dictsort(by='value') }}|{{ {'b': 1, 'a': 2} | dictsort(reverse=true) }}"),
      ("dictsort_case", "{{ {'B': 1, 'a': 2} | dictsort }}|{{ {'B': 1, 'a': 2} | dictsort(true) }}"),
      ("wordcount", "{{ 'hello big  world' | wordcount }}|{{ '' | wordcount }}|{{ 'one-two three.four' | wordcount }}"),
      ("escape", "{{ '<a href=\"x\">&\\'</a>' | e }}|{{ '<b>' | escape }}|{{ 1 | escape }}"),
      ("safe", "{{ '<b>' | safe }}"),
      ("chain", "{{ ' a,b ' | replace(',', ' ') | upper | trim }}"),
      ("filter_on_undefined", "[{{ nothing | upper }}][{{ nothing | trim }}]"),
      ("length_unicode", "{{ 'héllo' | length }}|{{ '👩‍👩‍👧‍👦' | length }}"),
      ("batch_slice", "{{ [1, 2, 3, 4, 5] | batch(2) | list }}|{{ [1, 2, 3, 4, 5] | slice(2) | list }}"),
      ("center_truncate", "[{{ 'ab' | center(6) }}]|{{ 'hello world foo' | truncate(9) }}"),
      ("attr_filter", "{{ d | attr('a') }}|[{{ d | attr('items') is callable }}]", {"d": {"a": 1}}),
      ("format_filter", "{{ '%s-%s' | format(1, 'a') }}"),
      ("unknown_filter", "{{ 'a' | nofilter }}"),
      )

group("tests",
      ("defined_undefined", "{{ x is defined }}|{{ y is defined }}|{{ y is undefined }}|{{ x is undefined }}", {"x": None}),
      ("none", "{{ none is none }}|{{ 0 is none }}|{{ nothing is none }}|{{ x is none }}", {"x": None}),
      ("string", "{{ 'a' is string }}|{{ 1 is string }}|{{ none is string }}|{{ nothing is string }}"),
      ("number", "{{ 1 is number }}|{{ 1.5 is number }}|{{ true is number }}|{{ 'a' is number }}|{{ none is number }}"),
      ("integer_float", "{{ 1 is integer }}|{{ 1.0 is integer }}|{{ true is integer }}|{{ 1.0 is float }}|{{ 1 is float }}"),
      ("boolean", "{{ true is boolean }}|{{ 1 is boolean }}|{{ none is boolean }}"),
      ("true_false", "{{ true is true }}|{{ 1 is true }}|{{ false is false }}|{{ 0 is false }}|{{ none is false }}"),
      ("iterable", "{{ nothing is iterable }}|{{ none is iterable }}|{{ 'a' is iterable }}|{{ [] is iterable }}|{{ {} is iterable }}|{{ 1 is iterable }}"),
      ("mapping", "{{ {} is mapping }}|{{ [] is mapping }}|{{ d is mapping }}|{{ ns is mapping }}", {"d": {"a": 1}}),
      ("sequence", "{{ [] is sequence }}|{{ 'a' is sequence }}|{{ {} is sequence }}|{{ 1 is sequence }}|{{ nothing is sequence }}"),
      ("callable", "{{ range is callable }}|{{ 'a' is callable }}|{{ raise_exception is callable }}|{{ 'a'.upper is callable }}|{{ nothing is callable }}"),
      ("callable_macro", "{% macro m() %}{% endmacro %}{{ m is callable }}|{{ namespace is callable }}|{{ dict is callable }}"),
      ("odd_even", "{{ 3 is odd }}|{{ 3 is even }}|{{ 0 is even }}|{{ -1 is odd }}"),
      ("divisibleby", "{{ 9 is divisibleby 3 }}|{{ 9 is divisibleby(4) }}|{{ 0 is divisibleby 5 }}"),
      ("comparison_tests", "{{ 1 is eq 1 }}|{{ 1 is equalto 2 }}|{{ 1 is ne 2 }}|{{ 1 is lt 2 }}|{{ 1 is gt 2 }}|{{ 2 is le 2 }}|{{ 2 is ge 3 }}|{{ 'a' is sameas 'a' }}"),
      ("comparison_test_aliases", "{{ 2 is greaterthan 1 }}|{{ 2 is lessthan 1 }}"),
      ("in_test", "{{ 'a' is in 'abc' }}|{{ 2 is in [1] }}|{{ 'k' is in {'k': 1} }}"),
      ("sameas", "{{ none is sameas none }}|{{ true is sameas true }}|{{ false is sameas 0 }}|{{ x is sameas x }}", {"x": [1]}),
      ("lower_upper", "{{ 'abc' is lower }}|{{ 'aBc' is lower }}|{{ 'ABC' is upper }}|{{ 'A1' is upper }}|{{ '1' is lower }}"),
      ("is_not", "{{ x is not defined }}|{{ 1 is not string }}|{{ none is not none }}|{{ 3 is not divisibleby 2 }}"),
      ("test_in_if", "{% if content is string %}S{% elif content is iterable %}I{% endif %}", {"content": [{"type": "text"}]}),
      ("test_and_filter", "{{ 'A' is string and 'A' is upper }}"),
      ("escaped_test", "{{ 'a' is escaped }}"),
      ("unknown_test", "{{ 1 is foo }}"),
      ("is_operator_syntax", "{{ 2 is == 2 }}"),
      )

group("str_methods",
      ("strip_family", "[{{ '  a  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '  a  '.lstrip() }}][{{ '  a  '.rstrip() }}][{{ 'xyax'.lstrip('xy') }}][{{ 'axyx'.rstrip('xy') }}]"),
      ("strip_escapes", r"[{{ '\n\t a \r\n'.strip() }}][{{ '\n\nx\n'.lstrip('\n') }}][{{ 'x\n\n'.rstrip('\n') }}]"),
      ("strip_unicode_space", "[{{ '\u00a0\u3000a\u2003'.strip() }}]"),
      ("split_sep", "{{ 'a,b,,c'.split(',') }}|{{ ''.split(',') }}|{{ 'a::b'.split('::') }}"),
      ("split_whitespace", "{{ ' a  b \n c '.split() }}|{{ ''.split() }}|{{ '   '.split() }}"),
      ("split_maxsplit", "{{ 'a,b,c'.split(',', 1) }}|{{ 'a b  c'.split(none, 1) }}|{{ 'a,b,c'.split(',', maxsplit=1) }}"),
      ("rsplit", "{{ 'a,b,c'.rsplit(',', 1) }}|{{ ' a b c '.rsplit(none, 1) }}|{{ 'a,b'.rsplit(',') }}"),
      ("splitlines", r"{{ 'a\nb\r\nc\n'.splitlines() }}|{{ 'a\n\nb'.splitlines() }}|{{ 'a\nb\n'.splitlines(true) }}"),
      ("splitlines_context", "{{ s.splitlines() }}|{{ s.split('\\n') }}", {"s": "a\r\nb\rc\n"}),
      ("raw_crlf_in_literal", "{{ 'a\r\nb' | length }}"),
      ("startswith_endswith", "{{ 'hello'.startswith('he') }}|{{ 'hello'.endswith('lo') }}|{{ 'hello'.startswith(('x', 'h')) }}|{{ 'hello'.endswith(('x', 'y')) }}|{{ 'hello'.startswith('') }}"),
      ("startswith_start_arg", "{{ 'hello'.startswith('l', 2) }}"),
      ("case_methods", "{{ 'ab'.upper() }}|{{ 'AB'.lower() }}|{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}|{{ \"it's\".title() }}"),
      ("replace", "{{ 'aaa'.replace('a', 'b') }}|{{ 'aaa'.replace('a', 'b', 1) }}|{{ 'a.b.c'.replace('.', '') }}"),
      ("find_rfind", "{{ 'hello'.find('l') }}|{{ 'hello'.rfind('l') }}|{{ 'hello'.find('z') }}|{{ 'hello'.find('') }}"),
      ("index_count", "{{ 'hello'.index('e') }}|{{ 'hello'.count('l') }}|{{ 'aaaa'.count('aa') }}|{{ 'abc'.count('') }}"),
      ("index_missing", "{{ 'hello'.index('z') }}"),
      ("join", "{{ ', '.join(['a', 'b']) }}|{{ '-'.join('abc') }}|{{ ''.join([]) }}"),
      ("join_non_string", "{{ ', '.join([1, 2]) }}"),
      ("is_predicates", "{{ '123'.isdigit() }}|{{ '12a'.isdigit() }}|{{ 'abc'.isalpha() }}|{{ 'ab1'.isalpha() }}|{{ ' \t'.isspace() }}|{{ ''.isspace() }}|{{ ''.isdigit() }}"),
      ("split_index", "{{ 'a-b-c'.split('-')[1] }}|{{ 'a-b-c'.split('-')[-1] }}"),
      ("method_chain", "{{ s.split('</think>')[-1].lstrip('\n') }}", {"s": "<think>\nhm\n</think>\n\nAnswer"}),
      ("format_method", "{{ '{} and {}'.format(1, 'a') }}|{{ '{x}!'.format(x=2) }}"),
      ("method_on_context_string", "{{ content.strip().upper() }}", {"content": "  hi there \n"}),
      )

group("dict_methods",
      ("items_loop", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"z": 1, "a": 2}}),
      ("items_list", "{{ d.items() | list }}", {"d": {"z": 1, "a": None}}),
      ("keys_values", "{{ d.keys() | list }}|{{ d.values() | list }}", {"d": {"z": 1, "a": 2}}),
      ("get", "{{ d.get('a') }}|{{ d.get('zz') }}|{{ d.get('zz', 'dflt') }}|{{ d.get('n', 'x') }}", {"d": {"a": 1, "n": None}}),
      ("print_views", "{{ d.items() }}|{{ d.keys() }}|{{ d.values() }}", {"d": {"a": 1}}),
      ("in_keys", "{{ 'a' in d.keys() }}|{{ 1 in d.values() }}", {"d": {"a": 1}}),
      ("keys_length", "{{ d.keys() | length }}", {"d": {"a": 1, "b": 2}}),
      )

group("list_methods",
      ("index_count", "{{ [1, 2, 3, 2].index(2) }}|{{ [1, 2, 2].count(2) }}|{{ ['a', 'b'].index('b') }}"),
      ("index_missing", "{{ [1].index(5) }}"),
      )

group("subscripts",
      ("string_slices", "{{ 'hello'[1:] }}|{{ 'hello'[::-1] }}|{{ 'hello'[-1] }}|{{ 'hello'[1:-1:2] }}|{{ 'hello'[:2] }}|{{ 'hello'[0] }}"),
      ("list_slices", "{{ [1, 2, 3, 4, 5][1:] }}|{{ [1, 2, 3, 4, 5][::-1] }}|{{ [1, 2, 3, 4, 5][-1] }}|{{ [1, 2, 3, 4, 5][1:-1:2] }}"),
      ("slice_out_of_range", "{{ [1, 2, 3][5:] }}|{{ [1, 2, 3][-5:] }}|{{ [1, 2, 3][:10] }}|{{ 'abc'[2:1] }}"),
      ("slice_negative_step", "{{ [1, 2, 3, 4, 5][3:0:-1] }}|{{ 'abcdef'[::-2] }}|{{ 'abcdef'[-2::-2] }}"),
      ("index_out_of_range", "[{{ [1, 2][5] }}][{{ 'ab'[5] }}][{{ [1, 2][-3] }}]"),
      ("dict_item_vs_attr", "{{ d['a'] }}|{{ d.a }}|[{{ d['zz'] }}]|[{{ d.zz }}]|[{{ d[0] }}]", {"d": {"a": 1}}),
      ("int_keys", "{{ d[1] }}|{{ d['1'] }}", {"d": {"1": "str-key"}}),
      ("messages", "{{ messages[0]['content'] }}|{{ messages[-1].role }}|{{ messages[1:] | length }}", {"messages": MESSAGES}),
      ("messages_reversed", "{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}", {"messages": MESSAGES}),
      ("tuple_index_slice", "{{ (1, 2, 3)[1] }}|{{ (1, 2, 3)[1:] }}"),
      ("str_key_on_str", "[{{ 'abc'['a'] }}]|[{{ [1, 2]['x'] }}]"),
      ("bool_index", "{{ [1, 2, 3][true] }}"),
      ("float_key_dict", "{{ {1: 'x'}[1.0] }}"),
      ("nested_context", "{{ m.tool_calls[0].function.name }}|{{ m['tool_calls'][0]['function']['arguments'].q }}",
       {"m": {"tool_calls": [{"function": {"name": "search", "arguments": {"q": "x"}}}]}}),
      ("attr_of_int", "[{{ d.a.b }}]", {"d": {"a": 1}}),
      ("attr_of_none", "[{{ none.x }}]"),
      ("slice_with_vars", "{{ s[i:j] }}", {"s": "abcdef", "i": 1, "j": -1}),
      )

group("unicode",
      ("zwj_length", "{{ s | length }}", {"s": "👩‍👩‍👧‍👦"}),
      ("zwj_index_slice", "{{ s[0] }}|{{ s[1:3] | length }}|{{ s[2] }}", {"s": "👩‍👩‍👧‍👦"}),
      ("zwj_list_repr", "{{ s | list }}", {"s": "👩‍👧"}),
      ("combining_length", "{{ 'e\u0301' | length }}|{{ s | length }}", {"s": "e\u0301"}),
      ("combining_not_equal", "{{ 'é' == 'e\u0301' }}"),
      ("flag_length", "{{ '🇫🇷' | length }}|{{ '🇫🇷'[0] == '🇫🇷'[1] }}"),
      ("emoji_reverse", "{{ '🦙🐍'[::-1] }}"),
      ("cjk_index", "{{ '日本語'[1] }}|{{ '日本語' | length }}"),
      ("find_code_points", "{{ s.find('🐍') }}|{{ s.split('🦙') }}", {"s": "a🦙b🐍"}),
      ("upper_lower_unicode", "{{ 'straße'.upper() }}|{{ 'ÉCOLE'.lower() }}|{{ 'ǆ'.upper() }}"),
      ("loop_over_combining", "{% for c in s %}[{{ c }}]{% endfor %}", {"s": "ae\u0301"}),
      ("crlf_length", "{{ s | length }}|{{ s[1] == '\\n' }}", {"s": "\r\n"}),
      ("repr_unicode_in_list", "{{ ['é', '\u00ad', '\u2028', '🦙'] }}"),
      )

group("loops",
      ("loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}"),
      ("previtem_nextitem", "{% for x in [1, 2, 3] %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}"),
      ("previtem_defined", "{% for x in [1, 2] %}{{ loop.previtem is defined }}{{ loop.nextitem is defined }} {% endfor %}"),
      ("cycle", "{% for x in range(5) %}{{ loop.cycle('a', 'b', 'c') }}{% endfor %}"),
      ("recursive_depth", "{% for n in tree recursive %}{{ loop.depth }}{{ loop.depth0 }}{{ n.name }}{% if n.children %}({{ loop(n.children) }}){% endif %}{% endfor %}", {"tree": TREE}),
      ("for_else_empty", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"),
      ("for_else_filtered_out", "{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}none{% endfor %}"),
      ("for_if_length", "{% for x in range(10) if x is odd %}{{ loop.index }}/{{ loop.length }}:{{ x }}{{ '!' if loop.last }} {% endfor %}"),
      ("tuple_unpacking_items", "{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}", {"d": {"b": 2, "a": 1}}),
      ("unpacking_lists", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}"),
      ("dict_gives_keys", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"x": 1, "y": 2, "a": 3}}),
      ("string", "{% for c in 'héllo' %}{{ c }}.{% endfor %}"),
      ("nested", "{% for i in [1, 2] %}{% for j in ['a', 'b'] %}{{ i }}{{ j }}{{ loop.index }}{% endfor %}|{{ loop.index }} {% endfor %}"),
      ("outer_loop_var", "{% for i in [1, 2] %}{% set outer = loop %}{% for j in [3] %}{{ outer.index }}-{{ loop.index }}-{{ i }} {% endfor %}{% endfor %}"),
      ("set_not_leaking", "{% set x = 0 %}{% for i in [1, 2, 3] %}{% set x = x + i %}{{ x }},{% endfor %}{{ x }}"),
      ("set_in_loop_undefined_after", "{% for i in [1, 2] %}{% set y = i * 10 %}{{ y }} {% endfor %}[{{ y }}]"),
      ("namespace_leaking", "{% set ns = namespace(total=0) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}"),
      ("break", "{% for i in range(10) %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
      ("continue", "{% for i in range(5) %}{% if i is even %}{% continue %}{% endif %}{{ i }}{% endfor %}"),
      ("break_else", "{% for i in [1, 2] %}{% break %}{% else %}E{% endfor %}done"),
      ("loop_over_none", "{% for x in none %}{{ x }}{% endfor %}"),
      ("loop_over_undefined", "{% for x in nothing %}{{ x }}{% else %}E{% endfor %}"),
      ("loop_var_restored", "{% set x = 'out' %}{% for x in [1] %}{{ x }}{% endfor %}{{ x }}"),
      ("loop_var_after_loop", "{% for x in [1, 2] %}{% endfor %}[{{ x }}]"),
      ("loop_length_string", "{% for c in 'ab' %}{{ loop.length }}{% endfor %}"),
      ("loop_changed", "{% for x in [1, 1, 2, 2, 1] %}{{ loop.changed(x) }} {% endfor %}"),
      ("loop_sorted", "{% for x in [3, 1, 2] | sort %}{{ x }}{% endfor %}"),
      ("loop_dict_values", "{% for v in d.values() %}{{ v }}{% endfor %}", {"d": {"a": 1, "b": 2}}),
      ("loop_messages", "{% for m in messages %}{% if loop.first and m.role == 'system' %}[S:{{ m.content }}]{% else %}<{{ m.role }}>{{ m.content }}{% endif %}{% endfor %}", {"messages": MESSAGES}),
      ("loop_outside", "{{ loop.index }}"),
      ("loop_in_macro_called_from_loop", "{% macro m() %}{{ loop is defined }}{% endmacro %}{% for i in [1] %}{{ m() }}{% endfor %}"),
      ("filter_uses_loop_var", "{% for i in [1, 2, 3] if i != 2 %}{{ i }}{% endfor %}"),
      ("loop_index_in_else", "{% for x in [] %}{% else %}{{ loop is defined }}{% endfor %}"),
      ("unpack_mismatch_loop", "{% for a, b in [[1]] %}{{ a }}{% endfor %}"),
      ("loop_int", "{% for x in 5 %}{% endfor %}"),
      )

group("set",
      ("simple", "{% set x = 5 %}{{ x }}"),
      ("tuple_unpacking", "{% set a, b = 1, 2 %}{{ a }}{{ b }}"),
      ("list_unpacking", "{% set a, b = [3, 4] %}{{ b }}{{ a }}"),
      ("paren_unpacking", "{% set (a, b) = ('x', 'y') %}{{ a }}{{ b }}"),
      ("block_set", "{% set x %}Hello {{ name }}{% endset %}[{{ x }}]", {"name": "Ann"}),
      ("block_set_filter", "{% set x | upper %}abc{% endset %}{{ x }}"),
      ("block_set_whitespace", "{% set x %}\n  line\n{% endset %}[{{ x }}]"),
      ("namespace_attr", "{% set ns = namespace(a=1) %}{% set ns.a = 2 %}{% set ns.b = 'new' %}{{ ns.a }}{{ ns.b }}"),
      ("namespace_dict_arg", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}"),
      ("set_in_if_leaks", "{% if true %}{% set x = 1 %}{% endif %}{{ x }}"),
      ("reassign", "{% set x = 1 %}{% set x = x + 1 %}{{ x }}"),
      ("set_expression_filters", "{% set names = users | map(attribute='name') | list %}{{ names | join('+') }}", {"users": USERS}),
      ("set_overrides_context", "{% set x = 'local' %}{{ x }}", {"x": "ctx"}),
      ("block_set_is_string", "{% set x %}12{% endset %}{{ x is string }}|{{ x | int + 1 }}"),
      ("set_attr_non_namespace", "{% set d = {} %}{% set d.x = 1 %}{{ d }}"),
      ("namespace_underscore_kwarg", "{% set ns = namespace(_x=1) %}"),
      ("namespace_underscore_set", "{% set ns = namespace() %}{% set ns._x = 1 %}"),
      ("unpack_too_many", "{% set a, b = [1, 2, 3] %}"),
      ("unpack_not_enough", "{% set a, b, c = [1, 2] %}"),
      ("unpack_string", "{% set a, b = 'xy' %}{{ b }}{{ a }}"),
      )

group("macros",
      ("defaults_keywords", "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', 'Hi') }} {{ greet(greeting='Yo', name='Cy') }}"),
      ("recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}"),
      ("varargs", "{% macro m() %}{{ varargs }}{% endmacro %}{{ m(1, 2) }}|{{ m() }}"),
      ("kwargs", "{% macro m() %}{{ kwargs }}{% endmacro %}{{ m(a=1, b='x') }}"),
      ("args_and_varargs", "{% macro m(a) %}{{ a }}{{ varargs | list }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}"),
      ("caller", "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}"),
      ("caller_args", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}"),
      ("result_in_expressions", "{% macro m() %}abc{% endmacro %}{{ m() | upper }}|{{ m() ~ 'd' }}|{{ m() | length }}|{{ m() == 'abc' }}"),
      ("whitespace", "{% macro m(x) %}\n  {{ x }}\n{% endmacro %}[{{ m(1) }}]"),
      ("outer_variable", "{% set g = 'G' %}{% macro m() %}{{ g }}{% endmacro %}{{ m() }}"),
      ("context_variable", "{% macro m() %}{{ who }}{% endmacro %}{{ m() }}", {"who": "ctx"}),
      ("missing_arg_undefined", "{% macro m(a, b) %}[{{ a }}{{ b }}]{% endmacro %}{{ m(1) }}"),
      ("default_refers_to_arg", "{% macro m(a, b=a * 2) %}{{ b }}{% endmacro %}{{ m(3) }}"),
      ("tojson_of_result", "{% macro m() %}x\"y{% endmacro %}{{ m() | tojson }}"),
      ("macro_set_does_not_leak", "{% set x = 1 %}{% macro m() %}{% set x = 2 %}{{ x }}{% endmacro %}{{ m() }}{{ x }}"),
      ("macro_in_loop", "{% macro item(m) %}<{{ m.role }}>{% endmacro %}{% for m in messages %}{{ item(m) }}{% endfor %}", {"messages": MESSAGES}),
      ("too_many_args", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}"),
      ("unknown_kwarg", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=1) }}"),
      ("called_before_definition", "{{ m() }}{% macro m() %}x{% endmacro %}"),
      ("macro_namespace_mutation", "{% macro add(ns) %}{% set ns.n = ns.n + 1 %}{% endmacro %}{% set ns = namespace(n=0) %}{{ add(ns) }}{{ add(ns) }}{{ ns.n }}"),
      )

group("globals",
      ("dict_kwargs", "{{ dict(a=1, b='x') }}"),
      ("dict_pairs", "{{ dict([['a', 1], ['b', 2]]) }}"),
      ("dict_mapping_and_kwargs", "{{ dict({'a': 1}, b=2) }}|{{ dict() }}|{{ dict(a=1).a }}"),
      ("range", "{{ range(3) | list }}|{{ range(1, 10, 3) | list }}|{{ range(5, 0, -2) | list }}|{{ range(0) | list }}|{{ range(-2) | list }}"),
      ("range_repr", "{{ range(3) }}|{{ range(1, 5, 2) }}"),
      ("range_index_length", "{{ range(3)[1] }}|{{ range(10) | length }}|{{ range(2, 8)[-1] }}"),
      ("range_too_big", "{{ range(1000000) | length }}"),
      ("namespace_attr", "{{ namespace(a=1).a }}|[{{ namespace().missing }}]"),
      ("namespace_repr", "{% set ns = namespace(a=1, b='x') %}{{ ns }}"),
      ("generation", "{% generation %}abc {{ x }}{% endgeneration %}", {"x": 1}),
      ("generation_whitespace", "{% generation %}\n  body\n{% endgeneration %}\nafter"),
      ("filter_block_upper", "{% filter upper %}hello {{ name }}{% endfilter %}", {"name": "ann"}),
      ("filter_block_args", "{% filter replace('a', 'o') %}banana{% endfilter %}"),
      ("filter_block_chain", "{% filter trim | upper %}  x  {% endfilter %}"),
      ("with_block", "{% with a = 1 %}{{ a }}{% endwith %}[{{ a }}]"),
      ("raise_exception", "{{ raise_exception('Bad role: ' ~ role) }}", {"role": "tool"}),
      ("raise_exception_in_if", "{% if x %}{{ raise_exception('no') }}{% endif %}ok", {"x": False}),
      ("raise_exception_non_string", "{{ raise_exception(42) }}"),
      ("strftime_now", "{{ strftime_now('%d %b %Y') }}"),
      ("strftime_now_more", "{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %B %-d') }}|{{ strftime_now('%j %p %I %y %a') }}"),
      ("unknown_global", "{{ nosuchfunc() }}"),
      )

group("attr_vs_item",
      ("methods_win_for_attribute", "{{ d.items is callable }}|{{ d['items'] }}|{{ d.keys is callable }}|{{ d['keys'] }}|{{ d.get is callable }}", {"d": METHOD_KEYS}),
      ("values_item", "{{ d['values'] }}|{{ d['get'] }}", {"d": METHOD_KEYS}),
      ("plain_key_attribute", "{{ d.content }}|{{ d.title }}", {"d": METHOD_KEYS}),
      ("items_call_with_method_keys", "{{ d.items() | list | length }}", {"d": METHOD_KEYS}),
      ("string_attribute_method", "{{ s.upper is callable }}|[{{ s.nope }}]", {"s": "x"}),
      ("list_item_attribute", "{{ l.0 }}|{{ l[1] }}", {"l": ["a", "b"]}),
      ("iterate_method_no_call", "{% for x in d.items %}{{ x }}{% endfor %}", {"d": METHOD_KEYS}),
      )

group("control",
      ("if_elif_else", "{% for v in [1, 2, 3] %}{% if v == 1 %}a{% elif v == 2 %}b{% else %}c{% endif %}{% endfor %}"),
      ("if_undefined", "{% if nothing %}y{% else %}n{% endif %}"),
      ("if_undefined_attr", "{% if m.tool_calls %}y{% else %}n{% endif %}", {"m": {"content": "x"}}),
      ("nested_if", "{% if a %}{% if b %}ab{% else %}a{% endif %}{% endif %}", {"a": True, "b": False}),
      ("if_defined_and_value", "{% if x is defined and x %}T{% else %}F{% endif %}", {"x": ""}),
      ("add_generation_prompt", "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}",
       {"messages": MESSAGES[:2], "add_generation_prompt": True}),
      )

group("errors",
      ("undefined_attr_of_undefined", "{{ x.y.z }}"),
      ("undefined_dict_attr_attr", "{{ d.x.y }}", {"d": {"a": 1}}),
      ("none_attr_attr", "{{ none.x.y }}"),
      ("str_plus_int", "{{ 'a' + 1 }}"),
      ("int_plus_none", "{{ 1 + none }}"),
      ("iterate_none", "{% for x in none %}{% endfor %}"),
      ("int_not_iterable", "{% for x in 5 %}{% endfor %}"),
      ("empty_messages_index", "{{ messages[0].content }}", {"messages": []}),
      ("empty_messages_item", "{{ messages[0]['content'] }}", {"messages": []}),
      ("unknown_filter", "{{ 'a' | nofilter }}"),
      ("unknown_tag", "{% foo %}"),
      ("unclosed_if", "{% if true %}x"),
      ("unclosed_for", "{% for x in y %}x"),
      ("unclosed_expression", "{{ 1 + }}"),
      ("unclosed_string", "{{ 'abc }}"),
      ("stray_endif", "x{% endif %}"),
      ("stray_else", "{% else %}"),
      ("for_missing_in", "{% for x %}{% endfor %}"),
      ("macro_no_name", "{% macro %}{% endmacro %}"),
      ("break_outside_loop", "{% break %}"),
      ("division_by_zero", "{{ 1 / 0 }}"),
      ("floor_division_by_zero", "{{ 1 // 0 }}"),
      ("modulo_by_zero", "{{ 1 % 0 }}"),
      ("float_division_by_zero", "{{ 1.0 / 0 }}"),
      ("raise_exception_message", "{{ raise_exception('Custom message: roles must alternate') }}"),
      ("unpack_mismatch_set", "{% set a, b = [1, 2, 3] %}"),
      ("str_minus_int", "{{ 'abc' - 1 }}"),
      ("list_plus_str", "{{ [1] + 'a' }}"),
      ("str_times_str", "{{ 'x' * 'y' }}"),
      ("dict_plus_dict", "{{ {'a': 1} + {'b': 2} }}"),
      ("undefined_plus_int", "{{ nothing + 1 }}"),
      ("call_undefined", "{{ nothing() }}"),
      ("call_int", "{{ x() }}", {"x": 5}),
      ("str_unknown_method", "{{ 'abc'.nomethod() }}"),
      ("dict_unknown_method", "{{ d.nomethod() }}", {"d": {}}),
      ("dunder_attr_print", "[{{ 'a'.__class__ }}]"),
      ("dunder_attr_chain", "{{ 'a'.__class__.__name__ }}"),
      ("dict_update_unsafe", "{{ d.update({'b': 2}) }}", {"d": {"a": 1}}),
      ("list_append_unsafe", "{{ l.append(1) }}", {"l": []}),
      ("slice_step_zero", "{{ [1, 2, 3][::0] }}"),
      ("int_lt_str", "{{ 1 < 'a' }}"),
      ("sort_mixed_types", "{{ [3, 'a'] | sort }}"),
      ("empty_dict_chain", "{{ {}['a']['b'] }}"),
      ("percent_format_type", "{{ '%d' % 'x' }}"),
      ("tojson_undefined", "{{ x | tojson }}"),
      ("map_attribute_missing_print", "{{ [x] }}"),
      ("divisibleby_zero", "{{ 4 is divisibleby 0 }}"),
      ("length_of_int", "{{ 5 | length }}"),
      ("join_none", "{{ none | join(',') }}"),
      ("int_subscript_prints_empty", "{{ x[0] }}", {"x": 5}),
      ("undefined_subscript", "{{ nothing[0] }}"),
      ("undefined_iter_attr", "{% for m in nothing.messages %}{% endfor %}x"),
      ("raise_in_macro", "{% macro check(r) %}{% if r not in ['user', 'assistant'] %}{{ raise_exception('bad role ' ~ r) }}{% endif %}{% endmacro %}{{ check('user') }}{{ check('tool') }}"),
      ("negative_str_repeat_type", "{{ 'a' * 1.5 }}"),
      ("int_filter_no_base_for_int", "{{ 5 | int(base=2) }}"),
      ("dict_call_bad_arg", "{{ dict(5) }}"),
      ("range_zero_step", "{{ range(1, 2, 0) }}"),
      ("block_tag_unsupported", "{% block body %}x{% endblock %}"),
      ("include_no_loader", "{% include 'x.jinja' %}"),
      )


def snippets():
    out = []
    for gname, items in GROUPS:
        for name, template, context in items:
            out.append((f"{gname}/{name}", template, context))
    names = [n for n, _, _ in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    assert not dupes, f"duplicate snippet names: {dupes}"
    return out


def render(ref, template, context):
    return ref.replica_compile(template).render(**context)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT, help="output file (default: %(default)s)")
    args = ap.parse_args(argv[1:])
    ref = load_reference()
    entries = []
    for name, template, context in snippets():
        json.dumps(context)  # contexts must be JSON values
        entry = {"name": name, "template": template, "context": context}
        entry.update(ref.outcome(render, ref, template, context))
        text = entry.get("expected", entry.get("error", ""))
        assert " at 0x" not in text, f"{name}: output holds a memory address, not deterministic: {text!r}"
        entries.append(entry)
    doc = {
        "generator": "scripts/chat-templates/render_snippets.py",
        "renderer": {"jinja2": ref.jinja2.__version__, "environment": "render_reference.replica_compile",
                     "strftime_now_frozen_at": ref.FROZEN_NOW.isoformat()},
        "snippets": entries,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    n_err = sum(1 for e in entries if "error" in e)
    print(f"{len(entries)} snippets ({n_err} errors) -> {os.path.relpath(args.out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
