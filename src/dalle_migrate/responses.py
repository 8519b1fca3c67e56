"""Following image results to where they are read, and rewriting URL reads for b64_json.

GPT image models return ``data[i].b64_json``; ``data[i].url`` is always ``None``. From each
image call the result is followed through assignments, ``await``, ``.parse()`` of raw responses,
``asyncio.gather``, loops, comprehensions, subscripts (legacy dicts) and the returns of the
module's own functions, to every read of ``url`` and ``revised_prompt``.

A URL read is rewritten by how the URL is used (DESIGN section 4):
- downloaded directly (``requests.get(u).content``, ``urlopen(u).read()``...): the bytes are
  ``base64.b64decode(image.b64_json)``;
- saved with ``urlretrieve(u, path)``: the decoded bytes are written to ``path``;
- shown with IPython ``Image(url=u)``: ``Image(data=base64.b64decode(image.b64_json))``;
- used as a string (returned, stored, put in HTML or Markdown, logged, passed on): it becomes a
  ``data:image/<format>;base64,...`` URL, and any ``requests``/``httpx`` download of that string
  further on decodes it instead (``urllib`` opens data URLs by itself);
- needed as a real URL (a chat-bot embed, ``webbrowser.open``, a file name taken from the URL):
  no fix; the finding says why.
"""

from __future__ import annotations

import bisect
import os
import enum
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from .calls import THREAD_RUNNERS, ImageCall, Surface, find_image_calls
from .context import ModuleContext, one_line
from .scopes import Assignment
from .edits import add_import, delete_statement
from .findings import Edit
from .values import dotted_name, literal, passed_argument, string_value
from .http_requests import find_http_requests
from .wrappers import forwarded_requests

_MAX_DEPTH = 12


# Downloads whose result is the image bytes: (function, attribute or method that yields bytes).
_DOWNLOAD_FUNCS = {
    "requests.get", "requests.request", "httpx.get", "httpx.request",
    "urllib.request.urlopen", "urlopen", "request.urlopen",
}
_BYTES_ACCESS = {"content": False, "read": True}  # attribute -> is it called (`.read()`)
_RETRIEVE_FUNCS = {"urllib.request.urlretrieve", "urlretrieve", "request.urlretrieve"}
_IPYTHON_IMAGE = {"Image", "IPython.display.Image", "display.Image"}
_NEEDS_URL_CALLS = {
    "webbrowser.open": "webbrowser.open() needs a real URL",
    "webbrowser.open_new": "webbrowser.open_new() needs a real URL",
    "webbrowser.open_new_tab": "webbrowser.open_new_tab() needs a real URL",
    "urlparse": "a file name or host is parsed from the URL",
    "urllib.parse.urlparse": "a file name or host is parsed from the URL",
    "urlsplit": "a file name or host is parsed from the URL",
    "os.path.basename": "a file name is taken from the URL",
    "basename": "a file name is taken from the URL",
    # Image readers that fetch a URL themselves (skimage, imageio, diffusers) take http(s) URLs
    # or file paths, not data URLs: hand them the decoded bytes instead.
    "imread": "the image is read from the URL (give the reader the decoded bytes, e.g. through io.BytesIO)",
    "load_image": "the image is read from the URL (give it the decoded bytes, e.g. PIL.Image.open(io.BytesIO(...)))",
}
_NEEDS_URL_METHODS = {
    "set_image": "a chat embed needs a real URL (upload the decoded bytes as a file instead)",
    "set_thumbnail": "a chat embed needs a real URL (upload the decoded bytes as a file instead)",
    "send_photo": "the photo is sent by URL (send the decoded bytes instead)",
    "reply_photo": "the photo is sent by URL (send the decoded bytes instead)",
    "answer_photo": "the photo is sent by URL (send the decoded bytes instead)",
    "split": "the URL is taken apart (a file name or query is read from it)",
    "imread": "the image is read from the URL (give the reader the decoded bytes, e.g. through io.BytesIO)",
    "load_image": "the image is read from the URL (give it the decoded bytes, e.g. PIL.Image.open(io.BytesIO(...)))",
    "rsplit": "the URL is taken apart (a file name or query is read from it)",
}
_SESSION_DOWNLOAD = {"get": "an HTTP session downloads the URL"}
# What a kept download response's attributes stand for once the image is decoded instead.
_RESPONSE_STANDS_FOR = {"content": "", "status_code": "200", "ok": "True"}
_GATHER = {"asyncio.gather", "gather"}
# Calls whose result pairs the items of their arguments, position by position, in a loop:
# `for name, image in zip(names, result.data)`.
_ZIPS = {"zip", "itertools.zip_longest", "zip_longest"}
# Calls whose result holds the items of their arguments, one after the other.
_CHAINS = {"itertools.chain", "chain", "itertools.islice", "islice", "itertools.cycle", "cycle"}
# Methods that give a result's fields as a dict (pydantic, the SDK's models): read by key after.
_AS_DICT = {"model_dump", "to_dict", "dict"}
# The result as JSON text, read back by a JSON decoder: `json.loads(result.model_dump_json())`.
_AS_JSON = {"model_dump_json", "to_json", "json"}
_HTTP_BODY = {"text", "content"}  # an HTTP response's body, undecoded (`json.loads(r.text)`)
_JSON_LOADS = {"json.loads", "loads", "orjson.loads", "ujson.loads", "simplejson.loads"}


class Kind(enum.Enum):
    RAW = "raw response"  # with_raw_response: .parse() gives the response
    HTTP = "HTTP response"  # a plain HTTP request's (http_requests.py): .json() gives the response, a dict
    RESPONSE = "response"
    RESPONSES = "responses"  # asyncio.gather(...) of responses
    DATA = "data"  # response.data
    IMAGE = "image"  # one item of response.data
    BY_KEY = "images by key"  # a dict whose values are items: dict(zip(names, response.data))
    STRING = "string"  # a wrapper's result that is the image's URL, or its base64 (Semantic Kernel)
    STRINGS = "strings"  # a list of those


@dataclass
class Read:
    """A read of ``url`` or ``revised_prompt`` on an image of a call's result."""

    call: ImageCall
    field: str
    node: cst.BaseExpression  # the whole read: ``resp.data[0].url`` / ``item["url"]``
    image: cst.BaseExpression  # the image expression it is read from: ``resp.data[0]``
    dict_style: bool  # item["url"] (legacy 0.x OpenAIObject)
    # The read is the string a wrapper returned (the URL, or on GPT image models its base64):
    # ``node`` itself is the base64 after migration.
    bare: bool = False


@dataclass
class Rewrite:
    """How to fix one URL read: the edits, or why there is none."""

    edits: List[Edit] = field(default_factory=list)
    imports: Tuple[str, ...] = ()
    description: str = ""
    blocker: str = ""  # non-empty: no fix, and this says why


@dataclass
class DictAccess:
    """``result["data"]`` / ``image["b64_json"]``: legacy 0.x dict access on a call's result."""

    call: ImageCall
    node: cst.Subscript
    key: str


def find_reads(ctx: ModuleContext) -> List[Read]:
    return _flow(ctx)[0]


def find_dict_accesses(ctx: ModuleContext) -> List[DictAccess]:
    return _flow(ctx)[1]


def _flow(ctx: ModuleContext) -> Tuple[List[Read], List[DictAccess]]:
    """Both lists, computed once per module (several rules read them)."""
    cached = ctx.memo.get("responses.flow")
    if cached is None:
        tracker = _Tracker(ctx)
        reads = tracker.run()
        unique: Dict[int, DictAccess] = {}
        for access in tracker.dict_accesses:
            if id(access.node) in ctx.spans:  # legacy code is migrated module by module
                unique.setdefault(id(access.node), access)
        cached = ctx.memo["responses.flow"] = (reads, list(unique.values()))
    return cached


class _Tracker:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.reads: List[Read] = []
        self.dict_accesses: List["DictAccess"] = []
        self.seen: Set[Tuple[int, Kind]] = set()
        self.call: Optional[ImageCall] = None
        self.fields = ctx.catalog.response  # data / b64_json / url / revised_prompt

    def run(self) -> List[Read]:
        # A wrapper that forwards the request (LiteLLM) passes OpenAI's answer through: the same
        # `data[i].url`, None on GPT image models.
        for call in [*find_image_calls(self.ctx), *forwarded_requests(self.ctx)]:
            if call.wrapper == "with_streaming_response" or _streams(call):
                continue
            self.call = call
            kind = {"string": Kind.STRING, "strings": Kind.STRINGS}.get(call.result)
            self.track(call.node, kind or (Kind.RAW if call.wrapper == "with_raw_response" else Kind.RESPONSE), 0)
        for call in find_http_requests(self.ctx):
            self.call = call
            self.track(call.node, Kind.HTTP, 0)
        unique: Dict[int, Read] = {}
        for read in self.reads:
            unique.setdefault(id(read.node), read)
        def place(read: Read) -> Tuple[str, int]:
            owner = self.ctx.owner(read.node)  # reads in other modules of the project come after
            return ("" if owner is self.ctx else owner.path or "", owner.span(read.node)[0])

        return sorted(unique.values(), key=place)

    # -- following a value ---------------------------------------------------------------------
    def track(self, node: cst.CSTNode, kind: Kind, depth: int) -> None:
        key = (id(node), kind)
        if depth > _MAX_DEPTH or key in self.seen:
            return
        self.seen.add(key)
        depth += 1
        parent = self.ctx.parent(node)
        if parent is None:
            return
        if kind in (Kind.STRING, Kind.STRINGS):
            self.string(node, parent, kind, depth)
        elif isinstance(parent, cst.Await):
            self.track(parent, kind, depth)
        elif isinstance(parent, cst.Attribute) and parent.value is node:
            self.attribute(parent, kind, depth)
        elif isinstance(parent, cst.Subscript) and parent.value is node:
            self.subscript(parent, kind, depth)
        elif isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and parent.value is node:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
            for target in targets:
                self.bind(target, kind, depth)
        elif isinstance(parent, cst.NamedExpr) and parent.value is node:
            self.bind(parent.target, kind, depth)
        elif isinstance(parent, cst.For) and parent.iter is node:
            self.iterate(parent.target, kind, depth)
        elif isinstance(parent, cst.CompFor) and parent.iter is node:
            self.iterate(parent.target, kind, depth)
        elif isinstance(parent, cst.Return):
            self.returned(parent, kind, depth)
        elif isinstance(parent, cst.Arg):
            self.argument(parent, kind, depth)
        elif isinstance(parent, (cst.Element, cst.StarredElement)):
            self.element(parent, kind, depth)
        elif isinstance(parent, (cst.ListComp, cst.GeneratorExp)) and parent.elt is node:
            self.element(parent, kind, depth)
        elif isinstance(parent, cst.Lambda) and parent.body is node:
            self.run_elsewhere(parent, kind, depth)  # asyncio.to_thread(lambda: client.images...)
        elif isinstance(parent, cst.DictComp) and parent.value is node and kind is Kind.IMAGE:
            self.track(parent, Kind.BY_KEY, depth)  # {name: image for name, image in zip(...)}
        elif isinstance(parent, cst.WithItem) and parent.item is node and parent.asname is not None and kind is Kind.HTTP:
            self.bind(parent.asname.name, kind, depth)  # `async with session.post(...) as response`

    def string(self, node: cst.CSTNode, parent: cst.CSTNode, kind: Kind, depth: int) -> None:
        """A wrapper's string result (or a list of them): followed through ``await``, names and
        returns; each place it is used is a read of the URL it held (its base64 on GPT image
        models)."""
        if isinstance(parent, cst.Await):
            self.track(parent, kind, depth)
        elif isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and parent.value is node:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
            for target in targets:
                if isinstance(target, cst.Name):
                    self.bind(target, kind, depth)
        elif isinstance(parent, cst.Return):
            self.returned(parent, kind, depth)
        elif kind is Kind.STRINGS:
            if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
                self.bind(parent.target, Kind.STRING, depth)
            elif isinstance(parent, cst.Subscript) and parent.value is node and isinstance(_subscript_key(parent), int):
                self.track(parent, Kind.STRING, depth)
            elif isinstance(parent, cst.Arg):
                call = self.ctx.parent(parent)  # for index, image in enumerate(images)
                holder = self.ctx.parent(call) if isinstance(call, cst.Call) and dotted_name(call.func) == "enumerate" else None
                if isinstance(holder, (cst.For, cst.CompFor)) and holder.iter is call and isinstance(holder.target, (cst.Tuple, cst.List)):
                    if len(holder.target.elements) == 2:
                        self.bind(holder.target.elements[1].value, Kind.STRING, depth)
        elif _opens_as_url(self.ctx, node):
            # (Only where it is used as a URL: a string printed or stored may be either, and
            # `base64.b64decode(image)` already reads it as base64.)
            self.reads.append(Read(self.call, self.fields.url_field, node, node, dict_style=False, bare=True))  # type: ignore[arg-type]

    def attribute(self, node: cst.Attribute, kind: Kind, depth: int) -> None:
        name = node.attr.value
        called = self.ctx.parent(node)
        called = called if isinstance(called, cst.Call) and called.func is node else None
        if kind is Kind.HTTP:
            if name == "json" and called is not None:
                self.track(called, Kind.RESPONSE, depth)  # `response.json()`: the decoded body
            elif name in _HTTP_BODY:
                body: cst.BaseExpression = node
                decode = self.ctx.parent(node)  # `response.content.decode("utf-8")`
                if isinstance(decode, cst.Attribute) and decode.attr.value == "decode":
                    call = self.ctx.parent(decode)
                    if isinstance(call, cst.Call) and call.func is decode:
                        body = call
                arg = self.ctx.parent(body)
                loads = self.ctx.parent(arg) if isinstance(arg, cst.Arg) else None
                if isinstance(loads, cst.Call) and (dotted_name(loads.func) or "") in _JSON_LOADS and loads.args[0] is arg:
                    self.track(loads, Kind.RESPONSE, depth)  # json.loads(response.text)
            return
        if name == "get" and called is not None and self.call.surface is Surface.HTTP and called.args:
            self.entry(called, string_value(called.args[0].value), kind, depth)  # `body.get("data")`
            return
        if kind is Kind.BY_KEY and called is not None:
            if name == "get" and called.args:
                self.track(called, Kind.IMAGE, depth)  # by_name.get("otter")
            elif name == "values" and not called.args:
                self.track(called, Kind.DATA, depth)  # for image in by_name.values()
            elif name == "items" and not called.args:
                holder = self.ctx.parent(called)  # for name, image in by_name.items()
                if isinstance(holder, (cst.For, cst.CompFor)) and holder.iter is called:
                    target = holder.target
                    if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
                        self.bind(target.elements[1].value, Kind.IMAGE, depth)
            return
        if kind is Kind.RAW and name == "parse":
            call = self.ctx.parent(node)
            if isinstance(call, cst.Call) and call.func is node:
                self.track(call, Kind.RESPONSE, depth)
        elif kind is Kind.RESPONSE and name == self.fields.data_field:
            self.track(node, Kind.DATA, depth)
        elif kind is Kind.IMAGE and name in (self.fields.url_field, self.fields.revised_prompt_field):
            self.reads.append(Read(self.call, name, node, node.value, dict_style=False))
        elif kind in (Kind.RESPONSE, Kind.IMAGE) and name in _AS_DICT:
            call = self.ctx.parent(node)  # result.model_dump()["data"][0]["url"]: the same fields
            if isinstance(call, cst.Call) and call.func is node:
                self.track(call, kind, depth)
        elif kind in (Kind.RESPONSE, Kind.IMAGE) and name in _AS_JSON:
            call = self.ctx.parent(node)
            arg = self.ctx.parent(call) if isinstance(call, cst.Call) and call.func is node else None
            loads = self.ctx.parent(arg) if isinstance(arg, cst.Arg) else None
            if isinstance(loads, cst.Call) and (dotted_name(loads.func) or "") in _JSON_LOADS and loads.args[0] is arg:
                self.track(loads, kind, depth)  # json.loads(result.model_dump_json())["data"][0]["url"]

    def subscript(self, node: cst.Subscript, kind: Kind, depth: int) -> None:
        if kind is Kind.BY_KEY:
            self.track(node, Kind.IMAGE, depth)  # by_name["otter"]
            return
        key = _subscript_key(node)
        if kind in (Kind.RESPONSE, Kind.IMAGE) and isinstance(key, str) and key.isidentifier() and self.call.surface is not Surface.HTTP:
            self.dict_accesses.append(DictAccess(self.call, node, key))  # (a decoded JSON body is a dict)
        self.entry(node, key, kind, depth)

    def entry(self, node: cst.BaseExpression, key, kind: Kind, depth: int) -> None:
        """``node`` reads entry ``key`` of a dict-shaped result (``[key]``, ``.get(key)``)."""
        if kind is Kind.RESPONSE and key == self.fields.data_field:
            self.track(node, Kind.DATA, depth)
        elif kind is Kind.DATA and isinstance(key, int):
            self.track(node, Kind.IMAGE, depth)
        elif kind is Kind.RESPONSES and isinstance(key, int):
            self.track(node, Kind.RESPONSE, depth)
        elif kind is Kind.IMAGE and key in (self.fields.url_field, self.fields.revised_prompt_field):
            image = node.value if isinstance(node, cst.Subscript) else node.func.value  # type: ignore[attr-defined]
            self.reads.append(Read(self.call, key, node, image, dict_style=True))
        elif kind is Kind.DATA and key is _SLICE:
            self.track(node, Kind.DATA, depth)

    def bind(self, target: cst.CSTNode, kind: Kind, depth: int) -> None:
        if isinstance(target, cst.Name):
            for reference in self.references(target):
                self.track(reference, kind, depth)
        elif isinstance(target, cst.Attribute):
            for reference in self.attribute_reads(target):
                self.track(reference, kind, depth)
        elif isinstance(target, (cst.Tuple, cst.List)) and kind is Kind.RESPONSES:
            for element in target.elements:
                self.bind(element.value, Kind.RESPONSES if isinstance(element, cst.StarredElement) else Kind.RESPONSE, depth)
        elif isinstance(target, (cst.Tuple, cst.List)) and kind is Kind.DATA:
            for element in target.elements:
                # `*rest, last = result.data`: `rest` is a list of the items, `last` one of them.
                self.bind(element.value, Kind.DATA if isinstance(element, cst.StarredElement) else Kind.IMAGE, depth)

    def iterate(self, target: cst.CSTNode, kind: Kind, depth: int) -> None:
        item = {Kind.DATA: Kind.IMAGE, Kind.RESPONSES: Kind.RESPONSE}.get(kind)
        if item is not None:
            self.bind(target, item, depth)

    def returned(self, node: cst.Return, kind: Kind, depth: int) -> None:
        func = self.ctx_enclosing(node, cst.FunctionDef)
        if func is None:
            return
        for call in self.calls_of(func):
            self.track(call, kind, depth)
        for reference in self.references(func.name, assignment_node=func):
            self.run_elsewhere(reference, kind, depth)  # executor.submit(make_image, prompt)
        for other, call in project_callers(self.ctx, func):  # the project's other modules
            self.into(other).track(call, kind, depth)

    def into(self, other: ModuleContext) -> "_Tracker":
        """A tracker for another module of the project that adds to this one's results."""
        if other is self.ctx:
            return self
        tracker = _Tracker(other)
        tracker.reads, tracker.dict_accesses, tracker.seen, tracker.call = self.reads, self.dict_accesses, self.seen, self.call
        return tracker

    def argument(self, arg: cst.Arg, kind: Kind, depth: int) -> None:
        call = self.ctx.parent(arg)
        if not isinstance(call, cst.Call) or arg not in call.args:
            return
        name = dotted_name(call.func) or ""
        if name in _GATHER and kind is Kind.RESPONSE:
            self.track(call, Kind.RESPONSES, depth)
        elif name == "enumerate" and kind in (Kind.DATA, Kind.RESPONSES) and call.args[0] is arg:
            holder = self.ctx.parent(call)
            if isinstance(holder, (cst.For, cst.CompFor)) and holder.iter is call:
                target = holder.target
                if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
                    self.iterate(target.elements[1].value, kind, depth)
        elif name in _ZIPS and kind in (Kind.DATA, Kind.RESPONSES) and arg.star == "" and arg.keyword is None:
            self._zipped(call, arg, kind, depth)
        elif name in ("list", "reversed", "sorted", "iter", "tuple") and kind in (Kind.DATA, Kind.RESPONSES):
            self.track(call, kind, depth)
        elif name in _CHAINS and kind in (Kind.DATA, Kind.RESPONSES) and arg.keyword is None and arg.star == "":
            if not name.endswith("islice") or call.args[0] is arg:  # (islice's others are numbers)
                self.track(call, kind, depth)
        elif name == "next" and kind is Kind.DATA:
            self.track(call, Kind.IMAGE, depth)
        elif name == "getattr" and kind is Kind.IMAGE and call.args[0] is arg and len(call.args) >= 2:
            field = literal(call.args[1].value)  # getattr(image, "url"): the same read
            if field in (self.fields.url_field, self.fields.revised_prompt_field) and len(call.args) == 2:
                self.reads.append(Read(self.call, field, call, arg.value, dict_style=False))
        elif name == "map" and kind is Kind.DATA and len(call.args) == 2 and call.args[1] is arg:
            function = call.args[0].value  # map(lambda image: image.url, result.data)
            if isinstance(function, cst.Lambda) and len(function.params.params) == 1:
                param = function.params.params[0]
                for reference in self.references(param.name, assignment_node=param):
                    self.track(reference, Kind.IMAGE, depth)
            self.track(call, Kind.DATA, depth)
        else:
            self.into_function(call, arg, kind, depth)

    def run_elsewhere(self, function: cst.CSTNode, kind: Kind, depth: int) -> None:
        """A function (a lambda, a name) handed to a thread or an executor, whose result is what
        the function returns: ``await asyncio.to_thread(f, ...)``, ``await loop.run_in_executor(
        None, f)``, ``executor.submit(f, ...).result()`` (the future's ``result()``, at once or
        through the name it is kept in)."""
        arg = self.ctx.parent(function)
        call = self.ctx.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or arg.keyword is not None or arg.star:  # type: ignore[union-attr]
            return
        if _runs_at(call) != call.args.index(arg):  # type: ignore[arg-type]
            return
        if (dotted_name(call.func) or "").rsplit(".", 1)[-1] == "submit":
            for future in self._futures(call):
                self.track(future, kind, depth)
        else:
            self.track(call, kind, depth)

    def _futures(self, submitted: cst.Call) -> List[cst.Call]:
        """The ``.result()`` calls of the future ``submitted`` returns."""
        holders: List[cst.CSTNode] = [submitted]
        parent = self.ctx.parent(submitted)
        if isinstance(parent, cst.Assign) and parent.value is submitted:  # future = pool.submit(...)
            for target in parent.targets:
                if isinstance(target.target, cst.Name):
                    holders += self.references(target.target)
        found = []
        for holder in holders:
            attribute = self.ctx.parent(holder)
            call = self.ctx.parent(attribute) if isinstance(attribute, cst.Attribute) and attribute.value is holder else None
            if isinstance(call, cst.Call) and attribute.attr.value == "result" and call.func is attribute:  # type: ignore[union-attr]
                found.append(call)
        return found

    def _zipped(self, call: cst.Call, arg: cst.Arg, kind: Kind, depth: int) -> None:
        """``zip(names, result.data)`` looped over: the target's element at the argument's
        position is an item (``for name, image in ...``, a comprehension's too)."""
        holder = self.ctx.parent(call)
        paired = [a for a in call.args if a.keyword is None]  # (`strict=True` pairs nothing)
        outer = self.ctx.parent(holder) if isinstance(holder, cst.Arg) else None
        if (
            isinstance(outer, cst.Call) and dotted_name(outer.func) == "dict" and len(outer.args) == 1 and kind is Kind.DATA
            and len(paired) == 2 and paired[1] is arg and all(a.star == "" for a in paired)
        ):
            self.track(outer, Kind.BY_KEY, depth)  # dict(zip(names, result.data)): images by name
            return
        if not (isinstance(holder, (cst.For, cst.CompFor)) and holder.iter is call):
            return
        target = holder.target
        if all(a.star == "" for a in paired) and isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == len(paired):
            element = target.elements[paired.index(arg)]
            if not isinstance(element, cst.StarredElement):
                self.iterate(element.value, kind, depth)

    def element(self, node: cst.CSTNode, kind: Kind, depth: int) -> None:
        """A response inside ``[...]`` or ``[c for ...]`` handed to asyncio.gather."""
        if kind is not Kind.RESPONSE:
            return
        container = node if isinstance(node, (cst.ListComp, cst.GeneratorExp)) else self.ctx.parent(node)
        holder = self.ctx.parent(container) if container is not None else None
        if isinstance(holder, cst.Arg):
            self._gathered(holder, depth)
        elif isinstance(holder, cst.Assign) and holder.value is container:
            # tasks = [client.images.generate(...) for ...]; await asyncio.gather(*tasks)
            for target in holder.targets:
                if isinstance(target.target, cst.Name):
                    for reference in self.references(target.target):
                        arg = self.ctx.parent(reference)
                        if isinstance(arg, cst.Arg) and arg.star == "*":
                            self._gathered(arg, depth)

    def _gathered(self, arg: cst.Arg, depth: int) -> None:
        call = self.ctx.parent(arg)
        if isinstance(call, cst.Call) and (dotted_name(call.func) or "") in _GATHER:
            self.track(call, Kind.RESPONSES, depth)

    def into_function(self, call: cst.Call, arg: cst.Arg, kind: Kind, depth: int) -> None:
        """A result handed to one of the project's functions: follow it into the parameter."""
        found = self.parameter_for(call, arg)
        if found is not None:
            home, param = found
            tracker = self.into(home)
            for reference in tracker.references(param.name, assignment_node=param):
                tracker.track(reference, kind, depth)

    # -- names ---------------------------------------------------------------------------------
    def references(self, name: cst.Name, assignment_node: Optional[cst.CSTNode] = None) -> List[cst.CSTNode]:
        scope = self.ctx.scope(name)
        if scope is None:
            return []
        wanted = assignment_node or name
        out = []
        for assignment in scope.assignments[name.value]:
            if isinstance(assignment, Assignment) and assignment.node is wanted:
                out.extend(access.node for access in assignment.references)
        return out

    def parameter_for(self, call: cst.Call, arg: cst.Arg) -> Optional[Tuple[ModuleContext, cst.Param]]:
        """The function a call calls (this module's, or one another module of the project
        defines) and the parameter that receives ``arg``."""
        found = function_called(self.ctx, call.func)
        if found is None:
            return None
        home, func = found
        param = _parameter_of(func, call, arg)
        return (home, param) if param is not None else None

    def callers_of(self, home: ModuleContext, func: cst.FunctionDef) -> List[Tuple[ModuleContext, cst.Call]]:
        """Every call of ``func`` in the project: its own module's and the other modules'."""
        own = _Tracker(home) if home is not self.ctx else self
        return [(home, call) for call in own.calls_of(func)] + project_callers(home, func)

    def calls_of(self, func: cst.FunctionDef) -> List[cst.Call]:
        """Calls of one of the module's functions (all functions' calls are found in one visit)."""
        by_function = self.ctx.memo.get("responses.calls_by_function")
        if by_function is None:
            by_function = self.ctx.memo["responses.calls_by_function"] = {}
            for node in self.ctx.nodes(cst.Call):
                target = _function_named(self.ctx, node.func)
                if target is not None:
                    by_function.setdefault(target, []).append(node)
        return by_function.get(func, [])

    def attribute_reads(self, target: cst.Attribute) -> List[cst.CSTNode]:
        """The reads of ``self.response`` (``cls.``) in the class whose method assigns it a
        result, when nothing else is ever assigned to it there (``None`` aside, or another
        image call's result): a helper class keeping its last response for another method."""
        dotted = dotted_name(target)
        if dotted is None or dotted.count(".") != 1 or dotted.split(".")[0] not in ("self", "cls"):
            return []
        owner = self.ctx_enclosing(target, cst.ClassDef)
        if owner is None:
            return []
        results = self.ctx.memo.get("responses.result_nodes")
        if results is None:
            results = self.ctx.memo["responses.result_nodes"] = {id(n) for c in find_image_calls(self.ctx) for n in _result_nodes(self.ctx, c.node)}
        reads = []
        for node in self.ctx.inside(owner, cst.Attribute):
            if node is target or dotted_name(node) != dotted:
                continue
            stored, value = self._stored(node)
            if not stored:
                reads.append(node)
            elif not (isinstance(value, cst.Name) and value.value == "None") and id(value) not in results:
                return []  # it holds something else at times: its reads are not known to be results
        return reads

    def _stored(self, node: cst.CSTNode) -> Tuple[bool, Optional[cst.CSTNode]]:
        """Whether ``node`` is assigned to, and the value it is assigned (None: not known)."""
        holder = self.ctx.parent(node)
        if isinstance(holder, cst.AssignTarget):
            return True, self.ctx.parent(holder).value  # type: ignore[union-attr]
        if isinstance(holder, cst.Element):  # `self.client, self.response = OpenAI(), None`
            tuple_ = self.ctx.parent(holder)
            outer = self.ctx.parent(tuple_) if tuple_ is not None else None
            if isinstance(outer, cst.AssignTarget) and isinstance(tuple_, (cst.Tuple, cst.List)):
                value = self.ctx.parent(outer).value  # type: ignore[union-attr]
                if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(tuple_.elements):
                    element = value.elements[list(tuple_.elements).index(holder)]
                    return True, None if isinstance(element, cst.StarredElement) else element.value
                return True, None
            return _is_target(self.ctx, tuple_), None
        if isinstance(holder, cst.StarredElement):  # `*self.rest, last = ...`
            return _is_target(self.ctx, self.ctx.parent(holder)), None
        if isinstance(holder, cst.AnnAssign) and holder.target is node:
            return True, holder.value
        if isinstance(holder, (cst.AugAssign, cst.For, cst.CompFor)) and holder.target is node:
            return True, None
        return isinstance(holder, (cst.Del, cst.AsName)), None  # `del self.x`, `with ... as self.x`

    def ctx_enclosing(self, node: cst.CSTNode, kind):
        current = self.ctx.parent(node)
        while current is not None and not isinstance(current, kind):
            if isinstance(current, (cst.Lambda,)):
                return None
            current = self.ctx.parent(current)
        return current


def _opens_as_url(ctx: ModuleContext, node: cst.CSTNode) -> bool:
    """Whether ``node`` is used as a URL: the URL argument of a download, of ``urlretrieve``,
    of IPython's ``Image``, of a call that needs a real URL, or an ``<img src="...">`` /
    ``![](...)`` placeholder."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.FormattedStringExpression):
        fstring = ctx.parent(parent)
        parts = list(fstring.parts) if isinstance(fstring, cst.FormattedString) else []
        index = parts.index(parent) if parent in parts else 0
        before = parts[index - 1] if index > 0 else None
        text = before.value if isinstance(before, cst.FormattedStringText) else ""
        return text.rstrip().endswith(("src='", 'src="', "src=", "]("))
    call = ctx.parent(parent) if isinstance(parent, cst.Arg) else None
    if not isinstance(call, cst.Call) or not call.args or call.args[0] is not parent:
        return False
    name = dotted_name(call.func) or ""
    session_get = isinstance(call.func, cst.Attribute) and call.func.attr.value in _SESSION_DOWNLOAD
    return session_get or name in _DOWNLOAD_FUNCS or name in _RETRIEVE_FUNCS or name in _IPYTHON_IMAGE or name in _NEEDS_URL_CALLS


def _downloads_in_thread(call: cst.Call, arg: cst.Arg) -> str:
    """Why ``arg`` is downloaded by a function run in a thread (``await asyncio.to_thread(
    requests.get, url)``, ``loop.run_in_executor(None, requests.get, url)``, ``pool.submit(...)``):
    the response it gives is used where the result is awaited, which is not rewritten; ""
    otherwise."""
    at = _runs_at(call)
    if at is None or len(call.args) < at + 2 or call.args[at + 1] is not arg:
        return ""
    function = dotted_name(call.args[at].value) or ""
    if function in _DOWNLOAD_FUNCS or function.rsplit(".", 1)[-1] in _SESSION_DOWNLOAD:
        return f"`{function}` downloads the URL in a thread (`{dotted_name(call.func)}`)"
    return ""


def _runs_at(call: cst.Call) -> Optional[int]:
    """Where the function a call runs in a thread or an executor is among its arguments:
    ``asyncio.to_thread(f, ...)`` and ``pool.submit(f, ...)`` 0, ``loop.run_in_executor(None, f,
    ...)`` 1; None for other calls."""
    name = dotted_name(call.func) or ""
    if name in THREAD_RUNNERS:
        return 0
    return {"submit": 0, "run_in_executor": 1}.get(name.rsplit(".", 1)[-1])


def _is_target(ctx: ModuleContext, node: Optional[cst.CSTNode]) -> bool:
    """Whether a tuple or list is what something assigns to (its elements are stores)."""
    holder = ctx.parent(node) if node is not None else None
    if isinstance(holder, cst.AssignTarget):
        return True
    if isinstance(holder, (cst.For, cst.CompFor)) and holder.target is node:
        return True
    if isinstance(holder, cst.Element):
        return _is_target(ctx, ctx.parent(holder))
    return False


def _result_nodes(ctx: ModuleContext, call: cst.Call) -> List[cst.CSTNode]:
    """The call, and ``await call``: what is assigned its result as it is."""
    nodes: List[cst.CSTNode] = [call]
    parent = ctx.parent(call)
    if isinstance(parent, cst.Await):
        nodes.append(parent)
    return nodes


def _whole_lines(ctx: ModuleContext, statement: cst.CSTNode) -> Tuple[int, int]:
    """The offsets of a compound statement's lines, from the start of its first line to the
    end of its last (its own comments above it stay)."""
    start, end = ctx.span(statement)
    start = ctx.text.rfind("\n", 0, start) + 1
    newline = ctx.text.find("\n", end)
    return start, len(ctx.text) if newline < 0 else newline + 1


def _parameter_of(func: cst.FunctionDef, call: cst.Call, arg: cst.Arg) -> Optional[cst.Param]:
    """The parameter of ``func`` that receives ``arg`` of ``call`` (``obj.method(...)`` passes
    ``self`` itself)."""
    if arg.star:
        return None
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    bound = isinstance(call.func, cst.Attribute)
    return next((p for p in params if passed_argument(func, call, p, bound) is arg), None)


_SLICE = object()


def _subscript_key(node: cst.Subscript):
    if len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if isinstance(index, cst.Slice):
        return _SLICE
    if isinstance(index, cst.Index):
        value = literal(index.value)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return value
        if isinstance(index.value, cst.Name):
            return 0  # data[i]: an image all the same
    return None


def _streams(call: ImageCall) -> bool:
    stream = call.argument("stream")
    return stream is not None and any(v.value is True for v in stream.values)


def project_callers(ctx: ModuleContext, func: cst.FunctionDef) -> List[Tuple[ModuleContext, cst.Call]]:
    """Calls of a top-level function of ``ctx``'s module in the project's other modules."""
    project = ctx.project
    if project is None or not isinstance(ctx.parent(func), cst.Module):
        return []
    return project.callers(ctx, func)


def function_called(ctx: ModuleContext, func: cst.CSTNode) -> Optional[Tuple[ModuleContext, cst.FunctionDef]]:
    """The function ``func(...)`` calls, with the module that defines it: one of this module's,
    or a top-level function imported from another module of the project."""
    own = _function_named(ctx, func)
    if own is not None:
        return ctx, own
    if not isinstance(func, (cst.Name, cst.Attribute)) or ctx.project is None:
        return None
    imported = ctx.project.elsewhere(ctx, func)
    if imported is None or imported.name is None:
        return None
    bindings = imported.ctx.module_scope.assignments.get(imported.name) or []
    if len(bindings) == 1 and isinstance(bindings[0].node, cst.FunctionDef):
        return imported.ctx, bindings[0].node
    return None


def _function_named(ctx: ModuleContext, func: cst.CSTNode) -> Optional[cst.FunctionDef]:
    """The module's function a call calls: ``f(...)`` or ``self.f(...)``."""
    if isinstance(func, cst.Name):
        scope = ctx.scope(func)
        if scope is None:
            return None
        bound = [a.node for a in scope[func.value] if isinstance(a, Assignment)]
        return bound[0] if len(bound) == 1 and isinstance(bound[0], cst.FunctionDef) else None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
        current = ctx.parent(func)
        while current is not None and not isinstance(current, cst.ClassDef):
            current = ctx.parent(current)
        if current is None:
            return None
        for statement in current.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                return statement
    return None


# -- sinks --------------------------------------------------------------------------------------
def _data_url(fmt: str, b64: str) -> str:
    """Code for the data URL of ``b64`` (the code that reads the base64 field): an f-string when
    Python < 3.12 accepts one around that code (one line, no backslash, a quote it does not use),
    else a parenthesized concatenation, valid whatever the code holds."""
    prefix = f"data:image/{fmt};base64,"
    quote = "'" if '"' in b64 else '"'
    if "\n" in b64 or "\r" in b64 or "\\" in b64 or quote in b64:
        return f'("{prefix}" + {b64})'
    return f"f{quote}{prefix}{{{b64}}}{quote}"


class _NoQuote(Exception):
    """New code cannot be quoted to fit the f-string it lands in."""


class Sinks:
    """Classifies how a URL is used and builds the rewrite."""

    def __init__(self, ctx: ModuleContext, analysed: Optional[ModuleContext] = None, modules: Optional[dict] = None) -> None:
        self.ctx = ctx
        self.analysed = analysed or ctx  # the module whose image call is being migrated
        # Edits in another module of the project than the analysed one name their file.
        self.path = ctx.path if ctx is not self.analysed else None
        self.modules: Dict[Optional[str], ModuleContext] = modules if modules is not None else {}  # path -> module edited

    def _edit(self, start: int, end: int, content: str) -> Edit:
        self.modules[self.path] = self.ctx
        return Edit(start, end, self._fit(start, end, content), path=self.path)

    def _fit(self, start: int, end: int, content: str) -> str:
        """``content`` with its string quotes changed, where it lands inside an f-string, to
        one that f-string does not use (Python < 3.12 ends the f-string at its own quote)."""
        outer = set()
        for fstring in self.ctx.nodes(cst.FormattedString):
            first, last = self.ctx.span(fstring)
            quote = fstring.start.lstrip("fFrRbBuU")
            if first < start and end < last and len(quote) == 1:
                outer.add(quote)
        bad = [q for q in outer if q in content]
        if not bad:
            return content
        if len(outer) == 2:
            raise _NoQuote(content)
        good = "'" if bad[0] == '"' else '"'
        if good in content or "\\" in content:
            raise _NoQuote(content)
        return content.replace(bad[0], good)

    def elsewhere(self, ctx: ModuleContext) -> "Sinks":
        """The sinks of another module of the project, adding to this rewrite's modules."""
        return self if ctx is self.ctx else Sinks(ctx, self.analysed, self.modules)

    def rewrite(self, read: Read) -> Rewrite:
        try:
            rewrite = self._rewrite(read)
        except _NoQuote as exc:
            return Rewrite(blocker=f"`{one_line(str(exc))}` would land inside an f-string that uses both quotes; write it by hand")
        for edit in rewrite.edits:
            ctx = self.modules.get(edit.path, self.ctx)
            comments = ctx.nodes(cst.Comment)  # in source order
            starts = ctx.memo.get("responses.comment_starts")
            if starts is None:
                starts = ctx.memo["responses.comment_starts"] = [ctx.span(c)[0] for c in comments]
            first, last = bisect.bisect_left(starts, edit.start), bisect.bisect_left(starts, edit.end)
            lost = [c for c in comments[first:last] if ctx.code(c) not in edit.content]
            if lost:
                # The code replaced holds a comment the new code would not: a person places it.
                return Rewrite(
                    blocker=f"the rewrite would drop the comment `{ctx.excerpt(lost[0])}` inside "
                    f"`{one_line(ctx.text[edit.start:edit.end])}`; write it by hand "
                    f"({rewrite.description[:1].lower()}{rewrite.description[1:]})"
                )
        return rewrite

    def _rewrite(self, read: Read) -> Rewrite:
        image_code = self.ctx.code(read.image)
        key_quote = self.key_quote(read)
        field = self.ctx.catalog.response.image_field
        b64 = f"{image_code}[{key_quote}{field}{key_quote}]" if read.dict_style else f"{image_code}.{field}"
        if read.bare:
            b64 = image_code  # the string is the base64 itself
        decoded = f"base64.b64decode({b64})"
        placeholder = self.ctx.parent(read.node)
        if isinstance(placeholder, cst.FormattedStringExpression) and placeholder.conversion is None and placeholder.format_spec is None:
            # Inside an f-string: the data URL is written into the string itself.
            fmt = self.output_format(read.call)
            if fmt is None:
                return Rewrite(blocker="the call's output_format cannot be resolved, so the data URL's media type is unknown")
            start, end = self.ctx.span(placeholder)
            return Rewrite([self._edit(start, end, f"data:image/{fmt};base64,{{{b64}}}")], (), f"Use a data URL built from `{field}`")
        direct = self.direct(read.node, decoded)
        if direct is not None:
            return direct
        # Not a direct sink: the URL becomes a data URL where it is read, and follows on as a string.
        blocker, string_edits = self.string_uses(read.node, 0)
        if blocker:
            return Rewrite(blocker=blocker)
        fmt = self.output_format(read.call)
        if fmt is None:
            return Rewrite(blocker="the call's output_format cannot be resolved, so the data URL's media type is unknown")
        data_url = _data_url(fmt, b64)
        start, end = self.ctx.span(read.node)
        edits = [self._edit(start, end, data_url)] + string_edits
        imports = ("base64",) if string_edits else ()
        return Rewrite(edits, imports, f"Use a data URL built from `{field}`")

    def key_quote(self, read: Read) -> str:
        """The quote for ``["b64_json"]``: the one the read already used, else one that cannot
        close an enclosing f-string (Python < 3.12 forbids reusing its quote inside it)."""
        if read.dict_style and isinstance(read.node, cst.Subscript):
            index = read.node.slice[0].slice
            key = index.value if isinstance(index, cst.Index) else None
            while isinstance(key, cst.ConcatenatedString):  # ['ur' 'l']: its first part's quote
                key = key.left
            if isinstance(key, cst.SimpleString):
                return key.quote
        # Not written yet: the quote no enclosing f-string uses.
        for outer in self._enclosing_fstrings(read.node):
            if '"' in outer.start:
                return "'"
        return '"'

    def _enclosing_fstrings(self, node: cst.CSTNode):
        parent = self.ctx.parent(node)
        while parent is not None:
            if isinstance(parent, cst.FormattedString):
                yield parent
            parent = self.ctx.parent(parent)

    # direct sinks: the read is the argument of what consumes it
    def direct(self, node: cst.CSTNode, decoded: str) -> Optional[Rewrite]:
        arg = self.ctx.parent(node)
        call = self.ctx.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or not isinstance(arg, cst.Arg):
            return None
        name = dotted_name(call.func) or ""
        first = call.args[0] is arg and arg.keyword is None
        session_get = isinstance(call.func, cst.Attribute) and call.func.attr.value in _SESSION_DOWNLOAD
        if session_get and first and name not in _DOWNLOAD_FUNCS:
            consumer = self.bytes_consumer(call)
            kept = self.kept_response(call, decoded) if consumer is None else None
            if kept is not None:
                return Rewrite(kept, ("base64",), f"Use `{decoded}` instead of downloading")
            if consumer is None:  # aiohttp's `async with session.get(url) as r`, a response kept...
                return Rewrite(blocker=f"`{self.ctx.code(call)}` downloads the URL (an HTTP session); use `{decoded}` for the image bytes")
            start, end = self.ctx.span(consumer)
            return Rewrite([self._edit(start, end, decoded)], ("base64",), f"Use `{decoded}`")
        if name in _DOWNLOAD_FUNCS:
            consumer = self.bytes_consumer(call)
            if consumer is None and name.endswith("urlopen"):
                return None  # urllib opens data URLs itself: the string rewrite serves
            kept = self.kept_response(call, decoded) if consumer is None and first else None
            if kept is not None:
                return Rewrite(kept, ("base64",), f"Use `{decoded}` instead of downloading")
            if consumer is None or not first:
                return Rewrite(blocker=f"`{self.ctx.code(call)}` downloads the URL and its response object is used further; use `{decoded}` for the image bytes")
            start, end = self.ctx.span(consumer)
            return Rewrite([self._edit(start, end, decoded)], ("base64",), f"Use `{decoded}`")
        if name in _RETRIEVE_FUNCS and first:
            statement = self.ctx.parent(call)
            path_arg = call.args[1] if len(call.args) > 1 else None
            if not isinstance(statement, cst.Expr) or path_arg is None:
                return Rewrite(blocker=f"`{self.ctx.code(call)}`'s result is used; write `{decoded}` to the file instead")
            path_code = self.ctx.code(path_arg.value)
            start, end = self.ctx.span(call)
            return Rewrite(
                [self._edit(start, end, f"pathlib.Path({path_code}).write_bytes({decoded})")],
                ("base64", "pathlib"),
                "Write the decoded bytes to the file",
            )
        threaded = _downloads_in_thread(call, arg)
        if threaded:
            return Rewrite(blocker=f"{threaded}; use `{decoded}` for the image bytes")
        if name in _IPYTHON_IMAGE and (first or (arg.keyword is not None and arg.keyword.value == "url")):
            start, end = self.ctx.span(arg)
            return Rewrite([self._edit(start, end, f"data={decoded}")], ("base64",), f"Show `{decoded}`")
        return None

    def kept_response(self, call: cst.Call, decoded: str) -> Optional[List[Edit]]:
        """``r = requests.get(u)`` then ``r.raise_for_status()``, ``r.status_code``, ``r.ok`` and
        ``r.content``: the download goes, its checks go (decoding cannot fail as a download
        can: the status is 200, ``ok``), and ``r.content`` becomes the decoded bytes. None when
        the response is used any other way, or a block would be left empty."""
        assign = self.ctx.parent(call)
        line = self.ctx.parent(assign) if assign is not None else None
        if not (
            isinstance(assign, cst.Assign)
            and assign.value is call
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
        ):
            return None
        edits = [self._deleted(assign)]
        deleted = [line]
        references = _Tracker(self.ctx).references(assign.targets[0].target)  # type: ignore[arg-type]
        if not references:
            return None
        branches = []  # `if r.status_code != 200: raise ...`: a failure that can no longer happen
        for reference in references:
            attribute = self.ctx.parent(reference)
            failed = self._failed_download_branch(attribute) if isinstance(attribute, cst.Attribute) else None
            if failed is not None and failed not in branches:
                branches.append(failed)
                edits.append(self._edit(*_whole_lines(self.ctx, failed), ""))
                deleted.append(failed)
        spans = [self.ctx.span(branch) for branch in branches]
        for reference in references:
            start = self.ctx.span(reference)[0]
            if any(first <= start < last for first, last in spans):
                continue  # goes with its branch
            attribute = self.ctx.parent(reference)
            if not isinstance(attribute, cst.Attribute) or attribute.value is not reference:
                return None
            name = attribute.attr.value
            if name in _RESPONSE_STANDS_FOR:
                start, end = self.ctx.span(attribute)
                edits.append(self._edit(start, end, decoded if name == "content" else _RESPONSE_STANDS_FOR[name]))
                continue
            checked = self.ctx.parent(attribute)
            statement = self.ctx.parent(checked) if checked is not None else None
            check_line = self.ctx.parent(statement) if statement is not None else None
            if not (
                name == "raise_for_status"
                and isinstance(checked, cst.Call)
                and checked.func is attribute
                and not checked.args
                and isinstance(statement, cst.Expr)
                and isinstance(check_line, cst.SimpleStatementLine)
                and len(check_line.body) == 1
            ):
                return None
            edits.append(self._deleted(statement))
            deleted.append(check_line)
        for line in deleted:
            block = self.ctx.parent(line)
            body = getattr(block, "body", ())
            if not any(statement not in deleted for statement in body):
                return None  # the block would be left empty
        return edits

    def _failed_download_branch(self, attribute: cst.Attribute) -> Optional[cst.If]:
        """``if r.status_code != 200:`` / ``if not r.ok:`` without ``else``: the branch for a
        failed download, which decoding the image never takes."""
        test = self.ctx.parent(attribute)
        if attribute.attr.value == "status_code":
            if not (
                isinstance(test, cst.Comparison)
                and test.left is attribute
                and len(test.comparisons) == 1
                and isinstance(test.comparisons[0].operator, cst.NotEqual)
                and literal(test.comparisons[0].comparator) == 200
            ):
                return None
        elif attribute.attr.value == "ok":
            if not (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)):
                return None
        else:
            return None
        branch = self.ctx.parent(test)
        if isinstance(branch, cst.If) and branch.test is test and branch.orelse is None:
            return branch
        return None

    def _deleted(self, statement: cst.CSTNode) -> Edit:
        edit = delete_statement(self.ctx, statement)
        return self._edit(edit.start, edit.end, edit.content)

    def bytes_consumer(self, call: cst.Call) -> Optional[cst.CSTNode]:
        """``requests.get(u).content`` / ``urlopen(u).read()``: the expression giving the bytes."""
        parent = self.ctx.parent(call)
        if isinstance(parent, cst.Attribute) and parent.value is call and parent.attr.value in _BYTES_ACCESS:
            if _BYTES_ACCESS[parent.attr.value]:
                outer = self.ctx.parent(parent)
                return outer if isinstance(outer, cst.Call) and outer.func is parent and not outer.args else None
            return parent
        return None

    # string uses: follow the value through names and the module's functions
    def string_uses(self, node: cst.CSTNode, depth: int) -> Tuple[str, List[Edit]]:
        if depth > _MAX_DEPTH:
            return "", []
        blocker = self.needs_url(node)
        if blocker:
            return blocker, []
        parent = self.ctx.parent(node)
        names: List[cst.Name] = []
        if isinstance(parent, cst.Assign) and parent.value is node:
            names = [t.target for t in parent.targets if isinstance(t.target, cst.Name)]
        elif isinstance(parent, cst.AnnAssign) and parent.value is node and isinstance(parent.target, cst.Name):
            names = [parent.target]
        elif isinstance(parent, cst.Arg):
            return self.download_of_string(node, parent, depth)
        elif isinstance(parent, cst.Return):
            return self.returned_string(parent, depth)
        edits: List[Edit] = []
        tracker = _Tracker(self.ctx)
        for name in names:
            for reference in tracker.references(name):
                blocker, more = self.string_uses(reference, depth + 1)
                if blocker:
                    return blocker, []
                edits.extend(more)
        return "", edits

    def returned_string(self, statement: cst.Return, depth: int) -> Tuple[str, List[Edit]]:
        """A URL returned by one of the module's functions: follow it where the function is called."""
        tracker = _Tracker(self.ctx)
        func = tracker.ctx_enclosing(statement, cst.FunctionDef)
        if func is None:
            return "", []
        edits: List[Edit] = []
        for home, call in tracker.callers_of(self.ctx, func):  # in the project's other modules too
            used = home.parent(call)
            blocker, more = self.elsewhere(home).string_uses(used if isinstance(used, cst.Await) else call, depth + 1)
            if blocker:
                return blocker, []
            edits.extend(more)
        return "", edits

    def download_of_string(self, node: cst.CSTNode, arg: cst.Arg, depth: int) -> Tuple[str, List[Edit]]:
        call = self.ctx.parent(arg)
        if not isinstance(call, cst.Call):
            return "", []
        name = dotted_name(call.func) or ""
        first = call.args[0] is arg and arg.keyword is None
        is_http = name in _DOWNLOAD_FUNCS and not name.endswith("urlopen")
        is_session = isinstance(call.func, cst.Attribute) and call.func.attr.value in _SESSION_DOWNLOAD and name not in _DOWNLOAD_FUNCS
        if (is_http or is_session) and first:
            consumer = self.bytes_consumer(call)
            decoded = f'base64.b64decode({self.ctx.code(node)}.partition(",")[2])'
            if consumer is None:
                kept = self.kept_response(call, decoded)
                if kept is not None:
                    return "", kept
                return f"`{self.ctx.code(call)}` downloads the URL and its response object is used further", []
            start, end = self.ctx.span(consumer)
            return "", [self._edit(start, end, decoded)]
        threaded = _downloads_in_thread(call, arg)
        if threaded:
            return threaded, []
        tracker = _Tracker(self.ctx)
        found = tracker.parameter_for(call, arg)
        if found is None:
            return "", []  # a string handed on: a data URL serves
        home, param = found
        inside = tracker.into(home)
        blocker, edits = self.elsewhere(home).string_uses_of_param(inside, param, depth)
        func = inside.ctx_enclosing(param, cst.FunctionDef)
        callers = tracker.callers_of(home, func) if (blocker or edits) and func is not None else []
        other = next(((where, c) for where, c in callers if not self._passes_image_url(where, c, func, param)), None) if len(callers) > 1 else None
        if other is not None:
            # Rewriting the function's body would change it for its other callers too, and one
            # of them passes something else than an image's URL.
            where, odd = other
            place = f"line {where.lines.position(where.span(odd)[0])[0]}"
            if where.path is not None and where.path != self.analysed.path:
                place += f" of {os.path.basename(where.path)}"
            return (
                f"`{func.name.value}()` is also called with something else than an image's URL (`{where.excerpt(odd)}`, "
                f"{place}), so its use of the URL cannot be rewritten for this call alone"
            ), []
        return blocker, edits

    def _passes_image_url(self, where: ModuleContext, call: cst.Call, func: cst.FunctionDef, param: cst.Param) -> bool:
        """Whether ``call`` passes ``param`` an image's URL: a read of ``url`` on an image result,
        or a name bound once to one. Every caller doing so, the function's body is rewritten for
        all of them (each caller's read becomes a data URL by its own fix)."""
        arg = next((a for a in call.args if _parameter_of(func, call, a) is param), None)
        if arg is None:
            return False
        url = self.ctx.catalog.response.url_field
        reads = {id(r.node) for module in {id(self.analysed): self.analysed, id(where): where}.values() for r in find_reads(module) if r.field == url}
        value = arg.value
        if isinstance(value, cst.Name):
            scope = where.scope(value)
            bindings = scope[value.value] if scope is not None else []
            if len(bindings) != 1 or not isinstance(bindings[0], Assignment):
                return False
            target = bindings[0].node
            parent = where.parent(target)
            assign = where.parent(parent) if isinstance(parent, cst.AssignTarget) else parent
            value = getattr(assign, "value", None)
        return value is not None and id(value) in reads

    def string_uses_of_param(self, tracker: "_Tracker", param: cst.Param, depth: int) -> Tuple[str, List[Edit]]:
        edits: List[Edit] = []
        for reference in tracker.references(param.name, assignment_node=param):
            blocker, more = self.string_uses(reference, depth + 1)
            if blocker:
                return blocker, []
            edits.extend(more)
        return "", edits

    def needs_url(self, node: cst.CSTNode) -> str:
        parent = self.ctx.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            reason = _NEEDS_URL_METHODS.get(parent.attr.value)
            return f"`{self.ctx.code(self.ctx.parent(parent) or parent)}`: {reason}" if reason else ""
        if isinstance(parent, cst.Arg):
            call = self.ctx.parent(parent)
            if isinstance(call, cst.Call):
                name = dotted_name(call.func) or ""
                reason = _NEEDS_URL_CALLS.get(name)
                if reason is None and isinstance(call.func, cst.Attribute):
                    reason = _NEEDS_URL_METHODS.get(call.func.attr.value)
                    if reason is None and call.func.attr.value in ("Embed",):
                        reason = "a chat embed needs a real URL"
                if reason is None and parent.keyword is not None and parent.keyword.value in ("image_url", "thumbnail_url", "photo"):
                    reason = f"`{parent.keyword.value}=` is sent to another service, which needs a real URL"
                if reason:
                    return f"`{self.ctx.code(call)}`: {reason}"
        return ""

    def output_format(self, call: ImageCall) -> Optional[str]:
        argument = call.argument("output_format")
        if argument is None:
            rules = self.ctx.catalog.params(call.rules_model(self.ctx), call.endpoint) or {}
            rule = rules.get("output_format")
            return str(rule.default) if rule is not None and rule.default else "png"
        single = argument.resolution.single
        return single.value if single is not None and isinstance(single.value, str) else None


def import_edits(ctx: ModuleContext, modules: Sequence[str]) -> List[Edit]:
    """The imports a rewrite needs, as one insertion per place (two at one point would clash)."""
    by_place: Dict[Tuple[int, int], List[str]] = {}
    for module in modules:
        edit = add_import(ctx, module)
        if edit is not None:
            by_place.setdefault((edit.start, edit.end), []).append(edit.content)
    return [Edit(start, end, "".join(contents), local=True) for (start, end), contents in by_place.items()]  # as add_import
