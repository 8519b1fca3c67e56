"""The SDK version a project pins decides whether moving legacy openai.Image calls to 1.x is safe."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalle_migrate.cli import main
from dalle_migrate.pins import V0, V1, classify, project_pin

CLASSIFIED = [
    ("==0.28.1", V0),
    ("<1", V0),
    ("<1.0", V0),
    ("~=0.27", V0),
    ("^0.28", V0),
    ("~0.28", V0),
    ("0.28.*", V0),
    (">=0.27.0, <0.29", V0),
    ("<=0.28.1", V0),
    (">=1", V1),
    (">=1.0.0", V1),
    ("==1.12.0", V1),
    ("~=1.3", V1),
    ("^1.3", V1),
    ("1.*", V1),
    (">=1.3,<2", V1),
]
UNKNOWN = [">=0.27", "*", "", "!=1.0", ">=0.99", "latest"]


@pytest.mark.parametrize("specifier,major", CLASSIFIED)
def test_classify(specifier: str, major: str) -> None:
    assert classify(specifier) == major


@pytest.mark.parametrize("specifier", UNKNOWN)
def test_classify_says_nothing(specifier: str) -> None:
    assert classify(specifier) is None


FILES = [
    ({"requirements.txt": "flask==3.0\nopenai==0.28.1  # the old SDK\n"}, V0, "requirements.txt"),
    ({"requirements.txt": "openai==0.28.1 \\\n    --hash=sha256:abc\n"}, V0, "requirements.txt"),  # pip-compile --generate-hashes
    ({"requirements/base.txt": "openai[datalib]>=1.3 ; python_version > '3.8'\n"}, V1, "requirements/base.txt"),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["openai<1"]\n'}, V0, "pyproject.toml"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\nopenai = "^1.30.0"\n'}, V1, "pyproject.toml"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\nopenai = { version = "^0.27.8", extras = ["datalib"] }\n'}, V0, "pyproject.toml"),
    ({"setup.cfg": "[options]\ninstall_requires =\n    openai==0.27.0\n    requests\n"}, V0, "setup.cfg"),
    ({"Pipfile": '[packages]\nopenai = "==1.51.0"\n'}, V1, "Pipfile"),
    ({"setup.py": "from setuptools import setup\nsetup(install_requires=['openai>=1.0', 'rich'])\n"}, V1, "setup.py"),
]


@pytest.mark.parametrize("files,major,source", FILES)
def test_project_pin(tmp_path: Path, files: dict, major: str, source: str) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    pin = project_pin(str(tmp_path))
    assert pin is not None and (pin.major, pin.source) == (major, source)


def test_no_pin(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("openai\nopenai-whisper==1.0\n", encoding="utf-8")
    assert project_pin(str(tmp_path)) is None


LEGACY = textwrap.dedent(
    """
    import openai
    openai.api_key = "sk-test"
    reply = openai.ChatCompletion.create(model="gpt-4", messages=[])
    image = openai.Image.create(prompt="a fox", model="dall-e-3")
    """
).lstrip()


def check(root: Path) -> list:
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", "--today", "2026-11-25", "--isolated"])
    return [(item["code"], (item["fix"] or {}).get("applicability"), item["message"]) for item in json.loads(result.stdout)]


def test_a_pin_on_0x_makes_the_rewrite_unsafe(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("openai==0.28.1\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(LEGACY.replace('reply = openai.ChatCompletion.create(model="gpt-4", messages=[])\n', ""), encoding="utf-8")
    legacy = [f for f in check(tmp_path) if f[0] == "DM401"]
    assert [f[1] for f in legacy] == ["unsafe"]
    assert "pins openai 0.x (`openai==0.28.1` in requirements.txt)" in legacy[0][2]


def test_a_pin_on_1x_makes_the_rewrite_safe_and_reports_the_other_resources(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("openai>=1.40\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(LEGACY, encoding="utf-8")
    legacy = [f for f in check(tmp_path) if f[0] == "DM401"]
    assert sorted(str(f[1]) for f in legacy) == ["None", "safe"]  # ChatCompletion: reported, no fix
    assert any("`openai.ChatCompletion` was removed in openai 1.0" in f[2] for f in legacy)


def test_without_a_pin_the_file_decides(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(LEGACY, encoding="utf-8")
    legacy = [f for f in check(tmp_path) if f[0] == "DM401"]
    assert [f[1] for f in legacy] == ["unsafe"]
    assert "which needs openai 0.x" in legacy[0][2]
