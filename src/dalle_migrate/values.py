"""Resolve the values an argument can carry, statically and within one module.

An expression resolves to the literals that can flow into it: the literal itself; a name's
assignments (module constants, locals, globals set in functions); a parameter's default and the
literal arguments the module's own calls pass; class constants and field defaults read through
``self.x``, an instance or an enum member; the defaults of ``os.getenv("X", "dall-e-3")``,
``config.get("model", "dall-e-3")`` and ``Field(default=...)``; entries of dict literals.

Every value remembers the literal node that holds it, so a fix edits the definition, once,
however many calls share it. A resolution is *complete* when nothing else can flow in; when it
is not, the rules say so (DM104) and fix only what they can see.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .context import ModuleContext
from .scopes import Assignment, ImportAssignment, dotted_name  # noqa: F401  (dotted_name re-exported)

_MAX_DEPTH = 12
_GETENV = {"os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault"}
_FIELD_FACTORIES = {"Field", "field", "pydantic.Field", "dataclasses.field", "attr.ib", "attrs.field"}
_TRANSPARENT_CALLS = {"str"}


@dataclass(frozen=True)
class Value:
    value: Any  # str, int, float, bool or None
    node: cst.BaseExpression  # the literal that holds it: what a fix rewrites
    note: str = ""  # how the value can be overridden at run time, for messages

    @property
    def is_str(self) -> bool:
        return isinstance(self.value, str)


@dataclass(frozen=True)
class Resolution:
    values: Tuple[Value, ...] = ()
    complete: bool = True  # False: something that cannot be resolved may also flow in

    def __add__(self, other: "Resolution") -> "Resolution":
        present = set(self.values)
        values = self.values + tuple(v for v in other.values if v not in present)
        return Resolution(values, self.complete and other.complete)

    @property
    def single(self) -> Optional[Value]:
        return self.values[0] if self.complete and len(self.values) == 1 else None


UNRESOLVED = Resolution((), False)
_NOT_LITERAL = object()


def literal(node: cst.CSTNode) -> Any:
    """The Python value of a literal expression, or ``_NOT_LITERAL`` (also for a literal Python
    itself would reject, such as a bad escape: LibCST parses it, evaluating it fails)."""
    try:
        return _literal(node)
    except (SyntaxError, ValueError, OverflowError, MemoryError):
        return _NOT_LITERAL


def string_value(node: cst.CSTNode) -> Any:
    """The value of a string literal node, or None when it is not a text string Python accepts."""
    value = literal(node)
    return value if isinstance(value, str) else None


def _literal(node: cst.CSTNode) -> Any:
    if isinstance(node, cst.SimpleString):
        raw = node.value
        if "\\" not in raw and "\r" not in raw:
            # No escape and no line ending to normalise: the text between the quotes is the
            # value (evaluating it compiles code, the slowest step of a check).
            at = 0
            while raw[at] not in "'\"":
                at += 1
            if raw[:at].lower() in ("", "u", "r"):
                quote = 3 if raw[at : at + 3] in ('"""', "'''") and len(raw) - at >= 6 else 1
                return raw[at + quote : len(raw) - quote]
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        with warnings.catch_warnings():
            # `"\d+"` in the scanned code: Python warns when it evaluates it; not ours to print.
            warnings.simplefilter("ignore")
            value = node.evaluated_value
        return value if isinstance(value, str) else _NOT_LITERAL
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.Float):
        return float(node.evaluated_value)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _literal(node.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    if isinstance(node, cst.FormattedString) and all(isinstance(p, cst.FormattedStringText) for p in node.parts):
        return "".join(p.value for p in node.parts)  # an f-string without placeholders
    return _NOT_LITERAL


def passed_argument(func: cst.FunctionDef, call: cst.Call, param: cst.Param, bound: bool) -> Optional[cst.Arg]:
    """The argument ``call`` passes ``param`` of ``func``, by name or by position; ``bound``: the
    call passes the first parameter itself (``self``, ``cls``: a method or a constructor)."""
    positional_params = list(func.params.posonly_params) + list(func.params.params)
    if bound and positional_params and positional_params[0].name.value in ("self", "cls"):
        positional_params = positional_params[1:]
    keyword = next((a for a in call.args if a.keyword is not None and a.keyword.value == param.name.value), None)
    if keyword is not None or param not in positional_params:
        return keyword
    positional = [a for a in call.args if a.keyword is None and not a.star]
    index = positional_params.index(param)
    return positional[index] if index < len(positional) else None


def call_arguments(call: cst.Call, names: Sequence[str]) -> List[Optional[cst.Arg]]:
    """The argument passed for each of ``names`` (keyword or by position), None when absent."""
    out: List[Optional[cst.Arg]] = []
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for index, name in enumerate(names):
        keyword = next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)
        out.append(keyword or (positional[index] if index < len(positional) else None))
    return out


class Resolver:
    """Resolves expressions of one module; shares its caches across every call."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self._class_attrs: Optional[Dict[Tuple[cst.ClassDef, str], List[cst.BaseExpression]]] = None
        self._calls_by_name: Optional[Dict[str, List[cst.Call]]] = None
        self._names: Dict[int, Resolution] = {}  # by id of the bindings list a name reads
        self._globals: Dict[str, Resolution] = {}  # top-level names other modules import
        self._cuts = 0  # resolutions cut short by a cycle or the depth limit so far

    # -- entry points --------------------------------------------------------------------------
    def resolve(self, node: cst.BaseExpression) -> Resolution:
        return self._resolve(node, 0, frozenset())

    def dict_entries(self, node: cst.BaseExpression) -> Optional[List[Tuple[str, cst.BaseExpression, cst.CSTNode, cst.CSTNode]]]:
        """Entries (key, value, holder, container) of the dict an expression holds; None if unknown.

        ``holder`` is the dict element or keyword argument to delete, ``container`` the Dict or
        ``dict(...)`` call that holds it. Later entries win, as in Python.
        """
        return self._dict_entries(node, 0, frozenset())

    # -- resolution ----------------------------------------------------------------------------
    def _resolve(self, node: cst.CSTNode, depth: int, seen: frozenset) -> Resolution:
        value = literal(node)
        if value is not _NOT_LITERAL:
            return Resolution((Value(value, node),))
        if depth > _MAX_DEPTH or node in seen:
            self._cuts += 1
            return UNRESOLVED
        seen = seen | {node}
        depth += 1
        if isinstance(node, cst.Name):
            return self._name(node, depth, seen)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, depth, seen)
        if isinstance(node, cst.Call):
            return self._call(node, depth, seen)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth, seen)
        if isinstance(node, cst.IfExp):
            return self._resolve(node.body, depth, seen) + self._resolve(node.orelse, depth, seen)
        if isinstance(node, cst.BooleanOperation):
            return self._resolve(node.left, depth, seen) + self._resolve(node.right, depth, seen)
        return UNRESOLVED

    def _name(self, node: cst.Name, depth: int, seen: frozenset) -> Resolution:
        scope = self.ctx.scope(node)
        if scope is None:
            return UNRESOLVED
        assignments = scope[node.value]
        if not assignments:
            return UNRESOLVED
        # Every read that sees the same bindings resolves alike: computed once (a name bound
        # n times and read n times would otherwise cost n * n), unless a cycle or the depth
        # limit cut the computation short (then the result depends on the path to it).
        known = self._names.get(id(assignments))
        if known is not None:
            return known
        cuts = self._cuts
        result = Resolution()
        for assignment in assignments:
            result = result + self._assignment(assignment, depth, seen)
        if self._cuts == cuts:
            self._names[id(assignments)] = result
        return result

    def _assignment(self, assignment, depth: int, seen: frozenset) -> Resolution:
        if isinstance(assignment, ImportAssignment):
            return self._imported(assignment, depth, seen)
        if not isinstance(assignment, Assignment):
            return UNRESOLVED
        node = assignment.node
        if isinstance(node, cst.Param):
            return self._parameter(node, depth, seen)
        value = self.assigned_value(node)
        if value is None:
            return UNRESOLVED
        return self._resolve(value, depth, seen)

    def assigned_value(self, target: cst.CSTNode) -> Optional[cst.BaseExpression]:
        """The expression a name target is bound to by ``=`` or an annotated assignment."""
        parent = self.ctx.parent(target)
        if isinstance(parent, cst.AssignTarget):
            assign = self.ctx.parent(parent)
            if isinstance(assign, cst.Assign):
                return assign.value
        if isinstance(parent, cst.AnnAssign) and parent.target is target and parent.value is not None:
            return parent.value
        if isinstance(parent, cst.NamedExpr) and parent.target is target:
            return parent.value
        return None

    def _parameter(self, param: cst.Param, depth: int, seen: frozenset) -> Resolution:
        """A parameter: its default, plus what the project's calls of the function pass (this
        module's own, and, for a top-level function, those of the modules that import it)."""
        result = self._resolve(param.default, depth, seen) if param.default is not None else Resolution((), True)
        if self._enclosing(param, cst.FunctionDef) is None:
            return UNRESOLVED
        passed = self.arguments_for(param)
        if not passed and param.default is None:
            return UNRESOLVED  # only callers elsewhere decide
        for caller, arg in passed:
            if arg is None:
                if caller is None:  # a call passes `*args` or `**kwargs`
                    result = result + UNRESOLVED
                continue
            result = result + self._delegated(caller._resolve, arg.value, depth, seen)
        if not result.values and not passed:
            return UNRESOLVED
        return result

    def _attribute(self, node: cst.Attribute, depth: int, seen: frozenset) -> Resolution:
        attr = node.attr.value
        # Enum members: Model.DALLE.value
        if attr == "value" and isinstance(node.value, cst.Attribute):
            inner = self._attribute(node.value, depth, seen)
            if inner.values or inner.complete is False:
                return inner
        owner = self.class_of(node.value)
        if owner is not None:
            # The class may be another module's: its attributes are resolved there.
            return self._delegated(resolver(self.ctx.owner(owner))._class_attribute, owner, attr, depth, seen)
        elsewhere = self.elsewhere(node.value)
        if elsewhere is not None and elsewhere.name is None:  # `settings.IMAGE_MODEL`: a project module
            return self._delegated(resolver(elsewhere.ctx).resolve_global, attr, depth, seen)
        return UNRESOLVED

    def _class_attribute(self, owner: cst.ClassDef, attr: str, depth: int, seen: frozenset) -> Resolution:
        values = self._class_attributes().get((owner, attr))
        if not values:
            return UNRESOLVED
        result = Resolution()
        for value in values:
            result = result + self._resolve(value, depth, seen)
        return result

    # -- other modules of the project ----------------------------------------------------------
    def _imported(self, assignment: ImportAssignment, depth: int, seen: frozenset) -> Resolution:
        """A name imported from a module of the project: what that module binds to it."""
        project = self.ctx.project
        target = project.imported(self.ctx, assignment) if project is not None else None
        if target is None or target.name is None:
            return UNRESOLVED  # a third-party module, or a module object (not a value)
        return self._delegated(resolver(target.ctx).resolve_global, target.name, depth, seen)

    def _delegated(self, method, *args) -> Resolution:
        """``method`` of another module's resolver (or this one's), counting the resolutions it
        cut short as this resolver's own (a cut result must not be cached here either)."""
        other = method.__self__
        cuts = other._cuts
        result = method(*args)
        if other is not self:
            self._cuts += other._cuts - cuts
        return result

    def resolve_global(self, name: str, depth: int = 0, seen: frozenset = frozenset()) -> Resolution:
        """What the module binds to ``name`` at its top level, as another module imports it."""
        known = self._globals.get(name)
        if known is not None:
            return known
        bindings = self.ctx.module_scope.assignments.get(name)
        project = self.ctx.project
        if not bindings or project is None:
            return UNRESOLVED
        if depth > _MAX_DEPTH or not project.entering(self.ctx, name):
            self._cuts += 1  # an import cycle
            return UNRESOLVED
        cuts = self._cuts
        try:
            result = Resolution()
            for assignment in bindings:
                result = result + self._assignment(assignment, depth + 1, seen)
        finally:
            project.leaving(self.ctx, name)
        if self._cuts == cuts:
            self._globals[name] = result
        return result

    def elsewhere(self, node: cst.CSTNode):
        """What an expression names in another module of the project (project.Imported)."""
        project = self.ctx.project
        return project.elsewhere(self.ctx, node) if project is not None else None

    def global_class(self, name: str, depth: int = 0) -> Optional[cst.ClassDef]:
        """The class a top-level name of this module is, or is an instance of."""
        bindings = self.ctx.module_scope.assignments.get(name) or []
        project = self.ctx.project
        if len(bindings) != 1 or project is None or depth > _MAX_DEPTH:
            return None
        binding = bindings[0]
        if isinstance(binding.node, cst.ClassDef):
            return binding.node
        key = "class:" + name
        if not project.entering(self.ctx, key):
            return None  # an import cycle
        try:
            if isinstance(binding, ImportAssignment):
                target = project.reexported(project.imported(self.ctx, binding))
                if target is None or target.name is None:
                    return None
                return resolver(target.ctx).global_class(target.name, depth + 1)
            value = self.assigned_value(binding.node)
            return self.class_of(value, depth + 1) if value is not None else None
        finally:
            project.leaving(self.ctx, key)

    def _call(self, node: cst.Call, depth: int, seen: frozenset) -> Resolution:
        name = dotted_name(node.func) or ""
        if name in _GETENV:
            key_arg, default_arg = call_arguments(node, ["key", "default"])
            if default_arg is None:
                return UNRESOLVED
            key = literal(key_arg.value) if key_arg is not None else None
            note = f"the environment variable {key} overrides it when set" if isinstance(key, str) else "the environment overrides it"
            return _noted(self._resolve(default_arg.value, depth, seen), note)
        if name in _FIELD_FACTORIES:
            default_arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "default"), None)
            if default_arg is None:
                positional = [a for a in node.args if a.keyword is None and not a.star]
                default_arg = positional[0] if positional and name.split(".")[-1] == "Field" else None
            return self._resolve(default_arg.value, depth, seen) if default_arg is not None else UNRESOLVED
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            key_arg, default_arg = call_arguments(node, ["key", "default"])
            key = literal(key_arg.value) if key_arg is not None else None
            if default_arg is None:
                return UNRESOLVED
            owner = dotted_name(node.func.value) or "the mapping"
            note = f"{owner}[{key!r}] replaces it when present" if isinstance(key, str) else ""
            return _noted(self._resolve(default_arg.value, depth, seen), note)
        if name in _TRANSPARENT_CALLS and len(node.args) == 1 and not node.args[0].star:
            return self._resolve(node.args[0].value, depth, seen)
        return UNRESOLVED

    def _subscript(self, node: cst.Subscript, depth: int, seen: frozenset) -> Resolution:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNRESOLVED
        key = literal(node.slice[0].slice.value)
        if not isinstance(key, str):
            return UNRESOLVED
        entries = self._dict_entries(node.value, depth, seen)
        if entries is None:
            return UNRESOLVED
        found = [value for k, value, _, _ in entries if k == key]
        return self._resolve(found[-1], depth, seen) if found else UNRESOLVED

    # -- dicts ---------------------------------------------------------------------------------
    def _dict_entries(self, node: cst.CSTNode, depth: int, seen: frozenset):
        if depth > _MAX_DEPTH or node in seen:
            self._cuts += 1
            return None
        seen = seen | {node}
        depth += 1
        if isinstance(node, cst.Dict):
            entries = []
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    inner = self._dict_entries(element.value, depth, seen)
                    if inner is None:
                        return None
                    entries.extend(inner)
                    continue
                key = literal(element.key)
                if not isinstance(key, str):
                    return None
                entries.append((key, element.value, element, node))
            return entries
        if isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
            entries = []
            for arg in node.args:
                if arg.star == "**" or (arg.keyword is None and not arg.star):
                    inner = self._dict_entries(arg.value, depth, seen)  # dict(DEFAULTS), dict(**BASE)
                    if inner is None:
                        return None
                    entries.extend(inner)
                elif arg.keyword is not None:
                    entries.append((arg.keyword.value, arg.value, arg, node))
                else:
                    return None
            return entries
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "copy" and not node.args:
            return self._dict_entries(node.func.value, depth, seen)
        if isinstance(node, cst.Name):
            assignment = self.single_assignment(node)
            value = self.assigned_value(assignment.node) if assignment is not None else None
            if value is None:
                return None
            entries = self._dict_entries(value, depth, seen)
            if entries is None:
                return None
            return entries + self._subscript_assignments(assignment, node)
        return None

    def _subscript_assignments(self, assignment: Assignment, name: cst.Name):
        """``params["size"] = "512x512"`` after the dict literal: more entries of the same dict."""
        entries = []
        for node in self.ctx.nodes(cst.Assign):
            for target in node.targets:
                t = target.target
                if (
                    isinstance(t, cst.Subscript)
                    and isinstance(t.value, cst.Name)
                    and t.value.value == name.value
                    and len(t.slice) == 1
                    and isinstance(t.slice[0].slice, cst.Index)
                    and self.ctx.scope(t.value) is assignment.scope
                ):
                    key = literal(t.slice[0].slice.value)
                    if isinstance(key, str) and len(node.targets) == 1:
                        entries.append((key, node.value, node, node))
        return entries

    # -- structure helpers ---------------------------------------------------------------------
    def single_assignment(self, name: cst.Name) -> Optional[Assignment]:
        """The one plain binding of a name in the scope that reads it; None if bound otherwise."""
        scope = self.ctx.scope(name)
        if scope is None:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None
        return assignments[0]

    def _enclosing(self, node: cst.CSTNode, kind):
        current = self.ctx.parent(node)
        while current is not None and not isinstance(current, kind):
            current = self.ctx.parent(current)
        return current

    def _calls_of(self, name: str) -> List[cst.Call]:
        if self._calls_by_name is None:
            calls: Dict[str, List[cst.Call]] = {}
            for node in self.ctx.nodes(cst.Call):
                func = node.func
                if isinstance(func, cst.Name):
                    calls.setdefault(func.value, []).append(node)
                elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
                    calls.setdefault(func.attr.value, []).append(node)
            self._calls_by_name = calls
        return self._calls_by_name.get(name, [])

    def class_of(self, node: Optional[cst.CSTNode], depth: int = 0) -> Optional[cst.ClassDef]:
        """The project's class an expression is, or is an instance of: ``self``, ``Settings()``,
        a name bound to one, a parameter or attribute annotated with one (``config: Config``),
        ``self.config`` where the class assigns ``self.config = Config(...)``."""
        if node is None or depth > _MAX_DEPTH:
            return None
        depth += 1
        if isinstance(node, cst.Name):
            if node.value in ("self", "cls"):
                return self._enclosing(node, cst.ClassDef)
            assignment = self.single_assignment(node)
            if assignment is None:
                return None
            if isinstance(assignment, ImportAssignment):
                target = self.elsewhere(node)
                return resolver(target.ctx).global_class(target.name, depth) if target is not None and target.name else None
            bound = assignment.node
            if isinstance(bound, cst.ClassDef):
                return bound
            if isinstance(bound, cst.Param):
                annotated = self._annotated_class(bound.annotation.annotation, depth) if bound.annotation is not None else None
                return annotated or self.class_of(bound.default, depth) or self._passed_class(bound, depth)
            parent = self.ctx.parent(bound)
            if isinstance(parent, cst.AnnAssign) and parent.target is bound:
                annotated = self._annotated_class(parent.annotation.annotation, depth)
                if annotated is not None:
                    return annotated
            return self.class_of(self.assigned_value(bound), depth)
        if isinstance(node, cst.Attribute):
            owner = self.class_of(node.value, depth)
            if owner is None:
                return None
            return resolver(self.ctx.owner(owner))._attribute_class(owner, node.attr.value, depth)
        if isinstance(node, cst.Call):
            return self.class_of(node.func, depth)
        if isinstance(node, cst.BooleanOperation):  # `config or Config()`
            return self.class_of(node.left, depth) or self.class_of(node.right, depth)
        if isinstance(node, cst.IfExp):
            return self.class_of(node.body, depth) or self.class_of(node.orelse, depth)
        return None

    def _passed_class(self, param: cst.Param, depth: int) -> Optional[cst.ClassDef]:
        """The class of what every call of the parameter's function passes it, when they agree."""
        found = set()
        for caller, arg in self.arguments_for(param):
            if caller is None:
                return None
            if arg is None:
                continue
            cls = caller.class_of(arg.value, depth)
            if cls is None:
                return None
            found.add(cls)
        return found.pop() if len(found) == 1 else None

    def arguments_for(self, param: cst.Param):
        """(resolver, the argument passed or None) for each call of the parameter's function in
        the project; (None, None) for a call whose ``*args``/``**kwargs`` may pass it."""
        func = self._enclosing(param, cst.FunctionDef)
        if func is None:
            return []
        owner = self._enclosing(func, cst.ClassDef)
        callers = [(self, call) for call in self._calls_of(owner.name.value if func.name.value == "__init__" and owner is not None else func.name.value)]
        project = self.ctx.project
        if project is not None and owner is None and self._enclosing(func, cst.FunctionDef) is None:
            callers += [(resolver(other), call) for other, call in project.callers(self.ctx, func)]
        out = []
        for caller, call in callers:
            if any(a.star for a in call.args):
                out.append((None, None))  # what it passes cannot be told
                continue
            out.append((caller, passed_argument(func, call, param, bound=owner is not None)))
        return out

    def _annotated_class(self, annotation: cst.BaseExpression, depth: int) -> Optional[cst.ClassDef]:
        """The class an annotation names: ``Config``, ``cfg.Config``, ``Optional[Config]``,
        ``Config | None`` (a quoted annotation is not read)."""
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            found = self.class_of(annotation, depth)
            return found
        if isinstance(annotation, cst.Subscript):
            for element in annotation.slice:
                if isinstance(element.slice, cst.Index):
                    found = self._annotated_class(element.slice.value, depth + 1)
                    if found is not None:
                        return found
        if isinstance(annotation, cst.BinaryOperation):
            return self._annotated_class(annotation.left, depth + 1) or self._annotated_class(annotation.right, depth + 1)
        return None

    def _attribute_class(self, owner: cst.ClassDef, attr: str, depth: int) -> Optional[cst.ClassDef]:
        """The class of ``owner``'s attribute ``attr``, from its annotation or what is assigned
        to it (in the class body or as ``self.attr`` in a method), when they all agree."""
        found = set()
        for node in self._typed_attributes().get((owner, attr), ()):
            if isinstance(node, cst.Annotation):
                cls = self._annotated_class(node.annotation, depth)
            else:
                cls = self.class_of(node, depth)
            if cls is not None:
                found.add(cls)
        return found.pop() if len(found) == 1 else None

    def _typed_attributes(self) -> Dict[Tuple[cst.ClassDef, str], List[cst.CSTNode]]:
        """Each class attribute's annotations and assigned values (class body and ``self.x``)."""
        known = self.ctx.memo.get("values.typed_attributes")
        if known is None:
            known = self.ctx.memo["values.typed_attributes"] = {}
            for node in self.ctx.nodes(cst.Assign, cst.AnnAssign):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
                        cls, attr = self._enclosing(node, cst.ClassDef), target.attr.value
                    elif isinstance(target, cst.Name) and isinstance(self.ctx.parent(self.ctx.parent(node) or node), cst.IndentedBlock):
                        cls, attr = self.ctx.class_of_attribute(node.value) if node.value is not None else None, target.value
                        if cls is None and isinstance(node, cst.AnnAssign):
                            block = self.ctx.parent(self.ctx.parent(node) or node)
                            cls = self.ctx.parent(block) if block is not None else None
                            cls = cls if isinstance(cls, cst.ClassDef) else None
                    else:
                        continue
                    if cls is None:
                        continue
                    if isinstance(node, cst.AnnAssign):
                        known.setdefault((cls, attr), []).append(node.annotation)
                    if node.value is not None:
                        known.setdefault((cls, attr), []).append(node.value)
        return known

    def _class_attributes(self) -> Dict[Tuple[cst.ClassDef, str], List[cst.BaseExpression]]:
        """Class-body constants and field defaults, and ``self.x = ...`` in the class's methods."""
        if self._class_attrs is None:
            attrs: Dict[Tuple[cst.ClassDef, str], List[cst.BaseExpression]] = {}
            for node in self.ctx.nodes(cst.ClassDef, cst.Assign, cst.AnnAssign):
                if isinstance(node, cst.ClassDef):
                    for statement in node.body.body:
                        if not isinstance(statement, cst.SimpleStatementLine):
                            continue
                        for small in statement.body:
                            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                                attrs.setdefault((node, small.targets[0].target.value), []).append(small.value)
                            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                                attrs.setdefault((node, small.target.value), []).append(small.value)
                    continue
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                if isinstance(node, cst.AnnAssign) and node.value is None:
                    continue
                for t in targets:
                    if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self":
                        cls = self._enclosing(node, cst.ClassDef)
                        if cls is not None:
                            attrs.setdefault((cls, t.attr.value), []).append(node.value)  # type: ignore[arg-type]
            self._class_attrs = attrs
        return self._class_attrs


def _noted(resolution: Resolution, note: str) -> Resolution:
    if not note:
        return resolution
    return Resolution(tuple(Value(v.value, v.node, v.note or note) for v in resolution.values), resolution.complete)


def resolver(ctx: ModuleContext) -> Resolver:
    """The module's value resolver, built on first use and shared by every rule."""
    found = ctx.memo.get("values.resolver")
    if found is None:
        found = ctx.memo["values.resolver"] = Resolver(ctx)
    return found


def resolve(ctx: ModuleContext, node: cst.BaseExpression) -> Optional[Value]:
    """The single value of ``node`` when it has exactly one and nothing else can flow in."""
    return resolver(ctx).resolve(node).single
