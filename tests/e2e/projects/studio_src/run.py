"""Render the shop's product shots without installing the package: python run.py"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from studio.service import StudioService  # noqa: E402

SHOTS = {
    "mug": "studio product shot: a ceramic mug on a walnut table",
    "tote": "studio product shot: a canvas tote bag hanging on a hook",
}


def main() -> None:
    out_dir = Path(os.environ.get("IMAGE_OUT_DIR", tempfile.gettempdir()))
    service = StudioService()
    for name, prompt in SHOTS.items():
        for suffix, render in (("", service.render), ("-thumb", service.thumbnail)):
            png = render(prompt)
            path = out_dir / f"{name}{suffix}.png"
            path.write_bytes(png)
            print(f"saved {path} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
