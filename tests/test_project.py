"""The project layer: facts that cross module boundaries.

Every case is a small project, ``{relative path: source}`` written to ``tmp_path``, run through
the command line in-process (``check``/``fix ... --format json --today 2026-11-25``, from the
project's folder). A finding is summarised as ``file:row:column CODE``, followed by
``<- file:row:column`` (the image call(s) its message says use it) when it sits in another module
than its call, and by ``(not fixed)`` when ``fix`` was not given its file.

* ``FIX_CASES``: ``check .`` reports exactly the expected findings and writes nothing; ``fix .``
  exits 0 and changes exactly the files listed (to the text given); ``check .`` then passes and
  a second ``fix .`` changes nothing.
* ``NOOP_CASES``: ``check .`` reports exactly the expected findings (often none) and ``fix .``
  leaves every file byte-identical.
* Then runs given only some files (pre-commit), suppressions, notebooks, a git repository.

Cases marked ``xfail(strict=True)`` are bugs of the project layer, described in their reason.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import textwrap
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest
from click.testing import CliRunner

from dalle_migrate.cli import main

TODAY = ("--today", "2026-11-25")
SHUT_DOWN = "was shut down on 2026-05-12"
PYPROJECT = {"pyproject.toml": ""}

OPENAI_IMPORT = 'from openai import OpenAI\n'

# images.py: a wrapper whose parameter is the model (callers are in other modules).
WRAPPER = '''
    from openai import OpenAI

    client = OpenAI()
    def poster(prompt, model="gpt-image-2"):
        return client.images.generate(model=model, prompt=prompt)
'''


# -- running a project -------------------------------------------------------------------------
def dedent(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def write(root: Path, files: Dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(source), encoding="utf-8")


def snapshot(root: Path) -> Dict[str, bytes]:
    """Every file of the project, by its posix path relative to ``root`` (``.git`` left out)."""
    found = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if f != ".git"]
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


@dataclass
class Outcome:
    exit_code: int
    findings: List[dict]
    stdout: str
    stderr: str

    @property
    def summary(self) -> List[str]:
        return [summary(f) for f in self.findings]


_USED_BY = re.compile(r" Used by the image calls? at (?P<calls>.+?)\.(?: Not fixed:|$)")
_NOT_FIXED = re.compile(r" Not fixed: (?P<file>\S+) was not among the files given to `fix`\.$")


def summary(finding: dict) -> str:
    text = f"{finding['filename']}:{finding['location']['row']}:{finding['location']['column']} {finding['code']}"
    used = _USED_BY.search(finding["message"])
    if used is not None:
        text += f" <- {used['calls']}"
    if _NOT_FIXED.search(finding["message"]):
        text += " (not fixed)"
    return text


def dm(root: Path, command: str, *paths: str) -> Outcome:
    """``dalle-migrate <command> <paths> --format json`` run in-process from ``root``."""
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, [command, *paths, *TODAY, "--format", "json", "--no-progress"], catch_exceptions=False)
    finally:
        os.chdir(old)
    stdout = result.stdout
    findings = json.loads(stdout) if stdout.strip().startswith("[") else []
    return Outcome(result.exit_code, findings, stdout, result.stderr)


def changed_files(before: Dict[str, bytes], after: Dict[str, bytes]) -> Dict[str, str]:
    assert set(before) == set(after), "files were created or removed"
    return {name: after[name].decode("utf-8") for name in before if before[name] != after[name]}


# -- fix cases: check, fix, check, fix ----------------------------------------------------------
FIX_CASES = [
    # ---- layouts found on real repositories ---------------------------------------------------
    pytest.param(
        {
            **PYPROJECT,
            "backend/app/__init__.py": "",
            "backend/app/infra/client.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "backend/app/infra/images.py": '''
                from app.infra.client import client
                MODEL = "dall-e-3"
                def generate(prompt):
                    return client.images.generate(model=MODEL, prompt=prompt)
            ''',
        },
        ["backend/app/infra/images.py:2:9 DM101"],
        {"backend/app/infra/images.py": 'from app.infra.client import client\nMODEL = "gpt-image-2"\ndef generate(prompt):\n    return client.images.generate(model=MODEL, prompt=prompt)\n'},
        id="app-in-a-sub-folder-with-a-namespace-package",
    ),
    pytest.param(
        {
            "widget.py": '''
                from openai import OpenAI
                CLIENT = OpenAI()
                def image_result(model, prompt):
                    return CLIENT.images.generate(model=model, prompt=prompt).data[0].b64_json
            ''',
            "pages/image_generator.py": 'from widget import image_result\nimage_result("dall-e-3", "a cat")\n',
        },
        ["pages/image_generator.py:2:14 DM101 <- widget.py:4:12"],
        {"pages/image_generator.py": 'from widget import image_result\nimage_result("gpt-image-2", "a cat")\n'},
        id="streamlit-page-without-a-project-marker",
    ),
    # ---- values --------------------------------------------------------------------------------
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'MODEL = "dall-e-3"\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["config.py:1:9 DM101 <- app.py:3:1"],
        {"config.py": 'MODEL = "gpt-image-2"\n'},
        id="from-module-import-constant",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "settings.py": 'IMAGE_MODEL = "dall-e-3"\n',
            "app.py": '''
                from openai import OpenAI
                import settings
                OpenAI().images.generate(model=settings.IMAGE_MODEL, prompt="x")
            ''',
        },
        ["settings.py:1:15 DM101 <- app.py:3:1"],
        {"settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="import-module-attribute",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "settings.py": 'IMAGE_MODEL = "dall-e-3"\n',
            "app.py": '''
                from openai import OpenAI
                import settings as conf
                OpenAI().images.generate(model=conf.IMAGE_MODEL, prompt="x")
            ''',
        },
        ["settings.py:1:15 DM101 <- app.py:3:1"],
        {"settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="import-module-as",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "",
            "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
            "main.py": '''
                from openai import OpenAI
                from app import settings
                OpenAI().images.generate(model=settings.IMAGE_MODEL, prompt="x")
            ''',
        },
        ["app/settings.py:1:15 DM101 <- main.py:3:1"],
        {"app/settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="from-package-import-submodule",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "",
            "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
            "main.py": '''
                from openai import OpenAI
                import app.settings
                OpenAI().images.generate(model=app.settings.IMAGE_MODEL, prompt="x")
            ''',
        },
        ["app/settings.py:1:15 DM101 <- main.py:3:1"],
        {"app/settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="import-dotted-submodule",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "",
            "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
            "app/images.py": '''
                from openai import OpenAI
                from .settings import IMAGE_MODEL
                OpenAI().images.generate(model=IMAGE_MODEL, prompt="x")
            ''',
        },
        ["app/settings.py:1:15 DM101 <- app/images.py:3:1"],
        {"app/settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="relative-from-sibling-import-name",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "",
            "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
            "app/images.py": '''
                from openai import OpenAI
                from . import settings
                OpenAI().images.generate(model=settings.IMAGE_MODEL, prompt="x")
            ''',
        },
        ["app/settings.py:1:15 DM101 <- app/images.py:3:1"],
        {"app/settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="relative-from-dot-import-module",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "",
            "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
            "app/media/__init__.py": "",
            "app/media/images.py": '''
                from openai import OpenAI
                from ..settings import IMAGE_MODEL
                OpenAI().images.generate(model=IMAGE_MODEL, prompt="x")
            ''',
        },
        ["app/settings.py:1:15 DM101 <- app/media/images.py:3:1"],
        {"app/settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="relative-two-levels-up",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "from .settings import IMAGE_MODEL as MODEL\n",
            "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
            "main.py": '''
                from openai import OpenAI
                from app import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["app/settings.py:1:15 DM101 <- main.py:3:1"],
        {"app/settings.py": 'IMAGE_MODEL = "gpt-image-2"\n'},
        id="package-init-reexport",
    ),
    pytest.param(
        {
            "base.py": 'DEFAULT_MODEL = "dall-e-3"\n',
            "config.py": "from base import DEFAULT_MODEL\nMODEL = DEFAULT_MODEL\n",
            "main.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["base.py:1:17 DM101 <- main.py:3:1"],
        {"base.py": 'DEFAULT_MODEL = "gpt-image-2"\n'},
        id="constant-from-a-constant-two-modules-away",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": '''
                class Config:
                    model = "dall-e-3"

                cfg = Config()
            ''',
            "app.py": '''
                from openai import OpenAI
                from config import cfg
                OpenAI().images.generate(model=cfg.model, prompt="x")
            ''',
        },
        ["config.py:2:13 DM101 <- app.py:3:1"],
        {"config.py": 'class Config:\n    model = "gpt-image-2"\n\ncfg = Config()\n'},
        id="class-attribute-through-module-level-instance",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": '''
                class Config:
                    model = "dall-e-3"
            ''',
            "app.py": '''
                from openai import OpenAI
                from config import Config
                OpenAI().images.generate(model=Config.model, prompt="x")
            ''',
        },
        ["config.py:2:13 DM101 <- app.py:3:1"],
        {"config.py": 'class Config:\n    model = "gpt-image-2"\n'},
        id="class-attribute-through-imported-class",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": '''
                class Config:
                    def __init__(self):
                        self.model = "dall-e-3"

                cfg = Config()
            ''',
            "app.py": '''
                from openai import OpenAI
                from config import cfg
                OpenAI().images.generate(model=cfg.model, prompt="x")
            ''',
        },
        ["config.py:3:22 DM101 <- app.py:3:1"],
        {"config.py": 'class Config:\n    def __init__(self):\n        self.model = "gpt-image-2"\n\ncfg = Config()\n'},
        id="instance-attribute-set-in-init",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": '''
                from dataclasses import dataclass

                @dataclass
                class ImageConfig:
                    model: str = "dall-e-3"
                    quality: str = "hd"
            ''',
            "app.py": '''
                from openai import OpenAI
                from config import ImageConfig
                cfg = ImageConfig()
                OpenAI().images.generate(model=cfg.model, prompt="x", quality=cfg.quality)
            ''',
        },
        ["config.py:5:18 DM101 <- app.py:4:1", "config.py:6:20 DM202 <- app.py:4:1"],
        {
            "config.py": dedent('''
                from dataclasses import dataclass

                @dataclass
                class ImageConfig:
                    model: str = "gpt-image-2"
                    quality: str = "high"
            ''')
        },
        id="dataclass-defaults",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'QUALITY = "hd"\nSIZE = "256x256"\nMODEL = "dall-e-3"\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL, QUALITY, SIZE
                OpenAI().images.generate(model=MODEL, prompt="x", quality=QUALITY, size=SIZE)
            ''',
        },
        ["config.py:1:11 DM202 <- app.py:3:1", "config.py:2:8 DM201 <- app.py:3:1", "config.py:3:9 DM101 <- app.py:3:1"],
        {"config.py": 'QUALITY = "high"\nSIZE = "1024x1024"\nMODEL = "gpt-image-2"\n'},
        id="model-quality-size-in-settings-module",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'import os\nMODEL = os.environ.get("IMAGE_MODEL", "dall-e-3")\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["config.py:2:39 DM101 <- app.py:3:1"],
        {"config.py": 'import os\nMODEL = os.environ.get("IMAGE_MODEL", "gpt-image-2")\n'},
        id="environment-default-in-settings-module",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'MODEL = "dall-e-3"\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
            "worker.py": '''
                from openai import OpenAI
                from config import MODEL

                def job():
                    return OpenAI().images.generate(model=MODEL, prompt="y")
            ''',
        },
        ["config.py:1:9 DM101 <- app.py:3:1, worker.py:5:12"],
        {"config.py": 'MODEL = "gpt-image-2"\n'},
        id="one-value-two-calls-in-two-modules",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'from openai import OpenAI\nMODEL = "dall-e-3"\nOpenAI().images.generate(model=MODEL, prompt="own")\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["config.py:2:9 DM101 <- app.py:3:1"],
        {"config.py": 'from openai import OpenAI\nMODEL = "gpt-image-2"\nOpenAI().images.generate(model=MODEL, prompt="own")\n'},
        id="value-used-by-its-own-module-and-another",
    ),
    # ---- clients -------------------------------------------------------------------------------
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "app.py": '''
                from clients import client
                client.images.generate(prompt="x")
            ''',
        },
        ["app.py:2:1 DM103"],
        {"app.py": 'from clients import client\nclient.images.generate(model="gpt-image-2", prompt="x")\n'},
        id="client-instance-imported",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from openai import OpenAI\n\ndef get_client():\n    return OpenAI()\n",
            "app.py": '''
                from clients import get_client
                get_client().images.generate(prompt="x")
            ''',
        },
        ["app.py:2:1 DM103"],
        {"app.py": 'from clients import get_client\nget_client().images.generate(model="gpt-image-2", prompt="x")\n'},
        id="client-factory-imported",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from openai import AsyncOpenAI\n\ndef make_client():\n    return AsyncOpenAI()\n",
            "app.py": '''
                from clients import make_client

                async def draw():
                    client = make_client()
                    return await client.images.generate(prompt="x")
            ''',
        },
        ["app.py:5:18 DM103"],
        {
            "app.py": dedent('''
                from clients import make_client

                async def draw():
                    client = make_client()
                    return await client.images.generate(model="gpt-image-2", prompt="x")
            ''')
        },
        id="async-client-factory-bound-to-a-name",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "app.py": '''
                import clients
                clients.client.images.generate(prompt="x")
            ''',
        },
        ["app.py:2:1 DM103"],
        {"app.py": 'import clients\nclients.client.images.generate(model="gpt-image-2", prompt="x")\n'},
        id="client-module-attribute",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "services.py": '''
                from openai import OpenAI

                class ImageService:
                    def __init__(self):
                        self.client = OpenAI()

                service = ImageService()
            ''',
            "app.py": '''
                from services import service
                service.client.images.generate(prompt="x")
            ''',
        },
        ["app.py:2:1 DM103"],
        {"app.py": 'from services import service\nservice.client.images.generate(model="gpt-image-2", prompt="x")\n'},
        id="client-held-by-an-imported-instance",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "config.py": 'MODEL = "dall-e-3"\n',
            "app.py": '''
                from clients import client
                from config import MODEL
                client.images.generate(model=MODEL, prompt="x", style="vivid")
            ''',
        },
        ["app.py:3:49 DM204", "config.py:1:9 DM101 <- app.py:3:1"],
        {
            "app.py": 'from clients import client\nfrom config import MODEL\nclient.images.generate(model=MODEL, prompt="x")\n',
            "config.py": 'MODEL = "gpt-image-2"\n',
        },
        id="client-and-model-both-imported",
    ),
    # ---- function parameters with callers in other modules -------------------------------------
    pytest.param(
        {
            **PYPROJECT,
            "images.py": WRAPPER.replace('model="gpt-image-2"', 'model="dall-e-3"'),
            "views.py": '''
                from images import poster
                poster("x", model="dall-e-2")
            ''',
        },
        ["images.py:4:26 DM101", "views.py:2:19 DM101 <- images.py:5:12"],
        {
            "images.py": dedent(WRAPPER),
            "views.py": 'from images import poster\nposter("x", model="gpt-image-2")\n',
        },
        id="wrapper-default-and-caller-argument",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "images.py": WRAPPER,
            "views.py": '''
                import images
                images.poster("x", "dall-e-2")
            ''',
        },
        ["views.py:2:20 DM101 <- images.py:5:12"],
        {"views.py": 'import images\nimages.poster("x", "gpt-image-2")\n'},
        id="wrapper-called-through-its-module-positionally",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app/__init__.py": "from .images import poster\n",
            "app/images.py": WRAPPER,
            "views.py": '''
                from app import poster
                poster("x", model="dall-e-2")
            ''',
        },
        ["views.py:2:19 DM101 <- app/images.py:5:12"],
        {"views.py": 'from app import poster\nposter("x", model="gpt-image-2")\n'},
        id="wrapper-reexported-by-its-package",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'MODEL = "dall-e-3"\n',
            "images.py": WRAPPER,
            "views.py": '''
                from config import MODEL
                from images import poster
                poster("x", model=MODEL)
            ''',
        },
        ["config.py:1:9 DM101 <- images.py:5:12"],
        {"config.py": 'MODEL = "gpt-image-2"\n'},
        id="wrapper-argument-from-a-third-module",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "images.py": WRAPPER,
            "services.py": '''
                from images import poster

                def campaign(prompt, model):
                    return poster(prompt, model=model)
            ''',
            "views.py": '''
                from services import campaign
                campaign("x", model="dall-e-2")
            ''',
        },
        ["views.py:2:21 DM101 <- images.py:5:12"],
        {"views.py": 'from services import campaign\ncampaign("x", model="gpt-image-2")\n'},
        id="wrapper-of-a-wrapper",
    ),
    # ---- layouts -------------------------------------------------------------------------------
    pytest.param(
        {
            **PYPROJECT,
            "src/pkg/__init__.py": "",
            "src/pkg/config.py": 'MODEL = "dall-e-3"\n',
            "src/pkg/images.py": '''
                from openai import OpenAI
                from pkg.config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["src/pkg/config.py:1:9 DM101 <- src/pkg/images.py:3:1"],
        {"src/pkg/config.py": 'MODEL = "gpt-image-2"\n'},
        id="src-layout",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "src/pkg/__init__.py": "",
            "src/pkg/config.py": 'MODEL = "dall-e-3"\n',
            "scripts/make_posters.py": '''
                from openai import OpenAI
                from pkg.config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["src/pkg/config.py:1:9 DM101 <- scripts/make_posters.py:3:1"],
        {"src/pkg/config.py": 'MODEL = "gpt-image-2"\n'},
        id="src-layout-package-imported-by-a-script-outside-src",
    ),
    pytest.param(
        {
            "config.py": 'MODEL = "dall-e-3"\n',
            "main.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["config.py:1:9 DM101 <- main.py:3:1"],
        {"config.py": 'MODEL = "gpt-image-2"\n'},
        id="script-folder-without-project-marker",
    ),
]


@pytest.mark.parametrize("files,expected,changed", FIX_CASES)
def test_fix(tmp_path: Path, files: Dict[str, str], expected: List[str], changed: Dict[str, str]) -> None:
    write(tmp_path, files)
    before = snapshot(tmp_path)

    checked = dm(tmp_path, "check", ".")
    assert checked.exit_code == 1, checked.stdout + checked.stderr
    assert checked.summary == expected
    assert snapshot(tmp_path) == before  # check writes nothing

    fixed = dm(tmp_path, "fix", ".")
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert changed_files(before, snapshot(tmp_path)) == {name: dedent(text) for name, text in changed.items()}

    after = snapshot(tmp_path)
    again = dm(tmp_path, "check", ".")
    assert (again.exit_code, again.summary) == (0, [])
    assert dm(tmp_path, "fix", ".").exit_code == 0
    assert snapshot(tmp_path) == after  # a second fix changes nothing


# -- no-op cases: nothing (or only what is expected) reported, nothing written -------------------
NOOP_CASES = [
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from together import Together\nclient = Together()\n",
            "app.py": '''
                from clients import client
                client.images.generate(model="dall-e-3", prompt="x")
                client.images.generate(prompt="x")
            ''',
        },
        [],
        id="third-party-client-instance-from-a-project-module",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "clients.py": "from together import Together\n",
            "app.py": '''
                from clients import Together
                client = Together()
                client.images.generate(model="dall-e-3", prompt="x")
                client.images.generate(prompt="x")
            ''',
        },
        [],
        id="third-party-client-class-reexported-by-a-project-module",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "imaging.py": '''
                class Images:
                    def generate(self, model, prompt):
                        return (model, prompt)

                class Studio:
                    def __init__(self):
                        self.images = Images()

                studio = Studio()
            ''',
            "app.py": '''
                from imaging import Studio, studio
                studio.images.generate(model="dall-e-3", prompt="x")
                Studio().images.generate(model="dall-e-3", prompt="x")
                studio.images.generate(prompt="x")
            ''',
        },
        [],
        id="own-class-with-images-generate",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "imaging.py": '''
                class Images:
                    def generate(self, model, prompt):
                        return (model, prompt)

                def get_client():
                    return Images
            ''',
            "app.py": '''
                from imaging import get_client
                get_client().images.generate(model="dall-e-3", prompt="x")
            ''',
        },
        [],
        id="own-factory-returning-own-class",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "app.py": '''
                from openai import OpenAI
                from nowhere import MODEL, client
                OpenAI().images.generate(model=MODEL, prompt="x")
                client.images.generate(prompt="x")
            ''',
        },
        ["app.py:3:32 DM104"],
        id="names-imported-from-a-module-that-does-not-exist",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'MODEL = "dall-e-3"\ndef broken(:\n    pass\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["app.py:3:32 DM104", "config.py:2:12 DM900"],  # where CPython places it
        id="imported-module-with-a-syntax-error",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "a.py": '''
                from openai import OpenAI
                from b import X
                OpenAI().images.generate(model=X, prompt="x")
            ''',
            "b.py": "from a import X\n",
        },
        ["a.py:3:32 DM104"],
        id="import-cycle-on-one-name",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "a.py": '''
                from openai import OpenAI
                from b import X
                Y = "gpt-image-2"
                OpenAI().images.generate(model=X, prompt="x")
            ''',
            "b.py": "from a import Y as X\nfrom a import X as Z\n",
        },
        [],
        id="import-cycle-that-resolves",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "a.py": '''
                from openai import OpenAI
                import b
                X = b.X
                OpenAI().images.generate(model=X, prompt="x")
            ''',
            "b.py": "import a\nX = a.X\n",
        },
        ["a.py:4:32 DM104"],
        id="import-cycle-between-modules",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "images.py": WRAPPER,
            "views.py": '''
                from images import poster
                poster("x", model="gpt-image-2")
                poster("y")
            ''',
        },
        [],
        id="wrapper-callers-pass-the-target",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "config.py": 'MODEL = "gpt-image-2"\nOLD_MODEL = "dall-e-3"\n',
            "app.py": '''
                from openai import OpenAI
                from config import MODEL
                OpenAI().images.generate(model=MODEL, prompt="x")
            ''',
        },
        ["config.py:2:13 DM105"],  # not used by any call: only the literal warning, no cross-module finding
        id="only-the-value-the-call-imports",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "settings.py": 'PROVIDER_MODEL = "dall-e-3"  # the provider serves it under this name\n',
            "app.py": '''
                from together import Together
                from settings import PROVIDER_MODEL
                Together().images.generate(model=PROVIDER_MODEL, prompt="x")
            ''',
        },
        [],
        id="a-value-only-another-providers-call-uses",
    ),
    pytest.param(
        {
            **PYPROJECT,
            "ui.py": '''
                import streamlit as st
                from together import Together
                def page():
                    Together().images.generate(model="dall-e-3", prompt="provider")
                    st.session_state.client.images.generate(model="gpt-image-2", prompt="ours")
            ''',
        },
        [],
        id="receivers-read-off-objects-with-a-current-model",
    ),
]


@pytest.mark.parametrize("files,expected", NOOP_CASES)
def test_noop(tmp_path: Path, files: Dict[str, str], expected: List[str]) -> None:
    write(tmp_path, files)
    before = snapshot(tmp_path)
    checked = dm(tmp_path, "check", ".")
    assert checked.exit_code == (1 if expected else 0), checked.stdout + checked.stderr
    assert checked.summary == expected
    assert "Traceback" not in checked.stderr
    dm(tmp_path, "fix", ".")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "client,expected",
    [
        ("OpenAI()", ["images.py:2:41 DM104", "images.py:2:68 DM201"]),
        ("Together()", []),  # another provider's client: not an OpenAI image call
    ],
)
def test_unannotated_client_parameter_takes_its_callers_class(tmp_path: Path, client: str, expected: List[str]) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "images.py": """
            def make(client, prompt, model):
                return client.images.generate(model=model, prompt=prompt, size="256x256")
        """,
        "main.py": f"""
            import os
            from openai import OpenAI
            from together import Together
            from images import make
            make({client}, "x", os.environ["IMAGE_MODEL"])
        """,
    })
    assert dm(tmp_path, "check", ".").summary == expected


def test_importing_file_still_fixed_when_the_imported_module_does_not_parse(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "config.py": 'MODEL = "dall-e-3"\ndef broken(:\n    pass\n',
        "app.py": '''
            from openai import OpenAI
            from config import MODEL
            OpenAI().images.generate(model=MODEL, prompt="x", quality="hd")
        ''',
    })
    before = snapshot(tmp_path)
    fixed = dm(tmp_path, "fix", "app.py")
    assert fixed.exit_code == 1
    assert fixed.summary == ["app.py:3:32 DM104"]
    assert changed_files(before, snapshot(tmp_path)) == {
        "app.py": 'from openai import OpenAI\nfrom config import MODEL\nOpenAI().images.generate(model=MODEL, prompt="x", quality="high")\n'
    }


# -- one value, several calls --------------------------------------------------------------------
def test_shared_value_is_reported_once_naming_both_calls(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "config.py": 'IMAGE_MODEL = "dall-e-3"\n',
        "api/__init__.py": "",
        "api/posters.py": '''
            from openai import OpenAI
            from config import IMAGE_MODEL
            OpenAI().images.generate(model=IMAGE_MODEL, prompt="poster")
        ''',
        "jobs.py": '''
            from openai import OpenAI
            import config

            def nightly():
                return OpenAI().images.edit(model=config.IMAGE_MODEL, image=b"", prompt="tile")
        ''',
    })
    checked = dm(tmp_path, "check", ".")
    assert checked.exit_code == 1
    assert len(checked.findings) == 1
    (finding,) = checked.findings
    assert (finding["filename"], finding["code"], finding["location"]) == ("config.py", "DM101", {"row": 1, "column": 15})
    assert finding["message"] == (
        f"Model 'dall-e-3' {SHUT_DOWN}; the API answers \"The model 'dall-e-3' does not exist.\" "
        "Use 'gpt-image-2'. Used by the image calls at api/posters.py:3:1, jobs.py:5:12."
    )
    assert finding["fix"]["edits"] == [
        {"content": '"gpt-image-2"', "location": {"row": 1, "column": 15}, "end_location": {"row": 1, "column": 25}}
    ]


def test_shared_value_names_both_calls_of_one_module(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "config.py": 'MODEL = "dall-e-3"\n',
        "main.py": '''
            from openai import OpenAI
            from config import MODEL
            OpenAI().images.generate(model=MODEL, prompt="x")
            OpenAI().images.generate(model=MODEL, prompt="y")
        ''',
    })
    assert dm(tmp_path, "check", ".").summary == ["config.py:1:9 DM101 <- main.py:3:1, main.py:4:1"]


# -- runs given only some files ------------------------------------------------------------------
PACKAGE_APP = {
    **PYPROJECT,
    "app/__init__.py": "",
    "app/settings.py": 'IMAGE_MODEL = "dall-e-3"\nQUALITY = "hd"\n',
    "app/images.py": '''
        from openai import OpenAI
        from .settings import IMAGE_MODEL, QUALITY
        OpenAI().images.generate(model=IMAGE_MODEL, prompt="x", quality=QUALITY, style="vivid")
    ''',
}


def test_fix_given_one_file_reports_the_neighbour_and_leaves_it_alone(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE_APP)
    before = snapshot(tmp_path)

    partial = dm(tmp_path, "fix", "app/images.py")
    assert partial.exit_code == 1, partial.stdout + partial.stderr
    assert partial.summary == [
        "app/settings.py:1:15 DM101 <- app/images.py:3:1 (not fixed)",
        "app/settings.py:2:11 DM202 <- app/images.py:3:1 (not fixed)",
    ]
    model, quality = partial.findings
    assert model["message"] == (
        f"Model 'dall-e-3' {SHUT_DOWN}; the API answers \"The model 'dall-e-3' does not exist.\" Use 'gpt-image-2'. "
        "Used by the image call at app/images.py:3:1. Not fixed: app/settings.py was not among the files given to `fix`."
    )
    assert quality["message"].endswith("Used by the image call at app/images.py:3:1. Not fixed: app/settings.py was not among the files given to `fix`.")
    assert model["fix"] is None and quality["fix"] is None
    # The given file's own fix (style) is written; the neighbour is byte-identical.
    assert changed_files(before, snapshot(tmp_path)) == {
        "app/images.py": 'from openai import OpenAI\nfrom .settings import IMAGE_MODEL, QUALITY\nOpenAI().images.generate(model=IMAGE_MODEL, prompt="x", quality=QUALITY)\n'
    }

    whole = dm(tmp_path, "fix", ".")
    assert whole.exit_code == 0, whole.stdout + whole.stderr
    assert (tmp_path / "app/settings.py").read_text() == 'IMAGE_MODEL = "gpt-image-2"\nQUALITY = "high"\n'
    done = snapshot(tmp_path)
    checked = dm(tmp_path, "check", ".")
    assert (checked.exit_code, checked.summary) == (0, [])
    again = dm(tmp_path, "fix", ".")
    assert again.exit_code == 0 and snapshot(tmp_path) == done


def test_check_given_one_file_reports_the_neighbour(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE_APP)
    checked = dm(tmp_path, "check", "app/images.py")
    assert checked.exit_code == 1
    assert checked.summary == ["app/images.py:3:74 DM204", "app/settings.py:1:15 DM101 <- app/images.py:3:1", "app/settings.py:2:11 DM202 <- app/images.py:3:1"]


WRAPPER_APP = {
    **PYPROJECT,
    "images.py": WRAPPER.replace('model="gpt-image-2"', 'model="dall-e-3"'),
    "views.py": '''
        from images import poster
        poster("x", model="dall-e-2")
    ''',
}


def test_check_given_only_the_caller_reports_the_argument_there(tmp_path: Path) -> None:
    write(tmp_path, WRAPPER_APP)
    checked = dm(tmp_path, "check", "views.py")
    assert checked.exit_code == 1
    # images.py is analysed read-only: its own default is not reported (it is not part of the run).
    assert checked.summary == ["views.py:2:19 DM101 <- images.py:5:12"]
    assert checked.findings[0]["message"].endswith("Used by the image call at images.py:5:12.")
    assert checked.findings[0]["fix"] is not None


def test_fix_given_only_the_caller_fixes_it_and_not_the_wrapper(tmp_path: Path) -> None:
    write(tmp_path, WRAPPER_APP)
    before = snapshot(tmp_path)
    fixed = dm(tmp_path, "fix", "views.py")
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert changed_files(before, snapshot(tmp_path)) == {"views.py": 'from images import poster\nposter("x", model="gpt-image-2")\n'}


def test_check_given_only_the_wrapper_reports_its_callers(tmp_path: Path) -> None:
    write(tmp_path, WRAPPER_APP)
    checked = dm(tmp_path, "check", "images.py")
    assert checked.summary == ["images.py:4:26 DM101", "views.py:2:19 DM101 <- images.py:5:12"]


def test_check_given_only_the_caller_of_a_wrapper_of_a_wrapper(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "images.py": WRAPPER,
        "services.py": '''
            from images import poster

            def campaign(prompt, model):
                return poster(prompt, model=model)
        ''',
        "views.py": '''
            from services import campaign
            campaign("x", model="dall-e-2")
        ''',
    })
    assert dm(tmp_path, "check", "views.py").summary == ["views.py:2:21 DM101 <- images.py:5:12"]


# -- bugs in cross-module flows ------------------------------------------------------------------
def test_wrapper_imported_under_another_name(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "images.py": WRAPPER,
        "views.py": '''
            from images import poster as make_poster
            make_poster("x", model="dall-e-2")
        ''',
    })
    assert dm(tmp_path, "check", ".").summary == ["views.py:2:24 DM101 <- images.py:5:12"]


def test_package_init_importing_its_submodule(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "app/__init__.py": "from . import settings\n",
        "app/settings.py": 'IMAGE_MODEL = "dall-e-2"\n',
        "main.py": '''
            from openai import OpenAI
            from app import settings
            OpenAI().images.generate(model=settings.IMAGE_MODEL, prompt="x")
        ''',
    })
    assert dm(tmp_path, "check", ".").summary == ["app/settings.py:1:15 DM101 <- main.py:3:1"]


def test_package_imported_whole_is_passed_through_unparsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `import cfg` then `cfg.MODEL`: the package only re-imports `MODEL`, so it is passed through
    # from CPython's syntax tree, as for `from cfg import MODEL` (litellm's `__init__`, 100 KB,
    # was parsed for `litellm.<name>`), with the same finding whichever the import.
    from dalle_migrate import context
    from dalle_migrate import project as project_layer

    parsed: List[str] = []

    class Recording(context.ModuleContext):
        def __init__(self, text, settings, newline="\n", path=None, project=None) -> None:
            parsed.append(Path(str(path)).relative_to(tmp_path).as_posix() if path else "?")
            super().__init__(text, settings, newline, path, project)

    monkeypatch.setattr(context, "ModuleContext", Recording)
    monkeypatch.setattr(project_layer._context, "ModuleContext", Recording, raising=False)  # (its lazy module keeps what it was asked)
    for imports, named in (("import cfg", "cfg.MODEL"), ("import cfg as c", "c.MODEL"), ("from cfg import MODEL", "MODEL")):
        for model, found in (("dall-e-3", ["cfg/settings.py:1:9 DM101 <- app.py:3:1"]), ("gpt-image-2", [])):
            shutil.rmtree(tmp_path)
            tmp_path.mkdir()
            write(tmp_path, {
                **PYPROJECT,
                "cfg/__init__.py": "from .settings import MODEL\n",
                "cfg/settings.py": f'MODEL = "{model}"\n',
                "app.py": f"from openai import OpenAI\n{imports}\nOpenAI().images.generate(model={named}, prompt='x')\n",
            })
            parsed.clear()
            assert dm(tmp_path, "check", ".").summary == found, imports
            assert "cfg/settings.py" in parsed, (imports, parsed)
            if not found:  # (a finding's rename reads the modules naming the value: the package too)
                assert "cfg/__init__.py" not in parsed, (imports, parsed)


# A file's own fixes and the fixes other modules' calls need in it are applied together, to the
# bytes read before the run (no module reads another as already rewritten by this run).
def test_value_module_with_its_own_fix_before_the_value(tmp_path: Path) -> None:
    # config.py sorts (and is fixed) before zapp.py, whose call uses config.MODEL.
    write(tmp_path, {
        **PYPROJECT,
        "config.py": '''
            from openai import OpenAI
            OpenAI().images.generate(model="dall-e-3", prompt="own")
            MODEL = "dall-e-2"
        ''',
        "zapp.py": '''
            from openai import OpenAI
            from config import MODEL
            OpenAI().images.generate(model=MODEL, prompt="x")
        ''',
    })
    fixed = dm(tmp_path, "fix", ".")
    assert (tmp_path / "config.py").read_text() == dedent('''
        from openai import OpenAI
        OpenAI().images.generate(model="gpt-image-2", prompt="own")
        MODEL = "gpt-image-2"
    ''')
    assert fixed.exit_code == 0, fixed.stderr


def test_caller_with_its_own_fix_before_the_wrapper_argument(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "images.py": WRAPPER,
        "app.py": '''
            from openai import OpenAI
            from images import poster
            OpenAI().images.generate(model="dall-e-3", prompt="y")
            poster("x", model="dall-e-2")
        ''',
    })
    fixed = dm(tmp_path, "fix", "app.py")
    assert (tmp_path / "app.py").read_text() == dedent('''
        from openai import OpenAI
        from images import poster
        OpenAI().images.generate(model="gpt-image-2", prompt="y")
        poster("x", model="gpt-image-2")
    ''')
    assert fixed.exit_code == 0, fixed.stderr


# -- suppressions in the module that holds the value ---------------------------------------------
SUPPRESSED_APP = '''
    from openai import OpenAI
    from config import MODEL, OTHER
    OpenAI().images.generate(model=MODEL, prompt="x")
    OpenAI().images.generate(model=OTHER, prompt="y")
'''


def test_noqa_on_the_defining_line_suppresses_the_finding(tmp_path: Path) -> None:
    write(tmp_path, {**PYPROJECT, "config.py": 'MODEL = "dall-e-3"  # noqa: DM101\nOTHER = "dall-e-2"\n', "app.py": SUPPRESSED_APP})
    checked = dm(tmp_path, "check", ".")
    assert "config.py:1:9 DM101 <- app.py:3:1" not in checked.summary
    assert "config.py:2:9 DM101 <- app.py:4:1" in checked.summary
    # Given only the module with the calls (so config.py's own literal rule does not run):
    assert dm(tmp_path, "check", "app.py").summary == ["config.py:2:9 DM101 <- app.py:4:1"]
    before = snapshot(tmp_path)
    dm(tmp_path, "fix", ".")
    assert changed_files(before, snapshot(tmp_path)) == {"config.py": 'MODEL = "dall-e-3"  # noqa: DM101\nOTHER = "gpt-image-2"\n'}


def test_noqa_on_the_defining_line_leaves_nothing(tmp_path: Path) -> None:
    write(tmp_path, {**PYPROJECT, "config.py": 'MODEL = "dall-e-3"  # noqa: DM101\nOTHER = "dall-e-2"\n', "app.py": SUPPRESSED_APP})
    assert dm(tmp_path, "check", ".").summary == ["config.py:2:9 DM101 <- app.py:4:1"]


def test_noqa_in_one_module_leaves_nothing(tmp_path: Path) -> None:
    """The one-module counterpart of the case above."""
    write(tmp_path, {**PYPROJECT, "config.py": OPENAI_IMPORT + 'MODEL = "dall-e-3"  # noqa: DM101\nOpenAI().images.generate(model=MODEL, prompt="x")\n'})
    assert dm(tmp_path, "check", ".").summary == []


PER_FILE_IGNORES = '[tool.dalle-migrate]\nper-file-ignores = { "config.py" = ["DM101"] }\n'
PER_FILE_APP = '''
    from openai import OpenAI
    from config import MODEL
    OpenAI().images.generate(model=MODEL, prompt="x", quality="hd")
'''


def test_per_file_ignores_of_the_value_module_suppress_the_finding(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PER_FILE_IGNORES, "config.py": 'MODEL = "dall-e-3"\n', "app.py": PER_FILE_APP})
    checked = dm(tmp_path, "check", ".")
    assert not any(s.startswith("config.py:1:9 DM101") for s in checked.summary)
    assert "app.py:3:59 DM202" in checked.summary
    assert dm(tmp_path, "check", "app.py").summary == ["app.py:3:59 DM202"]
    before = snapshot(tmp_path)
    dm(tmp_path, "fix", ".")
    assert set(changed_files(before, snapshot(tmp_path))) == {"app.py"}


def test_per_file_ignores_of_the_value_module_leave_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PER_FILE_IGNORES, "config.py": 'MODEL = "dall-e-3"\n', "app.py": PER_FILE_APP})
    assert dm(tmp_path, "check", ".").summary == ["app.py:3:59 DM202"]


def test_per_file_ignores_in_one_module_leave_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PER_FILE_IGNORES, "config.py": OPENAI_IMPORT + 'MODEL = "dall-e-3"\nOpenAI().images.generate(model=MODEL, prompt="x")\n'})
    assert dm(tmp_path, "check", ".").summary == []


def test_skip_file_in_the_value_module(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "config.py": '# dalle-migrate: skip-file\nMODEL = "dall-e-3"\n',
        "app.py": '''
            from openai import OpenAI
            from config import MODEL
            OpenAI().images.generate(model=MODEL, prompt="x")
        ''',
    })
    before = snapshot(tmp_path)
    assert dm(tmp_path, "check", ".").summary == []
    dm(tmp_path, "fix", ".")
    assert snapshot(tmp_path) == before


# -- notebooks -----------------------------------------------------------------------------------
def code_cell(*lines: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": f"code-{zlib.crc32(''.join(lines).encode()):08x}", "metadata": {}, "outputs": [], "source": list(lines)}


def notebook(*cells: dict) -> str:
    nb = {"cells": list(cells), "metadata": {"kernelspec": {"display_name": "Python 3", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def test_notebook_importing_a_local_constant(tmp_path: Path) -> None:
    write(tmp_path, {"config.py": 'MODEL = "dall-e-3"\n'})
    text = notebook(
        {"cell_type": "markdown", "id": "md", "metadata": {}, "source": ["# Posters"]},
        code_cell("from openai import OpenAI\n", "from config import MODEL\n", "client = OpenAI()"),
        code_cell("%%time\n", "result = client.images.generate(model=MODEL, prompt=\"x\")"),
    )
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    before = snapshot(tmp_path)

    checked = dm(tmp_path, "check", "nb.ipynb")
    assert checked.exit_code == 1
    assert checked.summary == ["config.py:1:9 DM101 <- nb.ipynb:cell 3:2:10"]
    assert checked.findings[0]["message"].endswith("Used by the image call at nb.ipynb:cell 3:2:10.")

    partial = dm(tmp_path, "fix", "nb.ipynb")
    assert partial.exit_code == 1
    assert partial.summary == ["config.py:1:9 DM101 <- nb.ipynb:cell 3:2:10 (not fixed)"]
    assert snapshot(tmp_path) == before

    whole = dm(tmp_path, "fix", ".")
    assert whole.exit_code == 0, whole.stdout + whole.stderr
    assert changed_files(before, snapshot(tmp_path)) == {"config.py": 'MODEL = "gpt-image-2"\n'}


def test_notebook_calling_a_local_wrapper(tmp_path: Path) -> None:
    write(tmp_path, {"images.py": WRAPPER})
    (tmp_path / "nb.ipynb").write_text(notebook(code_cell("from images import poster\n", 'poster("x", model="dall-e-2")')), encoding="utf-8")
    assert dm(tmp_path, "check", ".").summary == ["nb.ipynb:2:19 DM101 <- images.py:5:12"]
    fixed = dm(tmp_path, "fix", ".")
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    cell = json.loads((tmp_path / "nb.ipynb").read_text(encoding="utf-8"))["cells"][0]
    assert "".join(cell["source"]) == 'from images import poster\nposter("x", model="gpt-image-2")'
    assert dm(tmp_path, "check", ".").exit_code == 0


# -- a pre-commit style run in a git repository --------------------------------------------------
def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_precommit_run_on_the_staged_module_of_a_git_repository(tmp_path: Path) -> None:
    # No pyproject.toml: `.git` marks the project root, from which scripts/ imports lib.
    write(tmp_path, {
        "lib/__init__.py": "",
        "lib/config.py": 'MODEL = "dall-e-3"\n',
        "lib/images.py": WRAPPER,
        "scripts/make_posters.py": '''
            from openai import OpenAI
            from lib.config import MODEL
            OpenAI().images.generate(model=MODEL, prompt="x")
        ''',
        "scripts/views.py": '''
            from lib.images import poster
            poster("x")
        ''',
        "scripts/other.py": OPENAI_IMPORT + 'OpenAI().images.generate(model="dall-e-2", prompt="z")\n',
    })
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    # One module changed and staged, as pre-commit sees it.
    (tmp_path / "scripts/views.py").write_text('from lib.images import poster\nposter("x", model="dall-e-2")\n')
    git(tmp_path, "add", "scripts/views.py")
    staged = git(tmp_path, "diff", "--cached", "--name-only").split()
    assert staged == ["scripts/views.py"]
    before = snapshot(tmp_path)

    checked = dm(tmp_path, "check", "--force-exclude", *staged)
    assert checked.exit_code == 1
    assert checked.summary == ["scripts/views.py:2:19 DM101 <- lib/images.py:5:12"]
    assert snapshot(tmp_path) == before

    fixed = dm(tmp_path, "fix", "--force-exclude", *staged)
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert changed_files(before, snapshot(tmp_path)) == {"scripts/views.py": 'from lib.images import poster\nposter("x", model="gpt-image-2")\n'}
    # Nothing but the staged file was touched: the other modules are still as committed.
    assert git(tmp_path, "status", "--porcelain").splitlines() == ["MM scripts/views.py"]

    # The module with the call staged: the value in its (unstaged) neighbour is reported there.
    (tmp_path / "scripts/make_posters.py").write_text(
        'from openai import OpenAI\nfrom lib.config import MODEL\nOpenAI().images.generate(model=MODEL, prompt="y")\n'
    )
    git(tmp_path, "add", "scripts/make_posters.py")
    before = snapshot(tmp_path)
    fixed = dm(tmp_path, "fix", "--force-exclude", "scripts/make_posters.py")
    assert fixed.exit_code == 1
    assert fixed.summary == ["lib/config.py:1:9 DM101 <- scripts/make_posters.py:3:1 (not fixed)"]
    assert fixed.findings[0]["location"] == {"row": 1, "column": 9}
    assert snapshot(tmp_path) == before
    assert "lib/config.py" not in git(tmp_path, "status", "--porcelain")


# -- a fix of several files is applied whole or not at all -----------------------------------------
def test_a_fix_of_two_files_whose_part_collides_is_applied_nowhere(tmp_path: Path) -> None:
    """Synthetic findings through the runner's settling step: F1's fix edits a.py and b.py, and
    its part in b.py collides with F2's fix there (F2 comes first). F1 must then be applied in
    neither file, and say so; F2 is applied."""
    from dalle_migrate.findings import Applicability, Edit, FileResult, Finding, Fix
    from dalle_migrate.runner import settle_foreign
    from dalle_migrate.selection import Selection
    from dalle_migrate.settings import Settings

    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n", encoding="utf-8")
    b.write_text("yy = 2\n", encoding="utf-8")
    both = Fix(Applicability.SAFE, "F1", (Edit(0, 1, "z", path=str(a)), Edit(1, 2, "q", path=str(b))))
    f1 = Finding("DM101", "F1.", 0, 1, fix=both, path=str(a), row=1, column=1, end_row=1, end_column=2)
    f2 = Finding("DM201", "F2.", 0, 2, fix=Fix(Applicability.SAFE, "F2", (Edit(0, 2, "w", path=str(b)),)), path=str(b), row=1, column=1, end_row=1, end_column=3)
    caller = FileResult(tmp_path / "c.py", foreign=[f1, f2])
    results = [FileResult(a), FileResult(b), caller]
    settled = settle_foreign(results, Settings(), Selection(select=("DM",)), fix=True, write=True, display=str)
    by_name = {Path(r.path).name: r for r in settled}
    assert by_name["a.py"].pending is None and [f.message for f in by_name["a.py"].findings] == [
        "F1. Not fixed: its edits in another file collide with another fix there; make it by hand."
    ]
    assert by_name["b.py"].pending == b"w = 2\n" and [f.code for f in by_name["b.py"].fixed] == ["DM201"]


# -- found by a review of the project layer ------------------------------------------------------
def test_fix_keeps_what_it_could_not_apply_in_a_file_that_receives_fixes(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "settings.py": 'MODEL = "gpt-image-1.5"\nQUALITY = "hd"\n',
        "app.py": """
            from openai import OpenAI
            from settings import MODEL, QUALITY
            OpenAI().images.generate(model=MODEL, prompt="x", quality=QUALITY)
        """,
    })
    fixed = dm(tmp_path, "fix", ".")
    assert fixed.exit_code == 1 and [s.split(" <-")[0] for s in fixed.summary] == ["settings.py:1:9 DM102"]
    assert (tmp_path / "settings.py").read_text(encoding="utf-8") == 'MODEL = "gpt-image-1.5"\nQUALITY = "high"\n'


DOWNLOAD_HELPER = """
    import requests
    def download_image(url, path):
        r = requests.get(url)
        r.raise_for_status()
        with open(path, "wb") as f:
            f.write(r.content)
"""
DOWNLOADING_APP = """
    from openai import OpenAI
    from helpers import download_image
    resp = OpenAI().images.generate(model="gpt-image-2", prompt="x")
    download_image(resp.data[0].url, "out.png")
"""


@pytest.mark.parametrize("refusal", ["hard link", "skip-file"])
def test_a_fix_of_two_files_is_not_applied_when_one_cannot_be_written(tmp_path: Path, refusal: str) -> None:
    project = tmp_path / "project"
    helper = DOWNLOAD_HELPER if refusal == "hard link" else "# dalle-migrate: skip-file\n" + dedent(DOWNLOAD_HELPER)
    write(project, {**PYPROJECT, "helpers.py": helper, "app.py": DOWNLOADING_APP})
    if refusal == "hard link":
        os.link(project / "helpers.py", tmp_path / "elsewhere.py")
    before = snapshot(project)
    fixed = dm(project, "fix", ".")
    assert fixed.exit_code == 1
    assert snapshot(project) == before
    why = "has other hard links" if refusal == "hard link" else "is marked `# dalle-migrate: skip-file`"
    assert [f["message"].endswith(f"Not fixed: the fix also edits helpers.py, which {why}.") for f in fixed.findings] == [True]


def test_files_the_configuration_excludes_get_no_finding(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": '[tool.dalle-migrate]\nexclude = ["legacy"]\n',
        "images.py": WRAPPER,
        "legacy/old.py": 'from images import poster\nposter("x", model="dall-e-3")\n',
    })
    checked = dm(tmp_path, "check", ".")
    assert checked.exit_code == 0 and checked.summary == []


def test_a_constant_of_the_analysed_module_reached_through_an_import_cycle(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "settings.py": "from app import DEFAULT\nMODEL = DEFAULT\n",
        "app.py": 'from openai import OpenAI\nDEFAULT = "dall-e-3"\nfrom settings import MODEL\nOpenAI().images.generate(model=MODEL, prompt="x")\n',
    })
    assert dm(tmp_path, "check", ".").summary == ["app.py:2:11 DM101"]


def test_a_class_lookup_through_an_import_cycle_ends(tmp_path: Path) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "a.py": "from b import X\nY = X()\n",
        "b.py": "from a import Y\nX = Y\n",
        "app.py": 'from openai import OpenAI\nfrom b import X\nOpenAI().images.generate(model=X.model, prompt="x")\n',
    })
    assert dm(tmp_path, "check", ".").summary == ["app.py:3:32 DM104"]


@pytest.mark.parametrize("openai_file", ["a_openai.py", "z_openai.py"])
def test_one_definition_for_an_openai_and_an_azure_call_is_unsafe_in_any_order(tmp_path: Path, openai_file: str) -> None:
    write(tmp_path, {
        **PYPROJECT,
        "settings.py": 'QUALITY = "hd"\n',
        openai_file: 'from openai import OpenAI\nfrom settings import QUALITY\nOpenAI().images.generate(model="gpt-image-2", prompt="x", quality=QUALITY)\n',
        "b_azure.py": 'from openai import AzureOpenAI\nfrom settings import QUALITY\nAzureOpenAI(api_version="2025-04-01-preview").images.generate(model="dalle3", prompt="x", quality=QUALITY)\n',
    })
    quality = [f for f in dm(tmp_path, "check", ".").findings if f["code"] == "DM202"]
    assert [f["fix"]["applicability"] for f in quality] == ["unsafe"]


def test_a_run_given_only_the_module_defining_a_value_finds_the_calls_using_it(tmp_path: Path) -> None:
    """pre-commit with settings.py alone staged: the modules importing it are analysed,
    read-only, for what their calls need of it."""
    write(tmp_path, {
        **PYPROJECT,
        "settings.py": 'QUALITY = "hd"\n',
        "app.py": 'from openai import OpenAI\nfrom settings import QUALITY\nOpenAI().images.generate(model="gpt-image-2", prompt="x", quality=QUALITY)\n',
    })
    assert dm(tmp_path, "check", "settings.py").summary == ["settings.py:1:11 DM202 <- app.py:3:1"]
    before = snapshot(tmp_path)
    fixed = dm(tmp_path, "fix", "settings.py")
    assert fixed.exit_code == 0
    assert changed_files(before, snapshot(tmp_path)) == {"settings.py": 'QUALITY = "high"\n'}


def test_a_run_given_only_the_module_defining_a_value_follows_a_module_re_exporting_it(tmp_path: Path) -> None:
    """settings.py <- config.py (re-exports it, calls nothing) <- images.py: the call two
    imports away is found from the staged settings.py."""
    write(tmp_path, {
        **PYPROJECT,
        "settings.py": 'MODEL = "dall-e-3"\n',
        "config.py": 'from settings import MODEL\nTIMEOUT = 30\n',
        "images.py": 'from config import MODEL\n\ndef go(client, model=MODEL):\n    return client.images.generate(model=model, prompt="x")\n',
    })
    assert dm(tmp_path, "check", "settings.py").summary == ["settings.py:1:9 DM101 <- images.py:4:12"]


def test_a_run_given_only_the_module_defining_a_value_finds_a_wrapper_call_passing_it(tmp_path: Path) -> None:
    """app.py makes no request itself: it passes settings.MODEL to the wrapper in images.py,
    whose call takes it. Found from settings.py staged alone, through the module that calls."""
    write(tmp_path, {
        **PYPROJECT,
        "settings.py": 'MODEL = "dall-e-2"\nOTHER = "dall-e-2"\n',
        "images.py": 'def go(client, model):\n    return client.images.generate(model=model, prompt="x")\n',
        "app.py": 'import settings\nfrom images import go\nfrom openai import OpenAI\n\ngo(OpenAI(), model=settings.MODEL)\n',
    })
    assert [line.split(" <- ")[0] for line in dm(tmp_path, "check", "settings.py").summary] == ["settings.py:1:9 DM101", "settings.py:2:9 DM105"]


@pytest.mark.parametrize("read", ["resp.data[0].url", 'resp.data[0].model_dump()["url"]', 'getattr(resp.data[0], "url")'])
def test_a_run_given_only_the_module_reading_a_result_finds_the_call_handing_it(tmp_path: Path, read: str) -> None:
    """save.py holds no value and makes no request: it reads the URL of a result images.py
    hands it. Staged alone, its importer is analysed all the same (it was not: no value)."""
    write(tmp_path, {
        **PYPROJECT,
        "save.py": f"import requests\n\ndef save(resp):\n    return requests.get({read}).content\n",
        "images.py": 'from openai import OpenAI\nfrom save import save\n\n'
                     'save(OpenAI().images.generate(model="gpt-image-2", prompt="x"))\n',
    })
    assert [line.split(" <- ")[0] for line in dm(tmp_path, "check", "save.py").summary] == ["save.py:4:25 DM301"]


# -- a fix computed on one text is only ever applied to that text (issue 20) ------------------------
def test_an_incoming_fix_is_applied_only_to_the_text_it_was_computed_on(tmp_path: Path) -> None:
    """A call in images.py raises a finding on settings.py's constant, with its edit in
    settings.py's offsets and the digest of the text they are in. Handed to settings.py's fix
    with that text it is applied; with any other text (a line added above: the offsets now
    point at other characters) it is not, and says so."""
    import datetime

    from dalle_migrate.engine import Selection, check_text, fix_text
    from dalle_migrate.settings import Settings

    write(tmp_path, {
        **PYPROJECT,
        "settings.py": 'IMAGE_MODEL = "dall-e-3"\n',
        "images.py": 'from openai import OpenAI\nfrom settings import IMAGE_MODEL\n'
                     'OpenAI().images.generate(model=IMAGE_MODEL, prompt="x")\n',
    })
    settings = Settings(today=datetime.date(2026, 11, 25))
    images = tmp_path / "images.py"
    result = check_text(images.read_text(), settings, Selection(), filename=str(images))
    [finding] = [f for f in result.foreign if f.code == "DM101"]
    assert all(e.digest is not None for e in finding.fix.edits)
    incoming = dataclasses.replace(
        finding, path=None, fix=dataclasses.replace(finding.fix, edits=tuple(dataclasses.replace(e, path=None) for e in finding.fix.edits))
    )
    original = (tmp_path / "settings.py").read_text()
    assert fix_text(original, settings, Selection(), filename=str(tmp_path / "settings.py"), incoming=[incoming]).text == 'IMAGE_MODEL = "gpt-image-2"\n'
    moved = "# the image model\n" + original
    outcome = fix_text(moved, settings, Selection(), filename=str(tmp_path / "settings.py"), incoming=[incoming])
    assert outcome.text == moved
    assert any("computed on another version of this file" in f.message for f in outcome.findings)


# -- a tree without a project marker -------------------------------------------------------------
ARCHIVE = {  # a downloaded archive: no .git, pyproject.toml or setup.py; namespace packages
    "src/infrastructure/client.py": 'from openai import OpenAI\nimage_client = OpenAI()\nIMAGE_MODEL = "dall-e-3"\n',
    "src/app/features/posters/make.py": '''
        from src.infrastructure.client import IMAGE_MODEL, image_client
        def poster(prompt):
            return image_client.images.generate(model=IMAGE_MODEL, prompt=prompt)
    ''',
}


def test_tree_without_a_marker_resolves_imports_from_the_folder_the_run_was_given(tmp_path: Path) -> None:
    """`src.infrastructure.client`, three folders above the importing file: found from the
    folder the run was given (the archive's top), as `python -m src.app...` run there finds it."""
    write(tmp_path, ARCHIVE)
    checked = dm(tmp_path, "check", ".")
    assert checked.summary == ["src/infrastructure/client.py:3:15 DM101 <- src/app/features/posters/make.py:3:12"]
    assert dm(tmp_path, "fix", ".").exit_code == 0
    assert 'IMAGE_MODEL = "gpt-image-2"' in (tmp_path / "src/infrastructure/client.py").read_text(encoding="utf-8")
    assert dm(tmp_path, "check", ".").exit_code == 0


def test_tree_without_a_marker_given_a_sub_folder_does_not_look_above_it(tmp_path: Path) -> None:
    """Given only `src/app`, the run does not look above it: the client module is not the
    project's, and the model it names cannot be known (a run given a sub-folder, then the whole
    tree, each get their own answer: the kept resolutions depend on the folder given)."""
    write(tmp_path, ARCHIVE)
    assert dm(tmp_path / "src" / "app", "check", ".").summary == []
    assert dm(tmp_path, "check", ".").summary == ["src/infrastructure/client.py:3:15 DM101 <- src/app/features/posters/make.py:3:12"]
    assert dm(tmp_path / "src" / "app", "check", ".").summary == []


def test_a_chain_of_imports_is_followed_three_hops_and_no_further(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # views.py -> a.py -> b.py -> images.py: the call three imports away raises the finding in
    # the given file; what the last hop's modules import is never resolved (nothing is analysed
    # past it).
    from dalle_migrate import runner

    write(tmp_path, {
        **PYPROJECT,
        "views.py": "from a import draw\nimport c\nMODEL = 'dall-e-3'\ndraw(MODEL)\n",
        "a.py": "from b import draw\n",
        "b.py": "from images import draw\n",
        "images.py": "from openai import OpenAI\nimport far\ndef draw(model):\n    OpenAI().images.generate(model=model, prompt='x')\n",
        "far.py": "import farther\n",
        "farther.py": "X = 1\n",
        "c.py": "import d\n",
        "d.py": "import e\n",
        "e.py": "import f\n",
        "f.py": "X = 2\n",
    })
    followed: List[str] = []
    real = runner._imports_of
    monkeypatch.setattr(runner, "_imports_of", lambda path, settings: (followed.append(Path(path).name), real(path, settings))[1])
    assert dm(tmp_path, "check", "--no-cache", "--jobs", "1", "views.py").summary == ["views.py:3:9 DM101 <- images.py:4:5"]
    assert sorted(followed) == ["a.py", "b.py", "c.py", "d.py"]  # not e.py, three imports away


@pytest.mark.parametrize(
    "second_cell",
    [
        ["%%writefile other.py\n", "from openai import OpenAI\n", "OpenAI().images.generate(prompt='y')\n"],
        ["# draft, unfinished\n", "img = client.images.generate(prompt='y'\n"],
    ],
    ids=["writefile-cell", "broken-cell"],
)
@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_a_notebook_whose_only_call_is_no_python_passes_its_imports_on(tmp_path: Path, second_cell, cache) -> None:
    # settings_mod.py given alone: the notebook importing it looks like an image caller by its
    # text, but its analysed module has no call (the call is in a cell that is no Python). Its
    # imports lead to the wrapper whose call takes the model it passes: followed all the same.
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": [
            "import settings_mod\n", "from helpers import make\n", "make(settings_mod.MODEL)\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": second_cell},
    ]
    write(tmp_path, {
        **PYPROJECT,
        "settings_mod.py": 'MODEL = "dall-e-3"\n',
        "helpers.py": "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef make(model):\n    return client.images.generate(model=model, prompt='a cat')\n",
    })
    (tmp_path / "N.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    whole = dm(tmp_path, "check", *cache, ".").summary
    assert "settings_mod.py:1:9 DM101 <- helpers.py:7:12" in whole
    for _ in range(2):  # (the second run with what the first kept)
        assert "settings_mod.py:1:9 DM101 <- helpers.py:7:12" in dm(tmp_path, "check", *cache, "--jobs", "1", "settings_mod.py").summary
