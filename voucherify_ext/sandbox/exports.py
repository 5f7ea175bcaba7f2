"""Export parameters: checking them, filtering and sorting orders, and writing the CSV.

The columns, sorts, filter names, junctions and operators an export may name are the spec's
(:class:`~voucherify_ext.sandbox.spec_model.SpecModel`, from ``ExportOrderParameters``,
``ExportOrderField``, ``ExportOrderOrder``, ``ExportOrderFilters`` and ``FiltersCondition``). How
a condition is evaluated is the sandbox's own: :data:`OPERATORS` is the subset it evaluates; any
other operator the spec names matches every order.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterable
from typing import Any

from voucherify_ext.sandbox.errors import invalid_export_fields, invalid_payload
from voucherify_ext.sandbox.spec_model import SpecModel
from voucherify_ext.sandbox.util import parse_iso
from voucherify_ext.sandbox.values import DEFAULT_EXPORT_FIELDS, DEFAULT_JUNCTION, OR_JUNCTION

OPERATORS = frozenset(
    {
        "$in",
        "$not_in",
        "$is",
        "$is_not",
        "$has_value",
        "$is_unknown",
        "$contains",
        "$not_contain",
        "$starts_with",
        "$ends_with",
        "$more_than",
        "$less_than",
        "$more_than_equal",
        "$less_than_equal",
        "$after",
        "$before",
    }
)
"""The operators the sandbox evaluates (behaviour, not a copy of the spec's list): those of them
the spec still names are evaluated, the spec's others match every order."""

Predicate = Callable[[dict[str, Any]], bool]


def check_parameters(body: Any, spec: SpecModel) -> dict[str, Any]:
    """Validate an export request body and return its normalised ``parameters``.

    Types follow the spec (400 ``invalid_payload``); a field outside ``ExportOrderField`` is 400
    ``invalid_export_fields``; a filter key outside ``ExportOrderFilters``' property names is 400
    ``invalid_payload``. Operators the spec cannot rule out are accepted and match every order.
    """
    if not isinstance(body, dict):
        raise invalid_payload("Property . must be an object")
    params = body.get("parameters", {})
    if not isinstance(params, dict):
        raise invalid_payload("Property .parameters must be an object")
    out: dict[str, Any] = {}
    if "order" in params:
        if params["order"] not in spec.export_orders:
            allowed = ", ".join(spec.export_orders)
            raise invalid_payload(f"Property .parameters.order must be one of [{allowed}]")
        out["order"] = params["order"]
    fields = params.get("fields", list(DEFAULT_EXPORT_FIELDS))
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise invalid_payload("Property .parameters.fields must be an array of strings")
    unknown = [f for f in fields if not spec.export_field_pattern.search(f)]
    if unknown:
        allowed = ", ".join([*sorted(spec.export_fields), *spec.export_field_templates])
        raise invalid_export_fields(f"Invalid fields: {', '.join(unknown)}. Allowed: {allowed}")
    out["fields"] = fields or list(DEFAULT_EXPORT_FIELDS)
    if "filters" in params:
        compile_filters(params["filters"], spec)
        out["filters"] = params["filters"]
    return out


def _is_filter_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not (isinstance(value, float) and value != value)


def _check_operand(field: str, op: str, operand: Any) -> None:
    """``FilterValue``: a string, number or boolean, or an array of them."""
    values = operand if isinstance(operand, list) else [operand]
    if not all(_is_filter_scalar(v) for v in values):
        where = f"Property .parameters.filters.{field}.conditions.{op}"
        raise invalid_payload(f"{where} must be a string, number, boolean or an array of them")


def _values(operand: Any) -> list[Any]:
    return list(operand) if isinstance(operand, list) else [operand]


def _field_value(order: dict[str, Any], field: str) -> Any:
    if field.startswith("metadata."):
        metadata = order.get("metadata") or {}
        return metadata.get(field[9:])
    return order.get(field)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _comparable(field: str, value: Any, dates: frozenset[str]) -> Any:
    """Dates (``dates``: the order's date-time fields) compare as epoch ms, numbers as floats,
    anything else as text."""
    if field in dates:
        return parse_iso(value) if isinstance(value, str) else None
    number = _as_number(value)
    return number if number is not None else (None if value is None else str(value))


def _condition(field: str, op: str, operand: Any, dates: frozenset[str]) -> Predicate:
    values = _values(operand)
    if op in ("$after", "$before", "$more_than", "$less_than", "$more_than_equal", "$less_than_equal"):
        bound = _comparable(field, values[0], dates) if values else None
        if bound is None:
            # The spec allows any string here; one that is not a date or number matches nothing.
            return lambda order: False

        def compare(order: dict[str, Any]) -> bool:
            actual = _comparable(field, _field_value(order, field), dates)
            if actual is None or type(actual) is not type(bound):
                return False
            if op in ("$after", "$more_than"):
                return bool(actual > bound)
            if op in ("$before", "$less_than"):
                return bool(actual < bound)
            if op == "$more_than_equal":
                return bool(actual >= bound)
            return bool(actual <= bound)

        return compare
    wanted = [_comparable(field, v, dates) for v in values]
    if op in ("$in", "$is"):
        return lambda order: _comparable(field, _field_value(order, field), dates) in wanted
    if op in ("$not_in", "$is_not"):
        return lambda order: _comparable(field, _field_value(order, field), dates) not in wanted
    if op == "$has_value":
        return lambda order: _field_value(order, field) not in (None, "")
    if op == "$is_unknown":
        return lambda order: _field_value(order, field) in (None, "")
    texts = [str(v) for v in values]

    def text_op(order: dict[str, Any]) -> bool:
        actual = _field_value(order, field)
        text = "" if actual is None else str(actual)
        if op == "$contains":
            return any(t in text for t in texts)
        if op == "$not_contain":
            return not any(t in text for t in texts)
        if op == "$starts_with":
            return any(text.startswith(t) for t in texts)
        return any(text.endswith(t) for t in texts)

    return text_op


def compile_filters(filters: Any, spec: SpecModel) -> Predicate:
    """Turn ``parameters.filters`` into a predicate over stored orders (400 if malformed)."""
    if not isinstance(filters, dict):
        raise invalid_payload("Property .parameters.filters must be an object")
    junction = filters.get("junction", DEFAULT_JUNCTION)
    if junction not in spec.junctions:
        allowed = ", ".join(spec.junctions)
        raise invalid_payload(f"Property .parameters.filters.junction must be one of [{allowed}]")
    names = spec.filter_name_pattern
    predicates: list[Predicate] = []
    for field, condition in filters.items():
        if field == "junction":
            continue
        if names is not None and not names.search(field):
            allowed = ", ".join([*spec.filter_fields, *spec.filter_field_templates])
            raise invalid_payload(f"Property .parameters.filters.{field} is not allowed; filter on {allowed}")
        if not isinstance(condition, dict) or not isinstance(condition.get("conditions"), dict):
            raise invalid_payload(f"Property .parameters.filters.{field}.conditions must be an object")
        for op, operand in condition["conditions"].items():
            if op in spec.operators:
                _check_operand(field, op, operand)
                if op in OPERATORS:
                    predicates.append(_condition(field, op, operand, spec.date_fields))
    if not predicates:
        return lambda order: True
    if junction == OR_JUNCTION:
        return lambda order: any(p(order) for p in predicates)
    return lambda order: all(p(order) for p in predicates)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_MUST_QUOTE = frozenset(',"\r\n')


def _csv_field(text: str) -> str:
    """RFC 4180: a cell holding a comma, a quote or a line break (``\r`` alone too: Python's
    ``csv`` writer quotes only the characters of its line terminator) is quoted, its quotes
    doubled. Other characters (``\u2028``, ``\x0b``, ``\x85``, ...) are no line break in CSV."""
    if _MUST_QUOTE.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def render_csv(orders: Iterable[dict[str, Any]], fields: list[str]) -> str:
    """The CSV body: a header row of the requested fields, then one row per order, each line
    ended by ``\n``."""
    buffer = io.StringIO()
    for cells in itertools.chain([fields], ([_cell(_field_value(o, f)) for f in fields] for o in orders)):
        line = ",".join(_csv_field(cell) for cell in cells)
        buffer.write((line or '""') + "\n")  # a lone empty cell is quoted: a blank line is no row
    return buffer.getvalue()
