"""The one error of code generation: a message for one line of stderr, never a traceback."""

from __future__ import annotations


class CodegenError(Exception):
    """The spec, the generator or the environment stopped a generation; ``str()`` says why in one line."""
