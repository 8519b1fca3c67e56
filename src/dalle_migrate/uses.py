"""Where a model value is used, and how a fix moves the value with its uses.

A model value is not only sent: the program compares it (``model == "dall-e-3"``, ``in``,
``match``), looks it up (``SIZES[model]``, ``PROMPTS.get(model)``), validates it (``if model not
in VALID_MODELS``), types it (``Literal[...]``) and offers it (argparse or click ``choices``, a
selector's options). A fix that moves the value from a retired id to the target moves every use
of *that value* with it, in the same fix; a use of another id keeps meaning "not this model".

Uses are found backward, with the resolver the rules already share (values.py): a *site* is a
place that tests an expression against model ids, and a site uses a definition when the
definition can flow into the tested expression. So "reaches" means one thing for definitions,
calls and uses alike. Sites are looked for in the modules the value can be read in: the call's,
the definitions', the ones the value passes through (a caller handing it on) and the modules
that import a definition's module.

A ``Rename`` is the whole move for one call's model: the definitions to rewrite, the uses to
move with them, and what keeps the move from being safe. The move is safe when, for every value
the model can hold, the migrated program takes the route (branch, table entry, case) the
original took for it; where it cannot keep that (the target already has its own entry, a key is
computed, a table holds prices), the whole move is unsafe and says which use holds it back.
Several retired ids collapsing into the target (offered as choices, read from settings) follow
the *home* id's routes: the one the program picks itself, else a GPT image model's (its branches
already read base64 and use GPT sizes); the routes of the others stop running, and are reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Hashable, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from .context import ModuleContext
from .edits import delete_item, replace_string, string_literal
from .findings import Edit, text_digest
from .values import Resolution, Value, literal, resolver, string_value

Place = Tuple[Optional[str], int, int]  # (file, start, end) of a node: the same across analyses

# How many importers of a definition's module are read for uses (a settings module imported by
# every view of a large application: the ones that name the setting, up to this many).
MAX_IMPORTERS = 50
_UNKNOWN = "?"  # an outcome that cannot be told (a computed key, a guard)
_MISSING = "missing"  # a lookup of a key the table does not have


def place(ctx: ModuleContext, node: cst.CSTNode) -> Place:
    owner = ctx.owner(node)
    start, end = owner.span(node)
    return (owner.path, start, end)


def _line(ctx: ModuleContext, node: cst.CSTNode) -> int:
    owner = ctx.owner(node)
    return owner.lines.position(owner.span(node)[0])[0]


def _where(ctx: ModuleContext, node: cst.CSTNode, home: Optional[ModuleContext]) -> str:
    """``line 12``, or ``constants.py:12`` for another module than ``home`` (the module whose
    finding the text is in; None when there are several)."""
    owner = ctx.owner(node)
    row = _line(owner, node)
    if owner.path is None or (home is not None and (owner is home or owner.path == home.path)):
        return f"line {row}"
    return f"{os.path.basename(owner.path)}:{row}"


# -- sites -----------------------------------------------------------------------------------


@dataclass
class Option:
    """One id a site tests for: a compared string, a collection element, a table key, a case."""

    value: str
    node: cst.BaseExpression  # the string literal
    ctx: ModuleContext  # the module holding it (a table may be another module's)
    case: int = 0  # for a `match`: the index of its case


@dataclass
class Collection:
    """A literal list, tuple, set, dict or ``Literal[...]`` whose elements (keys) are options."""

    ctx: ModuleContext
    node: cst.CSTNode  # List, Tuple, Set, Dict or the Literal's Subscript
    items: List[cst.CSTNode]  # Element, DictElement or SubscriptElement
    options: List[Option]
    computed: bool  # an element or key that is not a literal (a spread, a name)

    @property
    def kind(self) -> str:
        if isinstance(self.node, cst.Dict):
            return "dict"
        if isinstance(self.node, cst.Subscript):
            return "Literal"
        return {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(self.node)]

    @property
    def key(self) -> Place:
        return place(self.ctx, self.node)

    def holder(self, option: Option) -> cst.CSTNode:
        for item, candidate in zip(self.items, self._item_options()):
            if candidate is option:
                return item
        raise KeyError(option.value)

    def _item_options(self) -> List[Optional[Option]]:
        by_node = {id(o.node): o for o in self.options}
        return [by_node.get(id(_item_value(item))) for item in self.items]

    def name(self) -> str:
        """How a message names it: its variable (``VALID_MODELS``), or its kind."""
        parent = self.ctx.parent(self.node)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            return f"`{self.ctx.code(parent.targets[0].target)}`"
        if isinstance(parent, cst.AnnAssign):
            return f"`{self.ctx.code(parent.target)}`"
        if isinstance(parent, cst.Arg) and parent.keyword is not None:
            return f"the `{parent.keyword.value}=` {self.kind}"
        if self.kind == "Literal":
            return "the `Literal[...]` type"
        if isinstance(parent, cst.Arg):
            return f"the options {self.kind}"
        return f"the {self.kind}"


def _item_value(item: cst.CSTNode) -> Optional[cst.CSTNode]:
    if isinstance(item, cst.DictElement):
        return item.key
    if isinstance(item, cst.Element):
        return item.value
    if isinstance(item, cst.SubscriptElement) and isinstance(item.slice, cst.Index):
        return item.slice.value
    return None


def collection_at(ctx: ModuleContext, node: cst.CSTNode) -> Optional[Collection]:
    """The literal collection ``node`` is (a list, tuple, set, dict or ``Literal[...]``)."""
    if isinstance(node, cst.Dict):
        items = list(node.elements)
    elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        items = list(node.elements)
    elif isinstance(node, cst.Subscript):
        items = list(node.slice)
    else:
        return None
    options, computed = [], False
    for item in items:
        value_node = _item_value(item)
        value = string_value(value_node) if value_node is not None else None
        if isinstance(value, str):
            options.append(Option(value, value_node, ctx))  # type: ignore[arg-type]
        elif value_node is None or literal(value_node) is _not_literal():
            computed = True
    return Collection(ctx, node, items, options, computed)


def _not_literal():
    from .values import _NOT_LITERAL

    return _NOT_LITERAL


class Site:
    """A place that tests an expression (the *carrier*) against model ids."""

    kind = "site"

    def __init__(self, ctx: ModuleContext, node: cst.CSTNode, carrier: Optional[cst.BaseExpression]) -> None:
        self.ctx = ctx
        self.node = node
        self.carrier = carrier
        self._values: Optional[Resolution] = None

    @property
    def values(self) -> Resolution:
        if self._values is None:
            self._values = resolver(self.ctx).resolve(self.carrier) if self.carrier is not None else Resolution((), False)
        return self._values

    @property
    def line(self) -> int:
        return _line(self.ctx, self.node)

    def options(self) -> List[Option]:
        return []

    def collections(self) -> List[Collection]:
        return []

    def outcome(self, value: str, renamed: Dict[Place, Optional[str]]) -> Hashable:
        raise NotImplementedError

    def describe(self, home: ModuleContext) -> str:
        raise NotImplementedError

    def _option_value(self, option: Option, renamed: Dict[Place, Optional[str]]) -> Optional[str]:
        key = place(option.ctx, option.node)
        return renamed[key] if key in renamed else option.value

    def _compared(self) -> str:
        return f"`{self.ctx.excerpt(self.carrier, 40)}`" if self.carrier is not None else "the value"


class Comparison(Site):
    """``model == "dall-e-3"`` / ``!=``: one option."""

    kind = "comparison"

    def __init__(self, ctx, node, carrier, option: Option) -> None:
        super().__init__(ctx, node, carrier)
        self.option = option

    def options(self) -> List[Option]:
        return [self.option]

    def outcome(self, value, renamed):
        return value == self._option_value(self.option, renamed)

    def describe(self, home):
        return f"the comparison {self._compared()} with '{self.option.value}' at {_where(self.ctx, self.node, home)}"


class _InCollection(Site):
    """A site whose options are a collection's elements or keys (maybe another module's)."""

    def __init__(self, ctx, node, carrier, collection: Collection) -> None:
        super().__init__(ctx, node, carrier)
        self.collection = collection

    def options(self):
        return list(self.collection.options)

    def collections(self):
        return [self.collection]

    def _held(self, home) -> str:
        """The collection's name, and where it is when another module holds it."""
        held = self.collection.name()
        if self.collection.ctx is not self.ctx and self.collection.ctx.path != self.ctx.path:
            held += f" ({_where(self.collection.ctx, self.collection.node, home)})"
        return held


class Membership(_InCollection):
    """``model in ("dall-e-2", "dall-e-3")``, ``model not in VALID_MODELS``, ``model in SIZES``."""

    kind = "membership"

    def outcome(self, value, renamed):
        present = {self._option_value(o, renamed) for o in self.collection.options}
        if value in present:
            return True
        return _UNKNOWN if self.collection.computed else False

    def describe(self, home):
        return f"the test {self._compared()} in {self._held(home)} at {_where(self.ctx, self.node, home)}"


class Lookup(_InCollection):
    """``SIZES[model]``, ``PROMPTS.get(model, ...)``: the entry of the key the value is."""

    kind = "lookup"

    def outcome(self, value, renamed):
        found: Hashable = _MISSING
        for index, option in enumerate(self.collection.options):  # a later entry wins, as in Python
            if self._option_value(option, renamed) == value:
                found = index
        if found == _MISSING and self.collection.computed:
            return _UNKNOWN
        return found

    def describe(self, home):
        return f"the lookup of {self._compared()} in {self._held(home)} at {_where(self.ctx, self.node, home)}"


class Cases(Site):
    """``match model:`` with ``case "dall-e-3":`` patterns."""

    kind = "match"

    def __init__(self, ctx, node: cst.Match, carrier, cases: List[Tuple[List[Option], bool, bool]]) -> None:
        super().__init__(ctx, node, carrier)
        self.cases = cases  # per case: (its string options, matches anything else?, has a guard)

    def options(self):
        return [o for options, _, _ in self.cases for o in options]

    def outcome(self, value, renamed):
        taken = []
        for index, (options, anything, guarded) in enumerate(self.cases):
            if anything or any(self._option_value(o, renamed) == value for o in options):
                taken.append(index)
                if not guarded:
                    break
        return tuple(taken)

    def describe(self, home):
        return f"the `match {self.ctx.excerpt(self.carrier, 40)}:` at {_where(self.ctx, self.node, home)}"


class FamilyTest(Site):
    """``model.startswith("dall-e")``, ``"gpt-image" in model``: never rewritten, only judged."""

    kind = "test"

    def __init__(self, ctx, node, carrier, test, text: str) -> None:
        super().__init__(ctx, node, carrier)
        self.test = test
        self.text = text

    def outcome(self, value, renamed):
        return self.test(value)

    def describe(self, home):
        return f"the test `{self.text}` at {_where(self.ctx, self.node, home)}"


class Offered(_InCollection):
    """Choices the value is picked from (argparse/click ``choices``, a selector's options, the
    ``Literal[...]`` it is typed with): not a route, but what the program lets a user pick."""

    kind = "choices"

    def __init__(self, collection: Collection) -> None:
        super().__init__(collection.ctx, collection.node, None, collection)

    def outcome(self, value, renamed):
        return True  # every value the program can hold is one of them (or the default)

    def describe(self, home):
        return f"{self.collection.name()} at {_where(self.ctx, self.node, home)}"


class Typed(_InCollection):
    """A parameter or a field typed with ``Literal[...]``: the value it carries must stay one
    of its members (a type checker, pydantic or a CLI built from the signature says so)."""

    kind = "type"

    def __init__(self, ctx: ModuleContext, node: cst.CSTNode, collection: Collection) -> None:
        super().__init__(ctx, node, None, collection)

    @property
    def values(self) -> Resolution:
        if self._values is None:
            values = resolver(self.ctx)
            if isinstance(self.node, cst.Param):
                self._values = values._parameter(self.node, 0, frozenset())
            else:
                owner = self.ctx.parent(self.ctx.parent(self.ctx.parent(self.node)))  # AnnAssign -> line -> block -> class
                name = self.node.target.value  # type: ignore[attr-defined]
                self._values = values._class_attribute(owner, name, 0, frozenset()) if isinstance(owner, cst.ClassDef) else Resolution((), False)
        return self._values

    def outcome(self, value, renamed):
        return True  # a type routes nothing at run time

    def describe(self, home):
        return f"{self.collection.name()} at {_where(self.collection.ctx, self.collection.node, home)}"


def sites(ctx: ModuleContext) -> List[Site]:
    """Every place of the module that tests an expression against a model id, found once."""
    found = ctx.memo.get("uses.sites")
    if found is None:
        found = ctx.memo["uses.sites"] = _find_sites(ctx)
    return found


def _is_model_id(ctx: ModuleContext, value: object) -> bool:
    return isinstance(value, str) and (ctx.catalog.is_known(value) or value == ctx.settings.target)


def _find_sites(ctx: ModuleContext) -> List[Site]:
    found: List[Site] = []
    values = resolver(ctx)
    for node in ctx.nodes(cst.Comparison):
        if len(node.comparisons) != 1:
            continue
        operator = node.comparisons[0].operator
        left, right = node.left, node.comparisons[0].comparator
        if isinstance(operator, (cst.Equal, cst.NotEqual)):
            for carrier, other in ((left, right), (right, left)):
                value = string_value(other)
                if isinstance(value, str) and string_value(carrier) is None and not isinstance(carrier, (cst.Tuple, cst.List, cst.Set, cst.Dict)):
                    found.append(Comparison(ctx, node, carrier, Option(value, other, ctx)))  # type: ignore[arg-type]
                    break
        elif isinstance(operator, (cst.In, cst.NotIn)):
            text = string_value(left)
            if isinstance(text, str):  # `"dall-e" in model`
                if _is_family(ctx, text) and string_value(right) is None:
                    found.append(FamilyTest(ctx, node, right, lambda v, t=text: t in v, ctx.excerpt(node, 50)))
                continue
            held = values.container(right, cheap=True)
            collection = collection_at(*held) if held is not None else None
            if collection is not None and collection.options:
                found.append(Membership(ctx, node, left, collection))
    for node in ctx.nodes(cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            continue
        key = node.slice[0].slice.value
        if literal(key) is not _not_literal() or _is_assigned(ctx, node):
            continue
        table = _table(ctx, node.value)
        if table is not None:
            found.append(Lookup(ctx, node, key, table))
    for node in ctx.nodes(cst.Call):
        func = node.func
        if not isinstance(func, cst.Attribute):
            continue
        if func.attr.value == "get" and node.args and not node.args[0].star and literal(node.args[0].value) is _not_literal():
            table = _table(ctx, func.value)
            if table is not None:
                found.append(Lookup(ctx, node, node.args[0].value, table))
        elif func.attr.value in ("startswith", "endswith") and len(node.args) == 1 and string_value(func.value) is None:
            held = node.args[0].value
            prefixes = [string_value(e.value) for e in held.elements] if isinstance(held, cst.Tuple) else [string_value(held)]
            if prefixes and all(isinstance(p, str) for p in prefixes) and any(_is_family(ctx, p) for p in prefixes):
                method = func.attr.value
                found.append(FamilyTest(ctx, node, func.value, lambda v, ps=tuple(prefixes), m=method: getattr(v, m)(ps), ctx.excerpt(node, 50)))
    found += _typed(ctx, imports=False)
    for node in ctx.nodes(cst.Match):
        cases = []
        for case in node.cases:
            options, anything = _patterns(ctx, case.pattern)
            cases.append((options, anything, case.guard is not None))
        if any(options for options, _, _ in cases):
            found.append(Cases(ctx, node, node.subject, cases))
    return found


def _typed(ctx: ModuleContext, imports: bool) -> List[Site]:
    """Parameters and fields typed with ``Literal[...]``: written here or through an alias of
    this module; with ``imports``, only those whose alias another module defines (it is parsed:
    the planner asks for these, the module's own sites do not need them)."""
    found: List[Site] = []
    values = resolver(ctx)
    for node in ctx.nodes(cst.Param, cst.AnnAssign):
        annotation = node.annotation
        if annotation is None or (isinstance(node, cst.AnnAssign) and not isinstance(node.target, cst.Name)):
            continue
        typed = values.literal_type(annotation.annotation, imports=False)
        if imports:
            typed = values.literal_type(annotation.annotation) if typed is None else None
        collection = collection_at(*typed) if typed is not None else None
        if collection is not None and collection.options:
            found.append(Typed(ctx, node, collection))
    return found


def imported_types(ctx: ModuleContext) -> List[Site]:
    """The module's parameters and fields typed with a ``Literal`` alias another module defines."""
    found = ctx.memo.get("uses.imported_types")
    if found is None:
        found = ctx.memo["uses.imported_types"] = _typed(ctx, imports=True)
    return found


def sites_testing(ctx: ModuleContext, values: Set[str]) -> List[Site]:
    """The module's sites that test for one of ``values`` (and the family tests, which test
    model ids by their prefix)."""
    index = ctx.memo.get("uses.sites_by_value")
    if index is None:
        index = {}
        for site in sites(ctx):
            keys = {o.value for o in site.options()} if not isinstance(site, FamilyTest) else {""}
            for key in keys:
                index.setdefault(key, []).append(site)
        ctx.memo["uses.sites_by_value"] = index
    found: Dict[int, Site] = {}
    for value in sorted(values) + [""]:
        for site in index.get(value, ()):
            found[id(site)] = site
    order = {id(site): n for n, site in enumerate(sites(ctx))}  # the module's order: stable
    return sorted(found.values(), key=lambda site: order[id(site)])


def _is_family(ctx: ModuleContext, text: str) -> bool:
    """A prefix or part of model ids that tells families apart (``dall-e``, ``gpt-image``)."""
    if len(text) < 4:
        return False
    return any(m.startswith(text) or (text in m and not _is_model_id(ctx, text)) for m in ctx.catalog.models)


def _is_assigned(ctx: ModuleContext, node: cst.Subscript) -> bool:
    parent = ctx.parent(node)
    return isinstance(parent, (cst.AssignTarget, cst.Del)) or (isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is node)


def _table(ctx: ModuleContext, node: cst.BaseExpression) -> Optional[Collection]:
    """The dict with string keys an expression holds, or None."""
    if not isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Dict)):
        return None
    held = resolver(ctx).container(node, cheap=True)
    if held is None or not isinstance(held[1], cst.Dict):
        return None
    collection = collection_at(*held)
    return collection if collection is not None and collection.options else None


def _patterns(ctx: ModuleContext, pattern: cst.MatchPattern) -> Tuple[List[Option], bool]:
    """The string options of a case pattern, and whether it may match other values too."""
    if isinstance(pattern, cst.MatchValue):
        value = string_value(pattern.value)
        return ([Option(value, pattern.value, ctx)], False) if isinstance(value, str) else ([], False)
    if isinstance(pattern, cst.MatchOr):
        options: List[Option] = []
        anything = False
        for element in pattern.patterns:
            inner, more = _patterns(ctx, element.pattern)
            options += inner
            anything = anything or more
        return options, anything
    if isinstance(pattern, cst.MatchAs):
        if pattern.pattern is None:
            return [], True  # `case _:` / `case other:`
        return _patterns(ctx, pattern.pattern)
    return [], False  # a class or mapping pattern never matches a string


# -- the move --------------------------------------------------------------------------------


@dataclass
class Rename:
    """Moving the values of one call's argument to new ones (a retired model to the target,
    ``hd`` to ``high``), with every use of them.

    Each definition is its own fix (a default and a caller's argument are two programs'
    values, and either may be in a file a run was not given); every fix carries the uses' edits
    (identical edits are applied once). Where several old values become one new value, the new
    value takes the routes of their *home* value; a definition of another of them is safe to
    move only where its routes are the home value's."""

    new_of: Dict[str, str]  # old value -> new value
    moving: List[Value]  # the values that move (definitions and choices)
    homes: Dict[str, str]  # new value -> the old value whose routes it takes
    edits: List[Edit] = field(default_factory=list)  # the uses' (and the choices') edits
    definitions: Dict[Place, Edit] = field(default_factory=dict)  # each definition's own edit
    # What another old value's definitions need besides (its elements merged into the new
    # value's in the collections that hold it), and where its routes differ from the home's.
    merges: Dict[str, List[Edit]] = field(default_factory=dict)
    conflicts: Dict[str, List[str]] = field(default_factory=dict)
    blockers: List[str] = field(default_factory=list)  # why no definition's move is safe
    notes: List[str] = field(default_factory=list)  # what else the move does (for the message)
    moved: List[str] = field(default_factory=list)  # the uses it moves, described
    covered: Set[Place] = field(default_factory=set)  # literals the move rewrites or removes
    uses: Dict[Place, cst.CSTNode] = field(default_factory=dict)  # the uses' literals it rewrites
    judged_calls: Set[int] = field(default_factory=set)  # calls whose own arguments were judged
    # Literals of the uses whose route no value takes after the move (an old value merged into
    # another, or one the value never held): (the literal, why), for DM105 to say so.
    dead: Dict[Place, Tuple[cst.CSTNode, str]] = field(default_factory=dict)

    @property
    def old(self) -> List[str]:
        return list(dict.fromkeys(v.value for v in self.moving))

    def fix_for(self, value: Value, ctx: ModuleContext) -> List[Edit]:
        """The edits of the fix reported on ``value``: its own definition's and the uses'. A
        collection its value merges into the target's element is rewritten whole by that
        fix (the edit replaces the shared one of the same collection)."""
        own = self.definitions.get(place(ctx, value.node))
        merges = self.merges.get(value.value, [])
        shared = [e for e in self.edits if not any(e.path == m.path and (e.overlaps(m) or e == m) for m in merges)]
        return ([own] if own is not None else []) + merges + shared

    def holding_back(self, value: Value) -> List[str]:
        """Why moving ``value`` is not safe (empty: it is)."""
        return self.blockers + self.conflicts.get(value.value, [])

    @property
    def held_back(self) -> List[str]:
        """Why none of its definitions moves safely (empty when one does)."""
        reasons = [self.holding_back(v) for v in self.reported]
        return reasons[0] if reasons and all(reasons) else []

    @property
    def reported(self) -> List[Value]:
        """The values a finding is reported on: the definitions the program picks itself, else
        (only choices) the first choice."""
        chosen = [v for v in self.moving if not v.offered]
        return chosen or self.moving[:1]


def rename_for(ctx: ModuleContext, resolution: Resolution, moving: Sequence[Value], new_of: Dict[str, str]) -> Rename:
    """The move of ``moving`` (values of one call's argument, which resolves to
    ``resolution``) to ``new_of[value]``, with the uses of those values."""
    memo = ctx.memo.setdefault("uses.renames", {})
    key = (tuple(place(ctx, v.node) for v in moving), tuple(sorted(new_of.items())))
    known = memo.get(key)
    if known is None:
        known = memo[key] = _Planner(ctx, resolution, list(moving), dict(new_of)).plan()
    return known


def renames(ctx: ModuleContext) -> List[Rename]:
    """The moves computed so far for this module's calls."""
    return list(ctx.memo.get("uses.renames", {}).values())


class _Planner:
    def __init__(self, ctx: ModuleContext, resolution: Resolution, moving: List[Value], new_of: Dict[str, str]) -> None:
        self.ctx = ctx
        self.resolution = resolution
        self.moving = moving
        self.new_of = new_of
        self.moving_places = {place(ctx, v.node): v for v in moving}
        self.old = list(dict.fromkeys(v.value for v in moving))
        # Values only offered as choices merge into the new value with the home value; a value
        # the program picks itself (a default, a caller's argument) moves with its own
        # definitions.
        self.picked = {v.value for v in moving if not v.offered}
        # Where the move's findings are reported (its messages' lines are relative to it).
        chosen = [v for v in moving if not v.offered] or moving[:1]
        owners = {ctx.owner(v.node).path for v in chosen}
        self.where = ctx.owner(chosen[0].node) if len(owners) == 1 else None

    # -- which old value a new value takes the routes of -----------------------------------
    def _homes(self) -> Dict[str, str]:
        groups: Dict[str, List[str]] = {}
        for old in self.old:
            groups.setdefault(self.new_of[old], []).append(old)
        return {new: self._home(olds) for new, olds in groups.items()}

    def _home(self, olds: List[str]) -> str:
        """The old value whose routes the new value takes where several meet: a GPT image
        model's (its branches already read base64 and use GPT sizes: the right home for a GPT
        image target), else one the program picks itself, else the newest."""
        if len(olds) == 1:
            return olds[0]
        catalog = self.ctx.catalog
        gpt = [m for m in olds if catalog.returns_base64_only(m)]
        candidates = gpt or olds
        pool = [m for m in candidates if m in self.picked] or candidates
        if len(pool) == 1:
            return pool[0]
        # The newest model among them (the catalogue lists models oldest first), else the first.
        order = list(catalog.models)
        return max(pool, key=lambda m: (order.index(m) if m in order else -1, -olds.index(m)))

    # -- where the value can be read -------------------------------------------------------
    def _modules(self) -> List[ModuleContext]:
        ctx = self.ctx
        project = ctx.project
        found: Dict[Optional[str], ModuleContext] = {ctx.path: ctx}
        owners = [ctx.owner(v.node) for v in self.moving]
        for owner in owners:
            found.setdefault(owner.path, owner)
        if project is None:
            return list(found.values())
        for path in sorted(self.resolution.via):
            other = project.context(path)
            if other is not None:
                found.setdefault(other.path, other)
        elsewhere = [o for o in owners if o.path is not None and o is not ctx and o.path != ctx.path]
        names = self._binding_names() if elsewhere else set()  # (only a definition elsewhere asks)
        for owner in owners:
            # A settings or constants module is read by others (`if settings.MODEL == ...`): its
            # importers that name a definition's binding are looked at. The call's own module is
            # not (its importers rarely test its constants; reading the project's import index
            # for every script that calls the API was a third of a check of a course tree).
            if owner.path is None or owner is ctx or owner.path == ctx.path or not names:
                continue
            for path in project.importers(owner.path)[:MAX_IMPORTERS * 4]:
                if os.path.abspath(path) in found or len(found) > MAX_IMPORTERS:
                    continue
                if not _names_any(project, path, names):
                    continue
                other = project.context(path)
                if other is not None:
                    found.setdefault(other.path, other)
        return list(found.values())

    def _binding_names(self) -> Set[bytes]:
        """What the definitions are bound to (a global, a field, a parameter): an importer that
        names none of these cannot read the value."""
        names: Set[bytes] = set()
        for value in self.moving:
            owner = self.ctx.owner(value.node)
            current = owner.parent(value.node)
            while current is not None and not isinstance(current, cst.Module):
                if isinstance(current, (cst.Assign,)) and current.targets:
                    target = current.targets[0].target
                    if isinstance(target, cst.Name):
                        names.add(target.value.encode())
                    elif isinstance(target, cst.Attribute):
                        names.add(target.attr.value.encode())
                elif isinstance(current, cst.AnnAssign) and isinstance(current.target, (cst.Name, cst.Attribute)):
                    target = current.target
                    names.add((target.value if isinstance(target, cst.Name) else target.attr.value).encode())
                elif isinstance(current, (cst.Param, cst.Arg)) and getattr(current, "keyword", None) is not None:
                    names.add(current.keyword.value.encode())  # type: ignore[union-attr]
                elif isinstance(current, cst.Param):
                    names.add(current.name.value.encode())
                elif isinstance(current, (cst.ClassDef, cst.FunctionDef)):
                    names.add(current.name.value.encode())
                    break
                current = owner.parent(current)
        return names

    # -- the plan --------------------------------------------------------------------------
    def plan(self) -> Rename:
        homes = self._homes()
        home_of = {old: homes[self.new_of[old]] for old in self.old}
        rename = Rename(self.new_of, self.moving, homes)
        wanted = set(self.old) | set(self.new_of.values())
        affected: List[Site] = []
        for module in self._modules():
            for site in sites_testing(module, wanted) + [t for t in imported_types(module) if wanted & {o.value for o in t.options()}]:
                if self._reaches(site):
                    affected.append(site)
        # The choices the moving values are offered from are moved too (their containers).
        offered: Dict[Place, Collection] = {}
        for value in self.moving:
            if value.offered:
                owner = self.ctx.owner(value.node)
                container = _container_of(owner, value.node)
                collection = collection_at(owner, container) if container is not None else None
                if collection is not None:
                    offered.setdefault(collection.key, collection)
        affected += [Offered(c) for c in offered.values()]
        renamed: Dict[Place, Optional[str]] = {}
        edits: List[Edit] = []
        collections: Dict[Place, Collection] = {}
        table_homes: Dict[Place, Set[str]] = {}  # a table -> the old values its keys move for
        for site in affected:
            for collection in site.collections():
                collections.setdefault(collection.key, collection)
            local = self._local_homes(site)
            if isinstance(site, (Comparison, Cases)):
                for option in site.options():
                    key = place(option.ctx, option.node)
                    if option.value in local.values() and key not in renamed:
                        renamed[key] = self.new_of[option.value]
                        self._carry(option.value, replace_string(self.ctx, option.node, self.new_of[option.value]), edits, rename, homes)
            for collection in site.collections():
                if collection.kind == "dict" and not isinstance(site, (Offered, Typed)):
                    table_homes.setdefault(collection.key, set()).update(local.values())
        merged = {m for m in self.old if home_of[m] == m or m not in self.picked}
        listed: List[Edit] = []  # the lists', tuples', sets' and Literals' edits (redone below)
        for key, collection in collections.items():
            if collection.kind == "dict":
                self._move_table(collection, table_homes.get(key, set()), homes, renamed, edits, rename)
            else:
                self._move_collection(collection, merged, renamed, listed, rename)
        # Definitions the program picks itself: rewritten where they are written.
        for value in self.moving:
            key = place(self.ctx, value.node)
            if value.offered or key in renamed:
                continue
            renamed[key] = self.new_of[value.value]
            rename.definitions[key] = replace_string(self.ctx, value.node, self.new_of[value.value])
        self._judge(affected, home_of, renamed, rename)
        # A value the program picks itself that moves safely merges into the target's element
        # in every fix (a list or Literal holds it as a choice: it routes nothing): one edit of
        # each collection for all the fixes, never two that collide.
        safe = {m for m in self.old if m in self.picked and m not in merged and m not in rename.conflicts}
        if safe:
            listed = []
            for m in safe:
                rename.merges.pop(m, None)
            for collection in collections.values():
                if collection.kind != "dict":
                    self._move_collection(collection, merged | safe, renamed, listed, rename)
        edits += listed
        rename.edits = _deduplicated(edits, rename)
        if not _deduplicated(rename.edits + list(rename.definitions.values()), rename) and rename.edits:
            rename.edits = []
        rename.covered = set(renamed)
        for site in affected:
            for option in site.options():
                key = place(option.ctx, option.node)
                if key in renamed:
                    rename.uses.setdefault(key, option.node)
        rename.moved = list(
            dict.fromkeys(site.describe(self.where) for site in affected if any(place(o.ctx, o.node) in renamed for o in site.options()))
        )
        for new, home in homes.items():
            olds = [m for m in self.old if self.new_of[m] == new and m != home]
            if olds and (any(m in rename.conflicts for m in olds) or rename.notes):
                others = ", ".join(f"'{m}'" for m in olds)
                rename.notes.insert(0, f"with {others} it can be several of the old values; all become '{new}', which takes the routes of '{home}'")
        return rename

    def _local_homes(self, site: Site) -> Dict[str, str]:
        """For each new value, the old value whose route it takes at this site: the home among
        the old values that reach the site (a site only one program's value reaches keeps that
        value's route; where several meet, their home's)."""
        if isinstance(site, Offered):
            return {}
        held = {v.value for v in site.values.values if isinstance(v.value, str)}
        groups: Dict[str, List[str]] = {}
        for old in self.old:
            if old in held:
                groups.setdefault(self.new_of[old], []).append(old)
        return {new: self._home(olds) for new, olds in groups.items()}

    def _carry(self, old: str, edit: Edit, edits: List[Edit], rename: Rename, homes: Dict[str, str]) -> None:
        """An edit that keeps ``old``'s route goes with every fix (the home value's, or a choice
        that merges with it), or only with the fixes of ``old``'s own definitions."""
        if homes[self.new_of[old]] == old or old not in self.picked:
            edits.append(edit)
        else:
            rename.merges.setdefault(old, []).append(edit)

    def _reaches(self, site: Site) -> bool:
        if isinstance(site, Offered):
            return True
        return any(place(site.ctx, v.node) in self.moving_places for v in site.values.values)

    def _move_table(self, collection: Collection, locals_: Set[str], homes: Dict[str, str], renamed, edits: List[Edit], rename: Rename) -> None:
        """In a table (dict) the key of an old value whose route is kept (a site's home value)
        becomes its new value's: never two keys for one new value, never over a key the new
        value already has (the program would read that entry)."""
        values = [o.value for o in collection.options]
        taken: Dict[str, str] = {}  # new value -> the old value whose key becomes it
        order = sorted(locals_, key=lambda m: (homes[self.new_of[m]] != m, self.old.index(m)))
        for old in order:
            new = self.new_of[old]
            keys = [o for o in collection.options if o.value == old]
            if not keys:
                continue
            where = f"{collection.name()} ({_where(collection.ctx, collection.node, self.where)})"
            problem = None
            if new in values:
                target_key = next(o for o in collection.options if o.value == new)
                problem = (
                    f"{where} already has a key '{new}' (line {_line(collection.ctx, target_key.node)}): the migrated "
                    f"program would read that entry instead of the one for '{old}'"
                )
            elif new in taken:
                problem = f"{where} has entries for both '{taken[new]}' and '{old}', which would both become '{new}'"
            if problem is not None:
                if homes[new] == old or old not in self.picked:
                    rename.blockers.append(problem)
                else:
                    rename.conflicts.setdefault(old, []).append(problem)
                continue
            taken[new] = old
            for option in keys:
                key = place(option.ctx, option.node)
                if key not in renamed:
                    renamed[key] = new
                    self._carry(old, replace_string(self.ctx, option.node, new), edits, rename, homes)
            numbers = _numbers_in(collection, keys[-1])
            if numbers and self.ctx.catalog.is_known(old):
                problem = f"{where} holds numbers for '{old}' ({numbers}): prices or limits of '{old}' are not '{new}''s"
                if homes[new] == old or old not in self.picked:
                    rename.blockers.append(problem)
                else:
                    rename.conflicts.setdefault(old, []).append(problem)

    def _move_collection(self, collection: Collection, merged: Set[str], renamed, edits: List[Edit], rename: Rename) -> None:
        """In a list, tuple, set or ``Literal`` the values in ``merged`` (the homes, and values
        only offered as choices) merge into one element per new value (never two equal ones).
        A value the program picks itself merges with its own definitions' fixes
        (``Rename.merges``)."""
        ctx = self.ctx
        if not any(o.value in self.new_of for o in collection.options):
            return
        changes = self._merge(collection, merged, renamed)
        if changes:
            edit = _collection_edit(ctx, collection, changes)
            if edit is None:
                rename.blockers.append(
                    f"{collection.name()} ({_where(collection.ctx, collection.node, self.where)}) cannot be rewritten without "
                    "losing its comments or layout"
                )
                return
            edits.extend(edit)
        for other in self.old:
            if other in merged or not any(o.value == other for o in collection.options):
                continue
            edit = _collection_edit(ctx, collection, self._merge(collection, merged | {other}, {}))
            if edit is not None:
                rename.merges.setdefault(other, []).extend(edit)

    def _merge(self, collection: Collection, merged: Set[str], renamed) -> Dict[int, Optional[str]]:
        """The changes that merge the values of ``merged`` in a collection, one element per new
        value: a picked value's element (else the first) becomes the new value, unless the new
        value is there already; the others go."""
        changes: Dict[int, Optional[str]] = {}
        present = {o.value for o in collection.options if o.value not in merged}
        for new in dict.fromkeys(self.new_of[o.value] for o in collection.options if o.value in merged):
            moving = [o for o in collection.options if o.value in merged and self.new_of[o.value] == new]
            keep = None
            if new not in present:
                keep = next((o for o in moving if o.value in self.picked), moving[0])
            for option in moving:
                value = new if option is keep else None
                renamed[place(option.ctx, option.node)] = value
                changes[id(option.node)] = value
        return changes

    def _judge(self, affected: List[Site], home_of: Dict[str, str], renamed, rename: Rename) -> None:
        """Every value the argument can hold takes, after the move, the route it took before;
        an old value that meets another at a site takes their home value's route there: said
        when it is only offered as a choice, a reason not to move its own definitions safely
        when the program picks it. The routes no value takes any more are dead."""
        homes = {self.new_of[m]: h for m, h in home_of.items()}
        for site in affected:
            if isinstance(site, (Offered, Typed)):
                continue
            described = None
            held = {v.value for v in site.values.values if isinstance(v.value, str)}
            local = self._local_homes(site)
            # Values that do not move keep their routes (the new value already written somewhere).
            for value in sorted(held - set(self.old)):
                if site.outcome(value, {}) != site.outcome(value, renamed):
                    described = described or site.describe(self.where)
                    rename.blockers.append(f"`{value}` can also reach {described}, which would then route it as another value")
            for old in self.old:
                if old not in held:
                    continue
                new, here = self.new_of[old], local[self.new_of[old]]
                after = site.outcome(new, renamed)
                before = site.outcome(old, {})
                global_ = homes[new] == old or old not in self.picked
                if old == here:
                    if before == _UNKNOWN or after == _UNKNOWN:
                        described = described or site.describe(self.where)
                        problem = f"{described} cannot be followed (a computed key or element)"
                    elif before != after:
                        described = described or site.describe(self.where)
                        problem = _changed_route(site, old, new, described)
                    else:
                        continue
                    if global_:
                        rename.blockers.append(problem)
                    else:
                        rename.conflicts.setdefault(old, []).append(problem)
                elif before != after:
                    described = described or site.describe(self.where)
                    catalog = self.ctx.catalog
                    if old not in self.picked:
                        rename.notes.append(f"'{old}', offered as a choice, becomes '{new}' and takes the route of '{here}' at {described}")
                    elif catalog.returns_base64_only(here) and not catalog.returns_base64_only(old):
                        # The program has a route for a GPT image model here: the right one for a
                        # GPT image target, where the DALL-E route's parameters would be rejected.
                        rename.notes.append(f"'{old}' becomes '{new}' and takes the route written for '{here}' (a GPT image model) at {described}")
                    else:
                        rename.conflicts.setdefault(old, []).append(
                            f"{described} routes '{old}' differently from '{here}', whose route '{new}' takes"
                        )
        # Options of old values that no value holds after the move: routes that no longer run.
        for site in affected:
            if isinstance(site, (Offered, Typed)):
                continue
            held = {v.value for v in site.values.values if isinstance(v.value, str)}
            local = self._local_homes(site)
            complete = site.values.complete and all(isinstance(v.value, str) for v in site.values.values)
            for option in site.options():
                key = place(option.ctx, option.node)
                if key in renamed or key in rename.dead or option.value in local.values():
                    continue
                if option.value in self.new_of and option.value in held and option.value not in rename.conflicts:
                    what = "choice" if option.value not in self.picked else "value"
                    rename.dead[key] = (option.node, (
                        f"the route for it ({site.describe(option.ctx)}) no longer runs: the {what} it was for becomes "
                        f"'{self.new_of[option.value]}' and takes the route of '{local.get(self.new_of[option.value], home_of[option.value])}'. "
                        "Remove it when you no longer need it."
                    ))
                elif option.value in self.new_of and option.value in held:
                    rename.dead[key] = (option.node, (
                        f"the value can be '{option.value}' here ({site.describe(option.ctx)}); once that definition moves "
                        f"to '{self.new_of[option.value]}' (unsafe: its route differs from "
                        f"'{local.get(self.new_of[option.value], home_of[option.value])}''s) this route no longer runs. "
                        "Not rewritten: two routes for one value would be a guess."
                    ))
                elif complete and held and option.value not in held and self.ctx.catalog.status(option.value, self.ctx.settings.today) == "retired":
                    rename.dead[key] = (option.node, never_seen(site, option.ctx, option.value))


def never_seen(site: Site, where: ModuleContext, value: str) -> str:
    """What is said of an id a site tests for that the tested value never holds. The same before
    and after a fix (the value's own ids are not named: they are what the fix changes)."""
    return (
        f"{site.describe(where)} never sees it: the value is never '{value}'. Its route does not run; it is left as "
        "it is (rewriting it would send the migrated value there). Remove it when you no longer need it."
    )


def _changed_route(site: Site, old: str, new: str, described: str) -> str:
    if isinstance(site, FamilyTest):
        return f"{described} is {site.test(old)} for '{old}' and {site.test(new)} for '{new}': the migrated program would take the other branch"
    if isinstance(site, Lookup):
        return f"{described} would read another entry for '{new}' than the one for '{old}'"
    if isinstance(site, Comparison):
        return f"{described}: the program already has a branch for '{new}', which the migrated value would take instead of the one for '{old}'"
    return f"{described} routes '{new}' differently from '{old}'"


def _numbers_in(collection: Collection, option: Option) -> str:
    """The numbers a table holds for a key (a price, a limit), as text; '' when it holds none."""
    item = collection.holder(option)
    value = item.value if isinstance(item, cst.DictElement) else None
    if value is None:
        return ""
    found = []
    for node in collection.ctx.inside(value, cst.Integer, cst.Float):
        found.append(collection.ctx.code(node))
    return ", ".join(found[:3])


def _container_of(ctx: ModuleContext, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    parent = ctx.parent(node)
    if isinstance(parent, cst.Element):
        container = ctx.parent(parent)
        return container if isinstance(container, (cst.List, cst.Tuple, cst.Set)) else None
    if isinstance(parent, cst.Index):
        element = ctx.parent(parent)
        subscript = ctx.parent(element) if isinstance(element, cst.SubscriptElement) else None
        return subscript if isinstance(subscript, cst.Subscript) else None
    return None


def _collection_edit(ctx: ModuleContext, collection: Collection, changes: Dict[int, Optional[str]]) -> Optional[List[Edit]]:
    """Edits of a list, tuple, set or ``Literal`` whose elements ``changes`` renames (a new
    value) or removes (None): minimal edits when nothing is removed, else one edit of the
    collection's text, checked to parse as the same kind (a tuple left with one element keeps
    a trailing comma). None when that cannot be written."""
    owner = collection.ctx
    options = {id(o.node): o for o in collection.options}
    if all(v is not None for v in changes.values()):
        return [replace_string(ctx, options[i].node, v) for i, v in changes.items()]  # type: ignore[arg-type]
    local: List[Edit] = []
    items = collection.items
    run: List[cst.CSTNode] = []

    def flush() -> None:
        if run:
            local.append(delete_item(owner, items, run[0], through=run[-1]))
            run.clear()

    for item in items:
        value_node = _item_value(item)
        change = changes.get(id(value_node), "") if value_node is not None else ""
        if change is None:
            run.append(item)
            continue
        flush()
        if change:
            start, end = owner.span(value_node)  # type: ignore[arg-type]
            local.append(Edit(start, end, string_literal(change, value_node)))  # type: ignore[arg-type]
    flush()
    start, end = owner.span(collection.node)
    text = owner.text
    pieces, last = [], start
    for edit in sorted(local):
        if edit.start < last or edit.end > end:
            return None
        pieces.append(text[last : edit.start])
        pieces.append(edit.content)
        last = edit.end
    pieces.append(text[last:end])
    new = "".join(pieces)
    new = _still_a(collection, new)
    if new is None:
        return None
    edit = Edit(start, end, new)
    return [edit if owner is ctx else Edit(start, end, new, path=owner.path, digest=text_digest(owner.text))]


def _still_a(collection: Collection, text: str) -> Optional[str]:
    """``text`` if it parses as the same kind of collection (a one-element tuple given its
    trailing comma), else None. A tuple's text is its elements (its parentheses are not part
    of it)."""
    kind = type(collection.node)
    tuple_ = isinstance(collection.node, cst.Tuple)
    candidates = [text]
    if tuple_:
        stripped = text.rstrip()
        candidates.append(stripped + "," + text[len(stripped) :])
    for candidate in candidates:
        try:
            parsed = cst.parse_expression(f"({candidate})" if tuple_ else candidate)
        except Exception:
            continue
        if isinstance(parsed, kind):
            return candidate
    return None


def _deduplicated(edits: Iterable[Edit], rename: Rename) -> List[Edit]:
    """One edit per place; two different edits of one place (or overlapping ones) cannot be
    applied together: the move is then reported, not made."""
    by_place: Dict[Tuple[Optional[str], int, int], Edit] = {}
    for edit in edits:
        key = (edit.path, edit.start, edit.end)
        known = by_place.get(key)
        if known is not None and known.content != edit.content:
            rename.blockers.append("two of its uses would need different rewrites of one place")
            continue
        by_place[key] = edit
    ordered = sorted(by_place.values(), key=lambda e: (e.path or "", e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.path == b.path and a.overlaps(b):
            rename.blockers.append("two of its uses would need overlapping rewrites")
            return []
    return ordered


def _names_any(project, path: str, names: Set[bytes]) -> bool:
    data = project.read(path)
    return data is not None and any(name in data for name in names)
