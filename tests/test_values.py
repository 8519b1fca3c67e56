"""values.literal: the fast path for plain string literals gives what Python gives."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from dalle_migrate.values import literal, string_value

STRINGS = [
    '""', "''", '""""""', "''''''", '"""a"""', "'''x'y'''", '"""say "hi" """', 'u"x"', 'U"x"', 'R"a\'b"', 'r"x"',
    '"dall-e-3"', "'gpt-image-2'", '"ünïcödé ☃"', '"""two\nlines"""', '"a\\nb"', "'\\x41'", 'r"\\d+"',
    '"""a\r\nb"""', 'b"bytes"', 'rb"x"', 'Br"x"', '"tab\there"',
]


@pytest.mark.parametrize("source", STRINGS)
def test_string_literal_value_is_pythons(source):
    expected = ast.literal_eval(source)
    value = literal(cst.parse_expression(source))
    if isinstance(expected, bytes):
        assert string_value(cst.parse_expression(source)) is None
    else:
        assert value == expected


def test_a_bad_escape_in_the_scanned_code_prints_no_warning():
    """Python warns when it evaluates `"\\d+"` (SyntaxWarning from 3.12): the user's code, not
    our output; `check` and `fix` stay silent about it."""
    import warnings

    from dalle_migrate.engine import Selection, check_text, fix_text
    from support import settings

    code = 'import re\nfrom openai import OpenAI\nP = re.compile("\\d+")\nOpenAI().images.generate(model="dall-e-3", prompt="x")\n'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [f.code for f in check_text(code, settings(), Selection()).findings] == ["DM101"]
        assert "gpt-image-2" in fix_text(code, settings(), Selection()).text
