from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.metadata import Metadata
from ..models.order_calculated_item_object import OrderCalculatedItemObject
from ..models.order_item_product import OrderItemProduct
from ..models.order_item_related_object import OrderItemRelatedObject
from ..models.order_item_sku import OrderItemSku
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderCalculatedItem")


@_attrs_define
class OrderCalculatedItem:
    """An order line as the server returns it.

    Attributes:
        id (str | Unset): The line item's ID.
        sku_id (str | Unset):
        product_id (str | Unset):
        related_object (OrderItemRelatedObject | Unset):
        source_id (str | Unset):
        quantity (int | Unset):
        discount_quantity (int | Unset):
        initial_quantity (int | Unset):
        amount (int | Unset): price × quantity.
        discount_amount (int | Unset):
        applied_discount_amount (int | Unset):
        applied_discount_quantity (int | Unset):
        applied_quantity (int | Unset): Can be negative.
        applied_quantity_amount (int | Unset): Can be negative.
        initial_amount (int | Unset):
        price (int | Unset): Unit price ×100.
        subtotal_amount (int | Unset): amount − applied_discount_amount.
        product (OrderItemProduct | Unset): With `override` true the product is upserted (created from `source_id` or
            replaced).
        sku (OrderItemSku | Unset): With `override` true the SKU is upserted (created from `source_id` or replaced).
        object_ (OrderCalculatedItemObject | Unset):
        metadata (Metadata | Unset): Free-form key-value pairs.
    """

    id: str | Unset = UNSET
    sku_id: str | Unset = UNSET
    product_id: str | Unset = UNSET
    related_object: OrderItemRelatedObject | Unset = UNSET
    source_id: str | Unset = UNSET
    quantity: int | Unset = UNSET
    discount_quantity: int | Unset = UNSET
    initial_quantity: int | Unset = UNSET
    amount: int | Unset = UNSET
    discount_amount: int | Unset = UNSET
    applied_discount_amount: int | Unset = UNSET
    applied_discount_quantity: int | Unset = UNSET
    applied_quantity: int | Unset = UNSET
    applied_quantity_amount: int | Unset = UNSET
    initial_amount: int | Unset = UNSET
    price: int | Unset = UNSET
    subtotal_amount: int | Unset = UNSET
    product: OrderItemProduct | Unset = UNSET
    sku: OrderItemSku | Unset = UNSET
    object_: OrderCalculatedItemObject | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        sku_id = self.sku_id

        product_id = self.product_id

        related_object: str | Unset = UNSET
        if not isinstance(self.related_object, Unset):
            related_object = self.related_object.value

        source_id = self.source_id

        quantity = self.quantity

        discount_quantity = self.discount_quantity

        initial_quantity = self.initial_quantity

        amount = self.amount

        discount_amount = self.discount_amount

        applied_discount_amount = self.applied_discount_amount

        applied_discount_quantity = self.applied_discount_quantity

        applied_quantity = self.applied_quantity

        applied_quantity_amount = self.applied_quantity_amount

        initial_amount = self.initial_amount

        price = self.price

        subtotal_amount = self.subtotal_amount

        product: dict[str, Any] | Unset = UNSET
        if not isinstance(self.product, Unset):
            product = self.product.to_dict()

        sku: dict[str, Any] | Unset = UNSET
        if not isinstance(self.sku, Unset):
            sku = self.sku.to_dict()

        object_: str | Unset = UNSET
        if not isinstance(self.object_, Unset):
            object_ = self.object_.value

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if sku_id is not UNSET:
            field_dict["sku_id"] = sku_id
        if product_id is not UNSET:
            field_dict["product_id"] = product_id
        if related_object is not UNSET:
            field_dict["related_object"] = related_object
        if source_id is not UNSET:
            field_dict["source_id"] = source_id
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if discount_quantity is not UNSET:
            field_dict["discount_quantity"] = discount_quantity
        if initial_quantity is not UNSET:
            field_dict["initial_quantity"] = initial_quantity
        if amount is not UNSET:
            field_dict["amount"] = amount
        if discount_amount is not UNSET:
            field_dict["discount_amount"] = discount_amount
        if applied_discount_amount is not UNSET:
            field_dict["applied_discount_amount"] = applied_discount_amount
        if applied_discount_quantity is not UNSET:
            field_dict["applied_discount_quantity"] = applied_discount_quantity
        if applied_quantity is not UNSET:
            field_dict["applied_quantity"] = applied_quantity
        if applied_quantity_amount is not UNSET:
            field_dict["applied_quantity_amount"] = applied_quantity_amount
        if initial_amount is not UNSET:
            field_dict["initial_amount"] = initial_amount
        if price is not UNSET:
            field_dict["price"] = price
        if subtotal_amount is not UNSET:
            field_dict["subtotal_amount"] = subtotal_amount
        if product is not UNSET:
            field_dict["product"] = product
        if sku is not UNSET:
            field_dict["sku"] = sku
        if object_ is not UNSET:
            field_dict["object"] = object_
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        sku_id = d.pop("sku_id", UNSET)

        product_id = d.pop("product_id", UNSET)

        _related_object = d.pop("related_object", UNSET)
        related_object: OrderItemRelatedObject | Unset
        if isinstance(_related_object, Unset):
            related_object = UNSET
        else:
            related_object = OrderItemRelatedObject._value2member_map_.get(_related_object) or OrderItemRelatedObject(
                _related_object
            )

        source_id = d.pop("source_id", UNSET)

        quantity = d.pop("quantity", UNSET)

        discount_quantity = d.pop("discount_quantity", UNSET)

        initial_quantity = d.pop("initial_quantity", UNSET)

        amount = d.pop("amount", UNSET)

        discount_amount = d.pop("discount_amount", UNSET)

        applied_discount_amount = d.pop("applied_discount_amount", UNSET)

        applied_discount_quantity = d.pop("applied_discount_quantity", UNSET)

        applied_quantity = d.pop("applied_quantity", UNSET)

        applied_quantity_amount = d.pop("applied_quantity_amount", UNSET)

        initial_amount = d.pop("initial_amount", UNSET)

        price = d.pop("price", UNSET)

        subtotal_amount = d.pop("subtotal_amount", UNSET)

        _product = d.pop("product", UNSET)
        product: OrderItemProduct | Unset
        if isinstance(_product, Unset):
            product = UNSET
        else:
            product = OrderItemProduct.from_dict(_product)

        _sku = d.pop("sku", UNSET)
        sku: OrderItemSku | Unset
        if isinstance(_sku, Unset):
            sku = UNSET
        else:
            sku = OrderItemSku.from_dict(_sku)

        _object_ = d.pop("object", UNSET)
        object_: OrderCalculatedItemObject | Unset
        if isinstance(_object_, Unset):
            object_ = UNSET
        else:
            object_ = OrderCalculatedItemObject._value2member_map_.get(_object_) or OrderCalculatedItemObject(_object_)

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        order_calculated_item = cls(
            id=id,
            sku_id=sku_id,
            product_id=product_id,
            related_object=related_object,
            source_id=source_id,
            quantity=quantity,
            discount_quantity=discount_quantity,
            initial_quantity=initial_quantity,
            amount=amount,
            discount_amount=discount_amount,
            applied_discount_amount=applied_discount_amount,
            applied_discount_quantity=applied_discount_quantity,
            applied_quantity=applied_quantity,
            applied_quantity_amount=applied_quantity_amount,
            initial_amount=initial_amount,
            price=price,
            subtotal_amount=subtotal_amount,
            product=product,
            sku=sku,
            object_=object_,
            metadata=metadata,
        )

        order_calculated_item.additional_properties = d
        return order_calculated_item

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
