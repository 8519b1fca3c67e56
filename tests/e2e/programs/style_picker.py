"""A Gradio app that lets its users pick the quality and size of a poster: the choices it offers
are DALL-E 3's (the model is already gpt-image-2, so the gate sees no model to move)."""

import base64
import os
import sys
import tempfile

import gradio as gr
from openai import BadRequestError, OpenAI

client = OpenAI()
OUT_DIR = os.environ.get("IMAGE_OUT_DIR") or tempfile.mkdtemp()


def render(subject, quality, size):
    result = client.images.generate(model="gpt-image-2", prompt=f"style picker poster: {subject}", quality=quality, size=size)
    data = base64.b64decode(result.data[0].b64_json)
    name = f"{quality}-{size}.png"
    with open(os.path.join(OUT_DIR, name), "wb") as fh:
        fh.write(data)
    print(f"{name}: {len(data)} bytes")


demo = gr.Interface(
    render,
    inputs=[
        gr.Textbox(value="a paper lantern", label="Subject"),
        gr.Dropdown(choices=["standard", "hd"], value="hd", label="Quality"),
        gr.Radio(["512x512", "1024x1024"], label="Size"),
    ],
    outputs="image",
)

if __name__ == "__main__":
    try:
        demo.launch()
    except BadRequestError as exc:
        print(exc.body["message"] if isinstance(exc.body, dict) else exc, file=sys.stderr)
        sys.exit(1)
