from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer import Customer
from ..models.metadata import Metadata
from ..models.order_item import OrderItem
from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrdersUpdateRequestBody")


@_attrs_define
class OrdersUpdateRequestBody:
    """The fields to change; the rest stay as they are.

    Attributes:
        source_id (None | str | Unset): The merchant's order ID; makes a create an upsert.
        status (OrderStatus | Unset):
        amount (int | Unset):
        initial_amount (int | Unset):
        discount_amount (int | Unset):
        items (list[OrderItem] | Unset):
        metadata (Metadata | Unset): Free-form key-value pairs.
        created_at (datetime.datetime | Unset):
        referrer_id (None | str | Unset):
        customer (Customer | Unset): A customer to link or upsert. With both `id` and `source_id`, `id` wins and
            `source_id`
            is ignored.
        referrer (Customer | Unset): A customer to link or upsert. With both `id` and `source_id`, `id` wins and
            `source_id`
            is ignored.
    """

    source_id: None | str | Unset = UNSET
    status: OrderStatus | Unset = UNSET
    amount: int | Unset = UNSET
    initial_amount: int | Unset = UNSET
    discount_amount: int | Unset = UNSET
    items: list[OrderItem] | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    referrer_id: None | str | Unset = UNSET
    customer: Customer | Unset = UNSET
    referrer: Customer | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source_id: None | str | Unset
        if isinstance(self.source_id, Unset):
            source_id = UNSET
        else:
            source_id = self.source_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        amount = self.amount

        initial_amount = self.initial_amount

        discount_amount = self.discount_amount

        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        referrer_id: None | str | Unset
        if isinstance(self.referrer_id, Unset):
            referrer_id = UNSET
        else:
            referrer_id = self.referrer_id

        customer: dict[str, Any] | Unset = UNSET
        if not isinstance(self.customer, Unset):
            customer = self.customer.to_dict()

        referrer: dict[str, Any] | Unset = UNSET
        if not isinstance(self.referrer, Unset):
            referrer = self.referrer.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if source_id is not UNSET:
            field_dict["source_id"] = source_id
        if status is not UNSET:
            field_dict["status"] = status
        if amount is not UNSET:
            field_dict["amount"] = amount
        if initial_amount is not UNSET:
            field_dict["initial_amount"] = initial_amount
        if discount_amount is not UNSET:
            field_dict["discount_amount"] = discount_amount
        if items is not UNSET:
            field_dict["items"] = items
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if referrer_id is not UNSET:
            field_dict["referrer_id"] = referrer_id
        if customer is not UNSET:
            field_dict["customer"] = customer
        if referrer is not UNSET:
            field_dict["referrer"] = referrer

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source_id = d.pop("source_id", UNSET)

        _status = d.pop("status", UNSET)
        status: OrderStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OrderStatus._value2member_map_.get(_status) or OrderStatus(_status)

        amount = d.pop("amount", UNSET)

        initial_amount = d.pop("initial_amount", UNSET)

        discount_amount = d.pop("discount_amount", UNSET)

        _items = d.pop("items", UNSET)
        items: list[OrderItem] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = OrderItem.from_dict(items_item_data)

                items.append(items_item)

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        referrer_id = d.pop("referrer_id", UNSET)

        _customer = d.pop("customer", UNSET)
        customer: Customer | Unset
        if isinstance(_customer, Unset):
            customer = UNSET
        else:
            customer = Customer.from_dict(_customer)

        _referrer = d.pop("referrer", UNSET)
        referrer: Customer | Unset
        if isinstance(_referrer, Unset):
            referrer = UNSET
        else:
            referrer = Customer.from_dict(_referrer)

        orders_update_request_body = cls(
            source_id=source_id,
            status=status,
            amount=amount,
            initial_amount=initial_amount,
            discount_amount=discount_amount,
            items=items,
            metadata=metadata,
            created_at=created_at,
            referrer_id=referrer_id,
            customer=customer,
            referrer=referrer,
        )

        orders_update_request_body.additional_properties = d
        return orders_update_request_body

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
