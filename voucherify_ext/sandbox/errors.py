"""Voucherify's error bodies, raised by handlers as :class:`SandboxError` and rendered once."""

from __future__ import annotations

from typing import Any

from voucherify_ext.sandbox.util import request_id


class SandboxError(Exception):
    """An API error with the exact fields Voucherify sends (``code``, ``key``, ``message``, ...)."""

    def __init__(
        self,
        status: int,
        key: str | None,
        message: str,
        details: str | None = None,
        *,
        resource_id: str | None = None,
        resource_type: str | None = None,
        with_request_id: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.key = key
        self.message = message
        self.details = details
        self.resource_id = resource_id
        self.resource_type = resource_type
        self.with_request_id = with_request_id

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.status}
        if self.key is not None:
            out["key"] = self.key
        out["message"] = self.message
        if self.details is not None:
            out["details"] = self.details
        if self.with_request_id:
            out["request_id"] = request_id()
        if self.resource_id is not None:
            out["resource_id"] = self.resource_id
        if self.resource_type is not None:
            out["resource_type"] = self.resource_type
        return out


def not_found(resource_type: str, resource_id: str) -> SandboxError:
    label = resource_type.replace("_", " ")
    return SandboxError(
        404,
        "not_found",
        "Resource not found",
        f"Cannot find {label} with id {resource_id}",
        resource_id=resource_id,
        resource_type=resource_type,
    )


def invalid_payload(details: str) -> SandboxError:
    return SandboxError(400, "invalid_payload", "Invalid payload", details)


def invalid_query(details: str) -> SandboxError:
    return SandboxError(400, "invalid_query_params", "Invalid query params", details)


def invalid_export_fields(details: str) -> SandboxError:
    return SandboxError(400, "invalid_export_fields", "Invalid Export", details)


def unauthorized() -> SandboxError:
    """Voucherify's 401 carries only code, message and key."""
    return SandboxError(401, "unauthorized", "Unauthorized", with_request_id=False)


def too_many_requests(details: str = "API calls limit reached") -> SandboxError:
    """Voucherify's 429 carries code, message and details only."""
    return SandboxError(429, None, "Too many requests", details, with_request_id=False)


def server_error(status: int) -> SandboxError:
    messages = {
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return SandboxError(
        status, "internal_error" if status == 500 else None, messages.get(status, "Server Error")
    )
