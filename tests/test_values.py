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
