"""Every generated module is formatted by our ruff, even where ruff's own folder walk would skip it:
a package folder named like one of its default excludes (an API tag ``dist``), or a temporary
folder inside a git repository whose ``.gitignore`` ignores everything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.codegen.conftest import ROOT, TEAM_SPEC
from voucherify_ext.codegen import tools


def test_modules_in_folders_ruff_would_skip_are_formatted_too(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(TEAM_SPEC.read_text().replace("tags: [Customers]", "tags: [dist]"))
    repo = tmp_path / "repo"  # TMPDIR: where the command builds, ignored by git
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    (repo / ".gitignore").write_text("*\n")
    env = {**os.environ, "TMPDIR": str(repo)}
    args = [sys.executable, "-m", "voucherify_ext.codegen", str(spec), "--package", "dist_client"]
    run = subprocess.run([*args, "--out", str(tmp_path)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    modules = sorted(str(p) for p in (tmp_path / "dist_client").rglob("*.py"))
    assert any("/api/dist/" in m for m in modules)
    config = ["--config", str(ROOT / "openapi" / "ruff-generated.toml"), "--no-cache"]
    for step in (["format", "--check"], ["check"]):
        ruff = subprocess.run([tools.ruff_binary(), *step, *config, *modules], capture_output=True, text=True)
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
