"""The body of ``POST /v1/orders/export``: the caller's ``fields``, ``filters`` and ``order``
checked (types, then the spec's ``ExportOrderParameters`` schema) before anything is sent.

Bad input is a typed error naming the parameter: :class:`~voucherify_ext.errors.InputTypeError`
for a wrong type, :class:`~voucherify_ext.errors.ValidationError` for what the schema refuses.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from voucherify_client.models import OrdersExportCreateRequestBody

from voucherify_ext.errors import InputTypeError, ValidationError
from voucherify_ext.validation import (
    encode_problem,
    format_path,
    schema_backend,
    schema_backend_problem,
    schema_for,
)

__all__ = ["export_body"]


def export_body(
    fields: Sequence[str] | None, filters: Mapping[str, Any] | None, order: str | None
) -> OrdersExportCreateRequestBody:
    """The request body for these parameters (``None`` leaves a parameter out), or the typed
    error of the first problem found."""
    parameters: dict[str, Any] = {}
    if order is not None:
        if not isinstance(order, str):
            raise InputTypeError(
                f"order must be a string such as '-created_at', got {type(order).__name__}", path="order"
            )
        parameters["order"] = str(order)
    if fields is not None:
        if isinstance(fields, str | bytes) or not isinstance(fields, Iterable):
            raise InputTypeError(
                f"fields must be a list of column names (e.g. ['id', 'source_id']), "
                f"got {type(fields).__name__}",
                path="fields",
            )
        parameters["fields"] = list(fields)
    if filters is not None:
        if not isinstance(filters, Mapping):
            raise InputTypeError(
                "filters must be a dict of Voucherify export filters, e.g. "
                "{'status': {'conditions': {'$in': ['PAID']}}}, "
                f"got {type(filters).__name__} {_preview(filters)}",
                path="filters",
            )
        parameters["filters"] = dict(filters)
    problems = _parameters_validator().problems(parameters)
    if problems:
        raise ValidationError(f"invalid export parameters: {problems[0]}", path=problems[0].split(":", 1)[0])
    return OrdersExportCreateRequestBody.from_dict({"parameters": parameters} if parameters else {})


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _ParametersValidator:
    def __init__(self) -> None:
        self._backend = schema_backend(schema_for("ExportOrderParameters"))

    def problems(self, parameters: dict[str, Any]) -> list[str]:
        unencodable = encode_problem(parameters)  # what the schema validator cannot even read
        if unencodable is not None:
            return [unencodable]
        try:
            if self._backend.is_valid(parameters):
                return []
            return [
                f"{format_path(path) or 'parameters'}: {message}"
                for path, message in self._backend.errors(parameters)
            ]
        except ValueError as exc:  # jsonschema_rs: a non-string key, or past its nesting limit
            return [schema_backend_problem(parameters, exc)]


@functools.cache
def _parameters_validator() -> _ParametersValidator:
    return _ParametersValidator()
