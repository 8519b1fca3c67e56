"""What a run is asked to do, the same for every file (kept free of LibCST: the CLI builds it
before it knows whether any file needs parsing)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from .catalog import Catalog, default_catalog


@dataclass(frozen=True)
class Settings:
    """What a run is asked to do: the same for every file."""

    target: str = ""
    today: _dt.date = field(default_factory=_dt.date.today)
    unsafe_fixes: bool = False
    catalog: Catalog = field(default_factory=default_catalog)

    def __post_init__(self) -> None:
        if not self.target:
            object.__setattr__(self, "target", self.catalog.default_target)
