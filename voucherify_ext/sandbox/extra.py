"""Whether the ``sandbox`` extra is installed, checked before anything imports starlette.

Imported first by the package: without the extra, ``import voucherify_ext.sandbox`` raises
:class:`SandboxExtraMissing` (a ``ModuleNotFoundError`` whose message names the extra to
install), ``python -m voucherify_ext.sandbox`` prints that message as one line and exits 3 (as
the CLI does for a missing ``cli`` extra), and the pytest fixtures fail with it in one line.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys

__all__ = ["EXTRA_MODULES", "SandboxExtraMissing", "missing_extra"]

#: what the ``sandbox`` extra installs, and this package imports at its top
EXTRA_MODULES = ("starlette", "uvicorn")

MESSAGE = "the sandbox needs the sandbox extra: pip install 'voucherify-orders[sandbox]' (missing: {})"


class SandboxExtraMissing(ModuleNotFoundError):
    """The ``sandbox`` extra is not installed; the message says what to install."""

    def __init__(self, missing: str) -> None:
        super().__init__(MESSAGE.format(missing), name=missing)


def missing_extra() -> str | None:
    """The first module of the extra that cannot be found, or None when all can."""
    for name in EXTRA_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):  # a broken or half-removed install
            return name
    return None


def _run_as_main() -> bool:
    """Whether this interpreter was started as ``python -m voucherify_ext.sandbox``."""
    argv = getattr(sys, "orig_argv", [])
    return any(
        a == "-m" and b in ("voucherify_ext.sandbox", "voucherify_ext.sandbox.__main__")
        for a, b in itertools.pairwise(argv)
    )


if (_missing := missing_extra()) is not None:
    if _run_as_main():  # the command line: one line and exit 3, as the CLI without its extra
        print(MESSAGE.format(_missing), file=sys.stderr)
        raise SystemExit(3)
    raise SandboxExtraMissing(_missing)
