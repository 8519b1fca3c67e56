"""What an OpenAI image call is.

An image call is ``<receiver>.images[.with_raw_response|.with_streaming_response].<method>(...)``
(or the legacy ``openai.Image.<method>(...)``) whose receiver traces back to the ``openai``
package: a client class from it (``OpenAI()``, ``AsyncOpenAI()``, Azure ones, aliases, inline or
held in a variable, an attribute, a global, a parameter annotated with the class, a copy made by
``with_options``), or the module itself (``openai.images``). A receiver that traces to anything
else (another SDK, the user's own class) is not an image call. One that cannot be traced at all
counts only when its model value is a known OpenAI image model id.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import libcst as cst

from .catalog import DEPRECATED, RETIRED
from .context import ModuleContext
from .scopes import Assignment, ImportAssignment
from .values import Resolution, Value, dotted_name, resolve, string_value
from .values import resolver as value_resolver

_MAX_DEPTH = 10


class Kind(enum.Enum):
    OPENAI_MODULE = "openai module"  # the package or one of its submodules
    CLIENT_CLASS = "client class"
    LEGACY_CLASS = "openai.Image"
    CLIENT = "client"
    FUNCTION = "function"  # a function defined in the project (its returns are followed)
    PROJECT_MODULE = "project module"  # another module of the project (``ctx`` of Origin)
    OTHER = "other"  # traced to something that is not the OpenAI SDK
    UNKNOWN = "unknown"
    NEUTRAL = "neutral"  # None: says nothing about what the name holds otherwise


@dataclass(frozen=True)
class Origin:
    kind: Kind
    is_async: bool = False
    azure: bool = False
    node: Optional[cst.CSTNode] = None  # FunctionDef for FUNCTION
    ctx: Optional[ModuleContext] = field(default=None, compare=False)  # where ``node`` is; the module
    # OTHER, how it was reached: another package's module itself (``import streamlit as st``),
    # or an object read off one or off an instance (``st.session_state``, ``client.beta``; a
    # from-import too): what is read off such an object may be anything. Otherwise an
    # instance made here (``Together()``) or a class: its own attributes are its package's.
    module: bool = False
    read_off: bool = False
    # OTHER, imported: the top-level package it comes from (`my_clients` for `from my_clients
    # import image_client`); "" for the program's own class, or what the import does not say.
    package: str = ""


UNKNOWN = Origin(Kind.UNKNOWN)
OTHER = Origin(Kind.OTHER)
OTHER_MODULE = Origin(Kind.OTHER, module=True)
OTHER_MEMBER = Origin(Kind.OTHER, read_off=True)


class Surface(str, enum.Enum):
    CLIENT = "client"  # a client object
    MODULE = "module"  # openai.images.*
    LEGACY = "legacy"  # openai.Image.* (< 1.0)
    UNTRACED = "untraced"  # receiver unknown; counted because its model is an OpenAI id
    RESPONSES_TOOL = "responses-tool"  # an image generation tool's configuration (tools.py)
    WRAPPER = "wrapper"  # a wrapper library's call forwarding the Images parameters (wrappers.py)
    HTTP = "http"  # a plain HTTP request to an Images endpoint; arguments are its body's (http_requests.py)


# How the call names its model.
MODEL_LITERAL = "resolved"  # every value that can flow in is known
MODEL_PARTIAL = "partial"  # some values are known, others cannot be resolved
MODEL_MISSING = "missing"
MODEL_UNRESOLVED = "unresolved"
MODEL_IN_KWARGS = "kwargs"  # not passed by name; a **mapping that cannot be resolved may hold it
MODEL_TWICE = "twice"  # passed by name and in a **mapping (or in two): Python raises TypeError


@dataclass
class Argument:
    """One keyword argument of a call, passed by name or as an entry of a ``**mapping``."""

    name: str
    value: cst.BaseExpression
    holder: cst.CSTNode  # the Arg, dict element or subscript assignment that passes it
    container: cst.CSTNode  # the Call, Dict or statement that holds ``holder``
    resolve: Callable[[cst.BaseExpression], Resolution] = field(repr=False, compare=False)
    _resolution: Optional[Resolution] = field(default=None, repr=False, compare=False)
    # Earlier entries of the same name in the same mapping (`params["style"] = a` in one branch,
    # `params["style"] = b` in another): any of them may be what is sent.
    shadowed: List["Argument"] = field(default_factory=list, repr=False, compare=False)

    @property
    def resolution(self) -> Resolution:
        """What the value may be, resolved when a rule first asks (a prompt is never judged:
        following it into every caller of the function was most of a call's analysis)."""
        if self._resolution is None:
            resolution = self.resolve(self.value)
            for earlier in self.shadowed:
                resolution = resolution + earlier.resolution
            self._resolution = resolution
        return self._resolution

    @property
    def values(self) -> Tuple[Value, ...]:
        """The values the program itself may pass (the parameter rules judge these); the choices
        it offers its user (a ``Literal`` member, argparse ``choices``) are in ``resolution``."""
        return self.resolution.chosen

    @property
    def in_call(self) -> bool:
        return isinstance(self.holder, cst.Arg) and self.holder.keyword is not None and isinstance(self.container, cst.Call)


def model_state(model: Optional[Argument]) -> str:
    """How an argument names the model: every value known, some, none; or not passed."""
    if model is None:
        return MODEL_MISSING
    resolution = model.resolution
    if resolution.complete and resolution.values:
        return MODEL_LITERAL
    return MODEL_PARTIAL if resolution.values else MODEL_UNRESOLVED


@dataclass
class ImageCall:
    node: cst.Call
    endpoint: str  # generate | edit | variation (catalogue endpoint names)
    method: str  # as the program names it: generate, create_variation, create, acreate_edit...
    # `x.images.<method>` where the program names it: the call's own `func`, or read elsewhere
    # (`gen = client.images.generate`, `asyncio.to_thread(client.images.generate, ...)`); None
    # for a wrapper's call or a tool's configuration.
    method_node: Optional[cst.Attribute]
    surface: Surface
    is_async: bool
    azure: bool
    wrapper: Optional[str]  # with_raw_response / with_streaming_response
    arguments: Dict[str, Argument]
    unresolved_kwargs: List[cst.Arg]
    model_state: str = MODEL_MISSING
    # Keywords passed more than once (by name and in a **mapping, or in two): the call's own
    # arguments that pass each (``model=...``, ``**settings``) with what they pass, in order.
    repeated: Dict[str, List[Tuple[cst.Arg, Argument]]] = field(default_factory=dict)
    form: bool = False  # sent as multipart form fields (an HTTP edit): every value travels as a string
    # What the call returns: "response" (ImagesResponse, or its JSON), or a wrapper's "string"
    # (the first image's URL, or its base64 on GPT image models) or "strings" (a list of them).
    result: str = "response"
    # Where the model comes from when the code does not name it (a wrapper reading the environment).
    model_source: str = ""
    result_note: str = ""  # for a wrapper's string result: what it holds, and from which version
    _rules_model: Optional[str] = field(default=None, repr=False)

    def argument(self, name: str) -> Optional[Argument]:
        return self.arguments.get(name)

    @property
    def model_values(self) -> Tuple[Value, ...]:
        """Every model the call may be made with: its own values and the choices offered."""
        model = self.arguments.get("model")
        return model.resolution.values if model is not None else ()

    @property
    def model_ids(self) -> List[str]:
        return [v.value for v in self.model_values if v.is_str]

    @property
    def model_id(self) -> Optional[str]:
        """The model, when exactly one is known and nothing else can flow in."""
        model = self.arguments.get("model")
        single = model.resolution.single if model is not None else None
        return single.value if single is not None and single.is_str else None

    def served_model(self, ctx: ModuleContext) -> Optional[str]:
        """On Azure, the model every deployment the call can name serves, by the configuration
        (``azure-deployments``); None when that is not known."""
        if not self.azure:
            return None
        models = {ctx.settings.deployment_model(d) for d in self.model_ids}
        complete = self.model_state == MODEL_LITERAL
        return models.pop() if complete and len(models) == 1 and None not in models else None

    def rules_model(self, ctx: ModuleContext) -> str:
        """The model whose parameter rules this call must satisfy after migration."""
        if self._rules_model is None:
            if self.azure:
                self._rules_model = self.served_model(ctx) or ctx.settings.target
            elif not self.model_ids:
                self._rules_model = ctx.settings.target
            else:
                models = {_rules_model(m, self.endpoint, ctx) for m in self.model_ids}
                self._rules_model = models.pop() if len(models) == 1 else ctx.settings.target
        return self._rules_model


def _rules_model(model_id: str, endpoint: str, ctx: ModuleContext) -> str:
    target = ctx.settings.target
    status = ctx.catalog.status(model_id, ctx.settings.today)
    has_rules = ctx.catalog.params(model_id, endpoint) is not None
    if status == RETIRED or not has_rules:
        return target  # judge by the model it will run on after migration
    if status == DEPRECATED and ctx.settings.unsafe_fixes:
        return target
    return model_id


def _finder(ctx: ModuleContext) -> "_Finder":
    finder = ctx.memo.get("calls.finder")
    if finder is None:
        # Kept before it collects the module's attribute assignments: collecting asks for
        # origins, which may ask this module's finder again (a class's attribute of its own).
        finder = ctx.memo["calls.finder"] = _Finder(ctx)
        finder._collect_attribute_assignments()
    return finder


def find_image_calls(ctx: ModuleContext) -> List[ImageCall]:
    """Every OpenAI image call of the module, found once."""
    found = ctx.memo.get("calls.image_calls")
    if found is None:
        found = ctx.memo["calls.image_calls"] = _finder(ctx).find()
    return found


_PARTIAL = {"functools.partial", "partial"}
# Calls that run a function in a thread and, awaited, give what it returns; those in
# `THREAD_RUNNERS_FORWARDING` pass it their own keyword arguments too (anyio's are its options).
THREAD_RUNNERS_FORWARDING = frozenset({
    "asyncio.to_thread", "to_thread", "run_in_threadpool", "starlette.concurrency.run_in_threadpool",
    "fastapi.concurrency.run_in_threadpool",
})
THREAD_RUNNERS = THREAD_RUNNERS_FORWARDING | {"anyio.to_thread.run_sync", "to_thread.run_sync"}


def _runs_in_thread(node: cst.Call) -> bool:
    """``asyncio.to_thread(f, ...)`` and the like, whose keywords go to ``f``."""
    func = node.func
    last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    if last not in ("to_thread", "run_in_threadpool") or not node.args:
        return False  # (most calls: one comparison)
    first = node.args[0]
    return first.keyword is None and not first.star and (dotted_name(func) or "") in THREAD_RUNNERS_FORWARDING


def _method_read(value: cst.CSTNode, methods) -> Optional[cst.Attribute]:
    """``x.images.generate`` read as a value, alone or as the first argument of
    ``functools.partial``, or ``getattr(x.images, "generate")``; None for anything else."""
    if isinstance(value, cst.Call) and (dotted_name(value.func) or "") in _PARTIAL and value.args:
        first = value.args[0]
        value = first.value if first.keyword is None and not first.star else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "getattr" and len(value.args) in (2, 3):
        name = string_value(value.args[1].value)
        if isinstance(name, str) and name in methods and value.args[0].keyword is None and not value.args[0].star:
            # The method as `x.images.<name>` would name it: a node of its own (not in the
            # module: nothing rewrites it), whose receiver is the module's.
            return cst.Attribute(value=value.args[0].value, attr=cst.Name(name))
    if isinstance(value, cst.Attribute) and value.attr.value in methods:
        return value
    return None


def is_openai_module(ctx: ModuleContext, node: cst.CSTNode) -> bool:
    """Whether an expression holds the ``openai`` package (any alias) or one of its modules."""
    return _finder(ctx).origin(node).kind is Kind.OPENAI_MODULE


def images_receiver(node: cst.Call, catalog) -> Optional[cst.BaseExpression]:
    """``x`` when ``node`` is shaped ``x.images.<method>(...)`` (also through
    ``with_raw_response``), whatever ``x`` is; None for any other call."""
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in catalog.methods:
        return None
    base = func.value
    if isinstance(base, cst.Attribute) and base.attr.value in catalog.sdk.response_wrappers:
        base = base.value
    if isinstance(base, cst.Attribute) and base.attr.value == catalog.sdk.images_attribute:
        return base.value
    return None


def find_lookalike_calls(ctx: ModuleContext) -> List[cst.Call]:
    """Calls shaped like image calls on something that is not OpenAI (another SDK, own classes)."""
    finder = _finder(ctx)
    return [node for node in ctx.nodes(cst.Call) if finder.is_lookalike(node)]


class _Finder:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.sdk = ctx.catalog.sdk
        self.attributes: Dict[Tuple[Optional[cst.ClassDef], str], List[cst.CSTNode]] = {}
        self.module_is_azure = False
        self._import_origins: Dict[int, Origin] = {}  # by id(assignment)
        self._name_origins: Dict[int, Origin] = {}  # by id of the bindings list a name reads
        self._depth_cuts = 0
        self._aliased_names: Optional[set] = None  # see _method_alias
        self._stored_names: Optional[set] = None  # see _stored_method
        self._method_takers: Optional[set] = None  # see _passed_method
        self._method_names = ctx.catalog.methods.keys() | ctx.catalog.legacy_methods.keys()  # v1's and 0.x's

    # -- the calls -----------------------------------------------------------------------------
    def find(self) -> List[ImageCall]:
        calls: List[ImageCall] = []
        for node in self.ctx.nodes(cst.Call):
            call = self.image_call(node)
            if call is not None:
                calls.append(call)
        return calls

    def is_lookalike(self, node: cst.Call) -> bool:
        """``<receiver>.images.generate(...)`` whose receiver is proven not to be OpenAI."""
        receiver = images_receiver(node, self.ctx.catalog)
        return receiver is not None and self.origin(receiver).kind is Kind.OTHER

    def image_call(self, node: cst.Call) -> Optional[ImageCall]:
        func = node.func
        bound: Optional[cst.Call] = None  # functools.partial(client.images.generate, model=...)
        if _runs_in_thread(node):  # `await asyncio.to_thread(client.images.generate, model=...)`
            func = _method_read(node.args[0].value, self._method_names)
        elif isinstance(func, cst.Name):
            func, bound = self._method_alias(func)  # `gen = client.images.generate; gen(...)`
        elif isinstance(func, cst.Call):  # `getattr(client.images, "generate")(model=...)`
            func = _method_read(func, self._method_names)
        elif isinstance(func, cst.Attribute) and func.attr.value not in self._method_names:
            func = self._stored_method(func)  # `self.draw = client.images.generate; self.draw(...)`
        if not isinstance(func, cst.Attribute):
            return None
        aliased = func is not node.func  # the method is named elsewhere: not rewritten here
        method = func.attr.value
        base = func.value
        wrapper = None
        endpoint = self.ctx.catalog.methods.get(method)
        legacy_endpoint = self.ctx.catalog.legacy_methods.get(method)
        if legacy_endpoint is not None and self.origin(base).kind is Kind.LEGACY_CLASS:
            if aliased:
                return None  # (`create = openai.Image.create`: not rewritten to a v1 call yet)
            endpoint = legacy_endpoint
            legacy_azure = any(
                a.keyword is not None and a.keyword.value in self.sdk.legacy_azure_settings for a in node.args
            )
            surface, is_async, azure = Surface.LEGACY, method.startswith("a"), legacy_azure
        elif endpoint is not None:
            if isinstance(base, cst.Attribute) and base.attr.value in self.sdk.response_wrappers:
                wrapper = base.attr.value
                base = base.value
            if not (isinstance(base, cst.Attribute) and base.attr.value == self.sdk.images_attribute):
                return None
            origin = self.origin(base.value)
            if origin.kind is Kind.OPENAI_MODULE:
                surface, is_async, azure = Surface.MODULE, False, self.module_is_azure
            elif origin.kind is Kind.CLIENT:
                surface, is_async, azure = Surface.CLIENT, origin.is_async, origin.azure
            elif origin.kind is Kind.UNKNOWN or self._unknown_package(origin):
                surface, is_async, azure = Surface.UNTRACED, False, False
            else:
                return None
        else:
            return None
        arguments, unresolved, repeated = self._arguments(node)
        if bound is not None:  # the partial's keywords, which the call's own override
            given, given_unresolved, given_repeated = self._arguments(bound)
            arguments = {**given, **arguments}
            unresolved = given_unresolved + unresolved
            repeated = {**given_repeated, **repeated}
        parent = self.ctx.parent(node)
        call = ImageCall(
            node=node,
            endpoint=endpoint,
            method=method,
            method_node=func,
            surface=surface,
            is_async=is_async or isinstance(parent, cst.Await),
            azure=azure,
            wrapper=wrapper,
            arguments=arguments,
            unresolved_kwargs=unresolved,
            repeated=repeated,
        )
        model = arguments.get("model")
        if "model" in repeated:
            call.model_state = MODEL_TWICE
        elif model is not None:
            call.model_state = model_state(model)
        elif unresolved:
            call.model_state = MODEL_IN_KWARGS
        if surface is Surface.UNTRACED and not any(self.ctx.catalog.is_known(m) for m in call.model_ids):
            return None
        return call

    def _unknown_package(self, origin: Origin) -> bool:
        """An object imported from a package that is neither the project's nor one the
        catalogue knows serves other models (`from my_clients import image_client`: generated,
        vendored elsewhere, the file copied alone): it may well be an OpenAI client."""
        return origin.kind is Kind.OTHER and bool(origin.package) and origin.package not in self.ctx.catalog.http.compatible_packages

    def _compatible_base_url(self, node: cst.Call) -> bool:
        """Whether a client is built with the ``base_url`` of an OpenAI-compatible provider."""
        from .urls import url_host

        base_url = next((a for a in node.args if a.keyword is not None and a.keyword.value == "base_url"), None)
        if base_url is None:
            return False
        return self.ctx.catalog.http.serves_others(url_host(self.ctx, base_url.value))

    def _stored_method(self, func: cst.Attribute) -> Optional[cst.Attribute]:
        """The image method an attribute holds when every assignment to it (in its class, for
        ``self.x``) is a read of one."""
        if self._stored_names is None:  # the attributes any `a.x = <...>.<image method>` sets, once
            self._stored_names = {
                key[1] for key, values in self.attributes.items() if any(_method_read(v, self._method_names) is not None for v in values)
            }
        if func.attr.value not in self._stored_names:
            return None  # (most attribute calls: one set lookup)
        for key in self.inherited_keys(self._attribute_key(func)):
            values = self.attributes.get(key)
            if values:
                reads = [_method_read(v, self._method_names) for v in values]
                return reads[0] if all(r is not None for r in reads) else None
        return None

    def _passed_method(self, name: cst.Name) -> Optional[cst.Attribute]:
        """The image method a parameter is given by every call of its function in the module
        (``def run(draw, prompt): return draw(model=...)`` called as ``run(client.images.generate,
        prompt)``)."""
        if self._method_takers is None:  # the functions some call hands an image method, once
            self._method_takers = {
                call.func.value
                for call in self.ctx.nodes(cst.Call)
                if isinstance(call.func, cst.Name) and any(_method_read(a.value, self._method_names) is not None for a in call.args)
            }
        if not self._method_takers:
            return None
        resolver = value_resolver(self.ctx)
        scope = self.ctx.scope(name)
        bindings = scope[name.value] if scope is not None else ()
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment) or not isinstance(bindings[0].node, cst.Param):
            return None
        param = bindings[0].node
        func = resolver._enclosing(param, cst.FunctionDef)
        if func is None or func.name.value not in self._method_takers:
            return None
        passed = resolver.arguments_for(param)
        # (Only this module's calls: the method read is judged here, where its receiver is.)
        reads = [_method_read(arg.value, self._method_names) if arg is not None and caller is resolver else None for caller, arg in passed]
        return reads[0] if reads and all(r is not None for r in reads) else None

    def _method_alias(self, name: cst.Name) -> Tuple[Optional[cst.Attribute], Optional[cst.Call]]:
        """The image method a name is bound to, once, in the scope that calls it: ``gen =
        client.images.generate`` (the receiver is judged where the method was read), or
        ``functools.partial(client.images.generate, model=...)`` (with that partial call)."""
        if self._aliased_names is None:  # the names any `x = <...>.<image method>` binds, once
            self._aliased_names = {
                target.target.value
                for assign in self.ctx.nodes(cst.Assign)
                if _method_read(assign.value, self._method_names) is not None
                for target in assign.targets
                if isinstance(target.target, cst.Name)
            }
        if name.value not in self._aliased_names:
            return self._passed_method(name), None  # (most calls: `print(...)`, `len(...)`: no scope is asked)
        resolver = value_resolver(self.ctx)
        assignment = resolver.single_assignment(name)
        value = resolver.assigned_value(assignment.node) if assignment is not None else None
        method = _method_read(value, self._method_names) if value is not None else None
        return method, (value if isinstance(value, cst.Call) and method is not None else None)

    def _arguments(self, node: cst.Call) -> Tuple[Dict[str, Argument], List[cst.Arg], Dict[str, List[Tuple[cst.Arg, Argument]]]]:
        """Keyword arguments by name, entries of resolvable ``**mappings`` included (the last
        place wins), and the keywords passed in more than one place."""
        resolver = value_resolver(self.ctx)
        arguments: Dict[str, Argument] = {}
        unresolved: List[cst.Arg] = []
        repeated: Dict[str, List[Tuple[cst.Arg, Argument]]] = {}
        passed_by: Dict[str, cst.Arg] = {}
        for arg in node.args:
            if arg.star == "**":
                mapped = mapping_arguments(self.ctx, arg.value)
                if mapped is None:
                    unresolved.append(arg)
                    continue
                passed = list(mapped.values())
            elif arg.keyword is not None:
                passed = [Argument(arg.keyword.value, arg.value, arg, node, resolver.resolve)]
            else:
                continue
            for argument in passed:
                earlier = arguments.get(argument.name)
                if earlier is not None:
                    repeated.setdefault(argument.name, [(passed_by[argument.name], earlier)]).append((arg, argument))
                arguments[argument.name] = argument
                passed_by[argument.name] = arg
        return arguments, unresolved, repeated

    # -- where a receiver comes from -----------------------------------------------------------
    def origin(self, node: cst.CSTNode, depth: int = 0) -> Origin:
        if depth > _MAX_DEPTH:
            self._depth_cuts += 1
            return UNKNOWN
        if isinstance(node, cst.Name):
            if node.value == "None":
                return Origin(Kind.NEUTRAL)
            scope = self.ctx.scope(node)
            if scope is None:
                return UNKNOWN
            bindings = scope[node.value]
            if not bindings:
                return UNKNOWN
            # Every read that sees the same bindings has the same origin: computed once (a name
            # bound n times and read n times would otherwise cost n * n), unless the depth
            # limit cut the computation short.
            known = self._name_origins.get(id(bindings))
            if known is not None:
                return known
            cuts = self._depth_cuts
            found = _combine(self.assignment_origin(a, depth + 1) for a in bindings)
            if self._depth_cuts == cuts:
                self._name_origins[id(bindings)] = found
            return found
        if isinstance(node, cst.Attribute):
            owner = self.origin(node.value, depth + 1)
            attr = node.attr.value
            if owner.kind is Kind.PROJECT_MODULE and owner.ctx is not None:
                return self._member_origin(owner.ctx, attr, depth)
            if owner.kind is Kind.OPENAI_MODULE:
                if attr in self.sdk.clients:
                    return self._client_class(attr)
                if attr == self.sdk.legacy_class:
                    return Origin(Kind.LEGACY_CLASS)
                return Origin(Kind.OPENAI_MODULE)
            key = self._attribute_key(node)
            for candidate in self.inherited_keys(key):
                if candidate in self.attributes:
                    return _combine(self.value_origin(v, depth + 1) for v in self.attributes[candidate])
            cls = value_resolver(self.ctx).class_of(node.value)  # `bot.client`, `self.service.client`: the class says
            if cls is not None:
                finder = _finder(self.ctx.owner(cls))
                for candidate in finder.inherited_keys((cls, attr)):
                    if candidate in finder.attributes:
                        return _combine(finder.value_origin(v, depth + 1) for v in finder.attributes[candidate])
            if owner.kind is Kind.OTHER and not owner.read_off:
                # A member of another package's module (a class, a function, its own client), or
                # of an instance of its classes (`client.beta`, `client.with_raw_response`).
                return dataclasses.replace(OTHER_MEMBER, package=owner.package)
            # Read off an object read off something (`st.session_state.client`,
            # `request.app.state.openai`): it may hold anything, an OpenAI client too; the call
            # counts when its model is an OpenAI id.
            return UNKNOWN
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in self.sdk.client_copies:
                owner = self.origin(func.value, depth + 1)
                if owner.kind is Kind.CLIENT:
                    return owner
            called = self.origin(func, depth + 1)
            if called.kind is Kind.CLIENT_CLASS:
                if self._compatible_base_url(node):
                    return OTHER  # `OpenAI(base_url="https://api.aimlapi.com/v1")`: that provider's client
                return Origin(Kind.CLIENT, called.is_async, called.azure)
            if called.kind is Kind.FUNCTION and isinstance(called.node, cst.FunctionDef):
                home = called.ctx or self.ctx  # a factory function of another module: its returns there
                finder = _finder(home)
                return _combine(finder.value_origin(r, depth + 1) for r in _returns(home, called.node)) or UNKNOWN
            if called.kind is Kind.OTHER:
                return dataclasses.replace(OTHER, package=called.package)
            return UNKNOWN
        if isinstance(node, cst.Await):
            return self.origin(node.expression, depth + 1)
        if isinstance(node, cst.IfExp):
            return _combine([self.origin(node.body, depth + 1), self.origin(node.orelse, depth + 1)])
        if isinstance(node, cst.BooleanOperation):
            return _combine([self.origin(node.left, depth + 1), self.origin(node.right, depth + 1)])
        return UNKNOWN

    def value_origin(self, node: cst.CSTNode, depth: int) -> Origin:
        """Origin of a value assigned to a name or attribute (annotations count as well)."""
        if isinstance(node, cst.Annotation):
            return self.annotation_origin(node.annotation, depth)
        return self.origin(node, depth)

    def annotation_origin(self, node: cst.CSTNode, depth: int) -> Origin:
        """A name annotated with a client class holds a client (``Optional[OpenAI]`` too)."""
        found: List[Origin] = []
        finder = self

        class Names(cst.CSTVisitor):
            def visit_Name(self, n: cst.Name) -> None:
                found.append(finder.origin(n, depth + 1))

            def visit_Attribute(self, n: cst.Attribute) -> bool:
                found.append(finder.origin(n, depth + 1))
                return False

            def visit_SimpleString(self, n: cst.SimpleString) -> None:
                try:
                    inner = cst.parse_expression(str(string_value(n)))
                except Exception:
                    return
                for name in finder._names_in(inner):
                    if name in finder.sdk.clients and finder._imports_client_name(name):
                        found.append(finder._client_class(name))

        node.visit(Names())
        classes = [o for o in found if o.kind is Kind.CLIENT_CLASS]
        if classes:
            return Origin(Kind.CLIENT, any(c.is_async for c in classes), any(c.azure for c in classes))
        if any(o.kind is Kind.OTHER for o in found):
            return OTHER
        return UNKNOWN

    def assignment_origin(self, assignment, depth: int) -> Origin:
        if isinstance(assignment, ImportAssignment):
            return self._import_origin(assignment, depth)
        if not isinstance(assignment, Assignment):
            return UNKNOWN
        node = assignment.node
        if isinstance(node, cst.FunctionDef):
            return Origin(Kind.FUNCTION, node=node, ctx=self.ctx)
        if isinstance(node, cst.ClassDef):
            return OTHER  # the user's own class
        if isinstance(node, cst.Param):
            origins = []
            if node.annotation is not None:
                origins.append(self.annotation_origin(node.annotation.annotation, depth))
            if node.default is not None:
                origins.append(self.origin(node.default, depth))
            known = [o for o in origins if o.kind is not Kind.UNKNOWN]
            if known:
                return _combine(known)
            return self._passed_origin(node, depth)
        parent = self.ctx.parent(node)
        if isinstance(parent, cst.AssignTarget):
            assign = self.ctx.parent(parent)
            if isinstance(assign, cst.Assign):
                return self.origin(assign.value, depth)
        if isinstance(parent, cst.AnnAssign) and parent.target is node:
            origins = [self.annotation_origin(parent.annotation.annotation, depth)]
            if parent.value is not None:
                origins.append(self.origin(parent.value, depth))
            known = [o for o in origins if o.kind is not Kind.UNKNOWN]
            return _combine(known) if known else UNKNOWN
        if isinstance(parent, cst.AsName):
            item = self.ctx.parent(parent)
            if isinstance(item, cst.WithItem):
                return self.origin(item.item, depth)  # `with OpenAI() as client:`
        if isinstance(parent, cst.NamedExpr):
            return self.origin(parent.value, depth)
        return UNKNOWN

    def _passed_origin(self, param: cst.Param, depth: int) -> Origin:
        """An unannotated parameter holds what every call of its function in the project passes
        it (``make(client, ...)`` with ``client = OpenAI()`` at the call)."""
        passed = value_resolver(self.ctx).arguments_for(param)
        if not passed or any(resolver is None for resolver, _ in passed):
            return UNKNOWN
        origins = [_finder(resolver.ctx).origin(arg.value, depth + 1) for resolver, arg in passed if arg is not None]
        return _combine(origins) if origins else UNKNOWN

    # -- helpers -------------------------------------------------------------------------------
    def _client_class(self, name: str) -> Origin:
        cls = self.sdk.clients[name]
        return Origin(Kind.CLIENT_CLASS, cls.is_async, cls.azure)

    def _import_origin(self, assignment: ImportAssignment, depth: int = 0) -> Origin:
        known = self._import_origins.get(id(assignment))
        if known is None:
            known = self._find_import_origin(assignment)
            if known.kind is Kind.OTHER:
                # Not the SDK: a module of the project holds what it binds (a client, a factory).
                found = self._project_origin(assignment, depth)
                if found is not None:
                    known = found
                elif isinstance(assignment.node, cst.ImportFrom) and assignment.node.relative:
                    known = UNKNOWN  # the project's own module, which could not be read
            self._import_origins[id(assignment)] = known
        return known

    def _project_origin(self, assignment: ImportAssignment, depth: int) -> Optional[Origin]:
        project = self.ctx.project
        imported = project.imported(self.ctx, assignment) if project is not None else None
        if imported is None:
            return None
        if imported.name is None:
            return Origin(Kind.PROJECT_MODULE, ctx=imported.ctx)
        return _finder(imported.ctx).global_origin(imported.name, depth + 1)

    def _member_origin(self, module: ModuleContext, attr: str, depth: int) -> Origin:
        """``module.attr`` for a project module: its top-level binding, else its submodule."""
        project = module.project
        member = project.member(module.path, attr) if project is not None and module.path else None
        if member is None:
            return UNKNOWN
        if member.name is None:
            return Origin(Kind.PROJECT_MODULE, ctx=member.ctx)
        return _finder(member.ctx).global_origin(member.name, depth + 1)

    def global_origin(self, name: str, depth: int) -> Origin:
        """What this module binds to a top-level ``name``, as another module imports it."""
        bindings = self.ctx.module_scope.assignments.get(name)
        project = self.ctx.project
        if not bindings or project is None or depth > _MAX_DEPTH:
            return UNKNOWN
        key = "origin:" + name
        if not project.entering(self.ctx, key):
            return UNKNOWN  # an import cycle
        try:
            return _combine(self.assignment_origin(a, depth + 1) for a in bindings)
        finally:
            project.leaving(self.ctx, key)

    def _find_import_origin(self, assignment: ImportAssignment) -> Origin:
        node = assignment.node
        package = self.sdk.package
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = dotted_name(alias.name) or ""
                bound = alias.asname.name.value if alias.asname else dotted.split(".")[0]
                if bound == assignment.name:
                    module = dotted if alias.asname else dotted.split(".")[0]
                    top = module.split(".")[0]
                    return Origin(Kind.OPENAI_MODULE) if top == package else dataclasses.replace(OTHER_MODULE, package=top)
            return UNKNOWN
        if isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None:
                return OTHER
            module = dotted_name(node.module) or ""
            if isinstance(node.names, cst.ImportStar):
                if module.split(".")[0] == package and assignment.name in self.sdk.clients:
                    return self._client_class(assignment.name)
                return UNKNOWN
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                bound = alias.asname.name.value if alias.asname else name
                if bound != assignment.name:
                    continue
                if module.split(".")[0] != package:
                    # A class, a function or an object of another package.
                    return dataclasses.replace(OTHER_MEMBER, package=module.split(".")[0])
                if name in self.sdk.clients:
                    return self._client_class(name)
                if name == self.sdk.legacy_class:
                    return Origin(Kind.LEGACY_CLASS)
                return OTHER
        return UNKNOWN

    def _imports_client_name(self, name: str) -> bool:
        scope = self.ctx.module_scope
        return any(
            isinstance(a, ImportAssignment) and self._import_origin(a).kind is Kind.CLIENT_CLASS for a in scope[name]
        )

    @staticmethod
    def _names_in(node: cst.CSTNode) -> List[str]:
        names: List[str] = []

        class V(cst.CSTVisitor):
            def visit_Name(self, n: cst.Name) -> None:
                names.append(n.value)

        node.visit(V())
        return names

    def _attribute_key(self, node: cst.Attribute) -> Optional[Tuple[Optional[cst.ClassDef], str]]:
        """Key under which assignments to this attribute are filed: ``self.x`` per class."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head = dotted.split(".")[0]
        if head in ("self", "cls"):
            return (self._enclosing_class(node), dotted.split(".", 1)[1])
        return (None, dotted)

    def inherited_keys(self, key):
        """``self.x`` is looked up in the class, then in its bases defined in this module."""
        if key is None:
            return []
        cls, attr = key
        if cls is None:
            return [key]
        keys, queue, seen = [], [cls], set()
        while queue:
            current = queue.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            keys.append((current, attr))
            for base in current.bases:
                if isinstance(base.value, cst.Name):
                    scope = self.ctx.scope(base.value)
                    for assignment in scope[base.value.value] if scope is not None else ():
                        if isinstance(assignment, Assignment) and isinstance(assignment.node, cst.ClassDef):
                            queue.append(assignment.node)
        return keys

    def _enclosing_class(self, node: cst.CSTNode) -> Optional[cst.ClassDef]:
        current = self.ctx.parent(node)
        while current is not None and not isinstance(current, cst.ClassDef):
            current = self.ctx.parent(current)
        return current

    def _collect_attribute_assignments(self) -> None:
        """File every ``a.b = value`` / ``self.x: T = value`` and class-body ``x = value``."""
        package = self.sdk.package
        for node in self.ctx.nodes(cst.Assign, cst.AnnAssign):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    self._file_target(target.target, node.value)
                    self._note_azure_setting(target.target, node.value, package)
            else:
                self._file_target(node.target, node.annotation)
                if node.value is not None:
                    self._file_target(node.target, node.value)

    def _file_target(self, target: cst.BaseExpression, value: cst.CSTNode) -> None:
        if isinstance(target, cst.Attribute):
            key = self._attribute_key(target)
            if key is not None:
                self.attributes.setdefault(key, []).append(value)
        elif isinstance(target, cst.Name):
            parent = self.ctx.parent(target)
            stmt = self.ctx.parent(parent) if isinstance(parent, cst.AssignTarget) else parent
            line = self.ctx.parent(stmt) if stmt is not None else None
            block = self.ctx.parent(line) if line is not None else None
            cls = self.ctx.parent(block) if block is not None else None
            if isinstance(cls, cst.ClassDef):  # class attribute, read as self.<name>
                self.attributes.setdefault((cls, target.value), []).append(value)

    def _note_azure_setting(self, target: cst.BaseExpression, value: cst.CSTNode, package: str) -> None:
        if not isinstance(target, cst.Attribute):
            return
        attr = target.attr.value
        # The name first: tracing where every `x.attr = ...` comes from would load the modules
        # of the whole import graph (the project layer follows imports).
        if attr != "api_type" and attr not in self.sdk.module_azure_settings:
            return
        if self.origin(target.value).kind is not Kind.OPENAI_MODULE:
            return
        if attr == "api_type":
            resolved = resolve(self.ctx, value)  # type: ignore[arg-type]
            if resolved is not None and isinstance(resolved.value, str) and "azure" in resolved.value.lower():
                self.module_is_azure = True
        elif attr in self.sdk.module_azure_settings:
            self.module_is_azure = True


def mapping_arguments(ctx: ModuleContext, node: cst.BaseExpression) -> Optional[Dict[str, Argument]]:
    """The entries of the dict an expression holds, as arguments by name (a ``**mapping``, an
    HTTP request's JSON body); None when what it holds is not known. Within one mapping the last
    entry wins; earlier ones set in other places (another branch) may be sent too."""
    resolver = value_resolver(ctx)
    entries = resolver.dict_entries(node)
    if entries is None:
        return None
    latest: Dict[str, Argument] = {}
    for name, value, holder, container in entries:
        argument = Argument(name, value, holder, container, resolver.resolve)
        earlier = latest.get(name)
        if earlier is not None and not (earlier.container is container and isinstance(container, cst.Dict)):
            # (A key written twice in one dict literal is never sent the first time.)
            argument.shadowed = earlier.shadowed + [dataclasses.replace(earlier, shadowed=[], _resolution=None)]
        latest[name] = argument
    return latest


def _combine(origins: Iterable[Origin]) -> Origin:
    """What a name holds when it is bound several times: agreement or UNKNOWN."""
    meaningful = [o for o in origins if o.kind is not Kind.NEUTRAL]
    if not meaningful:
        return UNKNOWN
    kinds = {o.kind for o in meaningful}
    if kinds == {Kind.CLIENT}:
        return Origin(Kind.CLIENT, any(o.is_async for o in meaningful), any(o.azure for o in meaningful))
    if len(kinds) == 1:
        return meaningful[0]
    return UNKNOWN


def _returns(ctx: ModuleContext, func: cst.FunctionDef) -> List[cst.BaseExpression]:
    """What ``func`` itself returns (not its nested functions)."""
    values: List[cst.BaseExpression] = []
    for node in ctx.inside(func, cst.Return):
        owner = ctx.parent(node)
        while owner is not None and not isinstance(owner, cst.FunctionDef):
            owner = ctx.parent(owner)
        if owner is func and node.value is not None:
            values.append(node.value)
    return values
