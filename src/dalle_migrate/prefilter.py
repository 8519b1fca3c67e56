"""The byte-level prefilter: which files can hold a finding at all, decided before any parsing.

A finding needs an image call or a model id. An image call needs its receiver traced to the
``openai`` package (so the file names it: ``from openai import OpenAI``, ``import openai``) and
spells the images API (``.images`` on a client, ``openai.Image`` before 1.0), or to a client
another module of the project makes (then the file holds the call's own text,
``images.generate``), or a known model id as its model; DM105/DM106 need a model id. So a file
that holds no model id, no image call's text, and names the package without the images API (chat,
embeddings, agents: most of the code that names ``openai``) cannot have a finding of its own,
and is never decoded or parsed.

The test is a few substring searches over the raw bytes (``bytes.__contains__``), derived from
the catalogue: in CPython they are several times faster than one regular expression with the same
alternatives, which matters when most of a large repository is skipped here.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Tuple

from .catalog import Catalog

_VERSIONED = re.compile(r"^(.*?-)(?=\d)")


def needles(catalog: Catalog) -> Tuple[bytes, ...]:
    """The fewest substrings such that every model id and the SDK's package name contains one.

    A model id is reduced to its stem before the first version number (``dall-e-3`` ->
    ``dall-e-``, ``gpt-image-1.5`` -> ``gpt-image-``), then any needle that contains another is
    dropped (``chatgpt-image-latest`` contains ``gpt-image-``).
    """
    words = {catalog.sdk.package}
    # A module that calls a client imported from another module of the project names neither
    # the package nor (when its values are imported too) a model id: the call itself does.
    images = catalog.sdk.images_attribute
    words.update(f"{images}.{attr}" for attr in list(catalog.methods) + list(catalog.sdk.response_wrappers))
    for model_id in catalog.models:
        match = _VERSIONED.match(model_id)
        words.add(match.group(1) if match else model_id)
    return tuple(sorted(w.encode() for w in _minimal(words)))


def _minimal(words: Iterable[str]) -> List[str]:
    ordered = sorted(set(words), key=len)
    kept: List[str] = []
    for word in ordered:
        if not any(k in word for k in kept):
            kept.append(word)
    return kept


_SIZE = re.compile(rb"[\"']\d{2,5}x\d{2,5}[\"']")


def value_needles(catalog: Catalog, target: str) -> Tuple[bytes, ...]:
    """Quoted values some model's parameters took that the target's reject (``"hd"``, ``"vivid"``,
    ``"url"``): a module holding one may define what an image call elsewhere uses."""
    words = set()
    taken = {  # what the target accepts for any parameter: no sign of a value to migrate
        v for endpoint in catalog.endpoints for rule in (catalog.params(target, endpoint) or {}).values()
        for v in (getattr(rule, "values", None) or ()) if isinstance(v, str)
    }
    for model_id in catalog.models:
        for endpoint in catalog.endpoints:
            rules = catalog.params(model_id, endpoint) or {}
            target_rules = catalog.params(target, endpoint) or {}
            for name, rule in rules.items():
                values = getattr(rule, "values", None) or ()
                accepted = getattr(target_rules.get(name), "values", None) or ()
                words.update(v for v in values if isinstance(v, str) and v not in accepted and v not in taken)
    return tuple(sorted(q + w.encode() + q for w in words for q in (b'"', b"'")))


class Prefilter:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._values: dict = {}
        self.needles = needles(catalog)
        package = catalog.sdk.package.encode()
        # The image calls' own needles (`images.generate`...) are looked for only in a file that
        # has their common start: one more scan of most files instead of five.
        self.gate = f"{catalog.sdk.images_attribute}.".encode()
        self.calls = tuple(n for n in self.needles if n.startswith(self.gate))
        self.models = tuple(n for n in self.needles if n != package and not n.startswith(self.gate))
        self.package = package
        # A file naming the package reaches the image API only through `<client>.images.<...>`
        # or `Image.create...` (`openai.Image`, the 0.x class): chat, embeddings and agents code
        # spells neither (`.ImageResponse`, PIL's `Image.open` are not it).
        images, legacy = re.escape(catalog.sdk.images_attribute), re.escape(catalog.sdk.legacy_class)
        verbs = "|".join(sorted({re.escape(m) for m in catalog.legacy_methods}, key=len, reverse=True))
        self.image_api = re.compile(rf"\.\s*{images}\s*\.|\b{legacy}\s*\.\s*(?:{verbs})\b".encode())

    def may_hold_values(self, data: bytes, target: str) -> bool:
        """Whether a module that cannot have a finding of its own may still define a value an
        image call of another module uses (a model id, a size, a quality the target rejects)."""
        if self.may_have_findings(data):
            return True
        needles = self._values.get(target)
        if needles is None:
            needles = self._values[target] = value_needles(self.catalog, target)
        return any(needle in data for needle in needles) or _SIZE.search(data) is not None

    def may_have_findings(self, data: bytes) -> bool:
        for needle in self.models:  # a plain loop: any() over a generator costs a third more
            if needle in data:
                return True
        if self.gate in data:
            for needle in self.calls:
                if needle in data:
                    return True
        return self.package in data and self.image_api.search(data) is not None
