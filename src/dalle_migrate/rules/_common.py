"""Small helpers shared by several rules (messages built from catalogue facts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import libcst as cst

from ..calls import ImageCall, Surface
from ..catalog import RETIRED
from ..context import ModuleContext
from ..values import dotted_name, string_value


def method_name(call: ImageCall) -> str:
    """How the call reads in a message: `images.generate` or `openai.Image.create`."""
    if call.surface is Surface.RESPONSES_TOOL:
        return "the image_generation tool"
    if call.surface is Surface.WRAPPER:
        return dotted_name(call.node.func) or "the wrapper"
    if call.surface is Surface.LEGACY:
        return f"Image.{call.method}"
    if call.surface is Surface.HTTP:
        return f"POST {call.method}"
    return f"images.{call.method}"


def retired_ids(ctx: ModuleContext) -> str:
    ids = [m for m in ctx.catalog.ids_with_status(RETIRED, ctx.settings.today) if ctx.catalog.models[m].alias_of is None]
    return ", ".join(f"'{m}'" for m in ids)


def quote_like(call: ImageCall) -> Optional[cst.BaseExpression]:
    """A string literal of the call, to write new strings in the same quote style."""
    values = [a.value for a in call.node.args] if call.surface is not Surface.HTTP else [a.value for a in call.arguments.values()]
    for value in values:
        if isinstance(value, cst.SimpleString) and not any(c in value.prefix.lower() for c in "bf"):
            return value
    return None


def parameter_rules(call: ImageCall, ctx: ModuleContext):
    """(model, its parameter table for this call's endpoint) the call must satisfy, or (model, None)."""
    model = call.rules_model(ctx)
    return model, ctx.catalog.params(model, call.endpoint)


def accepts_keyword(call: ImageCall, ctx: ModuleContext, name: str) -> bool:
    """Whether the SDK method takes this keyword (legacy 0.x calls pass everything through)."""
    if call.surface in (Surface.LEGACY, Surface.WRAPPER, Surface.HTTP):
        return True  # passed through (a wrapper's **kwargs, a request's body)
    if call.surface is Surface.RESPONSES_TOOL:
        return name in ctx.catalog.responses_tool.fields
    return name in ctx.catalog.endpoint(call.endpoint).sdk_params


def enum_member_holding(ctx: ModuleContext, node: cst.CSTNode, value: str) -> Optional[str]:
    """When ``node`` is an Enum member's value and another member of that Enum holds ``value``,
    or will (an earlier-chosen member whose retired id also becomes ``value``), that member's
    name: rewriting this one would make two members equal (an alias, or a ValueError under
    ``@unique``). Of several members holding retired ids, the one whose id is the newest (a GPT
    image model before a DALL-E one) becomes the target; the others' uses move to it."""
    ctx = ctx.owner(node)  # the Enum may be another module's
    cls = ctx.class_of_attribute(node)
    if cls is None:
        return None
    assign = ctx.parent(node)
    if not any((dotted_name(b.value) or "").endswith("Enum") for b in cls.bases):
        return None
    members = []  # (name, value, is this one)
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
                and isinstance(small.targets[0].target, cst.Name)
            ):
                members.append((f"{cls.name.value}.{small.targets[0].target.value}", string_value(small.value), small is assign))
    holding = next((name for name, held, this in members if held == value and not this), None)
    if holding is not None:
        return holding
    catalog = ctx.catalog
    retired = [(name, held, this) for name, held, this in members if isinstance(held, str) and catalog.status(held, ctx.settings.today) == RETIRED]
    if len(retired) < 2 or not any(this for _, _, this in retired):
        return None
    order = list(catalog.models)
    chosen = max(retired, key=lambda m: (catalog.returns_base64_only(m[1]), order.index(m[1]) if m[1] in order else -1))
    return None if chosen[2] else chosen[0]


def enum_twin_holds(ctx: ModuleContext, twin: str, value: str) -> str:
    """How a message says what the member ``twin`` holds: 'already holds' or 'becomes'."""
    return "already holds" if _member_value(ctx, twin) == value else "becomes"


def _member_value(ctx: ModuleContext, member: str) -> Optional[str]:
    cls_name, _, name = member.rpartition(".")
    for node in ctx.nodes(cst.ClassDef):
        if node.name.value != cls_name:
            continue
        for statement in node.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == name:
                        return string_value(small.value)
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


@dataclass
class CollectionMember:
    """A string that is one element of a literal collection: a list, tuple or set element, a
    ``Literal[...]`` member, or a dict key."""

    kind: str  # "list" | "tuple" | "set" | "Literal" | "dict"
    container: cst.CSTNode
    items: List[cst.CSTNode]  # the comma-separated items (Element, SubscriptElement, DictElement)
    item: cst.CSTNode  # the one holding the string
    others: List[object]  # the other items' literal values (None where not a literal)

    def left_after_fixes(self, retired, target: str) -> int:
        """How many elements the collection keeps once every retired id in it is fixed (the
        first becomes the target unless the target is there; the others are dropped)."""
        count = 1 + sum(1 for value in self.others if value in retired)
        dropped = count if target in self.others else count - 1
        return len(self.items) - dropped

    def earlier_retired(self, retired) -> bool:
        """Whether an item before this one is also a retired id (that one becomes the target)."""
        index = next(i for i, it in enumerate(self.items) if it is self.item)
        return any(value in retired for value in self.others[:index])


def collection_member(ctx: ModuleContext, node: cst.CSTNode) -> Optional[CollectionMember]:
    parent = ctx.parent(node)
    if isinstance(parent, cst.Element) and parent.value is node:
        container = ctx.parent(parent)
        kinds = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}
        kind = kinds.get(type(container))  # type: ignore[arg-type]
        if kind is None:
            return None
        items = list(container.elements)  # type: ignore[union-attr]
        values = [_literal_of(getattr(it, "value", None)) for it in items]
    elif isinstance(parent, cst.Index) and parent.value is node:
        element = ctx.parent(parent)
        subscript = ctx.parent(element) if isinstance(element, cst.SubscriptElement) else None
        if not isinstance(subscript, cst.Subscript) or not (dotted_name(subscript.value) or "").split(".")[-1] == "Literal":
            return None
        kind, container, items = "Literal", subscript, list(subscript.slice)
        values = [_literal_of(it.slice.value) if isinstance(it.slice, cst.Index) else None for it in items]
    elif isinstance(parent, cst.DictElement) and parent.key is node:
        container = ctx.parent(parent)
        if not isinstance(container, cst.Dict):
            return None
        kind, items = "dict", list(container.elements)
        values = [_literal_of(getattr(it, "key", None)) for it in items]
    else:
        return None
    item = parent if kind != "Literal" else ctx.parent(parent)
    index = next(i for i, it in enumerate(items) if it is item)
    return CollectionMember(kind, container, items, item, [v for i, v in enumerate(values) if i != index])


def _literal_of(node) -> object:
    return string_value(node) if node is not None else None


def schema_siblings(ctx: ModuleContext, member: CollectionMember, target: str) -> str:
    """For an id in a JSON-schema ``"enum"`` (a tool definition offered to a model), the other
    properties of the same schema whose ``enum`` holds values the target rejects, as a sentence
    to add to the finding ('' when there are none): they reach the API with the model."""
    holder = ctx.parent(member.container)
    if member.kind != "list" or not isinstance(holder, cst.DictElement) or string_value(holder.key) != "enum":
        return ""
    prop = ctx.parent(holder)  # {"type": "string", "enum": [...]}
    prop_entry = ctx.parent(prop) if isinstance(prop, cst.Dict) else None
    properties = ctx.parent(prop_entry) if isinstance(prop_entry, cst.DictElement) else None
    if not isinstance(properties, cst.Dict):
        return ""
    rejected = []
    for entry in properties.elements:
        name = string_value(getattr(entry, "key", None))
        if not isinstance(entry, cst.DictElement) or entry is prop_entry or not isinstance(name, str) or not isinstance(entry.value, cst.Dict):
            continue
        rejects = _rejects(ctx, target, name)
        if rejects is None:
            continue
        for inner in entry.value.elements:
            if isinstance(inner, cst.DictElement) and string_value(inner.key) == "enum" and isinstance(inner.value, cst.List):
                offered = [string_value(e.value) for e in inner.value.elements]
                bad = [v for v in offered if isinstance(v, str) and rejects(v)]
                if bad:
                    row, column = ctx.lines.position(ctx.span(inner.value)[0])
                    rejected.append(f"`{name}` offers {', '.join(repr(b) for b in bad)} (line {row})")
    if not rejected:
        return ""
    return f" The same schema also offers values {target} rejects: {'; '.join(rejected)}."


def _rejects(ctx: ModuleContext, model: str, name: str):
    """A test of whether ``model`` rejects a value of parameter ``name`` (its size rule for
    ``size``, else the values it lists on any endpoint); None when nothing can be told."""
    if name == "size":
        rule = ctx.catalog.size_rule(model)
        return (lambda value: value != "auto" and rule.problem(value) is not None) if rule is not None else None
    accepted = set()
    for endpoint in ctx.catalog.endpoints:
        values = getattr((ctx.catalog.params(model, endpoint) or {}).get(name), "values", None)
        if values is None:
            continue
        accepted |= set(values)
    return (lambda value: value not in accepted) if accepted else None


def moved_message(message: str, rename, value) -> Tuple[str, Any]:
    """A model finding's message with what the move of ``value`` (uses.Rename) does to the
    uses of the value, and the fix's applicability: unsafe when a use cannot move safely."""
    from ..findings import Applicability

    if rename.moved:
        shown = rename.moved[:5]
        more = f" and {len(rename.moved) - 5} more" if len(rename.moved) > 5 else ""
        message += f" Its uses move with it: {'; '.join(shown)}{more}."
    for note in rename.notes[:3]:
        message += f" {note[0].upper()}{note[1:]}."
    held = rename.holding_back(value)
    if held:
        more = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
        message += f" Not safe to fix alone: {held[0]}{more}; check it, then fix with --unsafe-fixes."
        return message, Applicability.UNSAFE
    return message, Applicability.SAFE


def call_rename(call: ImageCall, ctx: ModuleContext, status: str = RETIRED):
    """The move of a call's model values of ``status`` to the target, with their uses
    (uses.Rename), or None when there is nothing to move: Enum members the Enum already has a
    target member for move to that member instead (``enum_member_holding``)."""
    from ..uses import rename_for

    target = ctx.settings.target
    values = [v for v in models_with_status(call, ctx, status) if enum_member_holding(ctx, v.node, target) is None]
    if not values:
        return None
    rename = rename_for(ctx, call.arguments["model"].resolution, values, {v.value: target for v in values})
    if id(call) not in rename.judged_calls:
        rename.judged_calls.add(id(call))
        rename.blockers.extend(_entries_without_a_fix(call, ctx, rename))
    return rename


def _entries_without_a_fix(call: ImageCall, ctx: ModuleContext, rename) -> List[str]:
    """The call's arguments that come from a table entry moving with the model (``SIZES[model]``)
    and hold a value the target rejects with no value to map it to: the migrated program would
    send it, so the move is not safe (the parameter's own rule reports the value)."""
    from ..uses import place

    if not rename.covered:
        return []  # no table key moves with the model: no entry of one can
    rules = ctx.catalog.params(ctx.settings.target, call.endpoint) or {}
    size_rule = ctx.catalog.size_rule(ctx.settings.target)
    found = []
    for name, argument in call.arguments.items():
        rule = rules.get(name)
        if name == "model" or rule is None or (rule.values is None and name != "size"):
            continue  # (a prompt has no value to reject: never resolved into every caller)
        for value in argument.values:
            owner = ctx.owner(value.node)
            entry = owner.parent(value.node)
            moving = False
            while entry is not None and not isinstance(entry, (cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef)):
                if isinstance(entry, cst.DictElement) and place(owner, entry.key) in rename.covered:
                    moving = True  # in the entry of a key that moves with the model (nested too)
                    break
                entry = owner.parent(entry)
            if not moving:
                continue
            if not isinstance(value.value, str):
                continue
            if name == "size" and size_rule is not None:
                rejected = value.value != "auto" and size_rule.problem(value.value) is not None and size_rule.nearest(value.value) is None
            else:
                rejected = rule.values is not None and value.value not in rule.values and value.value not in rule.replace
            if rejected:
                row = owner.lines.position(owner.span(value.node)[0])[0]
                found.append(
                    f"the table entry that moves with it holds {name}={value.value!r} (line {row}), which "
                    f"{ctx.settings.target} rejects and has no value to map to"
                )
    return found


def value_rename(call: ImageCall, ctx: ModuleContext, name: str, new_of):
    """The move of the values of a call's argument ``name`` that ``new_of(value)`` maps to a
    new value (``hd`` to ``high``), with their uses (uses.Rename); None when none moves. The
    choices offered for it move too, each to its own new value."""
    from ..uses import rename_for

    argument = call.argument(name)
    if argument is None:
        return None
    mapping = {}
    values = []
    for value in argument.resolution.values:
        new = new_of(value.value) if isinstance(value.value, str) else None
        if new is not None and new != value.value:
            mapping[value.value] = new
            values.append(value)
    if not values:
        return None
    return rename_for(ctx, argument.resolution, values, mapping)


def offered_note(value) -> str:
    """For a choice the program offers its user, a sentence saying where (else '')."""
    return f" It is a choice offered to the user ({value.note})." if value.offered and value.note else ""


def judged_values(argument, rename) -> list:
    """The values of an argument a parameter rule judges: those the program picks, and the
    choices it offers its user (a selectbox's options, argparse ``choices``, a ``Literal``'s
    members), each reported where it is written unless it moves with a value the program picks
    (the move's finding says so)."""
    chosen = list(argument.values)
    picked_moves = rename is not None and any(not v.offered for v in rename.moving)
    moving = {id(v.node) for v in rename.moving} if picked_moves else set()
    return chosen + [v for v in argument.resolution.values if v.offered and id(v.node) not in moving and v not in chosen]
