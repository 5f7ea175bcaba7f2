"""The input of a live-order sync: an iterable of orders or a ``.jsonl``/``.csv`` file, read
lazily, and each order checked before it may be sent (pure apart from reading the file).

A file is read with the import's readers (:mod:`voucherify_ext.imports.readers`,
:mod:`voucherify_ext.imports.csv_reader`, the same UTF-8 and CSV column rules) and validated
whole before anything is sent (:func:`scan_file`, one streaming pass that also hashes the bytes
for the checkpoint), so a bad line stops the run with nothing sent. An iterable is read one
order at a time as the run needs it; a bad order there is refused alone (a ``failed`` result).

Each order is checked as ``vf.orders.create`` checks it, plus the import's validator
(:class:`~voucherify_ext.validation.OrderValidator`, on the createOrder schema), and it must
carry an ``id`` or a ``source_id`` (a non-empty string): that is what makes it an upsert, safe
to retry, and what orders the writes of one key.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping, Sized
from pathlib import Path
from typing import Any

import attrs
from voucherify_client.models import OrdersCreateRequestBody

from voucherify_ext.errors import InputTypeError, UpsertInputError, ValidationError
from voucherify_ext.imports.plan import open_orders_file
from voucherify_ext.imports.readers import ParseError
from voucherify_ext.orders.inputs import to_model
from voucherify_ext.validation import OrderValidator

__all__ = ["Prepared", "Source", "open_source", "order_keys"]

#: the spec component a createOrder body is checked against
CREATE_SCHEMA = "OrdersCreateRequestBody"


@functools.cache
def _validator() -> OrderValidator:
    return OrderValidator(require_source_id=False, component=CREATE_SCHEMA)


@attrs.frozen
class Prepared:
    """An order ready to send: its position, its keys and its checked body."""

    index: int
    line: int | None
    key: str  # what names it in results: its id, else its source_id
    keys: tuple[str, ...]  # "id:<id>", "source_id:<source_id>": the writes it must follow
    body: OrdersCreateRequestBody

    @property
    def checkpoint_key(self) -> str:
        return self.keys[0]


def _plain(record: Any) -> Any:
    if isinstance(record, dict):
        return record
    if isinstance(record, Mapping):
        return dict(record)
    to_dict = getattr(record, "to_dict", None)
    return to_dict() if callable(to_dict) else record


def order_keys(order: Any) -> tuple[str, ...]:
    """``("id:<id>", "source_id:<source_id>")``, those of the two the order carries."""
    if not isinstance(order, dict):
        return ()
    found = []
    for field in ("id", "source_id"):
        value = order.get(field)
        if isinstance(value, str) and value:
            found.append(f"{field}:{value}")
    return tuple(found)


class Source:
    """The records to send, ``(index, line, raw)`` one at a time, and what is known of them."""

    def __init__(
        self,
        records: Iterator[tuple[int | None, Any]],
        *,
        file: str | None,
        input_hash: str | None,
        total: int | None,
        allow_unknown_fields: bool,
    ) -> None:
        self._records = records
        self.file = file
        self.input_hash = input_hash
        self.total = total
        self.allow_unknown_fields = allow_unknown_fields

    def __iter__(self) -> Iterator[tuple[int, int | None, Any]]:
        for index, (line, raw) in enumerate(self._records):
            yield index, line, raw

    def where(self, index: int, line: int | None) -> str:
        return f"{self.file}:{line}" if self.file is not None and line is not None else f"order {index}"

    def prepare(self, index: int, line: int | None, raw: Any) -> Prepared | UpsertInputError:
        """``raw`` checked and made into a body, or the error that refuses it (not raised)."""
        where = self.where(index, line)

        def refuse(message: str, path: str | None = None) -> UpsertInputError:
            return UpsertInputError(
                f"{where}: {message.rstrip('.')}; not sent", index=index, line=line, file=self.file, path=path
            )

        if isinstance(raw, ParseError):
            return refuse(str(raw))
        order = _plain(raw)
        keys = order_keys(order)
        if not isinstance(order, dict):
            return refuse(f"an order must be a JSON object, got {type(order).__name__}")
        if not keys:
            return refuse(
                "an order needs an id or a source_id (a non-empty string): without one a create "
                "cannot be retried safely nor ordered with the other writes of the same order",
                path="source_id",
            )
        problem = _validator().check(order)
        if problem is not None:
            return refuse(problem)
        try:
            body = to_model(
                order, OrdersCreateRequestBody, what="order", allow_unknown_fields=self.allow_unknown_fields
            )
        except ValidationError as exc:
            return refuse(str(exc), exc.path)
        key = str(order.get("id") or order.get("source_id"))
        return Prepared(index, line, key, keys, body)


def _scan(path: Path, source: Source) -> tuple[str, int]:
    """Validate every line of the file before anything is sent: its hash and its record count;
    the first bad line raises :class:`UpsertInputError`."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    reading = open_orders_file(path, None, require_source_id=False)
    count = 0
    try:
        for index, (line, raw) in enumerate(reading.records):
            result = source.prepare(index, line, raw)
            if isinstance(result, UpsertInputError):
                raise result
            count += 1
    except OSError as exc:
        raise ValidationError(
            f"{path}: cannot read the file: {exc.strerror or exc}", path=str(path)
        ) from None
    return reading.input_hash, count


def open_source(orders: Iterable[Any] | str | os.PathLike[str], *, allow_unknown_fields: bool) -> Source:
    """The :class:`Source` of ``orders``; a file is scanned (validated whole) here."""
    if isinstance(orders, str | os.PathLike):
        path = Path(orders)
        source = Source(
            iter(()), file=str(path), input_hash=None, total=None, allow_unknown_fields=allow_unknown_fields
        )
        source.input_hash, source.total = _scan(path, source)
        source._records = iter(open_orders_file(path, None, require_source_id=False).records)
        return source
    if isinstance(orders, bytes | bytearray | Mapping) or not isinstance(orders, Iterable):
        raise InputTypeError(
            f"orders must be an iterable of orders or a path, got {type(orders).__name__}", path="orders"
        )
    total = len(orders) if isinstance(orders, Sized) else None
    records = ((None, raw) for raw in orders)
    return Source(records, file=None, input_hash=None, total=total, allow_unknown_fields=allow_unknown_fields)
