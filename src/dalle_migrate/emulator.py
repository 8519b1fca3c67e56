"""A local stand-in for the OpenAI Images API, built on the standard library only.

``ImagesAPI`` is the logic (a request in, a response out, no sockets); ``serve`` puts it behind a
loopback HTTP server that the real ``openai`` SDK can talk to (``base_url=server.base_url``).

What the stand-in accepts and rejects is read from the catalogue: which models are served on a
given date, each model's parameter table per endpoint, size rules and error bodies. Valid requests
are answered with tiny generated PNGs in ``b64_json``; every request is logged with the parameter
that made it fail, so a migrated program can be run against it to see which call is still wrong.
"""

from __future__ import annotations

import base64
import datetime as _dt
import email.parser
import email.policy
import hashlib
import itertools
import json
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .catalog import RETIRED, ApiError, Catalog, CatalogError, Endpoint, ParamRule

Response = Tuple[int, Dict[str, str], bytes]

# Every API fact (default model, error bodies, stream event types, JSON spellings, response
# settings and token counts) is read from the catalogue; ``ImagesAPI`` refuses a catalogue that
# lacks one it needs rather than guessing.

# The [errors.<key>] entries the stand-in answers with.
_ERROR_KEYS = (
    "missing_api_key", "invalid_url", "invalid_body", "invalid_type", "endpoint_retired", "model_not_found",
    "unknown_parameter", "invalid_value", "integer_below_min", "integer_above_max", "missing_parameter",
    "empty_array", "array_below_min_length", "array_above_max_length",
)
# The kinds of stream event an answer to stream=true is made of (keys of an endpoint's stream_events).
_STREAM_EVENT_KINDS = ("partial_image", "completed")

_PNG_EDGE = 8  # px; the returned images are placeholders, not renderings of the size asked for


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    def summary(self) -> str:
        return f"<file {self.filename}, {len(self.data)} bytes>"


@dataclass
class LoggedRequest:
    """One request the emulator answered, and why it failed if it did."""

    method: str
    path: str
    model: Optional[str] = None
    params: Dict[str, Any] = field(default_factory=dict)
    status: int = 0
    error: Optional[str] = None  # the error message; None when the request succeeded
    param: Optional[str] = None  # the body field that made the request fail, if one did

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        """One human-readable line, e.g. for a log file."""
        model = self.model if self.model is not None else "<omitted>"
        outcome = "OK" if self.error is None else self.error
        suffix = f" [param: {self.param}]" if self.param else ""
        return f"{self.method} {self.path} model={model} -> {self.status} {outcome}{suffix}"


class _Rejected(Exception):
    """Raised while checking a request: answer with ``error``; ``field`` is the culprit."""

    def __init__(self, error: ApiError, field: Optional[str] = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.field = field if field is not None else error.param


# The Responses API: served for its image generation tool (tools.py finds that tool in code).
RESPONSES_ROUTES = ("/v1/responses", "/responses")


class ImagesAPI:
    """The Images API as the catalogue describes it on ``today``."""

    def __init__(self, catalog: Catalog, today: _dt.date, models: Optional[List[str]] = None) -> None:
        self.catalog = catalog
        self.today = today
        self.models: Tuple[str, ...] = self._served_models(models)
        gaps = _catalog_gaps(catalog, self.models)
        if gaps:
            raise CatalogError(f"{catalog.origin}: the Images API stand-in needs " + ", ".join(gaps))
        self.default_model: str = str(catalog.api_default_model)
        self.log: List[LoggedRequest] = []
        # Called with each LoggedRequest once answered (``serve`` uses it for ``log_stream``).
        self.listeners: List[Callable[[LoggedRequest], None]] = []
        self._lock = threading.Lock()
        self._request_ids = itertools.count(1)
        self._routes: Dict[Tuple[str, str], Endpoint] = {}
        for endpoint in catalog.endpoints.values():
            self._routes[(endpoint.method, endpoint.path)] = endpoint
            if endpoint.path.startswith("/v1/"):
                self._routes[(endpoint.method, endpoint.path[len("/v1") :])] = endpoint

    def _served_models(self, wanted: Optional[Sequence[str]]) -> Tuple[str, ...]:
        unknown = [m for m in wanted or () if not self.catalog.is_known(m)]
        if unknown:
            raise ValueError(f"unknown model id(s): {', '.join(unknown)}")
        servable = [
            model_id
            for model_id in self.catalog.models
            if self.catalog.status(model_id, self.today) != RETIRED
            and any(self.catalog.params(model_id, ep) is not None for ep in self.catalog.endpoints)
        ]
        return tuple(m for m in servable if wanted is None or m in wanted)

    def serves(self, model_id: str, endpoint: str) -> bool:
        return model_id in self.models and self.catalog.params(model_id, endpoint) is not None

    # -- entry point -----------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
        """Answer one HTTP request: ``(status, headers, body)``."""
        entry = LoggedRequest(method=method.upper(), path=path)
        try:
            response = self._answer(entry, {k.lower(): v for k, v in headers.items()}, body)
        except _Rejected as rejected:
            entry.error = rejected.error.message
            entry.param = rejected.field
            response = self._json(rejected.error.status, rejected.error.body())
        entry.status = response[0]
        with self._lock:
            self.log.append(entry)
        for listener in list(self.listeners):
            listener(entry)
        return response

    def _answer(self, entry: LoggedRequest, headers: Mapping[str, str], body: bytes) -> Response:
        route = entry.path.split("?", 1)[0].rstrip("/")
        if entry.method == "POST" and route in RESPONSES_ROUTES:
            if not _bearer_token(headers.get("authorization", "")):
                raise _Rejected(self.catalog.error("missing_api_key"))
            return self._responses(entry, body)
        endpoint = self._routes.get((entry.method, route))
        if endpoint is None:
            raise _Rejected(self.catalog.error("invalid_url", method=entry.method, path=route))
        if not _bearer_token(headers.get("authorization", "")):
            raise _Rejected(self.catalog.error("missing_api_key"))
        fields, from_form, sent_as = self._parse_body(endpoint, headers.get("content-type", ""), body)
        entry.params = {name: _summarise(value) for name, value in fields.items()}
        raw_model = fields.get("model")
        entry.model = raw_model if isinstance(raw_model, str) else None

        if endpoint.retired:
            raise self._retired(endpoint, raw_model)
        model = self._check_model(endpoint, raw_model)
        rules = self.catalog.params(model, endpoint.name) or {}
        self._check_names(model, rules, fields)
        if from_form:
            fields = {name: self._from_form(name, value, rules[name]) for name, value in fields.items()}
        for name, value in fields.items():
            self._check_value(model, name, value, rules[name], sent_as.get(name, name))
        for name in endpoint.required:
            if fields.get(name) is None:
                raise _Rejected(self.catalog.error("missing_parameter", param=name))
        return self._success(endpoint, model, rules, fields)

    # -- the Responses API, for its image generation tool only ------------------------------------
    def _responses(self, entry: LoggedRequest, body: bytes) -> Response:
        """``POST /v1/responses``: each ``image_generation`` tool is checked as the Images API
        checks a generation or an edit (its model, then its fields), and answered with one
        ``image_generation_call`` output item holding a base64 PNG. The text model is not
        judged: the stand-in stands in for the image models only."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            raise _Rejected(self.catalog.error("invalid_body")) from None
        if not isinstance(request, dict):
            raise _Rejected(self.catalog.error("invalid_body"))
        tool_facts = self.catalog.responses_tool
        tools = [
            (index, t) for index, t in enumerate(request.get("tools") or [])
            if isinstance(t, dict) and t.get(tool_facts.type_key) == tool_facts.type_value
        ]
        output: List[Dict[str, Any]] = []
        entry.params = {"prompt": _summarise(request.get("input"))}  # the log's prompt: the input
        for index, tool in tools:
            raw_model = tool.get("model")
            entry.model = raw_model if isinstance(raw_model, str) else entry.model
            entry.params.update({name: _summarise(value) for name, value in tool.items() if name != "type"})
            edits = tool.get("action") == "edit" or "input_fidelity" in tool or "input_image_mask" in tool
            endpoint = self.catalog.endpoint("edit" if edits else "generate")
            for name in tool:
                if name not in tool_facts.fields:
                    raise _Rejected(self.catalog.error("unknown_parameter", param=f"tools[{index}].{name}"), name)
            if raw_model is None and tool_facts.default_model is not None and not self.serves(tool_facts.default_model, endpoint.name):
                model = self.catalog.default_target  # the default's rules are undocumented: judged as the target
            else:
                model = self._check_model(endpoint, raw_model if raw_model is not None else tool_facts.default_model)
            rules = self.catalog.params(model, endpoint.name) or {}
            fields = {k: v for k, v in tool.items() if k in rules or k not in ("type", "model", "action", "input_image_mask")}
            fields.pop("model", None)
            self._check_names(model, rules, fields)
            for name, value in fields.items():
                self._check_value(model, name, value, rules[name], f"tools[{index}].{name}")
            seed = f"{model}\n{request.get('input')}"
            output.append({"type": "image_generation_call", "id": f"ig_{len(output) + 1}", "status": "completed", "result": _b64(tiny_png(_colour(seed, index)))})
        response_id = next(self._request_ids)
        answer = {
            "id": f"resp_{response_id}",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": request.get("model"),
            "output": output,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": request.get("tools") or [],
            "error": None,
            "incomplete_details": None,
            "instructions": None,
            "metadata": {},
            "temperature": None,
            "top_p": None,
        }
        return self._json(200, answer)

    # -- checks (applied in this order: model, field names, values, required fields) ----------------
    def _retired(self, endpoint: Endpoint, raw_model: Any) -> _Rejected:
        model = raw_model if raw_model is not None else self.default_model
        known = self.catalog.model(str(model))
        if known is not None and endpoint.name in known.endpoints:
            # The models that served a retired endpoint are themselves gone.
            return _Rejected(self.catalog.error("model_not_found", model=model), "model")
        return _Rejected(self.catalog.error("endpoint_retired", retired_message=endpoint.retired_message))

    def _check_model(self, endpoint: Endpoint, raw_model: Any) -> str:
        if raw_model is None:
            raw_model = self.default_model
        if not isinstance(raw_model, str):
            raise _Rejected(self._type_error("model", "a string", raw_model))
        if not self.serves(raw_model, endpoint.name):
            raise _Rejected(self.catalog.error("model_not_found", model=raw_model), "model")
        return raw_model

    def _check_names(self, model: str, rules: Mapping[str, ParamRule], fields: Mapping[str, Any]) -> None:
        # A field counts as sent even when its value is null: the API rejects e.g. a null
        # input_fidelity for gpt-image-2.
        for name in fields:
            rule = rules.get(name)
            if rule is None:
                raise _Rejected(self.catalog.error("unknown_parameter", param=name))
            if rule.error:
                raise _Rejected(self.catalog.error(rule.error, model=model, param=name))

    def _from_form(self, name: str, value: Any, rule: ParamRule) -> Any:
        """Form fields arrive as text: read integers and booleans back."""
        if not isinstance(value, str):
            return value
        if rule.is_boolean:
            lowered = value.strip().lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            raise _Rejected(self._type_error(name, "a boolean", value))
        if rule.min is not None or rule.max is not None:
            try:
                return int(value.strip())
            except ValueError:
                raise _Rejected(self._type_error(name, "an integer", value)) from None
        return value

    def _check_value(self, model: str, name: str, value: Any, rule: ParamRule, label: str) -> None:
        """Check one field's value; ``label`` is the field's name as sent (errors name it so)."""
        if value is None:  # null means "use the default"
            return
        if rule.is_boolean and not isinstance(value, bool):
            raise _Rejected(self._type_error(label, "a boolean", value))
        if rule.values is not None and not any(_same(value, allowed) for allowed in rule.values):
            raise _Rejected(
                self.catalog.error(
                    "invalid_value", value=value, supported=self.catalog.quoted(rule.values), param=label
                )
            )
        if rule.min is not None or rule.max is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise _Rejected(self._type_error(label, "an integer", value))
            if rule.min is not None and value < rule.min:
                raise _Rejected(self.catalog.error("integer_below_min", param=label, min=rule.min, value=value))
            if rule.max is not None and value > rule.max:
                raise _Rejected(self.catalog.error("integer_above_max", param=label, max=rule.max, value=value))
        if rule.counted:
            count = len(value) if isinstance(value, list) else 1
            if rule.min_items is not None and count < rule.min_items:
                key = "empty_array" if count == 0 else "array_below_min_length"
                raise _Rejected(self.catalog.error(key, param=label, min=rule.min_items, count=count))
            if rule.max_items is not None and count > rule.max_items:
                raise _Rejected(
                    self.catalog.error("array_above_max_length", param=label, max=rule.max_items, count=count)
                )
        if rule.size:
            if not isinstance(value, str):
                raise _Rejected(self._type_error(label, "a string", value))
            size_rule = self.catalog.size_rule(model)
            reason = size_rule.problem(value) if size_rule else None
            if size_rule and reason:
                # The size rule names its error: a fixed list is answered like any enumerated value,
                # the custom rule with its reason (spec section 6).
                supported = self.catalog.quoted(size_rule.values)
                raise _Rejected(
                    self.catalog.error(
                        str(size_rule.error), value=value, reason=reason, supported=supported, param=label
                    )
                )

    # -- answers ---------------------------------------------------------------------------------
    def _success(
        self, endpoint: Endpoint, model: str, rules: Mapping[str, ParamRule], fields: Mapping[str, Any]
    ) -> Response:
        count = _effective("n", rules, fields)
        if count is None:  # a model without an `n` parameter makes one image
            count = 1
        prompt = str(fields.get("prompt") or "")
        seed = f"{model}\n{prompt}"
        images = [_b64(tiny_png(_colour(seed, index))) for index in range(count)]
        settings = self._settings(model, rules, fields)
        streamed = bool(_effective("stream", rules, fields))
        partial_images = int(_effective("partial_images", rules, fields) or 0) if streamed else 0
        usage = self._usage(prompt, _count_images(fields.get("image")), count, partial_images)
        if streamed:
            return self._events(endpoint, seed, images, settings, usage, partial_images)
        body: Dict[str, Any] = {"created": int(time.time())}
        fields = self.catalog.response
        body[fields.data_field] = [{fields.image_field: image} for image in images]
        body.update(settings)
        body["usage"] = usage
        return self._json(200, body)

    def _settings(self, model: str, rules: Mapping[str, ParamRule], fields: Mapping[str, Any]) -> Dict[str, Any]:
        """The request settings the response reports (catalogue [response] settings)."""
        size_rule = self.catalog.size_rule(model)
        settings: Dict[str, Any] = {}
        for name in self.catalog.response.settings:
            rule = rules.get(name)
            if rule is None:
                continue  # the model does not have the parameter, so does not report it
            value = _effective(name, rules, fields)
            if rule.size and size_rule is not None and (value is None or value in size_rule.keywords):
                # "auto": the server picks a concrete size
                value = next((s for s in size_rule.values or size_rule.popular if s not in size_rule.keywords), None)
            if value is not None:
                settings[name] = value
        return settings

    def _usage(self, prompt: str, input_images: int, output_images: int, partial_images: int) -> Dict[str, Any]:
        costs = self.catalog.response
        text_tokens = len(prompt.split())  # a rough stand-in for the tokenizer
        image_tokens = input_images * costs.input_tokens_per_image
        output_tokens = (
            output_images * costs.output_tokens_per_image + partial_images * costs.output_tokens_per_partial_image
        )
        return {
            "input_tokens": text_tokens + image_tokens,
            "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": text_tokens},
            "output_tokens": output_tokens,
            "total_tokens": text_tokens + image_tokens + output_tokens,
        }

    def _events(
        self,
        endpoint: Endpoint,
        seed: str,
        images: Sequence[str],
        settings: Mapping[str, Any],
        usage: Mapping[str, Any],
        partial_images: int,
    ) -> Response:
        created_at = int(time.time())
        events: List[Dict[str, Any]] = []
        for index in range(partial_images):
            partial = _b64(tiny_png(_colour(seed + "\npartial", index)))
            events.append(
                {"type": endpoint.stream_event("partial_image"), self.catalog.response.image_field: partial, "created_at": created_at,
                 "partial_image_index": index, **settings}
            )
        for image in images:
            events.append(
                {"type": endpoint.stream_event("completed"), self.catalog.response.image_field: image, "created_at": created_at,
                 **settings, "usage": usage}
            )
        payload = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode("utf-8")
        return 200, self._headers("text/event-stream; charset=utf-8"), payload

    def _json(self, status: int, body: Mapping[str, Any]) -> Response:
        return status, self._headers("application/json"), json.dumps(body).encode("utf-8")

    def _headers(self, content_type: str) -> Dict[str, str]:
        return {"Content-Type": content_type, "x-request-id": f"req_emulator_{next(self._request_ids)}"}

    # -- helpers -----------------------------------------------------------------------------------
    def _type_error(self, name: str, expected: str, value: Any) -> ApiError:
        return self.catalog.error("invalid_type", param=name, expected=expected, got=_json_type(value))

    def _parse_body(
        self, endpoint: Endpoint, content_type: str, body: bytes
    ) -> Tuple[Dict[str, Any], bool, Dict[str, str]]:
        """The body's fields in the order sent (JSON spellings read as form spellings), whether they
        came from a form (text values), and the name each renamed field was sent as."""
        try:
            if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
                return parse_multipart(content_type, body), True, {}
            raw = parse_json(body)
        except ValueError as exc:
            raise _Rejected(self.catalog.error("invalid_body", reason=str(exc))) from None
        fields: Dict[str, Any] = {}
        sent_as: Dict[str, str] = {}
        for name, value in raw.items():
            canonical = endpoint.json_fields.get(name, name)
            fields[canonical] = value
            if canonical != name:
                sent_as[canonical] = name
        return fields, False, sent_as


def _catalog_gaps(catalog: Catalog, models: Sequence[str]) -> List[str]:
    """What the stand-in needs from the catalogue to serve ``models`` and that it does not record."""
    gaps: List[str] = []
    if catalog.api_default_model is None:
        gaps.append("[meta] api_default_model")
    gaps += [f"[errors.{key}]" for key in _ERROR_KEYS if key not in catalog.errors]
    for model in models:
        size_rule = catalog.size_rule(model)
        if size_rule is not None and size_rule.error is None:
            gaps.append(f"[size_rules.{size_rule.name}] error")
        for endpoint in catalog.endpoints.values():
            if "stream" in (catalog.params(model, endpoint.name) or {}):
                gaps += [f"[endpoints.{endpoint.name}] stream_events.{kind}"
                         for kind in _STREAM_EVENT_KINDS if kind not in endpoint.stream_events]
    return list(dict.fromkeys(gaps))


def _effective(name: str, rules: Mapping[str, ParamRule], fields: Mapping[str, Any]) -> Any:
    """The value a request means for ``name``: the one sent, else the parameter's default."""
    value = fields.get(name)
    rule = rules.get(name)
    return rule.default if value is None and rule is not None else value


# -- request bodies ------------------------------------------------------------------------------
def parse_json(body: bytes) -> Dict[str, Any]:
    """A JSON object body; an empty body is an empty object. Raises ValueError otherwise."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def parse_multipart(content_type: str, body: bytes) -> Dict[str, Any]:
    """Fields of a multipart/form-data body, as the openai SDK writes them.

    Text parts become strings, file parts ``UploadedFile``s. ``name[]`` parts collect into a list
    (``image[]`` for several images) and ``name[key]`` parts into a dict (``svg[model]``).
    Raises ValueError for a body that is not multipart.
    """
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart() or message.defects:
        raise ValueError("the multipart/form-data body is malformed")
    fields: Dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            value: Any = UploadedFile(filename, part.get_content_type(), data)
        else:
            value = data.decode(part.get_content_charset() or "utf-8", errors="replace")
        _put_form_field(fields, str(name), value)
    return fields


def _put_form_field(fields: Dict[str, Any], name: str, value: Any) -> None:
    base, bracket, rest = name.partition("[")
    if not bracket:
        if base in fields:  # a repeated plain field is a list too
            existing = fields[base]
            fields[base] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            fields[base] = value
    elif rest == "]":
        existing = fields.get(base)
        fields[base] = (existing if isinstance(existing, list) else []) + [value]
    else:
        existing = fields.get(base)
        table = existing if isinstance(existing, dict) else {}
        table[rest[:-1] if rest.endswith("]") else rest] = value
        fields[base] = table


def _bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _summarise(value: Any) -> Any:
    """A loggable copy of a field value: files become short descriptions."""
    if isinstance(value, UploadedFile):
        return value.summary()
    if isinstance(value, list):
        return [_summarise(v) for v in value]
    if isinstance(value, dict):
        return {k: _summarise(v) for k, v in value.items()}
    return value


def _same(value: Any, allowed: Any) -> bool:
    # 1 == True in Python; the API tells JSON booleans and numbers apart.
    return value == allowed and isinstance(value, bool) == isinstance(allowed, bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, UploadedFile):
        return "a file"
    return "an object"


def _count_images(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


# -- images --------------------------------------------------------------------------------------
def tiny_png(rgb: Tuple[int, int, int], edge: int = _PNG_EDGE) -> bytes:
    """A valid ``edge`` x ``edge`` PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", edge, edge, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    row = b"\x00" + bytes(rgb) * edge  # filter type 0 per scanline
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * edge)) + chunk(b"IEND", b"")


def _colour(seed: str, index: int) -> Tuple[int, int, int]:
    # Deterministic, and different per prompt and per image, so tests can tell images apart.
    digest = hashlib.sha256(f"{seed}\n{index}".encode("utf-8")).digest()
    return digest[0], digest[1], digest[2]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- HTTP server ---------------------------------------------------------------------------------
class EmulatorServer(ThreadingHTTPServer):
    """A loopback HTTP server answering with an ``ImagesAPI``; ``shutdown()`` stops it."""

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], api: ImagesAPI, log_stream: Optional[IO[str]] = None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.api = api
        self.log_stream = log_stream
        self._log_lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        host, port = self.server_address[0], self.server_address[1]
        self.base_url = f"http://{f'[{host}]' if ':' in host else host}:{port}/v1"
        if log_stream is not None:
            api.listeners.append(self._write_log_line)

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="images-emulator", daemon=True
        )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        super().shutdown()
        self.server_close()
        if self._write_log_line in self.api.listeners:
            self.api.listeners.remove(self._write_log_line)
        if self._thread is not None:
            self._thread.join()

    def __exit__(self, *exc_info: Any) -> None:
        self.shutdown()

    def _write_log_line(self, entry: LoggedRequest) -> None:
        assert self.log_stream is not None
        with self._log_lock:
            self.log_stream.write(entry.line() + "\n")
            self.log_stream.flush()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK expects; every answer has a length
    server_version = "dalle-migrate-emulator"
    timeout = 60  # seconds an idle keep-alive connection may hold a thread
    server: EmulatorServer

    def _delegate(self) -> None:
        body = self._read_body()
        status, headers, payload = self.server.api.handle(self.command, self.path, dict(self.headers.items()), body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _delegate

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return b"".join(_read_chunks(self.rfile))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
            self.close_connection = True  # cannot tell where this body ends
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are logged by ImagesAPI; keep stderr quiet


def _read_chunks(stream: IO[bytes]) -> Iterable[bytes]:
    """The data of a chunked transfer-encoded body (trailers are read and dropped)."""
    while True:
        size_line = stream.readline()
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline().strip():
                pass
            return
        yield stream.read(size)
        stream.readline()  # the CRLF after each chunk


def serve(
    catalog: Catalog,
    today: _dt.date,
    host: str = "127.0.0.1",
    port: int = 0,
    models: Optional[List[str]] = None,
    log_stream: Optional[IO[str]] = None,
) -> EmulatorServer:
    """Start the emulator in a daemon thread; ``port=0`` picks a free port (see ``.base_url``)."""
    return EmulatorServer((host, port), ImagesAPI(catalog, today, models), log_stream).start()
