"""Contains all the data models used in inputs/outputs"""

from .async_action_base import AsyncActionBase
from .async_action_base_object import AsyncActionBaseObject
from .async_action_get_response_body import AsyncActionGetResponseBody
from .async_action_operation_status import AsyncActionOperationStatus
from .async_action_result import AsyncActionResult
from .async_action_status import AsyncActionStatus
from .async_action_type import AsyncActionType
from .async_action_user import AsyncActionUser
from .async_actions_list_response_body import AsyncActionsListResponseBody
from .async_actions_list_response_body_data_ref import AsyncActionsListResponseBodyDataRef
from .async_actions_list_response_body_object import AsyncActionsListResponseBodyObject
from .customer import Customer
from .customer_address import CustomerAddress
from .customer_id import CustomerId
from .customer_id_object import CustomerIdObject
from .error import Error
from .error_validation_rule import ErrorValidationRule
from .export import Export
from .export_object import ExportObject
from .export_order_filters import ExportOrderFilters
from .export_order_filters_junction import ExportOrderFiltersJunction
from .export_order_order import ExportOrderOrder
from .export_order_parameters import ExportOrderParameters
from .export_parameters import ExportParameters
from .export_parameters_filters import ExportParametersFilters
from .export_parameters_filters_junction import ExportParametersFiltersJunction
from .export_result import ExportResult
from .export_status import ExportStatus
from .exported_object import ExportedObject
from .field_conditions import FieldConditions
from .filters_condition import FiltersCondition
from .metadata import Metadata
from .o_auth_token import OAuthToken
from .o_auth_token_request_body import OAuthTokenRequestBody
from .o_auth_token_request_body_grant_type import OAuthTokenRequestBodyGrantType
from .o_auth_token_token_type import OAuthTokenTokenType
from .order_base import OrderBase
from .order_calculated import OrderCalculated
from .order_calculated_item import OrderCalculatedItem
from .order_calculated_item_object import OrderCalculatedItemObject
from .order_calculated_items import OrderCalculatedItems
from .order_calculated_object import OrderCalculatedObject
from .order_item import OrderItem
from .order_item_product import OrderItemProduct
from .order_item_related_object import OrderItemRelatedObject
from .order_item_sku import OrderItemSku
from .order_redemptions import OrderRedemptions
from .order_redemptions_entry import OrderRedemptionsEntry
from .order_status import OrderStatus
from .orders_create_request_body import OrdersCreateRequestBody
from .orders_create_response_body import OrdersCreateResponseBody
from .orders_export_create_request_body import OrdersExportCreateRequestBody
from .orders_export_create_response_body import OrdersExportCreateResponseBody
from .orders_export_create_response_body_exported_object import OrdersExportCreateResponseBodyExportedObject
from .orders_export_create_response_body_object import OrdersExportCreateResponseBodyObject
from .orders_get_response_body import OrdersGetResponseBody
from .orders_import_create_request_body_item import OrdersImportCreateRequestBodyItem
from .orders_import_create_response_body import OrdersImportCreateResponseBody
from .orders_import_failure import OrdersImportFailure
from .orders_import_result import OrdersImportResult
from .orders_list_response_body import OrdersListResponseBody
from .orders_list_response_body_data_ref import OrdersListResponseBodyDataRef
from .orders_list_response_body_item import OrdersListResponseBodyItem
from .orders_list_response_body_object import OrdersListResponseBodyObject
from .orders_update_request_body import OrdersUpdateRequestBody
from .orders_update_response_body import OrdersUpdateResponseBody
from .parameter_order_list_orders import ParameterOrderListOrders

__all__ = (
    "AsyncActionBase",
    "AsyncActionBaseObject",
    "AsyncActionGetResponseBody",
    "AsyncActionOperationStatus",
    "AsyncActionResult",
    "AsyncActionsListResponseBody",
    "AsyncActionsListResponseBodyDataRef",
    "AsyncActionsListResponseBodyObject",
    "AsyncActionStatus",
    "AsyncActionType",
    "AsyncActionUser",
    "Customer",
    "CustomerAddress",
    "CustomerId",
    "CustomerIdObject",
    "Error",
    "ErrorValidationRule",
    "Export",
    "ExportedObject",
    "ExportObject",
    "ExportOrderFilters",
    "ExportOrderFiltersJunction",
    "ExportOrderOrder",
    "ExportOrderParameters",
    "ExportParameters",
    "ExportParametersFilters",
    "ExportParametersFiltersJunction",
    "ExportResult",
    "ExportStatus",
    "FieldConditions",
    "FiltersCondition",
    "Metadata",
    "OAuthToken",
    "OAuthTokenRequestBody",
    "OAuthTokenRequestBodyGrantType",
    "OAuthTokenTokenType",
    "OrderBase",
    "OrderCalculated",
    "OrderCalculatedItem",
    "OrderCalculatedItemObject",
    "OrderCalculatedItems",
    "OrderCalculatedObject",
    "OrderItem",
    "OrderItemProduct",
    "OrderItemRelatedObject",
    "OrderItemSku",
    "OrderRedemptions",
    "OrderRedemptionsEntry",
    "OrdersCreateRequestBody",
    "OrdersCreateResponseBody",
    "OrdersExportCreateRequestBody",
    "OrdersExportCreateResponseBody",
    "OrdersExportCreateResponseBodyExportedObject",
    "OrdersExportCreateResponseBodyObject",
    "OrdersGetResponseBody",
    "OrdersImportCreateRequestBodyItem",
    "OrdersImportCreateResponseBody",
    "OrdersImportFailure",
    "OrdersImportResult",
    "OrdersListResponseBody",
    "OrdersListResponseBodyDataRef",
    "OrdersListResponseBodyItem",
    "OrdersListResponseBodyObject",
    "OrderStatus",
    "OrdersUpdateRequestBody",
    "OrdersUpdateResponseBody",
    "ParameterOrderListOrders",
)
