"""A resource a team adds to the sandbox: a few typed fields, and it gets list, get, upsert and a
bulk call that becomes an async action, served through the same pipeline as the built-in
operations (auth, rate limit, request counting, latency, faults).

See :class:`Resource`; :class:`~voucherify_ext.sandbox.extensions.SandboxExtension` registers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Check", "Resource"]

Check = Callable[[Mapping[str, object]], str | None]
"""A resource's own rule for one object sent to it: None when it is fine, else the ``details`` of
the 400 ``invalid_payload`` an upsert answers (a bulk call reports it per item instead)."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PATH = re.compile(r"(/[A-Za-z0-9._~-]+)+")


@dataclass(frozen=True)
class Resource:
    """A named type of object the sandbox keeps, with Voucherify's list/get/upsert/bulk shape.

    * ``GET path?page=&limit=``: ``{"object": "list", "data_ref": name, name: [...], "total": N}``,
      newest first; ``page`` and ``limit`` bounded as every Voucherify list (the spec's 1..100);
    * ``GET path/{id}``: by ``id``, or by any other of ``keys`` (``source_id``); 404 otherwise;
    * ``POST path``: an upsert. The first of ``keys`` the body carries that names a stored object
      selects it, and the body's fields are merged over it; else a new object (its ``id`` the
      body's, when ``"id"`` is a key and sent, or ``id_prefix`` + 24 characters). The answer is the
      object with ``id``, ``object``, ``created_at`` and ``updated_at`` (null until updated);
    * ``POST bulk_path`` (when given): a JSON array of such bodies, answered
      ``{"async_action_id": "aa_..."}``; the action has type ``bulk_type``, goes ENQUEUED,
      IN_PROGRESS, DONE on the sandbox clock in the project's queue (like an import) and upserts
      the items as it goes; its ``result`` is ``{"message", "done_count", "failed_count",
      "errors": [{"message", "details", "key", "source_id"}]}``.

    ``scope`` is the OAuth scope that grants it besides ``api`` (None: app keys or ``api``).
    ``check`` is an optional rule per object (see :data:`Check`). ``bulk_max`` bounds a bulk call
    (None: the spec's import maximum, 2000).
    """

    name: str
    """The list's ``data_ref`` and the name the sandbox's Python API uses (``customers``)."""
    path: str
    """The collection's path (``/v1/customers``)."""
    object: str
    """The ``object`` field of each item (``customer``)."""
    id_prefix: str
    """The prefix of generated ids (``cust_``)."""
    keys: tuple[str, ...] = ("id", "source_id")
    """The fields that identify an object, in the order an upsert tries them."""
    scope: str | None = None
    bulk_path: str | None = None
    """The bulk call's path (``/v1/customers/bulk/async``); None: no bulk call."""
    bulk_type: str | None = None
    """The bulk call's async-action ``type`` (``CUSTOMERS.BULK_UPDATE``); required with ``bulk_path``."""
    check: Check | None = None
    bulk_max: int | None = None

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"resource name {self.name!r}: lower-case letters, digits and _ only")
        for path in (self.path, self.bulk_path):
            if path is not None and (not _PATH.fullmatch(path) or path.startswith("/_sandbox")):
                raise ValueError(f"resource path {path!r}: a plain absolute path outside /_sandbox")
        if not self.keys or len(set(self.keys)) != len(self.keys):
            raise ValueError("keys: at least one field name, each once")
        if (self.bulk_path is None) != (self.bulk_type is None):
            raise ValueError("bulk_path and bulk_type go together")
        if self.bulk_max is not None and self.bulk_max < 1:
            raise ValueError("bulk_max must be at least 1")
        if not self.id_prefix or not self.object:
            raise ValueError("object and id_prefix must not be empty")

    @property
    def item_path(self) -> str:
        """The path of one object: ``path`` + ``/{resource_id}``."""
        return self.path + "/{resource_id}"
