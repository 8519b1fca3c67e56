"""The text edits fixes are made of: deleting and inserting arguments in every layout."""

from __future__ import annotations

import pytest

from support import dedent, fixed

CLIENT = "from openai import OpenAI\nclient = OpenAI()\n"

DELETE_CASES = [
    pytest.param(
        'client.images.generate(model="gpt-image-2", prompt="x", response_format="url")\n',
        'client.images.generate(model="gpt-image-2", prompt="x")\n',
        id="last-inline",
    ),
    pytest.param(
        'client.images.generate(response_format="url", model="gpt-image-2", prompt="x")\n',
        'client.images.generate(model="gpt-image-2", prompt="x")\n',
        id="first-inline",
    ),
    pytest.param(
        'client.images.generate(model="gpt-image-2", response_format="url",prompt="x")\n',
        'client.images.generate(model="gpt-image-2", prompt="x")\n',
        id="middle-inline-no-space",
    ),
    pytest.param(
        'client.images.generate(model="gpt-image-2", prompt="x", response_format="url",)\n',
        'client.images.generate(model="gpt-image-2", prompt="x",)\n',
        id="last-inline-trailing-comma",
    ),
    pytest.param(
        """\
        client.images.generate(
            model="gpt-image-2",
            prompt="x",
            response_format="url",
        )
        """,
        """\
        client.images.generate(
            model="gpt-image-2",
            prompt="x",
        )
        """,
        id="own-line-trailing-comma",
    ),
    pytest.param(
        """\
        client.images.generate(
            model="gpt-image-2",
            prompt="x",
            response_format="url"
        )
        """,
        """\
        client.images.generate(
            model="gpt-image-2",
            prompt="x",
        )
        """,
        id="own-line-last-no-comma",
    ),
    pytest.param(
        """\
        client.images.generate(
            model="gpt-image-2",
            response_format="url",  # we want links
            prompt="x",
        )
        """,
        """\
        client.images.generate(
            model="gpt-image-2",
            # we want links
            prompt="x",
        )
        """,
        id="own-line-comment-kept",
    ),
    pytest.param(
        """\
        client.images.generate(model="gpt-image-2", prompt="x", response_format="url",
                               n=1)
        """,
        """\
        client.images.generate(model="gpt-image-2", prompt="x",
                               n=1)
        """,
        id="inline-at-line-end",
    ),
    pytest.param(
        """\
        client.images.generate(model="gpt-image-2",
            response_format=(
                "url"
            ),
            prompt="x")
        """,
        """\
        client.images.generate(model="gpt-image-2",
            prompt="x")
        """,
        id="multi-line-value",
    ),
    pytest.param(
        'client.images.generate(model="gpt-image-2", prompt="x", style="vivid", response_format="url")\n',
        'client.images.generate(model="gpt-image-2", prompt="x")\n',
        id="two-adjacent-deletions",
    ),
    pytest.param(
        'client.images.generate(model="gpt-image-2",\tprompt="x",\tresponse_format="url")\n',
        'client.images.generate(model="gpt-image-2",\tprompt="x")\n',
        id="tabs",
    ),
    pytest.param(
        """\
        client.images.generate(response_format=(  # legacy clients
            "url"
        ),
            model="gpt-image-2",
            prompt="x",
        )
        """,
        """\
        client.images.generate(  # legacy clients
            model="gpt-image-2",
            prompt="x",
        )
        """,
        id="comment-in-value-comma-ends-line",
    ),
    pytest.param(
        """\
        client.images.generate(
            prompt="x"
            , response_format="url"  # legacy clients
            ,
            model="gpt-image-2",
        )
        """,
        """\
        client.images.generate(
            prompt="x"
            ,  # legacy clients
            model="gpt-image-2",
        )
        """,
        id="leading-comma-alone-on-its-line",
    ),
    pytest.param(
        """\
        client.images.generate(response_format=(  # legacy
            "url"  # clients
        ),  # the line's own
            model="gpt-image-2",
            prompt="x",
        )
        """,
        """\
        client.images.generate(  # legacy
            # clients
            # the line's own
            model="gpt-image-2",
            prompt="x",
        )
        """,
        id="comments-in-value-and-after-comma",
    ),
]


@pytest.mark.parametrize("before,after", DELETE_CASES)
def test_delete_argument(before, after):
    assert fixed(CLIENT + dedent(before)) == CLIENT + dedent(after)


INSERT_CASES = [
    pytest.param('client.images.generate(prompt="x")\n', 'client.images.generate(model="gpt-image-2", prompt="x")\n', id="inline"),
    pytest.param("client.images.generate(prompt='x')\n", "client.images.generate(model='gpt-image-2', prompt='x')\n", id="quote-style"),
    pytest.param(
        """\
        client.images.generate(
            prompt="x",
        )
        """,
        """\
        client.images.generate(
            model="gpt-image-2",
            prompt="x",
        )
        """,
        id="own-line",
    ),
    pytest.param(
        """\
        client.images.generate(
        \tprompt="x")
        """,
        """\
        client.images.generate(
        \tmodel="gpt-image-2",
        \tprompt="x")
        """,
        id="tab-indent",
    ),
]


@pytest.mark.parametrize("before,after", INSERT_CASES)
def test_insert_model(before, after):
    assert fixed(CLIENT + dedent(before)) == CLIENT + dedent(after)


def test_crlf_insert_uses_the_file_newline():
    before = CLIENT.replace("\n", "\r\n") + 'client.images.generate(\r\n    prompt="x",\r\n)\r\n'
    after = CLIENT.replace("\n", "\r\n") + 'client.images.generate(\r\n    model="gpt-image-2",\r\n    prompt="x",\r\n)\r\n'
    from dalle_migrate.engine import Selection, fix_text
    from support import settings

    assert fix_text(before, settings(), Selection(), newline="\r\n").text == after


NOOP_CASES = [
    pytest.param('client.images.generate(model="gpt-image-2", prompt="x", n=2)\n', id="valid-call"),
    pytest.param('images.generate(model="dall-e-3", response_format="url")\n', id="bare-name"),
    pytest.param('client.images.generate(model="gpt-image-2", prompt="x", **extra)\n', id="kwargs-kept"),
    pytest.param('x = "client.images.generate(model=\'dall-e-3\', style=\'vivid\')"\n', id="in-a-string"),
]


@pytest.mark.parametrize("source", NOOP_CASES)
def test_no_change(source):
    assert fixed(CLIENT + dedent(source)) == CLIENT + dedent(source)


# -- deleting the only statement of a block (issue 20) ----------------------------------------------
# A request built step by step: a rejected parameter's assignment goes, and the block it leaves
# empty is handled as a person would: an `if` with no other statement and a test without side
# effects goes whole (so does an `elif`, and an `else`); any other block keeps `pass`.
BLOCK_CASES = [
    pytest.param(
        """\
        def f(style=None):
            params = {"model": "gpt-image-2", "prompt": "x"}
            if style is not None:
                params["style"] = style
            return client.images.generate(**params)
        """,
        """\
        def f(style=None):
            params = {"model": "gpt-image-2", "prompt": "x"}
            return client.images.generate(**params)
        """,
        id="if-is-not-none",
    ),
    pytest.param(
        """\
        def f(model="gpt-image-2", style="vivid"):
            kwargs = {"model": model, "prompt": "x"}
            if model == "gpt-image-2": kwargs["style"] = style
            return client.images.generate(**kwargs)
        """,
        """\
        def f(model="gpt-image-2", style="vivid"):
            kwargs = {"model": model, "prompt": "x"}
            return client.images.generate(**kwargs)
        """,
        id="one-line-suite",
    ),
    pytest.param(
        """\
        def f(flags):
            kwargs = {"model": "gpt-image-2", "prompt": "x"}
            if flags.get("vivid"):
                kwargs["style"] = "vivid"
            return client.images.generate(**kwargs)
        """,
        """\
        def f(flags):
            kwargs = {"model": "gpt-image-2", "prompt": "x"}
            if flags.get("vivid"):
                pass
            return client.images.generate(**kwargs)
        """,
        id="if-test-calls-something-keeps-pass",
    ),
    pytest.param(
        """\
        def f(styles):
            params = {"model": "gpt-image-2", "prompt": "x"}
            for s in styles:
                params["style"] = s
            with open("x") as handle:
                params["response_format"] = "url"
            try:
                params["style"] = "vivid"
            except Exception:
                pass
            return client.images.generate(**params)
        """,
        """\
        def f(styles):
            params = {"model": "gpt-image-2", "prompt": "x"}
            for s in styles:
                pass
            with open("x") as handle:
                pass
            try:
                pass
            except Exception:
                pass
            return client.images.generate(**params)
        """,
        id="for-with-try",
    ),
    pytest.param(
        """\
        def f(mode):
            params = {"model": "gpt-image-2", "prompt": "x"}
            if mode == "a":
                params["n"] = 2
            elif mode == "b":
                params["style"] = "natural"
            else:
                params["response_format"] = "url"
            return client.images.generate(**params)
        """,
        """\
        def f(mode):
            params = {"model": "gpt-image-2", "prompt": "x"}
            if mode == "a":
                params["n"] = 2
            elif mode == "b":
                pass
            return client.images.generate(**params)
        """,
        id="elif-with-else-keeps-pass-else-goes",
    ),
    pytest.param(
        """\
        def f(mode):
            params = {"model": "gpt-image-2", "prompt": "x"}
            if mode == "a":
                params["n"] = 2
            elif mode == "b":
                params["style"] = "natural"
            return client.images.generate(**params)
        """,
        """\
        def f(mode):
            params = {"model": "gpt-image-2", "prompt": "x"}
            if mode == "a":
                params["n"] = 2
            return client.images.generate(**params)
        """,
        id="last-elif-goes",
    ),
    pytest.param(
        """\
        def f(a, b):
            params = {"model": "gpt-image-2", "prompt": "x"}
            if a:
                if b:
                    params["style"] = "vivid"
            return client.images.generate(**params)
        """,
        """\
        def f(a, b):
            params = {"model": "gpt-image-2", "prompt": "x"}
            return client.images.generate(**params)
        """,
        id="nested-ifs-go",
    ),
    pytest.param(
        """\
        def f(tries):
            params = {"model": "gpt-image-2", "prompt": "x"}
            while tries > 3:
                params["style"] = "vivid"
            return client.images.generate(**params)
        """,
        """\
        def f(tries):
            params = {"model": "gpt-image-2", "prompt": "x"}
            while tries > 3:
                pass
            return client.images.generate(**params)
        """,
        id="while-keeps-pass",
    ),
    pytest.param(
        """\
        def f(style):
            params = {"model": "gpt-image-2", "prompt": "x"}
            n = 1; params["style"] = style
            return client.images.generate(**params)
        """,
        """\
        def f(style):
            params = {"model": "gpt-image-2", "prompt": "x"}
            n = 1
            return client.images.generate(**params)
        """,
        id="semicolon",
    ),
]


@pytest.mark.parametrize("before,after", BLOCK_CASES)
def test_delete_the_only_statement_of_a_block(before, after):
    assert fixed(CLIENT + dedent(before)) == CLIENT + dedent(after)


def test_an_edit_a_fix_names_twice_is_applied_once():
    """A fix reaching one place by two paths (a helper's download rewritten for each call site
    that passes an image URL) may list one edit twice: it is applied once (found by the sweep
    of issue 20: the replacement was written twice and the file no longer parsed)."""
    from dalle_migrate.findings import Applicability, Edit, Fix, apply_fixes

    text = "data = fetch(url)\n"
    edit = Edit(7, 17, "decode(url)")
    new, applied = apply_fixes(text, [Fix(Applicability.SAFE, "x", (edit, edit, Edit(0, 0, "import base64\n")))])
    assert new == "import base64\ndata = decode(url)\n" and len(applied) == 1
