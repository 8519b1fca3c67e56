"""Small helpers shared by several rules (messages built from catalogue facts)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from ..calls import ImageCall, Surface
from ..catalog import RETIRED
from ..context import ModuleContext
from ..values import dotted_name, string_value


def method_name(call: ImageCall) -> str:
    """How the call reads in a message: `images.generate` or `openai.Image.create`."""
    func = call.node.func
    assert isinstance(func, cst.Attribute)
    if call.surface is Surface.LEGACY:
        return f"Image.{func.attr.value}"
    return f"images.{func.attr.value}"


def retired_ids(ctx: ModuleContext) -> str:
    ids = [m for m in ctx.catalog.ids_with_status(RETIRED, ctx.settings.today) if ctx.catalog.models[m].alias_of is None]
    return ", ".join(f"'{m}'" for m in ids)


def quote_like(call: ImageCall) -> Optional[cst.BaseExpression]:
    """A string literal of the call, to write new strings in the same quote style."""
    for arg in call.node.args:
        value = arg.value
        if isinstance(value, cst.SimpleString) and not any(c in value.prefix.lower() for c in "bf"):
            return value
    return None


def parameter_rules(call: ImageCall, ctx: ModuleContext):
    """(model, its parameter table for this call's endpoint) the call must satisfy, or (model, None)."""
    model = call.rules_model(ctx)
    return model, ctx.catalog.params(model, call.endpoint)


def accepts_keyword(call: ImageCall, ctx: ModuleContext, name: str) -> bool:
    """Whether the SDK method takes this keyword (legacy 0.x calls pass everything through)."""
    if call.surface is Surface.LEGACY:
        return True
    return name in ctx.catalog.endpoint(call.endpoint).sdk_params


def enum_member_holding(ctx: ModuleContext, node: cst.CSTNode, value: str) -> Optional[str]:
    """When ``node`` is an Enum member's value and another member of that Enum already holds
    ``value``, that member's name: rewriting would make two members equal (an alias, or a
    ValueError under ``@unique``)."""
    ctx = ctx.owner(node)  # the Enum may be another module's
    cls = ctx.class_of_attribute(node)
    if cls is None:
        return None
    assign = ctx.parent(node)
    if not any((dotted_name(b.value) or "").endswith("Enum") for b in cls.bases):
        return None
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and small is not assign
                and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
                and string_value(small.value) == value
                and isinstance(small.targets[0].target, cst.Name)
            ):
                return f"{cls.name.value}.{small.targets[0].target.value}"
    return None


def models_with_status(call: ImageCall, ctx: ModuleContext, status: str):
    """The model values of a migrating call (not Azure, not the retired variations endpoint)
    whose status is ``status`` on the run's date."""
    if call.azure or call.endpoint == "variation":
        return []
    return [v for v in call.model_values if v.is_str and ctx.catalog.status(v.value, ctx.settings.today) == status]


def unmapped_deployment(call: ImageCall, ctx: ModuleContext) -> Optional[str]:
    """For a call through an Azure client whose deployment is not known to serve a GPT image
    model (``azure-deployments``), how to name the deployment in a message; else None."""
    if not call.azure:
        return None
    served = call.served_model(ctx)
    if served is not None and ctx.catalog.params(served, call.endpoint) is not None:
        return None
    names = [m for m in call.model_ids]
    return f"'{names[0]}'" if len(names) == 1 else "the deployment"


def on_azure_deployment(finding, call: ImageCall, ctx: ModuleContext):
    """A finding about what a GPT image model rejects or returns, on an Azure call whose
    deployment may still serve a DALL-E model: the deployment must move first, so the fix
    (right only once it has) needs --unsafe-fixes, and the message says why."""
    deployment = unmapped_deployment(call, ctx)
    if deployment is None:
        return finding
    import dataclasses

    from ..findings import Applicability

    note = (
        f" On Azure this holds once deployment {deployment} serves a GPT image model: move it first, then "
        "map it in [tool.dalle-migrate] azure-deployments (the fix is safe from then on)."
    )
    fix = finding.fix
    if fix is not None:
        fix = dataclasses.replace(fix, applicability=Applicability.UNSAFE)
    return dataclasses.replace(finding, message=finding.message + note, fix=fix)
