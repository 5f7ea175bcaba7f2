from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_parameters_filters_junction import ExportParametersFiltersJunction
from ..models.field_conditions import FieldConditions
from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportParametersFilters")


@_attrs_define
class ExportParametersFilters:
    """The filters as echoed: the order-export ones typed; any other key (an order's `metadata.<key>`, another object's
    field) is kept as it came.

        Attributes:
            junction (ExportParametersFiltersJunction | Unset):
            created_at (FieldConditions | Unset):
            updated_at (FieldConditions | Unset):
            status (FieldConditions | Unset):
            source_id (FieldConditions | Unset):
            amount (FieldConditions | Unset):
            total_amount (FieldConditions | Unset):
            discount_amount (FieldConditions | Unset):
            total_discount_amount (FieldConditions | Unset):
            items_discount_amount (FieldConditions | Unset):
    """

    junction: ExportParametersFiltersJunction | Unset = UNSET
    created_at: FieldConditions | Unset = UNSET
    updated_at: FieldConditions | Unset = UNSET
    status: FieldConditions | Unset = UNSET
    source_id: FieldConditions | Unset = UNSET
    amount: FieldConditions | Unset = UNSET
    total_amount: FieldConditions | Unset = UNSET
    discount_amount: FieldConditions | Unset = UNSET
    total_discount_amount: FieldConditions | Unset = UNSET
    items_discount_amount: FieldConditions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        junction: str | Unset = UNSET
        if not isinstance(self.junction, Unset):
            junction = self.junction.value

        created_at: dict[str, Any] | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.to_dict()

        updated_at: dict[str, Any] | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.to_dict()

        status: dict[str, Any] | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.to_dict()

        source_id: dict[str, Any] | Unset = UNSET
        if not isinstance(self.source_id, Unset):
            source_id = self.source_id.to_dict()

        amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.amount, Unset):
            amount = self.amount.to_dict()

        total_amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.total_amount, Unset):
            total_amount = self.total_amount.to_dict()

        discount_amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.discount_amount, Unset):
            discount_amount = self.discount_amount.to_dict()

        total_discount_amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.total_discount_amount, Unset):
            total_discount_amount = self.total_discount_amount.to_dict()

        items_discount_amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.items_discount_amount, Unset):
            items_discount_amount = self.items_discount_amount.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if junction is not UNSET:
            field_dict["junction"] = junction
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if status is not UNSET:
            field_dict["status"] = status
        if source_id is not UNSET:
            field_dict["source_id"] = source_id
        if amount is not UNSET:
            field_dict["amount"] = amount
        if total_amount is not UNSET:
            field_dict["total_amount"] = total_amount
        if discount_amount is not UNSET:
            field_dict["discount_amount"] = discount_amount
        if total_discount_amount is not UNSET:
            field_dict["total_discount_amount"] = total_discount_amount
        if items_discount_amount is not UNSET:
            field_dict["items_discount_amount"] = items_discount_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _junction = d.pop("junction", UNSET)
        junction: ExportParametersFiltersJunction | Unset
        if isinstance(_junction, Unset):
            junction = UNSET
        else:
            junction = ExportParametersFiltersJunction._value2member_map_.get(
                _junction
            ) or ExportParametersFiltersJunction(_junction)

        _created_at = d.pop("created_at", UNSET)
        created_at: FieldConditions | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = FieldConditions.from_dict(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: FieldConditions | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = FieldConditions.from_dict(_updated_at)

        _status = d.pop("status", UNSET)
        status: FieldConditions | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = FieldConditions.from_dict(_status)

        _source_id = d.pop("source_id", UNSET)
        source_id: FieldConditions | Unset
        if isinstance(_source_id, Unset):
            source_id = UNSET
        else:
            source_id = FieldConditions.from_dict(_source_id)

        _amount = d.pop("amount", UNSET)
        amount: FieldConditions | Unset
        if isinstance(_amount, Unset):
            amount = UNSET
        else:
            amount = FieldConditions.from_dict(_amount)

        _total_amount = d.pop("total_amount", UNSET)
        total_amount: FieldConditions | Unset
        if isinstance(_total_amount, Unset):
            total_amount = UNSET
        else:
            total_amount = FieldConditions.from_dict(_total_amount)

        _discount_amount = d.pop("discount_amount", UNSET)
        discount_amount: FieldConditions | Unset
        if isinstance(_discount_amount, Unset):
            discount_amount = UNSET
        else:
            discount_amount = FieldConditions.from_dict(_discount_amount)

        _total_discount_amount = d.pop("total_discount_amount", UNSET)
        total_discount_amount: FieldConditions | Unset
        if isinstance(_total_discount_amount, Unset):
            total_discount_amount = UNSET
        else:
            total_discount_amount = FieldConditions.from_dict(_total_discount_amount)

        _items_discount_amount = d.pop("items_discount_amount", UNSET)
        items_discount_amount: FieldConditions | Unset
        if isinstance(_items_discount_amount, Unset):
            items_discount_amount = UNSET
        else:
            items_discount_amount = FieldConditions.from_dict(_items_discount_amount)

        export_parameters_filters = cls(
            junction=junction,
            created_at=created_at,
            updated_at=updated_at,
            status=status,
            source_id=source_id,
            amount=amount,
            total_amount=total_amount,
            discount_amount=discount_amount,
            total_discount_amount=total_discount_amount,
            items_discount_amount=items_discount_amount,
        )

        export_parameters_filters.additional_properties = d
        return export_parameters_filters

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
