"""The errors of what the caller passed in, refused before anything is sent: bad settings
(:class:`ConfigurationError`) and bad input values (:class:`ValidationError` and its kinds).

Each also derives from the built-in exception a caller may already catch: ``except ValueError``
catches both, ``except TypeError`` catches :class:`InputTypeError`, ``except RecursionError``
catches :class:`InputTooDeepError`.
"""

from __future__ import annotations

from voucherify_ext.errors.base import VoucherifyError

__all__ = ["ConfigurationError", "InputTooDeepError", "InputTypeError", "ValidationError"]


class ConfigurationError(VoucherifyError, ValueError):
    """Missing or invalid client settings (credentials, URL, options)."""


class ValidationError(VoucherifyError, ValueError):
    """Input refused before it was sent, e.g. an unknown key in an order dict.

    ``path`` names the offending key (``items[0].product.nmae``) when there is one.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class InputTypeError(ValidationError, TypeError):
    """An argument of the wrong type, e.g. ``import_orders(None)`` or ``export(filters="a=b")``;
    nothing was sent. ``path`` names the argument."""


class InputTooDeepError(ValidationError, RecursionError):
    """A value nests too deeply to be encoded (or decoded) as JSON; nothing was sent. ``path``
    names where the nesting goes (``metadata.a.b.c...``), ``depth`` how deep it was found to go
    (None when unknown)."""

    def __init__(self, message: str, *, path: str | None = None, depth: int | None = None) -> None:
        self.depth = depth
        super().__init__(message, path=path)
