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
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

import libcst as cst

from .context import ModuleContext
from .scopes import Assignment, ImportAssignment, dotted_name, qualified_name  # noqa: F401  (dotted_name re-exported)

_MAX_DEPTH = 12
_GETENV = {"os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault"}
_FIELD_FACTORIES = {"Field", "field", "pydantic.Field", "dataclasses.field", "attr.ib", "attrs.field"}
_TRANSPARENT_CALLS = {"str"}
_COLLECTION_COPIES = {"set", "frozenset", "tuple", "list", "sorted"}
_CLICK_PARAMETERS = {"click.option", "click.argument"}
_TYPER_PARAMETERS = {"typer.Option", "typer.Argument"}
# Gradio components whose value is one of the choices they offer, and the events (and the
# Interface) that call a function with the values of their `inputs`, in order.
_GRADIO_CHOOSERS = {"gradio.Dropdown", "gradio.Radio", "gradio.components.Dropdown", "gradio.components.Radio"}
_GRADIO_EVENTS = {"click", "change", "submit", "select", "input", "then", "success", "release", "upload", "blur", "load"}
# Streamlit widgets that return one of the options they offer.
_SELECTORS = {"selectbox", "radio", "select_slider", "segmented_control", "pills"}


@dataclass(frozen=True)
class Value:
    value: Any  # str, int, float, bool or None
    node: cst.BaseExpression  # the literal that holds it: what a fix rewrites
    note: str = ""  # how the value can be overridden at run time, for messages
    # One of the choices the program offers its user (argparse or click ``choices``, a
    # Streamlit selector's options, a member of the ``Literal[...]`` a parameter is typed
    # with): it may be chosen at run time; it is not a value the program picks by itself.
    offered: bool = False

    @property
    def is_str(self) -> bool:
        return isinstance(self.value, str)


@dataclass(frozen=True)
class Resolution:
    values: Tuple[Value, ...] = ()
    complete: bool = True  # False: something that cannot be resolved may also flow in
    # The files of the other modules the values came through (a caller passing an argument, a
    # settings module): where else the value may be read (uses.py looks there for its uses).
    via: FrozenSet[str] = frozenset()

    def __add__(self, other: "Resolution") -> "Resolution":
        present = set(self.values)
        values = self.values + tuple(v for v in other.values if v not in present)
        return Resolution(values, self.complete and other.complete, self.via | other.via)

    @property
    def single(self) -> Optional[Value]:
        return self.values[0] if self.complete and len(self.values) == 1 else None

    @property
    def chosen(self) -> Tuple[Value, ...]:
        """The values the program itself may pick (not the choices it offers its user)."""
        return tuple(v for v in self.values if not v.offered)


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
            # `model or DEFAULT`: a falsy left value (None, "") never comes out of an `or`, a
            # truthy one never out of an `and`: the right operand's values come instead.
            left = self._resolve(node.left, depth, seen)
            keep_truthy = isinstance(node.operator, cst.Or)
            kept = tuple(v for v in left.values if bool(v.value) == keep_truthy)
            return Resolution(kept, left.complete, left.via) + self._resolve(node.right, depth, seen)
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
        module's own, and, for a top-level function, those of the modules that import it), plus
        the choices its type or a click option offers."""
        func = self._enclosing(param, cst.FunctionDef)
        if func is None:
            return UNRESOLVED
        option = self._click_option(func, param, depth, seen)
        if option is not None:
            return option  # click calls the function with what the command line gives
        chosen = self._gradio_inputs(func, param)
        if chosen is not None:
            return chosen  # Gradio calls the function with what its components hold
        offered = self._offered_by_annotation(param.annotation, depth, seen)
        result = self._resolve(param.default, depth, seen) if param.default is not None else Resolution((), True)
        passed = self.arguments_for(param)
        if not passed and param.default is None:
            return offered if offered.values else UNRESOLVED  # only callers elsewhere decide
        result = result + offered
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
        parsed = self._parsed_argument(node, depth, seen)
        if parsed is not None:
            return parsed
        built = self._instance_attribute(node, depth, seen)
        if built is not None:
            return built
        owner = self.class_of(node.value)
        if owner is not None:
            # The class may be another module's: its attributes are resolved there.
            return self._delegated(resolver(self.ctx.owner(owner))._class_attribute, owner, attr, depth, seen)
        # `settings.IMAGE_MODEL`, `app.settings.IMAGE_MODEL`: a project module's top-level name
        # (a package that only re-imports it is passed through unparsed: project.elsewhere).
        target = self.elsewhere(node)
        if target is not None and target.name is not None:
            return self._delegated(resolver(target.ctx).resolve_global, target.name, depth, seen)
        return UNRESOLVED

    def _instance_attribute(self, node: cst.Attribute, depth: int, seen: frozenset) -> Optional[Resolution]:
        """``x.attr`` where ``x`` is bound once to ``Cls(...)``: what that very call passes the
        field (or the ``__init__`` parameter stored as ``self.attr``), else its default; None
        when the instance or the class does not tell so plainly (then every instance counts).
        A test that builds ``Generator(model="dall-e-2")`` and asserts on its model reads that
        call's value, not every value any ``Generator`` is built with."""
        if not isinstance(node.value, cst.Name) or node.value.value in ("self", "cls"):
            return None
        assignment = self.single_assignment(node.value)
        built = self.assigned_value(assignment.node) if assignment is not None and not isinstance(assignment, ImportAssignment) else None
        if not isinstance(built, cst.Call) or any(a.star for a in built.args):
            return None
        cls = self.class_of(built.func)
        if cls is None:
            return None
        home = resolver(self.ctx.owner(cls))
        attr = node.attr.value
        if home._set_outside_init(cls, attr) or self._assigned_on(node.value, attr):
            return None  # set again after construction: every value counts
        init = next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        if init is None:
            if home._has_init(cls) or home._declaring_class(cls, attr) is None:
                return None
            declared_home, declared = home._declaring_class(cls, attr)
            if declared_home._field_annotation(declared, attr) is None:
                return None
            keyword = next((a for a in built.args if a.keyword is not None and a.keyword.value == attr), None)
            if keyword is None and any(a.keyword is None for a in built.args):
                return None  # positional arguments: leave it to every instance
            if keyword is not None:
                return self._resolve(keyword.value, depth, seen)
            default = declared_home._field_default(declared, attr)
            return self._delegated(declared_home._resolve, default, depth, seen) if default is not None else None
        stored = [
            a for a in home._class_attributes().get((cls, attr), [])
            if home._enclosing(a, cst.FunctionDef) is init
        ]
        if len(stored) != 1 or not isinstance(stored[0], cst.Name):
            return None
        param = next((p for p in init.params.params + init.params.kwonly_params if p.name.value == stored[0].value), None)
        if param is None:
            return None
        arg = passed_argument(init, built, param, bound=True)
        if arg is not None:
            return self._resolve(arg.value, depth, seen)
        return self._delegated(home._resolve, param.default, depth, seen) if param.default is not None else None

    def _set_outside_init(self, cls: cst.ClassDef, attr: str) -> bool:
        """Whether a method other than ``__init__`` (or the class body) also sets ``self.attr``."""
        for value in self._class_attributes().get((cls, attr), []):
            func = self._enclosing(value, cst.FunctionDef)
            if func is None or func.name.value != "__init__":
                if func is not None or self._field_annotation(cls, attr) is None:
                    return True
        return False

    def _assigned_on(self, name: cst.Name, attr: str) -> bool:
        """Whether the module assigns ``<name>.attr = ...`` (an instance changed after it is built)."""
        for node in self.ctx.nodes(cst.Assign, cst.AnnAssign, cst.AugAssign):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                if isinstance(target, cst.Attribute) and target.attr.value == attr and isinstance(target.value, cst.Name) and target.value.value == name.value:
                    return True
        return False

    def _class_attribute(self, owner: cst.ClassDef, attr: str, depth: int, seen: frozenset) -> Resolution:
        """``attr`` of an instance of ``owner`` (this module's class): what the class, or the
        nearest base class that declares it (in any module), assigns; for a field (a
        dataclass, pydantic or attrs class), also what the constructor calls of ``owner`` pass."""
        declared = self._declaring_class(owner, attr)
        if declared is None:
            return UNRESOLVED
        home, cls = declared
        values = home._class_attributes().get((cls, attr)) or []
        annotation = home._field_annotation(cls, attr)
        if not values and annotation is None:
            return UNRESOLVED
        # A field a constructor sets: what the project's `Settings(image_model=...)` calls pass
        # it, in any module. Its default is what a call that does not pass it gets (and what
        # any other instance gets, when no call is seen).
        passed = self._constructor_arguments(owner, attr) if annotation is not None and not self._has_init(owner) else []
        default = home._field_default(cls, attr)
        result = Resolution() if values or passed else UNRESOLVED
        for value in values:
            if value is default and passed and all(arg is not None for _, arg in passed):
                continue
            result = result + self._delegated(home._resolve, value, depth, seen)
        if annotation is not None:
            result = result + self._delegated(home._offered_by_annotation, annotation, depth, seen)
        for caller, arg in passed:
            if arg is not None:
                result = result + self._delegated(caller._resolve, arg.value, depth, seen)
            elif caller is None:
                result = result + UNRESOLVED
        return result

    def _declaring_class(self, owner: cst.ClassDef, attr: str, depth: int = 0):
        """(resolver, class) of ``owner`` or its nearest base class (followed into other modules
        of the project) that assigns or annotates ``attr``; None when none is found."""
        if (owner, attr) in self._class_attributes() or self._field_annotation(owner, attr) is not None:
            return self, owner
        if depth > _MAX_DEPTH:
            return None
        for base in owner.bases:
            if base.keyword is not None or base.star:
                continue
            cls = self.class_of(base.value)
            if cls is None or cls is owner:
                continue
            home = resolver(self.ctx.owner(cls))
            found = home._declaring_class(cls, attr, depth + 1)
            if found is not None:
                return found
        return None

    def _has_init(self, owner: cst.ClassDef, depth: int = 0) -> bool:
        """Whether the class or one of its bases the project defines writes its own ``__init__``
        (its parameters decide then, and are resolved as such)."""
        if any(isinstance(s, cst.FunctionDef) and s.name.value == "__init__" for s in owner.body.body):
            return True
        if depth > _MAX_DEPTH:
            return False
        for base in owner.bases:
            cls = self.class_of(base.value) if base.keyword is None and not base.star else None
            if cls is not None and cls is not owner and resolver(self.ctx.owner(cls))._has_init(cls, depth + 1):
                return True
        return False

    def _field(self, owner: cst.ClassDef, attr: str) -> Optional[cst.AnnAssign]:
        """The field the class declares in its body (``model: str = ...``), if it does."""
        for statement in owner.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == attr:
                        return small
        return None

    def _field_default(self, owner: cst.ClassDef, attr: str) -> Optional[cst.BaseExpression]:
        field_ = self._field(owner, attr)
        return field_.value if field_ is not None else None

    def _field_annotation(self, owner: cst.ClassDef, attr: str) -> Optional[cst.Annotation]:
        field_ = self._field(owner, attr)
        return field_.annotation if field_ is not None else None

    def _constructor_arguments(self, owner: cst.ClassDef, attr: str):
        """(resolver, the argument passed or None) for each call of a class that declares its
        fields and has no ``__init__`` of its own; (None, None) for a call whose ``*args`` or
        ``**kwargs`` may pass it. Positional arguments count for dataclasses (field order)."""
        fields = [
            small.target.value
            for statement in owner.body.body
            if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)
        ]
        positional = any((dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "").endswith("dataclass") for d in owner.decorators)
        out = []
        for caller, call in self._class_calls(owner):
            if any(a.star for a in call.args):
                out.append((None, None))
                continue
            keyword = next((a for a in call.args if a.keyword is not None and a.keyword.value == attr), None)
            if keyword is None and positional and attr in fields:
                passed = [a for a in call.args if a.keyword is None]
                index = fields.index(attr)
                keyword = passed[index] if index < len(passed) else None
            out.append((caller, keyword))
        return out

    def _class_calls(self, owner: cst.ClassDef):
        """The calls of a class (its constructor) in this module (``cls(...)`` in its own
        methods too) and, for a top-level class, in the project's other modules."""
        callers = [(self, call) for call in self._calls_of(owner.name.value) if isinstance(call.func, cst.Name)]
        callers += [(self, call) for call in self._calls_of("cls") if isinstance(call.func, cst.Name) and self._enclosing(call, cst.ClassDef) is owner]
        project = self.ctx.project
        if project is not None and self.ctx.parent(owner) is not None and isinstance(self.ctx.parent(owner), cst.Module):
            callers += [(resolver(other), call) for other, call in project.callers(self.ctx, owner)]
        return callers

    # -- choices the program offers its user --------------------------------------------------
    def _offered_by_annotation(self, annotation: Optional[cst.Annotation], depth: int, seen: frozenset) -> Resolution:
        """The members of the ``Literal[...]`` an annotation names (directly, in ``Optional[...]``
        or ``X | None``, or through a type alias), offered: callers may pass any of them."""
        found = self.literal_type(annotation.annotation) if annotation is not None else None
        if found is None:
            return Resolution((), True)
        owner, subscript = found
        row = owner.lines.position(owner.span(subscript)[0])[0]
        values = []
        for element in subscript.slice:
            member = element.slice.value if isinstance(element.slice, cst.Index) else None
            value = literal(member) if member is not None else _NOT_LITERAL
            if value is _NOT_LITERAL:
                return Resolution(tuple(values), False)
            values.append(Value(value, member, f"a member of the Literal type at line {row}", offered=True))
        return Resolution(tuple(values), True)

    def literal_type(self, node: Optional[cst.CSTNode], depth: int = 0, imports: bool = True) -> Optional[Tuple[ModuleContext, cst.Subscript]]:
        """``(module, Literal[...])`` an annotation expression names, or None. ``imports``: an
        alias imported from another module is followed there (it is parsed)."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Subscript):
            name = dotted_name(node.value) or ""
            if name.split(".")[-1] == "Literal":
                return self.ctx, node
            if name.split(".")[-1] in ("Optional", "Union", "Annotated"):
                for element in node.slice:
                    inner = element.slice.value if isinstance(element.slice, cst.Index) else None
                    found = self.literal_type(inner, depth + 1, imports)
                    if found is not None:
                        return found
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self.literal_type(node.left, depth + 1, imports) or self.literal_type(node.right, depth + 1, imports)
        if isinstance(node, cst.Name):  # a type alias: `ImageModel = Literal[...]`
            assignment = self.single_assignment(node)
            if isinstance(assignment, ImportAssignment):
                target = self.imported_name(node, assignment) if imports else None
                if target is None:
                    return None
                bindings = target.ctx.module_scope.assignments.get(target.name) or []
                if len(bindings) != 1 or not isinstance(bindings[0].node, cst.Name):
                    return None
                other = resolver(target.ctx)
                return other.literal_type(other.assigned_value(bindings[0].node), depth + 1)
            value = self.assigned_value(assignment.node) if assignment is not None else None
            return self.literal_type(value, depth + 1, imports)
        return None

    def container(self, node: Optional[cst.CSTNode], depth: int = 0, cheap: bool = False) -> Optional[Tuple[ModuleContext, cst.CSTNode]]:
        """``(module, the literal list, tuple, set or dict)`` an expression holds: written
        there, or bound once to a name, a class attribute or another module's global; through
        ``set(...)``, ``frozenset(...)``, ``tuple(...)``, ``list(...)``, ``sorted(...)`` and a
        dict's ``.keys()``. None when it is anything else. ``cheap``: a class attribute only
        through ``self``, ``cls`` or the class's own name (never following an object through
        the project's callers: for looking at every subscript of a module)."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if cheap and isinstance(node, cst.Attribute) and not self._cheaply_held(node.value):
            return None
        depth += 1
        if isinstance(node, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return self.ctx, node
        if isinstance(node, cst.Call):
            name = dotted_name(node.func)
            if name in _COLLECTION_COPIES and len(node.args) == 1 and not node.args[0].star:
                return self.container(node.args[0].value, depth, cheap)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "keys" and not node.args:
                found = self.container(node.func.value, depth, cheap)
                return found if found is not None and isinstance(found[1], cst.Dict) else None
            return None
        if isinstance(node, cst.Name):
            assignment = self.single_assignment(node)
            if isinstance(assignment, ImportAssignment):
                target = self.imported_name(node, assignment)
                return resolver(target.ctx).global_container(target.name, depth) if target is not None else None
            value = self.assigned_value(assignment.node) if assignment is not None else None
            return self.container(value, depth, cheap)
        if isinstance(node, cst.Attribute):
            owner = self.class_of(node.value)
            if owner is not None:
                home = resolver(self.ctx.owner(owner))
                values = home._class_attributes().get((owner, node.attr.value)) or []
                return home.container(values[0], depth) if len(values) == 1 else None
            target = self.elsewhere(node)  # a project module's top-level name
            if target is not None and target.name is not None:
                return resolver(target.ctx).global_container(target.name, depth)
            return None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = literal(node.slice[0].slice.value)
            outer = self.container(node.value, depth, cheap) if isinstance(key, str) else None
            if outer is None or not isinstance(outer[1], cst.Dict):
                return None
            home = resolver(outer[0])
            found = [e.value for e in outer[1].elements if isinstance(e, cst.DictElement) and literal(e.key) == key]
            return home.container(found[-1], depth) if len(found) == 1 else None
        return None

    def _cheaply_held(self, node: cst.CSTNode) -> bool:
        """Whether what ``node`` is can be told without following callers: ``self``, ``cls``, a
        name bound to a class or imported (a module, a class), or such a name's attribute."""
        while isinstance(node, cst.Attribute):
            node = node.value
        if not isinstance(node, cst.Name):
            return False
        if node.value in ("self", "cls"):
            return True
        assignment = self.single_assignment(node)
        return isinstance(assignment, ImportAssignment) or (assignment is not None and isinstance(assignment.node, cst.ClassDef))

    def global_container(self, name: str, depth: int = 0) -> Optional[Tuple[ModuleContext, cst.CSTNode]]:
        bindings = self.ctx.module_scope.assignments.get(name) or []
        project = self.ctx.project
        if len(bindings) != 1 or project is None or depth > _MAX_DEPTH:
            return None
        binding = bindings[0]
        key = "container:" + name
        if not project.entering(self.ctx, key):
            return None
        try:
            if isinstance(binding, ImportAssignment):
                target = project.reexported(project.imported(self.ctx, binding))
                if target is None or target.name is None:
                    return None
                return resolver(target.ctx).global_container(target.name, depth + 1)
            if not isinstance(binding.node, cst.Name):
                return None
            return self.container(self.assigned_value(binding.node), depth + 1)
        finally:
            project.leaving(self.ctx, key)

    def _offered(self, node: Optional[cst.CSTNode], note: str) -> Resolution:
        """The elements of a literal collection of choices, offered (complete when every
        element is a literal)."""
        found = self.container(node)
        if found is None or isinstance(found[1], cst.Dict):
            return UNRESOLVED
        values = []
        for element in found[1].elements:  # type: ignore[union-attr]
            value = literal(element.value) if isinstance(element, cst.Element) else _NOT_LITERAL
            if value is _NOT_LITERAL:
                return Resolution(tuple(values), False)
            values.append(Value(value, element.value, note, offered=True))
        return Resolution(tuple(values), True)

    def _click_option(self, func: cst.FunctionDef, param: cst.Param, depth: int, seen: frozenset) -> Optional[Resolution]:
        """A parameter a ``@click.option``/``@click.argument`` fills: its ``default``, and the
        ``click.Choice`` it offers (any string when it offers none)."""
        for decorator in func.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or qualified_name(self.ctx, call.func) not in _CLICK_PARAMETERS:
                continue
            names = [literal(a.value) for a in call.args if a.keyword is None and not a.star]
            if _click_name(names) != param.name.value:
                continue
            option = next((n for n in names if isinstance(n, str) and n.startswith("-")), param.name.value)
            note = f"the command line ({option}) may override it"
            result = Resolution((), True)
            default = kind = None
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "default":
                    default = arg
                elif arg.keyword is not None and arg.keyword.value == "type":
                    kind = arg.value
            if default is not None:
                result = result + _noted(self._resolve(default.value, depth, seen), note)
            choice = kind if isinstance(kind, cst.Call) and qualified_name(self.ctx, kind.func) == "click.Choice" else None
            if choice is None or not choice.args:
                return result + UNRESOLVED
            return result + self._offered(choice.args[0].value, f"offered by {option}")
        return None

    def _gradio_inputs(self, func: cst.FunctionDef, param: cst.Param) -> Optional[Resolution]:
        """A parameter of a function Gradio calls (``gr.Interface(fn, inputs=[...])``,
        ``button.click(fn, inputs=[...])``): the choices of the component in its place among the
        inputs when it is a ``Dropdown`` or ``Radio`` (any value otherwise). None when the
        module hands the function to no Gradio event."""
        if "gradio" not in self.ctx.text:
            return None
        positional = list(func.params.params)
        if param not in positional:
            return None
        index = positional.index(param)
        handlers = self.ctx.memo.get("values.gradio_handlers")
        if handlers is None:  # the calls handing a function by name, by that name (found once)
            handlers = self.ctx.memo["values.gradio_handlers"] = {}
            for call in self.ctx.nodes(cst.Call):
                handler = call_arguments(call, ["fn"])[0]
                if handler is not None and isinstance(handler.value, cst.Name):
                    handlers.setdefault(handler.value.value, []).append(call)
        result: Optional[Resolution] = None
        for call in handlers.get(func.name.value, ()):
            name = qualified_name(self.ctx, call.func) or ""
            event = isinstance(call.func, cst.Attribute) and call.func.attr.value in _GRADIO_EVENTS
            if name not in ("gradio.Interface", "gradio.ChatInterface") and not event:
                continue
            inputs = call_arguments(call, ["fn", "inputs"])[1]
            if inputs is None:
                continue
            component = inputs.value
            if isinstance(component, (cst.List, cst.Tuple)):
                elements = component.elements
                component = elements[index].value if index < len(elements) and isinstance(elements[index], cst.Element) else None
            elif index != 0:
                component = None
            found = self._gradio_choices(component)
            result = found if result is None else result + found
        return result

    def _gradio_choices(self, component: Optional[cst.BaseExpression]) -> Resolution:
        """What a Gradio input component gives its handler: a chooser's choices, or anything."""
        if isinstance(component, cst.Name):
            assignment = self.single_assignment(component)
            component = self.assigned_value(assignment.node) if assignment is not None and not isinstance(assignment, ImportAssignment) else None
        if not isinstance(component, cst.Call) or (qualified_name(self.ctx, component.func) or "") not in _GRADIO_CHOOSERS:
            return UNRESOLVED
        choices = call_arguments(component, ["choices"])[0]
        if choices is None:
            return UNRESOLVED
        kind = (dotted_name(component.func) or "").rsplit(".", 1)[-1]
        row = self.ctx.lines.position(self.ctx.span(component)[0])[0]
        note = f"offered by the {kind} at line {row}"
        offered = self._offered(choices.value, note)
        shown = call_arguments(component, ["choices", "value"])[1]  # the choice it shows first
        initial = literal(shown.value) if shown is not None else _NOT_LITERAL
        if initial is not _NOT_LITERAL and initial is not None:
            # (What the program picks itself until the user chooses: its own definition moves.)
            offered = offered + Resolution((Value(initial, shown.value, f"shown first by the {kind} at line {row}"),))  # type: ignore[union-attr]
        return offered

    def _parsed_argument(self, node: cst.Attribute, depth: int, seen: frozenset) -> Optional[Resolution]:
        """``args.model`` where ``args = parser.parse_args()``: the ``default`` of the module's
        ``add_argument`` for that destination and the ``choices`` it offers (any string when it
        offers none)."""
        if not isinstance(node.value, cst.Name):
            return None
        assignment = self.single_assignment(node.value)
        value = self.assigned_value(assignment.node) if assignment is not None and not isinstance(assignment, ImportAssignment) else None
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "parse_args"):
            return None
        found = None
        for call in self.ctx.nodes(cst.Call):
            func = call.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "add_argument"):
                continue
            names = [literal(a.value) for a in call.args if a.keyword is None and not a.star]
            dest = next((literal(a.value) for a in call.args if a.keyword is not None and a.keyword.value == "dest"), None)
            if (dest if isinstance(dest, str) else _argparse_dest(names)) != node.attr.value:
                continue
            option = next((n for n in names if isinstance(n, str)), node.attr.value)
            note = f"the command line ({option}) may override it"
            result = Resolution((), True)
            choices = None
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "default":
                    result = result + _noted(self._resolve(arg.value, depth, seen), note)
                elif arg.keyword is not None and arg.keyword.value == "choices":
                    choices = arg.value
            result = result + (self._offered(choices, f"offered by {option}") if choices is not None else UNRESOLVED)
            found = result if found is None else found + result
        return found

    def _selected(self, node: cst.Call) -> Optional[Resolution]:
        """What a Streamlit selector returns: one of the options it offers."""
        name = qualified_name(self.ctx, node.func) or ""
        if not name.startswith("streamlit.") or name.rsplit(".", 1)[-1] not in _SELECTORS:
            return None
        options = call_arguments(node, ["label", "options"])[1]
        if options is None:
            return UNRESOLVED
        row = self.ctx.lines.position(self.ctx.span(node)[0])[0]
        return self._offered(options.value, f"offered by the {name.rsplit('.', 1)[-1]} at line {row}")

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
            if other.ctx.path is not None and isinstance(result, Resolution) and other.ctx.path not in result.via:
                result = Resolution(result.values, result.complete, result.via | {other.ctx.path})
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

    def imported_name(self, node: cst.Name, assignment: ImportAssignment):
        """The top-level name of a project module that ``node``, bound by the import
        ``assignment``, names (``from constants import SIZES``: project.Imported); None for a
        module (``import m``: not parsed to say so) or a name from outside the project."""
        if isinstance(assignment.node, cst.Import):
            return None
        target = self.elsewhere(node)
        return target if target is not None and target.name is not None else None

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
            table = self._dict_entries(node.func.value, depth, seen) if key_arg is not None else None
            if table is not None:  # `SIZES.get(model, "1024x1024")`: a table the module writes
                if isinstance(key, str):
                    found = [value for k, value, _, _ in table if k == key]
                    if found:
                        return self._resolve(found[-1], depth, seen)
                    return self._resolve(default_arg.value, depth, seen) if default_arg is not None else UNRESOLVED
                if key is _NOT_LITERAL:
                    return self._looked_up(table, key_arg.value, default_arg.value if default_arg is not None else None, depth, seen, get=True)
            if default_arg is None:
                return UNRESOLVED
            owner = dotted_name(node.func.value) or "the mapping"
            note = f"{owner}[{key!r}] replaces it when present" if isinstance(key, str) else ""
            return _noted(self._resolve(default_arg.value, depth, seen), note)
        if isinstance(node.func, (cst.Name, cst.Attribute)):
            qualified = qualified_name(self.ctx, node.func)
            if qualified in _TYPER_PARAMETERS:  # `model: str = typer.Option("dall-e-3")`
                default_arg = call_arguments(node, ["default"])[0]
                note = "the command line may override it"
                return _noted(self._resolve(default_arg.value, depth, seen), note) if default_arg is not None else UNRESOLVED
            selected = self._selected(node) if qualified and qualified.startswith("streamlit.") else None
            if selected is not None:
                return selected
        if name in _TRANSPARENT_CALLS and len(node.args) == 1 and not node.args[0].star:
            return self._resolve(node.args[0].value, depth, seen)
        return UNRESOLVED

    def _subscript(self, node: cst.Subscript, depth: int, seen: frozenset) -> Resolution:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNRESOLVED
        key_node = node.slice[0].slice.value
        key = literal(key_node)
        if key is not _NOT_LITERAL and not isinstance(key, str):
            return UNRESOLVED
        entries = self._dict_entries(node.value, depth, seen)
        if entries is None:
            return UNRESOLVED
        if key is _NOT_LITERAL:  # `SIZES[model]`: the entries of the keys the key can be
            return self._looked_up(entries, key_node, None, depth, seen)
        found = [value for k, value, _, _ in entries if k == key]
        return self._resolve(found[-1], depth, seen) if found else UNRESOLVED

    def _looked_up(
        self, entries, key_node: cst.BaseExpression, default: Optional[cst.BaseExpression], depth: int, seen: frozenset, get: bool = False
    ) -> Resolution:
        """What ``table[key]`` (``table.get(key, default)``) gives for every value the key can
        hold: the entries of those keys (a missing key raises, or gives the default). A key that
        is not known may pick any entry: all of them, and the resolution is not complete."""
        keys = self._resolve(key_node, depth, seen)
        latest = {k: value for k, value, _, _ in entries}  # a later entry wins, as in Python
        result = Resolution((), keys.complete, keys.via)
        wanted = [v.value for v in keys.values] if keys.values else []
        if not keys.complete:
            wanted += [k for k in latest if k not in wanted]
        missing = False
        for key in wanted:
            if not isinstance(key, str):
                result = result + UNRESOLVED
            elif key in latest:
                result = result + self._resolve(latest[key], depth, seen)
            else:
                missing = True
        if default is not None and (missing or not keys.complete):
            result = result + self._resolve(default, depth, seen)
        elif get and missing:
            result = result + UNRESOLVED  # `.get()` of a missing key gives None
        return result

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
        if isinstance(node, cst.Subscript):  # `TABLES["sizes"]`, `PRESETS[model]`: a dict held in a dict
            if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
                return None
            key_node = node.slice[0].slice.value
            key = literal(key_node)
            outer = self._dict_entries(node.value, depth, seen) if key is _NOT_LITERAL or isinstance(key, str) else None
            if outer is None:
                return None
            if key is _NOT_LITERAL:  # the entries of every dict the key can pick (all of them, or none known)
                keys = self._resolve(key_node, depth, seen)
                latest = {k: value for k, value, _, _ in outer}
                wanted = [v.value for v in keys.values] if keys.complete and keys.values else list(latest)
                entries = []
                for name in dict.fromkeys(wanted):
                    if not isinstance(name, str) or name not in latest:
                        continue
                    inner = self._dict_entries(latest[name], depth, seen)
                    if inner is None:
                        return None
                    entries.extend(inner)
                return entries
            found = [value for k, value, _, _ in outer if k == key]
            return self._dict_entries(found[-1], depth, seen) if found else None
        if isinstance(node, cst.Attribute):
            return self._attribute_dict(node, depth, seen)
        imported = self.single_assignment(node) if isinstance(node, cst.Name) else None
        if isinstance(imported, ImportAssignment):
            target = self.imported_name(node, imported)  # type: ignore[arg-type]  # `from constants import SIZES`
            return self._delegated(resolver(target.ctx).global_dict_entries, target.name, depth, seen) if target is not None else None
        if isinstance(node, cst.Name):
            assignment = self.single_assignment(node)
            value = self.assigned_value(assignment.node) if assignment is not None else None
            if value is None:
                return None
            entries = self._dict_entries(value, depth, seen)
            if entries is None:
                return None
            return self._subscript_assignments(assignment, node, entries)
        return None

    def _attribute_dict(self, node: cst.Attribute, depth: int, seen: frozenset):
        """The dict a class attribute (``self.SIZES``, ``Config.SIZES``) or another module's
        global (``constants.SIZES``) holds, when it is bound once."""
        owner = self.class_of(node.value)
        if owner is not None:
            home = resolver(self.ctx.owner(owner))
            values = home._class_attributes().get((owner, node.attr.value)) or []
            return home._dict_entries(values[0], depth, seen) if len(values) == 1 else None
        target = self.elsewhere(node)  # a project module's top-level name
        if target is not None and target.name is not None:
            return self._delegated(resolver(target.ctx).global_dict_entries, target.name, depth, seen)
        return None

    def global_dict_entries(self, name: str, depth: int = 0, seen: frozenset = frozenset()):
        """The entries of the dict a top-level name of this module is bound to, once."""
        bindings = self.ctx.module_scope.assignments.get(name) or []
        project = self.ctx.project
        if len(bindings) != 1 or project is None or depth > _MAX_DEPTH:
            return None
        binding = bindings[0]
        key = "dict:" + name
        if not project.entering(self.ctx, key):
            return None  # an import cycle
        try:
            if isinstance(binding, ImportAssignment):
                target = project.reexported(project.imported(self.ctx, binding))
                if target is None or target.name is None:
                    return None
                return resolver(target.ctx).global_dict_entries(target.name, depth + 1, seen)
            if not isinstance(binding.node, cst.Name):
                return None
            value = self.assigned_value(binding.node)
            if value is None:
                return None
            entries = self._dict_entries(value, depth + 1, seen)
            return None if entries is None else self._subscript_assignments(binding, binding.node, entries)
        finally:
            project.leaving(self.ctx, key)

    def _subscript_assignments(self, assignment: Assignment, name: cst.Name, entries: list):
        """``entries`` (the dict literal's) with what the module does to the dict after it: ``params["size"] = "512x512"``,
        ``params.update({...})``/``update(size=...)`` and ``params.setdefault("size", ...)`` add
        entries; ``del params["n"]`` and ``params.pop("n")`` in the dict's own block (always
        run) take out the entries before them (a conditional one may not run: they stay)."""
        entries = list(entries)
        removals = []  # (key, offset) of removals that always run
        block = self._block_of(assignment.node)
        for node in self.ctx.nodes(cst.Assign, cst.Del, cst.Call):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    key = self._key_of(target.target, name, assignment)
                    if isinstance(key, str) and len(node.targets) == 1:
                        entries.append((key, node.value, node, node))
                continue
            if isinstance(node, cst.Del):
                targets = [e.value for e in node.target.elements] if isinstance(node.target, cst.Tuple) else [node.target]
                for target in targets:
                    key = self._key_of(target, name, assignment)
                    if isinstance(key, str) and self._block_of(node) is block:
                        removals.append((key, self.ctx.span(node)[0]))
                continue
            func = node.func
            if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == name.value):
                continue
            if self.ctx.scope(func.value) is not assignment.scope:
                continue
            method = func.attr.value
            if method == "pop" and node.args and isinstance(literal(node.args[0].value), str):
                if self._block_of(node) is block:
                    removals.append((literal(node.args[0].value), self.ctx.span(node)[0]))
            elif method == "update" and len(node.args) >= 1:
                for arg in node.args:
                    if arg.keyword is not None:
                        entries.append((arg.keyword.value, arg.value, arg, node))
                    elif isinstance(arg.value, cst.Dict) and not arg.star:
                        for element in arg.value.elements:
                            key = literal(element.key) if isinstance(element, cst.DictElement) else None
                            if isinstance(key, str):
                                entries.append((key, element.value, element, arg.value))
            elif method == "setdefault" and len(node.args) == 2 and isinstance(literal(node.args[0].value), str):
                statement = self.ctx.parent(node)
                if isinstance(statement, cst.Expr):
                    entries.append((literal(node.args[0].value), node.args[1].value, statement, statement))
        if removals:
            entries = [
                e for e in entries
                if not any(key == e[0] and self.ctx.span(e[2])[0] < at for key, at in removals)
            ]
        return entries

    def _key_of(self, target: cst.CSTNode, name: cst.Name, assignment: Assignment):
        """The literal key of ``name[key]`` when ``name`` is the dict bound by ``assignment``."""
        if (
            isinstance(target, cst.Subscript)
            and isinstance(target.value, cst.Name)
            and target.value.value == name.value
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and self.ctx.scope(target.value) is assignment.scope
        ):
            return literal(target.slice[0].slice.value)
        return None

    def _block_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The block (IndentedBlock or Module) whose statement holds ``node``."""
        current = self.ctx.parent(node)
        while current is not None and not isinstance(current, (cst.IndentedBlock, cst.Module)):
            current = self.ctx.parent(current)
        return current

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
                elif isinstance(func, cst.Attribute):
                    calls.setdefault("." + func.attr.value, []).append(node)  # `tracker.record(...)`
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
                target = self.imported_name(node, assignment)
                return resolver(target.ctx).global_class(target.name, depth) if target is not None else None
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
        if func.name.value == "__init__" and owner is not None:
            callers = self._class_calls(owner)  # `Painter(model=...)`, here or in another module
        else:
            callers = [(self, call) for call in self._calls_of(func.name.value)]
            if owner is not None:  # a method: also `tracker.record(...)` on an instance of its class
                callers += [(self, call) for call in self._calls_of("." + func.name.value) if self.class_of(call.func.value) is owner]
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


def _argparse_dest(names: List[Any]) -> Optional[str]:
    """The attribute ``parse_args()`` sets for ``add_argument(*names)``: a positional's name,
    else the first long option (``--image-model`` -> ``image_model``), else the first short one."""
    strings = [n for n in names if isinstance(n, str) and n]
    if not strings:
        return None
    if not strings[0].startswith("-"):
        return strings[0]
    long = next((n for n in strings if n.startswith("--")), None)
    return (long or strings[0]).lstrip("-").replace("-", "_") or None


def _click_name(names: List[Any]) -> Optional[str]:
    """The parameter a click option fills: the name given without dashes, else the longest
    option name (``--image-model`` -> ``image_model``)."""
    strings = [n for n in names if isinstance(n, str) and n]
    plain = [n for n in strings if not n.startswith("-")]
    if plain:
        return plain[0]
    dashed = [n for n in strings if n.startswith("--")] or strings
    if not dashed:
        return None
    longest = max(dashed, key=len)
    return longest.lstrip("-").replace("-", "_").lower() or None


def _noted(resolution: Resolution, note: str) -> Resolution:
    if not note:
        return resolution
    return Resolution(tuple(Value(v.value, v.node, v.note or note, v.offered) for v in resolution.values), resolution.complete, resolution.via)


def resolver(ctx: ModuleContext) -> Resolver:
    """The module's value resolver, built on first use and shared by every rule."""
    found = ctx.memo.get("values.resolver")
    if found is None:
        found = ctx.memo["values.resolver"] = Resolver(ctx)
    return found


def resolve(ctx: ModuleContext, node: cst.BaseExpression) -> Optional[Value]:
    """The single value of ``node`` when it has exactly one and nothing else can flow in."""
    return resolver(ctx).resolve(node).single
