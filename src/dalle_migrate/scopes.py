"""Which bindings a name can refer to: the module's scopes, built in one pass over the tree.

The same model as LibCST's ScopeProvider (module, function, class, comprehension and
annotation scopes; class bodies invisible from the functions inside them; ``global`` and
``nonlocal``; a binding is any assignment in its scope, not only the ones before the use), with
two corrections to Python's rules: a ``:=`` in a comprehension binds in the enclosing function
(PEP 572), and a ``match`` capture pattern binds its name. It walks the tree directly instead of
through LibCST's visitor machinery, which cost more than everything else the analysis does.
Only ``Name`` nodes are given a scope: they are what callers look up.
"""

from __future__ import annotations

import inspect
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes import op as _op_nodes, whitespace as _whitespace_nodes


class Assignment:
    """One binding of ``name`` in ``scope``; ``node`` is the target ``Name``, the ``Param``, the
    ``FunctionDef``/``ClassDef``, or the import statement; ``references`` the reads that may see it."""

    __slots__ = ("name", "scope", "node", "references", "index")

    def __init__(self, name: str, scope: "Scope", node: cst.CSTNode) -> None:
        self.name = name
        self.scope = scope
        self.node = node
        self.references: List["Access"] = []
        self.index = scope.count


class ImportAssignment(Assignment):
    """A name bound by ``import``/``from ... import`` (``node`` is the statement)."""

    __slots__ = ()


class Access:
    __slots__ = ("node", "scope", "index")

    def __init__(self, node: cst.Name, scope: "Scope") -> None:
        self.node = node
        self.scope = scope
        self.index = scope.count


class _Bindings(dict):
    """The scope's own bindings by name; a name bound nowhere here has none."""

    def __missing__(self, name: str) -> List[Assignment]:
        return []


class Scope:
    MODULE, FUNCTION, CLASS, COMPREHENSION, ANNOTATION = "module", "function", "class", "comprehension", "annotation"

    def __init__(self, kind: str, parent: Optional["Scope"], node: cst.CSTNode) -> None:
        self.kind = kind
        self.parent = parent
        self.node = node
        self.globals: "Scope" = parent.globals if parent is not None else self
        self.assignments: Dict[str, List[Assignment]] = _Bindings()
        self._declared: Dict[str, "Scope"] = {}  # names declared ``global``/``nonlocal`` here
        # Bindings completed so far in this scope: a read sees the bindings of its own scope that
        # were completed before it (``x = x + 1`` reads an earlier ``x``), any of the others.
        self.count = 0

    def __getitem__(self, name: str) -> List[Assignment]:
        """Every binding ``name`` may refer to when read in this scope."""
        return self._resolve(name, self)

    def _visible_from(self, reader: "Scope") -> bool:
        # A class body is no enclosing scope for the functions defined in it.
        return self.kind != Scope.CLASS or (reader.parent is self and reader.kind == Scope.ANNOTATION)

    def _next_visible(self, reader: "Scope", first: Optional["Scope"] = None) -> Optional["Scope"]:
        scope = first if first is not None else self.parent
        while scope is not None and not scope._visible_from(reader):
            scope = scope.parent
        return scope

    def _resolve(self, name: str, reader: "Scope") -> List[Assignment]:
        if name in self._declared:
            declared = self._next_visible(reader, self._declared[name])
            return declared._resolve(name, reader) if declared is not None else []
        if name in self.assignments:
            return self.assignments[name]
        if self.parent is None:
            return []  # a builtin or an undefined name: nothing in the module binds it
        following = self._next_visible(reader)
        return following._resolve(name, reader) if following is not None else []

    def _binding_scope(self, name: str) -> "Scope":
        if name in self._declared:
            declared = self._next_visible(self, self._declared[name])
            return declared._binding_scope(name) if declared is not None else self.globals
        return self

    def bind(self, assignment_type: type, name: str, node: cst.CSTNode) -> None:
        target = self._binding_scope(name)
        bindings = target.assignments.get(name)
        if bindings is None:
            bindings = target.assignments[name] = []
        bindings.append(assignment_type(name, target, node))


# Nodes that hold no names: whitespace, operators, punctuation, number and string literals.
_LEAVES = frozenset(
    cls
    for module in (_whitespace_nodes, _op_nodes)
    for _, cls in inspect.getmembers(module, inspect.isclass)
    if issubclass(cls, cst.CSTNode)
) | {
    cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.FormattedStringText, cst.Ellipsis,
    cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace,
}


# Nodes after which the bindings they make count as done, in the scope they appear in.
_BINDING_NODES = frozenset(
    getattr(cst, name)
    for name in (
        "AnnAssign", "AsName", "Assign", "AugAssign", "ClassDef", "CompFor", "FunctionDef", "Global", "Import",
        "ImportFrom", "NamedExpr", "Nonlocal", "Parameters", "WithItem", "TypeVar", "TypeAlias", "TypeVarTuple",
        "ParamSpec",
    )
    if hasattr(cst, name)
)


class Scopes:
    """The module's scopes: ``of(name)`` is the scope a ``Name`` node is read or bound in."""

    def release(self) -> None:
        """Unties the scopes (bindings point at their scope, the module scope at itself) so
        that dropping them frees them at once, with no collection of the garbage collector."""
        for scope in {id(s): s for s in list(self._of.values()) + [self.module_scope]}.values():
            for bindings in scope.assignments.values():
                for assignment in bindings:
                    assignment.references.clear()
            scope.assignments.clear()
            scope._declared.clear()
            scope.globals = None  # type: ignore[assignment]
        self._of.clear()
        self._accesses.clear()
        self._handlers.clear()

    def __init__(self, module: cst.Module, children: Mapping[int, Sequence[cst.CSTNode]]) -> None:
        """``children``: each node's children in source order, by id(node) (``ModuleContext.children``)."""
        self.module_scope = Scope(Scope.MODULE, None, module)
        self._kids = children
        self._of: Dict[int, Scope] = {}  # by id(name)
        self._accesses: List[Access] = []
        self._handlers: Dict[type, Callable[[cst.CSTNode, Scope], None]] = {
            cst.Name: self._name,
            cst.Attribute: lambda n, s: self._walk(n.value, s),
            cst.Arg: lambda n, s: self._walk(n.value, s),
            cst.Import: self._import,
            cst.ImportFrom: self._import,

            cst.Assign: self._assign,
            cst.AnnAssign: self._ann_assign,
            cst.AugAssign: self._aug_assign,
            cst.NamedExpr: self._named_expr,
            cst.For: self._for,
            cst.AsName: lambda n, s: self._store(n.name, s),
            cst.FunctionDef: self._function,
            cst.Lambda: self._lambda,
            cst.Param: self._param,
            cst.ClassDef: self._class,
            cst.Global: self._global,
            cst.Nonlocal: self._nonlocal,
            cst.ListComp: self._comprehension,
            cst.SetComp: self._comprehension,
            cst.GeneratorExp: self._comprehension,
            cst.DictComp: self._comprehension,
            cst.MatchAs: self._match_as,
            cst.MatchStar: lambda n, s: self._store(n.name, s) if n.name is not None else None,
            cst.MatchMapping: self._match_mapping,
            cst.MatchKeywordElement: lambda n, s: self._walk(n.pattern, s),
        }
        for name in ("TypeAlias", "TypeVar", "TypeVarTuple", "ParamSpec"):  # 3.12 syntax, LibCST >= 1.1
            kind = getattr(cst, name, None)
            if kind is not None:
                self._handlers[kind] = self._type_parameter
        self._walk(module, self.module_scope)
        self._link_accesses()

    def of(self, node: cst.CSTNode) -> Optional[Scope]:
        return self._of.get(id(node))

    # -- the walk ------------------------------------------------------------------------------
    def _walk(self, node: Optional[cst.CSTNode], scope: Scope) -> None:
        if node is None:
            return
        kind = type(node)
        if kind in _LEAVES:
            return
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(node, scope)
        else:
            self._children(node, scope)
        if kind in _BINDING_NODES:
            scope.count += 1

    def _children(self, node: cst.CSTNode, scope: Scope) -> None:
        for child in self._kids.get(id(node), ()):
            self._walk(child, scope)

    def _walk_all(self, nodes, scope: Scope) -> None:
        for node in nodes:
            self._walk(node, scope)

    # -- reads and bindings --------------------------------------------------------------------
    def _name(self, node: cst.Name, scope: Scope) -> None:
        self._of[id(node)] = scope
        self._accesses.append(Access(node, scope))

    def _store(self, target: cst.CSTNode, scope: Scope) -> None:
        """An assignment target: names in it are bound, everything else in it is read."""
        if isinstance(target, cst.Name):
            self._of[id(target)] = scope
            scope.bind(Assignment, target.value, target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value, scope)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value, scope)
        else:
            self._walk(target, scope)  # ``a.b = ...``/``a[i] = ...`` read ``a``

    def _import(self, node, scope: Scope) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if alias.asname is not None:
                scope.bind(ImportAssignment, alias.asname.name.value, node)  # type: ignore[union-attr]
                continue
            # ``import a.b.c`` binds ``a``; LibCST also files ``a.b`` and ``a.b.c``, kept for lookups.
            dotted = dotted_name(alias.name) or ""
            parts = dotted.split(".")
            for i in range(1, len(parts) + 1):
                scope.bind(ImportAssignment, ".".join(parts[:i]), node)

    def _assign(self, node: cst.Assign, scope: Scope) -> None:
        for target in node.targets:
            self._store(target.target, scope)
        self._walk(node.value, scope)

    def _ann_assign(self, node: cst.AnnAssign, scope: Scope) -> None:
        self._store(node.target, scope)
        self._walk(node.annotation, scope)
        self._walk(node.value, scope)

    def _aug_assign(self, node: cst.AugAssign, scope: Scope) -> None:
        self._store(node.target, scope)
        self._walk(node.value, scope)

    def _named_expr(self, node: cst.NamedExpr, scope: Scope) -> None:
        binding = scope
        while binding.kind == Scope.COMPREHENSION and binding.parent is not None:
            binding = binding.parent  # PEP 572: the enclosing function's (or module's) name
        self._store(node.target, binding)
        if isinstance(node.target, cst.Name):
            self._of[id(node.target)] = scope
        self._walk(node.value, scope)

    def _for(self, node: cst.For, scope: Scope) -> None:
        self._store(node.target, scope)
        scope.count += 1
        self._walk(node.iter, scope)
        self._walk(node.body, scope)
        self._walk(node.orelse, scope)

    def _function(self, node: cst.FunctionDef, scope: Scope) -> None:
        scope.bind(Assignment, node.name.value, node)
        self._of[id(node.name)] = scope
        outer = self._type_scope(node, scope)
        inner = Scope(Scope.FUNCTION, outer, node)
        self._walk(node.params, inner)
        self._walk(node.body, inner)
        for decorator in node.decorators:
            self._walk(decorator, scope)
        if node.returns is not None:
            self._walk(node.returns, outer)

    def _lambda(self, node: cst.Lambda, scope: Scope) -> None:
        inner = Scope(Scope.FUNCTION, scope, node)
        self._walk(node.params, inner)
        self._walk(node.body, inner)

    def _param(self, node: cst.Param, scope: Scope) -> None:
        scope.bind(Assignment, node.name.value, node)
        self._of[id(node.name)] = scope
        outside = scope.parent or scope  # defaults and annotations are evaluated outside
        self._walk(node.default, outside)
        if node.annotation is not None:
            self._walk(node.annotation, outside)

    def _class(self, node: cst.ClassDef, scope: Scope) -> None:
        scope.bind(Assignment, node.name.value, node)
        self._of[id(node.name)] = scope
        for decorator in node.decorators:
            self._walk(decorator, scope)
        outer = self._type_scope(node, scope)
        self._walk_all(node.bases, outer)
        self._walk_all(node.keywords, outer)
        body = Scope(Scope.CLASS, outer, node)
        self._walk(node.body, body)

    def _type_scope(self, node, scope: Scope) -> Scope:
        """PEP 695 ``def f[T]()``/``class C[T]``: the type parameters' own scope."""
        parameters = getattr(node, "type_parameters", None)
        if not parameters:
            return scope
        annotation = Scope(Scope.ANNOTATION, scope, node)
        self._walk(parameters, annotation)
        return annotation

    def _type_parameter(self, node, scope: Scope) -> None:
        scope.bind(Assignment, node.name.value, node)
        self._of[id(node.name)] = scope
        if isinstance(node, getattr(cst, "TypeAlias", ())):
            annotation = Scope(Scope.ANNOTATION, scope, node)
            self._walk(node.type_parameters, annotation)
            self._walk(node.value, annotation)
        elif getattr(node, "bound", None) is not None:
            self._walk(node.bound, scope)

    def _global(self, node: cst.Global, scope: Scope) -> None:
        if scope.kind != Scope.MODULE:
            for item in node.names:
                scope._declared[item.name.value] = scope.globals

    def _nonlocal(self, node: cst.Nonlocal, scope: Scope) -> None:
        if scope.parent is not None:
            for item in node.names:
                scope._declared[item.name.value] = scope.parent

    def _comprehension(self, node, scope: Scope) -> None:
        for_in = node.for_in
        self._walk(for_in.iter, scope)  # the first iterable is evaluated outside
        inner = Scope(Scope.COMPREHENSION, scope, node)
        self._store(for_in.target, inner)
        inner.count += 1
        self._walk_all(for_in.ifs, inner)
        current = for_in.inner_for_in
        while current is not None:
            self._store(current.target, inner)
            self._walk(current.iter, inner)
            self._walk_all(current.ifs, inner)
            inner.count += 1
            current = current.inner_for_in
        if isinstance(node, cst.DictComp):
            self._walk(node.key, inner)
            self._walk(node.value, inner)
        else:
            self._walk(node.elt, inner)

    def _match_as(self, node: cst.MatchAs, scope: Scope) -> None:
        self._walk(node.pattern, scope)
        if node.name is not None:
            self._store(node.name, scope)

    def _match_mapping(self, node: cst.MatchMapping, scope: Scope) -> None:
        for element in node.elements:
            self._walk(element.key, scope)
            self._walk(element.pattern, scope)
        if node.rest is not None:
            self._store(node.rest, scope)

    # -- reads to bindings ---------------------------------------------------------------------
    def _link_accesses(self) -> None:
        resolved: Dict[Tuple[int, str], List[Assignment]] = {}
        for access in self._accesses:
            key = (id(access.scope), access.node.value)
            bindings = resolved.get(key)
            if bindings is None:
                bindings = resolved[key] = access.scope[access.node.value]
            for assignment in bindings:
                if assignment.scope is not access.scope or assignment.index < access.index:
                    assignment.references.append(access)


def dotted_name(node: Optional[cst.CSTNode]) -> Optional[str]:
    """``a.b.c`` for a chain of names; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted_name(node.value)
        return f"{inner}.{node.attr.value}" if inner is not None else None
    return None


def qualified_name(ctx, func: cst.BaseExpression) -> Optional[str]:
    """``package.module.name`` of what ``func`` names through the module's imports, or None."""
    dotted = dotted_name(func)
    if not dotted:
        return None
    head, _, rest = dotted.partition(".")
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return None
    first = func
    while isinstance(first, cst.Attribute):
        first = first.value
    if not isinstance(first, cst.Name):
        return None
    scope = ctx.scope(first)
    bindings = scope[head] if scope is not None else []
    if len(bindings) != 1 or not isinstance(bindings[0], ImportAssignment):
        return None  # not imported, or also bound by the program (its own class of that name)
    statement = bindings[0].node
    if isinstance(statement, cst.ImportFrom):
        if statement.relative or statement.module is None or isinstance(statement.names, cst.ImportStar):
            return None
        module = dotted_name(statement.module) or ""
        for alias in statement.names:
            bound = alias.asname.name.value if alias.asname is not None else dotted_name(alias.name)  # type: ignore[union-attr]
            if bound == head:
                base = f"{module}.{dotted_name(alias.name)}"
                return f"{base}.{rest}" if rest else base
        return None
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            imported = dotted_name(alias.name) or ""
            if alias.asname is not None and alias.asname.name.value == head:  # type: ignore[union-attr]
                return f"{imported}.{rest}" if rest else imported
            if alias.asname is None and imported.split(".")[0] == head:
                return dotted
    return None
