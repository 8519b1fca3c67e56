"""What a run is asked to do, the same for every file (kept free of LibCST: the CLI builds it
before it knows whether any file needs parsing)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Optional, Tuple

from .catalog import Catalog, default_catalog


@dataclass(frozen=True)
class Settings:
    """What a run is asked to do: the same for every file."""

    target: str = ""
    today: _dt.date = field(default_factory=_dt.date.today)
    unsafe_fixes: bool = False
    catalog: Catalog = field(default_factory=default_catalog)
    # Azure deployment names and the model each serves now ([tool.dalle-migrate] azure-deployments).
    azure_deployments: Tuple[Tuple[str, str], ...] = ()
    # Keep what a run reads of the project between runs (index.py); `--no-cache` turns it off.
    cache: bool = True
    # The folder the run was given (absolute; "" when not known): in a tree without a project
    # marker, absolute imports also resolve from every folder between a file and this one.
    base: str = ""

    def deployment_model(self, deployment: str) -> Optional[str]:
        """The model an Azure deployment serves, when the configuration says."""
        return next((model for name, model in self.azure_deployments if name == deployment), None)

    def __post_init__(self) -> None:
        if not self.target:
            object.__setattr__(self, "target", self.catalog.default_target)
