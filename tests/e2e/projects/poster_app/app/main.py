"""Render the spring poster: python -m app.main"""

import os
import tempfile
from pathlib import Path

from .images import generate


def main() -> None:
    out_dir = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))
    png = generate("spring poster: cherry blossoms over a quiet canal, watercolour")
    path = out_dir / "poster.png"
    path.write_bytes(png)
    print(f"saved {path} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
