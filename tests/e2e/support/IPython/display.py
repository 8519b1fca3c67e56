"""``IPython.display.Image`` and ``display``, as far as notebook code that shows images needs them.

``Image`` keeps what it is given, like IPython's: ``data`` (bytes), or ``url`` to be loaded by the
front end; with neither it raises ValueError as IPython does. A string passed as ``data`` that
looks like a URL is taken as the URL, also as IPython does. ``display`` stands in for the
notebook: it loads a URL image (as the browser would), writes the bytes it would show to
IMAGE_OUT_DIR as ``displayed-<n>.png`` and prints ``displayed-<n>.png: <size> bytes``.
"""

import itertools
import os
import tempfile
import urllib.request

_shown = itertools.count()


class Image:
    def __init__(self, data=None, url=None, filename=None, format=None, embed=None, width=None, height=None, **kwargs):
        if isinstance(data, str) and data.startswith(("http://", "https://", "data:")) and url is None:
            url, data = data, None
        if data is None and url is None and filename is None:
            raise ValueError("No image data found. Expecting filename, url, or data.")
        self.data = data
        self.url = url
        self.filename = filename
        self.width = width
        self.height = height

    def load(self):
        if self.data is not None:
            return self.data
        if self.filename is not None:
            with open(self.filename, "rb") as fh:
                return fh.read()
        with urllib.request.urlopen(self.url) as response:
            return response.read()


def display(*objects, **kwargs):
    for obj in objects:
        if not isinstance(obj, Image):
            print(repr(obj))
            continue
        data = obj.load()
        name = f"displayed-{next(_shown)}.png"
        with open(os.path.join(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()), name), "wb") as fh:
            fh.write(data)
        print(f"{name}: {len(data)} bytes")
