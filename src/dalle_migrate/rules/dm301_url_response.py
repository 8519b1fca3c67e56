from __future__ import annotations

import dataclasses
from typing import Iterable, List

from ..context import ModuleContext
from ..findings import Applicability, Edit, Finding
from ..responses import Sinks, find_reads, import_edits
from ._common import on_azure_deployment
from .base import Invalid, Rule


class UrlResponse(Rule):
    """
    ## What it does
    Follows the result of every image call (assignments, `await`, `asyncio.gather`, loops,
    comprehensions, `with_raw_response...parse()`, legacy `["data"][0]["url"]`, the module's
    own functions) to each read of the image's `url`.

    ## Why
    GPT image models return the image as base64 in `data[i].b64_json`; `data[i].url` is always
    `None`, so the program breaks a second time where it reads the result:
    `requests.get(None)`, an `<img src="None">`, a `TypeError`.

    ## Fix safety
    Safe where the use of the URL is understood: a download becomes
    `base64.b64decode(image.b64_json)`; `urlretrieve(url, path)` writes the decoded bytes to
    `path`; IPython's `Image(url=...)` becomes `Image(data=...)`; a URL used as a string
    (returned, stored, put in HTML or Markdown, logged) becomes a
    `data:image/png;base64,...` URL (the media type follows `output_format`), and `requests`
    downloads of it further on decode it instead. `import base64` is added once. Where a real
    URL is needed (a chat embed, `webbrowser.open`, a file name parsed from the URL) there is no
    fix and the message says what a person must change.
    """

    code = "DM301"
    name = "url-response"
    summary = "Image URL read on a result that has none"
    VALID = [
        """
        import base64
        from openai import OpenAI
        result = OpenAI().images.generate(model="gpt-image-2", prompt="x")
        png = base64.b64decode(result.data[0].b64_json)
        """,
        """
        import requests
        page = requests.get("https://example.com").content
        """,
        # The result of an upload, not of an image request.
        """
        import requests
        link = requests.post("https://api.openai.com/v1/files", files={"file": b"x"}).json()["url"]
        """,
        """
        class Gallery:
            def keep(self, response):  # whatever the caller passes: not known to be a result
                self.response = response

            def link(self):
                return self.response.data[0].url
        """,
    ]
    INVALID = [
        Invalid(
            """
            import json
            from openai import OpenAI
            response = OpenAI().images.generate(model="gpt-image-2", prompt="x")
            link = json.loads(response.model_dump_json())["data"][0]["url"]
            """,
            """
            import json
            from openai import OpenAI
            response = OpenAI().images.generate(model="gpt-image-2", prompt="x")
            link = f'data:image/png;base64,{json.loads(response.model_dump_json())["data"][0]["b64_json"]}'
            """,
        ),
        Invalid(
            """
            import asyncio
            from urllib.request import urlopen
            from openai import OpenAI
            client = OpenAI()
            async def draw(prompt):
                response = await asyncio.to_thread(lambda: client.images.generate(model="gpt-image-2", prompt=prompt))
                return urlopen(response.data[0].url).read()
            """,
            """
            import asyncio
            from urllib.request import urlopen
            from openai import OpenAI
            import base64
            client = OpenAI()
            async def draw(prompt):
                response = await asyncio.to_thread(lambda: client.images.generate(model="gpt-image-2", prompt=prompt))
                return base64.b64decode(response.data[0].b64_json)
            """,
        ),
        Invalid(
            """
            import litellm
            response = litellm.image_generation(model="gpt-image-2", prompt="a fox")
            link = response.data[0].url
            """,
            """
            import litellm
            response = litellm.image_generation(model="gpt-image-2", prompt="a fox")
            link = f"data:image/png;base64,{response.data[0].b64_json}"
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            class Painter:
                def __init__(self):
                    self.client, self.response = OpenAI(), None
                def paint(self, prompt):
                    self.response = self.client.images.generate(model="gpt-image-2", prompt=prompt)
                def link(self):
                    return self.response.data[0].url
            """,
            """
            from openai import OpenAI
            class Painter:
                def __init__(self):
                    self.client, self.response = OpenAI(), None
                def paint(self, prompt):
                    self.response = self.client.images.generate(model="gpt-image-2", prompt=prompt)
                def link(self):
                    return f"data:image/png;base64,{self.response.data[0].b64_json}"
            """,
        ),
        Invalid(
            """
            from urllib.request import urlopen
            from openai import OpenAI
            result = OpenAI().images.generate(model="gpt-image-2", prompt="a fox and a hare", n=2)
            for name, image in zip(["fox", "hare"], result.data):
                open(f"{name}.png", "wb").write(urlopen(image.url).read())
            """,
            """
            from urllib.request import urlopen
            from openai import OpenAI
            import base64
            result = OpenAI().images.generate(model="gpt-image-2", prompt="a fox and a hare", n=2)
            for name, image in zip(["fox", "hare"], result.data):
                open(f"{name}.png", "wb").write(base64.b64decode(image.b64_json))
            """,
        ),
        Invalid(
            """
            import requests
            from openai import OpenAI
            client = OpenAI()
            result = client.images.generate(model="gpt-image-2", prompt="a fox")
            png = requests.get(result.data[0].url, timeout=30).content
            """,
            """
            import requests
            from openai import OpenAI
            import base64
            client = OpenAI()
            result = client.images.generate(model="gpt-image-2", prompt="a fox")
            png = base64.b64decode(result.data[0].b64_json)
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            client = OpenAI()
            def banner_html(prompt):
                result = client.images.generate(model="gpt-image-2", prompt=prompt)
                image_url = result.data[0].url
                return f'<img src="{image_url}">'
            """,
            """
            from openai import OpenAI
            client = OpenAI()
            def banner_html(prompt):
                result = client.images.generate(model="gpt-image-2", prompt=prompt)
                image_url = f"data:image/png;base64,{result.data[0].b64_json}"
                return f'<img src="{image_url}">'
            """,
        ),
        Invalid(
            """
            from openai import OpenAI
            def markdown(prompt):
                result = OpenAI().images.generate(model="gpt-image-2", prompt=prompt)
                return f"![{prompt}]({result['data'][0]['url']})"
            """,
            """
            from openai import OpenAI
            def markdown(prompt):
                result = OpenAI().images.generate(model="gpt-image-2", prompt=prompt)
                return f"![{prompt}](data:image/png;base64,{result['data'][0]['b64_json']})"
            """,
        ),
        Invalid(
            # The download's checks go with it; code that lands inside an f-string takes the
            # quote that f-string does not use (Python < 3.12 ends it at its own).
            """
            import requests
            from openai import OpenAI
            client = OpenAI()
            def url_of(prompt):
                return client.images.generate(model="gpt-image-2", prompt=prompt).data[0].url
            u = url_of("a fox")
            response = requests.get(u, timeout=30)
            response.raise_for_status()
            print(f"got {len(response.content)} bytes")
            """,
            """
            import requests
            from openai import OpenAI
            import base64
            client = OpenAI()
            def url_of(prompt):
                return f'data:image/png;base64,{client.images.generate(model="gpt-image-2", prompt=prompt).data[0].b64_json}'
            u = url_of("a fox")
            print(f"got {len(base64.b64decode(u.partition(',')[2]))} bytes")
            """,
        ),
        Invalid(
            """
            import webbrowser
            from openai import OpenAI
            result = OpenAI().images.generate(model="gpt-image-2", prompt="x")
            webbrowser.open(result.data[0].url)
            """
        ),
        # Semantic Kernel returns the image's base64 where it returned its URL (from 1.41.0).
        Invalid(
            """
            from urllib.request import urlopen
            from semantic_kernel.connectors.ai.open_ai import OpenAITextToImage
            async def draw(prompt):
                image = await OpenAITextToImage(ai_model_id="gpt-image-2").generate_image(prompt)
                return urlopen(image).read()
            """,
            """
            from urllib.request import urlopen
            from semantic_kernel.connectors.ai.open_ai import OpenAITextToImage
            import base64
            async def draw(prompt):
                image = await OpenAITextToImage(ai_model_id="gpt-image-2").generate_image(prompt)
                return base64.b64decode(image)
            """,
            unsafe=True,
        ),
        # A plain HTTP request's decoded JSON: the same field, read as a key.
        Invalid(
            """
            import requests
            r = requests.post("https://api.openai.com/v1/images/generations", json={"model": "gpt-image-2", "prompt": "x"})
            png = requests.get(r.json()["data"][0]["url"]).content
            """,
            """
            import requests
            import base64
            r = requests.post("https://api.openai.com/v1/images/generations", json={"model": "gpt-image-2", "prompt": "x"})
            png = base64.b64decode(r.json()["data"][0]["b64_json"])
            """,
        ),
    ]

    def check_module(self, ctx: ModuleContext) -> Iterable[Finding]:
        for read in find_reads(ctx):
            if read.field != ctx.catalog.response.url_field:
                continue
            yield from self._check_read(ctx, read)

    def _check_read(self, ctx: ModuleContext, read) -> Iterable[Finding]:
        for finding in self._read_findings(ctx, read):
            if finding.path is not None and ctx.path is not None:
                # Read in another module (a caller of a function returning the result): the
                # message names the call the result comes from.
                row, column = ctx.lines.position(ctx.span(read.call.node)[0])
                finding = dataclasses.replace(finding, reaches=((ctx.path, row, column + 1, None),))
            yield finding

    def _read_findings(self, ctx: ModuleContext, read) -> Iterable[Finding]:
        # The read may be in another module of the project (a caller of a function that
        # returns the response): it is rewritten there.
        sinks = Sinks(ctx.owner(read.node), ctx)
        rewrite = sinks.rewrite(read)
        message = "GPT image models return no URL (`url` is always None); the image is in `b64_json`"
        applicability = None
        if read.bare:
            message = f"`{read.call.method}` {read.call.result_note}"
            applicability = Applicability.UNSAFE  # (right with the library version that returns base64)
        if rewrite.blocker:
            yield on_azure_deployment(self.finding(ctx, read.node, f"{message}. No automatic fix: {rewrite.blocker}."), read.call, ctx)
            return
        edits = [dataclasses.replace(e, local=True) for e in rewrite.edits] + _imports(sinks, rewrite)
        # A rewritten read changes only how this result is used: local.
        yield on_azure_deployment(self.finding(ctx, read.node, f"{message}.", rewrite.description, edits, applicability=applicability), read.call, ctx)


def _imports(sinks: Sinks, rewrite) -> List[Edit]:
    """The imports the rewritten code needs, in each module it edits."""
    edits: List[Edit] = []
    for path, module in sinks.modules.items():
        code = "".join(e.content for e in rewrite.edits if e.path == path)
        needed = [name for name in ("base64", "pathlib") if f"{name}." in code]
        edits += [dataclasses.replace(e, path=path) for e in import_edits(module, needed)]
    return edits
