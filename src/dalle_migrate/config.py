"""``[tool.dalle-migrate]`` in pyproject.toml: found from the current folder upwards, or given
with ``--config``; ``--isolated`` ignores it. Command-line options win over the file."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

SECTION = "dalle-migrate"


class ConfigError(Exception):
    """A configuration file that cannot be used: the CLI says why and exits 2."""


@dataclass(frozen=True)
class Config:
    path: Optional[Path] = None  # the file it came from
    target: Optional[str] = None
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    exclude: Optional[Tuple[str, ...]] = None  # replaces the default excludes
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    azure_deployments: Tuple[Tuple[str, str], ...] = ()  # deployment name -> the model it serves now
    unsafe_fixes: Optional[bool] = None
    today: Optional[str] = None
    catalog: Optional[Path] = None

    @property
    def root(self) -> Path:
        """Folder that relative globs in the file are matched from."""
        return self.path.parent if self.path is not None else Path.cwd()


def _codes(key: str, value: Any) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of rule codes, like [\"DM101\", \"DM2\"]")
    return tuple(v.strip().upper() for v in value)


def _globs(key: str, value: Any) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of glob patterns, like [\"legacy/**\"]")
    return tuple(value)


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"`{key}` must be a string")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"`{key}` must be true or false")
    return value


def _per_file(key: str, value: Any) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table of glob = [codes], like {{ \"tests/**\" = [\"DM101\"] }}")
    return tuple((glob, _codes(f"{key}.{glob}", codes)) for glob, codes in value.items())


def _deployments(key: str, value: Any) -> Tuple[Tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"`{key}` must be a table of deployment = \"model\", like {{ \"dalle3\" = \"gpt-image-2\" }}")
    return tuple((name, model) for name, model in value.items())


_KEYS = {
    "target": ("target", _string),
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "exclude": ("exclude", _globs),
    "extend-exclude": ("extend_exclude", _globs),
    "per-file-ignores": ("per_file_ignores", _per_file),
    "azure-deployments": ("azure_deployments", _deployments),
    "unsafe-fixes": ("unsafe_fixes", _bool),
    "today": ("today", _string),
    "catalog": ("catalog", _string),
}


def parse(table: Mapping[str, Any], path: Optional[Path]) -> Config:
    values: Dict[str, Any] = {"path": path}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown key `{key}` in [tool.{SECTION}] (known keys: {known})")
        name, convert = _KEYS[key]
        values[name] = convert(key, value)
    if "catalog" in values and path is not None:
        values["catalog"] = (path.parent / values["catalog"]).resolve()
    elif "catalog" in values:
        values["catalog"] = Path(values["catalog"])
    return Config(**values)


def load(path: Path) -> Config:
    """The [tool.dalle-migrate] table of ``path`` (an empty Config when the table is absent)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    table = data.get("tool", {}).get(SECTION)
    if table is None:
        # A file named on the command line may also be a bare dalle-migrate.toml.
        table = data if path.name != "pyproject.toml" else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{SECTION}] must be a table")
    try:
        return parse(table, path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def find(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.dalle-migrate] table, from ``start`` upwards."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                with open(candidate, "rb") as fh:
                    data = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError):
                continue  # not ours to judge; an explicit --config would report it
            if SECTION in data.get("tool", {}):
                return candidate
    return None


def resolve(config_file: Optional[Path], isolated: bool, cwd: Optional[Path] = None) -> Config:
    if isolated:
        return Config()
    if config_file is not None:
        return load(config_file)
    found = find((cwd or Path.cwd()).resolve())
    return load(found) if found is not None else Config()


__all__ = ["Config", "ConfigError", "find", "load", "parse", "resolve"]
