from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.async_action_base import AsyncActionBase
from ..models.async_actions_list_response_body_data_ref import AsyncActionsListResponseBodyDataRef
from ..models.async_actions_list_response_body_object import AsyncActionsListResponseBodyObject
from ..types import UNSET, Unset

T = TypeVar("T", bound="AsyncActionsListResponseBody")


@_attrs_define
class AsyncActionsListResponseBody:
    """
    Attributes:
        object_ (AsyncActionsListResponseBodyObject):
        data_ref (AsyncActionsListResponseBodyDataRef):
        async_actions (list[AsyncActionBase]):
        has_more (bool | Unset):
    """

    object_: AsyncActionsListResponseBodyObject
    data_ref: AsyncActionsListResponseBodyDataRef
    async_actions: list[AsyncActionBase]
    has_more: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_.value

        data_ref = self.data_ref.value

        async_actions = []
        for async_actions_item_data in self.async_actions:
            async_actions_item = async_actions_item_data.to_dict()
            async_actions.append(async_actions_item)

        has_more = self.has_more

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object": object_,
                "data_ref": data_ref,
                "async_actions": async_actions,
            }
        )
        if has_more is not UNSET:
            field_dict["has_more"] = has_more

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _object_ = d.pop("object")
        object_ = AsyncActionsListResponseBodyObject._value2member_map_.get(
            _object_
        ) or AsyncActionsListResponseBodyObject(_object_)

        _data_ref = d.pop("data_ref")
        data_ref = AsyncActionsListResponseBodyDataRef._value2member_map_.get(
            _data_ref
        ) or AsyncActionsListResponseBodyDataRef(_data_ref)

        async_actions = []
        _async_actions = d.pop("async_actions")
        for async_actions_item_data in _async_actions:
            async_actions_item = AsyncActionBase.from_dict(async_actions_item_data)

            async_actions.append(async_actions_item)

        has_more = d.pop("has_more", UNSET)

        async_actions_list_response_body = cls(
            object_=object_,
            data_ref=data_ref,
            async_actions=async_actions,
            has_more=has_more,
        )

        async_actions_list_response_body.additional_properties = d
        return async_actions_list_response_body

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
