from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_order_filters import ExportOrderFilters
from ..models.export_order_order import ExportOrderOrder
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportOrderParameters")


@_attrs_define
class ExportOrderParameters:
    """
    Attributes:
        order (ExportOrderOrder | Unset):
        fields (list[str] | Unset):
        filters (ExportOrderFilters | Unset): Filters on order fields; further keys must be `metadata.<key>`.
    """

    order: ExportOrderOrder | Unset = UNSET
    fields: list[str] | Unset = UNSET
    filters: ExportOrderFilters | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order: str | Unset = UNSET
        if not isinstance(self.order, Unset):
            order = self.order.value

        fields: list[str] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = self.fields

        filters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.filters, Unset):
            filters = self.filters.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order is not UNSET:
            field_dict["order"] = order
        if fields is not UNSET:
            field_dict["fields"] = fields
        if filters is not UNSET:
            field_dict["filters"] = filters

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _order = d.pop("order", UNSET)
        order: ExportOrderOrder | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = ExportOrderOrder._value2member_map_.get(_order) or ExportOrderOrder(_order)

        fields = cast(list[str], d.pop("fields", UNSET))

        _filters = d.pop("filters", UNSET)
        filters: ExportOrderFilters | Unset
        if isinstance(_filters, Unset):
            filters = UNSET
        else:
            filters = ExportOrderFilters.from_dict(_filters)

        export_order_parameters = cls(
            order=order,
            fields=fields,
            filters=filters,
        )

        export_order_parameters.additional_properties = d
        return export_order_parameters

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
