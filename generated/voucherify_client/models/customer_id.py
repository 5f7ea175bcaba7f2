from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_id_object import CustomerIdObject

T = TypeVar("T", bound="CustomerId")


@_attrs_define
class CustomerId:
    """Reference to a customer, as the server returns it.

    Attributes:
        id (str):
        object_ (CustomerIdObject):
    """

    id: str
    object_: CustomerIdObject
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        _object_ = d.pop("object")
        object_ = CustomerIdObject._value2member_map_.get(_object_) or CustomerIdObject(_object_)

        customer_id = cls(
            id=id,
            object_=object_,
        )

        customer_id.additional_properties = d
        return customer_id

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
