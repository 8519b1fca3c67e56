"""The early exits: which files can hold a finding at all, proven before LibCST reads them.

A finding of a file's own needs an image call or a model id in its code. The analysis finds an
image call only by its shape, ``<receiver>.images.<method>(...)`` (through ``with_raw_response``
too) or ``<Image class>.<verb>(...)`` of the 0.x SDK, and DM105 only reports a string literal
that is a model id, outside docstrings and comments. Values a call of another module takes are
reported by that module's analysis, wherever they are defined. So:

1. **The byte scan** (every file, in the run's scan): a model id's stem (``dall-e-``,
   ``gpt-image-``) or an image call's text (``images`` followed by ``.`` and a method,
   ``Image.create``...; spaces, line breaks and continuations allowed between the parts), or
   ``getattr(client.images, "generate")``, the Responses image tool's configuration
   (``"type": "image_generation"``), or an Images
   endpoint's path (``images/generations``), which a plain HTTP request's URL ends with. Chat,
   embeddings and agents code that names ``openai`` has neither, and is never decoded. For a
   notebook the code cells are what counts: one kept for an id in a markdown cell or an output
   is decoded by the C JSON decoder and its code scanned again, outputs never walked.
2. **The compiled proof** (a file the scan kept, before LibCST): CPython compiles it, in C, and
   the names and string constants of its code objects must hold ``images`` with an image
   method, ``Image`` with a legacy verb, a model id, or a string holding an endpoint's path;
   the compiler joins ids written with
   escapes or split over several literals. What it drops (a local variable's annotation,
   ``if False:`` blocks) is looked for in CPython's syntax tree when the text quotes an id.
   A file CPython cannot compile goes to the analysis, which reports it.

Both are proven against the analysis itself (tests/test_prefilter.py: every fixture, regression
input, end-to-end program and project, rule example and generated case gives the same findings
with the exits forced open). What neither sees, and the analysis could: an id broken inside its
stem (``"dall" "-e-3"``, ``"dall\\x2de-3"``), the tool's type split the same way
(``"image_" "generation"``), and an image method reached through a name the call's text does
not show (``imgs = client.images; imgs.generate(...)``: the analysis does not follow that
either). The 0.x class imported under another name (``from openai import Image as Img``) is
seen by its import: ``Image`` and ``as`` in the bytes, ``Image`` and a verb among the names.

Substring searches over the raw bytes (``bytes.__contains__``, ``bytes.find``) are several times
faster in CPython than one regular expression with the same alternatives, which matters when
most of a large repository is skipped here.
"""

from __future__ import annotations

import ast
import gc
import os
import re
import warnings
from types import CodeType
from typing import Dict, Iterable, List, Optional, Tuple

from .catalog import Catalog

_VERSIONED = re.compile(r"^(.*?-)(?=\d)")


def needles(catalog: Catalog) -> Tuple[bytes, ...]:
    """The fewest substrings such that every model id contains one.

    A model id is reduced to its stem before the first version number (``dall-e-3`` ->
    ``dall-e-``, ``gpt-image-1.5`` -> ``gpt-image-``), then any needle that contains another is
    dropped (``chatgpt-image-latest`` contains ``gpt-image-``).
    """
    words = set()
    for model_id in catalog.models:
        match = _VERSIONED.match(model_id)
        words.add(match.group(1) if match else model_id)
    return tuple(sorted(w.encode() for w in _minimal(words)))


def grep_pattern(catalog: Catalog) -> str:
    """The byte scan as one extended regular expression (for comparing with grep): model-id
    stems, ``images.<method>`` (through a response wrapper too) and ``Image.<verb>``, without
    the spaces and line breaks the scan allows between the parts."""
    sdk = catalog.sdk
    methods = "|".join(sorted(catalog.methods))
    wrappers = "|".join(sdk.response_wrappers)
    verbs = "|".join(sorted(catalog.legacy_methods))
    parts = [n.decode().replace(".", r"\.") for n in needles(catalog)]
    parts.append(rf"{sdk.images_attribute}\.(({wrappers})\.)?({methods})")
    parts.append(rf"{sdk.legacy_class}\.({verbs})")
    parts.extend(p.decode() for p in endpoint_paths(catalog))
    tool = catalog.responses_tool
    parts.append(rf"{tool.type_key}[\"']?[[:space:]]*[:=][[:space:]]*[\"']{tool.type_value}")
    return "|".join(parts)


def endpoint_paths(catalog: Catalog) -> Tuple[bytes, ...]:
    """The Images endpoints' paths as a request's URL ends (``images/generations``): a module
    sending a plain HTTP request writes one (http_requests.py)."""
    return tuple(sorted(p.encode() for p in catalog.http.paths))


def _minimal(words: Iterable[str]) -> List[str]:
    ordered = sorted(set(words), key=len)
    kept: List[str] = []
    for word in ordered:
        if not any(k in word for k in kept):
            kept.append(word)
    return kept


_SIZE = re.compile(rb"[\"']\d{2,5}x\d{2,5}[\"']")
_SIZE_TEXT = re.compile(r"\d{2,5}x\d{2,5}")
_CALLED = re.compile(rb"[ \t]*\(")


def value_needles(catalog: Catalog, target: str) -> Tuple[bytes, ...]:
    """Quoted values some model's parameters took that the target's reject (``"hd"``, ``"vivid"``,
    ``"url"``): a module holding one may define what an image call elsewhere uses."""
    return tuple(sorted(q + w.encode() + q for w in rejected_values(catalog, target) for q in (b'"', b"'")))


def rejected_values(catalog: Catalog, target: str, parameters: Optional[Iterable[str]] = None, retiring_only: bool = False) -> set:
    """Values some model's parameters (of ``parameters``, or any) took that the target rejects
    (``retiring_only``: some model with a shutdown date took)."""
    wanted = set(parameters) if parameters is not None else None
    words = set()
    taken = {  # what the target accepts for any parameter: no sign of a value to migrate
        v for endpoint in catalog.endpoints for rule in (catalog.params(target, endpoint) or {}).values()
        for v in (getattr(rule, "values", None) or ()) if isinstance(v, str)
    }
    for model_id in catalog.models:
        if retiring_only and catalog.shutdown(model_id) is None:
            continue
        for endpoint in catalog.endpoints:
            rules = catalog.params(model_id, endpoint) or {}
            target_rules = catalog.params(target, endpoint) or {}
            for name, rule in rules.items():
                if wanted is not None and name not in wanted:
                    continue
                values = getattr(rule, "values", None) or ()
                accepted = getattr(target_rules.get(name), "values", None) or ()
                words.update(v for v in values if isinstance(v, str) and v not in accepted and v not in taken)
    return words


class Prefilter:
    """Two proofs that a file cannot have a finding of its own, the cheaper first:

    1. ``may_have_findings(data)``, on the raw bytes: no model id's stem and no text of an image
       call (``images.generate(``, ``client.images.with_raw_response.edit(``,
       ``openai.Image.create(``). Chat, embeddings and agents code naming ``openai`` has neither.
    2. ``code_may_have_findings(source)``, for a file the first kept: CPython compiles it (in C,
       several times faster than LibCST's parse and index) and its code objects' names and
       constants say whether the image call's names or a model id exist as code, not only in a
       comment, a docstring or a longer string (``# gpt-image-1 bills per token``).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._values: dict = {}
        self._all_rejected: dict = {}  # target -> what it rejects of every value some model took
        sdk = catalog.sdk
        self.models = needles(catalog)
        self.package = sdk.package.encode()
        # Occurrence-driven: `images` and `Image` are found with bytes.find (memchr speed), and
        # only there is the call's shape matched; one regular expression over the whole file
        # was most of a scan of a tree where every file names openai.
        gap = rb"(?:[ \t\r\n\\]|#[^\n]*)*"  # what may separate the parts: spaces, line breaks, continuations, comments
        methods = b"|".join(re.escape(m.encode()) for m in sorted(catalog.methods, key=len, reverse=True))
        wrappers = b"|".join(re.escape(w.encode()) for w in sdk.response_wrappers)
        verbs = b"|".join(re.escape(m.encode()) for m in sorted(catalog.legacy_methods, key=len, reverse=True))
        self.images = sdk.images_attribute.encode()
        self.legacy = sdk.legacy_class.encode()
        self._images_call = re.compile(rb"%s%s\.%s(?:(?:%s)%s\.%s)?(?:%s)\b" % (re.escape(self.images), gap, gap, wrappers, gap, gap, methods))
        # `getattr(client.images, "generate")`: the method named in a string.
        # ... and in one pass over the word's occurrences, `getattr(client.images, "generate")`.
        self._images_named = re.compile(
            rb"%s%s(?:\.%s(?:(?:%s)%s\.%s)?(?:%s)\b|,%s[rRuU]?[\"'](?:%s)[\"'])"
            % (re.escape(self.images), gap, gap, wrappers, gap, gap, methods, gap, methods)
        )
        self._legacy_call = re.compile(rb"%s%s\.%s(?:%s)\b" % (re.escape(self.legacy), gap, gap, verbs))
        # The 0.x class imported under another name (`from openai import Image as Img`), whose
        # calls (`Img.create(`) do not spell it.
        self._legacy_alias = re.compile(rb"%s(?:[ \t\r\n\\]|#[^\n]*)+as[ \t\r\n\\]+[A-Za-z_]" % re.escape(self.legacy))
        # Second stage: names and values as the compiler keeps them.
        self._ids = frozenset(catalog.models)
        self._quoted_id = re.compile(
            rb"""(?<![\w])[rRuU]?(["']{1,3})(?:%s)\1""" % b"|".join(re.escape(m.encode()) for m in sorted(catalog.models, key=len, reverse=True))
        )
        self._methods = frozenset(catalog.methods)
        self._verbs = frozenset(catalog.legacy_methods)
        # Wrapper libraries (catalogue [wrappers.*]): their class or function names in the text;
        # in the compiled code, that name and the wrapper's package (it is imported from there).
        # (A function named like the tool's type, LiteLLM's `image_generation(`, is found in the
        # tool's own scan; each other word costs one scan of every file.)
        tool_value = catalog.responses_tool.type_value
        words = {w.tool_name if w.kind == "tool_name" else w.symbols[0].rsplit(".", 1)[-1] for w in catalog.wrappers.values()}
        self._called_like_tool = tool_value in words
        self._wrapper_words = tuple(sorted(w.encode() for w in words if w != tool_value))
        self._wrapper_probes = _probes(self._wrapper_words, sdk.legacy_class.encode())
        # One search that most files fail spares most of the others: the words of an image
        # call (`images`, `Image`) share a part (`mage`), and so do the tool's type and several
        # ids and wrapper names; a file without that part holds none of the words that have it
        # (most files of a project: 8-15% of a course's or litellm's have it, 2% of Django's).
        gate = _longest_common_part(self.images, self.legacy)
        self._gate = gate if len(gate) >= 3 else b""  # (b"" is in every file: no gate)
        self._models_open = tuple(n for n in self.models if self._gate not in n)
        self._models_gated = tuple(n for n in self.models if self._gate in n)
        self._probes_open = tuple(p for p in self._wrapper_probes if self._gate not in p[0])
        self._probes_gated = tuple(p for p in self._wrapper_probes if self._gate in p[0])
        self._tool_gated = self._gate in catalog.responses_tool.type_value.encode()
        self._wrappers = [
            ({s.split(".")[0] for s in w.symbols}, {s.rsplit(".", 1)[-1] for s in w.symbols}, w.tool_name, w.forwards)
            for w in catalog.wrappers.values()
        ]
        self._prefixes = tuple(sorted({p for w in catalog.wrappers.values() for p in w.model_prefixes}))
        # What a forwarding wrapper's call can be reported for without a model id: a value the
        # default target rejects (`quality="hd"`, `style="vivid"`, `response_format="url"`).
        # (Quality and style: `"url"` and the like are in every module of a wrapper's own package.)
        self._rejected_values = frozenset(rejected_values(catalog, catalog.default_target, ("quality", "style"), retiring_only=True))
        # The Responses image tool: `"type": "image_generation"` / `type="image_generation"`.
        tool = catalog.responses_tool
        self._tool = (tool.type_key, tool.type_value)
        self.tool_value = tool.type_value.encode()
        # The fields of a result that GPT image models leave None (`resp.data[0].url`): a
        # module reading one may be handed the result of a call elsewhere.
        response = catalog.response
        self._result_names = frozenset((response.url_field, response.revised_prompt_field))
        self._result_fields = tuple(sorted(n.encode() for n in self._result_names))
        self._field_read = re.compile(rb"\.[ \t]*(?:%s)\b" % b"|".join(re.escape(f) for f in self._result_fields))
        # A plain HTTP request to an Images endpoint: its path in a string.
        self._paths = endpoint_paths(catalog)
        self._http = _HttpShapes(catalog)
        self._path_stem = os.path.commonprefix(list(self._paths)) if self._paths else b"\x00"
        self._path_texts = tuple(p.decode() for p in self._paths)
        self._tool_key = re.compile(rb"%s[\"']?%s[:=]%s[rRuU]?[\"']$" % (re.escape(tool.type_key.encode()), gap, gap))

    def may_hold_values(self, data: bytes, target: str) -> bool:
        """Whether a module that cannot have a finding of its own may still define a value an
        image call of another module uses (a model id, a size, a quality the target rejects), or
        read the result such a call returns (``.url``)."""
        if self.may_have_findings(data):
            return True
        for field in self._result_fields:  # a result's field read here, the call elsewhere
            if field in data:
                return True
        needles = self._values.get(target)
        if needles is None:
            needles = self._values[target] = value_needles(self.catalog, target)
        return any(needle in data for needle in needles) or _SIZE.search(data) is not None

    def code_may_hold_values(self, data: bytes, target: str) -> bool:
        """``may_hold_values`` for code CPython compiles: a model id's stem, a value the target
        rejects or a size among the module's string constants, or a read of a result's field
        (``url``) among its names, not only in its comments. (A
        function's body counts: a comparison there is a use of the value a call elsewhere
        takes, which that call's fix moves with it.)"""
        if self._plainly_holds(data):
            return True  # (what compiling would confirm: 0.14 s for a module of 970 KB, each edit)
        words = _compiled_words(data)
        if words is None:
            return True  # not compiled: analysed, its error reported there
        names, strings = words
        if not self._result_names.isdisjoint(names) or not self._result_names.isdisjoint(strings):
            return True  # `resp.data[0].url`, `item["url"]`, `getattr(image, "url")`, `Image(url=...)`
        rejected = self._all_rejected.get(target)
        if rejected is None:
            rejected = self._all_rejected[target] = frozenset(rejected_values(self.catalog, target))
        if not rejected.isdisjoint(strings):
            return True
        models = [needle.decode() for needle in self.models]
        if any(any(model in text for model in models) or (len(text) < 12 and _SIZE_TEXT.fullmatch(text)) for text in strings):
            return True
        # A local variable's annotation is dropped by the compiler (`Literal["dall-e-3"]`).
        return self._quoted_id.search(data) is not None and self._id_in_syntax_tree(data)

    def _plainly_holds(self, data: bytes) -> bool:
        """A result's field read as an attribute (``x.url``) or a quoted size (``"1024x1024"``)
        on a line with no ``#`` before it: the compiled proof finds that name or that string
        too (inside a longer string it would say no where this says yes, which only asks for
        more of the analysis). A module that names ``url`` only in its strings or as a variable
        is left to the compiled proof: taking every such module as holding values made
        litellm's logging module look for its importers' findings (0.09 -> 0.22 s a run)."""
        for pattern in (self._field_read, _SIZE):
            for match in pattern.finditer(data):
                at = match.start()
                if data.find(b"#", data.rfind(b"\n", 0, at) + 1, at) < 0:
                    return True
        return False

    def may_have_findings(self, data: bytes) -> bool:
        for needle in self._models_open:  # plain loops: any() over a generator costs a third more
            if needle in data:
                return True
        gated = self._gate in data
        if gated:
            for needle in self._models_gated:
                if needle in data:
                    return True
        return self._may_call_images(data, gated)

    def may_call_images(self, data: bytes) -> bool:
        """Whether the bytes may hold an image request (an Images call, the legacy class's, the
        image generation tool, a wrapper library): what another module needs to raise a finding
        in this one (a model id alone is not enough: it has no call to give it to)."""
        return self._may_call_images(data, self._gate in data)

    def _may_call_images(self, data: bytes, gated: bool) -> bool:
        """``may_call_images``, ``gated`` telling whether the bytes hold the gate (a search of a
        whole file that most files fail)."""
        if gated:  # (every word searched in here holds it)
            if (
                _spelled(data, self.images, self._images_named)
                # The 0.x class is imported from the package itself: the file names it.
                or (self.package in data and (_spelled(data, self.legacy, self._legacy_call) or _spelled(data, self.legacy, self._legacy_alias)))
                or (self._tool_gated and self._names_tool(data))
            ):
                return True
            if _holds_a_word(data, self._probes_gated):
                return True
            if self._may_post_to_images(data):
                return True
        if not self._tool_gated and self._names_tool(data):
            return True
        return _holds_a_word(data, self._probes_open)

    def may_make_image_request(self, data: bytes, notebook: bool = False) -> bool:
        """Both proofs of ``may_call_images``, on a file's bytes (a notebook's: on its code)."""
        if not self.may_call_images(data):
            return False
        if notebook:
            import json

            from .cells import decoded_code_module

            # The module the analysis reads, not the cells as written: a neighbour taken for an
            # image caller is analysed instead of having its imports followed, and a call's text
            # in a `%%writefile` cell or a shell line is no call of its module.
            try:
                code = decoded_code_module(json.loads(data))
            except ValueError:
                return True
            if code is None:
                return False
            data = code.encode("utf-8", "surrogatepass")
        return self.code_may_call_images(data)

    def signature(self) -> str:
        """What the proofs look for, as text: a reading kept from another catalogue's words is
        never taken for this one's."""
        return repr((
            self.images, self.legacy, self.package, sorted(self._methods), sorted(self._verbs), self._tool,
            self._wrapper_words, sorted((sorted(p), sorted(s), t, f) for p, s, t, f in self._wrappers), self._paths, self._http.call.pattern, self._http.body.pattern, sorted(self._http.packages),
        ))

    def code_may_call_images(self, data: bytes) -> bool:
        """``may_call_images`` for code CPython compiles: the call's names as code, not in a
        comment or a docstring (the second proof, without its model ids)."""
        if _spelled(data, self.images, self._images_call, in_code=True) or _spelled(data, self.legacy, self._legacy_call, in_code=True):
            return True
        words = _compiled_words(data)
        if words is None:
            return True  # not compiled: analysed, its error reported there
        names, strings = words
        images, legacy = self.catalog.sdk.images_attribute, self.catalog.sdk.legacy_class
        if (images in names and not self._methods.isdisjoint(names)) or (legacy in names and not self._verbs.isdisjoint(names)):
            return True
        if self._named_by_getattr(names, strings):
            return True
        key, value = self._tool
        if value in strings and (key in strings or key in names):
            return True
        if self._sends_to_images(strings) and self._may_post_to_images(data) and _posts_a_body(data, self._http):
            return True
        roots = {name.split(".", 1)[0] for name in names}
        # A wrapper's package imported, and one of its words in the text (the first proof may
        # have kept the file for another reason: an endpoint's path in an HTTP server's routes).
        return any(not packages.isdisjoint(roots) for packages, _, _, _ in self._wrappers) and (
            _holds_a_word(data, self._wrapper_probes) or self._names_tool(data)
        )

    def _may_post_to_images(self, data: bytes) -> bool:
        """An Images endpoint's path, a call of ``post`` or ``request`` and a ``json=`` or
        ``data=`` keyword in the bytes: a plain HTTP request may send a body there. (The path
        alone is in every OpenAI-compatible server's routes and provider table: 30 of litellm's
        modules, 200 KB type modules among them.)"""
        find = data.find
        at = find(self._path_stem)  # (every path starts so: one search for all of them)
        while at >= 0:
            if data.startswith(self._paths, at):
                return self._http.call.search(data) is not None and self._http.body.search(data) is not None
            at = find(self._path_stem, at + 1)
        return False

    def _named_by_getattr(self, names: set, strings: set) -> bool:
        """``images`` read and an image method's name as a string handed to ``getattr``."""
        return self.catalog.sdk.images_attribute in names and "getattr" in names and not self._methods.isdisjoint(strings)

    def _sends_to_images(self, strings: set) -> bool:
        """Whether a string constant holds an Images endpoint's path (a request's URL)."""
        for text in strings:
            if "images/" in text:
                for path in self._path_texts:
                    if path in text:
                        return True
        return False

    def _configures_tool(self, data: bytes) -> bool:
        """The tool's type after its key, in the text (the compiled code has both words, never
        their pairing: a module comparing `call_type == "image_generation"` is not it)."""
        return self._tool_occurrence(data, calls=False)

    def _names_tool(self, data: bytes) -> bool:
        """Whether the text configures the image generation tool, or calls a wrapper's
        function of that name (`litellm.image_generation(`)."""
        return self._tool_occurrence(data, calls=self._called_like_tool)

    def _tool_occurrence(self, data: bytes, calls: bool) -> bool:
        find, word = data.find, self.tool_value
        at = find(word)
        while at >= 0:
            end = at + len(word)
            # The whole string (`"image_generation_call"` is an output item's type) after the key.
            if data[end : end + 1] in (b'"', b"'") and self._tool_key.search(data, max(0, at - 240), at) is not None:
                return True
            if calls and _CALLED.match(data, end) is not None:
                return True
            at = find(word, at + 1)
        return False

    def notebook_may_have_findings(self, data: bytes) -> bool:
        """The first proof for a notebook, on its code cells only: a notebook kept for an id in
        a markdown cell or an output (a chat course's "DALL-E 3 draws the pictures later") is
        decoded in C and its code searched, with no worker, reader or parser started for it.
        A file that is no readable notebook is kept: its analysis reports why."""
        return self.may_have_findings(data) and self.notebook_code_may_have_findings(data)

    def notebook_code_may_have_findings(self, data: bytes) -> bool:
        """The notebook proof's second half: its code cells as they are written, decoded
        (``may_have_findings`` of its bytes already true). Their IPython lines are left in: the
        analysis swaps them out, which only takes words away."""
        import json  # here: most runs meet no notebook worth decoding

        from .cells import written_code

        try:
            code = written_code(json.loads(data))
        except ValueError:  # not JSON, not UTF-8
            return True
        return code is None or self.may_have_findings(code.encode("utf-8", "surrogatepass"))

    def spells_a_call(self, data: bytes) -> bool:
        """Whether an image call's text (``images.generate(``, ``Image.create(``) is in the
        bytes outside a comment: a file the analysis will parse, most likely (what a run's
        workers take first; a file kept for a model id alone is often ended by the compiled
        proof)."""
        return _spelled(data, self.images, self._images_call, in_code=True) or _spelled(data, self.legacy, self._legacy_call, in_code=True)

    def code_may_have_findings(self, source) -> bool:
        """The second proof, on a file's text (str) or bytes: False only when the compiled module
        holds neither the names of an image call (``images`` with one of its methods, or
        ``Image`` with a legacy verb) nor a model id among its string constants or quoted in
        its text. A file CPython cannot compile is analysed (its error is reported there)."""
        data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
        if self.spells_a_call(data):
            return True  # a call's text outside a comment: no proof to look for (a file full of calls)
        words = _compiled_words(source)
        if words is None:
            return True  # a file CPython cannot compile is analysed (its error is reported there)
        names, strings = words
        images, legacy = self.catalog.sdk.images_attribute, self.catalog.sdk.legacy_class
        if images in names and not self._methods.isdisjoint(names):
            return True
        if legacy in names and not self._verbs.isdisjoint(names):
            return True
        if self._named_by_getattr(names, strings):
            return True  # `getattr(client.images, "generate")`
        key, value = self._tool
        if value in strings and (key in strings or key in names) and self._configures_tool(data):
            return True  # an image generation tool's configuration (a dict, or `dict(type=...)`)
        if self._sends_to_images(strings) and self._may_post_to_images(data) and _posts_a_body(data, self._http):
            return True  # a plain HTTP request to an Images endpoint (its URL's path in a string)
        roots = {name.split(".", 1)[0] for name in names}  # `from a.b import c` names `a.b`
        for packages, symbols, tool_name, forwards in self._wrappers:
            if packages.isdisjoint(roots) or (symbols.isdisjoint(names) and tool_name not in strings):
                continue
            if (
                not forwards
                or not self._rejected_values.isdisjoint(strings)
                or any(_SIZE_TEXT.fullmatch(t) for t in strings if len(t) < 12)
                or any(t.startswith(p) and t[len(p) :] in self._ids for t in strings for p in self._prefixes)
            ):
                return True  # a wrapper imported and used (forwarding one: with a value to judge)
        if not self._ids.isdisjoint(strings):
            return True  # (spelled with escapes or split across lines too: the compiler joined them)
        # The compiler drops what is never run, a local variable's annotation among them
        # (`size: Literal["dall-e-3"]`), which the analysis reads: a quoted id in the text is
        # looked for again in CPython's syntax tree, without the docstrings and comments that
        # usually hold it.
        return self._quoted_id.search(data) is not None and self._id_in_syntax_tree(source)

    def _id_in_syntax_tree(self, source) -> bool:
        tree = syntax_tree(source)
        if tree is None:
            return True
        docstrings = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list):
                for statement in body:  # bare strings: docstrings and comments in disguise
                    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                        docstrings.add(id(statement.value))
            if isinstance(node, ast.Constant) and node.value in self._ids and id(node) not in docstrings:
                return True
        return False


# `<x>.post(` / `request(` called, or imported to be called under another name.
# (A method called as written: `.post (` too; a bare name only as `post(`, never prose's "request (".)
class _HttpShapes:
    """What a plain HTTP request's call looks like (catalogue ``[http]``), to the two proofs."""

    def __init__(self, catalog: Catalog) -> None:
        http = catalog.http
        senders = b"|".join(re.escape(m.encode()) for m in http.senders)
        bodies = b"|".join(re.escape(k.encode()) for k in http.body_keywords)
        # `<x>.post(` / `.request (` called as written, a bare name only as `post(` (never prose's
        # "request ("), or imported to be called under another name.
        self.call = re.compile(rb"\.[ \t\\\r\n]*(?:%s)[ \t]*\(|\b(?:%s)\(|\bimport\b[^\n]*\b(?:%s)\b" % (senders, senders, senders))
        self.body = re.compile(rb"\b(?:%s)\s*=(?!=)" % bodies)
        self.senders = frozenset(http.senders)
        self.bodies = frozenset(http.body_keywords)
        self.packages = frozenset(http.client_packages)


def _posts_a_body(source, shapes: _HttpShapes) -> bool:
    """Whether CPython's syntax tree of ``source`` holds what an HTTP request to an Images
    endpoint is to the analysis (http_requests.py): a call of ``<x>.post`` or ``<x>.request``
    (or of ``post``/``request`` imported from requests or httpx) with a ``json=`` or ``data=``
    keyword. (Asked only of a module whose strings hold an endpoint's path.)"""
    tree = syntax_tree(source)
    if tree is None:
        return True  # not compiled: analysed, its error reported there
    imported = set()  # `post`/`request` imported from requests or httpx, under their names here
    named = []  # calls of a bare name with a body keyword (decided once the imports are known)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg in shapes.bodies for k in node.keywords):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in shapes.senders:
                return True
            if isinstance(func, ast.Name):
                named.append(func.id)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in shapes.packages:
            imported.update(alias.asname or alias.name for alias in node.names if alias.name in shapes.senders)
    return not imported.isdisjoint(named)


def syntax_tree(source) -> Optional[ast.AST]:
    """CPython's syntax tree of ``source``; None when it cannot be parsed. The collector waits
    meanwhile: a syntax tree holds no cycle, and the collections its hundreds of thousands of
    nodes set off were two fifths of parsing a 500 KB module (0.066 s; 0.040 s without)."""
    paused = gc.isenabled()
    try:
        gc.disable()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    finally:
        if paused:
            gc.enable()


def _holds_a_word(data: bytes, probes: Tuple[Tuple[bytes, Tuple[bytes, ...]], ...]) -> bool:
    """Whether ``data`` holds one of the probed words (``_probes``)."""
    for probe, words in probes:  # plain loops: any() over a generator costs a third more
        if probe in data:
            for word in words:
                if word in data:
                    return True
    return False


def _longest_common_part(a: bytes, b: bytes) -> bytes:
    """The longest run of bytes both hold (the first found of that length)."""
    best = b""
    for start in range(len(a)):
        for end in range(start + len(best) + 1, len(a) + 1):
            if a[start:end] not in b:
                break
            best = a[start:end]
    return best


def _probes(words: Tuple[bytes, ...], shared: bytes) -> Tuple[Tuple[bytes, Tuple[bytes, ...]], ...]:
    """The wrapper words grouped under a part they share, each part searched first: every scan
    of a file is one pass over its bytes, and most files hold none of the words (a word is in
    the bytes only if its part is). Words holding ``shared`` (the legacy class's name, as in
    ``OpenAITextToImage``) go under it; the others under the prefix of five bytes or more
    they share with a neighbour in sorted order (``DallETool``, ``DallEAPIWrapper``); a word
    sharing nothing is its own probe."""
    groups: Dict[bytes, List[bytes]] = {}
    rest = []
    for word in sorted(words):
        if shared and shared in word:
            groups.setdefault(shared, []).append(word)
        else:
            rest.append(word)
    for index, word in enumerate(rest):
        best = word
        for other in rest[max(0, index - 1) : index] + rest[index + 1 : index + 2]:
            common = os.path.commonprefix([word, other])
            if len(common) >= 5 and len(common) < len(best):
                best = common
        groups.setdefault(best, []).append(word)
    return tuple((probe, tuple(found)) for probe, found in sorted(groups.items()))


def _spelled(data: bytes, word: bytes, shape: "re.Pattern[bytes]", in_code: bool = False) -> bool:
    """Whether ``shape`` matches where ``word`` occurs (a call's text starts with its word);
    ``in_code``: on a line with no ``#`` before it."""
    find, match = data.find, shape.match
    at = find(word)
    while at >= 0:
        if match(data, at) is not None and not (in_code and data.rfind(b"#", data.rfind(b"\n", 0, at) + 1, at) >= 0):
            return True
        at = find(word, at + 1)
    return False


def _compiled_words(source) -> Optional[Tuple[set, set]]:
    """(names, string constants) of the code CPython compiles from ``source`` (text or bytes);
    None when it cannot."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # `"\d"` in the scanned code: not ours to print
            # optimize=0: asserts and `if __debug__:` blocks are kept, as LibCST sees them.
            code = compile(source, "<scan>", "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    names: set = set()
    strings: set = set()
    _names_and_strings(code, names, strings)
    return names, strings


def _names_and_strings(code: CodeType, names: set, strings: set) -> None:
    """Every name (attributes, globals, imports) and string constant of a code object and the
    code objects it holds (functions, classes, comprehensions); tuples and frozensets of
    constants are the compiler's folding of literal collections. (A loop, not recursion: code
    objects nest as deep as the source's lambdas.)"""
    stack: list = [code]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            strings.add(value)
        elif kind is CodeType:
            names.update(value.co_names)
            stack.extend(value.co_consts)
        elif kind is tuple or kind is frozenset:
            stack.extend(value)


_PREFILTERS: dict = {}


def prefilter_for(catalog: Catalog) -> Prefilter:
    """One prefilter per catalogue (its patterns are built once per process)."""
    found = _PREFILTERS.get(id(catalog))
    if found is None or found.catalog is not catalog:
        found = _PREFILTERS[id(catalog)] = Prefilter(catalog)
    return found
