"""The site's three additions to Sphinx (docs/conf.py loads it as an extension).

- The front page's navigation: README.md stays plain markdown for the repository's web view, so
  the hidden table of contents that lists the other pages is added when Sphinx reads it.
- ``.. public-paths::``: one ``automodule`` for each path of the "Public paths" table in
  docs/ARCHITECTURE.md (read by scripts/apidiff/public_paths.py, as ``make api-diff`` reads it), so
  a path added there is in the API reference without editing docs/reference.rst.
- A reference to a name by the module that defines it (``voucherify_ext.retry.policy.RetryPolicy``
  in a signature) resolves to the public path that documents it (``voucherify_ext.RetryPolicy``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
sys.path.insert(0, str(ROOT / "scripts"))

from apidiff.public_paths import public_paths  # noqa: E402

import voucherify_ext  # noqa: E402

NAVIGATION = """

```{toctree}
:hidden:
:glob:

docs/reference
docs/*
benchmarks/README
CHANGELOG
benchmarks/RESULTS
openapi/README
```
"""


def add_navigation(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname == "README":  # the front page (root_doc in docs/conf.py)
        source[0] += NAVIGATION


class PublicPaths(SphinxDirective):
    """The modules of the "Public paths" table but the package itself, each with its members.

    A member that an earlier path already documents (``voucherify_ext.errors`` re-exported by the
    package, ``Upsert`` by both ``retry`` and ``toolkit``) is left out: one object, one entry.
    """

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(ARCHITECTURE))
        seen = {id(getattr(voucherify_ext, name)) for name in voucherify_ext.__all__}
        lines: list[str] = []
        for path in public_paths(ARCHITECTURE):
            if path == "voucherify_ext":
                continue
            module = importlib.import_module(path)
            names = list(getattr(module, "__all__", []))
            again = [name for name in names if id(getattr(module, name)) in seen]
            seen.update(id(getattr(module, name)) for name in names)
            lines += [f".. automodule:: {path}"]
            if again:
                lines += [f"   :exclude-members: {', '.join(again)}"]
            lines += [""]
        return self.parse_text_to_nodes("\n".join(lines))


def _exists(parts: list[str]) -> bool:
    """Whether ``voucherify_ext.a.b.C.d`` names a module or an attribute of ours."""
    if parts[0] != "voucherify_ext":
        return False
    for cut in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


def by_public_path(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """Resolve a reference that names one of our objects by another path than its documented one.

    ``voucherify_ext.retry.policy.RetryPolicy`` or a bare ``Backoff`` links to the shortest public
    path documented for that name. A name of ours that no public path documents (an internal
    module, a base class, a TypeVar) stays plain text: it exists, it is only not public. Anything
    else stays missing, so a misspelled or stale reference fails the strict build.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target or len(target.split()) != 1:
        return None  # not ours, or a target broken across a docstring's lines
    domain = env.get_domain("py")
    objects: dict[str, Any] = domain.objects  # type: ignore[attr-defined]
    first, *rest = target.removeprefix("~").split(".")
    name = target.rsplit(".", 1)[-1]
    if target.startswith("voucherify_ext.") or not rest:
        candidates = sorted(
            (p for p in objects if p.rsplit(".", 1)[-1] == name and not objects[p].aliased), key=len
        )
        if candidates:
            new = node.deepcopy()
            new["reftarget"] = candidates[0]
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], candidates[0], new, contnode
            )
    # relative to the module or class being documented, or to a documented object of ours
    bases = [target.split("."), [*str(node.get("py:module") or "").split("."), first, *rest]]
    bases += [[*p.split("."), *rest] for p in objects if p.rsplit(".", 1)[-1] == first]
    bases += [[*p.split("."), first, *rest] for p in public_paths(ARCHITECTURE)]
    if any(_exists(parts) for parts in bases):
        return contnode
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", add_navigation)
    app.connect("missing-reference", by_public_path)
    app.add_directive("public-paths", PublicPaths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
