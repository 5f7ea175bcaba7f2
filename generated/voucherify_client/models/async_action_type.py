from enum import StrEnum
from typing import ClassVar


class AsyncActionType(StrEnum):
    CAMPAIGNS_METADATA_KEY_PURGE = "CAMPAIGNS.METADATA_KEY_PURGE"
    CAMPAIGN_VOUCHERS_DELETE = "CAMPAIGN.VOUCHERS_DELETE"
    CAMPAIGN_VOUCHERS_GENERATE = "CAMPAIGN.VOUCHERS_GENERATE"
    CAMPAIGN_VOUCHERS_IMPORT = "CAMPAIGN.VOUCHERS_IMPORT"
    CAMPAIGN_VOUCHERS_IMPORT_CSV = "CAMPAIGN.VOUCHERS_IMPORT_CSV"
    CAMPAIGN_VOUCHERS_UPDATE = "CAMPAIGN.VOUCHERS_UPDATE"
    CUSTOMERS_BULK_UPDATE = "CUSTOMERS.BULK_UPDATE"
    CUSTOMERS_IMPORT_CSV = "CUSTOMERS.IMPORT_CSV"
    CUSTOMERS_METADATA_KEY_PURGE = "CUSTOMERS.METADATA_KEY_PURGE"
    CUSTOMERS_METADATA_UPDATE = "CUSTOMERS.METADATA_UPDATE"
    ORDERS_IMPORT = "ORDERS.IMPORT"
    ORDERS_METADATA_KEY_PURGE = "ORDERS.METADATA_KEY_PURGE"
    PRODUCTS_BULK_UPDATE = "PRODUCTS.BULK_UPDATE"
    PRODUCTS_IMPORT_CSV = "PRODUCTS.IMPORT_CSV"
    PRODUCTS_METADATA_KEY_PURGE = "PRODUCTS.METADATA_KEY_PURGE"
    PRODUCTS_METADATA_UPDATE = "PRODUCTS.METADATA_UPDATE"
    SKUS_IMPORT_CSV = "SKUS.IMPORT_CSV"
    VOUCHERS_BULK_UPDATE = "VOUCHERS.BULK_UPDATE"
    VOUCHERS_IMPORT = "VOUCHERS.IMPORT"
    VOUCHERS_IMPORT_CSV = "VOUCHERS.IMPORT_CSV"
    VOUCHERS_METADATA_KEY_PURGE = "VOUCHERS.METADATA_KEY_PURGE"
    VOUCHERS_METADATA_UPDATE = "VOUCHERS.METADATA_UPDATE"

    # the models look known values up here first (enum_property.py.jinja); declared so that a
    # type checker reads the lookup as this enum, not as any Enum (no value: not a member)
    _value2member_map_: ClassVar[dict[object, "AsyncActionType"]]

    @classmethod
    def _missing_(cls, value: object) -> "AsyncActionType | None":
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
