"""The documentation site (make docs, docs/conf.py) builds strictly, and its API reference lists
every public name: the names of ``voucherify_ext.__all__`` and the paths of docs/ARCHITECTURE.md's
"Public paths" table. The README is the front page, and its relative links reach the same pages
on the site as on the repository.

The build (about 30 s) runs once per test session, whichever xdist worker asks first.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from sphinx.util.inventory import InventoryFile

import voucherify_ext

from .conftest import ROOT
from .test_public_paths import public_paths

STRICT = ["-W", "--keep-going", "-n", "-q"]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def sphinx_build(srcdir: Path, confdir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sphinx", *STRICT, "-c", str(confdir), "-d", str(out / "doctrees")]
    return subprocess.run(
        [*command, str(srcdir), str(out / "html")], cwd=srcdir, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # one build for all the xdist workers of this run
        shared = shared.parent
    out = shared / "docs-site"
    with FileLock(str(shared / "docs-site.lock")):
        result_file = out / "result.txt"
        if not result_file.exists():
            result = sphinx_build(ROOT, ROOT / "docs", out)
            out.mkdir(parents=True, exist_ok=True)
            result_file.write_text(f"{result.returncode}\n{result.stdout}{result.stderr}", encoding="utf-8")
        code, _, output = result_file.read_text(encoding="utf-8").partition("\n")
    assert code == "0", f"the strict build failed:\n{output}"
    return out / "html"


def inventory(html: Path) -> dict[str, Any]:
    with (html / "objects.inv").open("rb") as stream:
        data: dict[str, Any] = InventoryFile.load(stream, "", lambda base, uri: uri)  # type: ignore[arg-type]
    return data


def test_the_docs_extra_pins_exactly_what_the_lock_pins_and_what_is_installed() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = dict(requirement.split("==", 1) for requirement in extra["optional-dependencies"]["docs"])
    assert set(pins) == {"sphinx", "myst-parser"}
    lock = dict(
        line.lower().split("==", 1)
        for line in (ROOT / "requirements" / "dev.txt").read_text().splitlines()
        if "==" in line
    )
    assert {name: lock[name] for name in pins} == pins
    assert {name: metadata.version(name) for name in pins} == pins


def test_the_site_builds_strictly_with_the_readme_as_its_front_page(site: Path) -> None:
    front = (site / "README.html").read_text(encoding="utf-8")
    assert '<h1>voucherify-orders<a class="headerlink" href="#voucherify-orders"' in front
    assert "url=README.html" in (site / "index.html").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert (site / "docs" / f"{page.stem}.html").is_file(), page.name


def test_the_reference_lists_every_name_of_voucherify_ext(site: Path) -> None:
    documented = {name for entries in inventory(site).values() for name in entries}
    missing = [name for name in voucherify_ext.__all__ if f"voucherify_ext.{name}" not in documented]
    assert missing == []
    assert len(voucherify_ext.__all__) > 50


def test_the_reference_lists_every_public_path(site: Path) -> None:
    modules = set(inventory(site)["py:module"])
    assert set(public_paths()) - modules == set()


def test_the_readme_links_reach_the_same_pages_on_the_site(site: Path) -> None:
    front = (site / "README.html").read_text(encoding="utf-8")
    links = [
        link for link in LINK.findall((ROOT / "README.md").read_text(encoding="utf-8")) if "://" not in link
    ]
    assert "docs/client.md#timeouts" in links and len(links) >= 15
    for link in links:
        path, _, anchor = link.partition("#")
        assert (ROOT / path).exists(), link  # on the repository
        if path.endswith(".md"):  # on the site: the same page, built, with the heading's anchor
            href = path.removesuffix(".md") + ".html" + (f"#{anchor}" if anchor else "")
            assert f'href="{href}"' in front, link
            page = (site / href.partition("#")[0]).read_text(encoding="utf-8")
            assert not anchor or f'id="{anchor}"' in page, link
        else:  # a file that is no page (the benchmark chart): a copy beside the site
            assert re.search(rf'href="_(downloads|images)/[^"]*{re.escape(Path(path).name)}"', front), link


PAGE = """Page
====

.. py:class:: voucherify_ext.RetryPolicy

A name by its defining module, :class:`voucherify_ext.retry.RetryPolicy`, and an internal module,
:mod:`voucherify_ext.imports.steps`.
"""


def small_site(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """A one-page site with the site's extension (docs/_ext) and its strictness, no autodoc."""
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'docs' / '_ext')!r})\nextensions = ['voucherify_site']\n"
    )
    (tmp_path / "index.rst").write_text(text, encoding="utf-8")
    return sphinx_build(tmp_path, tmp_path, tmp_path / "out")


def test_a_name_of_ours_links_to_its_public_entry_and_an_internal_one_stays_text(tmp_path: Path) -> None:
    result = small_site(tmp_path, PAGE)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "html" / "index.html").read_text(encoding="utf-8")
    assert '<a class="reference internal" href="#voucherify_ext.RetryPolicy"' in page
    assert '<span class="pre">voucherify_ext.imports.steps</span></code>' in page  # text, no link


@pytest.mark.parametrize(
    "reference",
    [
        ":class:`voucherify_ext.retry.NoSuchPolicy`",
        ":func:`voucherify_ext.imports.no_such_module.run`",
        ":class:`voucherify_ext.\nretry.RetryPolicy`",  # broken across two lines
    ],
)
def test_a_reference_to_nothing_fails_the_strict_build(tmp_path: Path, reference: str) -> None:
    result = small_site(tmp_path, f"{PAGE}\nAnd {reference}.\n")
    assert result.returncode != 0
    assert "reference target not found" in result.stderr
