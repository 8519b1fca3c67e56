"""The pipeline's layers: a module may ask the layers below it, never the ones above.

The order is the pipeline's (README, "Development"): a reader can tell from it which module may
ask which. Imports inside functions count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dalle_migrate"

# Lowest first. Modules on one line are one layer (they may not import each other either way
# unless listed in SAME_LAYER_ALLOWED).
LAYERS = [
    ["source", "findings", "noqa", "catalog", "pins", "cells", "forks"],
    ["settings", "scopes", "prefilter"],
    ["parsing"],  # LibCST's tree of a text, and its index
    ["reparse"],  # an edited text's, from the last
    ["context"],
    ["discover", "index"],  # which files; who imports whom among them (kept in the cache)
    ["reads"],  # what an analysis read of the project (kept in the cache: skipped when the same)
    ["project"],
    ["values"],
    ["urls"],  # what URL an expression holds (a request's, a client's base_url)
    ["calls"],
    ["tools", "wrappers", "http_requests"],  # the Responses image tool, wrapper libraries, plain HTTP: calls by other means
    ["edits"],
    ["responses", "legacy_sdk", "uses"],  # results followed; a model value's uses
    ["rules"],
    ["selection"],  # which rules a file gets
    ["engine"],
    ["notebook", "config_files"],
    ["report"],  # output formats (and display_path, which the runner uses for messages)
    ["runner", "add_noqa"],  # running the analysis; accepting its findings as they are
    ["emulator"],
    ["config"],
    ["server"],  # the language server: the runner's analysis for an editor
    ["cli", "__main__"],
]
SAME_LAYER_ALLOWED = {("settings", "catalog")}


def _layer_of(name: str) -> int:
    for index, layer in enumerate(LAYERS):
        if name in layer:
            return index
    raise AssertionError(f"module {name!r} is in no layer of tests/test_layers.py: place it")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            depth_from_package = len(path.relative_to(PACKAGE).parts) - 1
            if node.level - 1 < depth_from_package:  # within a subpackage (rules/, report/)
                continue
            module = (node.module or "").split(".")[0]
            names = [module] if module else [alias.name for alias in node.names]
            for name in names:
                if (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir():  # else a name of __init__
                    yield name, node.lineno


def test_no_module_asks_a_layer_above_it() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        own = parts[0][:-3] if len(parts) == 1 else parts[0]
        if own == "__init__":
            continue
        for name, line in _imports(path):
            if name == own or (own, name) in SAME_LAYER_ALLOWED:
                continue
            if _layer_of(name) >= _layer_of(own):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {name} (layer {_layer_of(name)} >= {_layer_of(own)})")
    assert wrong == []
