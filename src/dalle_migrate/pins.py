"""Which major version of the ``openai`` SDK a project pins, read from its dependency files.

Legacy ``openai.Image.*`` calls only run on openai 0.x; whether rewriting them for 1.x is safe
depends on the SDK the project installs. The first of these files (in the project root) that
names the package decides: ``requirements*.txt`` (and ``requirements/*.txt``), ``pyproject.toml``
(``[project] dependencies``, ``[tool.poetry.dependencies]``), ``setup.cfg`` (``install_requires``),
``Pipfile`` (``[packages]``), ``setup.py`` (a quoted requirement). A range that allows only
versions below 1.0 pins 0.x; one that allows none below 1.0 pins 1.x or later; anything else
(no file, no bound, ``*``) says nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

V0 = "0.x"
V1 = ">=1.0"


@dataclass(frozen=True)
class Pin:
    major: str  # V0 or V1
    spec: str  # the requirement as written, for messages: "openai==0.28.1"
    source: str  # the file that says so, relative to the project root

    def describe(self) -> str:
        return f"`{self.spec}` in {self.source}"


def project_pin(root: str, package: str = "openai") -> Optional[Pin]:
    """What the project at ``root`` pins for ``package``; None when nothing says."""
    for source, spec in _requirements(root, package):
        major = classify(_specifier(spec, package))
        if major is not None:
            return Pin(major, spec.strip(), source)
    return None


def classify(specifier: str) -> Optional[str]:
    """V0, V1 or None for a version specifier (PEP 440 or Poetry): ``==0.28.1``, ``<1``,
    ``~=0.27``, ``^0.28``, ``>=1.3,<2``, ``1.*``..."""
    low, high = (0,), None  # allowed versions: [low, high) with high None = unbounded
    clauses = [c.strip() for c in re.split(r"[,\s]+(?=[<>=!~^]|\d)", specifier.strip()) if c.strip()]
    if not clauses:
        return None
    for clause in clauses:
        match = re.fullmatch(r"(===|==|~=|!=|<=|>=|<|>|\^|~)?\s*v?([0-9][0-9.]*)(\.\*)?", clause)
        if match is None:
            if clause in ("*", ""):
                continue
            return None
        op, text, star = match.group(1) or "==", match.group(2).rstrip("."), match.group(3)
        version = tuple(int(p) for p in text.split(".") if p)
        if op in ("==", "===") and star:
            low, high = _tighter(low, high, version, _bump(version, len(version) - 1))
        elif op in ("==", "==="):
            low, high = _tighter(low, high, version, version + (0, 0, 1))
        elif op in (">=", ">"):
            low, high = _tighter(low, high, version, None)
        elif op in ("<", "<="):
            low, high = _tighter(low, high, (0,), version if op == "<" else version + (0, 0, 1))
        elif op == "~=":
            low, high = _tighter(low, high, version, _bump(version, max(len(version) - 2, 0)))
        elif op == "^":  # Poetry: up to the next change of the first non-zero part
            first = next((i for i, part in enumerate(version) if part), len(version) - 1)
            low, high = _tighter(low, high, version, _bump(version, first))
        elif op == "~":  # Poetry: ~1.2 -> <1.3, ~1 -> <2
            low, high = _tighter(low, high, version, _bump(version, min(1, len(version) - 1)))
    if high is not None and _norm(high) <= (1,):
        return V0
    if _norm(low) >= (1,):
        return V1
    return None


def _norm(version: Tuple[int, ...]) -> Tuple[int, ...]:
    """1.0.0 == 1.0 == 1: trailing zeros say nothing."""
    while len(version) > 1 and version[-1] == 0:
        version = version[:-1]
    return version


def _tighter(low, high, new_low, new_high):
    low = max(low, new_low)
    if new_high is not None:
        high = new_high if high is None else min(high, new_high)
    return low, high


def _bump(version: Tuple[int, ...], index: int) -> Tuple[int, ...]:
    return version[:index] + (version[index] + 1,)


def _specifier(requirement: str, package: str) -> str:
    """``openai[datalib]>=0.27 ; python_version > "3.7"`` -> ``>=0.27``."""
    text = re.split(r"\s(?:\\|--|#)", requirement.split(";")[0] + " ")[0].strip()  # `\`, `--hash=...`
    text = re.sub(rf"^{re.escape(package)}\s*(\[[^\]]*\])?", "", text, flags=re.IGNORECASE).strip()
    return text.strip("()").strip()


def _requirements(root: str, package: str) -> Iterator[Tuple[str, str]]:
    """(file, requirement) for each requirement on ``package`` the project's files make."""
    named = re.compile(rf"^\s*{re.escape(package)}(?![\w.-])", re.IGNORECASE)
    for name in _requirement_files(root):
        text = _read(os.path.join(root, name))
        for line in (text or "").splitlines():
            line = line.split("#")[0].strip()
            if named.match(line):
                yield name, line
    pyproject = _toml(os.path.join(root, "pyproject.toml"))
    if pyproject is not None:
        project = pyproject.get("project", {})
        for requirement in project.get("dependencies", []) if isinstance(project, dict) else []:
            if isinstance(requirement, str) and named.match(requirement):
                yield "pyproject.toml", requirement
        poetry = pyproject.get("tool", {}).get("poetry", {}) if isinstance(pyproject.get("tool"), dict) else {}
        for version in _table_versions(poetry.get("dependencies") if isinstance(poetry, dict) else None, package):
            yield "pyproject.toml", f"{package} {version}"
    setup_cfg = _read(os.path.join(root, "setup.cfg"))
    if setup_cfg:
        for line in setup_cfg.splitlines():
            if named.match(line.strip()):
                yield "setup.cfg", line.strip()
    pipfile = _toml(os.path.join(root, "Pipfile"))
    if pipfile is not None:
        for version in _table_versions(pipfile.get("packages"), package):
            yield "Pipfile", f"{package}{version}"
    setup_py = _read(os.path.join(root, "setup.py"))
    if setup_py:
        for quoted in re.findall(rf"[\"']({re.escape(package)}(?![\w.-])[^\"']*)[\"']", setup_py, flags=re.IGNORECASE):
            yield "setup.py", quoted


def _table_versions(table, package: str) -> Iterator[str]:
    """The version a TOML table of dependencies (Poetry's, a Pipfile's) gives ``package``:
    ``openai = "^1.3"`` or ``openai = { version = "^1.3", extras = [...] }``."""
    for key, value in table.items() if isinstance(table, dict) else ():
        if key.lower() == package:
            version = value.get("version", "") if isinstance(value, dict) else value
            if isinstance(version, str):
                yield version


def _requirement_files(root: str) -> List[str]:
    found = []
    for folder in ("", "requirements"):
        try:
            names = sorted(os.listdir(os.path.join(root, folder) if folder else root))
        except OSError:
            continue
        for name in names:
            if name.endswith(".txt") and (folder or name.startswith("requirements")):
                found.append(os.path.join(folder, name) if folder else name)
    return found


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(1 << 20)
    except OSError:
        return None


def _toml(path: str) -> Optional[dict]:
    text = _read(path)
    if text is None:
        return None
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
