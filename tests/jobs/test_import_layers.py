"""What the imports package may import (issue 13), read from the source (the package ``__init__``
loads the whole client, so ``sys.modules`` cannot tell):

* no module of ``voucherify_ext.imports`` imports the exports, the resources, the façade, the
  CLI, the pytest plugin or the sandbox (imports and exports are independent; resources and
  the façade sit above imports);
* the pure part (everything but the drivers and the steps, which call the API through
  ``responses``) reaches neither the poller, the pagination nor the transport, directly or
  through what it imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import voucherify_ext

ROOT = Path(voucherify_ext.__file__).parent
PACKAGE = ROOT / "imports"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
NOT_PURE = {"drivers", "steps"}

#: above the imports, or beside them
NEVER = (
    "voucherify_ext.exports",
    "voucherify_ext.resources",
    "voucherify_ext.client",
    "voucherify_ext.cli",
    "voucherify_ext.pytest_plugin",
    "voucherify_ext.sandbox",
)
#: the I/O stack the pure part must not pull in
NOT_FROM_PURE = (
    "voucherify_ext.polling",
    "voucherify_ext.pagination",
    "voucherify_ext.http.retry_transport",  # and its _async source and _sync twin (a prefix)
    "voucherify_ext.responses",
)
#: The two result parsers the state still imports from polling; the paging branch moves them
#: into ``voucherify_ext.imports.action_result``, after which no exception is left to use.
PENDING_MOVE = {"voucherify_ext.polling": {"action_state", "import_result"}}


def _path(module: str) -> Path | None:
    parts = module.split(".")[1:]
    for candidate in (ROOT.joinpath(*parts).with_suffix(".py"), ROOT.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """The nodes of ``tree``, leaving out ``if TYPE_CHECKING:`` blocks (their imports are never
    run; the cycle ``errors`` -> ``imports`` they make is the import-linter contracts' to find)."""
    nodes: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        nodes.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return nodes


def imported(module: str) -> list[tuple[str, set[str]]]:
    """The ``voucherify_ext`` modules ``module`` imports when it runs (at the top or in a
    function), each with the names taken from it."""
    path = _path(module)
    if path is None:
        return []
    found: list[tuple[str, set[str]]] = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names if alias.name.startswith("voucherify_ext")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("voucherify_ext"):
            names = {alias.name for alias in node.names}
            submodules = [f"{node.module}.{n}" for n in names if _path(f"{node.module}.{n}") is not None]
            found += [(node.module, names)] + [(s, set()) for s in submodules]
    return found


def _pending(current: str, target: str, names: set[str]) -> bool:
    """Whether this is the import the paging branch is moving (not followed until it lands)."""
    return (
        current.startswith("voucherify_ext.imports.")
        and bool(names)
        and names <= PENDING_MOVE.get(target, set())
        and not (PACKAGE / "action_result.py").is_file()
    )


def reached(module: str) -> dict[str, str]:
    """Every ``voucherify_ext`` module ``module`` reaches, with the chain that reaches it."""
    seen: dict[str, str] = {module: module}
    todo = [module]
    while todo:
        current = todo.pop()
        for target, names in imported(current):
            if _pending(current, target, names) or target == "voucherify_ext":
                # (the package root: config.py takes __version__ from it today, a cycle the
                # house branch removes; every module loads the root anyway)
                continue
            if target not in seen:
                seen[target] = f"{seen[current]} -> {target}"
                todo.append(target)
    return seen


@pytest.mark.parametrize("name", MODULES)
def test_imports_never_import_what_sits_above_or_beside_them(name: str) -> None:
    bad = {m: chain for m, chain in reached(f"voucherify_ext.imports.{name}").items() if m.startswith(NEVER)}
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(set(MODULES) - NOT_PURE))
def test_the_pure_part_does_not_reach_the_io_stack(name: str) -> None:
    bad = {
        m: chain
        for m, chain in reached(f"voucherify_ext.imports.{name}").items()
        if m.startswith(NOT_FROM_PURE)
    }
    assert not bad, bad


def test_the_graph_is_read() -> None:
    """The walk sees imports at all (a walk that found nothing would pass the tests above)."""
    state = reached("voucherify_ext.imports.state")
    assert {
        "voucherify_ext.imports.checkpoint",
        "voucherify_ext.imports.file_lock",
        "voucherify_ext.errors",
    } <= set(state)
    assert "voucherify_ext.responses" in reached("voucherify_ext.imports.steps")
