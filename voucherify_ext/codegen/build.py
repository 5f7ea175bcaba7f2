"""``generate`` and ``check``: a package from a spec, with our settings and the pinned tools."""

from __future__ import annotations

import json
import keyword
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from voucherify_ext.codegen import requirements, spec, tools, tree
from voucherify_ext.codegen.errors import CodegenError
from voucherify_ext.codegen.settings import Settings, find_settings


def package_name(name: str) -> str:
    """``name`` if it can be imported as a top-level package, else :class:`CodegenError`."""
    if not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        raise CodegenError(f"--package {name!r} is not a Python package name (letters, digits, _)")
    return name


def _config(settings: Settings, package: str, into: Path) -> Path:
    """Our generator configuration with the package and project names set to ``package``."""
    from ruamel.yaml import YAML

    config = dict(YAML(typ="safe").load(settings.config.read_bytes()))
    config["package_name_override"] = package
    config["project_name_override"] = package.replace("_", "-")
    path = into / "config.json"
    path.write_bytes(json.dumps(config, indent=1, sort_keys=True).encode("utf-8"))
    return path


def build(source: Path, package: str, workspace: Path, settings: Settings | None = None) -> Path:
    """Generate, format and complete ``workspace/out/package``; return its path."""
    requirements.verify()
    settings = settings or find_settings()
    package = package_name(package)
    source = Path(source).resolve()
    canonical = spec.canonical_json(source)  # fails early, in one line, on an unreadable spec
    out = workspace / "out" / package
    out.parent.mkdir(parents=True)
    tools.run_generator(source, _config(settings, package, workspace), settings.templates, out)
    tools.format_package(out, settings, workspace)
    (out / "py.typed").write_bytes(b"")
    (out / "openapi.json").write_bytes(canonical.encode("utf-8"))
    return out


@contextmanager
def fresh(source: Path, package: str) -> Iterator[Path]:
    """A freshly generated package in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="voucherify-codegen-") as tmp:
        yield build(source, package, Path(tmp))


def generate(spec: str | Path, *, package: str, out: str | Path) -> Path:
    """Write the package generated from ``spec`` to ``out/package`` (replacing an earlier one); return it."""
    target = Path(out) / package_name(package)
    tree.refuse_foreign(target)
    with fresh(Path(spec), package) as made:
        tree.replace(made, target)
    return target


def check(spec: str | Path, *, package: str, out: str | Path) -> list[str]:
    """What ``generate`` would change in ``out/package``: ``missing:``, ``extra:``, ``stale:`` lines.

    Empty when ``out/package`` is what ``spec`` generates (see :func:`tree.differences`).
    """
    target = Path(out) / package_name(package)
    with fresh(Path(spec), package) as made:
        return tree.differences(made, target)
