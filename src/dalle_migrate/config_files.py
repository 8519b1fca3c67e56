"""Configuration files (DM106, DM107): retired model ids, and ids with an announced shutdown, in
`.env`, YAML, TOML, JSON and INI/CFG values.

No parser: a text scan that knows just enough of these formats to tell a *value* from a key,
a comment or prose, so every finding points at the exact characters of the id and the fix
replaces only them (quotes, spacing, comments and line endings are never touched).

What counts as a value, in every format alike:

- the text after a key and its separator (``=`` or ``:`` followed by a space or the end of
  the line): ``IMAGE_MODEL=dall-e-3``, ``export IMAGE_MODEL="dall-e-3"``, ``model: dall-e-3``,
  ``model = "dall-e-3"``, ``"model": "dall-e-3"``;
- an item of a sequence: YAML ``- dall-e-3``, flow and TOML/JSON arrays ``["dall-e-3", ...]``
  (across lines too), and the values of inline tables ``{ model = "dall-e-3" }``;
- an indented line continuing a key with no value on its own line (INI multi-line values,
  YAML ``model:`` followed by the value on the next line).

A value is the id only when it is the *whole* value: quoted, everything between the quotes,
and nothing but a comment, a comma or a closing bracket after the closing quote; unquoted, the
text up to the end of the line or the comment, spaces trimmed. Two shapes are split first,
because programs split them: ``NAME=value`` (docker-compose ``- "IMAGE_MODEL=dall-e-3"``,
``--model=dall-e-3``) and comma-separated lists of id-like words (``dall-e-3,gpt-image-1``).
So ``gpt-image-1`` never matches in ``gpt-image-1.5`` or ``gpt-image-1-mini``, and a
deployment-like name such as ``my-dall-e-3-prod`` is not the id: it names something a person
created (an Azure deployment, a label), which only that person can rename (DM403 covers Azure
deployments in code).

Never reported: comments (``#`` at the start of a token, full-line ``;`` comments, inline
`` ;`` comments in files with ``[section]`` headers, ``//`` and ``/* */`` in JSON-like files
such as ``tsconfig.json``), keys (a token followed by ``=`` / ``:``, section and table headers
``[models."dall-e-3"]``), YAML block scalars (``prompt: |`` and its indented text), TOML
multi-line strings, and prose (a value that is more than the id).

The fix is unsafe and replaces the id by the target model. It cannot make a file invalid in
its format: the id sits where a value already was and is replaced by another plain id
(letters, digits, ``-``, ``_`` and ``.``: a target that is not such a word gets no fix), which
needs no quoting or escaping anywhere — inside quotes it stays a string of the same kind,
unquoted it stays a plain scalar / INI value / dotenv value of the same shape, and no
character that starts a comment, a key or a collection is written. YAML, INI and dotenv cannot
be parsed with the standard library, so that argument is their guarantee. JSON and TOML are
checked: a file that parsed before the fix must parse after it (an ``InternalError``
otherwise, and nothing is written), and a JSON (or, when the file name is known, TOML) file
that does not parse is reported but never fixed, and the message says why.

The engine calls handlers without the file name, so the format is told by the content: a
file starting with ``{`` (or with ``[`` that is no ``[section]`` header, or that parses as
JSON) is JSON-like; any file that parses as TOML is checked as TOML. ``check_config`` and
``fix_config`` take an optional ``filename`` that, when given, decides instead (``.json``,
``.toml``): a broken ``.toml`` file is then left unfixed too, and a YAML file written in flow
style (``{...}``) is not mistaken for broken JSON.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Dict, List, Optional, Set, Tuple

from .settings import Settings
from .engine import InternalError, Selection, TextResult, _positioned, register_handler
from .noqa import suppressed
from .findings import Finding, apply_fixes
from .rules.dm106_retired_model_in_config import RetiredModelInConfig
from .rules.dm107_deprecated_model_in_config import DeprecatedModelInConfig
from .rules._model_in_config import ModelInConfig
from .source import LineIndex

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

# The rules this scan reports for, each for the ids of its status (retired, shutting down).
RULES = (RetiredModelInConfig(), DeprecatedModelInConfig())

Span = Tuple[int, int]

# A `[section]`, `[table."key"]` or `[[array.of.tables]]` header alone on its line.
_HEADER_TEXT = r"""[ \t]*\[\[?(?:[^\[\]"'\r\n]|"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*')*\]\]?[ \t]*(?:[#;][^\r\n]*)?"""
_HEADER = re.compile(_HEADER_TEXT + "$")
_HEADER_LINE = re.compile("^" + _HEADER_TEXT + r"\r?$", re.M)
# YAML block scalar indicators: `|`, `>`, `|-`, `>+`, `|2`...
_BLOCK_SCALAR = re.compile(r"[|>][1-9+-]{0,2}")
# YAML anchors and tags before a value: `&name`, `!!str`.
_PROPERTIES = re.compile(r"(?:[&!][^ \t\r\n]*[ \t]+)+")
# `NAME=value` inside a value: environment lists of docker-compose and CI files, `--model=...`.
_ASSIGNMENT = re.compile(r"-{0,2}[A-Za-z_][\w.-]*=")
# One word of a comma-separated list of ids (no spaces: a comma in prose is not a list).
_WORD = re.compile(r"[\w.:/@+-]+")
# What a target must look like for the fix to need no quoting in any format.
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SPACE = " \t"
_EOL = "\r\n"


# -- the scan ---------------------------------------------------------------------------------
@dataclass
class _Continuation:
    """A key whose value may go on in more indented lines (INI multi-line values, YAML)."""

    column: int  # lines indented deeper than this continue the value
    separator: str  # "=": every line is an item (INI); ":": one line is the value (YAML)
    lines: List[Span] = field(default_factory=list)


class _Scanner:
    """Finds the spans of every value of a configuration text (see the module docstring)."""

    def __init__(self, text: str, json_like: bool, ini_like: bool) -> None:
        self.text = text
        self.n = len(text)
        self.json_like = json_like  # `//` and `/* */` comments (JSONC); no section headers
        self.ini_like = ini_like  # inline ` ;` comments
        self.values: List[Span] = []
        self.block_scalar: Optional[int] = None  # skip lines indented deeper than this
        self.continuation: Optional[_Continuation] = None

    def scan(self) -> List[Span]:
        pos = 0
        while pos < self.n:
            pos = self._line(pos)
        self._close_continuation()
        return self.values

    # -- positions ---------------------------------------------------------------------------
    def _skip_space(self, i: int) -> int:
        while i < self.n and self.text[i] in _SPACE:
            i += 1
        return i

    def _eol(self, i: int) -> int:
        while i < self.n and self.text[i] not in _EOL:
            i += 1
        return i

    def _next_line(self, i: int) -> int:
        i = self._eol(i)
        if self.text.startswith("\r\n", i):
            return i + 2
        return i + 1

    def _rstrip(self, start: int, end: int) -> int:
        while end > start and self.text[end - 1] in _SPACE:
            end -= 1
        return end

    def _comment_at(self, i: int) -> bool:
        """Whether a comment starts at ``i`` (a token boundary)."""
        text = self.text
        if text.startswith("#", i):
            return True
        if self.ini_like and text.startswith(";", i):
            return True
        return self.json_like and (text.startswith("//", i) or text.startswith("/*", i))

    def _skip_comment(self, i: int) -> int:
        if self.json_like and self.text.startswith("/*", i):
            end = self.text.find("*/", i + 2)
            return self.n if end < 0 else end + 2
        return self._eol(i)

    def _ends_value(self, i: int, flow: bool) -> bool:
        """After a closing quote (spaces skipped): does the value end here?"""
        if i >= self.n or self.text[i] in _EOL or self._comment_at(i):
            return True
        return flow and self.text[i] in ",]}"

    # -- lines (block context) ---------------------------------------------------------------
    def _line(self, pos: int) -> int:
        text = self.text
        start = self._skip_space(pos)
        eol = self._eol(start)
        if start == eol:
            return self._next_line(eol)  # blank: ends neither a block scalar nor a continuation
        column = start - pos
        if self.block_scalar is not None:
            if column > self.block_scalar:
                return self._next_line(eol)  # text of a YAML block scalar
            self.block_scalar = None
        if text[start] in "#;" or self._comment_at(start):
            return self._next_line(self._skip_comment(start))
        continuing = self.continuation is not None and column > self.continuation.column
        if not continuing:
            self._close_continuation()
        if text[start] == "[" and not self.json_like and _HEADER.match(text, start, eol):
            self._close_continuation()
            return self._next_line(eol)  # [section] / [table."key"]: names, not values
        p, dash = start, None
        while p < eol and text[p] == "-" and (p + 1 == eol or text[p + 1] in _SPACE):
            dash = p - pos  # YAML sequence entry (`- a`, `- - a`, `- key: a`)
            p = self._skip_space(p + 1)
        if dash is not None:
            self._close_continuation()
        if p >= eol:
            return self._next_line(eol)
        end = self._entry(p, p - pos, dash, continuing)
        return self._next_line(max(end, p))

    def _entry(self, p: int, column: int, dash: Optional[int], continuing: bool) -> int:
        """One block line from its first token: ``key <sep> value``, or a bare item."""
        text = self.text
        if self._comment_at(p):
            return self._skip_comment(p)
        if text[p] in "[{":
            self._close_continuation()
            return self._flow(p)
        if text[p] in "\"'":
            string = self._string(p)
            if string is not None:
                start, end, after = string
                q = self._skip_space(after)
                if q < self.n and text[q] in ":=":
                    self._close_continuation()
                    return self._value(q + 1, column, text[q])
                if self._ends_value(q, flow=False):
                    self._bare(start, end, dash, continuing, quoted=True)
                return after
        end = self._plain_key_end(p)
        if end < self.n and text[end] in ":=":
            self._close_continuation()
            return self._value(end + 1, column, text[end])
        self._bare(p, self._rstrip(p, end), dash, continuing, quoted=False)
        return end

    def _plain_key_end(self, p: int) -> int:
        """Where an unquoted token in key position ends: its separator, a comment or the line end."""
        text = self.text
        i = p
        while i < self.n and text[i] not in _EOL:
            ch = text[i]
            if ch == "=":
                return i
            if ch == ":" and (i + 1 == self.n or text[i + 1] in _SPACE + _EOL):
                return i
            if ch in _SPACE and self._comment_at(i + 1):
                return i
            i += 1
        return i

    def _plain_value_end(self, p: int) -> int:
        text = self.text
        i = p
        while i < self.n and text[i] not in _EOL:
            if text[i] in _SPACE and self._comment_at(i + 1):
                return i
            i += 1
        return i

    def _bare(self, start: int, end: int, dash: Optional[int], continuing: bool, quoted: bool) -> None:
        """A line (or sequence entry) holding a single token and no separator."""
        if not quoted and dash is not None and _BLOCK_SCALAR.fullmatch(self.text, start, end):
            self.block_scalar = dash  # `- |`
            return
        if dash is not None:
            self._emit(start, end)
        elif continuing and self.continuation is not None:
            self.continuation.lines.append((start, end))
        # Otherwise: an unindented word (an INI key without value) or YAML prose: not a value.

    def _value(self, p: int, column: int, separator: str) -> int:
        """The value after ``key =`` / ``key:`` in block context; returns where it ends."""
        text = self.text
        q = self._skip_space(p)
        match = _PROPERTIES.match(text, q)
        if match and separator == ":":
            q = match.end()
        if q >= self.n or text[q] in _EOL or self._comment_at(q):
            self.continuation = _Continuation(column, separator)  # the value is on the next lines
            return self._skip_comment(q) if q < self.n and text[q] not in _EOL else q
        if text[q] in "[{":
            return self._flow(q)
        if text[q] in "\"'":
            string = self._string(q)
            if string is not None:
                start, end, after = string
                if self._ends_value(self._skip_space(after), flow=False):
                    self._emit(start, end)
                return after
        end = self._plain_value_end(q)
        stop = self._rstrip(q, end)
        if _BLOCK_SCALAR.fullmatch(text, q, stop):
            self.block_scalar = column  # `key: |`: the indented text that follows is prose
            return end
        self._emit(q, stop)
        if separator == "=":
            self.continuation = _Continuation(column, separator)  # INI: `key = a` + indented lines
        return end

    def _close_continuation(self) -> None:
        cont, self.continuation = self.continuation, None
        if cont is None:
            return
        if cont.separator == ":" and len(cont.lines) > 1:
            return  # YAML folds several lines into one scalar: prose, not an id
        for start, end in cont.lines:
            self._emit(start, end)

    # -- flow collections: JSON, TOML arrays and inline tables, YAML [...] / {...} ------------
    def _flow(self, p: int) -> int:
        text = self.text
        stack = [[text[p], text[p] == "{"]]  # [bracket, expecting a key]
        i = p + 1
        while i < self.n and stack:
            ch = text[i]
            if ch in _SPACE + _EOL:
                i += 1
                continue
            if ch == "#" or self._comment_at(i):
                i = self._skip_comment(i)
                continue
            top = stack[-1]
            if ch in "[{":
                stack.append([ch, ch == "{"])
                i += 1
            elif ch in "]}":
                stack.pop()
                i += 1
            elif ch == ",":
                top[1] = top[0] == "{"
                i += 1
            elif ch in ":=":
                top[1] = False
                i += 1
            else:
                string = self._string(i) if ch in "\"'" else None
                if string is not None:
                    start, end, after = string
                    q = self._skip_space(after)
                    if q < self.n and text[q] in ":=":
                        top[1] = False  # a key
                        i = q + 1
                        continue
                    if not top[1] and self._ends_value(q, flow=True):
                        self._emit(start, end)
                    i = after
                    continue
                end = self._plain_flow_end(i, key=top[1])
                if end == i:
                    i += 1
                    continue
                if end < self.n and text[end] in ":=":
                    top[1] = False
                    i = end + 1
                    continue
                if not top[1]:
                    self._emit(i, self._rstrip(i, end))
                i = end
        return i

    def _plain_flow_end(self, p: int, key: bool) -> int:
        text = self.text
        i = p
        while i < self.n:
            ch = text[i]
            if ch in _EOL:
                # A YAML plain scalar in brackets goes on over line breaks (and is then text).
                j = i
                while j < self.n and text[j] in _SPACE + _EOL:
                    j += 1
                if j >= self.n or text[j] in ",[]{}" or self._comment_at(j):
                    return i
                i = j
                continue
            if ch in ",[]{}" or (key and ch == "="):
                return i
            if ch == ":" and (i + 1 == self.n or text[i + 1] in _SPACE + _EOL):
                return i
            if ch in _SPACE and self._comment_at(i + 1):
                return i
            i += 1
        return i

    # -- quoted strings ---------------------------------------------------------------------
    def _string(self, p: int) -> Optional[Tuple[int, int, int]]:
        """(content start, content end, end) of the quoted string at ``p``, or None when the
        quote opens no string (it is then an ordinary character of an unquoted value)."""
        text = self.text
        quote = text[p]
        triple = quote * 3
        # TOML multi-line strings; but `''''` is YAML's quoted quote, and `'''a'` YAML's "'a".
        if text.startswith(triple, p) and not text.startswith(quote, p + 3):
            j = p + 3
            while j < self.n:
                if quote == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(triple, j):
                    end = j + 3
                    while end < self.n and text[end] == quote and end - j < 5:
                        end += 1  # up to two quotes of the content may touch the closing ones
                    if self._ends_value(self._skip_space(end), flow=True):
                        return p + 3, end - 3, end
                    break
                j += 1
        j = p + 1
        while j < self.n:
            ch = text[j]
            if quote == '"' and ch == "\\":
                j += 2
                continue
            if ch == quote:
                if quote == "'" and text.startswith("''", j):
                    j += 2  # YAML's escaped single quote
                    continue
                break
            j += 1
        else:
            return None
        if any(c in _EOL for c in text[p:j]):
            # YAML and dotenv strings may span lines; an apostrophe in an INI value must not
            # swallow the lines after it, so a multi-line string must end like a value.
            after = self._skip_space(j + 1)
            if not (after >= self.n or text[after] in _EOL + ",]}:=" or self._comment_at(after)):
                return None
        return p + 1, j, j + 1

    # -- values -----------------------------------------------------------------------------
    def _emit(self, start: int, end: int) -> None:
        text = self.text
        match = _ASSIGNMENT.match(text, start, end)
        if match:
            start = match.end()
        if "," not in text[start:end]:
            if start < end:
                self.values.append((start, end))
            return
        words = []
        i = start
        for part in text[start:end].split(","):
            s = i + len(part) - len(part.lstrip(_SPACE))
            e = self._rstrip(s, i + len(part))
            if s < e:
                if not _WORD.fullmatch(text, s, e):
                    return  # prose with a comma: no item of it is a whole value
                words.append((s, e))
            i += len(part) + 1
        self.values.extend(words)


def value_spans(text: str, json_like: Optional[bool] = None) -> List[Span]:
    """Offsets of every value of a configuration text, in order (see the module docstring)."""
    if json_like is None:
        json_like = _looks_like_json(text)
    ini_like = not json_like and _HEADER_LINE.search(text) is not None
    return sorted(set(_Scanner(text, json_like, ini_like).scan()))


# -- formats ----------------------------------------------------------------------------------
def _looks_like_json(text: str) -> bool:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return True
    if stripped.startswith("["):
        first = stripped.split("\n", 1)[0].rstrip("\r")
        # `[section]` starts an INI or TOML file; `["dall-e-3"]` may be either.
        return not _HEADER.fullmatch(first) or _json_problem(text) is None
    return False


def _json_problem(text: str) -> Optional[str]:
    try:
        json.loads(text.lstrip("\ufeff"))
    except ValueError as exc:
        return f"the file is not valid JSON ({exc})"
    return None


def _toml_problem(text: str) -> Optional[str]:
    try:
        tomllib.loads(text.lstrip("\ufeff"))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        return f"the file is not valid TOML ({exc})"
    return None


@dataclass(frozen=True)
class _Format:
    json_like: bool
    toml_like: bool  # only known from a file name: an INI file is no broken TOML file
    problem: Optional[str]  # why the file is not fixed ("the file is not valid JSON (...)"), or None
    document: Any = None  # a valid JSON file's content, decoded


def _format(text: str, filename: Optional[str]) -> _Format:
    suffix = PurePath(filename).suffix.lower() if filename else None
    json_like = suffix == ".json" if suffix is not None else _looks_like_json(text)
    toml_like = suffix == ".toml"
    problem = document = None
    if json_like:
        try:
            document = json.loads(text.lstrip("\ufeff"), object_pairs_hook=_pairs)
        except _DuplicateKey:
            document = None  # a key twice: the decoded document holds one of them, the text both
        except ValueError as exc:
            problem = f"the file is not valid JSON ({exc})"
    elif toml_like:
        problem = _toml_problem(text)
    return _Format(json_like, toml_like, problem, document)


class _DuplicateKey(Exception):
    pass


def _pairs(pairs):
    document = dict(pairs)
    if len(document) != len(pairs):
        raise _DuplicateKey()
    return document


def _json_values_holding(document: Any, ids: Set[str]) -> Dict[str, int]:
    """The string values (not keys) of a decoded JSON document that hold one of ``ids`` as the
    text scan could find it, with how often each occurs: the whole string, after ``NAME=``, or
    a comma-separated item, so bounded by the string's ends, ``=``, ``,`` or spaces
    (``azure/gpt-image-1.5`` and prose about ``gpt-image-1`` models are not). The decoder runs
    in C: a large generated document (an OpenAPI snapshot, a price table keyed by model) costs
    no scan of its text."""
    held: Dict[str, int] = {}
    if not ids:
        return held
    bounded = re.compile(r"(?:^|[\s,=])(?:%s)(?=$|[\s,])" % "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    stack = [document]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            for model_id in ids:
                if model_id in value:
                    if bounded.search(value) is not None:
                        held[value] = held.get(value, 0) + 1
                    break
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
    return held


def _json_value_spans(text: str, held: Dict[str, int]) -> Optional[List[Span]]:
    """Where the values ``_json_values_holding`` found are in a valid JSON text, emitted as the
    scan emits a quoted value; None (scan the text) unless each is spelled plainly as often as
    the document holds it. In valid JSON a quote followed by the value's characters and a quote
    is a whole string, a key when a colon follows, unless the first quote is escaped."""
    scanner = _Scanner(text, True, False)
    for value, count in held.items():
        spelled = json.dumps(value, ensure_ascii=False)
        found = 0
        at = text.find(spelled)
        while at >= 0:
            escapes = 0
            while at - escapes - 1 >= 0 and text[at - escapes - 1] == "\\":
                escapes += 1
            end = at + len(spelled)
            if escapes % 2 == 0:
                after = end
                while after < len(text) and text[after] in " \t\r\n":
                    after += 1
                if after >= len(text) or text[after] != ":":
                    scanner._emit(at + 1, end - 1)
                    found += 1
            at = text.find(spelled, at + 1)
        if found != count:
            return None
    return sorted(set(scanner.values))


# -- handlers ---------------------------------------------------------------------------------
def retired_ids(settings: Settings) -> Set[str]:
    return _ids_with(RetiredModelInConfig.status, settings)


def _ids_with(status: str, settings: Settings) -> Set[str]:
    catalog = settings.catalog
    return {m for m in catalog.models if catalog.status(m, settings.today) == status}


def _reporting(settings: Settings, selection: Selection) -> Dict[str, ModelInConfig]:
    """The model ids the selected rules report, each with its rule."""
    return {m: rule for rule in RULES if selection.enabled(rule.code) for m in _ids_with(rule.status, settings)}


# An API description (OpenAPI, Swagger) or a JSON Schema lists the ids an API accepts or once
# did (`enum`, `examples`, `default`): a document about requests, not a value a program sends.
_API_DESCRIPTION = re.compile(r"""(?m)^["']?(?:openapi|swagger)["']?[ \t]*:""")
_META_SCHEMA = "json-schema.org"


def describes_an_api(text: str, fmt: "_Format") -> bool:
    """Whether the file is an OpenAPI/Swagger description (a top-level ``openapi:`` or
    ``swagger:`` key; in JSON also ``paths`` with ``components``, or a bundle of such
    documents) or a JSON Schema (``$schema`` naming a json-schema.org meta-schema; a
    configuration that names its own schema in ``$schema`` is still a configuration)."""
    document = fmt.document
    if fmt.json_like and fmt.problem is None:
        if not isinstance(document, dict):
            return False
        schema = document.get("$schema")
        if isinstance(schema, str) and _META_SCHEMA in schema:
            return True
        # The document, or a bundle of them (a snapshot keyed by router: every part one), with
        # `openapi`/`swagger`, or an OpenAPI document's `paths` and `components`; a config that
        # merely names a plugin's OpenAPI URL is still a config.
        def api(part) -> bool:
            return isinstance(part, dict) and ("openapi" in part or "swagger" in part or ("paths" in part and "components" in part))

        return api(document) or (bool(document) and all(api(v) for v in document.values()))
    if _API_DESCRIPTION.search(text) is not None:
        return True
    match = re.search(r"""(?m)^["']?\$schema["']?[ \t]*[:=][ \t]*["']?([^"'\s]+)""", text)
    return match is not None and _META_SCHEMA in match.group(1)


def _findings(text: str, settings: Settings, fmt: _Format, selection: Selection) -> List[Finding]:
    if describes_an_api(text, fmt):
        return []
    reported = _reporting(settings, selection)
    if not reported:
        return []
    not_fixed = fmt.problem
    if not_fixed is None and not _PLAIN_ID.fullmatch(settings.target):
        not_fixed = f"the target {settings.target!r} would need quoting in a configuration file"
    spans = None
    if fmt.json_like and fmt.problem is None and fmt.document is not None:
        held = _json_values_holding(fmt.document, set(reported))
        if not held:
            return []
        spans = _json_value_spans(text, held)
    out = []
    for start, end in spans if spans is not None else value_spans(text, fmt.json_like):
        model_id = text[start:end]
        rule = reported.get(model_id)
        if rule is not None:
            out.append(rule.config_finding(start, end, model_id, settings, not_fixed=not_fixed))
    return out


def _unsuppressed(text: str, findings):
    """Drop findings whose line carries a ``# noqa`` for them."""
    if not findings:
        return findings  # (no line index of a large file for nothing)
    lines = LineIndex(text)
    return [f for f in findings if not suppressed(lines.line_text(lines.position(f.start)[0]), f.code)]


def check_config(
    text: str, settings: Settings, selection: Selection, newline: str = "\n", filename: Optional[str] = None
) -> TextResult:
    """Report retired and retiring model ids in a configuration file's values (``filename``,
    when given, tells JSON and TOML files by name instead of by their content)."""
    if not any(selection.enabled(rule.code) for rule in RULES):
        return TextResult(text, [])
    findings = _unsuppressed(text, _findings(text, settings, _format(text, filename), selection))
    return TextResult(text, _positioned(findings, LineIndex(text)) if findings else [])


def fix_config(
    text: str, settings: Settings, selection: Selection, newline: str = "\n", filename: Optional[str] = None
) -> TextResult:
    """Apply the (unsafe) fixes when ``settings.unsafe_fixes``; a JSON or TOML file that
    parsed before must parse after, or nothing changes (``InternalError``)."""
    if not any(selection.enabled(rule.code) for rule in RULES):
        return TextResult(text, [])
    fmt = _format(text, filename)
    findings = _unsuppressed(text, _findings(text, settings, fmt, selection))
    fixable = [f for f in findings if f.fix is not None and f.fix.applies(settings.unsafe_fixes)]
    if not fixable:
        return TextResult(text, _positioned(findings, LineIndex(text)))
    new_text, applied = apply_fixes(text, [f.fix for f in fixable])  # type: ignore[misc]
    # Only an id replaced by an id (see the module docstring); still, what the standard
    # library can parse is parsed again rather than trusted.
    if fmt.json_like or _json_problem(text) is None:
        problem = _json_problem(new_text)
        if problem:
            raise InternalError(f"after a fix, {problem}; nothing was written")
    if fmt.toml_like or _toml_problem(text) is None:
        problem = _toml_problem(new_text)
        if problem:
            raise InternalError(f"after a fix, {problem}; nothing was written")
    applied_ids = {id(fix) for fix in applied}
    fixed = [f for f in _positioned(fixable, LineIndex(text)) if id(f.fix) in applied_ids]
    remaining = _unsuppressed(new_text, _findings(new_text, settings, _format(new_text, filename), selection))
    return TextResult(new_text, _positioned(remaining, LineIndex(new_text)), fixed)


register_handler("config", check_config, fix_config)

__all__ = ["check_config", "fix_config", "retired_ids", "value_spans"]
