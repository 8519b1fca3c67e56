"""The GitHub Action (`action.yml` at the root): its shell steps, run here as the runner runs
them (GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_OUTPUT, inputs as the step's env), against a
fixture tree: the tool installed from the action's own checkout, annotations on standard output,
a SARIF file valid against the schema, the exit code by `fail-on-findings`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # installed with pre-commit (test extras)
jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
SCHEMA = json.loads((Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text())
_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def _step(name: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s["name"].startswith(name))


def _run_step(step: dict, workdir: Path, runner_temp: Path, inputs: dict) -> subprocess.CompletedProcess:
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    env = dict(os.environ, GITHUB_ACTION_PATH=str(ROOT), RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(runner_temp / "output"))
    for key, value in (step.get("env") or {}).items():
        env[key] = _INPUT.sub(lambda m: values[m.group(1)], str(value))
    assert step["shell"] == "bash"
    return subprocess.run(["bash", "-c", step["run"]], cwd=workdir, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    runner_temp = tmp_path_factory.mktemp("runner")
    done = _run_step(_step("Install"), runner_temp, runner_temp, {})
    assert done.returncode == 0, done.stderr
    return runner_temp


@pytest.fixture
def tree(tmp_path) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / "DM101", work / "app")
    return work


def test_the_action_is_a_composite_action_with_its_inputs():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"paths", "sarif-file", "fail-on-findings", "args"}


def test_check_step_writes_annotations_and_sarif_and_fails_on_findings(installed, tree):
    done = _run_step(_step("Check"), tree, installed, {"paths": "app", "args": "--today 2026-11-25"})
    assert done.returncode == 1, done.stdout + done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(re.match(r"::(error|warning) file=app/[\w/.]+,line=\d+", a) for a in annotations), annotations[:3]
    assert any("DM101" in a for a in annotations)
    sarif = json.loads((tree / "dalle-migrate.sarif").read_text())
    jsonschema.validate(sarif, SCHEMA)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"DM101"}
    assert "sarif-file=dalle-migrate.sarif" in (installed / "output").read_text()


def test_fail_on_findings_off_passes_and_a_clean_tree_passes(installed, tree):
    done = _run_step(_step("Check"), tree, installed, {"paths": "app", "fail-on-findings": "false", "sarif-file": "", "args": "--today 2026-11-25"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tree / "dalle-migrate.sarif").exists()
    (tree / "clean").mkdir()
    (tree / "clean" / "ok.py").write_text('from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-2", prompt="x")\n')
    done = _run_step(_step("Check"), tree, installed, {"paths": "clean"})
    assert done.returncode == 0, done.stdout + done.stderr
