"""The root of the hierarchy, :class:`VoucherifyError`: the redaction of everything it holds,
and how every error pickles.

Every attribute set on an error is scrubbed of known secrets (by value, into lists, dicts and
attrs objects; see :func:`~voucherify_ext.logs.redact`). Every error pickles (and copies) to an
equal one: same class (the combined classes of
:func:`~voucherify_ext.errors.error_with_bad_body` and
:func:`~voucherify_ext.errors.error_timed_out` included), message, attributes and notes, so an
error raised in a ``ProcessPoolExecutor`` worker reaches the parent as itself.
:meth:`VoucherifyError.__reduce__` does it for every subclass without calling its constructor;
the state it carries is redacted again on the way out, and an attribute that cannot be pickled
travels as its (redacted) ``repr``.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import attrs

from voucherify_ext.logs import redact, redact_value

__all__ = ["PUBLIC_MODULE", "VoucherifyError", "register_combiner"]

#: the public path of every error class (``voucherify_ext.errors`` sets it as their
#: ``__module__``, so tracebacks and pickles name it, not the module that defines them)
PUBLIC_MODULE = "voucherify_ext.errors"


class VoucherifyError(Exception):
    """Root of every exception raised by ``voucherify_ext``."""

    def __init__(self, message: str) -> None:
        self.message = redact(message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __setattr__(self, name: str, value: object) -> None:
        # every attribute may be printed, logged or pickled: a known secret never stays in one
        super().__setattr__(name, _scrubbed(value))

    def add_note(self, note: str, /) -> None:
        """Add a note (redacted like the message: it is shown with the traceback)."""
        super().add_note(redact(note))

    def __reduce__(self) -> tuple[Callable[..., VoucherifyError], tuple[Any, ...]]:
        """Pickle as (class, args, attributes), rebuilt without calling ``__init__``: the
        constructors of the subclasses take keyword arguments that ``args`` does not hold."""
        state = {name: _portable(value) for name, value in vars(self).items()}
        return _rebuild, (_class_key(type(self)), redact_value(self.args), state)


def _scrubbed(value: object, depth: int = 0) -> object:
    """``value`` with its text redacted, into attrs objects (results, records, generated
    models) too. What holds nothing to redact is returned as it is (the same object); what
    does is copied, never changed in place."""
    if isinstance(value, str) or depth >= 8:
        return redact_value(value)  # text, or what is nested too deep to walk into attrs objects
    if type(value) in (list, tuple):
        assert isinstance(value, (list, tuple))
        items = [_scrubbed(item, depth + 1) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if type(value) is dict:
        assert isinstance(value, dict)
        pairs = [(_scrubbed(key, depth + 1), _scrubbed(item, depth + 1)) for key, item in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    cls = type(value)
    if attrs.has(cls):
        fields = {f.name: _scrubbed(getattr(value, f.name), depth + 1) for f in attrs.fields(cls)}
        if all(new is getattr(value, name) for name, new in fields.items()):
            return value
        clone = copy.copy(value)
        for name, new in fields.items():
            object.__setattr__(clone, name, new)
        return clone
    return value


def _portable(value: object) -> object:
    """``value`` redacted, or its redacted ``repr`` when it cannot be pickled."""
    value = _scrubbed(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        pickle.dumps(value)
    except Exception:  # any failure of a foreign object's pickling: keep what it says
        return redact(repr(value))
    return value


#: the factories that combine an APIError class with another error class, by name (filled by
#: :mod:`voucherify_ext.errors.requests`, which defines them)
_COMBINERS: dict[str, Callable[[Any], type[VoucherifyError]]] = {}


def register_combiner(name: str, factory: Callable[[Any], type[VoucherifyError]]) -> None:
    """Let a pickle name the classes ``factory`` makes by ``name`` (see :func:`_class_key`)."""
    _COMBINERS[name] = factory


def _class_key(cls: type[VoucherifyError]) -> object:
    """What names ``cls`` in a pickle: the class itself, or for a combined class made by
    :func:`~voucherify_ext.errors.error_with_bad_body`/``error_timed_out`` (not importable by name) the
    factory's name and the key of the class it was made from."""
    made = cls.__dict__.get("_combined_from")
    if made is None:
        return cls
    combiner, base = made
    return (combiner, _class_key(base))


def _class_of(key: object) -> type[VoucherifyError]:
    if isinstance(key, tuple):
        combiner, base = key
        return _COMBINERS[combiner](_class_of(base))
    assert isinstance(key, type) and issubclass(key, VoucherifyError)
    return key


def _rebuild(key: object, args: tuple[Any, ...], state: dict[str, Any]) -> VoucherifyError:
    """Unpickle an error: the class, then ``args`` and the attributes, as they were."""
    cls = _class_of(key)
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error
