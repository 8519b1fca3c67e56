"""What a rule is: one class with its code, its page and its examples (which are also its tests).

A rule's docstring is its page: sections ``What it does``, ``Why`` and ``Fix safety`` in
Markdown; the ``Example`` section is built from its first INVALID example, so the page and the
tests cannot drift apart.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from typing import ClassVar, Iterable, List, Optional, Sequence, Union

import libcst as cst

from ..calls import ImageCall
from ..context import ModuleContext
from ..findings import Applicability, Edit, Finding, Fix, Severity


@dataclass(frozen=True)
class Invalid:
    """Code on which the rule must fire; ``fixed`` is the code after ``fix`` (None: no fix)."""

    code: str
    fixed: Optional[str] = None
    unsafe: bool = False  # the fix needs --unsafe-fixes
    options: Optional[dict] = None  # Settings overrides, e.g. {"target": "gpt-image-1.5"}
    filename: str = "example.py"  # what kind of file the example is (.ipynb, .env, .yaml...)


Example = Union[str, Invalid]

DOCS_URL = "https://github.com/dalle-migrate/dalle-migrate/blob/main/docs/rules.md"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str]  # one line, for `rules` and SARIF shortDescription
    fix_applicability: ClassVar[Optional[Applicability]] = Applicability.SAFE
    # True when the fix reshapes a call (another API, another endpoint): what else is found on
    # it must be found again on the new code, never carried over (engine.fix_text).
    fix_reshapes_call: ClassVar[bool] = False
    # True when the rule judges a call's parameters against the model it will run on: on an
    # Azure call that holds only once the deployment serves that model (engine.analyze).
    judges_target_parameters: ClassVar[bool] = False
    # True when a finding another module's call raises on the same literal replaces this rule's
    # (a string that a call is known to use is no mere string: runner.settle_foreign).
    yields_to_call_findings: ClassVar[bool] = False
    # True when the rule also judges the Responses image tool's configurations (tools.py), which
    # forward a model and generation parameters as a call does: ``check_call`` gets them too.
    judges_tool_configs: ClassVar[bool] = False
    # True when the rule also judges the Images requests a wrapper library forwards the
    # program's parameters to (wrappers.py: LiteLLM's image_generation): ``check_call`` too.
    judges_wrapper_calls: ClassVar[bool] = False
    # True when the rule also judges plain HTTP requests to an Images endpoint (http_requests.py:
    # `requests.post(".../v1/images/generations", json={...})`), whose body holds the parameters.
    judges_http_requests: ClassVar[bool] = False
    VALID: ClassVar[Sequence[str]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    # -- checks --------------------------------------------------------------------------------
    def check_call(self, call: ImageCall, ctx: ModuleContext) -> Iterable[Finding]:
        return ()

    def check_module(self, ctx: ModuleContext) -> Iterable[Finding]:
        return ()

    # -- helpers for subclasses ----------------------------------------------------------------
    def finding(
        self,
        ctx: ModuleContext,
        node: cst.CSTNode,
        message: str,
        fix_message: Optional[str] = None,
        edits: Sequence[Edit] = (),
        applicability: Optional[Applicability] = None,
    ) -> Finding:
        owner = ctx.owner(node)  # a value defined in another module is reported there
        start, end = owner.span(node)
        path = owner.path if owner is not ctx else None
        fix = None
        if edits:
            # Edits may be in several modules of the project (Edit.path): the runner applies
            # such a fix whole, or not at all.
            fix = Fix(applicability or self.fix_applicability or Applicability.SAFE, fix_message or message, tuple(edits))
        return Finding(self.code, message, start, end, self.severity, fix, path=path)

    # -- documentation -------------------------------------------------------------------------
    @classmethod
    def url(cls) -> str:
        return f"{DOCS_URL}#{cls.code.lower()}-{cls.name}"

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def page(cls) -> str:
        """The rule's page: What it does / Why / Example / Fix safety."""
        sections = _sections(cls.doc())
        out = [f"# {cls.name} ({cls.code})", "", f"Severity: {cls.severity.value}", ""]
        for title in ("What it does", "Why"):
            if title in sections:
                out += [f"## {title}", sections[title], ""]
        example = next(iter(cls.INVALID), None)
        if example is not None:
            out += ["## Example", "```python", textwrap.dedent(example.code).strip("\n"), "```", ""]
            if example.fixed is not None:
                out += ["Use instead:", "```python", textwrap.dedent(example.fixed).strip("\n"), "```", ""]
        out += ["## Fix safety", sections.get("Fix safety", "This rule has no fix."), ""]
        return "\n".join(out).rstrip() + "\n"


def _sections(doc: str) -> dict:
    sections = {}
    current = None
    lines: List[str] = []
    for line in doc.splitlines():
        if line.startswith("## "):
            if current:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current:
            lines.append(line)
    if current:
        sections[current] = "\n".join(lines).strip()
    return sections


def rules_document() -> str:
    """docs/rules.md: every rule's page, in code order (regenerate with `dalle-migrate rules --markdown > docs/rules.md`)."""
    from . import ALL_RULES

    pages = [rule.page().replace("\n## ", "\n### ").replace("# ", "## ", 1) for rule in ALL_RULES]
    return "# dalle-migrate rules\n\nGenerated from the rule classes; `dalle-migrate rules CODE` prints the same page.\n\n" + "\n".join(pages)

