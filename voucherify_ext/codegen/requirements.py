"""The ``codegen`` extra: installed, and at exactly the versions it pins.

The pins are read from this distribution's own metadata (pyproject's ``codegen`` extra), so they
are written in one place. A different generator, formatter, template engine or YAML reader could
write different bytes, so a version that is not the pinned one is refused, not tolerated.
"""

from __future__ import annotations

import importlib.metadata
import re

from voucherify_ext.codegen.errors import CodegenError

DISTRIBUTION = "voucherify-orders"
EXTRA = "codegen"
INSTALL = f'pip install "{DISTRIBUTION}[{EXTRA}]"'
_PIN = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^;\s]+)\s*;\s*extra\s*==\s*[\"']codegen[\"']\s*$"
)


def pins(requires: list[str] | None = None) -> dict[str, str]:
    """``{distribution: version}`` of the ``codegen`` extra, from ``Requires-Dist`` lines."""
    if requires is None:
        try:
            requires = importlib.metadata.requires(DISTRIBUTION) or []
        except importlib.metadata.PackageNotFoundError:
            raise CodegenError(
                f"{DISTRIBUTION} is not installed, so its codegen pins are unknown: {INSTALL}"
            ) from None
    found = {m.group(1): m.group(2) for line in requires if (m := _PIN.match(line))}
    if not found:
        raise CodegenError(f"{DISTRIBUTION}'s metadata names no exact {EXTRA} pins; reinstall: {INSTALL}")
    return found


def verify(wanted: dict[str, str] | None = None) -> None:
    """Raise :class:`CodegenError` naming the extra unless every pin is installed at its version."""
    for name, version in sorted((wanted if wanted is not None else pins()).items()):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            raise CodegenError(
                f"{name} is not installed; code generation needs the {EXTRA} extra: {INSTALL}"
            ) from None
        if installed != version:
            raise CodegenError(f"{name} {installed} is installed but {EXTRA} pins {version}: {INSTALL}")
