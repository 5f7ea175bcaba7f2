"""What a team adds to the sandbox: routes with the sandbox's handler signature, and resources.

A :class:`SandboxExtension` holds :class:`ExtensionRoute` objects (an ``async (request, state)
-> Response`` handler for a method and path) and :class:`~voucherify_ext.sandbox.resources.Resource`
definitions. ``create_app(extensions=[...])``, ``serve(extensions=[...])``, the command line's
``--extension module:attr`` and the pytest plugin register them; every route then runs through
the same pipeline as the built-in operations (:mod:`.pipeline`: faults, request counting,
latency, rate limit, auth with app keys or an OAuth token of scope ``api`` or the route's own).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from voucherify_ext.sandbox.pipeline import Handler
from voucherify_ext.sandbox.resources import Resource

__all__ = ["ExtensionRoute", "SandboxExtension", "load_extensions"]

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_PATH = re.compile(r"(/([A-Za-z0-9._~-]+|\{[a-z_][a-z0-9_]*\}))+")


@dataclass(frozen=True)
class ExtensionRoute:
    """``handler`` serves ``method`` ``path`` (Starlette's syntax: ``/v1/things/{thing_id}``, the
    parameter decoded in ``request.path_params``). ``scope`` is the OAuth scope that grants it
    besides ``api`` (None: app keys or ``api`` only). Raise
    :class:`~voucherify_ext.sandbox.errors.SandboxError` in the handler for an API error."""

    method: str
    path: str
    handler: Handler
    scope: str | None = None

    def __post_init__(self) -> None:
        if self.method.upper() not in METHODS:
            raise ValueError(f"method {self.method!r}: one of {', '.join(sorted(METHODS))}")
        object.__setattr__(self, "method", self.method.upper())
        if not _PATH.fullmatch(self.path) or self.path.startswith("/_sandbox"):
            raise ValueError(f"path {self.path!r}: an absolute path outside /_sandbox")


@dataclass(frozen=True)
class SandboxExtension:
    """A team's additions to the sandbox: ``routes`` and ``resources`` (each resource gives its
    list, get, upsert and bulk routes). ``name`` appears in error messages, e.g. when one of its
    routes is served already."""

    name: str
    resources: Sequence[Resource] = ()
    routes: Sequence[ExtensionRoute] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "resources", tuple(self.resources))
        object.__setattr__(self, "routes", tuple(self.routes))


def load_extensions(reference: str) -> list[SandboxExtension]:
    """The extension(s) named ``package.module:ATTR``: a :class:`SandboxExtension` or a sequence
    of them (the command line's ``--extension`` and the ini option take these)."""
    module_name, sep, attr = reference.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"extension {reference!r}: write it as package.module:ATTR")
    value = getattr(importlib.import_module(module_name), attr, None)
    found = [value] if isinstance(value, SandboxExtension) else value
    if not isinstance(found, Sequence) or isinstance(found, str) or not found:
        raise ValueError(f"extension {reference!r} is no SandboxExtension (nor a list of them)")
    extensions: list[SandboxExtension] = []
    for item in found:
        if not isinstance(item, SandboxExtension):
            raise ValueError(f"extension {reference!r} holds {item!r}, which is no SandboxExtension")
        extensions.append(item)
    return extensions


def extension_resources(extensions: Sequence[SandboxExtension]) -> list[Resource]:
    """Every resource of ``extensions``, in order."""
    return [resource for extension in extensions for resource in extension.resources]
