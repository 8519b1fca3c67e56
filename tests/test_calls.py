"""What counts as an OpenAI image call: every SDK surface found, look-alikes never."""

from __future__ import annotations

import pytest

from dalle_migrate.calls import Surface, find_image_calls
from dalle_migrate.context import ModuleContext
from support import dedent, settings


def calls(code: str):
    return find_image_calls(ModuleContext(dedent(code), settings()))


FOUND = [
    pytest.param(
        # Collecting `update.flag = ...` asks for the origin of `self.make()`, which asks this
        # module's call finder again while it is being built (it recursed until RecursionError).
        """
        import openai
        class Helper:
            def make(self):
                return {}
        class BotTest(Helper):
            def test_error(self):
                update = self.make()
                update.flag = True
        client = openai.OpenAI()
        client.images.generate(model="dall-e-3", prompt="x")
        """,
        Surface.CLIENT, False, False, id="attribute-set-on-a-method-result",
    ),
    pytest.param(
        """
        import streamlit as st
        st.session_state.client.images.generate(model="dall-e-3", prompt="x")
        """,
        Surface.UNTRACED, False, False, id="read-off-another-packages-object",
    ),
    pytest.param(
        """
        from openai import OpenAI
        client = OpenAI()
        client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="sync-client-variable",
    ),
    pytest.param(
        """
        from openai import OpenAI as OAI
        OAI(api_key="k").images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="alias-inline",
    ),
    pytest.param(
        """
        import openai as oa
        client = oa.OpenAI()
        client.images.edit(image=b"", prompt="x")
        """,
        Surface.CLIENT, False, False, id="module-alias-attribute-class",
    ),
    pytest.param(
        """
        import openai
        openai.images.generate(prompt="x")
        """,
        Surface.MODULE, False, False, id="module-level",
    ),
    pytest.param(
        """
        import openai
        openai.api_type = "azure"
        openai.images.generate(prompt="x")
        """,
        Surface.MODULE, False, True, id="module-level-azure",
    ),
    pytest.param(
        """
        from openai import AsyncOpenAI
        client = AsyncOpenAI()
        async def main():
            await client.images.generate(prompt="x")
        """,
        Surface.CLIENT, True, False, id="async-client",
    ),
    pytest.param(
        """
        from openai import AzureOpenAI
        client = AzureOpenAI(api_version="2024-02-01")
        client.images.generate(model="dep", prompt="x")
        """,
        Surface.CLIENT, False, True, id="azure",
    ),
    pytest.param(
        """
        from openai.lib.azure import AsyncAzureOpenAI
        async def f():
            return await AsyncAzureOpenAI().images.generate(model="dep", prompt="x")
        """,
        Surface.CLIENT, True, True, id="async-azure-submodule-import",
    ),
    pytest.param(
        """
        from openai import OpenAI
        class Painter:
            def __init__(self):
                self.client = OpenAI()
            def paint(self):
                return self.client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="self-attribute",
    ),
    pytest.param(
        """
        from openai import OpenAI
        class Painter:
            client = OpenAI()
            def paint(self):
                return self.client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="class-attribute",
    ),
    pytest.param(
        """
        from typing import Optional
        from openai import OpenAI
        def paint(client: Optional[OpenAI] = None):
            return client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="annotated-parameter",
    ),
    pytest.param(
        """
        from openai import OpenAI
        def paint(client: "OpenAI"):
            return client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="string-annotation",
    ),
    pytest.param(
        """
        from openai import OpenAI
        client = None
        def init():
            global client
            client = OpenAI()
        def paint():
            return client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="global-set-later",
    ),
    pytest.param(
        """
        from openai import OpenAI
        client = OpenAI()
        client.with_options(timeout=60).images.with_raw_response.generate(prompt="x").parse()
        """,
        Surface.CLIENT, False, False, id="with-options-raw-response",
    ),
    pytest.param(
        """
        from openai import OpenAI
        with OpenAI().images.with_streaming_response.generate(prompt="x") as r:
            pass
        """,
        Surface.CLIENT, False, False, id="streaming-response",
    ),
    pytest.param(
        """
        from openai import OpenAI
        def get_client():
            return OpenAI()
        get_client().images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="factory-function",
    ),
    pytest.param(
        """
        from openai import OpenAI
        with OpenAI() as client:
            client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="with-as",
    ),
    pytest.param(
        """
        from openai import OpenAI
        import fastapi
        app = fastapi.FastAPI()
        app.state.client = OpenAI()
        app.state.client.images.generate(prompt="x")
        """,
        Surface.CLIENT, False, False, id="attribute-of-other-object",
    ),
    pytest.param(
        """
        def paint(client):
            return client.images.generate(model="dall-e-3", prompt="x")
        """,
        Surface.UNTRACED, False, False, id="untraced-with-openai-model",
    ),
    pytest.param(
        """
        import openai
        openai.Image.create(prompt="x", n=1)
        """,
        Surface.LEGACY, False, False, id="legacy",
    ),
    pytest.param(
        """
        from openai import Image
        async def f():
            await Image.acreate(prompt="x")
        """,
        Surface.LEGACY, True, False, id="legacy-async-from-import",
    ),
]


@pytest.mark.parametrize("code,surface,is_async,azure", FOUND)
def test_image_call_found(code, surface, is_async, azure):
    found = calls(code)
    assert len(found) == 1
    call = found[0]
    assert (call.surface, call.is_async, call.azure) == (surface, is_async, azure)


NOT_FOUND = [
    pytest.param(
        # Members of another SDK's client instance stay that SDK's, however they are reached.
        """
        from together import Together
        c = Together()
        c.with_options(timeout=5).images.generate(model="dall-e-3", prompt="x")
        c.with_raw_response.images.generate(model="dall-e-3", prompt="x")
        c.beta.images.generate(model="dall-e-3", prompt="x")
        """,
        id="other-sdk-instance-members",
    ),
    pytest.param(
        """
        import together
        together.Together().images.generate(model="dall-e-3", prompt="x")
        """,
        id="other-sdk-inline",
    ),
    pytest.param(
        """
        from together import Together
        client = Together()
        client.images.generate(model="dall-e-3", prompt="x")
        """,
        id="other-sdk-variable",
    ),
    pytest.param(
        """
        from openai import OpenAI
        class MyImages:
            def generate(self, **kw): ...
        class Wrapper:
            images = MyImages()
        Wrapper().images.generate(model="dall-e-3", prompt="x")
        """,
        id="own-class-in-openai-module",
    ),
    pytest.param(
        """
        from openai import OpenAI
        def paint(client):
            return client.images.generate(prompt="x")
        """,
        id="untraced-without-model",
    ),
    pytest.param(
        """
        def paint(client):
            return client.images.generate(model="stable-diffusion-xl", prompt="x")
        """,
        id="untraced-other-model",
    ),
    pytest.param(
        """
        from openai import OpenAI
        from together import Together
        client = OpenAI()
        def other():
            client = Together()
            return client.images.generate(model="dall-e-3", prompt="x")
        """,
        id="shadowed-in-function",
    ),
    pytest.param(
        """
        from openai import OpenAI
        client = OpenAI()
        client.images.list()
        client.chat.completions.create(model="dall-e-3", messages=[])
        """,
        id="other-methods",
    ),
    pytest.param(
        """
        from PIL import Image
        Image.create(prompt="x")
        """,
        id="pil-image",
    ),
]


@pytest.mark.parametrize("code", NOT_FOUND)
def test_not_an_image_call(code):
    assert calls(code) == []
