from __future__ import annotations

from .base import Invalid, Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file that may call the image API but cannot be parsed: a syntax error (at the
    line and column CPython's parser gives, with its wording), an encoding that does not
    decode, or a notebook export with shell lines. In a notebook, a code cell that is no Python
    is reported alone and kept verbatim; the other cells are analysed and fixed.

    ## Why
    dalle-migrate only changes code it has fully understood. The file is left exactly as it
    is; fix the syntax (or run the tool with a Python version the code is written for) and run
    it again.

    ## Fix safety
    This rule has no fix. Files that mention no image API are not parsed at all, so their
    syntax errors are not reported.
    """

    code = "DM900"
    name = "parse-error"
    summary = "File cannot be parsed and was left untouched"
    fix_applicability = None
    INVALID = [
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI(
            client.images.generate(model="dall-e-3", prompt="x")
            """
        ),
    ]
