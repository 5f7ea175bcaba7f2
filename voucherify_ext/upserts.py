"""Writes declared safe to repeat: :class:`Upsert`, and the built-in :data:`ORDER_UPSERT`.

Voucherify has no idempotency keys, so a POST that failed ambiguously (a dropped response, a
503) is not repeated: it might have been processed. An upsert is the exception: a create that
names its record by a key (``id``, ``source_id``) updates the same record when repeated. The
retry policy (:mod:`voucherify_ext.retry`) retries what is declared here like a GET.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import httpx

from voucherify_ext.errors import ConfigurationError

__all__ = ["ORDER_UPSERT", "Upsert"]


def _upper(value: str) -> str:
    return value.upper() if isinstance(value, str) else value


def _keys(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _check_upsert(instance: Upsert, _: attrs.Attribute[Any], __: Any) -> None:
    if not isinstance(instance.path, str) or not instance.path.startswith("/"):
        raise ConfigurationError(f"Upsert path must start with '/', got {instance.path!r}")
    if not instance.keys or not all(isinstance(k, str) and k for k in instance.keys):
        raise ConfigurationError(f"Upsert keys must be non-empty field names, got {instance.keys!r}")
    if instance.method not in ("POST", "PATCH"):
        raise ConfigurationError(
            "Upsert method must be POST or PATCH (other methods are idempotent already), "
            f"got {instance.method!r}"
        )


@attrs.frozen
class Upsert:
    """A write declared safe to repeat: a ``method`` request to ``path`` whose JSON body names
    the record by one of ``keys`` (a non-empty string) creates it or updates the same record, so
    repeating it after an ambiguous failure (a dropped response, a 503) cannot make a second one.

    ``path`` is matched against the end of the request path; a ``{name}`` segment matches any one
    segment: ``Upsert("/v1/customers", keys="source_id")``. A request without any of the keys is
    not covered: it is retried only when it provably was not sent, and otherwise fails with
    ``outcome_unknown``. Declare only what the server really treats as an upsert.
    """

    path: str
    keys: tuple[str, ...] = attrs.field(default=("id", "source_id"), converter=_keys)
    method: str = attrs.field(default="POST", converter=_upper, validator=_check_upsert)

    def matches(self, request: httpx.Request) -> bool:
        """Whether ``request`` is this operation (method and path), with or without a key."""
        if request.method.upper() != self.method:
            return False
        want = self.path.strip("/").split("/")
        have = request.url.path.rstrip("/").split("/")
        if len(have) < len(want):
            return False
        tail = have[len(have) - len(want) :]
        return all(
            w == h or (w.startswith("{") and w.endswith("}") and h) for w, h in zip(want, tail, strict=True)
        )

    def names_record(self, body: object) -> bool:
        """Whether the JSON ``body`` names the record by one of the keys."""
        if not isinstance(body, dict):
            return False
        return any(isinstance(body.get(key), str) and body.get(key) for key in self.keys)


#: createOrder with ``id`` or ``source_id``: Voucherify updates the order it names (built in)
ORDER_UPSERT = Upsert("/v1/orders", keys=("id", "source_id"))
