"""Check the built sdist and wheel before they are published (``make dist`` runs it on dist/).

    python scripts/check_dist.py [DIR]            # DIR holds one .tar.gz and one .whl (default: dist)
    python scripts/check_dist.py FILE [FILE ...]  # or name the sdist and/or the wheel
    python scripts/check_dist.py --no-twine ...   # all but twine (tests of the other checks)

What it checks, each printed as ``ok   ...`` or ``FAIL ...``:

- ``twine check --strict`` on every artefact (the long description renders, the metadata is
  what the index accepts);
- the metadata of each (the wheel's METADATA, the sdist's PKG-INFO): the name, the version equal
  to voucherify_ext/_version.py (the one place it is written), ``License-Expression: MIT`` with
  ``License-File: LICENSE``, the ``Requires-Python``, the dependencies and the extras of
  pyproject.toml, and README.md as the long description (markdown);
- the LICENSE file inside each, the MIT text, byte for byte this checkout's LICENSE;
- in the wheel: ``py.typed`` of both packages, the spec (``voucherify_client/openapi.json`` and
  the sandbox's copy), and the generator settings and templates under
  ``voucherify_ext/codegen/data/`` byte for byte as they are in openapi/;
- in the sdist: the spec, the generator settings and templates, both packages' ``py.typed``,
  pyproject.toml and README.md.

Exit 0 when everything holds; otherwise 1, after a last line naming what failed or is missing.
"""

from __future__ import annotations

import email.message
import email.parser
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from voucherify_ext._version import __version__
from voucherify_ext.codegen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NAME, FILE_NAME = "voucherify-orders", "voucherify_orders"
LICENSE_EXPRESSION = "MIT"
MIT_TEXT = "Permission is hereby granted, free of charge, to any person obtaining a copy"
DATA = "voucherify_ext/codegen/data/"


def settings_files() -> dict[str, bytes]:
    """The generator settings as openapi/ holds them (codegen's :class:`Settings` names them):
    config, formatter settings, templates."""
    settings = Settings(ROOT / "openapi")
    names = [settings.config.name, settings.ruff_config.name]
    names += sorted(
        p.relative_to(settings.root).as_posix() for p in settings.templates.rglob("*") if p.is_file()
    )
    return {name: (settings.root / name).read_bytes() for name in names}


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.count = 0

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        self.count += 1
        if ok:
            print(f"ok   {what}")
        else:
            self.failed.append(what)
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))


def requirement_key(text: str) -> tuple[str, SpecifierSet, str]:
    """A requirement compared by meaning: its name, its version set, its marker (hatchling writes
    ``httpx<0.29,>=0.28`` for pyproject's ``httpx>=0.28,<0.29``)."""
    requirement = Requirement(text)
    return canonicalize_name(requirement.name), requirement.specifier, str(requirement.marker or "")


def requirements_of(project: dict[str, Any]) -> list[tuple[str, str]]:
    """pyproject's runtime dependencies and each extra's (``dev`` names this project itself, and
    is expanded by the backend: not compared), as the Requires-Dist lines must say them."""
    wanted = [(r, r) for r in project["dependencies"]]
    for extra, listed in project["optional-dependencies"].items():
        if extra != "dev":
            wanted += [(f"{r} ({extra})", f'{r}; extra == "{extra}"') for r in listed]
    return wanted


def check_metadata(checks: Checks, label: str, meta: email.message.Message, expected_version: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    checks.check(f"{label}: Name is {NAME}", meta["Name"] == NAME, repr(meta["Name"]))
    checks.check(
        f"{label}: Version is {expected_version} (voucherify_ext/_version.py)",
        meta["Version"] == expected_version,
        repr(meta["Version"]),
    )
    checks.check(
        f"{label}: License-Expression is {LICENSE_EXPRESSION}",
        meta["License-Expression"] == LICENSE_EXPRESSION and project.get("license") == LICENSE_EXPRESSION,
        f"metadata {meta['License-Expression']!r}, pyproject {project.get('license')!r}",
    )
    checks.check(
        f"{label}: License-File names LICENSE",
        meta.get_all("License-File") == ["LICENSE"],
        repr(meta.get_all("License-File")),
    )
    checks.check(
        f"{label}: Requires-Python is {project['requires-python']}",
        meta["Requires-Python"] == project["requires-python"],
        repr(meta["Requires-Python"]),
    )
    extras = sorted(project["optional-dependencies"])
    checks.check(
        f"{label}: the extras are {', '.join(extras)}",
        sorted(meta.get_all("Provides-Extra") or []) == extras,
        repr(meta.get_all("Provides-Extra")),
    )
    declared = {requirement_key(r) for r in meta.get_all("Requires-Dist") or []}
    missing = [shown for shown, r in requirements_of(project) if requirement_key(r) not in declared]
    checks.check(
        f"{label}: the dependencies of pyproject.toml and of its extras",
        not missing,
        "missing " + ", ".join(missing),
    )
    readme = (ROOT / project["readme"]).read_text(encoding="utf-8")
    body = meta.get_payload()
    checks.check(
        f"{label}: the long description is README.md, as markdown",
        meta["Description-Content-Type"] == "text/markdown"
        and isinstance(body, str)
        and body.strip() == readme.strip(),
        repr(meta["Description-Content-Type"]),
    )


def check_license(checks: Checks, label: str, text: bytes | None) -> None:
    ours = (ROOT / "LICENSE").read_bytes() if (ROOT / "LICENSE").is_file() else None
    checks.check(f"{label}: has a LICENSE file", text is not None)
    if text is None:
        return
    checks.check(
        f"{label}: LICENSE is the MIT licence, as declared",
        text.decode("utf-8", "replace").startswith("MIT License")
        and MIT_TEXT in " ".join(text.decode().split()),
    )
    checks.check(f"{label}: LICENSE is this checkout's", text == ours)


def check_members(
    checks: Checks, label: str, read: Callable[[str], bytes | None], expected: Mapping[str, bytes | None]
) -> None:
    """Each name of ``expected`` is inside; where its bytes are given, with exactly those bytes."""
    missing = [name for name in expected if read(name) is None]
    differ = [
        name
        for name, data in expected.items()
        if data is not None and name not in missing and read(name) != data
    ]
    checks.check(f"{label}: {len(expected)} files inside", not missing, "missing " + ", ".join(missing))
    if any(data is not None for data in expected.values()):
        checks.check(f"{label}: as they are in the checkout", not differ, "differ: " + ", ".join(differ))


def check_wheel(checks: Checks, path: Path, expected_version: str) -> None:
    label = f"wheel {path.name}"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())

        def read(name: str) -> bytes | None:
            return archive.read(name) if name in names else None

        info = f"{FILE_NAME}-{expected_version}.dist-info"
        checks.check(
            f"{label}: file name carries the version",
            path.name.startswith(f"{FILE_NAME}-{expected_version}-") and f"{info}/METADATA" in names,
        )
        metadata = [n for n in names if n.endswith(".dist-info/METADATA")]
        if metadata:
            meta = email.parser.Parser().parsestr(archive.read(metadata[0]).decode("utf-8"))
            check_metadata(checks, label, meta, expected_version)
        else:
            checks.check(f"{label}: has METADATA", False)
        licenses = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        check_license(checks, label, archive.read(licenses[0]) if licenses else None)
        check_members(
            checks,
            f"{label}: py.typed",
            read,
            {"voucherify_ext/py.typed": None, "voucherify_client/py.typed": None},
        )
        check_members(
            checks,
            f"{label}: the spec",
            read,
            {"voucherify_client/openapi.json": None, "voucherify_ext/sandbox/openapi.json": None},
        )
        settings = {DATA + name: data for name, data in settings_files().items()}
        check_members(checks, f"{label}: the generator config and templates", read, settings)
        stray = sorted(n for n in names if n.startswith(("generated/", "tests/", "openapi/")))
        checks.check(
            f"{label}: no checkout folders (generated/, tests/, openapi/)", not stray, ", ".join(stray[:5])
        )


def check_sdist(checks: Checks, path: Path, expected_version: str) -> None:
    label = f"sdist {path.name}"
    top = f"{FILE_NAME}-{expected_version}/"
    checks.check(
        f"{label}: file name carries the version", path.name == f"{FILE_NAME}-{expected_version}.tar.gz"
    )
    with tarfile.open(path) as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}

        def read(name: str) -> bytes | None:
            member = members.get(top + name)
            extracted = archive.extractfile(member) if member is not None else None
            return extracted.read() if extracted is not None else None

        info = read("PKG-INFO")
        if info is not None:
            check_metadata(
                checks, label, email.parser.Parser().parsestr(info.decode("utf-8")), expected_version
            )
        else:
            checks.check(f"{label}: has PKG-INFO", False)
        check_license(checks, label, read("LICENSE"))
        check_members(
            checks,
            f"{label}: py.typed",
            read,
            {"voucherify_ext/py.typed": None, "generated/voucherify_client/py.typed": None},
        )
        spec = ["openapi/voucherify-orders.yaml", "generated/voucherify_client/openapi.json"]
        spec += ["voucherify_ext/sandbox/openapi.json", "pyproject.toml", "README.md"]
        check_members(checks, f"{label}: the spec, pyproject.toml and README.md", read, dict.fromkeys(spec))
        settings = {f"openapi/{name}": data for name, data in settings_files().items()}
        check_members(checks, f"{label}: the generator config and templates", read, settings)


def twine_check(checks: Checks, paths: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    checks.check(
        f"twine check --strict: {', '.join(p.name for p in paths)}",
        done.returncode == 0,
        (done.stdout + done.stderr).strip().replace("\n", " | "),
    )


def artefacts(args: list[str]) -> list[Path]:
    paths = [Path(a) for a in args] or [ROOT / "dist"]
    if len(paths) == 1 and paths[0].is_dir():
        folder = paths[0]
        paths = sorted(folder.glob(f"{FILE_NAME}-*.whl")) + sorted(folder.glob(f"{FILE_NAME}-*.tar.gz"))
        if not paths:
            raise SystemExit(f"check_dist: no {FILE_NAME} wheel or sdist in {folder} (run make dist)")
    return paths


def main(args: list[str]) -> int:
    twine = "--no-twine" not in args
    paths = artefacts([a for a in args if a != "--no-twine"])
    expected = __version__  # voucherify_ext/_version.py, installed editable in .venv
    checks = Checks()
    wheels = [p for p in paths if p.name.endswith(".whl")]
    sdists = [p for p in paths if p.name.endswith(".tar.gz")]
    unknown = [p for p in paths if p not in wheels and p not in sdists]
    if unknown or not all(p.is_file() for p in paths):
        raise SystemExit(f"check_dist: not a wheel or sdist file: {', '.join(map(str, paths))}")
    if len(wheels) > 1 or len(sdists) > 1:
        raise SystemExit("check_dist: more than one wheel or sdist: empty the folder first (make dist does)")
    if twine:
        twine_check(checks, paths)
    for wheel in wheels:
        check_wheel(checks, wheel, expected)
    for sdist in sdists:
        check_sdist(checks, sdist, expected)
    if checks.failed:
        print(f"check_dist: {len(checks.failed)} of {checks.count} checks failed: {'; '.join(checks.failed)}")
        return 1
    print(f"check_dist: all {checks.count} checks passed ({', '.join(p.name for p in paths)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
