from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_id import CustomerId
from ..models.metadata import Metadata
from ..models.order_calculated_item import OrderCalculatedItem
from ..models.order_calculated_object import OrderCalculatedObject
from ..models.order_redemptions import OrderRedemptions
from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrdersListResponseBodyItem")


@_attrs_define
class OrdersListResponseBodyItem:
    """An order in a list page.

    Attributes:
        id (str | Unset): Voucherify ID, `ord_...`.
        source_id (None | str | Unset): The merchant's order ID.
        status (OrderStatus | Unset):
        amount (int | Unset): Sum of item amounts.
        initial_amount (int | Unset):
        discount_amount (int | Unset):
        items_discount_amount (int | Unset):
        total_discount_amount (int | Unset):
        total_amount (int | Unset): Amount after all discounts.
        applied_discount_amount (int | Unset):
        items_applied_discount_amount (int | Unset):
        total_applied_discount_amount (int | Unset):
        metadata (Metadata | Unset): Free-form key-value pairs.
        object_ (OrderCalculatedObject | Unset):
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | None | Unset):
        customer_id (None | str | Unset):
        referrer_id (None | str | Unset):
        customer (CustomerId | Unset): Reference to a customer, as the server returns it.
        referrer (CustomerId | Unset): Reference to a customer, as the server returns it.
        redemptions (OrderRedemptions | Unset): Redemption ID → redemption entry.
        items (list[OrderCalculatedItem] | Unset):
    """

    id: str | Unset = UNSET
    source_id: None | str | Unset = UNSET
    status: OrderStatus | Unset = UNSET
    amount: int | Unset = UNSET
    initial_amount: int | Unset = UNSET
    discount_amount: int | Unset = UNSET
    items_discount_amount: int | Unset = UNSET
    total_discount_amount: int | Unset = UNSET
    total_amount: int | Unset = UNSET
    applied_discount_amount: int | Unset = UNSET
    items_applied_discount_amount: int | Unset = UNSET
    total_applied_discount_amount: int | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    object_: OrderCalculatedObject | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | None | Unset = UNSET
    customer_id: None | str | Unset = UNSET
    referrer_id: None | str | Unset = UNSET
    customer: CustomerId | Unset = UNSET
    referrer: CustomerId | Unset = UNSET
    redemptions: OrderRedemptions | Unset = UNSET
    items: list[OrderCalculatedItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

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

        items_discount_amount = self.items_discount_amount

        total_discount_amount = self.total_discount_amount

        total_amount = self.total_amount

        applied_discount_amount = self.applied_discount_amount

        items_applied_discount_amount = self.items_applied_discount_amount

        total_applied_discount_amount = self.total_applied_discount_amount

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        object_: str | Unset = UNSET
        if not isinstance(self.object_, Unset):
            object_ = self.object_.value

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        elif isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        customer_id: None | str | Unset
        if isinstance(self.customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = self.customer_id

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

        redemptions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.redemptions, Unset):
            redemptions = self.redemptions.to_dict()

        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
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
        if items_discount_amount is not UNSET:
            field_dict["items_discount_amount"] = items_discount_amount
        if total_discount_amount is not UNSET:
            field_dict["total_discount_amount"] = total_discount_amount
        if total_amount is not UNSET:
            field_dict["total_amount"] = total_amount
        if applied_discount_amount is not UNSET:
            field_dict["applied_discount_amount"] = applied_discount_amount
        if items_applied_discount_amount is not UNSET:
            field_dict["items_applied_discount_amount"] = items_applied_discount_amount
        if total_applied_discount_amount is not UNSET:
            field_dict["total_applied_discount_amount"] = total_applied_discount_amount
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if object_ is not UNSET:
            field_dict["object"] = object_
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id
        if referrer_id is not UNSET:
            field_dict["referrer_id"] = referrer_id
        if customer is not UNSET:
            field_dict["customer"] = customer
        if referrer is not UNSET:
            field_dict["referrer"] = referrer
        if redemptions is not UNSET:
            field_dict["redemptions"] = redemptions
        if items is not UNSET:
            field_dict["items"] = items

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

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

        items_discount_amount = d.pop("items_discount_amount", UNSET)

        total_discount_amount = d.pop("total_discount_amount", UNSET)

        total_amount = d.pop("total_amount", UNSET)

        applied_discount_amount = d.pop("applied_discount_amount", UNSET)

        items_applied_discount_amount = d.pop("items_applied_discount_amount", UNSET)

        total_applied_discount_amount = d.pop("total_applied_discount_amount", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        _object_ = d.pop("object", UNSET)
        object_: OrderCalculatedObject | Unset
        if isinstance(_object_, Unset):
            object_ = UNSET
        else:
            object_ = OrderCalculatedObject._value2member_map_.get(_object_) or OrderCalculatedObject(_object_)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_updated_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        updated_at = _parse_updated_at(d.pop("updated_at", UNSET))

        customer_id = d.pop("customer_id", UNSET)

        referrer_id = d.pop("referrer_id", UNSET)

        _customer = d.pop("customer", UNSET)
        customer: CustomerId | Unset
        if isinstance(_customer, Unset):
            customer = UNSET
        else:
            customer = CustomerId.from_dict(_customer)

        _referrer = d.pop("referrer", UNSET)
        referrer: CustomerId | Unset
        if isinstance(_referrer, Unset):
            referrer = UNSET
        else:
            referrer = CustomerId.from_dict(_referrer)

        _redemptions = d.pop("redemptions", UNSET)
        redemptions: OrderRedemptions | Unset
        if isinstance(_redemptions, Unset):
            redemptions = UNSET
        else:
            redemptions = OrderRedemptions.from_dict(_redemptions)

        _items = d.pop("items", UNSET)
        items: list[OrderCalculatedItem] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = OrderCalculatedItem.from_dict(items_item_data)

                items.append(items_item)

        orders_list_response_body_item = cls(
            id=id,
            source_id=source_id,
            status=status,
            amount=amount,
            initial_amount=initial_amount,
            discount_amount=discount_amount,
            items_discount_amount=items_discount_amount,
            total_discount_amount=total_discount_amount,
            total_amount=total_amount,
            applied_discount_amount=applied_discount_amount,
            items_applied_discount_amount=items_applied_discount_amount,
            total_applied_discount_amount=total_applied_discount_amount,
            metadata=metadata,
            object_=object_,
            created_at=created_at,
            updated_at=updated_at,
            customer_id=customer_id,
            referrer_id=referrer_id,
            customer=customer,
            referrer=referrer,
            redemptions=redemptions,
            items=items,
        )

        orders_list_response_body_item.additional_properties = d
        return orders_list_response_body_item

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
