"""What the sync and async paginators share and that does no I/O: the argument checks, the
planner's construction, parsing a list response into a :class:`~voucherify_ext.pagination.pages.RawPage`,
and the counters a paginator exposes (``total``, ``yielded``, ``pages_yielded``, ``drift``)."""

from __future__ import annotations

import contextvars
import inspect
import itertools
import typing
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

import attrs
from voucherify_client.types import Unset

from voucherify_ext.errors import APIResponseError, ConfigurationError
from voucherify_ext.pagination.pages import KeyFn, Page, PageRequest, PaginationStrategy, RawPage
from voucherify_ext.responses import GeneratedResponse, unwrap

__all__ = ["PageSource", "PaginatorBase"]

T = TypeVar("T")


def _default_key(item: Any) -> Hashable | None:
    value = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
    return value if isinstance(value, str | int) else None


def _check_args(page_size: int, max_items: int | None, prefetch: int, strategy: PaginationStrategy) -> None:
    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    top = strategy.max_page_size
    if not is_int(page_size) or not 1 <= page_size <= top:
        raise ConfigurationError(f"page_size must be an integer from 1 to {top}, got {page_size!r}")
    if not is_int(prefetch) or prefetch < 1:
        raise ConfigurationError(f"prefetch must be an integer of at least 1, got {prefetch!r}")
    if max_items is not None and (not is_int(max_items) or max_items < 0):
        raise ConfigurationError(f"max_items must be None or an integer of at least 0, got {max_items!r}")


def _takes(fn: Callable[..., Any], kwargs: Mapping[str, Any]) -> bool:
    """Whether ``fn`` accepts every keyword of ``kwargs``."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    names = {p.name for p in parameters}
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters) or set(kwargs) <= names


def _has_field(model: type[Any], name: str) -> bool:
    """Whether the generated (attrs) model ``model`` has the attribute ``name``."""
    if attrs.has(model):
        return name in attrs.fields_dict(model)
    try:
        return name in typing.get_type_hints(model)
    except Exception:
        return False


def _envelope_type(list_fn: Callable[..., Any], data_ref: str) -> type[Any]:
    """The success model of a generated list function: of the models in its return annotation
    (``Response[Error | X]``, from any generated package, whatever its error model is called),
    the one with the attribute ``data_ref``."""
    try:
        hint = typing.get_type_hints(list_fn)["return"]
    except Exception as exc:
        raise ConfigurationError(f"cannot read the return type of {list_fn!r}; pass envelope=") from exc
    (inner,) = typing.get_args(hint) or (None,)
    members = [t for t in typing.get_args(inner) or (inner,) if isinstance(t, type)]
    options = [t for t in members if _has_field(t, data_ref)]
    if len(options) != 1:
        names = ", ".join(t.__name__ for t in members) or repr(inner)
        raise ConfigurationError(
            f"cannot tell the envelope model of {list_fn!r}: {len(options)} of its models ({names}) "
            f"have a {data_ref!r} field; pass envelope="
        )
    return options[0]


def _check_item(envelope: type[Any], data_ref: str, item: type[Any] | None) -> None:
    """``item`` (when given) must be what the envelope's list field holds: ``list[item]``."""
    if item is None:
        return
    try:
        hint = typing.get_type_hints(envelope).get(data_ref)
    except Exception:
        hint = None
    listed = [a for a in typing.get_args(hint) if isinstance(a, type)] if hint is not None else []
    if hint is not None and typing.get_origin(hint) is list and listed and not issubclass(listed[0], item):
        raise ConfigurationError(
            f"item={item.__name__} but {envelope.__name__}.{data_ref} holds {listed[0].__name__} items"
        )


def _optional(value: Any, kind: type) -> Any:
    return value if isinstance(value, kind) and not isinstance(value, Unset) else None


@attrs.frozen
class PageSource:
    """Which list to read and how to parse one of its pages. Holds no reference to the
    paginator, so an abandoned paginator is collected (and its prefetching stopped) even while
    a fetch runs."""

    list_fn: Callable[..., Any]
    client: Any
    params: Mapping[str, Any]
    data_ref: str
    envelope: type[Any]
    arrivals: Iterator[int] = attrs.field(factory=itertools.count, eq=False)

    def query(self, request: PageRequest) -> dict[str, Any]:
        """The keyword arguments of ``list_fn`` for ``request`` (besides ``client``)."""
        return {**self.params, **request.params}

    def parse(self, request: PageRequest, response: GeneratedResponse[object]) -> RawPage:
        """The page in ``response``, or the typed error of a failed or unreadable one."""
        parsed = response.parsed
        if not 200 <= int(response.status_code) < 300 or not isinstance(parsed, self.envelope):
            unwrap(response, self.envelope)  # raises the typed error, here, where its context is
        items = getattr(parsed, self.data_ref)
        if not isinstance(items, list):
            raise APIResponseError(f"the list field {self.data_ref!r} is not a list", field=self.data_ref)
        total = _optional(getattr(parsed, "total", None), int)
        has_more = _optional(getattr(parsed, "has_more", None), bool)
        # the deep check runs later, in the consumer, in this request's context (for error details)
        context = contextvars.copy_context()
        check = partial(context.run, unwrap, response, self.envelope)
        return RawPage(request, items, total, has_more, check, next(self.arrivals))


class PaginatorBase(Generic[T]):
    """The arguments, planner and counters of one iteration (sync or async)."""

    def __init__(
        self,
        list_fn: Callable[..., Any],
        client: Any,
        *,
        data_ref: str,
        strategy: PaginationStrategy,
        page_size: int,
        params: Mapping[str, Any] | None,
        max_items: int | None,
        prefetch: int,
        key: KeyFn | None,
        envelope: type[Any] | None,
        on_drift: str = "warn",
        item: type[T] | None = None,
    ) -> None:
        _check_args(page_size, max_items, prefetch, strategy)
        if on_drift not in ("warn", "raise", "ignore"):
            raise ConfigurationError(f"on_drift must be 'warn', 'raise' or 'ignore', got {on_drift!r}")
        params = dict(params or {})
        sent = {"client"} | {
            value
            for name in ("page_param", "limit_param", "cursor_param")
            if isinstance(value := getattr(strategy, name, None), str)
        }
        clash = sorted(sent & set(params))
        if clash:
            hint = "page_size, max_items" + (
                ", or the strategy's starting cursor (EndDateCursor(end_date=...))"
                if getattr(strategy, "cursor_param", None) in clash
                else ""
            )
            raise ConfigurationError(
                f"params must not set {', '.join(clash)}: the paginator sends it (use {hint})"
            )
        envelope = envelope or _envelope_type(list_fn, data_ref)
        _check_item(envelope, data_ref, item)
        self._source = PageSource(list_fn, client, params, data_ref, envelope)
        context: dict[str, Any] = {"params": params, "on_drift": on_drift}
        if not _takes(strategy.planner, context):  # a strategy written before drift detection
            context = {}
        self._planner = strategy.planner(
            page_size=page_size, max_items=max_items, key=key or _default_key, **context
        )
        self._prefetch = prefetch
        self._mode: str | None = None
        self.total: int | None = None
        """The server's latest ``total`` (None until a page arrived, or for cursor lists)."""
        self.yielded = 0
        """Items handed out so far (counted per item when iterating items, per page with pages())."""
        self.pages_yielded = 0

    @property
    def drift(self) -> Sequence[Warning]:
        """What this iteration found that means items may have been skipped (the list changed
        under it, or its ``total`` contradicts the pages); empty when nothing was. Filled with
        every ``on_drift`` setting, also ``"ignore"``."""
        return getattr(self._planner, "drift", ())

    def _claim(self, mode: str) -> None:
        if self._mode is not None and self._mode != mode:
            raise RuntimeError("this paginator is already being iterated by " + self._mode)
        self._mode = mode

    def _seen(self, page: Page[Any], *, count_items: bool) -> None:
        self.pages_yielded += 1
        self.total = page.total if page.total is not None else self.total
        if count_items:
            self.yielded += len(page.items)
