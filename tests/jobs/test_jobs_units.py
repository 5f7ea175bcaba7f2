"""Pure logic of the jobs modules: validation messages, CSV mapping, checkpoint file, export
rows, download hosts, poll schedule. No server."""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path

import pytest
from voucherify_client.models import AsyncActionGetResponseBody, OrdersImportResult

from voucherify_ext.errors import CheckpointMismatchError, ValidationError, VoucherifyError
from voucherify_ext.exports import download_url, parse_row
from voucherify_ext.exports.rows import RowReader
from voucherify_ext.imports.action_result import import_result
from voucherify_ext.imports.checkpoint import Checkpoint
from voucherify_ext.imports.checkpoint_records import Send, chunk_hash
from voucherify_ext.imports.drivers import read_csv_orders, read_jsonl_orders
from voucherify_ext.instants import format_instant
from voucherify_ext.polling import PollSchedule
from voucherify_ext.validation import OrderValidator


@pytest.fixture(scope="module")
def validator() -> OrderValidator:
    return OrderValidator()


def test_poll_schedule_grows_by_half_to_a_ten_second_cap() -> None:
    it = PollSchedule().intervals()
    got = [next(it) for _ in range(9)]
    assert got[:4] == [1.0, 1.5, 2.25, 3.375]
    assert got[-1] == 10.0 and max(got) == 10.0


def test_format_instant_is_voucherify_style() -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
    assert format_instant(when) == "2026-01-02T03:04:05.678Z"


@pytest.mark.parametrize("backend", ["rust", "python"])
def test_validation_names_the_field_path(backend: str) -> None:
    check = OrderValidator(backend=backend).check
    assert check({"source_id": "a", "status": "PAID", "items": [{"quantity": 1, "price": 100}]}) is None
    message = check({"source_id": "a", "items": [{}, {}, {}, {"quantity": "x"}]})
    assert message is not None and message.startswith("items[3].quantity: ")
    assert "integer" in message
    assert check({"source_id": "a", "status": "SHIPPED"}).startswith("status: ")  # type: ignore[union-attr]


def test_validation_limits_items_to_500_with_a_short_message(validator: OrderValidator) -> None:
    message = validator.check({"source_id": "a", "items": [{"amount": 1}] * 501})
    assert message is not None and message.startswith("items: ")
    assert "500" in message and len(message) < 300


def test_validation_requires_source_id_unless_opted_out(validator: OrderValidator) -> None:
    assert "source_id: required" in (validator.check({"amount": 1}) or "")
    assert "source_id: required" in (validator.check({"source_id": ""}) or "")
    assert OrderValidator(require_source_id=False).check({"amount": 1}) is None
    assert "must be a JSON object" in (validator.check([1, 2]) or "")


def test_jsonl_reader_numbers_lines_and_flags_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text('{"source_id": "a"}\n\n{"source_id": \n{"source_id": "c"}\n')
    got = list(read_jsonl_orders(path))
    assert [line for line, _ in got] == [1, 3, 4]
    assert got[0][1] == {"source_id": "a"}
    assert "not valid JSON" in str(got[1][1])


def test_csv_mapping(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "source_id,status,amount,customer_source_id,customer_id,referrer_source_id,metadata.n,"
        "metadata.tags,metadata.note,items\n"
        'A1,PAID,1200,cust-1,,ref-1,7,"[""x"",""y""]",hello,"[{""amount"": 1200}]"\n'
        "A2,,abc,,cust_9,,,,,\n"
    )
    rows = list(read_csv_orders(path))
    assert rows[0] == (
        2,
        {
            "source_id": "A1",
            "status": "PAID",
            "amount": 1200,
            "customer": {"source_id": "cust-1"},
            "referrer": {"source_id": "ref-1"},
            "metadata": {"n": 7, "tags": ["x", "y"], "note": "hello"},
            "items": [{"amount": 1200}],
        },
    )
    assert rows[1] == (3, {"source_id": "A2", "amount": "abc", "customer": {"id": "cust_9"}})
    assert OrderValidator().check(rows[1][1]) == 'amount: "abc" is not of type "integer"'


def test_csv_refuses_unknown_and_missing_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("source_id,amout\nA,1\n")
    with pytest.raises(ValidationError, match=r"bad\.csv: unknown CSV column 'amout'"):
        list(read_csv_orders(bad))
    missing = tmp_path / "missing.csv"
    missing.write_text("status,amount\nPAID,1\n")
    with pytest.raises(ValidationError, match=r"missing\.csv: the CSV file has no 'source_id' column"):
        list(read_csv_orders(missing))
    assert list(read_csv_orders(missing, require_source_id=False)) == [(2, {"status": "PAID", "amount": 1})]


def test_checkpoint_round_trip_and_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    digest = chunk_hash([{"source_id": "a"}])
    with Checkpoint.open(path, input_hash="sha256:x", chunk_size=10) as cp:
        cp.record_intent(1, Send(1.5, "aa_0", True), count=1, digest=digest)
        cp.record_done(1, "aa_1")
        cp.record_intent(2, Send(2.5, "aa_1", True), count=1, digest=digest)
    with open(path, "a") as handle:
        handle.write('{"type":"done","chu')  # a crash mid-write
    with Checkpoint.open(path, input_hash="sha256:x", chunk_size=10) as cp:
        assert cp.chunks[1].async_action_id == "aa_1"
        assert cp.chunks[2].done is False and cp.chunks[2].sent_at == 2.5
        assert cp.chunks[2].interrupted == Send(2.5, "aa_1", True)
        assert cp.claimed_ids() == {"aa_1"}
        cp.check_chunk(1, digest)
        with pytest.raises(CheckpointMismatchError, match="chunk 1 differs"):
            cp.check_chunk(1, chunk_hash([{"source_id": "b"}]))
    with pytest.raises(CheckpointMismatchError, match="other input"):
        Checkpoint.open(path, input_hash="sha256:y", chunk_size=10)
    with pytest.raises(CheckpointMismatchError, match="chunk_size=10"):
        Checkpoint.open(path, input_hash="sha256:x", chunk_size=20)
    assert issubclass(CheckpointMismatchError, VoucherifyError)


def test_chunk_hash_ignores_key_order() -> None:
    assert chunk_hash([{"a": 1, "b": 2}]) == chunk_hash([{"b": 2, "a": 1}])


@pytest.mark.parametrize(
    ("api", "download"),
    [
        ("https://api.voucherify.io", "https://download.voucherify.io"),
        ("https://us1.api.voucherify.io", "https://us1.download.voucherify.io"),
        ("https://as1.api.voucherify.io", "https://as1.download.voucherify.io"),
    ],
)
def test_download_host_per_region(api: str, download: str) -> None:
    # a result URL on an API host is moved to that region's download host
    assert download_url(f"{api}/v1/exports/exp_1?token=t", api) == f"{download}/v1/exports/exp_1?token=t"
    # one already on the download host stays; a relative one is resolved against the API
    assert download_url(f"{download}/v1/exports/exp_1?token=t", api) == f"{download}/v1/exports/exp_1?token=t"
    assert download_url("/v1/exports/exp_1?token=t", api) == f"{download}/v1/exports/exp_1?token=t"


def test_download_url_keeps_a_loopback_host() -> None:
    url = download_url("http://127.0.0.1:9999/v1/exports/exp_1?token=t", "http://127.0.0.1:9999")
    assert url == "http://127.0.0.1:9999/v1/exports/exp_1?token=t"


def test_parse_row_types() -> None:
    row = parse_row(
        {
            "id": "ord_1",
            "created_at": "2026-01-02T03:04:05.678Z",
            "updated_at": "",
            "amount": "1200",
            "total_amount": "12.5",
            "metadata": '{"a": [1]}',
            "metadata.flag": "true",
            "metadata.n": "7",
            "metadata.code": "007x",
        }
    )
    assert row["created_at"] == datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
    assert row["updated_at"] is None
    assert row["amount"] == 1200 and row["total_amount"] == "12.5"
    assert row["metadata"] == {"a": [1]} and row["metadata.flag"] is True and row["metadata.n"] == 7
    assert row["metadata.code"] == "007x"


def test_push_csv_records_handle_quoted_newlines_split_anywhere() -> None:
    text = 'id,note\n1,"two\nlines, and ""quotes"""\n2,plain\n3,"x"\n'
    data = text.encode()
    for size in (1, 2, 3, 5, 7, len(data)):
        reader, got = RowReader("exp_1", parse=False), []
        for start in range(0, len(data), size):
            got.extend(reader.feed(data[start : start + size]))
        got.extend(reader.end())
        assert got == [
            {"id": "1", "note": 'two\nlines, and "quotes"'},
            {"id": "2", "note": "plain"},
            {"id": "3", "note": "x"},
        ], size


def test_push_csv_records_without_trailing_newline() -> None:
    reader = RowReader("exp_1", parse=False)
    got = reader.feed(b"a,b\n1,2")
    got += reader.end()
    assert got == [{"a": "1", "b": "2"}]


def test_json_dump_of_checkpoint_is_one_line_per_record(tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    with Checkpoint.open(path, input_hash=None, chunk_size=5) as cp:
        cp.record_intent(1, Send(1.0), count=5, digest="d")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["type"] for r in records] == ["header", "intent"]


def _action(**fields: object) -> AsyncActionGetResponseBody:
    return AsyncActionGetResponseBody.from_dict(
        {"id": "aa_1", "type": "ORDERS.IMPORT", "status": "DONE", "object": "async_action", **fields}
    )


def test_import_result_is_the_typed_orders_import_result() -> None:
    action = _action(
        result={
            "message": "1 failed",
            "done_count": 2,
            "failed_count": 1,
            "failed": [{"source_id": "x", "reason": "bad"}],
        }
    )
    result = import_result(action)
    assert isinstance(result, OrdersImportResult)
    assert (result.done_count, result.failed_count) == (2, 1)
    assert (
        isinstance(result.failed, list)
        and result.failed[0].source_id == "x"
        and result.failed[0].reason == "bad"
    )


def test_import_result_is_none_without_a_result_for_another_type_or_off_spec(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert import_result(_action()) is None
    assert import_result(_action(type="CAMPAIGN.VOUCHERS_IMPORT", result={"done_count": 1})) is None
    with caplog.at_level(logging.WARNING, logger="voucherify"):
        assert import_result(_action(result={"done_count": "two"})) is None
    assert "aa_1" in caplog.text and "done_count" in caplog.text
