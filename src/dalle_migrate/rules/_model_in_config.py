"""Base of the rules that report a model id in a configuration file's values (DM106, DM107):
the scan is ``config_files``'s; a rule says which ids it reports and what it tells the reader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar, Optional

from ..findings import Applicability, Edit, Finding, Fix, Severity
from ..settings import Settings
from .base import Rule


@dataclass(frozen=True)
class Valid:
    """Text on which the rule must not fire, and the kind of file it is (by its name)."""

    code: str
    filename: str = "example.py"


# Code fence language of a rule page's example, by the example's file name.
_FENCES = {".env": "dotenv", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json", ".ini": "ini", ".cfg": "ini"}


class ModelInConfig(Rule):
    status: ClassVar[str]  # the catalogue's status of the ids reported (catalog.RETIRED, ...)
    severity = Severity.WARNING
    # The value may be read by other programs, or name a deployment that must be created first.
    fix_applicability = Applicability.UNSAFE

    def message(self, model_id: str, settings: Settings) -> str:
        raise NotImplementedError

    def config_finding(
        self, start: int, end: int, model_id: str, settings: Settings, not_fixed: Optional[str] = None
    ) -> Finding:
        """The finding for ``model_id`` at ``text[start:end]``; ``not_fixed`` says why it cannot
        be fixed ("the file is not valid JSON (...)"), and the finding then has no fix."""
        message = self.message(model_id, settings)
        if not_fixed:
            return Finding(self.code, f"{message} Not fixed: {not_fixed}.", start, end, self.severity)
        target = settings.target
        fix = Fix(Applicability.UNSAFE, f"Replace '{model_id}' with '{target}'", (Edit(start, end, target),))
        return Finding(self.code, message, start, end, self.severity, fix)

    @classmethod
    def page(cls) -> str:
        """The rule's page, its examples fenced in the language of their files."""
        example = next(iter(cls.INVALID), None)
        page = super().page()
        if example is None:
            return page
        name = PurePath(example.filename).name
        suffix = ".env" if name == ".env" or name.startswith(".env.") else PurePath(name).suffix
        return page.replace("```python", "```" + _FENCES.get(suffix, "text"))
