"""Warnings issued at the caller's line: the first frame outside ``voucherify_ext``.

A warning the client raises about what the caller did (a list that moved under an iteration,
an order item that needs ``related_object``) should point at the caller's own line, however
deep inside the package it was found. :func:`warn_at_caller` walks the frames up to the first
one outside the package and gives :func:`warnings.warn` that ``stacklevel``. It works sync and
async alike: a running coroutine's or generator's frame links back to the frame that resumed
it. Code run in a worker thread has no such link: collect its warnings and issue them from the
caller's thread (the import's file scan does).
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_at_caller"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_at_caller(warning: Warning) -> None:
    """Issue ``warning`` at the first frame outside ``voucherify_ext``."""
    frame = sys._getframe(0)
    level = 1
    while frame.f_code.co_filename.startswith(_PACKAGE):
        back = frame.f_back
        if back is None:
            break
        frame = back
        level += 1
    warnings.warn(warning, stacklevel=level)
