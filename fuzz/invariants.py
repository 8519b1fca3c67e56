"""What every run of dalle-migrate must guarantee, whatever the input (issue 7).

Shared by ``tests/test_properties.py`` (hypothesis), ``tests/test_regressions.py`` (the kept
inputs) and ``fuzz/fuzz_fix.py`` (the fuzzer). Everything goes through the public text API
(``engine.run_text``/``check_text``/``fix_text``), with the line ending the CLI would pass.

The invariants:

- ``crash``: no exception escapes ``check`` or ``fix`` (a file that does not parse is a DM900
  finding, not an exception);
- ``unparsable-changed`` / ``unparsable-unreported``: a file LibCST cannot parse, or cannot give
  back byte for byte (its positions would be off), is reported as DM900 and left as it was;
- ``output-unparsable``: the fixed text parses with LibCST, and with ``ast`` on the running
  Python when the input did;
- ``not-idempotent``: a second ``fix`` changes nothing;
- ``not-converged``: after ``fix`` no finding with an applicable fix is left;
- ``new-finding``: ``fix`` leaves no finding of a code more often than ``check`` reported it (a
  fix must not create a problem of its own; DM105 excepted, see ``violations``);
- ``call-lost``: ``fix`` keeps every image call an image call (counted with ``ast``: an edit
  that lands beside its target can turn ``images.generate(`` into something else and still parse);
- ``argument-lost``: ``fix`` deletes no keyword argument but the ones rules delete
  (``response_format``, ``style``, ``input_fidelity``...): ``n=2`` or ``timeout=60`` stay;
- ``line-endings``: ``fix`` introduces no line ending the file did not use (a CRLF file stays
  CRLF-only);
- ``comment-lost``: every comment of the input is still in the output (README: "comments ...
  survive"; a deleted argument keeps the comment on its line);
- ``literal-call``: in every image call of the fixed text whose values are literals, no value the
  model it now names rejects is left, unless a remaining finding reports it (``call_problems``).
"""

from __future__ import annotations

import ast
import collections
import datetime as dt
import io
import re
import sys
import tokenize
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from dalle_migrate.catalog import default_catalog
from dalle_migrate.engine import Selection, TextResult, run_text
from dalle_migrate.settings import Settings
from dalle_migrate.source import SourceText

TODAY = dt.date(2026, 11, 25)  # tests/support.py's date: deprecations announced, not yet due

# -- independent facts about the API on TODAY (openai-images-api.md), the oracle of the checks --

RETIRED = frozenset({"dall-e-2", "dall-e-3", "gpt-image-1"})
DEPRECATED = frozenset({"gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1-mini", "chatgpt-image-latest"})
GPT_IMAGE_2 = frozenset({"gpt-image-2", "gpt-image-2-2026-04-21"})
GPT_IMAGE_25 = frozenset(
    {"gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08", "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08"}
)
QUALITY = frozenset({"low", "medium", "high", "auto"})
QUALITY_25 = QUALITY | {"xhigh", "max"}
FIXED_SIZES_1X = frozenset({"1024x1024", "1024x1536", "1536x1024", "auto"})
TARGET = "gpt-image-2"

V1_METHODS = {"generate": "generate", "edit": "edit", "create_variation": "variation"}
LEGACY_METHODS = {
    "create": "generate",
    "acreate": "generate",
    "create_edit": "edit",
    "acreate_edit": "edit",
    "create_variation": "variation",
    "acreate_variation": "variation",
}
WRAPPERS = ("with_raw_response", "with_streaming_response")

# Which remaining finding codes excuse a value left in a call.
EXCUSES = {
    "model": {"DM101", "DM102", "DM103", "DM104", "DM401", "DM402"},
    "size": {"DM201", "DM401", "DM402"},
    "quality": {"DM202", "DM401"},
    "response_format": {"DM203", "DM401", "DM402"},
    "style": {"DM204", "DM401"},
    "input_fidelity": {"DM205", "DM206", "DM401"},  # DM206: a value outside the model's list
}

_SIZE_RULE = default_catalog().size_rule(TARGET)


def tool_settings(unsafe: bool = False) -> Settings:
    return Settings(today=TODAY, unsafe_fixes=unsafe)


def newline_of(text: str) -> str:
    """The line ending the CLI passes for this text (``SourceText.newline``)."""
    return SourceText(text).newline


# -- running the tool ---------------------------------------------------------------------------


@dataclass
class Run:
    text: str
    unsafe: bool
    newline: str
    check: Optional[TextResult] = None
    fixed: Optional[TextResult] = None
    again: Optional[TextResult] = None
    crash: Optional[str] = None  # the traceback of an exception that escaped the tool
    crash_summary: str = ""  # "<module.Class>: <first line of its message>"

    @property
    def output(self) -> str:
        return self.fixed.text if self.fixed is not None else self.text


def run(text: str, unsafe: bool = False, newline: Optional[str] = None, filename: str = "example.py") -> Run:
    """check, fix, and fix again; an exception is recorded, never raised."""
    newline = newline or newline_of(text)
    result = Run(text, unsafe, newline)
    settings = tool_settings(unsafe)
    selection = Selection()
    try:
        result.check = run_text(text, filename, settings, selection, fix=False, newline=newline)
        result.fixed = run_text(text, filename, settings, selection, fix=True, newline=newline)
        result.again = run_text(result.fixed.text, filename, settings, selection, fix=True, newline=newline)
    except RecursionError:
        # process_data turns this into a reported per-file error ("too deeply nested"): not a crash
        result.crash = None
        result.check = result.fixed = result.again = None
    except Exception as exc:  # noqa: BLE001 - any exception is what we are looking for
        result.crash = traceback.format_exc()
        message = str(exc).strip().splitlines()
        result.crash_summary = f"{type(exc).__module__}.{type(exc).__qualname__}: {message[0] if message else ''}"
    return result


# -- the invariants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def libcst_parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except Exception:  # noqa: BLE001 - ParserSyntaxError, and anything the native parser raises
        return False
    return True


def libcst_faithful(text: str) -> bool:
    """LibCST parses ``text`` and gives it back byte for byte (its positions can be trusted)."""
    try:
        return cst.parse_module(text).code == text
    except Exception:  # noqa: BLE001
        return False


def ast_parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):  # ValueError: null bytes
        return False
    return True


_NEWLINES = re.compile(r"\r\n|\r|\n")


def newline_kinds(text: str) -> collections.Counter:
    return collections.Counter(_NEWLINES.findall(text))


def comments(text: str) -> Optional[collections.Counter]:
    """The comments of ``text`` (None when the running Python cannot tokenize it)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        return None
    return collections.Counter(t.string.rstrip() for t in tokens if t.type == tokenize.COMMENT)


def _placed(findings) -> list:
    return [(f.code, f.row, f.column, f.end_row, f.end_column, f.message, f.fix_positions) for f in findings]


def violations(r: Run, literal_calls: bool = True, roots="auto") -> List[Violation]:
    """Every invariant ``r`` breaks (empty: all hold).

    ``roots``: the receiver names whose image calls the literal-call oracle judges; "auto"
    takes the names bound from ``openai`` (``openai_roots``), None every call that looks like one."""
    if r.crash is not None:
        return [Violation("crash", r.crash_summary)]
    if r.check is None or r.fixed is None or r.again is None:
        return []  # too deeply nested: reported per file, nothing to check
    found: List[Violation] = []
    text, out = r.text, r.fixed.text
    if not libcst_faithful(text):
        # Does not parse, or LibCST cannot give it back byte for byte (a lone backslash
        # continuation line): nothing can be placed in it safely.
        if out != text:
            found.append(Violation("unparsable-changed", "fix changed a file LibCST does not parse faithfully"))
        for name, result in (("check", r.check), ("fix", r.fixed)):
            if not any(f.code == "DM900" for f in result.findings):
                found.append(Violation("unparsable-unreported", f"{name} reports no DM900 for a file LibCST does not parse faithfully"))
        return found
    if out != text:
        if not libcst_parses(out):
            found.append(Violation("output-unparsable", "LibCST cannot parse the fixed text"))
        elif ast_parses(text) and not ast_parses(out):
            found.append(Violation("output-unparsable", f"ast.parse (Python {sys.version_info[0]}.{sys.version_info[1]}) rejects the fixed text"))
    if r.again.text != out:
        found.append(Violation("not-idempotent", "a second fix changed the text"))
    if r.again.text == out and _placed(r.fixed.findings) != _placed(r.again.findings):
        # fix carries findings over instead of analysing its result when its edits cannot
        # change them: what it reports must be what analysing the result says.
        found.append(Violation("stale-findings", "fix reports other findings than a check of its result"))
    pending = [f for f in r.fixed.findings if f.fix is not None and f.fix.applies(r.unsafe)]
    if pending:
        found.append(Violation("not-converged", "fixable findings left after fix: " + ", ".join(f"{f.code}@{f.row}" for f in pending)))
    # DM105 may rightly appear: a retired id the fixed call no longer uses (an Enum member the
    # call moved away from, a Literal[...] option) is from then on a string outside any call.
    # And a call the fix moves to another endpoint or API (DM401 legacy -> v1, DM402 variation ->
    # edit) is judged by the rules of where it lands: its new findings are expected.
    counted = lambda findings: collections.Counter(f.code for f in findings if f.code != "DM105")  # noqa: E731
    introduced = counted(r.fixed.findings) - counted(r.check.findings)
    if introduced and not any(f.code in ("DM401", "DM402") for f in r.check.findings):
        found.append(Violation("new-finding", f"fix introduced findings: {sorted(introduced)}"))
    before, after = newline_kinds(text), newline_kinds(out)
    allowed = set(before) | ({r.newline} if not before else set())
    new = set(after) - allowed
    if new:
        found.append(Violation("line-endings", f"fix introduced {sorted(map(repr, new))} into a file using {sorted(map(repr, before))}"))
    old_comments, new_comments = comments(text), comments(out)
    if old_comments is not None and new_comments is not None:
        lost = old_comments - new_comments
        if lost:
            found.append(Violation("comment-lost", f"comments removed by fix: {sorted(lost)}"))
    if ast_parses(text) and ast_parses(out):
        calls_before, calls_after = len(image_calls(ast.parse(text))), len(image_calls(ast.parse(out)))
        if calls_after != calls_before:
            found.append(Violation("call-lost", f"{calls_before} image call(s) before fix, {calls_after} after: an edit landed in the wrong place"))
    if ast_parses(text) and ast_parses(out):
        before_calls, after_calls = image_calls(ast.parse(text)), image_calls(ast.parse(out))
        if len(before_calls) == len(after_calls):
            for old, new in zip(before_calls, after_calls):
                if old.legacy:
                    continue  # DM401 moves and renames legacy settings (request_timeout, api_key...)
                lost = sorted(set(old.keywords) - set(new.keywords) - set(EXCUSES))
                if lost:
                    found.append(Violation("argument-lost", f"line {new.lines[0]}: fix removed {', '.join(lost)}, which no rule is about"))
    if literal_calls and ast_parses(out):
        only = None
        if roots == "auto":
            # Arbitrary input: judge only the calls dalle-migrate itself takes for OpenAI image
            # calls (not Azure, not on a line with a noqa comment); whether it finds every call is the
            # property tests' business, where the generator knows what is a call.
            roots, only = None, recognised_calls(out, r.unsafe)
        for problem in call_problems(out, r.fixed.findings, r.unsafe, roots, only):
            found.append(Violation("literal-call", problem))
    return found


# -- the image calls of a fixed text, read with ``ast`` (independent of dalle-migrate) ----------


@dataclass
class SeenCall:
    node: ast.Call
    method: str
    endpoint: str  # generate | edit | variation
    legacy: bool
    keywords: Dict[str, ast.expr] = field(default_factory=dict)
    has_star_kwargs: bool = False

    @property
    def lines(self) -> Tuple[int, int]:
        return self.node.lineno, self.node.end_lineno or self.node.lineno


def image_calls(tree: ast.AST, roots: Optional[Sequence[str]] = None) -> List[SeenCall]:
    """``*.images[.wrapper].<method>(...)`` and ``*.Image.<legacy>(...)`` calls, in source order.

    ``roots``: when given, only calls whose receiver chain starts at one of these names (the
    names an ``openai`` import or a client binds) count."""
    calls: List[SeenCall] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        owner = node.func.value
        legacy = False
        if isinstance(owner, ast.Attribute) and owner.attr in WRAPPERS:
            owner = owner.value
        if isinstance(owner, ast.Attribute) and owner.attr == "images" and method in V1_METHODS:
            endpoint = V1_METHODS[method]
        elif isinstance(owner, ast.Attribute) and owner.attr == "Image" and method in LEGACY_METHODS:
            endpoint, legacy = LEGACY_METHODS[method], True
        else:
            continue
        if roots is not None and _root(owner) not in roots:
            continue
        seen = SeenCall(node, method, endpoint, legacy)
        for keyword in node.keywords:
            if keyword.arg is None:
                seen.has_star_kwargs = True
            else:
                seen.keywords[keyword.arg] = keyword.value
        calls.append(seen)
    calls.sort(key=lambda c: (c.node.lineno, c.node.col_offset))
    return calls


def _root(node: ast.AST) -> Optional[str]:
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Await):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


_NOT_LITERAL = object()


def literal(node: Optional[ast.expr]):
    if node is None:
        return _NOT_LITERAL
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL


def is_literal(node: Optional[ast.expr]) -> bool:
    return literal(node) is not _NOT_LITERAL


def rejected_values(call: SeenCall, unsafe: bool) -> List[Tuple[str, str]]:
    """(keyword, why) for every literal value of a fixed call that the API would reject.

    Judged against the model the call names after the fix (gpt-image-2 when it names none)."""
    problems: List[Tuple[str, str]] = []
    if call.endpoint == "variation":
        return [("model", "the variations endpoint is retired (no GPT image model serves it)")]
    if call.legacy:
        return [("model", f"openai.Image.{call.method} was removed in openai 1.0")]
    model_node = call.keywords.get("model")
    model = literal(model_node)
    if model_node is None:
        if not call.has_star_kwargs:
            problems.append(("model", "no model: the API's default was dall-e-2 (retired)"))
        model = TARGET
    elif model is _NOT_LITERAL:
        model = None  # unknown: judge nothing model-specific
    elif not isinstance(model, str):
        problems.append(("model", f"model={model!r} is not a string"))
        model = None
    elif model in RETIRED:
        problems.append(("model", f"model {model!r} is retired"))
        model = TARGET  # what it should have become
    elif model in DEPRECATED and unsafe:
        problems.append(("model", f"model {model!r} is deprecated and --unsafe-fixes moves it to {TARGET}"))
    if model is None:
        return problems
    family = "2.5" if model in GPT_IMAGE_25 else "1x" if model in DEPRECATED else "2"
    for key in ("response_format", "style"):
        if key in call.keywords:
            problems.append((key, f"{model} rejects `{key}`"))
    if "input_fidelity" in call.keywords:
        value = literal(call.keywords["input_fidelity"])
        if call.endpoint != "edit":
            problems.append(("input_fidelity", "images.generate has no `input_fidelity` keyword"))
        elif family == "2":  # gpt-image-1.x and 2.5 take it (spec section 3.2, SDK InputFidelity)
            problems.append(("input_fidelity", f"{model} rejects `input_fidelity`"))
        elif value is not _NOT_LITERAL:
            accepted = {"low"} if model == "gpt-image-1-mini" else {"low", "high"}
            if value not in accepted:
                problems.append(("input_fidelity", f"{model} accepts input_fidelity {sorted(accepted)}, not {value!r}"))
    quality = literal(call.keywords.get("quality"))
    if isinstance(quality, str):  # a bytes or number value is not something a fix writes
        accepted = QUALITY_25 if family == "2.5" else QUALITY
        if quality not in accepted:
            problems.append(("quality", f"{model} rejects quality {quality!r}"))
    size = literal(call.keywords.get("size"))
    if size is not _NOT_LITERAL and size is not None:
        if not isinstance(size, str):
            pass  # not something a fix writes; what the SDK does with it is not this oracle's business
        elif family == "1x":
            if size not in FIXED_SIZES_1X:
                problems.append(("size", f"{model} takes only {sorted(FIXED_SIZES_1X)}, not {size!r}"))
        elif _SIZE_RULE.problem(size) is not None:
            problems.append(("size", f"{model} rejects size {size!r}: {_SIZE_RULE.problem(size)}"))
    return problems


def call_problems(
    fixed_text: str,
    remaining: Iterable,
    unsafe: bool,
    roots: Optional[Sequence[str]] = None,
    only: Optional[set] = None,
) -> List[str]:
    """Rejected literal values left in the image calls of ``fixed_text`` that no remaining
    finding (on the call's lines, of a code that covers the value) reports. ``only``: the
    (first line, method) of the calls to judge."""
    tree = ast.parse(fixed_text)
    findings = list(remaining)
    problems = []
    for call in image_calls(tree, roots):
        first, last = call.lines
        if only is not None and (first, call.method) not in only:
            continue
        codes = {f.code for f in findings if f.row <= last and (f.end_row or f.row) >= first}
        for key, why in rejected_values(call, unsafe):
            if not (codes & EXCUSES[key]):
                problems.append(f"line {first}: {why} and no finding reports it (remaining: {sorted(codes) or 'none'})")
    return problems


def recognised_calls(text: str, unsafe: bool) -> set:
    """(first line, method) of the image calls dalle-migrate recognises in ``text``, minus Azure
    calls (their model is a deployment name) and calls with a ``noqa`` comment on their lines."""
    from dalle_migrate.calls import find_image_calls
    from dalle_migrate.context import ModuleContext

    try:
        ctx = ModuleContext(text, tool_settings(unsafe), newline_of(text))
        calls = find_image_calls(ctx)
    except Exception:  # noqa: BLE001 - the other invariants report what went wrong
        return set()
    out = set()
    for call in calls:
        if call.azure:
            continue
        start, end = ctx.span(call.node)
        first, last = ctx.lines.position(start)[0], ctx.lines.position(end)[0]
        if any("noqa" in ctx.lines.line_text(n) for n in range(first, last + 1)):
            continue
        out.add((first, call.node.func.attr.value))
    return out


def openai_roots(tree: ast.AST) -> List[str]:
    """Names that lead to the openai package in a module: imports of it and what is assigned
    from its clients. A cheap filter for ``image_calls`` on arbitrary (fuzzed) inputs, so that a
    user's own ``images.generate`` is not judged."""
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "openai":
                    roots.add(alias.asname or "openai")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "openai":
            for alias in node.names:
                if alias.name not in ("AzureOpenAI", "AsyncAzureOpenAI"):  # model = deployment name
                    roots.add(alias.asname or alias.name)
    changed = True
    while changed:  # client = OpenAI(); other = client.with_options(...)
        changed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _root(node.value) in roots and not _azure(node.value):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id not in roots:
                        roots.add(target.id)
                        changed = True
            elif (
                isinstance(node, ast.withitem)
                and isinstance(node.optional_vars, ast.Name)
                and _root(node.context_expr) in roots
                and not _azure(node.context_expr)
            ):
                if node.optional_vars.id not in roots:
                    roots.add(node.optional_vars.id)
                    changed = True
    for node in ast.walk(tree):  # openai.api_type = "azure": module-level calls go to Azure
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in _AZURE_SETTINGS:
                    roots.discard(_root(target) or "")
    return sorted(roots)


_AZURE_SETTINGS = {"api_type", "api_version", "azure_endpoint", "azure_ad_token", "azure_ad_token_provider"}


def _azure(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Name, ast.Attribute)) and "Azure" in (getattr(n, "id", "") or getattr(n, "attr", "")) for n in ast.walk(node))


def all_violations(text: str, literal_calls: bool = True, roots="auto") -> List[Tuple[bool, Violation]]:
    """(unsafe, violation) for a text, fixed with and without --unsafe-fixes."""
    out = []
    for unsafe in (False, True):
        for v in violations(run(text, unsafe), literal_calls=literal_calls, roots=roots):
            out.append((unsafe, v))
    return out


def read_source(path: Path) -> str:
    """A fixture file's text exactly as the CLI decodes it (BOM, cookie, line endings kept)."""
    return SourceText.decode(path.read_bytes()).text
