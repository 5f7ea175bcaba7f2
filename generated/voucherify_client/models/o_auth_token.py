from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.o_auth_token_token_type import OAuthTokenTokenType
from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuthToken")


def _redacted(value: object) -> str:
    """How a secret field shows in repr: never its value."""
    return "'[REDACTED]'" if value else repr(value)  # None, UNSET and '' hold no secret


@_attrs_define
class OAuthToken:
    """
    Attributes:
        access_token (str): A secret; never log it.
        token_type (OAuthTokenTokenType):
        client_id (str | Unset):
        expires_at (int | Unset): Unix seconds.
        expires_in (int | Unset): Seconds; 900.
        scope (str | Unset):
    """

    access_token: str = _attrs_field(repr=_redacted)
    token_type: OAuthTokenTokenType
    client_id: str | Unset = UNSET
    expires_at: int | Unset = UNSET
    expires_in: int | Unset = UNSET
    scope: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        token_type = self.token_type.value

        client_id = self.client_id

        expires_at = self.expires_at

        expires_in = self.expires_in

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "token_type": token_type,
            }
        )
        if client_id is not UNSET:
            field_dict["client_id"] = client_id
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        _token_type = d.pop("token_type")
        token_type = OAuthTokenTokenType._value2member_map_.get(_token_type) or OAuthTokenTokenType(_token_type)

        client_id = d.pop("client_id", UNSET)

        expires_at = d.pop("expires_at", UNSET)

        expires_in = d.pop("expires_in", UNSET)

        scope = d.pop("scope", UNSET)

        o_auth_token = cls(
            access_token=access_token,
            token_type=token_type,
            client_id=client_id,
            expires_at=expires_at,
            expires_in=expires_in,
            scope=scope,
        )

        o_auth_token.additional_properties = d
        return o_auth_token

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
