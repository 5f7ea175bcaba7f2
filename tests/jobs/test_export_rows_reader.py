"""Issue 12, finding 5: the export row reader on bytes the sandbox does not write (a BOM,
latin-1, ragged rows, offsets, dates), and that how the bytes are cut never changes the rows."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from voucherify_ext import ExportRowError
from voucherify_ext.exports.rows import RowReader, decode_metadata, parse_row


def _read(data: bytes, size: int | None = None, **options: Any) -> list[dict[str, Any]]:
    reader = RowReader("exp_1", **options)
    size = size or len(data) or 1
    rows: list[dict[str, Any]] = []
    for start in range(0, len(data), size):
        rows += reader.feed(data[start : start + size])
    return rows + reader.end()


def test_a_bom_is_not_part_of_the_first_column() -> None:
    for size in (1, 2, 3, None):
        assert _read("\ufeffid,status\n1,PAID\n".encode(), size) == [{"id": "1", "status": "PAID"}]
        assert _read("\ufeffid\n1\n".encode(), size, parse=False) == [{"id": "1"}]


@pytest.mark.parametrize("size", [1, 4, None])
def test_a_row_with_more_cells_than_the_header_is_a_typed_error_naming_its_line(size: int | None) -> None:
    with pytest.raises(ExportRowError, match=r"line 4: 3 cells, but the header has 2") as caught:
        _read(b'id,a\n1,"x\ny"\n2,b,EXTRA\n', size)
    assert caught.value.line == 4 and caught.value.job_id == "exp_1"
    with pytest.raises(ExportRowError, match=r"line 2: 1 cells"):
        _read(b"id,a\n1\n", size)


@pytest.mark.parametrize("size", [1, 5, None])
def test_latin1_bytes_are_a_typed_error_naming_the_line(size: int | None) -> None:
    with pytest.raises(ExportRowError, match=r"line 4 is not utf-8 text \(byte 0xe9\)") as caught:
        _read(b'id,a\r\n1,"two\r\nlines"\r\n2,caf\xe9\r\n', size)
    assert caught.value.line == 4


def test_a_declared_charset_is_honoured() -> None:
    assert _read("id,a\n1,café\n".encode("latin-1"), encoding="iso-8859-1") == [{"id": "1", "a": "café"}]


def test_a_quoted_cell_open_at_the_end_is_a_typed_error() -> None:
    with pytest.raises(ExportRowError, match=r"line 2: a quoted cell is not closed"):
        _read(b'id,a\n1,"cut short\n', 3)


def test_a_stray_quote_in_an_unquoted_cell_does_not_lose_or_merge_rows() -> None:
    data = b'id,a\n1,a"b\n2,"c\nd"\n3,x\n'
    for size in (1, 2, 7, None):
        assert _read(data, size) == [{"id": "1", "a": 'a"b'}, {"id": "2", "a": "c\nd"}, {"id": "3", "a": "x"}]


def test_times_keep_their_offsets_and_are_utc_without_one() -> None:
    row = parse_row(
        {
            "created_at": "2026-01-02T03:04:05.678+02:00",
            "updated_at": "2026-01-02T03:04:05",
        }
    )
    assert row["created_at"].utcoffset() == datetime.timedelta(hours=2)
    assert row["updated_at"] == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    day = parse_row({"created_at": "2026-01-02"})["created_at"]
    assert day == datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC) and day.tzinfo is not None
    assert parse_row({"created_at": "not a date"})["created_at"] == "not a date"


def test_amounts_are_plain_integers_only() -> None:
    row = parse_row({"amount": "1200", "total_amount": "+5", "discount_amount": "1_000"})
    assert row == {"amount": 1200, "total_amount": "+5", "discount_amount": "1_000"}


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("7", 7),
        ("-2", -2),
        ("1.5", 1.5),
        ("1e+16", 1e16),
        ("true", True),
        ('{"a": [1, "02134"]}', {"a": [1, "02134"]}),
        ("[]", []),
        ("02134", "02134"),
        ("1_000", "1_000"),
        ("+5", "+5"),
        ("inf", "inf"),
        ("NaN", "NaN"),
        ("1e400", "1e400"),
        ("-0", "-0"),
        ("1.50", "1.50"),
        (" 7", " 7"),
        ("\u0661\u0662", "\u0661\u0662"),
        ("[NaN]", "[NaN]"),
        ("{not json", "{not json"),
        ('"q"', '"q"'),
        ("null", "null"),
    ],
)
def test_the_metadata_rule(cell: str, value: Any) -> None:
    got = decode_metadata(cell)
    assert got == value and type(got) is type(value)


def test_a_cell_nested_too_deeply_is_a_typed_error() -> None:
    with pytest.raises(ExportRowError, match="line 2: column 'metadata': nested too deeply"):
        _read(b"id,metadata\n1," + b"[" * 30_000 + b"]" * 30_000 + b"\n")


cells = st.text(st.sampled_from(list('ab,"\r\n\u2028\x85\x0b\ufeffé€😀')), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    table=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=5),
    crlf=st.booleans(),
    cuts=st.lists(st.integers(min_value=1, max_value=9), max_size=40),
)
def test_however_the_bytes_are_cut_the_rows_are_what_csv_wrote(
    table: list[list[str]], crlf: bool, cuts: list[int]
) -> None:
    # csv.writer leaves a lone "\r" unquoted unless "\r" is in its line terminator
    assume(crlf or not any("\r" in cell for row in table for cell in row))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if crlf else "\n").writerows([["x", "y", "z"], *table])
    data = buffer.getvalue().encode()
    reader, rows, start = RowReader("exp_1", parse=False), [], 0
    for cut in cuts:
        rows += reader.feed(data[start : start + cut])
        start += cut
    rows += reader.feed(data[start:])
    rows += reader.end()
    assert rows == list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
