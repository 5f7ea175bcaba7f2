from enum import StrEnum
from typing import ClassVar


class ExportObject(StrEnum):
    EXPORT = "export"

    # the models look known values up here first (enum_property.py.jinja); declared so that a
    # type checker reads the lookup as this enum, not as any Enum (no value: not a member)
    _value2member_map_: ClassVar[dict[object, "ExportObject"]]

    @classmethod
    def _missing_(cls, value: object) -> "ExportObject | None":
        """Accept a value the spec does not know yet (forward compatibility).

        The server may add enum values before our spec does; such a value parses into a
        pseudo-member that keeps it, compares equal to it and serializes back unchanged,
        instead of failing the whole response.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)
