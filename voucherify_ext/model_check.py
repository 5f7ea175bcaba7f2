"""The model type-checker: does every field of a parsed model hold a value of its annotated type?

The generated ``from_dict`` checks no types, so both directions use this module: responses
(``unwrap``, job results: a wrong type from the server fails naming the field) and inputs
(:func:`voucherify_ext.orders.inputs.to_model`: refused before anything is sent).

* :func:`first_mismatch` ``(model, path="") -> Mismatch | None``: the first field whose value
  has the wrong type; :func:`check_model` raises it as an ``APIResponseError``;
* :class:`Mismatch`: ``path``, ``expected``, ``got`` (a class name: the value is not kept);
* :func:`model_fields`: ``(attribute, JSON key, annotation)`` of each field of a model class.

It runs on every response (a 100-order page holds about 10,000 fields), so each model class is
compiled once into a checker:

* *scalar* fields (str, int, float, bool, enums, datetimes, None, and Unset) are read in one
  ``attrgetter`` call and checked in one C-level pass: is each value's exact class in its
  field's set of classes? Only an object where one is not (a subclass, or a wrong type)
  takes the full ``isinstance`` check, field by field;
* *nested* fields (models, lists, dicts, unions with them) get a compiled checker each, holding
  its element's or nested class's checker (looked up at call time only for a model that contains
  itself); a free-form model such as ``Metadata`` compiles to nothing;
* the path of a bad field (``items[0].quantity``) is built only when one is found: the
  innermost check raises an internal exception and each enclosing level adds its key on the way
  out, so a good response formats no strings at all.
"""

from __future__ import annotations

import datetime
import enum
import operator
import sys
import threading
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from voucherify_client.types import Unset

from voucherify_ext.errors import APIResponseError

__all__ = ["FieldHint", "Mismatch", "check_model", "first_mismatch", "model_fields"]


@attrs.frozen
class Mismatch:
    """The first field of a model whose value has the wrong type.

    ``path`` names it as the JSON does (``items[0].quantity``), ``expected`` is its annotation
    (``int | None``), ``got`` the class name of the value found; the value is not kept (it may
    be a secret of the response or of the caller's input)."""

    path: str
    expected: str
    got: str

    def __str__(self) -> str:
        return f"{self.path!r} should be {self.expected}, got {self.got}"


class _Mismatch(Exception):
    """Raised inside the compiled checkers; each enclosing level adds its key on the way out.
    Never leaves this module: :func:`first_mismatch` turns it into a :class:`Mismatch`."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.got = type(value).__name__
        self.parts: list[str | int] = []  # innermost first: keys and list indices

    def path(self, prefix: str) -> str:
        path = prefix
        for part in reversed(self.parts):
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path = f"{path}.{part}" if path else part
        return path


FieldHint = tuple[str, str, Any]
"""``(attribute, JSON key, resolved annotation)`` of one field of a generated model."""

_HINTS: dict[type, list[FieldHint]] = {}


def model_fields(cls: type) -> list[FieldHint]:
    """``(attribute, JSON key, resolved annotation)`` for each attrs field of ``cls``, cached.

    The field ``additional_properties`` is among them when the model has one (its annotation
    says whether it is free-form: ``dict[str, Any]``). An annotation that cannot be resolved
    gives an empty list: the model is then not checked, rather than a good call failed."""
    cached = _HINTS.get(cls)
    if cached is not None:
        return cached
    result: list[FieldHint] = []
    try:
        module = sys.modules[cls.__module__]
        package = sys.modules.get(cls.__module__.rpartition(".")[0])
        localns: dict[str, Any] = dict(vars(package)) if package is not None else {}
        localns.setdefault("datetime", datetime)
        hints = typing.get_type_hints(cls, globalns=vars(module), localns=localns)
        for attribute in attrs.fields(cls):
            name = attribute.name
            hint = hints.get(name)
            if hint is None:
                continue
            key = name[:-1] if name.endswith("_") else name
            result.append((name, key, hint))
    except Exception:  # an unresolvable annotation: skip checking rather than fail a good call
        result = []
    _HINTS[cls] = result
    return result


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint)


Checker = Callable[[Any], None]
"""Raises :class:`_Mismatch` when a value does not fit the annotation it was compiled from."""


def _no_check(value: Any) -> None:
    return None


def _is_model(hint: Any) -> bool:
    return isinstance(hint, type) and attrs.has(hint) and not issubclass(hint, enum.Enum)


def _is_scalar(hint: Any) -> bool:
    """A plain class (str, int, an enum, datetime, None) checked by ``isinstance`` alone."""
    plain = isinstance(hint, type) and typing.get_origin(hint) is None and not attrs.has(hint)
    return hint is type(None) or plain


def _options(hint: Any) -> list[Any] | None:
    """The members of a union annotation without ``Unset``, or None for a non-union."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return [a for a in typing.get_args(hint) if a is not Unset]
    return None


class _Scalar:
    """Accepts values of some plain classes. ``exact`` is the fast path: the classes a value
    may have as its very class; ``accepts`` the full rule (subclasses; bool is not a number)."""

    __slots__ = ("accepted", "exact", "expected", "reject_bool")

    def __init__(self, options: Sequence[Any], *, allow_unset: bool = False) -> None:
        accepted: tuple[type, ...] = tuple(options)
        if float in accepted and int not in accepted:
            accepted += (int,)  # a JSON number without a fraction parses as int
        self.accepted = accepted
        self.reject_bool = bool not in accepted  # bool is an int subclass, but not a JSON integer
        self.exact = frozenset(accepted + ((Unset,) if allow_unset else ()))
        self.expected = " | ".join(_type_name(o) for o in options)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.accepted) and not (self.reject_bool and value.__class__ is bool)

    def checker(self) -> Checker:
        exact, accepts, expected = self.exact, self.accepts, self.expected

        def check_scalar(value: Any) -> None:
            if value.__class__ not in exact and not accepts(value):
                raise _Mismatch(expected, value)

        return check_scalar


def _scalar_options(hint: Any) -> list[Any] | None:
    """The classes of a scalar annotation (``int``, ``None | str``), or None if it is not one."""
    options = _options(hint)
    if options is None:
        options = [hint]
    return options if all(_is_scalar(o) for o in options) else None


def _compile(hint: Any) -> Checker:
    if hint is Any:
        return _no_check
    options = _options(hint)
    if options is not None:
        if len(options) == 1:
            return _compile(options[0])
        return _compile_union(options)
    if _is_scalar(hint):
        return _Scalar([hint]).checker()
    if _is_model(hint):
        return _compile_model(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list:
        return _compile_list(hint, _compile(args[0]) if args else _no_check)
    if origin is dict:
        values = _compile(args[1]) if len(args) == 2 else _no_check
        return _compile_dict(hint, values)
    if isinstance(origin, type):  # another generic container: check the container only
        return _Scalar([origin]).checker()
    return _no_check  # Literal, TypeVar, ...: nothing a JSON value could contradict


def _compile_union(options: list[Any]) -> Checker:
    expected = " | ".join(_type_name(o) for o in options)
    if all(_is_scalar(o) for o in options):
        return _Scalar(options).checker()
    # dispatch on the value's exact class; anything else tries the members in order
    by_class: dict[type, Checker] = {}
    members: list[tuple[Callable[[Any], bool], Checker]] = []
    for option in options:
        check = _compile(option)
        target = typing.get_origin(option) or option
        if option is type(None):
            target = type(None)
        if isinstance(target, type):
            by_class.setdefault(target, check)
            members.append((_Scalar([target]).accepts, check))
        else:
            members.append((lambda v: True, check))

    def check_union(value: Any) -> None:
        check = by_class.get(value.__class__)
        if check is not None:
            check(value)
            return
        for matches, check in members:
            if matches(value):
                check(value)
                return
        raise _Mismatch(expected, value)

    return check_union


def _compile_model(cls: type) -> Checker:
    expected = _type_name(cls)
    own = _class_checker(cls)  # None while cls is being compiled (a model that contains itself)

    def check_model_value(value: Any) -> None:
        if value.__class__ is cls and own is not None:
            if own is not _no_check:
                own(value)
            return
        if not isinstance(value, cls):
            raise _Mismatch(expected, value)
        checker = _CLASS_CHECKERS.get(value.__class__) or _class_checker(value.__class__)
        if checker is not None:
            checker(value)

    return check_model_value


def _compile_list(hint: Any, item: Checker) -> Checker:
    expected = _type_name(hint)

    def check_list(value: Any) -> None:
        if value.__class__ is not list and not isinstance(value, list):
            raise _Mismatch(expected, value)
        if item is _no_check:
            return
        index = 0
        try:
            for index, element in enumerate(value):  # noqa: B007 - index is read on failure
                item(element)
        except _Mismatch as exc:
            exc.parts.append(index)
            raise

    return check_list


def _compile_dict(hint: Any, values: Checker) -> Checker:
    expected = _type_name(hint)

    def check_dict(value: Any) -> None:
        if value.__class__ is not dict and not isinstance(value, dict):
            raise _Mismatch(expected, value)
        if values is _no_check:
            return
        key = ""
        try:
            for key, element in value.items():  # noqa: B007 - key is read on failure
                values(element)
        except _Mismatch as exc:
            exc.parts.append(str(key))
            raise

    return check_dict


_CLASS_CHECKERS: dict[type, Checker] = {}
_COMPILING: set[type] = set()
_COMPILE_LOCK = threading.RLock()


def _class_checker(cls: type) -> Checker | None:
    """The compiled checker of model class ``cls``, built on first use and cached; None while
    ``cls`` is being compiled (its own fields refer to it), which callers resolve later."""
    checker = _CLASS_CHECKERS.get(cls)
    if checker is not None:
        return checker
    with _COMPILE_LOCK:
        checker = _CLASS_CHECKERS.get(cls)
        if checker is not None or cls in _COMPILING:
            return checker
        _COMPILING.add(cls)
        try:
            checker = _CLASS_CHECKERS[cls] = _compile_class(cls)
        finally:
            _COMPILING.discard(cls)
        return checker


def _compile_class(cls: type) -> Checker:
    scalars: list[tuple[str, str, _Scalar]] = []
    nested: list[tuple[str, str, Checker]] = []
    extra: Checker = _no_check
    for name, key, hint in model_fields(cls):
        if name == "additional_properties":
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is not Any:
                extra = _compile(hint)
            continue
        options = _scalar_options(hint)
        if options is not None:
            scalars.append((name, key, _Scalar(options, allow_unset=True)))
        else:
            check = _compile(hint)
            if check is not _no_check:
                nested.append((name, key, check))
    if not scalars and not nested and extra is _no_check:
        return _no_check  # e.g. Metadata: free-form, nothing to contradict

    get: Callable[[Any], tuple[Any, ...]] | None = None
    if len(scalars) == 1:
        get_one = operator.attrgetter(scalars[0][0])
        get = lambda obj: (get_one(obj),)  # noqa: E731
    elif scalars:
        get = operator.attrgetter(*(name for name, _, _ in scalars))
    exacts = tuple(spec.exact for _, _, spec in scalars)
    rules = tuple((spec, key) for _, key, spec in scalars)
    nested_rules = tuple(nested)
    contains = operator.contains

    def scalar_mismatch(values: tuple[Any, ...]) -> None:
        # the slow path, after a value's class was not one of its field's exact classes
        for value, (spec, key) in zip(values, rules, strict=True):
            if value.__class__ not in spec.exact and not spec.accepts(value):
                mismatch = _Mismatch(spec.expected, value)
                mismatch.parts.append(key)
                raise mismatch

    def check_object(obj: Any) -> None:
        if get is not None:
            values = get(obj)
            # one C-level pass: is each value's class one of its field's exact classes?
            if False in map(contains, exacts, map(type, values)):
                scalar_mismatch(values)
        for name, key, check in nested_rules:
            value = getattr(obj, name)
            if value.__class__ is Unset:
                continue
            try:
                check(value)
            except _Mismatch as exc:
                exc.parts.append(key)
                raise
        if extra is not _no_check:
            extra(obj.additional_properties)

    return check_object


def first_mismatch(obj: Any, path: str = "") -> Mismatch | None:
    """The first field of the parsed model ``obj`` whose value has the wrong type, or None when
    every field fits its annotation; ``path`` prefixes the field paths (``"items[0]"``)."""
    checker = _class_checker(type(obj))
    if checker is None:  # only while compiling that very class: cannot happen from outside
        return None
    try:
        checker(obj)
    except _Mismatch as exc:
        found = exc
    else:
        return None
    # built outside the except block: nothing chained, and no frame keeps the value
    return Mismatch(path=found.path(path), expected=found.expected, got=found.got)


def check_model(obj: Any) -> None:
    """Raise :class:`APIResponseError` (``field``: the path) when a field of the parsed model
    ``obj`` has the wrong type. No I/O: the pure parsers of job results use it too."""
    mismatch = first_mismatch(obj)
    if mismatch is not None:
        raise APIResponseError(f"field {mismatch}", field=mismatch.path)
