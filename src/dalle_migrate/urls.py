"""What URL an expression holds, as far as the code shows it (an HTTP request's, a client's
``base_url``): its possible texts, a part the code does not show written as ``HOLE``."""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from .context import ModuleContext
from .scopes import Assignment
from .values import dotted_name, resolver, string_value

HOLE = "\x00"  # a part of a URL the code does not show
_MAX_TEXTS = 16
_MAX_DEPTH = 6


def url_texts(ctx: ModuleContext, node: cst.BaseExpression, depth: int = 0) -> List[str]:
    """The texts a URL expression may have, a part the code does not show written as ``HOLE``
    (``f"{base}/images/generations"`` with ``base`` a parameter: ``"\\x00/images/generations"``)."""
    value = string_value(node)
    if isinstance(value, str):
        return [value]
    if depth > _MAX_DEPTH:
        return [HOLE]
    if isinstance(node, cst.FormattedString):
        texts = [""]
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces = [part.value]
            else:
                pieces = url_texts(ctx, part.expression, depth + 1)
            texts = _joined(texts, pieces)
        return texts
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _joined(url_texts(ctx, node.left, depth + 1), url_texts(ctx, node.right, depth + 1))
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "replace" and len(node.args) == 2:
        old, new = (string_value(a.value) for a in node.args)  # endpoint.replace("chat/completions", "images/generations")
        if isinstance(old, str) and isinstance(new, str) and old:
            texts = url_texts(ctx, node.func.value, depth + 1)
            return list(dict.fromkeys(t.replace(old, new) if old in t else (t + new if t.endswith(HOLE) else t) for t in texts))
    if isinstance(node, cst.Call) and (dotted_name(node.func) or "").rsplit(".", 1)[-1] == "urljoin" and len(node.args) == 2:
        base, tail = (url_texts(ctx, a.value, depth + 1) for a in node.args)
        return _joined([b if b.endswith("/") else b + "/" for b in base], [t.lstrip("/") for t in tail])
    if isinstance(node, cst.Name):
        scope = ctx.scope(node)
        assignments = scope[node.value] if scope is not None else ()
        values = [resolver(ctx).assigned_value(a.node) for a in assignments if isinstance(a, Assignment)]
        if values and all(v is not None for v in values):
            texts = [t for v in values for t in url_texts(ctx, v, depth + 1)]  # type: ignore[arg-type]
            return list(dict.fromkeys(texts))[:_MAX_TEXTS]
    # A setting, a parameter, an imported constant: what the resolver knows (the default of
    # `os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")`), and a hole for the rest.
    resolution = resolver(ctx).resolve(node)
    texts = [v.value for v in resolution.values if v.is_str]
    if not resolution.complete or not texts:
        texts.append(HOLE)
    return texts[:_MAX_TEXTS]


def url_host(ctx: ModuleContext, node: cst.BaseExpression) -> Optional[str]:
    """The one host a URL expression names, when the code shows it (``base_url=...``)."""
    hosts = {host_of(t) for t in url_texts(ctx, node)}
    return hosts.pop() if len(hosts) == 1 else None


def _joined(left: List[str], right: List[str]) -> List[str]:
    return list(dict.fromkeys(a + b for a in left for b in right))[:_MAX_TEXTS]


def endpoint_of(text: str, paths: Dict[str, str]) -> Optional[str]:
    """The endpoint a URL text ends at (``.../images/generations?x=1`` -> generate)."""
    path = text.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    for tail, endpoint in paths.items():  # ("images/generations": "generate")
        if path.endswith(tail):
            before = path[: -len(tail)]
            if before == "" or before.endswith(("/", HOLE)):
                return endpoint
    return None


def host_of(text: str) -> Optional[str]:
    """The host a URL text names, when the code shows it."""
    if HOLE in text.split("/images/", 1)[0].split("://", 1)[0] or "://" not in text:
        return None
    host = text.split("://", 1)[1].split("/", 1)[0]
    return None if HOLE in host else host.split("@")[-1].split(":")[0].lower()
