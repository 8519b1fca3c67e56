"""Text edits built from CST nodes: the only way rules change code.

Each helper returns ``Edit`` objects that touch as little text as possible, so formatting,
comments and line endings outside the edited range survive byte for byte.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Optional, Tuple

import libcst as cst

from .context import ModuleContext
from .findings import Edit, text_digest
from .scopes import dotted_name

_HSPACE = " \t"


def replace_node(ctx: ModuleContext, node: cst.CSTNode, content: str) -> Edit:
    owner = ctx.owner(node)
    start, end = owner.span(node)
    return _in_file(ctx, owner, Edit(start, end, content))


def _in_file(ctx: ModuleContext, owner: ModuleContext, edit: Edit) -> Edit:
    """An edit of another module of the project (a value defined there) names its file, and
    the text its offsets are in."""
    return edit if owner is ctx else dataclasses.replace(edit, path=owner.path, digest=text_digest(owner.text))


def string_literal(value: str, like: cst.BaseExpression) -> str:
    """``value`` as a string literal written in the quote style of ``like``."""
    simple = like
    if isinstance(like, cst.ConcatenatedString):
        simple = like.left
        while isinstance(simple, cst.ConcatenatedString):
            simple = simple.left
    if isinstance(simple, cst.SimpleString):
        prefix = "".join(c for c in simple.prefix if c in "uU")  # never b"", r"" or f""
        quote = simple.quote
        if quote not in value and "\\" not in value and "\n" not in value:
            return f"{prefix}{quote}{value}{quote}"
    if '"' not in value and "\\" not in value and "\n" not in value:
        return f'"{value}"'  # the most common style when the code shows none
    return repr(value)


def replace_string(ctx: ModuleContext, node: cst.BaseExpression, value: str) -> Edit:
    edit = replace_node(ctx, node, string_literal(value, node))
    # A class attribute's value is not local: an Enum member's value decides what the rules say
    # of the other members (two members holding one value).
    local = isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and ctx.owner(node).class_of_attribute(node) is None
    return dataclasses.replace(edit, local=local)


def delete_arg(ctx: ModuleContext, call: cst.Call, arg: cst.Arg) -> Edit:
    return _local_if_names_nothing(ctx, arg, delete_item(ctx, list(call.args), arg))


def delete_argument(ctx: ModuleContext, holder: cst.CSTNode, container: cst.CSTNode) -> Edit:
    """Delete a keyword argument wherever it is passed: in the call, in a dict literal or
    ``dict(...)`` given as ``**kwargs``, or as a ``params["key"] = value`` statement."""
    owner = ctx.owner(holder)
    if owner is not ctx:  # a mapping defined in another module of the project
        return _in_file(ctx, owner, delete_argument(owner, holder, container))
    if isinstance(container, cst.Call):
        return _local_if_names_nothing(ctx, holder, delete_item(ctx, list(container.args), holder))
    if isinstance(container, cst.Dict):
        return _local_if_names_nothing(ctx, holder, delete_item(ctx, list(container.elements), holder))
    return delete_statement(ctx, holder)


def _local_if_names_nothing(ctx: ModuleContext, deleted: cst.CSTNode, edit: Edit) -> Edit:
    """A deleted argument that reads no name (``style="vivid"``) changes nothing else."""
    keywords = {id(deleted.keyword)} if isinstance(deleted, cst.Arg) and deleted.keyword is not None else set()
    reads = [n for n in ctx.inside(deleted, cst.Name) if id(n) not in keywords]
    return dataclasses.replace(edit, local=not reads)


def delete_statement(ctx: ModuleContext, statement: cst.CSTNode) -> Edit:
    """Delete a small statement (``params["style"] = style``): its whole line when it stands
    alone, its ``;`` with it when it shares the line. When it is the only statement of a block,
    the block would be empty: an ``if`` (or ``elif``) with nothing else and a test without side
    effects goes whole, an ``else`` goes; anything else keeps ``pass``."""
    line = ctx.parent(statement)
    if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and len(line.body) > 1:
        return _delete_small(ctx, line, statement)
    if isinstance(line, cst.SimpleStatementSuite):  # `if style: params["style"] = style`
        return _empty_body(ctx, ctx.parent(line), statement)
    if isinstance(line, cst.SimpleStatementLine):
        block = ctx.parent(line)
        if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
            return _empty_body(ctx, ctx.parent(block), statement)
        return _delete_lines(ctx, line)
    start, end = ctx.span(statement)
    return Edit(start, end, "None")  # keeps the line valid; never reached for plain lines


def _delete_lines(ctx: ModuleContext, node: cst.CSTNode) -> Edit:
    """A statement's lines, when it has them to itself (a comment after it stays)."""
    start, end = ctx.span(node)
    text = ctx.text
    line_start = _line_start(text, start)
    rest = _skip(text, end, _HSPACE)
    if text[line_start:start].strip(_HSPACE) == "" and (rest >= len(text) or text[rest] in "\r\n#"):
        if rest < len(text) and text[rest] == "#":
            return Edit(start, rest, "")
        return Edit(line_start, _after_newline(text, rest), "")
    return Edit(start, end, "pass")


def _delete_small(ctx: ModuleContext, line: cst.CSTNode, statement: cst.CSTNode) -> Edit:
    """``a = 1; params["style"] = s``: the statement and one ``;`` go, the others stay."""
    body = list(line.body)  # type: ignore[attr-defined]
    index = next(i for i, s in enumerate(body) if s is statement)
    start, end = ctx.span(statement)
    if index + 1 < len(body):
        return Edit(start, ctx.span(body[index + 1])[0], "")
    return Edit(ctx.span(body[index - 1])[1], end, "")


def _empty_body(ctx: ModuleContext, owner: Optional[cst.CSTNode], statement: cst.CSTNode) -> Edit:
    """The edit for deleting ``statement``, the only one in ``owner``'s body."""
    if isinstance(owner, cst.If) and owner.orelse is None and _without_side_effects(owner.test):
        return _delete_clause_or_statement(ctx, owner)
    if isinstance(owner, cst.Else):
        # `else:` with nothing left: the clause goes (the part before it keeps its own body).
        start, end = ctx.span(owner)
        text = ctx.text
        line_start = _line_start(text, start)
        if text[line_start:start].strip(_HSPACE) == "":
            return Edit(line_start, _after_newline(text, _line_end(text, end)), "")
    start, end = ctx.span(statement)
    return Edit(start, end, "pass")


def _delete_clause_or_statement(ctx: ModuleContext, node: cst.If) -> Edit:
    """An ``if`` statement that would do nothing: an ``elif`` clause goes from its keyword to
    the end of its body; a plain ``if`` goes like a statement of its block (``pass`` stays where
    the block would be left empty and cannot go itself)."""
    parent = ctx.parent(node)
    start, end = ctx.span(node)
    text = ctx.text
    line_start = _line_start(text, start)
    if isinstance(parent, cst.If) and parent.orelse is node:  # `elif`
        if text[line_start:start].strip(_HSPACE) == "":
            return Edit(line_start, _after_newline(text, _line_end(text, end)), "")
        return Edit(start, end, "else:\n" + text[line_start:start] + "    pass")
    if isinstance(parent, cst.IndentedBlock) and len(parent.body) == 1:
        return _empty_body(ctx, ctx.parent(parent), node)
    if text[line_start:start].strip(_HSPACE) == "":
        return Edit(line_start, _after_newline(text, _line_end(text, end)), "")
    return Edit(start, end, "pass")


def _without_side_effects(node: cst.BaseExpression) -> bool:
    """A test that only reads: names, attributes, literals, comparisons (``is None`` too) and
    ``and``/``or``/``not`` of those; a call or a subscript may do more."""
    if isinstance(node, (cst.Name, cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Attribute):
        return _without_side_effects(node.value)
    if isinstance(node, cst.Comparison):
        return _without_side_effects(node.left) and all(_without_side_effects(c.comparator) for c in node.comparisons)
    if isinstance(node, cst.BooleanOperation):
        return _without_side_effects(node.left) and _without_side_effects(node.right)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return _without_side_effects(node.expression)
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return all(isinstance(e, cst.Element) and _without_side_effects(e.value) for e in node.elements)
    return False


def delete_item(ctx: ModuleContext, items: list, item: cst.CSTNode, through: Optional[cst.CSTNode] = None) -> Edit:
    """Delete one comma-separated item (argument or dict element) with its comma, whatever the
    layout (one line, one item per line, trailing or leading commas), never leaving a dangling
    comma or an empty line. Comments inside the deleted text are kept on their own lines.
    ``through``: a later item; every item from ``item`` to it goes, as one edit (deleting them
    one by one would give edits that overlap).
    """
    text = ctx.text
    index = next(i for i, a in enumerate(items) if a is item)
    last = index if through is None else next(i for i, a in enumerate(items) if a is through)
    start, end = ctx.span(item)[0], ctx.span(items[last])[1]
    own_comma = _comma_after(text, end)
    line_start = _line_start(text, start)
    alone_before = text[line_start:start].strip(_HSPACE) == ""
    item_end = own_comma + 1 if own_comma is not None else end
    rest = _skip(text, item_end, _HSPACE)
    ends_line = rest >= len(text) or text[rest] in "\r\n#"
    last_has_prev_comma = last + 1 == len(items) and index > 0 and _comma_after(text, ctx.span(items[index - 1])[1]) is not None
    if ends_line and alone_before and (own_comma is not None or last_has_prev_comma):
        # The item has its lines to itself: they go, their comments stay.
        cut_to = _after_newline(text, _line_end(text, rest))
        comments = _comments(text[line_start:cut_to])
        return Edit(line_start, cut_to, "".join(text[line_start:start] + c + ctx.newline for c in comments))
    if last + 1 < len(items) and own_comma is not None and ends_line:
        # `f(a=1,\n  b=2)` / `f(a=(  # note\n 1),\n  b=2)` / `  , a=1  # note\n  ,\n  b=2`: up to
        # the comma that ends the line; comments in between stay, at the end of that line.
        cut_from, cut_to = _skip_back(text, start, _HSPACE), own_comma + 1
        comments = _comments(text[start:cut_to])
        if not comments:
            return Edit(cut_from, cut_to, "")
        indent = _indent_of(text, ctx.span(items[last + 1])[0]) or _indent_of(text, start) or ""
        kept = "  " + (ctx.newline + indent).join(comments)
        if rest < len(text) and text[rest] == "#":  # the line's own comment goes below ours
            kept += ctx.newline + indent
            cut_to = rest
        return Edit(cut_from, cut_to, kept)
    if last + 1 < len(items):
        # Up to the next item: this item, its comma and the space before the next one go.
        next_start, _ = ctx.span(items[last + 1])
        next_line_start = _line_start(text, next_start)
        indent = text[next_line_start:next_start]
        if indent.strip(_HSPACE) != "" or next_line_start <= start:
            own = text[line_start:start]
            indent = own[: len(own) - len(own.lstrip(_HSPACE))]
        comments = _comments(text[start:next_start])
        # A kept comment always ends its line, or it would swallow the next item.
        return Edit(start, next_start, "".join(c + ctx.newline + indent for c in comments))
    if index > 0:
        _, prev_end = ctx.span(items[index - 1])
        prev_comma = _comma_after(text, prev_end)
        leading = prev_comma is not None and "\n" not in text[prev_comma:start] and "\r" not in text[prev_comma:start]
        if prev_comma is not None and (own_comma is not None or not leading):
            # `a=1,\n    b=2,` / `a=1,\n    b=2`: a's comma stays where it was
            cut_from, cut_to = prev_comma + 1, own_comma + 1 if own_comma is not None else end
        else:
            cut_from, cut_to = prev_end, end  # `a=1\n    , b=2` or `a=1, b=2`: the comma before goes
    else:
        opener = start - 1
        while opener >= 0 and text[opener] in " \t\r\n":
            opener -= 1
        close = _skip_space(text, own_comma + 1 if own_comma is not None else end)
        if close < len(text) and text[close] in ")]}":
            # The only item: `f()`, `{}` (the bracket right before it, never an outer one).
            cut_from, cut_to = (opener + 1 if opener >= 0 and text[opener] in "([{" else start), close
        else:
            cut_from, cut_to = start, own_comma + 1 if own_comma is not None else end
    indent = text[_line_start(text, start) : start]
    indent = indent if indent.strip(_HSPACE) == "" else ""
    comments = _comments(text[cut_from:cut_to])
    kept = "".join(ctx.newline + indent + c for c in comments)
    following = _skip(text, cut_to, _HSPACE)
    if kept and following < len(text) and text[following] not in "\r\n":
        kept += ctx.newline + text[_line_start(text, start) : start][: len(indent)]  # `)` after a comment
    return Edit(cut_from, cut_to, kept)


def _indent_of(text: str, index: int) -> Optional[str]:
    """The indentation before ``index`` when nothing else precedes it on its line."""
    before = text[_line_start(text, index) : index]
    return before if before.strip(_HSPACE) == "" else None


def _comma_after(text: str, index: int):
    """Offset of the comma that follows an item ending at ``index`` (across newlines and
    comments, as inside brackets), or None when the next thing is not a comma."""
    i = _skip_space(text, index)
    return i if text.startswith(",", i) else None


def _skip_space(text: str, i: int) -> int:
    while i < len(text):
        char = text[i]
        if char in " \t\r\n\f":
            i += 1
        elif char == "\\" and text.startswith(("\\\n", "\\\r"), i):
            i += 2
        elif char == "#":
            while i < len(text) and text[i] not in "\r\n":
                i += 1
        else:
            break
    return i


def _comments(deleted: str):
    """The comments in a piece of code, in order (strings are not mistaken for comments)."""
    import io
    import tokenize

    if "#" not in deleted:
        return []
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO("(" + deleted + "\n)").readline):
            if token.type == tokenize.COMMENT:
                found.append(token.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    return found


def insert_keyword(ctx: ModuleContext, call: cst.Call, name: str, value_code: str) -> Edit:
    """Add ``name=value`` as the first keyword argument, in the call's own layout."""
    return insert_keywords(ctx, call, [(name, value_code)])


def insert_keywords(ctx: ModuleContext, call: cst.Call, pairs) -> Edit:
    """Add ``name=value`` pairs before the first keyword argument, in the call's own layout,
    as one edit (two insertions at one point would clash)."""
    text = ctx.text
    if len(pairs) > 1:
        first = pairs[0]
        edit = insert_keywords(ctx, call, [first])
        args = list(call.args)
        separator = ", "
        anchor = next((a for a in args if a.keyword is not None or a.star == "**"), None)
        if anchor is not None:
            start, _ = ctx.span(anchor)
            indent = text[_line_start(text, start) : start]
            if indent.strip(_HSPACE) == "":
                separator = f",{ctx.newline}{indent}"
        joined = separator.join(f"{n}={v}" for n, v in pairs)
        single = f"{first[0]}={first[1]}"
        return Edit(edit.start, edit.end, edit.content.replace(single, joined, 1), local=all(_is_literal(v) for _, v in pairs))
    name, value_code = pairs[0]
    return dataclasses.replace(_insert_keyword(ctx, call, name, value_code), local=_is_literal(value_code))


def insert_entry(ctx: ModuleContext, mapping: cst.Dict, key_code: str, value_code: str) -> Edit:
    """Add ``key: value`` as the first entry of a dict literal, in its own layout (an HTTP
    request's JSON body naming its model)."""
    text = ctx.text
    entry = f"{key_code}: {value_code}"
    if mapping.elements:
        start, _ = ctx.span(mapping.elements[0])
        indent = text[_line_start(text, start) : start]
        separator = f",{ctx.newline}{indent}" if indent.strip(_HSPACE) == "" else ", "
        return Edit(start, start, entry + separator, local=_is_literal(value_code))
    start, _ = ctx.span(mapping)
    return Edit(start + 1, start + 1, entry, local=_is_literal(value_code))


def _is_literal(code: str) -> bool:
    try:
        ast.literal_eval(code)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def _insert_keyword(ctx: ModuleContext, call: cst.Call, name: str, value_code: str) -> Edit:
    text = ctx.text
    args = list(call.args)
    first_keyword = next((a for a in args if a.keyword is not None or a.star == "**"), None)
    if first_keyword is not None:
        start, _ = ctx.span(first_keyword)
        line_start = _line_start(text, start)
        indent = text[line_start:start]
        if indent.strip(_HSPACE) == "":
            return Edit(start, start, f"{name}={value_code},{ctx.newline}{indent}")
        return Edit(start, start, f"{name}={value_code}, ")
    if args:
        _, end = ctx.span(args[-1])
        return Edit(end, end, f", {name}={value_code}")
    func_end = ctx.span(call.func)[1]
    paren = text.index("(", func_end)
    return Edit(paren + 1, paren + 1, f"{name}={value_code}")


def _skip(text: str, index: int, chars: str) -> int:
    while index < len(text) and text[index] in chars:
        index += 1
    return index


def _skip_back(text: str, index: int, chars: str) -> int:
    while index > 0 and text[index - 1] in chars:
        index -= 1
    return index


def _line_start(text: str, index: int) -> int:
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _after_newline(text: str, index: int) -> int:
    if text.startswith("\r\n", index):
        return index + 2
    if index < len(text) and text[index] in "\r\n":
        return index + 1
    return index


def span_lines(ctx: ModuleContext, node: cst.CSTNode) -> Tuple[int, int]:
    start, end = ctx.span(node)
    return ctx.lines.position(start)[0], ctx.lines.position(end)[0]


def add_import(ctx: ModuleContext, module: str) -> Optional[Edit]:
    """The one way fixes add an import: ``import <module>`` after the module's top imports.

    Returns None when the module is already imported at the top level under its own name.
    The edit is local: it binds a module name only the fix's own code reads.
    """
    body = list(ctx.module.body)
    last_import = None
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
        ):
            for small in statement.body:
                if isinstance(small, cst.Import) and any(
                    a.asname is None and dotted_name(a.name) == module for a in small.names
                ):
                    return None
            last_import = statement
        elif last_import is None and _is_docstring(statement):
            continue
        elif last_import is not None:
            break
    text = ctx.text
    if last_import is not None:
        _, end = ctx.span(last_import)
        at = _after_newline(text, _line_end(text, end))
        if at == len(text) and not text.endswith(("\n", "\r")):
            return Edit(at, at, f"{ctx.newline}import {module}{ctx.newline}", local=True)
        return Edit(at, at, f"import {module}{ctx.newline}", local=True)
    first = next((s for s in body if not _is_docstring(s)), None)
    if first is None:
        at = len(text)
        prefix = "" if not text or text.endswith(("\n", "\r")) else ctx.newline
        return Edit(at, at, f"{prefix}import {module}{ctx.newline}", local=True)
    start, _ = ctx.span(first)
    line_start = _line_start(text, start)
    return Edit(line_start, line_start, f"import {module}{ctx.newline}", local=True)


def _line_end(text: str, index: int) -> int:
    while index < len(text) and text[index] not in "\r\n":
        index += 1
    return index


def _is_docstring(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    return isinstance(small, cst.ImportFrom) and dotted_name(small.module) == "__future__"
