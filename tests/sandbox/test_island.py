"""The sandbox is an island: it imports nothing of the client side (``voucherify_ext`` outside
``sandbox/``, or the generated ``voucherify_client``), so it can serve any client and a client
bug cannot hide in the server that tests it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import voucherify_ext.sandbox

SANDBOX = Path(voucherify_ext.sandbox.__file__).resolve().parent
PACKAGE = SANDBOX.parent


def _imported_modules(path: Path) -> list[str]:
    """Every module an ``import``/``from ... import`` in ``path`` names, relative ones resolved."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(("voucherify_ext", "sandbox")[: 2 - (node.level - 1)])
                found.append(f"{base}.{node.module}" if node.module else base)
            else:
                assert node.module is not None
                found.append(node.module)
    return found


def _client_side(module: str) -> bool:
    top = module.split(".")[0]
    if top == "voucherify_client":
        return True
    return top == "voucherify_ext" and not (
        module == "voucherify_ext.sandbox" or module.startswith("voucherify_ext.sandbox.")
    )


def test_no_sandbox_module_imports_the_client_side() -> None:
    modules = sorted(SANDBOX.glob("*.py"))
    assert len(modules) > 20
    offenders = {
        f"{path.name}: {name}" for path in modules for name in _imported_modules(path) if _client_side(name)
    }
    assert not offenders


def test_the_checker_sees_a_client_import() -> None:
    assert _client_side("voucherify_ext.errors") and _client_side("voucherify_ext")
    assert _client_side("voucherify_client.models") and not _client_side("voucherify_ext.sandbox.state")


def test_importing_the_sandbox_loads_nothing_of_the_client_side() -> None:
    """At run time too, whatever ``voucherify_ext/__init__`` does: the package is stood in for
    by a bare namespace, so only what the sandbox itself imports gets loaded."""
    script = f"""
import json, sys, types
package = types.ModuleType("voucherify_ext")
package.__path__ = [{str(PACKAGE)!r}]
sys.modules["voucherify_ext"] = package
import voucherify_ext.sandbox
import voucherify_ext.sandbox.__main__
print(json.dumps(sorted(sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)
    assert "voucherify_ext.sandbox.state" in loaded and "voucherify_ext.sandbox.server" in loaded
    assert [name for name in loaded if _client_side(name) and name != "voucherify_ext"] == []
