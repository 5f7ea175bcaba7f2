from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_order_parameters import ExportOrderParameters
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrdersExportCreateRequestBody")


@_attrs_define
class OrdersExportCreateRequestBody:
    """Every part is optional; `{}` exports `id`, `source_id` and `status`.

    Attributes:
        parameters (ExportOrderParameters | Unset):
    """

    parameters: ExportOrderParameters | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _parameters = d.pop("parameters", UNSET)
        parameters: ExportOrderParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = ExportOrderParameters.from_dict(_parameters)

        orders_export_create_request_body = cls(
            parameters=parameters,
        )

        orders_export_create_request_body.additional_properties = d
        return orders_export_create_request_body

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
