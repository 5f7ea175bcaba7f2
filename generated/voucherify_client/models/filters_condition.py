from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FiltersCondition")


@_attrs_define
class FiltersCondition:
    """Operators of one filter condition.

    Attributes:
        in_ (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or an
            array.
        not_in (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or
            an array.
        is_ (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or an
            array.
        is_days_ago (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        is_days_in_future (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes
            a scalar or an array.
        is_not (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or
            an array.
        has_value (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar
            or an array.
        is_unknown (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        contains (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar
            or an array.
        not_contain (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        starts_with (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        ends_with (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar
            or an array.
        more_than (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar
            or an array.
        less_than (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar
            or an array.
        more_than_ago (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        less_than_ago (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        more_than_future (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        less_than_future (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        more_than_equal (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        less_than_equal (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        after (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or
            an array.
        before (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or
            an array.
        count (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a scalar or
            an array.
        count_less (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
        count_more (bool | float | list[bool | float | str] | str | Unset): A condition's operand; the API takes a
            scalar or an array.
    """

    in_: bool | float | list[bool | float | str] | str | Unset = UNSET
    not_in: bool | float | list[bool | float | str] | str | Unset = UNSET
    is_: bool | float | list[bool | float | str] | str | Unset = UNSET
    is_days_ago: bool | float | list[bool | float | str] | str | Unset = UNSET
    is_days_in_future: bool | float | list[bool | float | str] | str | Unset = UNSET
    is_not: bool | float | list[bool | float | str] | str | Unset = UNSET
    has_value: bool | float | list[bool | float | str] | str | Unset = UNSET
    is_unknown: bool | float | list[bool | float | str] | str | Unset = UNSET
    contains: bool | float | list[bool | float | str] | str | Unset = UNSET
    not_contain: bool | float | list[bool | float | str] | str | Unset = UNSET
    starts_with: bool | float | list[bool | float | str] | str | Unset = UNSET
    ends_with: bool | float | list[bool | float | str] | str | Unset = UNSET
    more_than: bool | float | list[bool | float | str] | str | Unset = UNSET
    less_than: bool | float | list[bool | float | str] | str | Unset = UNSET
    more_than_ago: bool | float | list[bool | float | str] | str | Unset = UNSET
    less_than_ago: bool | float | list[bool | float | str] | str | Unset = UNSET
    more_than_future: bool | float | list[bool | float | str] | str | Unset = UNSET
    less_than_future: bool | float | list[bool | float | str] | str | Unset = UNSET
    more_than_equal: bool | float | list[bool | float | str] | str | Unset = UNSET
    less_than_equal: bool | float | list[bool | float | str] | str | Unset = UNSET
    after: bool | float | list[bool | float | str] | str | Unset = UNSET
    before: bool | float | list[bool | float | str] | str | Unset = UNSET
    count: bool | float | list[bool | float | str] | str | Unset = UNSET
    count_less: bool | float | list[bool | float | str] | str | Unset = UNSET
    count_more: bool | float | list[bool | float | str] | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        in_: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.in_, Unset):
            in_ = UNSET
        elif isinstance(self.in_, list):
            in_ = []
            for componentsschemas_filter_value_type_3_item_data in self.in_:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                in_.append(componentsschemas_filter_value_type_3_item)

        else:
            in_ = self.in_

        not_in: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.not_in, Unset):
            not_in = UNSET
        elif isinstance(self.not_in, list):
            not_in = []
            for componentsschemas_filter_value_type_3_item_data in self.not_in:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                not_in.append(componentsschemas_filter_value_type_3_item)

        else:
            not_in = self.not_in

        is_: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.is_, Unset):
            is_ = UNSET
        elif isinstance(self.is_, list):
            is_ = []
            for componentsschemas_filter_value_type_3_item_data in self.is_:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                is_.append(componentsschemas_filter_value_type_3_item)

        else:
            is_ = self.is_

        is_days_ago: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.is_days_ago, Unset):
            is_days_ago = UNSET
        elif isinstance(self.is_days_ago, list):
            is_days_ago = []
            for componentsschemas_filter_value_type_3_item_data in self.is_days_ago:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                is_days_ago.append(componentsschemas_filter_value_type_3_item)

        else:
            is_days_ago = self.is_days_ago

        is_days_in_future: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.is_days_in_future, Unset):
            is_days_in_future = UNSET
        elif isinstance(self.is_days_in_future, list):
            is_days_in_future = []
            for componentsschemas_filter_value_type_3_item_data in self.is_days_in_future:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                is_days_in_future.append(componentsschemas_filter_value_type_3_item)

        else:
            is_days_in_future = self.is_days_in_future

        is_not: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.is_not, Unset):
            is_not = UNSET
        elif isinstance(self.is_not, list):
            is_not = []
            for componentsschemas_filter_value_type_3_item_data in self.is_not:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                is_not.append(componentsschemas_filter_value_type_3_item)

        else:
            is_not = self.is_not

        has_value: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.has_value, Unset):
            has_value = UNSET
        elif isinstance(self.has_value, list):
            has_value = []
            for componentsschemas_filter_value_type_3_item_data in self.has_value:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                has_value.append(componentsschemas_filter_value_type_3_item)

        else:
            has_value = self.has_value

        is_unknown: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.is_unknown, Unset):
            is_unknown = UNSET
        elif isinstance(self.is_unknown, list):
            is_unknown = []
            for componentsschemas_filter_value_type_3_item_data in self.is_unknown:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                is_unknown.append(componentsschemas_filter_value_type_3_item)

        else:
            is_unknown = self.is_unknown

        contains: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.contains, Unset):
            contains = UNSET
        elif isinstance(self.contains, list):
            contains = []
            for componentsschemas_filter_value_type_3_item_data in self.contains:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                contains.append(componentsschemas_filter_value_type_3_item)

        else:
            contains = self.contains

        not_contain: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.not_contain, Unset):
            not_contain = UNSET
        elif isinstance(self.not_contain, list):
            not_contain = []
            for componentsschemas_filter_value_type_3_item_data in self.not_contain:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                not_contain.append(componentsschemas_filter_value_type_3_item)

        else:
            not_contain = self.not_contain

        starts_with: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.starts_with, Unset):
            starts_with = UNSET
        elif isinstance(self.starts_with, list):
            starts_with = []
            for componentsschemas_filter_value_type_3_item_data in self.starts_with:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                starts_with.append(componentsschemas_filter_value_type_3_item)

        else:
            starts_with = self.starts_with

        ends_with: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.ends_with, Unset):
            ends_with = UNSET
        elif isinstance(self.ends_with, list):
            ends_with = []
            for componentsschemas_filter_value_type_3_item_data in self.ends_with:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                ends_with.append(componentsschemas_filter_value_type_3_item)

        else:
            ends_with = self.ends_with

        more_than: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.more_than, Unset):
            more_than = UNSET
        elif isinstance(self.more_than, list):
            more_than = []
            for componentsschemas_filter_value_type_3_item_data in self.more_than:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                more_than.append(componentsschemas_filter_value_type_3_item)

        else:
            more_than = self.more_than

        less_than: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.less_than, Unset):
            less_than = UNSET
        elif isinstance(self.less_than, list):
            less_than = []
            for componentsschemas_filter_value_type_3_item_data in self.less_than:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                less_than.append(componentsschemas_filter_value_type_3_item)

        else:
            less_than = self.less_than

        more_than_ago: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.more_than_ago, Unset):
            more_than_ago = UNSET
        elif isinstance(self.more_than_ago, list):
            more_than_ago = []
            for componentsschemas_filter_value_type_3_item_data in self.more_than_ago:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                more_than_ago.append(componentsschemas_filter_value_type_3_item)

        else:
            more_than_ago = self.more_than_ago

        less_than_ago: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.less_than_ago, Unset):
            less_than_ago = UNSET
        elif isinstance(self.less_than_ago, list):
            less_than_ago = []
            for componentsschemas_filter_value_type_3_item_data in self.less_than_ago:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                less_than_ago.append(componentsschemas_filter_value_type_3_item)

        else:
            less_than_ago = self.less_than_ago

        more_than_future: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.more_than_future, Unset):
            more_than_future = UNSET
        elif isinstance(self.more_than_future, list):
            more_than_future = []
            for componentsschemas_filter_value_type_3_item_data in self.more_than_future:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                more_than_future.append(componentsschemas_filter_value_type_3_item)

        else:
            more_than_future = self.more_than_future

        less_than_future: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.less_than_future, Unset):
            less_than_future = UNSET
        elif isinstance(self.less_than_future, list):
            less_than_future = []
            for componentsschemas_filter_value_type_3_item_data in self.less_than_future:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                less_than_future.append(componentsschemas_filter_value_type_3_item)

        else:
            less_than_future = self.less_than_future

        more_than_equal: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.more_than_equal, Unset):
            more_than_equal = UNSET
        elif isinstance(self.more_than_equal, list):
            more_than_equal = []
            for componentsschemas_filter_value_type_3_item_data in self.more_than_equal:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                more_than_equal.append(componentsschemas_filter_value_type_3_item)

        else:
            more_than_equal = self.more_than_equal

        less_than_equal: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.less_than_equal, Unset):
            less_than_equal = UNSET
        elif isinstance(self.less_than_equal, list):
            less_than_equal = []
            for componentsschemas_filter_value_type_3_item_data in self.less_than_equal:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                less_than_equal.append(componentsschemas_filter_value_type_3_item)

        else:
            less_than_equal = self.less_than_equal

        after: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.after, Unset):
            after = UNSET
        elif isinstance(self.after, list):
            after = []
            for componentsschemas_filter_value_type_3_item_data in self.after:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                after.append(componentsschemas_filter_value_type_3_item)

        else:
            after = self.after

        before: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.before, Unset):
            before = UNSET
        elif isinstance(self.before, list):
            before = []
            for componentsschemas_filter_value_type_3_item_data in self.before:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                before.append(componentsschemas_filter_value_type_3_item)

        else:
            before = self.before

        count: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.count, Unset):
            count = UNSET
        elif isinstance(self.count, list):
            count = []
            for componentsschemas_filter_value_type_3_item_data in self.count:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                count.append(componentsschemas_filter_value_type_3_item)

        else:
            count = self.count

        count_less: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.count_less, Unset):
            count_less = UNSET
        elif isinstance(self.count_less, list):
            count_less = []
            for componentsschemas_filter_value_type_3_item_data in self.count_less:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                count_less.append(componentsschemas_filter_value_type_3_item)

        else:
            count_less = self.count_less

        count_more: bool | float | list[bool | float | str] | str | Unset
        if isinstance(self.count_more, Unset):
            count_more = UNSET
        elif isinstance(self.count_more, list):
            count_more = []
            for componentsschemas_filter_value_type_3_item_data in self.count_more:
                componentsschemas_filter_value_type_3_item: bool | float | str
                componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data
                count_more.append(componentsschemas_filter_value_type_3_item)

        else:
            count_more = self.count_more

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if in_ is not UNSET:
            field_dict["$in"] = in_
        if not_in is not UNSET:
            field_dict["$not_in"] = not_in
        if is_ is not UNSET:
            field_dict["$is"] = is_
        if is_days_ago is not UNSET:
            field_dict["$is_days_ago"] = is_days_ago
        if is_days_in_future is not UNSET:
            field_dict["$is_days_in_future"] = is_days_in_future
        if is_not is not UNSET:
            field_dict["$is_not"] = is_not
        if has_value is not UNSET:
            field_dict["$has_value"] = has_value
        if is_unknown is not UNSET:
            field_dict["$is_unknown"] = is_unknown
        if contains is not UNSET:
            field_dict["$contains"] = contains
        if not_contain is not UNSET:
            field_dict["$not_contain"] = not_contain
        if starts_with is not UNSET:
            field_dict["$starts_with"] = starts_with
        if ends_with is not UNSET:
            field_dict["$ends_with"] = ends_with
        if more_than is not UNSET:
            field_dict["$more_than"] = more_than
        if less_than is not UNSET:
            field_dict["$less_than"] = less_than
        if more_than_ago is not UNSET:
            field_dict["$more_than_ago"] = more_than_ago
        if less_than_ago is not UNSET:
            field_dict["$less_than_ago"] = less_than_ago
        if more_than_future is not UNSET:
            field_dict["$more_than_future"] = more_than_future
        if less_than_future is not UNSET:
            field_dict["$less_than_future"] = less_than_future
        if more_than_equal is not UNSET:
            field_dict["$more_than_equal"] = more_than_equal
        if less_than_equal is not UNSET:
            field_dict["$less_than_equal"] = less_than_equal
        if after is not UNSET:
            field_dict["$after"] = after
        if before is not UNSET:
            field_dict["$before"] = before
        if count is not UNSET:
            field_dict["$count"] = count
        if count_less is not UNSET:
            field_dict["$count_less"] = count_less
        if count_more is not UNSET:
            field_dict["$count_more"] = count_more

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_in_(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        in_ = _parse_in_(d.pop("$in", UNSET))

        def _parse_not_in(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        not_in = _parse_not_in(d.pop("$not_in", UNSET))

        def _parse_is_(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        is_ = _parse_is_(d.pop("$is", UNSET))

        def _parse_is_days_ago(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        is_days_ago = _parse_is_days_ago(d.pop("$is_days_ago", UNSET))

        def _parse_is_days_in_future(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        is_days_in_future = _parse_is_days_in_future(d.pop("$is_days_in_future", UNSET))

        def _parse_is_not(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        is_not = _parse_is_not(d.pop("$is_not", UNSET))

        def _parse_has_value(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        has_value = _parse_has_value(d.pop("$has_value", UNSET))

        def _parse_is_unknown(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        is_unknown = _parse_is_unknown(d.pop("$is_unknown", UNSET))

        def _parse_contains(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        contains = _parse_contains(d.pop("$contains", UNSET))

        def _parse_not_contain(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        not_contain = _parse_not_contain(d.pop("$not_contain", UNSET))

        def _parse_starts_with(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        starts_with = _parse_starts_with(d.pop("$starts_with", UNSET))

        def _parse_ends_with(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        ends_with = _parse_ends_with(d.pop("$ends_with", UNSET))

        def _parse_more_than(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        more_than = _parse_more_than(d.pop("$more_than", UNSET))

        def _parse_less_than(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        less_than = _parse_less_than(d.pop("$less_than", UNSET))

        def _parse_more_than_ago(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        more_than_ago = _parse_more_than_ago(d.pop("$more_than_ago", UNSET))

        def _parse_less_than_ago(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        less_than_ago = _parse_less_than_ago(d.pop("$less_than_ago", UNSET))

        def _parse_more_than_future(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        more_than_future = _parse_more_than_future(d.pop("$more_than_future", UNSET))

        def _parse_less_than_future(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        less_than_future = _parse_less_than_future(d.pop("$less_than_future", UNSET))

        def _parse_more_than_equal(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        more_than_equal = _parse_more_than_equal(d.pop("$more_than_equal", UNSET))

        def _parse_less_than_equal(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        less_than_equal = _parse_less_than_equal(d.pop("$less_than_equal", UNSET))

        def _parse_after(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        after = _parse_after(d.pop("$after", UNSET))

        def _parse_before(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        before = _parse_before(d.pop("$before", UNSET))

        def _parse_count(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        count = _parse_count(d.pop("$count", UNSET))

        def _parse_count_less(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        count_less = _parse_count_less(d.pop("$count_less", UNSET))

        def _parse_count_more(data: object) -> bool | float | list[bool | float | str] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_filter_value_type_3 = []
                _componentsschemas_filter_value_type_3 = data
                for componentsschemas_filter_value_type_3_item_data in _componentsschemas_filter_value_type_3:
                    componentsschemas_filter_value_type_3_item = componentsschemas_filter_value_type_3_item_data

                    componentsschemas_filter_value_type_3.append(componentsschemas_filter_value_type_3_item)

                return componentsschemas_filter_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[bool | float | str] | str | Unset, data)

        count_more = _parse_count_more(d.pop("$count_more", UNSET))

        filters_condition = cls(
            in_=in_,
            not_in=not_in,
            is_=is_,
            is_days_ago=is_days_ago,
            is_days_in_future=is_days_in_future,
            is_not=is_not,
            has_value=has_value,
            is_unknown=is_unknown,
            contains=contains,
            not_contain=not_contain,
            starts_with=starts_with,
            ends_with=ends_with,
            more_than=more_than,
            less_than=less_than,
            more_than_ago=more_than_ago,
            less_than_ago=less_than_ago,
            more_than_future=more_than_future,
            less_than_future=less_than_future,
            more_than_equal=more_than_equal,
            less_than_equal=less_than_equal,
            after=after,
            before=before,
            count=count,
            count_less=count_less,
            count_more=count_more,
        )

        filters_condition.additional_properties = d
        return filters_condition

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
