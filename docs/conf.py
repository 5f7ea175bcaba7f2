"""The documentation site (Sphinx with MyST): ``make docs`` builds it, strictly; ``make docs-serve``
serves it on http://127.0.0.1:8000/.

The site's source tree is the repository itself: README.md is the front page and docs/*.md the
pages beside it, so a relative link (``docs/client.md#timeouts``, ``benchmarks/RESULTS.md``) means
the same page on the site as on the repository. ``include_patterns`` says which files are pages.
The API reference (docs/reference.rst) is generated from the docstrings: ``voucherify_ext``'s
``__all__`` and the "Public paths" table of docs/ARCHITECTURE.md (docs/_ext/voucherify_site.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

from voucherify_ext import __version__

project = "voucherify-orders"
release = version = __version__
extensions = ["myst_parser", "sphinx.ext.autodoc", "voucherify_site"]

root_doc = "README"
include_patterns = [
    "README.md",
    "docs/*.md",
    "docs/reference.rst",
    "CHANGELOG.md",
    "benchmarks/README.md",
    "benchmarks/RESULTS.md",
    "openapi/README.md",
]
# not walked at all (include_patterns only filters the files of the folders that are walked)
exclude_patterns = [".*", "build", "dist", "generated", "tests", "voucherify_ext", "scripts", "examples"]

myst_heading_anchors = 4  # GitHub's anchors (#calling-any-generated-operation) for the headings
myst_enable_extensions = ["deflist"]

autodoc_member_order = "bysource"  # a module's __all__ order
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}

nitpicky = True  # every reference must resolve: a missing one fails the strict build
# Third-party types in our signatures that no page of this site documents (no intersphinx: the
# build must not need the network). Python's own types are here for the same reason.
nitpick_ignore_regex = [
    ("py:.*", r"(collections\.abc|datetime|pathlib|os|enum|typing|types|logging|io|asyncio)\..*"),
    ("py:.*", r"(httpx|httpcore|attrs?|typer|click|starlette|uvicorn|opentelemetry|pytest|_pytest)(\..*)?"),
    ("py:.*", r"voucherify_client(\..*)?"),  # the generated models: their own docstrings, not ours
]

# GitHub renders both as the repository shows them: a heading level skipped (docs/client.md) and a
# fence of a language Pygments does not know (csv) are no broken link
suppress_warnings = ["myst.header", "misc.highlighting_failure"]

html_theme = "alabaster"
html_title = f"voucherify-orders {release}"
html_extra_path = ["_site"]  # index.html, a redirect to the front page (README.html)
