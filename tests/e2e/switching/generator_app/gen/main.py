"""python -m gen.main: render the configured subject with the configured model."""

import os
import tempfile
from pathlib import Path

from .config import Config
from .generator import make_generator


def main():
    config = Config(image_model="dall-e-3")
    generator = make_generator(config)
    out_dir = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))
    for index, png in enumerate(generator.render(config.subject)):
        path = out_dir / f"switchboard-{index}.png"
        path.write_bytes(png)
        print(f"saved {path} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
