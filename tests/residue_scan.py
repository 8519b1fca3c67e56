"""An independent scanner for *residue*: constructs that cannot work on the target model (issue #12).

It uses only ``ast``/``tokenize``/``json`` - none of dalle-migrate's own analysis - so that it can
check the analysis. The only thing it takes from the package is *facts*, read from the catalogue
(``dalle_migrate.catalog.default_catalog()``): which model ids are retired or deprecated on a date,
which keywords the target rejects, which ``quality`` values it does not accept, and its size rule.

It is deliberately syntactic and over-approximate: it does not know which calls are OpenAI's, so
look-alike code (another SDK's ``images.generate``, a user's own class, a ``.url`` read of an HTTP
response) produces items too; the residue test decides what to do with those (its allowlist).

What counts as residue (one item each, ``kind`` in parentheses):

- a string constant equal to a model id that is retired (``retired-model``) or deprecated
  (``deprecated-model``) on the given date, anywhere but a docstring (comments are not in the
  AST, so never residue);
- a keyword argument the target rejects (``response_format``, ``style``, ``input_fidelity``: every
  parameter the catalogue marks with ``error`` on one of the target's endpoints), on a call whose
  function is an attribute named ``generate``, ``edit`` or ``create_variation`` (``kw:<name>``);
  also as a key of a dict passed to such a call as ``**{...}``, or as ``**name`` where the file
  assigns ``name`` a dict literal or ``dict(...)``, or sets ``name["style"] = ...`` (matched by
  name, not by scope);
- a ``quality`` value the target does not accept (``standard``, ``hd``: the values the retired and
  deprecated models accept, and the target's known replacements, minus what the target accepts)
  as a ``quality=`` keyword of any call, as the value under a dict key ``"quality"``, or in the
  value of an assignment to a name, attribute or subscript, or a parameter default, whose name
  contains ``quality`` (``quality``); "in the value" follows ``a if c else b``, ``a or b``,
  containers, dict values and call arguments (``os.getenv("Q", "hd")``), never dict keys;
- a ``WxH`` size the target's size rule rejects (``256x256``, ``512x512``...), in the same
  positions for ``size`` (``size``);
- reading ``.url``, subscripting ``["url"]`` or ``getattr(x, "url")`` (``url-read``);
- an ``openai.Image.<attr>`` chain, through ``import openai as X`` and ``from openai import Image``
  aliases (``legacy-api``);
- a call of an attribute named ``create_variation`` / ``acreate_variation`` (``variation``); the
  items among its arguments record the call's line (``Item.within``).

One exception, from the catalogue too: a generate/edit call whose literal ``model=`` names an
active model (the target, or another one such as ``gpt-image-2.5-flare``, which ``fix`` leaves
alone) has its keywords, quality and size judged against that model (``input_fidelity="high"``
works on gpt-image-2.5-flare's edit endpoint: not residue there).

A file ``ast`` cannot parse falls back to ``tokenize``: its string tokens equal to a model id
(``scanned_with = "tokenize"``). Notebooks: the code cells are joined (lines starting with ``%``,
``!`` or ``?``, and ``obj?`` help lines, blanked so that line numbers stay) and scanned as one
module; each item is then placed back in its cell (``cell`` is the 1-based index of the cell in
the notebook, as dalle-migrate's findings count, ``line`` the row within the cell). When the
joined cells do not parse, each cell is scanned on its own.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import fnmatch
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tokenize
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

from dalle_migrate.catalog import default_catalog

TODAY = dt.date(2026, 11, 25)
TARGET = "gpt-image-2"

ENDPOINT_METHODS = frozenset({"generate", "edit", "create_variation"})
VARIATION_METHODS = frozenset({"create_variation", "acreate_variation"})
_WXH = re.compile(r"^\d+[xX]\d+$")
_MAGIC_LINE = re.compile(r"^\s*(?:[%!?]|[\w.]+\?\??\s*$)")

PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class Facts:
    """What the scanner needs to know about the API, read from the catalogue."""

    retired: FrozenSet[str]
    deprecated: FrozenSet[str]
    rejected_keywords: FrozenSet[str]
    rejected_qualities: FrozenSet[str]
    target: str
    today: dt.date

    def model_kind(self, value: str) -> Optional[str]:
        if value in self.retired:
            return "retired-model"
        if value in self.deprecated:
            return "deprecated-model"
        return None

    def accepts(self, model: Optional[str], method: Optional[str], param: str, value: Optional[ast.AST] = None) -> bool:
        """Whether an active model a call names itself accepts ``param`` (with ``value``, when a string
        literal) on the endpoint of ``method``: such a call works as written, it is not residue."""
        if model is None or method is None:
            return False
        catalog = default_catalog()
        endpoint = catalog.methods.get(method)
        rules = catalog.params(model, endpoint) if endpoint else None
        rule = (rules or {}).get(param)
        if rule is None or rule.rejected:
            return False
        if value is None:
            return True
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return False  # a computed value: judged against the target like any other
        if rule.size:
            size_rule = catalog.size_rule(model)
            return size_rule is not None and size_rule.problem(value.value) is None
        return rule.values is None or value.value in rule.values

    def size_rejected(self, value: str) -> bool:
        if not _WXH.match(value):
            return False
        rule = default_catalog().size_rule(self.target)
        return rule is not None and rule.problem(value) is not None


def facts(today: dt.date = TODAY, target: str = TARGET) -> Facts:
    catalog = default_catalog()
    target_params = {ep: catalog.params(target, ep) or {} for ep in catalog.model(target).endpoints}
    rejected_keywords = {name for rules in target_params.values() for name, rule in rules.items() if rule.rejected}
    accepted_quality = set()
    for rules in target_params.values():
        rule = rules.get("quality")
        if rule is not None and rule.values:
            accepted_quality.update(rule.values)
    # Values the models being migrated away from accept, and the target's known replacements.
    known_quality = set()
    leaving = set(catalog.ids_with_status("retired", today)) | set(catalog.ids_with_status("deprecated", today))
    for model_id in leaving:
        for endpoint in catalog.endpoints:
            rule = (catalog.params(model_id, endpoint) or {}).get("quality")
            if rule is not None:
                known_quality.update(rule.values or ())
    for rules in target_params.values():
        rule = rules.get("quality")
        if rule is not None:
            known_quality.update(rule.replace)
    return Facts(
        retired=frozenset(catalog.ids_with_status("retired", today)),
        deprecated=frozenset(catalog.ids_with_status("deprecated", today)),
        rejected_keywords=frozenset(rejected_keywords),
        rejected_qualities=frozenset(str(q) for q in known_quality - accepted_quality),
        target=target,
        today=today,
    )


@dataclass(frozen=True)
class Item:
    """One residue item: where it is, what kind, and its source text."""

    line: int  # 1-based; in a notebook, the row within the cell
    kind: str
    text: str
    cell: Optional[int] = None  # notebooks: 1-based index of the cell in the notebook's cells
    col: int = 0  # 1-based, for messages only
    # The line of the ``variation`` item of the create_variation call this item is an argument
    # of: the retired endpoint makes the whole call unusable, so a finding on it covers the call.
    within: Optional[int] = None
    source_line: str = ""  # the text of line ``line`` (for the allowlist and messages)
    within_line: str = ""  # the text of line ``within``

    def where(self) -> str:
        return (f"cell {self.cell}:" if self.cell is not None else "") + f"{self.line}:{self.col}"


@dataclass
class Scan:
    items: List[Item]
    scanned_with: str  # "ast", "tokenize" (the file does not parse) or "none" (not Python)


# -- the AST visitor -------------------------------------------------------------------------------
def _name_of(target: ast.AST) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return target.slice.value
    return ""


def _value_strings(node: Optional[ast.AST]) -> Iterator[ast.Constant]:
    """The string constants an expression can evaluate to, or pass on as a value: the literal, both
    sides of ``a if c else b`` and ``a or b``, the elements of containers, the values of dicts, the
    arguments of calls (``os.getenv("X", "hd")``). Not dict keys, conditions or comparisons."""
    if node is None:
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            yield node
    elif isinstance(node, ast.IfExp):
        yield from _value_strings(node.body)
        yield from _value_strings(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _value_strings(value)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _value_strings(element)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _value_strings(value)
    elif isinstance(node, ast.Call):
        for arg in node.args:
            yield from _value_strings(arg)
        for keyword in node.keywords:
            yield from _value_strings(keyword.value)
    elif isinstance(node, ast.NamedExpr):
        yield from _value_strings(node.value)
    elif isinstance(node, ast.Starred):
        yield from _value_strings(node.value)


class _Visitor(ast.NodeVisitor):
    def __init__(self, facts: Facts, source: str) -> None:
        self.facts = facts
        self.source = source
        self.items: List[Item] = []
        self._seen = set()
        self._variation: List[int] = []  # lines of the create_variation calls being visited
        self.kwargs_names = set()  # names passed as **name to a generate/edit/create_variation call
        self.openai_names = set()  # names bound to the openai module
        self.image_names = set()  # names bound to openai.Image

    # -- helpers ---------------------------------------------------------------------------------
    def add(self, node: ast.AST, kind: str, text: Optional[str] = None) -> None:
        key = (node.lineno, node.col_offset, kind)
        if key in self._seen:
            return
        self._seen.add(key)
        if text is None:
            text = ast.get_source_segment(self.source, node) or ast.dump(node)
        within = self._variation[-1] if self._variation else None
        self.items.append(Item(node.lineno, kind, text, col=node.col_offset + 1, within=within))

    def value_residue(self, param: str, value: Optional[ast.AST]) -> None:
        """Values of ``quality`` / ``size`` the target rejects, at a place that names the parameter."""
        for constant in _value_strings(value):
            if param == "quality" and constant.value in self.facts.rejected_qualities:
                self.add(constant, "quality")
            elif param == "size" and self.facts.size_rejected(constant.value):
                self.add(constant, "size")

    def named_value(self, name: str, value: Optional[ast.AST]) -> None:
        lowered = name.lower()
        for param in ("quality", "size"):
            if param in lowered:
                self.value_residue(param, value)

    def prepare(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ENDPOINT_METHODS:
                for keyword in node.keywords:
                    if keyword.arg is None and isinstance(keyword.value, ast.Name):
                        self.kwargs_names.add(keyword.value.id)

    def kwargs_keys(self, value: Optional[ast.AST]) -> None:
        """Rejected keywords as keys of a dict that is passed as ``**kwargs`` to an endpoint call."""
        if isinstance(value, ast.Dict):
            for key in value.keys:
                if isinstance(key, ast.Constant) and key.value in self.facts.rejected_keywords:
                    self.add(key, f"kw:{key.value}")
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
            for keyword in value.keywords:
                if keyword.arg in self.facts.rejected_keywords:
                    self.add(keyword, f"kw:{keyword.arg}")

    # -- module structure ------------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        # A bare string statement (a docstring, or a string used as a comment) is never residue.
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "openai":
                self.openai_names.add(alias.asname or "openai")
            elif alias.name.startswith("openai.") and alias.asname is None:
                self.openai_names.add("openai")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "openai" and node.level == 0:
            for alias in node.names:
                if alias.name == default_catalog().sdk.legacy_class:
                    self.image_names.add(alias.asname or alias.name)
        self.generic_visit(node)

    # -- strings ---------------------------------------------------------------------------------
    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            kind = self.facts.model_kind(node.value)
            if kind:
                self.add(node, kind)

    # -- calls -----------------------------------------------------------------------------------
    def call_model(self, node: ast.Call) -> Optional[str]:
        """The model a call names with a literal ``model=`` that is active and documented (the call
        is judged against it, not the target: it is not migrated); None otherwise."""
        for keyword in node.keywords:
            if keyword.arg == "model" and isinstance(keyword.value, ast.Constant):
                value = keyword.value.value
                catalog = default_catalog()
                model = catalog.model(value) if isinstance(value, str) else None
                if model is not None and model.documented and catalog.status(value, self.facts.today) == "active":
                    return value
        return None

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        own_model = self.call_model(node) if method in ENDPOINT_METHODS else None
        variation = method in VARIATION_METHODS
        if variation:
            self.add(node, "variation", ast.get_source_segment(self.source, func))
            self._variation.append(node.lineno)
        if method in ENDPOINT_METHODS:
            for keyword in node.keywords:
                if keyword.arg in self.facts.rejected_keywords and not self.facts.accepts(own_model, method, keyword.arg):
                    self.add(keyword, f"kw:{keyword.arg}")
                elif keyword.arg is None:
                    self.kwargs_keys(keyword.value)  # **{"style": "vivid"}
        if (
            isinstance(func, ast.Name)
            and func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "url"
        ):
            self.add(node, "url-read")  # getattr(item, "url")
        for keyword in node.keywords:
            if keyword.arg in ("quality", "size") and not self.facts.accepts(own_model, method, keyword.arg, keyword.value):
                self.value_residue(keyword.arg, keyword.value)
        self.generic_visit(node)
        if variation:
            self._variation.pop()

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value in ("quality", "size"):
                self.value_residue(key.value, value)
        self.generic_visit(node)

    # -- assignments and defaults ----------------------------------------------------------------
    def assigned(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        self.named_value(_name_of(target), value)
        if isinstance(target, ast.Name) and target.id in self.kwargs_names:
            self.kwargs_keys(value)  # DEFAULTS = {"response_format": "url", ...}
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id in self.kwargs_names
            and isinstance(target.slice, ast.Constant)
            and target.slice.value in self.facts.rejected_keywords
        ):
            self.add(target, f"kw:{target.slice.value}")  # params["style"] = "vivid"

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            for leaf in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                self.assigned(leaf, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.assigned(node.target, node.value)
        self.generic_visit(node)

    def _defaults(self, args: ast.arguments) -> None:
        positional = args.posonlyargs + args.args
        for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
            self.named_value(arg.arg, default)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            self.named_value(arg.arg, default)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._defaults(node.args)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._defaults(node.args)
        self.generic_visit(node)

    # -- response reads and the legacy API ------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "url" and isinstance(node.ctx, ast.Load):
            self.add(node, "url-read")
        legacy = default_catalog().sdk.legacy_class
        value = node.value
        if (
            isinstance(value, ast.Attribute)
            and value.attr == legacy
            and isinstance(value.value, ast.Name)
            and value.value.id in self.openai_names
        ) or (isinstance(value, ast.Name) and value.id in self.image_names):
            self.add(node, "legacy-api")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        index = node.slice
        if isinstance(index, ast.Index):  # pragma: no cover - Python < 3.9
            index = index.value  # type: ignore[attr-defined]
        if isinstance(index, ast.Constant) and index.value == "url" and isinstance(node.ctx, ast.Load):
            self.add(node, "url-read")
        self.generic_visit(node)


def scan_python(source: str, the_facts: Optional[Facts] = None) -> Scan:
    """Residue items of one Python module (``tokenize`` fallback when ``ast`` cannot parse it)."""
    the_facts = the_facts or facts()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        items, how = _scan_tokens(source, the_facts), "tokenize"
    else:
        visitor = _Visitor(the_facts, source)
        visitor.prepare(tree)
        visitor.visit(tree)
        items, how = visitor.items, "ast"
    lines = source.splitlines()

    def text(row: Optional[int]) -> str:
        return lines[row - 1] if row is not None and 0 < row <= len(lines) else ""

    items = [dataclasses.replace(i, source_line=text(i.line), within_line=text(i.within)) for i in items]
    return Scan(sorted(items, key=lambda i: (i.line, i.col, i.kind)), how)


def _scan_tokens(source: str, the_facts: Facts) -> List[Item]:
    """Model ids in the string tokens of a file ``ast`` cannot parse (as far as it tokenizes)."""
    items = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.STRING:
                continue
            try:
                value = ast.literal_eval(token.string)
            except (SyntaxError, ValueError):
                continue
            kind = the_facts.model_kind(value) if isinstance(value, str) else None
            if kind:
                items.append(Item(token.start[0], kind, token.string, col=token.start[1] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return items


# -- notebooks -------------------------------------------------------------------------------------
def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def scan_notebook(text: str, the_facts: Optional[Facts] = None) -> Scan:
    the_facts = the_facts or facts()
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return Scan([], "none")  # not a notebook's JSON
    code: List[Tuple[int, List[str]]] = []  # (cell number, lines with IPython lines blanked)
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        lines = [("" if _MAGIC_LINE.match(line) else line) for line in _cell_source(cell).splitlines()]
        code.append((number, lines))
    joined: List[str] = []
    origin: List[Tuple[int, int]] = []  # joined line -> (cell, row in cell)
    for number, lines in code:
        for row, line in enumerate(lines, start=1):
            joined.append(line)
            origin.append((number, row))
    whole = scan_python("\n".join(joined) + "\n", the_facts)
    if whole.scanned_with == "ast":
        items = [
            dataclasses.replace(
                i,
                line=origin[i.line - 1][1],
                cell=origin[i.line - 1][0],
                within=origin[i.within - 1][1] if i.within else None,
            )
            for i in whole.items
        ]
        return Scan(items, "ast")
    items, how = [], "ast"
    for number, lines in code:
        one = scan_python("\n".join(lines) + "\n", the_facts)
        if one.scanned_with != "ast":
            how = "ast+tokenize"
        items.extend(dataclasses.replace(i, cell=number) for i in one.items)
    return Scan(items, how)


# -- configuration files ---------------------------------------------------------------------------
# DM106's files are part of the corpus (fix and check must handle them) but are not scanned: which
# strings of a YAML/TOML/INI file are values a program sends, and which are keys, section names or
# prose, is a per-format question the Python scanner does not answer.
CONFIG_SUFFIXES = (".env", ".yaml", ".yml", ".toml", ".json", ".ini", ".cfg")


def is_config(path: Path) -> bool:
    return path.name == ".env" or path.name.startswith(".env.") or path.suffix in CONFIG_SUFFIXES


def scan_file(path: Path, the_facts: Optional[Facts] = None) -> Scan:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if path.suffix in PYTHON_SUFFIXES:
        return scan_python(text, the_facts)
    if path.suffix == NOTEBOOK_SUFFIX:
        return scan_notebook(text, the_facts)
    return Scan([], "none")  # a configuration file


def scannable(path: Path) -> bool:
    return path.suffix in PYTHON_SUFFIXES or path.suffix == NOTEBOOK_SUFFIX or is_config(path)


# -- the corpus: fix, check, and what is left ------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
TODAY_ARG = TODAY.isoformat()
TIMEOUT = 120  # seconds, per subprocess
PARTS = ("fixtures", "regressions", "programs", "projects")


@dataclass(frozen=True)
class Case:
    """One unit of the corpus: a single file (copied alone into its own folder) or a project folder."""

    part: str  # one of PARTS
    source: Path  # the original file or folder
    project: bool = False
    root: Path = ROOT  # what ``name`` (and the corpus paths of its files) are relative to

    @property
    def name(self) -> str:
        return self.source.relative_to(self.root).as_posix()


def corpus(root: Path = ROOT) -> List[Case]:
    cases = []
    for path in sorted((root / "fixtures").glob("DM*/*")):
        if path.is_file() and scannable(path):
            cases.append(Case("fixtures", path))
    for path in sorted((root / "fixtures" / "regressions").iterdir()):
        if path.is_file() and scannable(path):
            cases.append(Case("regressions", path))
    for path in sorted((root / "tests" / "e2e" / "programs").iterdir()):
        if path.is_file() and scannable(path):
            cases.append(Case("programs", path))
    for path in sorted((root / "tests" / "e2e" / "projects").iterdir()):
        if path.is_dir():
            cases.append(Case("projects", path, project=True))
    return cases


@dataclass(frozen=True)
class Residue:
    """A residue item in one file of a case, ``file`` relative to the case (``source`` for a file)."""

    case: str
    file: str  # the corpus path of the file (relative to the repository, with /)
    item: Item

    def describe(self) -> str:
        return f"{self.file}:{self.item.where()}: {self.item.kind} {self.item.text!r}"


@dataclass
class Outcome:
    case: Case
    before: List[Residue]
    after: List[Residue]
    uncovered: List[Residue]  # after the fix, not covered by a finding of check (allowlist not applied)
    fix_exit: int
    check_exit: int
    findings: List[dict]
    errors: List[str]  # a crash, a bad exit code, output that does not parse


@dataclass(frozen=True)
class CliRun:
    args: Tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str


_CHDIR = threading.Lock()


def run_cli(args: Sequence[str], cwd: Path, in_process: bool = True) -> CliRun:
    """``python -m dalle_migrate ARGS --today TODAY --format json`` in ``cwd``: in this process with
    click's CliRunner (cheap: the package is imported once), or as a subprocess."""
    full = (*args, "--today", TODAY_ARG, "--format", "json")
    if in_process:
        from click.testing import CliRunner

        from dalle_migrate.cli import main

        with _CHDIR:  # the working directory is the process's: one in-process run at a time
            old = os.getcwd()
            os.chdir(cwd)
            try:
                result = CliRunner().invoke(main, list(full))
            finally:
                os.chdir(old)
        try:
            stderr = result.stderr
        except ValueError:  # click < 8.2 mixes stderr into stdout by default
            stderr = ""
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += "".join(traceback.format_exception(*result.exc_info))
        return CliRun(full, result.exit_code, result.stdout, stderr)
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("OPENAI_", "AZURE_OPENAI"))}
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "dalle_migrate", *full],
        cwd=str(cwd),
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    return CliRun(full, proc.returncode, proc.stdout, proc.stderr)


def _files(folder: Path) -> List[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and scannable(p))


def _covers(finding: dict, file: Path, item: Item, folder: Path, line: Optional[int] = None) -> bool:
    """Whether a finding of ``check`` covers a residue item (at ``line``, default the item's): same
    file (and cell), and its rows contain the line. A DM900 finding (the file, or the cell, cannot
    be parsed, so the tool says it could not analyse it) covers the whole file, or cell."""
    if (folder / finding["filename"]).resolve() != file.resolve():
        return False
    if item.cell is not None and finding.get("cell") not in (None, item.cell):
        return False
    if finding["code"] == "DM900":
        return True
    line = item.line if line is None else line
    return finding["location"]["row"] <= line <= finding["end_location"]["row"]


def covered(findings: Sequence[dict], file: Path, item: Item, folder: Path) -> bool:
    """Covered by a finding on its line(s), or an argument of a create_variation call covered by a
    finding (the retired endpoint makes the whole call unusable: DM402 reports the call)."""
    if any(_covers(f, file, item, folder) for f in findings):
        return True
    return item.within is not None and any(_covers(f, file, item, folder, item.within) for f in findings)


def run_case(case: Case, workdir: Path, the_facts: Optional[Facts] = None, in_process: bool = True) -> Outcome:
    """Copy the case into ``workdir``, scan it, ``fix`` it, ``check`` the result, scan it again."""
    the_facts = the_facts or facts()
    folder = workdir / case.name.replace("/", "__")
    if case.project:
        shutil.copytree(case.source, folder)
        args: List[str] = ["."]
    else:
        folder.mkdir(parents=True)
        shutil.copy2(case.source, folder / case.source.name)
        args = [case.source.name]

    def corpus_path(file: Path) -> str:
        if case.project:
            return (case.source / file.relative_to(folder)).relative_to(case.root).as_posix()
        return case.name

    def residue(files: Iterable[Path]) -> List[Residue]:
        return [Residue(case.name, corpus_path(f), item) for f in files for item in scan_file(f, the_facts).items]

    files = _files(folder)
    before = residue(files)
    errors = []
    fix = run_cli(["fix", *args], folder, in_process)
    if fix.exit_code not in (0, 1):
        errors.append(f"fix exited {fix.exit_code}: {fix.stderr.strip()[-2000:]}")
    check = run_cli(["check", *args], folder, in_process)
    findings: List[dict] = []
    if check.exit_code not in (0, 1):
        errors.append(f"check exited {check.exit_code}: {check.stderr.strip()[-2000:]}")
    else:
        try:
            findings = json.loads(check.stdout or "[]")
        except ValueError as exc:
            errors.append(f"check --format json printed no JSON ({exc}): {check.stdout[:500]!r}")
    after, uncovered = [], []
    for file in files:
        for item in scan_file(file, the_facts).items:
            entry = Residue(case.name, corpus_path(file), item)
            after.append(entry)
            if not covered(findings, file, item, folder):
                uncovered.append(entry)
    return Outcome(case, before, after, uncovered, fix.exit_code, check.exit_code, findings, errors)


def run_corpus(
    workdir: Path, cases: Optional[Sequence[Case]] = None, in_process: bool = True, jobs: Optional[int] = None
) -> List[Outcome]:
    """Every case of the corpus: in this process one after the other (~2 s in all), or as
    concurrent subprocesses (two per case, ~0.3 s each)."""
    cases = list(cases if cases is not None else corpus())
    the_facts = facts()
    if in_process:
        return [run_case(case, workdir, the_facts) for case in cases]
    workers = jobs or max(2, (os.cpu_count() or 2) * 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda case: run_case(case, workdir, the_facts, in_process=False), cases))


# -- judging what is left: covered, allowlisted, a known bug, or silent ------------------------------
@dataclass(frozen=True)
class Allowed:
    """A residue item that is not residue: look-alike code that is not an OpenAI image call."""

    path: str  # fnmatch glob on the corpus path (``Residue.file``)
    line: str  # a substring of the item's line, or of the line of the create_variation call it is in
    reason: str  # why the construct is not an OpenAI image call

    def matches(self, residue: Residue) -> bool:
        item = residue.item
        return fnmatch.fnmatchcase(residue.file, self.path) and (
            self.line in item.source_line or (item.within is not None and self.line in item.within_line)
        )


@dataclass(frozen=True)
class Bug:
    """Silent residue that is a dalle-migrate bug: its case is a strict xfail until it is fixed."""

    path: str  # fnmatch glob on the corpus path
    line: str  # a substring of the item's line
    kind: str  # the item's kind
    reason: str  # what dalle-migrate does wrong, and a minimal reproduction

    def matches(self, residue: Residue) -> bool:
        return (
            fnmatch.fnmatchcase(residue.file, self.path)
            and residue.item.kind == self.kind
            and self.line in residue.item.source_line
        )


@dataclass
class Verdicts:
    allowlisted: List[Residue]
    known: List[Residue]  # silent, but a known bug
    silent: List[Residue]


def judge(outcome: Outcome, allowlist: Sequence[Allowed], bugs: Sequence[Bug] = ()) -> Verdicts:
    allowlisted, known, silent = [], [], []
    for residue in outcome.uncovered:
        if any(a.matches(residue) for a in allowlist):
            allowlisted.append(residue)
        elif any(b.matches(residue) for b in bugs):
            known.append(residue)
        else:
            silent.append(residue)
    return Verdicts(allowlisted, known, silent)


COLUMNS = ("cases", "before", "after", "covered", "allowlisted", "known bug", "silent")


def tally(
    outcomes: Sequence[Outcome], allowlist: Sequence[Allowed], bugs: Sequence[Bug] = ()
) -> Dict[str, Dict[str, Dict[str, int]]]:
    """Counts per corpus part and per kind: {"part"|"kind": {row: {column: n}}}, rows ending in "all"."""
    parts: Dict[str, Dict[str, int]] = {}
    kinds: Dict[str, Dict[str, int]] = {}

    def bump(table: Dict[str, Dict[str, int]], row: str, column: str, n: int = 1) -> None:
        table.setdefault(row, dict.fromkeys(COLUMNS, 0))[column] += n

    for outcome in outcomes:
        verdicts = judge(outcome, allowlist, bugs)
        part = outcome.case.part
        for row in (part, "all"):
            bump(parts, row, "cases")
            bump(parts, row, "before", len(outcome.before))
            bump(parts, row, "after", len(outcome.after))
            bump(parts, row, "covered", len(outcome.after) - len(outcome.uncovered))
            bump(parts, row, "allowlisted", len(verdicts.allowlisted))
            bump(parts, row, "known bug", len(verdicts.known))
            bump(parts, row, "silent", len(verdicts.silent))
        for column, entries in (("before", outcome.before), ("after", outcome.after)):
            for residue in entries:
                for row in (residue.item.kind, "all"):
                    bump(kinds, row, column)
        for column, entries in (
            ("allowlisted", verdicts.allowlisted),
            ("known bug", verdicts.known),
            ("silent", verdicts.silent),
        ):
            for residue in entries:
                for row in (residue.item.kind, "all"):
                    bump(kinds, row, column)
    for row in kinds.values():
        row["covered"] = row["after"] - row["allowlisted"] - row["known bug"] - row["silent"]
    order = {p: i for i, p in enumerate(PARTS)}
    parts = dict(sorted(parts.items(), key=lambda kv: (kv[0] == "all", order.get(kv[0], 99))))
    kinds = dict(sorted(kinds.items(), key=lambda kv: (kv[0] == "all", kv[0])))
    return {"part": parts, "kind": kinds}


def render_table(counts: Dict[str, Dict[str, Dict[str, int]]]) -> str:
    """The counts as two plain-text tables (by corpus part, by kind)."""
    out = []
    for title, table in counts.items():
        columns = COLUMNS if title == "part" else COLUMNS[1:]
        width = max([len(title)] + [len(row) for row in table]) + 2
        out.append(title.ljust(width) + "".join(c.rjust(12) for c in columns))
        for row, values in table.items():
            out.append(row.ljust(width) + "".join(str(values[c]).rjust(12) for c in columns))
        out.append("")
    return "\n".join(out)
