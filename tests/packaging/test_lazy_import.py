"""The top level imports lazily, so importing the sandbox (an island: it never imports the
client side, see tests/sandbox/test_island.py) through the real package ``__init__`` loads nothing
of the client, its HTTP stack, pagination, imports or exports; and every module imports first."""

from __future__ import annotations

import json
import subprocess
import sys


def _loaded_after(code: str) -> set[str]:
    """The ``voucherify_ext`` modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys\nprint(*sorted(m for m in sys.modules if m.startswith('voucherify_ext')))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return set(run.stdout.split())


def test_importing_the_sandbox_leaves_the_client_side_unimported() -> None:
    loaded = _loaded_after("import voucherify_ext.sandbox\nfrom voucherify_ext.sandbox import Sandbox, serve")
    assert "voucherify_ext.sandbox" in loaded
    assert "voucherify_ext.client" not in loaded
    assert not {m for m in loaded if m.startswith("voucherify_ext.http")}
    outside = {m for m in loaded if not m.startswith("voucherify_ext.sandbox")}
    assert outside == {"voucherify_ext", "voucherify_ext._version"}


def test_a_top_level_name_imports_its_module_on_first_use() -> None:
    assert "voucherify_ext.client" not in _loaded_after("import voucherify_ext")
    assert "voucherify_ext.client" in _loaded_after("import voucherify_ext\nvoucherify_ext.Voucherify")
    star = _loaded_after("from voucherify_ext import *")
    assert {"voucherify_ext.client", "voucherify_ext.errors", "voucherify_ext.retry"} <= star


_FIRST_IMPORTS = """
import importlib, json, pkgutil, sys
import voucherify_ext

names = [m.name for m in pkgutil.walk_packages(voucherify_ext.__path__, "voucherify_ext.")]
failed = {}
for name in names:
    if name.endswith("__main__"):
        continue
    for loaded in [m for m in sys.modules if m == "voucherify_ext" or m.startswith("voucherify_ext.")]:
        del sys.modules[loaded]  # as in a fresh interpreter (third-party modules may stay)
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
print(json.dumps({"count": len(names), "failed": failed}))
"""


def test_every_module_imports_first() -> None:
    """The eager top level used to import every module in one fixed order, which hid a cycle that
    only breaks when another module comes first (config took ``__version__`` from the package
    ``__init__``). Now each module is imported first, on its own, with nothing of ours loaded."""
    run = subprocess.run([sys.executable, "-c", _FIRST_IMPORTS], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["count"] > 50
    assert seen["failed"] == {}
