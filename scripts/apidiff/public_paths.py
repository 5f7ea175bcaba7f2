"""The documented public module paths: the "Public paths" table of docs/ARCHITECTURE.md.

One reader for both ``make api-diff`` (what it guards) and tests/docs/test_public_paths.py.
"""

from __future__ import annotations

import re
from pathlib import Path


def public_paths(architecture: Path) -> dict[str, list[str]]:
    """Each public path in the table, and the names its row says it gives."""
    text = architecture.read_text(encoding="utf-8").split("## Public paths", 1)[1].split("\n## ", 1)[0]
    paths: dict[str, list[str]] = {}
    for row in re.findall(r"^\| (.+?) \| (.+?) \|$", text, re.M):
        names = re.findall(r"`(\w+)`", row[1])
        for path in re.findall(r"`(voucherify_ext[\w.]*)`", row[0]):
            paths[path] = names
        if "(with `.process`)" in row[0]:  # the sandbox run as a process of its own
            paths["voucherify_ext.sandbox.process"] = ["run_process"]
            paths["voucherify_ext.sandbox"] = [n for n in names if n != "run_process"]
    return paths
