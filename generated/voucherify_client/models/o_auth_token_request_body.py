from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.o_auth_token_request_body_grant_type import OAuthTokenRequestBodyGrantType
from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuthTokenRequestBody")


@_attrs_define
class OAuthTokenRequestBody:
    """
    Attributes:
        grant_type (OAuthTokenRequestBodyGrantType):
        scope (str | Unset): Space-separated scopes, e.g. `api` or `orders exports`.
    """

    grant_type: OAuthTokenRequestBodyGrantType
    scope: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type.value

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _grant_type = d.pop("grant_type")
        grant_type = OAuthTokenRequestBodyGrantType._value2member_map_.get(
            _grant_type
        ) or OAuthTokenRequestBodyGrantType(_grant_type)

        scope = d.pop("scope", UNSET)

        o_auth_token_request_body = cls(
            grant_type=grant_type,
            scope=scope,
        )

        o_auth_token_request_body.additional_properties = d
        return o_auth_token_request_body

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
