"""Image requests sent over plain HTTP: the Images API without the SDK.

``requests.post("https://api.openai.com/v1/images/generations", json={"model": "dall-e-3", ...})``
sends what ``client.images.generate(model="dall-e-3", ...)`` sends. So do ``httpx`` (its
functions and clients, sync and async), ``aiohttp`` sessions, any session's ``post`` and
``request("POST", ...)``. A request is found by where it goes, not by its library: its URL
(a literal, an f-string, a concatenation, or a name or setting holding one) ends with an Images
endpoint's path. Its body is the call's arguments (an ``ImageCall`` of surface ``HTTP``): the
``json=`` dict wherever it is built, a dict passed through ``json.dumps`` as ``data=``, or the
form fields (``data=``) of a multipart edit. The parameter rules judge it as they judge a call,
and DM301 follows ``.json()`` of its response to ``["data"][i]["url"]``.

Whose request it is: one to OpenAI's host is OpenAI's (``os.getenv("OPENAI_BASE_URL",
"https://api.openai.com/v1")`` too); one to another host the code shows is that provider's (a
proxy serving ``dall-e-2`` under its own rules); one to Azure OpenAI (its hosts, its deployment
paths) is not judged here (the deployment, not the body, names the model); one to a host the
code does not show (``f"{base}/images/generations"``) counts only when every model its body can
name is known and an OpenAI image model, as an untraced SDK receiver.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from .calls import MODEL_IN_KWARGS, MODEL_LITERAL, Argument, ImageCall, Surface, mapping_arguments, model_state
from .context import ModuleContext
from .scopes import Assignment, qualified_name
from .urls import endpoint_of as _endpoint
from .urls import host_of as _host
from .urls import url_texts
from .values import dotted_name, resolver, string_value

_JSON_DUMPS = {"json.dumps", "dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps"}


def find_http_requests(ctx: ModuleContext) -> List[ImageCall]:
    """Every plain HTTP request of the module to an Images endpoint, in source order."""
    known = ctx.memo.get("http.requests")
    if known is None:
        known = ctx.memo["http.requests"] = _find(ctx)
    return known


def _find(ctx: ModuleContext) -> List[ImageCall]:
    paths = ctx.catalog.http.paths
    if not any(p in ctx.text for p in paths):
        return []  # (the path is written where the request is sent: most modules have none)
    found = []
    for node in ctx.nodes(cst.Call):
        url = _url_argument(ctx, node)
        if url is None:
            continue
        request = _request(ctx, node, url, paths)
        if request is not None:
            found.append(request)
    return found


def _url_argument(ctx: ModuleContext, node: cst.Call) -> Optional[cst.BaseExpression]:
    """The URL a call sends a POST to, when it is a call that sends one: `<anything>.post(url,
    ...)` (requests, httpx, a session, an aiohttp session, a client), `<anything>.request("POST",
    url, ...)`, and those functions imported bare from an HTTP client package."""
    http = ctx.catalog.http
    func = node.func
    if isinstance(func, cst.Attribute):
        verb = func.attr.value
    elif isinstance(func, cst.Name):
        package, _, verb = (qualified_name(ctx, func) or "").rpartition(".")
        if package not in http.client_packages:
            return None
    else:
        return None
    if verb not in http.senders:
        return None
    positional = [a for a in node.args if a.keyword is None and not a.star]
    keyword = {a.keyword.value: a for a in node.args if a.keyword is not None}
    if verb in http.request_methods:
        method = keyword.get("method") or (positional[0] if positional else None)
        if method is None or not isinstance(string_value(method.value), str) or string_value(method.value).upper() != "POST":
            return None
        url = keyword.get("url") or (positional[1] if len(positional) > 1 and method is positional[0] else None)
    else:
        url = keyword.get("url") or (positional[0] if positional else None)
    return url.value if url is not None else None


def _request(ctx: ModuleContext, node: cst.Call, url: cst.BaseExpression, paths: Dict[str, str]) -> Optional[ImageCall]:
    http = ctx.catalog.http
    texts = url_texts(ctx, url)
    ends = {t: _endpoint(t, paths) for t in texts}
    endpoints = {e for e in ends.values() if e is not None}
    if len(endpoints) != 1:
        return None  # no Images endpoint (or one of several, chosen at run time: not judged)
    endpoint = endpoints.pop()
    hosts = {_host(t) for t, e in ends.items() if e is not None}
    if any(h is not None and h.endswith(http.azure_host_suffixes) for h in hosts) or any(http.azure_path_marker in t for t in texts):
        return None  # Azure OpenAI: the deployment in the path names the model
    shown = {h for h in hosts if h is not None}
    if shown - {http.api_host}:
        return None  # another provider's host (a proxy serving `dall-e-2` too): its models are its business
    openai_host = http.api_host in shown  # (`os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")`)
    arguments, unresolved, form = _body(ctx, node)
    if arguments is None:
        return None  # no body the request is known to send (`content=...`, a stream)
    model = arguments.get("model")
    call = ImageCall(
        node=node,
        endpoint=endpoint,
        method=ctx.catalog.endpoints[endpoint].path,
        method_node=None,
        surface=Surface.HTTP,
        is_async=isinstance(ctx.parent(node), (cst.Await, cst.WithItem)),
        azure=False,
        wrapper=None,
        arguments=arguments,
        unresolved_kwargs=unresolved,
        model_state=model_state(model) if model is not None or not unresolved else MODEL_IN_KWARGS,
        form=form,
    )
    ids = [v.value for v in call.model_values if v.is_str]
    if any(not ctx.catalog.is_known(m) for m in ids) and not openai_host:
        return None  # another provider's model on an OpenAI-shaped endpoint (`flux-schnell`)
    if not openai_host and (call.model_state != MODEL_LITERAL or not ids):
        # A host the code does not show: OpenAI's only if every model the body can name is
        # OpenAI's (`self.model` that a caller sets may be an OpenAI-compatible server's).
        return None
    return call


def _body(ctx: ModuleContext, node: cst.Call) -> Tuple[Optional[Dict[str, Argument]], List[cst.Arg], bool]:
    """The request's parameters: its JSON body's entries, or its form fields (a multipart
    edit's ``data=`` beside ``files=``, sent as strings); (None, [], False) when it sends neither."""
    json_keyword, form_keyword = ctx.catalog.http.body_keywords
    keyword = {a.keyword.value: a for a in node.args if a.keyword is not None}
    body = keyword.get(json_keyword)
    value: Optional[cst.BaseExpression] = body.value if body is not None else None
    form = False
    if value is None and form_keyword in keyword:
        body = keyword[form_keyword]
        value = _dumped(ctx, body.value)  # data=json.dumps({...})
        form = value is body.value  # (a dict given as data=: form fields)
    if body is None or value is None:
        return None, [], False
    arguments = mapping_arguments(ctx, value)
    if arguments is None:
        return {}, [body], form  # a body the code does not show: the model may be in it
    return arguments, [], form


def _dumped(ctx: ModuleContext, value: cst.BaseExpression) -> cst.BaseExpression:
    """The dict a ``json.dumps(...)`` body encodes (written in the call, or held in a name bound
    once: ``payload = json.dumps({...})``); ``value`` itself otherwise."""
    if isinstance(value, cst.Name):
        values = resolver(ctx)
        assignment = values.single_assignment(value)
        held = values.assigned_value(assignment.node) if isinstance(assignment, Assignment) else None
        if isinstance(held, cst.Call) and (dotted_name(held.func) or "") in _JSON_DUMPS:
            value = held
    if isinstance(value, cst.Call) and (dotted_name(value.func) or "") in _JSON_DUMPS and value.args:
        return value.args[0].value
    return value


def body_dict(ctx: ModuleContext, call: ImageCall) -> Optional[cst.Dict]:
    """The dict literal a request's body is written as, where an entry can be added: the one in
    the call (``json={...}``), or the one all its entries come from (``body = {...}``)."""
    for arg in call.node.args:
        if arg.keyword is not None and arg.keyword.value in ctx.catalog.http.body_keywords:
            value = _dumped(ctx, arg.value)
            if isinstance(value, cst.Dict):
                return value
    containers = {id(a.container): a.container for a in call.arguments.values()}
    if len(containers) == 1:
        (container,) = containers.values()
        if isinstance(container, cst.Dict) and ctx.owner(container) is ctx:
            return container
    return None
