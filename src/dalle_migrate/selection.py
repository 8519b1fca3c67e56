"""Which rules run on a file: --select/--ignore, the configuration, per-file ignores."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

_RULE_MODULE = re.compile(r"^(dm\d{3})_\w+\.py$")


def rule_codes() -> Tuple[str, ...]:
    """Every rule code, read from the rule modules' file names (``rules/dm101_retired_model.py``)
    so that checking a --select value does not import LibCST; tests keep it equal to the registry."""
    folder = Path(__file__).parent / "rules"
    return tuple(sorted(m.group(1).upper() for m in map(_RULE_MODULE.match, (p.name for p in folder.iterdir())) if m))


@dataclass(frozen=True)
class Selection:
    """Which rule codes run: ``select``/``ignore`` hold codes or prefixes (``DM2``);
    ``per_file_ignores`` maps globs (relative to ``root``) to more codes to ignore."""

    select: Tuple[str, ...] = ("DM",)
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    root: Optional[Path] = None

    def enabled(self, code: str) -> bool:
        return any(code.startswith(s) for s in self.select) and not any(code.startswith(i) for i in self.ignore)

    def rules(self) -> list:
        from .rules import ALL_RULES

        return [r for r in ALL_RULES if self.enabled(r.code)]

    def for_file(self, path: Path) -> "Selection":
        """This selection with the per-file ignores that match ``path``."""
        if not self.per_file_ignores:
            return self
        from .discover import matches

        extra = tuple(c for glob, codes in self.per_file_ignores if matches(path, glob, self.root) for c in codes)
        return dataclasses.replace(self, ignore=self.ignore + extra, per_file_ignores=()) if extra else self


