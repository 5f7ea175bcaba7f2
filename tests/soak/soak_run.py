"""The fault soak: one implementation, run at full size by ``make soak`` (``scripts/soak.py``)
and at a bounded size inside ``make test`` (``tests/soak/test_soak.py``).

Against a sandbox that fails a share of API requests on purpose (5xx, 429, connections dropped
before and after the write was committed, latency, bodies cut short), with a planted, unique
app token, it

1. imports ``orders`` orders with source ids (resumed from a checkpoint if a run fails),
2. iterates every order (both directions when there are more than the list's 10,000),
3. creates ``creates`` orders with a source id and ``creates_without_id`` without one,
4. updates ``updates`` orders,
5. exports all orders and downloads the CSV,

counting every failure by operation and exception type, then checks the invariants against the
sandbox's own state and prints them. Operations that are safe to repeat (upserts with a
source id, updates, reads, a resumed import, a new export) are repeated by the soak itself when
the client's retries are exhausted; a create without a source id is never repeated: when it
fails ambiguously the client must say "outcome unknown", and the soak holds it to that.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import random
import secrets
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from voucherify_ext import (
    APIResponseError,
    PaginationLimitError,
    RetryPolicy,
    Voucherify,
    VoucherifyError,
)
from voucherify_ext.sandbox import Sandbox, serve

T = TypeVar("T")

#: The mixed faults: 5xx, 429, drops before and after commit, latency, cut bodies, and late
#: commits (an import's answer lost and its action visible only a second later; on other
#: requests the sandbox treats ``late_commit`` as ``drop_after``).
FAULT_KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "504",
    "429",
    "drop_before",
    "drop_after",
    "latency",
    "truncate",
    "late_commit",
)
CAPTURED_LOGGERS = ("voucherify", "httpx", "httpcore")
LIST_CEILING = 10_000  # 100 pages of 100: the list endpoint's reach


@dataclass(frozen=True)
class SoakConfig:
    orders: int = 20_000
    creates: int = 500
    creates_without_id: int = 200
    updates: int = 500
    fault_rate: float = 0.2
    seed: int = 1
    chunk_size: int = 2000
    #: the client's own retries per request (its default, 2); the soak repeats safe operations
    #: itself when these are exhausted, up to ``rounds`` times
    max_retries: int = 2
    rounds: int = 25
    #: backoff of the client's retries; shorter than the default 0.5 s so the soak spends its
    #: time on requests, not on sleeping (the policy's shape is what is exercised)
    initial_delay: float = 0.05
    max_delay: float = 0.5
    import_speed: float = 20_000.0
    #: the importer's commit horizon: the sandbox's late commits appear within about a second
    commit_horizon: float = 5.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class SoakReport:
    config: SoakConfig
    elapsed: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    checks: list[Check] = field(default_factory=list)
    untyped: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def render(self) -> str:
        c = self.config
        lines = [
            f"soak: {c.orders} imported, {c.creates} created with source_id, "
            f"{c.creates_without_id} without, {c.updates} updated; fault rate {c.fault_rate:.0%} "
            f"({', '.join(FAULT_KINDS)}), seed {c.seed}, client max_retries={c.max_retries}, "
            f"soak-level repeats of safe operations up to {c.rounds}",
            f"elapsed {self.elapsed:.1f}s ("
            + ", ".join(f"{name} {secs:.1f}s" for name, secs in self.phases.items())
            + ")",
            "counts:",
        ]
        lines += [f"  {key}: {value}" for key, value in self.counts.items()]
        lines.append(f"failures surfaced (operation, type): {sum(self.failures.values())}")
        lines += [f"  {op} {kind}: {n}" for (op, kind), n in sorted(self.failures.items())]
        lines.append("invariants:")
        lines += [f"  [{'PASS' if ch.ok else 'FAIL'}] {ch.name}: {ch.detail}" for ch in self.checks]
        lines.append("ALL INVARIANTS HOLD" if self.ok else "INVARIANTS FAILED")
        return "\n".join(lines)


class _LogCapture(logging.Handler):
    """Every record that reaches the root logger, as the text a handler would write plus the
    repr of its arguments (a secret passed as an unused argument would show there)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception as exc:  # a broken record must not hide: keep what we can
            text = f"{record.name} UNFORMATTABLE {record.msg!r} {exc!r}"
        self.lines.append(f"{text} args={record.args!r}")


@contextlib.contextmanager
def capture_logs() -> Iterator[_LogCapture]:
    """Capture every record of ``voucherify``, ``httpx`` and ``httpcore`` at DEBUG (on the root
    logger, so anything else that logs is seen too)."""
    handler = _LogCapture()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in CAPTURED_LOGGERS}
    for name in CAPTURED_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _texts(exc: BaseException) -> list[str]:
    """What a caller could print of an exception: str, repr, and its chain's reprs."""
    out = [str(exc), repr(exc)]
    seen: BaseException | None = exc
    depth = 0
    while seen is not None and depth < 10:
        out += [repr(seen), str(seen), repr(getattr(seen, "__notes__", None))]
        seen = seen.__cause__ or seen.__context__
        depth += 1
    return out


class Soak:
    """One soak run against a sandbox it starts itself."""

    def __init__(self, config: SoakConfig, *, out: Callable[[str], None] = print) -> None:
        self.config = config
        self.out = out
        self.report = SoakReport(config)
        self.app_token = "soak-app-token-" + secrets.token_hex(16)
        self.error_texts: list[str] = []
        # outcome of every create without a source id, by its metadata tag
        self.nosid_confirmed: dict[str, str] = {}
        self.nosid_unknown: set[str] = set()
        self.nosid_processed_unreadable: set[str] = set()  # a 2xx whose body could not be read
        self.nosid_not_created: dict[str, str] = {}
        self.gave_up: Counter[str] = Counter()
        self.unknown_messages: dict[str, str] = {}

    # ------------------------------------------------------------------ bookkeeping

    def _failed(self, op: str, exc: BaseException) -> None:
        if isinstance(exc, VoucherifyError):
            self.report.failures[(op, type(exc).__name__)] += 1
        else:
            self.report.failures[(op, f"UNTYPED {type(exc).__module__}.{type(exc).__name__}")] += 1
            self.report.untyped.append(f"{op}: {type(exc).__name__}: {exc}")
        self.error_texts += _texts(exc)

    def _timed(self, phase: str, fn: Callable[[], T]) -> T:
        t0 = time.monotonic()
        try:
            return fn()
        finally:
            self.report.phases[phase] = time.monotonic() - t0

    def _repeat(self, op: str, fn: Callable[[], T]) -> T | None:
        """``fn()`` until it succeeds (it must be safe to repeat), counting each failure."""
        for _ in range(self.config.rounds):
            try:
                return fn()
            except PaginationLimitError:
                raise
            except Exception as exc:  # counted and typed-checked, then repeated
                self._failed(op, exc)
        self.gave_up[op] += 1
        return None

    # ------------------------------------------------------------------ the run

    def run(self) -> SoakReport:
        c = self.config
        t0 = time.monotonic()
        with (
            tempfile.TemporaryDirectory(prefix="voucherify-soak-") as tmp,
            capture_logs() as logs,
            serve(
                app_id="soak-app",
                app_token=self.app_token,
                fault_rate=c.fault_rate,
                faults=list(FAULT_KINDS),
                seed=c.seed,
                import_speed=c.import_speed,
            ) as sb,
            Voucherify(
                app_id=sb.app_id,
                app_token=self.app_token,
                base_url=sb.url,
                retry_policy=RetryPolicy(
                    max_retries=c.max_retries, initial_delay=c.initial_delay, max_delay=c.max_delay
                ),
            ) as vf,
        ):
            imported = self._timed("import", lambda: self._import(vf, sb, Path(tmp)))
            iterated, iterated_yields, expected_after_import = self._timed(
                "iterate", lambda: self._iterate(vf, sb)
            )
            created = self._timed("create with source_id", lambda: self._create_with_id(vf))
            self._timed("create without source_id", lambda: self._create_without_id(vf))
            updated = self._timed("update", lambda: self._update(vf, imported, created))
            exported, export_tokens = self._timed("export", lambda: self._export(vf, sb, Path(tmp)))
            sb.set_fault_rate(0.0)
            self._timed("slow responses", lambda: self._slow(vf, sb, created))
            self._check(
                sb,
                logs,
                imported=imported,
                iterated=iterated,
                iterated_yields=iterated_yields,
                expected_after_import=expected_after_import,
                created=created,
                updated=updated,
                exported=exported,
                export_tokens=export_tokens,
            )
            self.report.counts["log lines captured"] = len(logs.lines)
            self.report.counts["requests that reached the sandbox app"] = sb.request_count()
        self.report.elapsed = time.monotonic() - t0
        return self.report

    def _import(self, vf: Voucherify, sb: Sandbox, tmp: Path) -> set[str]:
        c = self.config

        def records() -> Iterator[dict[str, Any]]:
            for i in range(c.orders):
                yield {
                    "source_id": f"imp-{i}",
                    "status": "PAID",
                    "amount": 100 + i,
                    "metadata": {"soak": "import", "n": i},
                }

        checkpoint = tmp / "import.checkpoint"
        result = self._repeat(
            "import",
            lambda: vf.orders.import_orders(
                records(),
                chunk_size=c.chunk_size,
                checkpoint=checkpoint,
                timeout=600,
                commit_horizon=c.commit_horizon,
            ),
        )
        if result is None:
            return set()
        failed = {f.source_id for f in result.failures}
        self.report.counts["import chunks"] = len(result.chunks)
        self.report.counts["import chunks reconciled after a lost response"] = sum(
            1 for ch in result.chunks if ch.reconciled
        )
        self.report.counts["import chunks resumed from the checkpoint"] = sum(
            1 for ch in result.chunks if ch.resumed
        )
        self.report.counts["orders imported (confirmed by the async actions)"] = result.done_count
        self.report.counts["orders refused by the import"] = result.failed_count
        self._import_chunks = len(result.chunks)
        if result.done_count + result.failed_count != c.orders:
            self.report.checks.append(
                Check(
                    "import accounted for",
                    False,
                    f"{result.done_count} done + {result.failed_count} failed != {c.orders} submitted",
                )
            )
        return {f"imp-{i}" for i in range(c.orders)} - failed

    def _slow(self, vf: Voucherify, sb: Sandbox, created: dict[str, str]) -> None:
        """A body that trickles, a head that drips, a body that never ends: each call must end
        by its deadline with a typed timeout (the slow faults act on the socket, so they are
        scripted here rather than drawn at random)."""
        deadline, slack = 1.0, 1.0
        order_id = next(iter(created.values()), "ord_missing")
        worst = 0.0
        bad: list[str] = []
        quick = vf.with_options(deadline=deadline, max_retries=0)
        for kind, status in (("trickle", None), ("header_drip", None), ("endless_body", 500)):
            sb.inject(kind, method="GET", path="/v1/orders/*", status=status)
            t0 = time.monotonic()
            try:
                quick.orders.get(order_id)
                bad.append(f"{kind}: answered")
            except VoucherifyError as exc:
                self.report.failures[("slow " + kind, type(exc).__name__)] += 1
                if "time" not in type(exc).__name__.lower() and "timeout" not in str(exc).lower():
                    bad.append(f"{kind}: {type(exc).__name__}")
            except Exception as exc:
                self.report.untyped.append(f"slow {kind}: {type(exc).__name__}: {exc}")
                bad.append(f"{kind}: untyped {type(exc).__name__}")
            elapsed = time.monotonic() - t0
            worst = max(worst, elapsed)
            if elapsed > deadline + slack:
                bad.append(f"{kind}: {elapsed:.1f}s")
        sb.clear_faults()
        self.report.checks.append(
            Check(
                "slow responses end by the deadline, typed",
                not bad,
                f"trickle, header_drip, endless_body under deadline={deadline:g}s: slowest ended after "
                f"{worst:.2f}s" + (f"; {bad}" if bad else ""),
            )
        )

    def _iterate(self, vf: Voucherify, sb: Sandbox) -> tuple[set[str], int, set[str]]:
        expected = {o["id"] for o in sb.orders()}

        def once() -> tuple[set[str], int]:
            ids: set[str] = set()
            yields = 0
            try:
                with vf.orders.iter(page_size=100) as it:
                    for order in it:
                        ids.add(order.id)
                        yields += 1
            except PaginationLimitError as limit:
                # past the list's reach: the rest from the other end (complete up to 20,000)
                rest = min((limit.total or 0) - len(ids), LIST_CEILING)
                self.report.counts["iteration: list ceiling reached, read from the other end"] = 1
                with vf.orders.iter(order="-created_at", page_size=100, max_items=rest) as it:
                    for order in it:
                        ids.add(order.id)
                        yields += 1
            return ids, yields

        outcome = self._repeat("iterate", once)
        ids, yields = outcome if outcome is not None else (set(), 0)
        self.report.counts["orders iterated"] = len(ids)
        return ids, yields, expected

    def _create_with_id(self, vf: Voucherify) -> dict[str, str]:
        created: dict[str, str] = {}
        for i in range(self.config.creates):
            sid = f"cr-{i}"
            body = {"source_id": sid, "amount": 500 + i, "status": "CREATED", "metadata": {"soak": "create"}}
            order = self._repeat("create with source_id", lambda body=body: vf.orders.create(body))
            if order is not None:
                created[sid] = order.id
        self.report.counts["creates with source_id confirmed"] = len(created)
        return created

    def _create_without_id(self, vf: Voucherify) -> None:
        for i in range(self.config.creates_without_id):
            tag = f"nosid-{i}"
            try:
                order = vf.orders.create({"amount": 700 + i, "metadata": {"soak_tag": tag}})
            except Exception as exc:
                self._failed("create without source_id", exc)
                if getattr(exc, "outcome_unknown", False):
                    self.nosid_unknown.add(tag)
                    self.unknown_messages[tag] = str(exc)
                elif isinstance(exc, APIResponseError) and 200 <= (exc.status_code or 0) < 300:
                    self.nosid_processed_unreadable.add(tag)
                else:
                    self.nosid_not_created[tag] = f"{type(exc).__name__}: {exc}"
                continue
            self.nosid_confirmed[tag] = order.id
        counts = self.report.counts
        counts["creates without source_id confirmed"] = len(self.nosid_confirmed)
        counts["creates without source_id: outcome unknown (reported so)"] = len(self.nosid_unknown)
        counts["creates without source_id: 2xx with an unreadable body"] = len(
            self.nosid_processed_unreadable
        )
        counts["creates without source_id: failed, not processed"] = len(self.nosid_not_created)

    def _update(self, vf: Voucherify, imported: set[str], created: dict[str, str]) -> dict[str, int]:
        rng = random.Random(self.config.seed)
        pool = sorted(imported) + sorted(created)
        targets = rng.sample(pool, min(self.config.updates, len(pool)))
        updated: dict[str, int] = {}
        for k, sid in enumerate(targets):
            changes = {"status": "FULFILLED", "metadata": {"soak_update": k}}
            result = self._repeat("update", lambda sid=sid, changes=changes: vf.orders.update(sid, changes))
            if result is not None:
                updated[sid] = k
        self.report.counts["updates confirmed"] = len(updated)
        return updated

    def _export(self, vf: Voucherify, sb: Sandbox, tmp: Path) -> tuple[list[dict[str, str]], set[str]]:
        target = tmp / "orders.csv"
        tokens: set[str] = set()

        def once() -> Path:
            handle = vf.orders.export(fields=["id", "source_id", "status"], timeout=300)
            url = handle.url or ""
            tokens.update(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("token", []))
            return handle.download(target, timeout=300)

        path = self._repeat("export and download", once)
        rows: list[dict[str, str]] = []
        if path is not None:
            with open(path, newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        # every export the sandbox holds, including ones whose create response was lost
        tokens.update(sb.export_tokens())
        self.report.counts["exports created in the sandbox"] = len(sb.export_ids())
        self.report.counts["CSV rows downloaded"] = len(rows)
        return rows, tokens

    # ------------------------------------------------------------------ invariants

    def _check(
        self,
        sb: Sandbox,
        logs: _LogCapture,
        *,
        imported: set[str],
        iterated: set[str],
        iterated_yields: int,
        expected_after_import: set[str],
        created: dict[str, str],
        updated: dict[str, int],
        exported: list[dict[str, str]],
        export_tokens: set[str],
    ) -> None:
        checks = self.report.checks
        orders = sb.orders()
        by_id = {o["id"]: o for o in orders}
        by_source = Counter(o.get("source_id") for o in orders if o.get("source_id") is not None)
        tags = Counter(
            (o.get("metadata") or {}).get("soak_tag") for o in orders if o.get("source_id") is None
        )
        tags.pop(None, None)
        self.report.counts["orders in the sandbox"] = len(orders)

        # 1. no confirmed order lost
        missing = [s for s in imported if by_source[s] == 0]
        missing += [s for s, oid in created.items() if oid not in by_id]
        missing += [t for t, oid in self.nosid_confirmed.items() if oid not in by_id]
        confirmed = len(imported) + len(created) + len(self.nosid_confirmed)
        checks.append(
            Check(
                "no confirmed order lost",
                not missing and confirmed > 0,
                f"{confirmed} confirmed ({len(imported)} imported, {len(created)} created with source_id, "
                f"{len(self.nosid_confirmed)} without), {len(missing)} missing"
                + (f": {missing[:5]}" if missing else ""),
            )
        )

        # 2. none duplicated: per source id, per tag, per import chunk
        dup_sources = [s for s, n in by_source.items() if n > 1]
        sample = sorted(by_source)[:: max(1, len(by_source) // 50)]
        dup_sources += [s for s in sample if sb.count_orders(source_id=s) != 1]
        dup_tags = [t for t, n in tags.items() if n > 1]
        import_actions = sb.async_action_count()  # the sandbox queues imports only
        chunks = getattr(self, "_import_chunks", 0)
        checks.append(
            Check(
                "no order duplicated",
                not dup_sources and not dup_tags and import_actions == chunks,
                f"{len(by_source)} source ids each stored once (count_orders spot-checked on "
                f"{len(sample)}), {len(dup_tags)} duplicated untagged creates, {import_actions} "
                f"import actions for {chunks} chunks (no chunk submitted twice)",
            )
        )

        # 2b. every imported order carried by exactly one import action (the sandbox's record:
        # an upserting import leaves no duplicate to count, a blind resend shows here)
        carriers = sb.import_carriers()
        wanted = {f"imp-{i}" for i in range(self.config.orders)}
        carried_twice = sorted(s for s in wanted if len(carriers.get(s, [])) > 1)
        carried_never = sorted(s for s in imported if not carriers.get(s))
        checks.append(
            Check(
                "every imported order carried by exactly one import action",
                not carried_twice and not carried_never,
                f"{len(wanted)} source ids sent: {len(carried_twice)} carried by two or more actions, "
                f"{len(carried_never)} confirmed but carried by none"
                + (f": {(carried_twice + carried_never)[:5]}" if carried_twice or carried_never else ""),
            )
        )

        # 3. the sandbox holds no more than confirmed + outcome-unknown
        expected_sources = imported | set(created)
        unexpected_sources = sorted(set(by_source) - expected_sources)
        extra_tags = set(tags) - set(self.nosid_confirmed)
        allowed = self.nosid_unknown | self.nosid_processed_unreadable
        unexplained = sorted(extra_tags - allowed)
        extra = len(orders) - confirmed
        self.report.counts["orders stored although their create failed"] = extra
        checks.append(
            Check(
                "sandbox count = confirmed + at most the outcome-unknown creates",
                0 <= extra <= len(allowed) and not unexplained and not unexpected_sources,
                f"{len(orders)} stored = {confirmed} confirmed + {extra} extra; "
                f"{len(self.nosid_unknown)} reported 'outcome unknown' + "
                f"{len(self.nosid_processed_unreadable)} answered 2xx with an unreadable body "
                f"({len(extra_tags & self.nosid_unknown)} of the unknown ones were in fact created)"
                + (f"; unexplained: {unexplained[:5]}" if unexplained else "")
                + (f"; unexpected source ids: {unexpected_sources[:5]}" if unexpected_sources else ""),
            )
        )

        # 4. a create without source_id that failed ambiguously said "outcome unknown"
        lied = sorted(set(self.nosid_not_created) & set(tags))
        wording = [t for t in self.nosid_unknown if "Outcome unknown" not in self.unknown_messages[t]]
        checks.append(
            Check(
                "ambiguous creates without source_id reported as 'outcome unknown'",
                not lied and not wording,
                f"{len(self.nosid_unknown)} reported outcome unknown (message says so: "
                f"{len(self.nosid_unknown) - len(wording)}); {len(self.nosid_not_created)} failures "
                f"said not processed, of which {len(lied)} left an order behind"
                + (f": {[self.nosid_not_created[t] for t in lied[:3]]}" if lied else ""),
            )
        )

        # 5. every failure surfaced as a typed error
        total_failures = sum(self.report.failures.values())
        checks.append(
            Check(
                "every failure a typed VoucherifyError, counted",
                not self.report.untyped,
                f"{total_failures} failures counted, {len(self.report.untyped)} untyped"
                + (f": {self.report.untyped[:3]}" if self.report.untyped else ""),
            )
        )

        # 6. nothing given up on
        checks.append(
            Check(
                "every repeatable operation completed",
                not self.gave_up,
                "none given up" if not self.gave_up else f"gave up: {dict(self.gave_up)}",
            )
        )

        # 7. iteration complete and without repeats
        checks.append(
            Check(
                "iteration saw every order once",
                iterated == expected_after_import and iterated_yields == len(iterated),
                f"{len(iterated)} iterated of {len(expected_after_import)} stored, "
                f"{iterated_yields - len(iterated)} yielded twice",
            )
        )

        # 8. updates applied
        by_sid = {o["source_id"]: o for o in orders if o.get("source_id")}
        stale = [
            sid
            for sid, k in updated.items()
            if sid not in by_sid
            or by_sid[sid].get("status") != "FULFILLED"
            or (by_sid[sid].get("metadata") or {}).get("soak_update") != k
        ]
        checks.append(
            Check(
                "every confirmed update applied",
                not stale and len(updated) == self.config.updates,
                f"{len(updated)} confirmed, {len(stale)} not visible in the sandbox",
            )
        )

        # 9. the export matches the sandbox
        exported_ids = [row.get("id") for row in exported]
        checks.append(
            Check(
                "exported CSV rows = sandbox orders",
                len(exported) == len(orders) and set(exported_ids) == set(by_id),
                f"{len(exported)} rows, {len(orders)} orders, {len(set(exported_ids) ^ set(by_id))} differ",
            )
        )

        # 10. no secret anywhere a caller or operator would see
        planted = {self.app_token, *export_tokens}
        leaking = [line for line in logs.lines if any(s in line for s in planted)]
        leaking_errors = [t for t in self.error_texts if any(s in t for s in planted)]
        checks.append(
            Check(
                "no secret in any log line or error text",
                not leaking and not leaking_errors and len(logs.lines) > 0 and bool(export_tokens),
                f"{len(logs.lines)} log lines (voucherify, httpx, httpcore at DEBUG) and "
                f"{len(self.error_texts)} error texts scanned for the app token and "
                f"{len(export_tokens)} export download token(s): {len(leaking) + len(leaking_errors)} hits",
            )
        )


def run_soak(config: SoakConfig, *, out: Callable[[str], None] = print) -> SoakReport:
    """Run one soak and print its report; the report says whether every invariant held."""
    report = Soak(config, out=out).run()
    out(report.render())
    return report
