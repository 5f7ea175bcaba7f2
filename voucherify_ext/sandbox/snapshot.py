"""The sandbox's state file: its data as one JSON document, written atomically, read back.

What is saved: orders, customers, async actions (late commits included, with how many requests
they still wait for), exports, the objects of extension resources and the seeding counter. What
is not: OAuth tokens, scripted faults, request counts, rate windows and run-time settings; a
restart starts without them.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from voucherify_ext.sandbox.store_exports import ExportStore
from voucherify_ext.sandbox.store_imports import ImportQueue
from voucherify_ext.sandbox.store_orders import OrderStore
from voucherify_ext.sandbox.store_resources import ResourceStores

__all__ = ["VERSION", "dump", "read", "restore", "write"]

VERSION = 1


def dump(
    orders: OrderStore,
    imports: ImportQueue,
    exports: ExportStore,
    request_seq: int,
    resources: ResourceStores | None = None,
) -> str:
    """The stores as the text of a state file (call it under the state's lock)."""
    data: dict[str, Any] = {
        "version": VERSION,
        **orders.dump(),
        **imports.dump(request_seq),
        **exports.dump(),
        **(resources.dump() if resources is not None else {}),
    }
    return json.dumps(data, separators=(",", ":"))


def write(target: Path, text: str) -> None:
    """Replace ``target`` by ``text`` atomically."""
    # a temporary name of this process's own: two processes saving at once cannot write
    # into, or rename away, each other's temporary file
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


class StateFileError(ValueError):
    """A state file that cannot be read or is not one the sandbox wrote; the message names the
    file and what is wrong with it, in one line."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}; delete it to start empty, or restore a good copy")
        self.path = str(path)


def read(path: Path | str) -> dict[str, Any]:
    """The state file at ``path``, its version checked (:class:`StateFileError` otherwise)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StateFileError(path, f"cannot read the sandbox state file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise StateFileError(path, "not a sandbox state file (not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise StateFileError(path, f"not a sandbox state file (invalid JSON at {where}: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise StateFileError(path, "not a sandbox state file of this version")
    return data


def restore(
    data: dict[str, Any],
    orders: OrderStore,
    imports: ImportQueue,
    exports: ExportStore,
    *,
    now_ms: float,
    request_seq: int,
    resources: ResourceStores | None = None,
) -> None:
    """Fill the (empty) stores from a state file's ``data``."""
    orders.restore(data, now_ms)
    imports.restore(data, request_seq)
    exports.restore(data)
    if resources is not None:
        resources.restore(data)
