"""The set-up the two import drivers share (:mod:`voucherify_ext.imports.drivers`): the
arguments checked, the run's state, the source told apart, the plan (a file's scan) and the
chunker; and :func:`reporting`, which gives whatever stops a run its partial result.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from voucherify_ext.caller_warnings import warn_at_caller
from voucherify_ext.errors import ConfigurationError, _ResultError
from voucherify_ext.imports.chunker import Chunker, OnInvalid
from voucherify_ext.imports.plan import Plan, prepare_source, scan_file
from voucherify_ext.imports.results import ImportProgress, attach_result
from voucherify_ext.imports.state import ImportRun
from voucherify_ext.validation import OrderValidator

__all__ = ["Setup", "reporting", "set_up"]


def validator_for(on_invalid: OnInvalid, require_source_id: bool, strict: bool = False) -> OrderValidator:
    if on_invalid not in ("raise", "skip"):
        raise ConfigurationError(f"on_invalid must be 'raise' or 'skip', got {on_invalid!r}")
    return OrderValidator(require_source_id=require_source_id, strict=strict)


@attrs.frozen
class Setup:
    """What both drivers set up alike, before any I/O: the arguments checked, the run's state,
    and the source told apart (a file's plan is made by its scan, :meth:`plan`)."""

    run: ImportRun
    validator: OrderValidator
    on_invalid: OnInvalid
    file_format: str | None
    #: the file to import, or None for an iterable (whose plan is ``prepared``)
    path: Path | None
    prepared: Plan | None

    def plan(self) -> Plan:
        """The plan; for a file, made by its validating scan (blocking: the async driver runs
        this in a worker thread)."""
        if self.path is None:
            assert self.prepared is not None
            plan = self.prepared
        else:
            run = self.run
            plan = scan_file(
                self.path, self.file_format, self.validator, run.chunk_size, self.on_invalid, run.result
            )
        self.run.orders_total = plan.valid_records
        return plan

    def chunker(self, plan: Plan) -> Chunker:
        """The sending pass's chunker. Called in the caller's thread (both drivers), so it
        also issues the scan's item warnings there, at the caller's line."""
        for warning in plan.item_warnings:
            warn_at_caller(warning)
        # a file was validated whole by the scan; an iterable is validated as it is read
        return Chunker(
            self.validator,
            self.run.chunk_size,
            self.on_invalid,
            self.run.result,
            file=plan.file,
            known_bad=plan.known_bad,
            validate=self.path is None,
        )


def set_up(
    source: Any,
    *,
    chunk_size: int,
    on_progress: Callable[[ImportProgress], None] | None,
    on_invalid: OnInvalid,
    checkpoint: str | os.PathLike[str] | None,
    require_source_id: bool,
    file_format: str | None,
    reconcile_window: float,
    commit_horizon: float,
    wall_clock: Callable[[], float],
    strict: bool = False,
) -> Setup:
    run = ImportRun(
        chunk_size=chunk_size,
        on_progress=on_progress,
        checkpoint_path=checkpoint,
        reconcile_window=reconcile_window,
        commit_horizon=commit_horizon,
        wall_clock=wall_clock,
    )
    validator = validator_for(on_invalid, require_source_id, strict)
    path, prepared = prepare_source(source)
    return Setup(run, validator, on_invalid, file_format, path, prepared)


@contextlib.contextmanager
def reporting(run: ImportRun, chunker: Chunker) -> Iterator[None]:
    """Whatever stops the run carries the partial result (import errors have it already), and
    the checkpoint is closed."""
    try:
        yield
    except BaseException as exc:
        run.result.total = chunker.index
        if not isinstance(exc, _ResultError):
            attach_result(exc, run.result)
        raise
    finally:
        run.close()
