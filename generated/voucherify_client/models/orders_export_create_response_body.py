from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_parameters import ExportParameters
from ..models.export_result import ExportResult
from ..models.export_status import ExportStatus
from ..models.orders_export_create_response_body_exported_object import OrdersExportCreateResponseBodyExportedObject
from ..models.orders_export_create_response_body_object import OrdersExportCreateResponseBodyObject
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrdersExportCreateResponseBody")


@_attrs_define
class OrdersExportCreateResponseBody:
    """The export as scheduled.

    Attributes:
        id (str): `exp_...`
        object_ (OrdersExportCreateResponseBodyObject):
        created_at (datetime.datetime):
        status (ExportStatus): `SCHEDULED` and `IN_PROGRESS` are pending; `DONE` and `ERROR` are final.
        exported_object (OrdersExportCreateResponseBodyExportedObject):
        channel (str | Unset): `API`, or `WEBSITE` for the Dashboard.
        parameters (ExportParameters | Unset): An export's parameters as the server echoes them, for any exported
            object: the order-export filters are typed, what other objects add is kept as it came.
        result (ExportResult | None | Unset):
        user_id (None | str | Unset): Set only when `channel` is `WEBSITE`.
    """

    id: str
    object_: OrdersExportCreateResponseBodyObject
    created_at: datetime.datetime
    status: ExportStatus
    exported_object: OrdersExportCreateResponseBodyExportedObject
    channel: str | Unset = UNSET
    parameters: ExportParameters | Unset = UNSET
    result: ExportResult | None | Unset = UNSET
    user_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        created_at = self.created_at.isoformat()

        status = self.status.value

        exported_object = self.exported_object.value

        channel = self.channel

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, ExportResult):
            result = self.result.to_dict()
        else:
            result = self.result

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "status": status,
                "exported_object": exported_object,
            }
        )
        if channel is not UNSET:
            field_dict["channel"] = channel
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if result is not UNSET:
            field_dict["result"] = result
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        _object_ = d.pop("object")
        object_ = OrdersExportCreateResponseBodyObject._value2member_map_.get(
            _object_
        ) or OrdersExportCreateResponseBodyObject(_object_)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        _status = d.pop("status")
        status = ExportStatus._value2member_map_.get(_status) or ExportStatus(_status)

        _exported_object = d.pop("exported_object")
        exported_object = OrdersExportCreateResponseBodyExportedObject._value2member_map_.get(
            _exported_object
        ) or OrdersExportCreateResponseBodyExportedObject(_exported_object)

        channel = d.pop("channel", UNSET)

        _parameters = d.pop("parameters", UNSET)
        parameters: ExportParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = ExportParameters.from_dict(_parameters)

        def _parse_result(data: object) -> ExportResult | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = ExportResult.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExportResult | None | Unset, data)

        result = _parse_result(d.pop("result", UNSET))

        user_id = d.pop("user_id", UNSET)

        orders_export_create_response_body = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            status=status,
            exported_object=exported_object,
            channel=channel,
            parameters=parameters,
            result=result,
            user_id=user_id,
        )

        orders_export_create_response_body.additional_properties = d
        return orders_export_create_response_body

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
