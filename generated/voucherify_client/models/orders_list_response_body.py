from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.orders_list_response_body_data_ref import OrdersListResponseBodyDataRef
from ..models.orders_list_response_body_item import OrdersListResponseBodyItem
from ..models.orders_list_response_body_object import OrdersListResponseBodyObject

T = TypeVar("T", bound="OrdersListResponseBody")


@_attrs_define
class OrdersListResponseBody:
    """One page of orders. There is no `has_more`; `total` counts every order.

    Attributes:
        object_ (OrdersListResponseBodyObject):
        data_ref (OrdersListResponseBodyDataRef):
        orders (list[OrdersListResponseBodyItem]):
        total (int):
    """

    object_: OrdersListResponseBodyObject
    data_ref: OrdersListResponseBodyDataRef
    orders: list[OrdersListResponseBodyItem]
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_.value

        data_ref = self.data_ref.value

        orders = []
        for orders_item_data in self.orders:
            orders_item = orders_item_data.to_dict()
            orders.append(orders_item)

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object": object_,
                "data_ref": data_ref,
                "orders": orders,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _object_ = d.pop("object")
        object_ = OrdersListResponseBodyObject._value2member_map_.get(_object_) or OrdersListResponseBodyObject(
            _object_
        )

        _data_ref = d.pop("data_ref")
        data_ref = OrdersListResponseBodyDataRef._value2member_map_.get(_data_ref) or OrdersListResponseBodyDataRef(
            _data_ref
        )

        orders = []
        _orders = d.pop("orders")
        for orders_item_data in _orders:
            orders_item = OrdersListResponseBodyItem.from_dict(orders_item_data)

            orders.append(orders_item)

        total = d.pop("total")

        orders_list_response_body = cls(
            object_=object_,
            data_ref=data_ref,
            orders=orders,
            total=total,
        )

        orders_list_response_body.additional_properties = d
        return orders_list_response_body

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
