"""What :mod:`voucherify_ext.responses` needs of a generated package, written as a protocol, so
that :func:`~voucherify_ext.responses.call` and :func:`~voucherify_ext.responses.unwrap` take the
functions and responses of *any* package openapi-python-client generated (``voucherify_client``,
or another team's), and a type checker follows the team's own types through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

__all__ = ["GeneratedResponse"]

T_co = TypeVar("T_co", covariant=True)


class GeneratedResponse(Protocol[T_co]):
    """A generated ``types.Response[T]``: what every ``*_detailed`` function returns.

    Read-only here, so the generated (mutable, attrs) class of any package matches, and
    ``Response[Error | CustomersList]`` is a ``GeneratedResponse[object]``. The ``extensions``
    that our templates add (the transport's record of the exchange) are read when present and
    are not required.
    """

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def parsed(self) -> T_co | None: ...
