from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.async_action_base_object import AsyncActionBaseObject
from ..models.async_action_operation_status import AsyncActionOperationStatus
from ..models.async_action_status import AsyncActionStatus
from ..models.async_action_type import AsyncActionType
from ..models.async_action_user import AsyncActionUser
from ..types import UNSET, Unset

T = TypeVar("T", bound="AsyncActionBase")


@_attrs_define
class AsyncActionBase:
    """An async action as listed; list items never carry `result`.

    Attributes:
        id (str | Unset): `aa_...`
        type_ (AsyncActionType | Unset):
        status (AsyncActionStatus | Unset):
        operation_status (AsyncActionOperationStatus | Unset):
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
        request_id (str | Unset):
        processing_time (int | Unset): Milliseconds.
        progress (int | Unset):
        object_ (AsyncActionBaseObject | Unset):
        user (AsyncActionUser | Unset): Who started the action (documented in the changelog, not in the published
            schema).
        log_id (str | Unset):
    """

    id: str | Unset = UNSET
    type_: AsyncActionType | Unset = UNSET
    status: AsyncActionStatus | Unset = UNSET
    operation_status: AsyncActionOperationStatus | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    request_id: str | Unset = UNSET
    processing_time: int | Unset = UNSET
    progress: int | Unset = UNSET
    object_: AsyncActionBaseObject | Unset = UNSET
    user: AsyncActionUser | Unset = UNSET
    log_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        operation_status: str | Unset = UNSET
        if not isinstance(self.operation_status, Unset):
            operation_status = self.operation_status.value

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        request_id = self.request_id

        processing_time = self.processing_time

        progress = self.progress

        object_: str | Unset = UNSET
        if not isinstance(self.object_, Unset):
            object_ = self.object_.value

        user: dict[str, Any] | Unset = UNSET
        if not isinstance(self.user, Unset):
            user = self.user.to_dict()

        log_id = self.log_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if type_ is not UNSET:
            field_dict["type"] = type_
        if status is not UNSET:
            field_dict["status"] = status
        if operation_status is not UNSET:
            field_dict["operation_status"] = operation_status
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if processing_time is not UNSET:
            field_dict["processing_time"] = processing_time
        if progress is not UNSET:
            field_dict["progress"] = progress
        if object_ is not UNSET:
            field_dict["object"] = object_
        if user is not UNSET:
            field_dict["user"] = user
        if log_id is not UNSET:
            field_dict["log_id"] = log_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: AsyncActionType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = AsyncActionType._value2member_map_.get(_type_) or AsyncActionType(_type_)

        _status = d.pop("status", UNSET)
        status: AsyncActionStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = AsyncActionStatus._value2member_map_.get(_status) or AsyncActionStatus(_status)

        _operation_status = d.pop("operation_status", UNSET)
        operation_status: AsyncActionOperationStatus | Unset
        if isinstance(_operation_status, Unset):
            operation_status = UNSET
        else:
            operation_status = AsyncActionOperationStatus._value2member_map_.get(
                _operation_status
            ) or AsyncActionOperationStatus(_operation_status)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        request_id = d.pop("request_id", UNSET)

        processing_time = d.pop("processing_time", UNSET)

        progress = d.pop("progress", UNSET)

        _object_ = d.pop("object", UNSET)
        object_: AsyncActionBaseObject | Unset
        if isinstance(_object_, Unset):
            object_ = UNSET
        else:
            object_ = AsyncActionBaseObject._value2member_map_.get(_object_) or AsyncActionBaseObject(_object_)

        _user = d.pop("user", UNSET)
        user: AsyncActionUser | Unset
        if isinstance(_user, Unset):
            user = UNSET
        else:
            user = AsyncActionUser.from_dict(_user)

        log_id = d.pop("log_id", UNSET)

        async_action_base = cls(
            id=id,
            type_=type_,
            status=status,
            operation_status=operation_status,
            created_at=created_at,
            updated_at=updated_at,
            request_id=request_id,
            processing_time=processing_time,
            progress=progress,
            object_=object_,
            user=user,
            log_id=log_id,
        )

        async_action_base.additional_properties = d
        return async_action_base

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
