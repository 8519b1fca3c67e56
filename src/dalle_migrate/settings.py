"""What a run is asked to do, the same for every file (kept free of LibCST: the CLI builds it
before it knows whether any file needs parsing)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Tuple

from .catalog import DEPRECATED, Catalog, CatalogError, default_catalog


class SettingsError(ValueError):
    """Settings a run cannot use; ``option`` names the command-line option at fault, if one is."""

    def __init__(self, message: str, option: Optional[str] = None) -> None:
        super().__init__(message)
        self.option = option


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

    @classmethod
    def checked(
        cls,
        target: Optional[str] = None,
        today: Optional[str] = None,
        catalog_path: Optional[Path] = None,
        unsafe_fixes: bool = False,
        azure_deployments: Sequence[Tuple[str, str]] = (),
        cache: bool = True,
    ) -> Tuple["Settings", Optional[str]]:
        """The settings the command line or the configuration asks for (``today`` written
        YYYY-MM-DD, default today), and a warning to show when the target's shutdown is
        announced; raises SettingsError for a catalogue, date, target or deployment that cannot be
        used. The command line and the language server both build their settings here."""
        try:
            catalog = Catalog.load(catalog_path) if catalog_path else default_catalog()
        except CatalogError as exc:
            raise SettingsError(str(exc)) from exc
        try:
            day = _dt.date.fromisoformat(today) if today else _dt.date.today()
        except ValueError as exc:
            raise SettingsError(f"{today!r} is not a date written YYYY-MM-DD", "--today") from exc
        target = target or catalog.default_target
        problem = catalog.target_problem(target, day)
        if problem:
            raise SettingsError(problem, "--target")
        warning = f"target '{target}' shuts down on {catalog.shutdown(target)}" if catalog.status(target, day) == DEPRECATED else None
        for deployment, model in azure_deployments:
            if model not in catalog.models:
                raise SettingsError(f"azure-deployments: {deployment!r} = {model!r} names no model of the catalogue")
        settings = cls(target=target, today=day, unsafe_fixes=unsafe_fixes, catalog=catalog, azure_deployments=tuple(azure_deployments), cache=cache)
        return settings, warning
