from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.error_validation_rule import ErrorValidationRule
from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """Voucherify's error object. `request_id` is only ever sent here, never as a header.

    Attributes:
        code (int): The HTTP status.
        message (str):
        key (str | Unset): Short machine-readable reason, e.g. `not_found`.
        details (str | Unset):
        request_id (str | Unset):
        resource_id (str | Unset):
        resource_type (str | Unset):
        error (ErrorValidationRule | Unset): Custom message of a validation rule.
    """

    code: int
    message: str
    key: str | Unset = UNSET
    details: str | Unset = UNSET
    request_id: str | Unset = UNSET
    resource_id: str | Unset = UNSET
    resource_type: str | Unset = UNSET
    error: ErrorValidationRule | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        key = self.key

        details = self.details

        request_id = self.request_id

        resource_id = self.resource_id

        resource_type = self.resource_type

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if key is not UNSET:
            field_dict["key"] = key
        if details is not UNSET:
            field_dict["details"] = details
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if resource_id is not UNSET:
            field_dict["resource_id"] = resource_id
        if resource_type is not UNSET:
            field_dict["resource_type"] = resource_type
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        key = d.pop("key", UNSET)

        details = d.pop("details", UNSET)

        request_id = d.pop("request_id", UNSET)

        resource_id = d.pop("resource_id", UNSET)

        resource_type = d.pop("resource_type", UNSET)

        _error = d.pop("error", UNSET)
        error: ErrorValidationRule | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = ErrorValidationRule.from_dict(_error)

        error = cls(
            code=code,
            message=message,
            key=key,
            details=details,
            request_id=request_id,
            resource_id=resource_id,
            resource_type=resource_type,
            error=error,
        )

        error.additional_properties = d
        return error

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
