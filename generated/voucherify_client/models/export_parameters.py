from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_parameters_filters import ExportParametersFilters
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportParameters")


@_attrs_define
class ExportParameters:
    """An export's parameters as the server echoes them, for any exported object: the order-export filters are typed, what
    other objects add is kept as it came.

        Attributes:
            order (str | Unset): The sort order: an `ExportOrderOrder` value for orders, but the server echoes `""` when
                none was given, and other objects have their own.
            fields (list[str] | Unset): The CSV columns; `ExportOrderField` values for orders, other objects have their own.
            filters (ExportParametersFilters | Unset): The filters as echoed: the order-export ones typed; any other key (an
                order's `metadata.<key>`, another object's field) is kept as it came.
            response_format (str | Unset): `CSV`.
    """

    order: str | Unset = UNSET
    fields: list[str] | Unset = UNSET
    filters: ExportParametersFilters | Unset = UNSET
    response_format: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order = self.order

        fields: list[str] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = self.fields

        filters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.filters, Unset):
            filters = self.filters.to_dict()

        response_format = self.response_format

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order is not UNSET:
            field_dict["order"] = order
        if fields is not UNSET:
            field_dict["fields"] = fields
        if filters is not UNSET:
            field_dict["filters"] = filters
        if response_format is not UNSET:
            field_dict["response_format"] = response_format

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        order = d.pop("order", UNSET)

        fields = cast(list[str], d.pop("fields", UNSET))

        _filters = d.pop("filters", UNSET)
        filters: ExportParametersFilters | Unset
        if isinstance(_filters, Unset):
            filters = UNSET
        else:
            filters = ExportParametersFilters.from_dict(_filters)

        response_format = d.pop("response_format", UNSET)

        export_parameters = cls(
            order=order,
            fields=fields,
            filters=filters,
            response_format=response_format,
        )

        export_parameters.additional_properties = d
        return export_parameters

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
