"""The catalogue of OpenAI image models: the one place API facts are read from.

Everything the rules and the stand-in server know about models, parameters, sizes and error
bodies comes from ``data/models.toml`` (or a newer file given with ``--catalog``). Status is a
function of the date, so a deprecated model turns retired on its shutdown day with no release.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

DATA_FILE = Path(__file__).parent / "data" / "models.toml"

ACTIVE = "active"
DEPRECATED = "deprecated"
RETIRED = "retired"

_SIZE = re.compile(r"^\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*$")  # no real edge has 7 digits

# Value types a parameter rule may declare with ``type = "..."`` (others are told by values/min/max).
BOOLEAN = "boolean"
_RULE_TYPES = frozenset({BOOLEAN})


class CatalogError(Exception):
    """The catalogue file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class ApiError:
    """An error body the API answers with, its placeholders filled in."""

    status: int
    message: str
    type: str
    code: str
    param: Optional[str] = None

    def body(self) -> Dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass(frozen=True)
class ParamRule:
    """What one model accepts for one parameter on one endpoint."""

    name: str
    values: Optional[Tuple[Any, ...]] = None
    min: Optional[int] = None
    max: Optional[int] = None
    size: bool = False
    replace: Mapping[str, str] = field(default_factory=dict)
    error: Optional[str] = None  # key into [errors] when the API rejects the parameter
    type: Optional[str] = None  # "boolean"; None when values / min / max tell the type
    default: Any = None  # what the API uses when the parameter is omitted or null
    min_items: Optional[int] = None  # bounds on how many entries a list value may hold
    max_items: Optional[int] = None

    @property
    def rejected(self) -> bool:
        return self.error is not None

    @property
    def is_boolean(self) -> bool:
        return self.type == BOOLEAN

    @property
    def counted(self) -> bool:
        """Whether the number of entries of the value is bounded (``min_items`` / ``max_items``)."""
        return self.min_items is not None or self.max_items is not None


@dataclass(frozen=True)
class SizeRule:
    name: str
    values: Tuple[str, ...] = ()
    keywords: Tuple[str, ...] = ()
    multiple_of: int = 0
    max_edge: int = 0
    max_ratio: float = 0.0
    min_pixels: int = 0
    max_pixels: int = 0
    popular: Tuple[str, ...] = ()
    error: Optional[str] = None  # key into [errors] the API answers a rejected size with

    @property
    def is_custom(self) -> bool:
        return not self.values

    def problem(self, size: str) -> Optional[str]:
        """Why ``size`` is rejected, or None when it is accepted."""
        if self.values:
            if size in self.values:
                return None
            return "Supported values are: " + _quoted_list(self.values) + "."
        if size in self.keywords:
            return None
        match = _SIZE.match(size)
        if not match or match.group(0) != size:
            return "Sizes are written WIDTHxHEIGHT (or " + _quoted_list(self.keywords) + ")."
        width, height = int(match.group(1)), int(match.group(2))
        if width <= 0 or height <= 0:
            return "Width and height must be positive."
        if width % self.multiple_of or height % self.multiple_of:
            return f"Width and height must both be divisible by {self.multiple_of}."
        if max(width, height) > self.max_edge:
            return f"The longest edge must be at most {self.max_edge}px."
        if max(width, height) / min(width, height) > self.max_ratio:
            return f"The aspect ratio must be between 1:{self.max_ratio:g} and {self.max_ratio:g}:1."
        pixels = width * height
        if pixels < self.min_pixels:
            return f"The image must have at least {self.min_pixels:,} pixels ({width}x{height} has {pixels:,})."
        if pixels > self.max_pixels:
            return f"The image must have at most {self.max_pixels:,} pixels ({width}x{height} has {pixels:,})."
        return None

    def nearest(self, size: str) -> Optional[str]:
        """The closest accepted size of the same orientation, or None when ``size`` is no WxH."""
        match = _SIZE.match(size)
        if not match:
            return None
        width, height = int(match.group(1)), int(match.group(2))
        if width <= 0 or height <= 0:
            return None
        candidates = [c for c in (self.values or self.popular) if _SIZE.match(c) and self.problem(c) is None]
        same = [c for c in candidates if _orientation(*_parse(c)) == _orientation(width, height)]

        def distance(candidate: str) -> float:
            w, h = _parse(candidate)
            return abs(math.log(w / width)) + abs(math.log(h / height))

        pool = same or candidates
        return min(pool, key=distance) if pool else None


def _parse(size: str) -> Tuple[int, int]:
    match = _SIZE.match(size)
    assert match
    return int(match.group(1)), int(match.group(2))


def _orientation(width: int, height: int) -> int:
    return (width > height) - (width < height)


def _quoted_list(values: Sequence[Any]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


@dataclass(frozen=True)
class Endpoint:
    name: str
    http: str
    sdk_method: str
    legacy_methods: Tuple[str, ...]
    retired: bool
    sdk_params: Tuple[str, ...]
    required: Tuple[str, ...]
    retired_message: str = ""
    # Server-sent event type per kind ("partial_image", "completed") when the request streams.
    stream_events: Mapping[str, str] = field(default_factory=dict)
    # JSON body spelling -> form spelling of a field (the JSON edit body sends "images").
    json_fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.http.split(" ", 1)[0].upper()

    @property
    def path(self) -> str:
        return self.http.split(" ", 1)[1]

    def stream_event(self, kind: str) -> str:
        """The event type of one kind of stream event; CatalogError when the catalogue has none."""
        try:
            return self.stream_events[kind]
        except KeyError:
            raise CatalogError(f"endpoint {self.name} has no stream_events.{kind}") from None


@dataclass(frozen=True)
class Model:
    id: str
    family: str = ""
    announced: Optional[_dt.date] = None
    shutdown: Optional[_dt.date] = None
    replacement: str = ""
    endpoints: Tuple[str, ...] = ()
    profile: str = ""
    size_rule: str = ""
    documented: bool = True
    alias_of: Optional[str] = None
    params: Mapping[str, Mapping[str, ParamRule]] = field(default_factory=dict)

    def status(self, today: _dt.date) -> str:
        if self.shutdown is None:
            return ACTIVE
        return RETIRED if today >= self.shutdown else DEPRECATED


@dataclass(frozen=True)
class ResponseFacts:
    """What a successful Images API answer reports besides the images ([response])."""

    data_field: str = "data"
    image_field: str = "b64_json"  # the only image field GPT image models fill
    url_field: str = "url"  # always None on GPT image models
    revised_prompt_field: str = "revised_prompt"  # dall-e-3 only
    settings: Tuple[str, ...] = ()  # request settings echoed next to ``data``
    input_tokens_per_image: int = 0
    output_tokens_per_image: int = 0
    output_tokens_per_partial_image: int = 0


@dataclass(frozen=True)
class ClientClass:
    name: str
    is_async: bool
    azure: bool


@dataclass(frozen=True)
class SdkSurface:
    """How Python code reaches the Images API through the ``openai`` package."""

    package: str
    images_attribute: str
    legacy_class: str
    response_wrappers: Tuple[str, ...]
    client_copies: Tuple[str, ...]
    module_azure_settings: Tuple[str, ...]
    clients: Mapping[str, ClientClass]
    legacy_client_settings: Mapping[str, str] = field(default_factory=dict)
    legacy_renamed: Mapping[str, str] = field(default_factory=dict)
    legacy_azure_settings: Tuple[str, ...] = ()
    legacy_positional: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    legacy_module_settings: Mapping[str, str] = field(default_factory=dict)
    legacy_error_module: str = "error"
    legacy_errors: Mapping[str, str] = field(default_factory=dict)  # v0 name -> v1 name ("": none)
    legacy_errors_broader: Tuple[str, ...] = ()
    legacy_resources: Tuple[str, ...] = ()  # openai.ChatCompletion...: removed in 1.0 like Image

    @property
    def legacy_settings(self) -> Tuple[str, ...]:
        """Keywords of the legacy functions that are not API parameters."""
        return tuple(self.legacy_client_settings) + tuple(self.legacy_renamed) + self.legacy_azure_settings


@dataclass(frozen=True)
class ResponsesTool:
    """The Responses API's image generation tool: a ``tools`` entry naming ``type_value``."""

    type_key: str
    type_value: str
    fields: Tuple[str, ...]  # what the tool's configuration may hold (the SDK's TypedDict)
    default_model: Optional[str]  # what the API runs when the configuration names no model
    builders: Tuple[str, ...] = ("dict",)  # calls that build the configuration (`dict(type=...)`)


@dataclass(frozen=True)
class HttpApi:
    """The Images API reached over plain HTTP: OpenAI's host, and how Azure's requests look."""

    api_host: str = "api.openai.com"
    azure_host_suffixes: Tuple[str, ...] = ()
    azure_path_marker: str = "/deployments/"
    compatible_hosts: Tuple[str, ...] = ()  # OpenAI-compatible providers' hosts
    compatible_packages: Tuple[str, ...] = ()  # their own SDKs
    post_methods: Tuple[str, ...] = ("post",)  # send to the URL given first
    request_methods: Tuple[str, ...] = ("request",)  # take the HTTP method, then the URL
    body_keywords: Tuple[str, ...] = ("json", "data")
    client_packages: Tuple[str, ...] = ("requests", "httpx")
    # How a request's URL ends for each endpoint ("images/generations" -> "generate").
    paths: Mapping[str, str] = field(default_factory=dict)

    @property
    def senders(self) -> Tuple[str, ...]:
        return self.post_methods + self.request_methods

    def serves_others(self, host: Optional[str]) -> bool:
        """Whether ``host`` is an OpenAI-compatible provider's (its models are its own)."""
        return host is not None and any(host == h or host.endswith("." + h) for h in self.compatible_hosts)


@dataclass(frozen=True)
class Wrapper:
    """A library that calls the Images API for the program (catalogue ``[wrappers.*]``)."""

    key: str
    label: str
    kind: str  # "class" | "function" | "tool_name"
    symbols: Tuple[str, ...]  # fully qualified names it is imported as
    model_params: Tuple[str, ...] = ()
    model_prefixes: Tuple[str, ...] = ()
    default_model: Optional[str] = None
    forwards: bool = False  # passes the Images parameters through unchanged
    gpt_images: str = "none"  # "none", or from which version it returns GPT image results
    reads: str = ""
    source: str = ""
    instead: str = ""
    tool_name: Optional[str] = None  # for kind "tool_name": the name in the list it is given
    # An instance's methods that send an Images request with their keywords, and what each
    # returns ("string": the first image's URL or base64; "strings": a list of those).
    requests_from: Mapping[str, str] = field(default_factory=dict)
    request_own_params: Tuple[str, ...] = ()  # the methods' own parameters (not forwarded)
    model_env: str = ""  # where the model comes from when the constructor names none

    @property
    def returns_gpt_images(self) -> bool:
        return self.gpt_images != "none"


class Catalog:
    """The models, endpoints, parameter rules and errors of one catalogue file."""

    def __init__(self, data: Mapping[str, Any], origin: str = "<catalog>") -> None:
        self.origin = origin
        try:
            self.meta = dict(data.get("meta", {}))
            self.default_target: str = self.meta.get("default_target", "gpt-image-2")
            # The model the API falls back to when a request names none; None when not recorded.
            self.api_default_model: Optional[str] = self.meta.get("api_default_model")
            self.endpoints: Dict[str, Endpoint] = {
                name: Endpoint(
                    name=name,
                    http=e["http"],
                    sdk_method=e["sdk_method"],
                    legacy_methods=tuple(e.get("legacy_methods", ())),
                    retired=bool(e.get("retired", False)),
                    sdk_params=tuple(e.get("sdk_params", ())),
                    required=tuple(e.get("required", ())),
                    retired_message=e.get("retired_message", ""),
                    stream_events={str(k): str(v) for k, v in e.get("stream_events", {}).items()},
                    json_fields={str(k): str(v) for k, v in e.get("json_fields", {}).items()},
                )
                for name, e in data["endpoints"].items()
            }
            self.errors: Dict[str, Mapping[str, Any]] = dict(data.get("errors", {}))
            response = data.get("response", {})
            self.response = ResponseFacts(
                data_field=response.get("data_field", "data"),
                image_field=response.get("image_field", "b64_json"),
                url_field=response.get("url_field", "url"),
                revised_prompt_field=response.get("revised_prompt_field", "revised_prompt"),
                settings=tuple(response.get("settings", ())),
                input_tokens_per_image=int(response.get("input_tokens_per_image", 0)),
                output_tokens_per_image=int(response.get("output_tokens_per_image", 0)),
                output_tokens_per_partial_image=int(response.get("output_tokens_per_partial_image", 0)),
            )
            sdk = data["sdk"]
            self.sdk = SdkSurface(
                package=sdk["package"],
                images_attribute=sdk["images_attribute"],
                legacy_class=sdk["legacy_class"],
                response_wrappers=tuple(sdk["response_wrappers"]),
                client_copies=tuple(sdk["client_copies"]),
                module_azure_settings=tuple(sdk.get("module_azure_settings", ())),
                clients={
                    name: ClientClass(name, bool(c.get("async", False)), bool(c.get("azure", False)))
                    for name, c in sdk["clients"].items()
                },
                legacy_client_settings=dict(sdk.get("legacy_client_settings", {})),
                legacy_renamed=dict(sdk.get("legacy_renamed", {})),
                legacy_azure_settings=tuple(sdk.get("legacy_azure_settings", ())),
                legacy_positional={k: tuple(v) for k, v in sdk.get("legacy_positional", {}).items()},
                legacy_module_settings=dict(sdk.get("legacy_module_settings", {})),
                legacy_error_module=sdk.get("legacy_error_module", "error"),
                legacy_errors=dict(sdk.get("legacy_errors", {})),
                legacy_errors_broader=tuple(sdk.get("legacy_errors_broader", ())),
                legacy_resources=tuple(sdk.get("legacy_resources", ())),
            )
            self.wrappers: Dict[str, Wrapper] = {
                key: Wrapper(
                    key=key,
                    label=w["label"],
                    kind=w["kind"],
                    symbols=tuple(w["symbols"]),
                    model_params=tuple(w.get("model_params", ())),
                    model_prefixes=tuple(w.get("model_prefixes", ())),
                    default_model=w.get("default_model"),
                    forwards=bool(w.get("forwards", False)),
                    gpt_images=str(w.get("gpt_images", "none")),
                    reads=w.get("reads", ""),
                    source=w.get("source", ""),
                    instead=w.get("instead", ""),
                    tool_name=w.get("tool_name"),
                    requests_from=dict(w.get("requests_from", {})),
                    request_own_params=tuple(w.get("request_own_params", ())),
                    model_env=w.get("model_env", ""),
                )
                for key, w in data.get("wrappers", {}).items()
            }
            tool = data.get("responses_tool", {})
            self.responses_tool = ResponsesTool(
                type_key=tool.get("type_key", "type"),
                type_value=tool.get("type_value", "image_generation"),
                fields=tuple(tool.get("fields", ())),
                default_model=tool.get("default_model"),
                builders=tuple(tool.get("builders", ("dict",))),
            )
            http = data.get("http", {})
            self.http = HttpApi(
                api_host=http.get("api_host", "api.openai.com"),
                azure_host_suffixes=tuple(http.get("azure_host_suffixes", ())),
                azure_path_marker=http.get("azure_path_marker", "/deployments/"),
                compatible_hosts=tuple(http.get("compatible_hosts", ())),
                compatible_packages=tuple(http.get("compatible_packages", ())),
                post_methods=tuple(http.get("post_methods", ("post",))),
                request_methods=tuple(http.get("request_methods", ("request",))),
                body_keywords=tuple(http.get("body_keywords", ("json", "data"))),
                client_packages=tuple(http.get("client_packages", ("requests", "httpx"))),
                paths={
                    "images/" + e.path.rsplit("/images/", 1)[1]: name for name, e in self.endpoints.items() if "/images/" in e.path
                },
            )
            self.methods: Dict[str, str] = {e.sdk_method: name for name, e in self.endpoints.items()}
            self.legacy_methods: Dict[str, str] = {
                m: name for name, e in self.endpoints.items() for m in e.legacy_methods
            }
            self.size_rules: Dict[str, SizeRule] = {
                name: SizeRule(
                    name=name,
                    values=tuple(r.get("values", ())),
                    keywords=tuple(r.get("keywords", ())),
                    multiple_of=int(r.get("multiple_of", 0)),
                    max_edge=int(r.get("max_edge", 0)),
                    max_ratio=float(r.get("max_ratio", 0.0)),
                    min_pixels=int(r.get("min_pixels", 0)),
                    max_pixels=int(r.get("max_pixels", 0)),
                    popular=tuple(r.get("popular", ())),
                    error=r.get("error"),
                )
                for name, r in data.get("size_rules", {}).items()
            }
            profiles = {
                name: {ep: _param_rules(rules) for ep, rules in eps.items()}
                for name, eps in data.get("profiles", {}).items()
            }
            self.models: Dict[str, Model] = {}
            for model_id, m in data["models"].items():
                params: Dict[str, Dict[str, ParamRule]] = {}
                for ep in m.get("endpoints", ()):
                    merged = dict(profiles.get(m.get("profile", ""), {}).get(ep, {}))
                    merged.update(_param_rules(m.get("params", {}).get(ep, {})))
                    params[ep] = merged
                self.models[model_id] = Model(
                    id=model_id,
                    family=m.get("family", ""),
                    announced=_date(m.get("announced")),
                    shutdown=_date(m.get("shutdown")),
                    replacement=m.get("replacement", ""),
                    endpoints=tuple(m.get("endpoints", ())),
                    profile=m.get("profile", ""),
                    size_rule=m.get("size_rule", ""),
                    documented=bool(m.get("documented", True)),
                    alias_of=m.get("alias_of"),
                    params=params,
                )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"{origin}: malformed catalogue ({exc!r})") from exc
        for model in self.models.values():
            if model.alias_of and model.alias_of not in self.models:
                raise CatalogError(f"{origin}: {model.id} is an alias of unknown model {model.alias_of}")
            if model.size_rule and model.size_rule not in self.size_rules:
                raise CatalogError(f"{origin}: {model.id} names unknown size rule {model.size_rule}")
            for endpoint, rules in model.params.items():
                for rule in rules.values():
                    if rule.type is not None and rule.type not in _RULE_TYPES:
                        raise CatalogError(
                            f"{origin}: {model.id} {endpoint}.{rule.name} has unknown type {rule.type!r}"
                        )
        for rule in self.size_rules.values():
            if rule.error is not None and rule.error not in self.errors:
                raise CatalogError(f"{origin}: size rule {rule.name} names unknown error {rule.error}")
        if self.default_target not in self.models:
            raise CatalogError(f"{origin}: default target {self.default_target} is not a model")
        if self.api_default_model is not None and self.api_default_model not in self.models:
            raise CatalogError(f"{origin}: api_default_model {self.api_default_model} is not a model")

    # -- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Optional[Path] = None) -> "Catalog":
        path = Path(path) if path else DATA_FILE
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except OSError as exc:
            raise CatalogError(f"cannot read catalogue {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{path}: invalid TOML: {exc}") from exc
        return cls(data, origin=str(path))

    # -- models --------------------------------------------------------------------------------
    def model(self, model_id: str) -> Optional[Model]:
        """The model's own entry, aliases (dated snapshots) resolved to their base model."""
        model = self.models.get(model_id)
        seen = set()
        while model is not None and model.alias_of and model.id not in seen:
            seen.add(model.id)
            model = self.models.get(model.alias_of)
        return model

    def is_known(self, model_id: str) -> bool:
        return model_id in self.models

    def returns_base64_only(self, model_id: str) -> bool:
        """Whether the model answers with base64 only (a GPT image model: no URL to ask for)."""
        params = self.params(model_id, "generate")
        if params is None:
            return False
        rule = params.get("response_format")
        return rule is None or rule.rejected or "url" not in (rule.values or ())

    def status(self, model_id: str, today: _dt.date) -> Optional[str]:
        """active / deprecated / retired on ``today``; None for an id the catalogue does not know."""
        if model_id not in self.models:
            return None
        own = self.models[model_id]
        base = self.model(model_id)
        # A snapshot with its own shutdown date wins over its base model's.
        if own.shutdown is not None or base is None:
            return own.status(today)
        return base.status(today)

    def shutdown(self, model_id: str) -> Optional[_dt.date]:
        own = self.models.get(model_id)
        if own is None:
            return None
        if own.shutdown is not None:
            return own.shutdown
        base = self.model(model_id)
        return base.shutdown if base else None

    def ids_with_status(self, status: str, today: _dt.date) -> List[str]:
        return [m for m in self.models if self.status(m, today) == status]

    def target_problem(self, model_id: str, today: _dt.date) -> Optional[str]:
        """Why ``model_id`` cannot be a --target, or None when it can."""
        if model_id not in self.models:
            return f"unknown model '{model_id}'; choose one of: {', '.join(self.targets(today))}"
        status = self.status(model_id, today)
        base = self.model(model_id)
        if status == RETIRED:
            return f"'{model_id}' is {status} (shutdown {self.shutdown(model_id)}); choose one of: {', '.join(self.targets(today))}"
        if base is None or not base.documented:
            return f"the parameter rules of '{model_id}' are not documented, so calls cannot be checked against it; choose one of: {', '.join(self.targets(today))}"
        return None

    def targets(self, today: _dt.date) -> List[str]:
        """Models a run may migrate to: served on ``today`` (deprecated ones until their shutdown)
        and with documented parameter rules."""
        return [
            m
            for m in self.models
            if self.status(m, today) != RETIRED and (self.model(m) and self.model(m).documented)
        ]

    # -- parameters ----------------------------------------------------------------------------
    def endpoint(self, name: str) -> Endpoint:
        return self.endpoints[name]

    def params(self, model_id: str, endpoint: str) -> Optional[Mapping[str, ParamRule]]:
        """The parameter rules of a model on an endpoint; None when undocumented or unsupported."""
        model = self.model(model_id)
        if model is None or not model.documented:
            return None
        return model.params.get(endpoint)

    def size_rule(self, model_id: str) -> Optional[SizeRule]:
        model = self.model(model_id)
        if model is None or not model.size_rule:
            return None
        return self.size_rules[model.size_rule]

    def error(self, key: str, **fields: Any) -> ApiError:
        spec = self.errors.get(key) or {"status": 400, "message": key, "type": "invalid_request_error", "code": key}
        return ApiError(
            status=int(spec.get("status", 400)),
            message=str(spec["message"]).format_map(_Blank(fields)),
            type=spec.get("type", "invalid_request_error"),
            code=spec.get("code", key),
            param=fields.get("param"),
        )

    @staticmethod
    def quoted(values: Sequence[Any]) -> str:
        return _quoted_list(values)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _param_rules(table: Mapping[str, Any]) -> Dict[str, ParamRule]:
    rules = {}
    for name, spec in table.items():
        rules[name] = ParamRule(
            name=name,
            values=tuple(spec["values"]) if "values" in spec else None,
            min=spec.get("min"),
            max=spec.get("max"),
            size=bool(spec.get("size", False)),
            replace=dict(spec.get("replace", {})),
            error=spec.get("error"),
            type=spec.get("type"),
            default=spec.get("default"),
            min_items=spec.get("min_items"),
            max_items=spec.get("max_items"),
        )
    return rules


def _date(value: Any) -> Optional[_dt.date]:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value))


_DEFAULT: Optional[Catalog] = None


def default_catalog() -> Catalog:
    """The packaged catalogue, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Catalog.load()
    return _DEFAULT
