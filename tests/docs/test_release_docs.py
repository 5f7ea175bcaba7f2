"""docs/release.md is the release as it runs: its workflow block is .github/workflows/release.yml
byte for byte, that workflow publishes a pushed version tag with trusted publishing (no token),
and the make targets the checklist names exist and are listed by ``make help``."""

from __future__ import annotations

import re
import subprocess

import yaml

from .conftest import ROOT, blocks

PAGE = ROOT / "docs" / "release.md"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def test_the_pages_workflow_is_the_repositorys() -> None:
    (block,) = blocks(PAGE, "yaml")
    assert block.code == WORKFLOW.read_text(encoding="utf-8")


def test_the_workflow_publishes_a_version_tag_with_trusted_publishing() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = [step.get("run", "") for step in build["steps"]]
    assert any(run.startswith("make dist") for run in runs)
    assert any("GITHUB_REF_NAME" in run and "__version__" in run for run in runs)  # the tag is the version
    assert publish["needs"] == "build" and publish["environment"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert not any("password" in step.get("with", {}) for step in publish["steps"])  # no token


def test_the_checklists_make_targets_exist_and_are_listed() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (phony,) = re.findall(r"^\.PHONY: (.*)$", makefile, re.M)[:1]
    helped = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for target in re.findall(r"`make ([a-z-]+)", PAGE.read_text(encoding="utf-8")):
        assert target in phony.split(), target
        assert f"make {target} " in helped, target
