"""The one indexing pass (context.py) and the scopes (scopes.py) against LibCST's own metadata
providers, which they replace: the same ranges and parents for every node, the same bindings for
every name, on every fixture and end-to-end program; then the cases where Python's rules and
LibCST's differ, which scopes.py follows Python on."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import Assignment as LibcstAssignment
from libcst.metadata import ImportAssignment as LibcstImportAssignment
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, ScopeProvider

from dalle_migrate.context import ModuleContext, parse
from dalle_migrate.scopes import Assignment, ImportAssignment, Scopes
from dalle_migrate.source import LineIndex
from support import dedent, settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    p
    for p in [*ROOT.glob("fixtures/**/*.py"), *ROOT.glob("tests/e2e/programs/*.py"), *ROOT.glob("src/dalle_migrate/*.py")]
    if "DM900" not in p.parts
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_parse_index_and_scopes_equal_libcst(path):
    """The three comparisons on one parse and one pass of LibCST's providers (each costs a
    parse's time several times over): ``parse`` builds LibCST's tree, the index holds its
    positions and parents, the scopes bind every name as its ScopeProvider does. A text CPython's
    parser accepts (as each cell of a notebook) is parsed without any node's check of itself,
    and gives the same tree; every node is checked again afterwards."""
    text = path.read_text(encoding="utf-8")
    theirs = _parsed(cst.parse_module, text)
    try:
        ctx = ModuleContext(text, settings(), python_parses=_python_parses(text))
    except Exception:  # files made not to parse (regressions): the refusals compared, nothing more
        _assert_parsed_alike(_parsed(parse, text), theirs)
        pytest.skip("LibCST does not parse it faithfully")
    _assert_parsed_alike(ctx.module, theirs)
    resolved = MetadataWrapper(ctx.module, unsafe_skip_copy=True).resolve_many([PositionProvider, ParentNodeProvider, ScopeProvider])
    _assert_index_equals(ctx, resolved[PositionProvider], resolved[ParentNodeProvider])
    _assert_scopes_equal(ctx, resolved[ScopeProvider])
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


def _python_parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _assert_index_equals(ctx, positions, parents):
    lines = LineIndex(ctx.text)
    assert len(ctx.spans) == len(positions)
    for node, where in positions.items():
        if where.end.line > len(lines.starts):  # the module's end, past the last line
            continue
        expected = (lines.offset(where.start.line, where.start.column), lines.offset(where.end.line, where.end.column))
        assert ctx.span(node) == expected, type(node).__name__
        assert ctx.parent(node) is parents.get(node)


def _parsed(parser, text: str):
    try:
        return parser(text)
    except Exception as exc:  # noqa: BLE001 - the kind of refusal is what is compared
        return type(exc).__name__


@pytest.mark.parametrize("path", sorted(ROOT.glob("fixtures/regressions/*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_parse_refuses_and_builds_as_libcst(path):
    """``parse`` skips the tokens' checks of their own text: it refuses what LibCST refuses
    (a str joined to a bytes literal is refused by a check it keeps), and builds the same tree
    (on the regression inputs here; on the other sources above)."""
    text = path.read_text(encoding="utf-8")
    _assert_parsed_alike(_parsed(parse, text), _parsed(cst.parse_module, text))


def _assert_parsed_alike(ours, theirs) -> None:
    """The same tree, or the same kind of refusal."""
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        assert not isinstance(ours, str) and ours.deep_equals(theirs)


def test_the_checks_are_back_after_a_parse_that_fails():
    with pytest.raises(cst.ParserSyntaxError):
        parse("x = (\n", python_parses=True)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


# Characters a tokenizer may meet between tokens: each, once and twice, in each place a
# whitespace, newline or comment token takes its text from.
_ODD = ["\v", "\x0c", "\u00a0", "\u2028", "\x1c", "\x85", "\r", "\x00", "\u3000", "\t", "\\\n", "\\\r\n", "\\ \n"]
_PLACES = ["x ={}= 1\n", "f({}a)\n", "x = 1{}# c\n", "if x:{}\n    pass\n", "{}x = 1\n", "x = (1,{}\n2)\n", "x = 1 #{}c\n", "import{}os\n", "x = [1{}]\n", "x = 1;{}y = 2\n"]


@pytest.mark.parametrize("place", _PLACES)
def test_parse_takes_odd_whitespace_as_libcst(place):
    for odd in _ODD:
        for count in (1, 2):
            text = place.format(odd * count)
            ours, theirs = _parsed(parse, text), _parsed(cst.parse_module, text)
            assert (ours if isinstance(ours, str) else ours.code) == (theirs if isinstance(theirs, str) else theirs.code), repr(text)
    # The checks are LibCST's again after a parse: a token built by hand is checked.
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("x")


def _targets(assignments):
    return {id(a.node) for a in assignments if isinstance(a, (Assignment, ImportAssignment, LibcstAssignment, LibcstImportAssignment))}


def _assert_scopes_equal(ctx, theirs):
    ours = Scopes(ctx.module, ctx.children)
    compared = 0
    for name in ctx.nodes(cst.Name):
        mine, libcst_scope = ours.of(name), theirs.get(name)
        if mine is None or libcst_scope is None:
            continue
        captures = [a for a in mine[name.value] if isinstance(ctx.parent(a.node), (cst.MatchAs, cst.MatchStar, cst.MatchMapping))]
        if captures or isinstance(ctx.parent(name), (cst.MatchAs, cst.MatchStar, cst.MatchMapping)):
            continue  # a capture pattern binds (LibCST reads it as a use): see below
        assert _targets(mine[name.value]) == _targets(libcst_scope[name.value]), f"{name.value} at {ctx.span(name)}"
        compared += 1
    assert compared or not ctx.nodes(cst.Name)


def _bindings(code: str, name: str, occurrence: int = -1):
    """What the ``occurrence``-th read of ``name`` may refer to, as source snippets."""
    ctx = ModuleContext(dedent(code), settings())
    reads = [n for n in ctx.nodes(cst.Name) if n.value == name and ctx.scope(n) is not None]
    scope = ctx.scope(reads[occurrence])
    return sorted(ctx.code(_statement(ctx, a.node)) for a in scope[name])


def _statement(ctx, node):
    while not isinstance(node, (cst.BaseSmallStatement, cst.NamedExpr, cst.BaseCompoundStatement)):
        node = ctx.parent(node)
    return node


def test_class_body_is_not_seen_from_its_methods():
    code = """\
        model = "module"
        class Studio:
            model = "class"
            def draw(self):
                return model
        """
    assert _bindings(code, "model") == ['model = "module"']


def test_global_and_nonlocal_bind_where_declared():
    code = """\
        size = "256x256"
        def configure():
            global size
            size = "1024x1024"
        def outer():
            quality = "hd"
            def inner():
                nonlocal quality
                quality = "high"
            return quality
        print(size)
        """
    assert _bindings(code, "size") == ['size = "1024x1024"', 'size = "256x256"']
    assert _bindings(code, "quality") == ['quality = "hd"', 'quality = "high"']


def test_walrus_in_a_comprehension_binds_in_the_function():
    """PEP 572 (LibCST binds it in the comprehension)."""
    code = """\
        def pick(models):
            [found := m for m in models if m.startswith("gpt")]
            return found
        """
    assert _bindings(code, "found") == ['found := m']


def test_match_capture_binds_its_name():
    """A capture pattern binds (LibCST reads it as a use of an outer name)."""
    code = """\
        model = "dall-e-3"
        match command:
            case {"model": model}:
                pass
        print(model)
        """
    assert len(_bindings(code, "model")) == 2


def test_a_read_sees_only_earlier_bindings_of_its_own_scope():
    code = """\
        def draw(client):
            result = client.images.generate(model="gpt-image-2", prompt="x")
            url = result.data[0].url
            result = None
            return url
        """
    ctx = ModuleContext(dedent(code), settings())
    first = next(n for n in ctx.nodes(cst.Name) if n.value == "result")
    binding = next(a for a in ctx.scope(first)["result"] if a.node is first)
    assert [ctx.code(ctx.parent(r.node)) for r in binding.references] == ["result.data"]


@pytest.mark.parametrize("text", ["", "x", "\n", "\n\n", "a\nb", "a\nb\n", "a\n\nb\n\n", "\x0ca\x0b\n\u2028b\n", "a\r\nb\rc\n", "\r", "é\nß\n" * 3])
def test_line_starts_are_the_regular_expressions(text):
    # (the index of a text without "\r" is summed from its lines' lengths)
    import re

    assert LineIndex(text).starts == [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
