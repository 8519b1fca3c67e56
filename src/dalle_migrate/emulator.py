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

from .catalog import RETIRED, ApiError, Catalog, Endpoint, ParamRule

Response = Tuple[int, Dict[str, str], bytes]

# Facts the emulator needs that the catalogue does not (yet) record. Each one is looked up in the
# catalogue first where a place for it exists, so a newer catalogue can override it.

# The API's documented default model when a request names none (spec §5: dall-e-2).
_API_DEFAULT_MODEL = "dall-e-2"
# Errors that are not about image models. A catalogue [errors.<key>] entry wins over these.
_OWN_ERRORS: Dict[str, Dict[str, Any]] = {
    "missing_api_key": {
        "status": 401,
        "type": "invalid_request_error",
        "code": "missing_api_key",
        "message": "You didn't provide an API key. Send it in an Authorization header "
        "(Authorization: Bearer YOUR_KEY).",
    },
    "invalid_url": {
        "status": 404,
        "type": "invalid_request_error",
        "code": "invalid_url",
        "message": "Invalid URL ({method} {path})",
    },
    "invalid_body": {
        "status": 400,
        "type": "invalid_request_error",
        "code": "invalid_body",
        "message": "We could not parse the body of your request: {reason}",
    },
    "invalid_type": {
        "status": 400,
        "type": "invalid_request_error",
        "code": "invalid_type",
        "message": "Invalid type for '{param}': expected {expected}, but got {got} instead.",
    },
    "endpoint_retired": {
        "status": 400,
        "type": "invalid_request_error",
        "code": "endpoint_retired",
        "message": "{retired_message}",
    },
}
# Fields whose rules carry no type in the catalogue but are booleans (form posts send "true").
_BOOLEAN_FIELDS = frozenset({"stream"})
# The JSON edit body spells the image list "images" (spec §2); the form spelling is "image".
_JSON_SPELLINGS = {"images": "image"}
# Stream event type prefix per endpoint (``<prefix>.partial_image`` / ``<prefix>.completed``).
_STREAM_EVENT_PREFIX = {"generate": "image_generation", "edit": "image_edit"}

# Made-up token counts: the real numbers depend on the model and are not documented.
_TOKENS_PER_INPUT_IMAGE = 65
_TOKENS_PER_OUTPUT_IMAGE = 272
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


class ImagesAPI:
    """The Images API as the catalogue describes it on ``today``."""

    def __init__(self, catalog: Catalog, today: _dt.date, models: Optional[List[str]] = None) -> None:
        self.catalog = catalog
        self.today = today
        self.models: Tuple[str, ...] = self._served_models(models)
        self.log: List[LoggedRequest] = []
        # Called with each LoggedRequest once answered (``serve`` uses it for ``log_stream``).
        self.listeners: List[Callable[[LoggedRequest], None]] = []
        self._lock = threading.Lock()
        self._request_ids = itertools.count(1)
        self._routes: Dict[Tuple[str, str], Endpoint] = {}
        for endpoint in catalog.endpoints.values():
            method = endpoint.http.split(" ", 1)[0].upper()
            self._routes[(method, endpoint.path)] = endpoint
            if endpoint.path.startswith("/v1/"):
                self._routes[(method, endpoint.path[len("/v1") :])] = endpoint

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
        endpoint = self._routes.get((entry.method, route))
        if endpoint is None:
            raise _Rejected(self._error("invalid_url", method=entry.method, path=route))
        if not _bearer_token(headers.get("authorization", "")):
            raise _Rejected(self._error("missing_api_key"))
        fields, from_form = self._parse_body(headers.get("content-type", ""), body)
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
            self._check_value(model, name, value, rules[name])
        for name in endpoint.required:
            if fields.get(name) is None:
                raise _Rejected(self.catalog.error("missing_parameter", param=name))
        return self._success(endpoint, model, rules, fields)

    # -- checks (applied in this order: model, field names, values, required fields) ----------------
    def _retired(self, endpoint: Endpoint, raw_model: Any) -> _Rejected:
        model = raw_model if raw_model is not None else self._default_model()
        known = self.catalog.model(str(model))
        if known is not None and endpoint.name in known.endpoints:
            # The models that served a retired endpoint are themselves gone.
            return _Rejected(self.catalog.error("model_not_found", model=model), "model")
        return _Rejected(self._error("endpoint_retired", retired_message=endpoint.retired_message))

    def _check_model(self, endpoint: Endpoint, raw_model: Any) -> str:
        if raw_model is None:
            raw_model = self._default_model()
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
        if name in _BOOLEAN_FIELDS:
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

    def _check_value(self, model: str, name: str, value: Any, rule: ParamRule) -> None:
        if value is None:  # null means "use the default"
            return
        if name in _BOOLEAN_FIELDS and not isinstance(value, bool):
            raise _Rejected(self._type_error(name, "a boolean", value))
        if rule.values is not None and not any(_same(value, allowed) for allowed in rule.values):
            raise _Rejected(
                self.catalog.error(
                    "invalid_value", value=value, supported=self.catalog.quoted(rule.values), param=name
                )
            )
        if rule.min is not None or rule.max is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise _Rejected(self._type_error(name, "an integer", value))
            if rule.min is not None and value < rule.min:
                raise _Rejected(self.catalog.error("integer_below_min", param=name, min=rule.min, value=value))
            if rule.max is not None and value > rule.max:
                raise _Rejected(self.catalog.error("integer_above_max", param=name, max=rule.max, value=value))
        if rule.size:
            if not isinstance(value, str):
                raise _Rejected(self._type_error(name, "a string", value))
            size_rule = self.catalog.size_rule(model)
            reason = size_rule.problem(value) if size_rule else None
            if size_rule and reason and size_rule.values:
                # A fixed list is answered like any other enumerated value (spec §6).
                supported = self.catalog.quoted(size_rule.values)
                raise _Rejected(self.catalog.error("invalid_value", value=value, supported=supported, param=name))
            if reason:
                raise _Rejected(self.catalog.error("invalid_size", value=value, reason=reason, param=name))

    # -- answers ---------------------------------------------------------------------------------
    def _success(
        self, endpoint: Endpoint, model: str, rules: Mapping[str, ParamRule], fields: Mapping[str, Any]
    ) -> Response:
        count = fields.get("n") or 1
        prompt = str(fields.get("prompt") or "")
        seed = f"{model}\n{prompt}"
        images = [_b64(tiny_png(_colour(seed, index))) for index in range(count)]
        settings = self._settings(model, rules, fields)
        usage = _usage(prompt, _count_images(fields.get("image")), count)
        if fields.get("stream"):
            return self._events(endpoint, seed, images, settings, usage, fields.get("partial_images") or 0)
        body: Dict[str, Any] = {"created": int(time.time())}
        body["data"] = [{"b64_json": image} for image in images]
        body.update(settings)
        body["usage"] = usage
        return self._json(200, body)

    def _settings(self, model: str, rules: Mapping[str, ParamRule], fields: Mapping[str, Any]) -> Dict[str, Any]:
        """background / output_format / quality / size as the response reports them."""
        size_rule = self.catalog.size_rule(model)
        keywords = size_rule.keywords if size_rule else ()
        settings: Dict[str, Any] = {}
        for name in ("background", "output_format", "quality"):
            rule = rules.get(name)
            if rule is None or rule.values is None:
                continue  # the model does not report this setting
            chosen = fields.get(name)
            if chosen is None:  # omitted: the server chooses ("auto") or takes the first value
                chosen = next((v for v in rule.values if v in keywords), rule.values[0])
            settings[name] = chosen
        if size_rule is not None:
            size = fields.get("size")
            if size is None or size in size_rule.keywords:  # the server picks a concrete size
                size = next((s for s in size_rule.values or size_rule.popular if s not in keywords), None)
            if size is not None:
                settings["size"] = size
        return settings

    def _events(
        self,
        endpoint: Endpoint,
        seed: str,
        images: Sequence[str],
        settings: Mapping[str, Any],
        usage: Mapping[str, Any],
        partial_images: int,
    ) -> Response:
        prefix = _STREAM_EVENT_PREFIX.get(endpoint.name, endpoint.name)
        created_at = int(time.time())
        events: List[Dict[str, Any]] = []
        for index in range(partial_images):
            partial = _b64(tiny_png(_colour(seed + "\npartial", index)))
            events.append(
                {"type": f"{prefix}.partial_image", "b64_json": partial, "created_at": created_at,
                 "partial_image_index": index, **settings}
            )
        for image in images:
            events.append(
                {"type": f"{prefix}.completed", "b64_json": image, "created_at": created_at, **settings,
                 "usage": usage}
            )
        payload = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode("utf-8")
        return 200, self._headers("text/event-stream; charset=utf-8"), payload

    def _json(self, status: int, body: Mapping[str, Any]) -> Response:
        return status, self._headers("application/json"), json.dumps(body).encode("utf-8")

    def _headers(self, content_type: str) -> Dict[str, str]:
        return {"Content-Type": content_type, "x-request-id": f"req_emulator_{next(self._request_ids)}"}

    # -- helpers -----------------------------------------------------------------------------------
    def _default_model(self) -> str:
        return str(self.catalog.meta.get("api_default_model", _API_DEFAULT_MODEL))

    def _error(self, key: str, **fields: Any) -> ApiError:
        if key in self.catalog.errors:
            return self.catalog.error(key, **fields)
        spec = _OWN_ERRORS[key]
        return ApiError(
            status=spec["status"],
            message=spec["message"].format(**fields),
            type=spec["type"],
            code=spec["code"],
            param=fields.get("param"),
        )

    def _type_error(self, name: str, expected: str, value: Any) -> ApiError:
        return self._error("invalid_type", param=name, expected=expected, got=_json_type(value))

    def _parse_body(self, content_type: str, body: bytes) -> Tuple[Dict[str, Any], bool]:
        """The body's fields in the order sent, and whether they came from a form (text values)."""
        try:
            if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
                return parse_multipart(content_type, body), True
            return parse_json(body), False
        except ValueError as exc:
            raise _Rejected(self._error("invalid_body", reason=str(exc))) from None


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
    return {_JSON_SPELLINGS.get(name, name): value for name, value in data.items()}


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


def _usage(prompt: str, input_images: int, output_images: int) -> Dict[str, Any]:
    text_tokens = len(prompt.split())
    image_tokens = input_images * _TOKENS_PER_INPUT_IMAGE
    output_tokens = output_images * _TOKENS_PER_OUTPUT_IMAGE
    return {
        "input_tokens": text_tokens + image_tokens,
        "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": text_tokens},
        "output_tokens": output_tokens,
        "total_tokens": text_tokens + image_tokens + output_tokens,
    }


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
