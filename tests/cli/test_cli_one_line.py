"""Every failure a user can cause ends in one error line (and at most one hint line), the
documented exit code, and no traceback (issue 17, point 3): corrupt sandbox state files (drawn
bytes, not picked ones), a missing ``sandbox`` extra, output files that cannot be written,
progress bars erased before the error, validation messages that list the valid values and point
at one place, CLI hints instead of Python ones, and ``--debug`` without the libraries' chatter."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox.spec_model import load_model

from .conftest import CLI, Cli, write_jsonl

pytestmark = pytest.mark.skipif(CLI is None, reason="console script not installed in this venv")


def one_error(stderr: str, *, hint: bool = True) -> str:
    """The error line of ``stderr``, after checking it is all there is (a hint may follow)."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    assert lines[0].startswith("error: "), stderr
    assert len(lines) == (2 if hint else 1) and (not hint or lines[1].startswith("hint: ")), stderr
    return lines[0]


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert CLI is not None
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHERIFY_")}
    return subprocess.run(
        [CLI, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
        timeout=60,
    )


# -- a corrupt --sandbox-state file ------------------------------------------------------------


# a process per example: a few here for the one line and exit 4; the loader's refusal of any
# content is searched in process (tests/sandbox/test_state_file_errors.py, 300 files)
@settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    content=st.one_of(
        st.binary(max_size=40),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
            ),
            max_leaves=6,
        ).map(lambda value: json.dumps(value).encode()),
        # a state file of the right version whose parts have the wrong shapes
        st.dictionaries(
            st.sampled_from(["orders", "imports", "exports", "ids", "resources"]),
            st.one_of(st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2)),
            min_size=1,
        ).map(lambda parts: json.dumps({"version": 1, **parts}).encode()),
    )
)
def test_a_corrupt_sandbox_state_file_is_one_line_and_exit_4(tmp_path: Path, content: bytes) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content)
    result = run_cli("--sandbox", "--sandbox-state", str(state), "orders", "list", cwd=tmp_path)
    if result.returncode == 0:  # drawn bytes that happen to be a loadable state: nothing to report
        return
    line = one_error(result.stderr)
    assert result.returncode == 4, result.stderr
    assert line.startswith("error: ValidationError: --sandbox-state ") and str(state) in line
    assert state.read_bytes() == content  # the file is left as it was, for the user to look at


def test_the_sandbox_command_says_the_same_about_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{cut off", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "voucherify_ext.sandbox", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"sandbox: {state}: not a sandbox state file (invalid JSON at line 1 column 2")


# -- without the sandbox extra ---------------------------------------------------------------------

HIDE = """
import os, sys
HIDDEN = set(filter(None, os.environ.get("HIDE_MODULES", "").split(",")))
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
"""


@pytest.fixture
def without(tmp_path: Path) -> dict[str, str]:
    """An environment whose interpreter cannot import starlette, as without the extra."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(HIDE, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "PYTHONPATH": path, "HIDE_MODULES": "starlette"}


def test_the_sandbox_without_its_extra_names_the_extra(without: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "voucherify_ext.sandbox", "--port", "0"],
        capture_output=True,
        text=True,
        env=without,
        timeout=60,
    )
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        "the sandbox needs the sandbox extra: pip install 'voucherify-orders[sandbox]' (missing: starlette)"
    ]


def test_the_pytest_fixtures_without_the_extra_name_it_in_one_line(
    without: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "test_team.py").write_text(
        "def test_uses_the_client(voucherify_client):\n    assert voucherify_client\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_team.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=without,
        timeout=120,
    )
    assert done.returncode == 1
    # one line: no frames of the import that failed (pytest prints its frames with file names)
    assert "Traceback" not in done.stdout and "voucherify_ext/" not in done.stdout, done.stdout
    assert "the sandbox needs the sandbox extra: pip install 'voucherify-orders[sandbox]'" in done.stdout
    assert "During handling of the above exception" not in done.stdout


def test_the_sandbox_command_shows_its_own_name_in_usage(tmp_path: Path) -> None:
    result = run_cli("sandbox", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: voucherify-orders sandbox ")
    bad = run_cli("sandbox", "--no-such-option", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith("voucherify-orders sandbox: error: ")


# -- files that cannot be written or vanish --------------------------------------------------------


def test_an_output_file_that_cannot_be_created_is_one_line_and_exit_4(cli: Cli) -> None:
    cli.seed(3)
    result = cli("orders", "export", "-o", "/proc/voucherify-export.csv")
    assert result.returncode == 4, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert lines[-1] == "error: No such file or directory: /proc/voucherify-export.csv"
    assert not any("━" in line for line in lines)  # no progress bar left above it


def _unwritable_folder(tmp: Path) -> Path:
    folder = tmp / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


# Real places a user cannot write to. chmod does not stop root, so a read-only folder is tested
# as any other user; sysfs refuses to create a file even for root (EACCES), so that case always runs.
UNWRITABLE = {
    "a read-only folder": (_unwritable_folder, os.geteuid() == 0, "root writes through chmod"),
    "sysfs": (lambda tmp: Path("/sys/kernel"), not Path("/sys/kernel").is_dir(), "no /sys/kernel here"),
}


@pytest.mark.parametrize("place", sorted(UNWRITABLE))
def test_an_output_file_without_permission_is_one_line_and_exit_4(cli: Cli, place: str) -> None:
    make, skip, reason = UNWRITABLE[place]
    if skip:
        pytest.skip(reason)
    target = make(cli.cwd) / "orders.csv"
    cli.seed(3)
    result = cli("orders", "export", "-o", str(target))
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    # EACCES; a container may mount sysfs read-only, which says so instead (EROFS)
    refusals = [f"error: {why}: {target}" for why in ("Permission denied", "Read-only file system")]
    assert len(errors) == 1 and errors[0] in refusals and lines[-1] == errors[0], result.stderr
    # before it, only the notice that the export was scheduled (it is, on the server)
    assert all(re.fullmatch(r"export exp_\S+ scheduled", line) for line in lines[:-1]), result.stderr
    assert not target.exists()
    assert [p.name for p in target.parent.glob(".orders.csv.*")] == []  # no temporary file left


def test_an_import_file_gone_before_it_is_read_is_one_line(cli: Cli) -> None:
    result = cli("orders", "import", "gone.jsonl")
    assert result.returncode == 4
    assert one_error(result.stderr) == "error: ValidationError: gone.jsonl: no such file"


PAD = "x" * 9000  # a line longer than the reader's 8 KiB buffer: what is read after chunk k is on disk then


def test_an_import_file_changed_while_it_is_sent_is_one_line_and_exit_4(cli: Cli) -> None:
    """The file is validated whole, then a line of chunk 10 is cut off while chunk 1 is in flight
    (the sandbox holds that request 2 s): the run stops before chunk 10, lists what was sent,
    and ends in one error line and its hint."""
    records = [{"source_id": f"c{i}", "amount": 100 + i, "metadata": {"pad": PAD}} for i in range(24)]
    path = write_jsonl(cli.cwd / "orders.jsonl", records)
    cli.inject("latency", method="POST", path="/v1/orders/import", delay_ms=2000)
    assert CLI is not None
    running = subprocess.Popen(
        [CLI, "orders", "import", str(path), "--chunk-size", "2", "--no-wait"],
        cwd=cli.cwd,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while cli.requests("POST", "/v1/orders/import") < 1:  # counted when it arrives
            assert running.poll() is None and time.monotonic() < deadline, "chunk 1 was never sent"
            time.sleep(0.02)
        lines = path.read_bytes().splitlines(keepends=True)
        lines[19] = b'{"source_id": "c19", "amount": \n'  # line 20: chunk 10 (lines 19-20)
        path.write_bytes(b"".join(lines))  # in place: the open handle reads it
        _, stderr = running.communicate(timeout=60)
    finally:
        running.kill()
        running.wait()
    assert running.returncode == 4, stderr
    assert "Traceback" not in stderr
    shown = [line for line in stderr.splitlines() if line.strip()]
    assert len(shown) == 3, stderr  # what was sent (docs/cli.md), the error, its hint
    report, error, hint = shown
    assert report.startswith("sent before it stopped: 9 chunk(s), 18 order(s) submitted; async actions: ")
    assert error.startswith(
        f"error: ImportFileChangedError: {path}:20: the file changed after it was validated"
    )
    assert "stopped before sending chunk 10; already sent: 9 chunk(s), 18 order(s)" in error
    assert hint.startswith("hint: keep the file unchanged while it is imported")
    assert cli.requests("POST", "/v1/orders/import") == 9
    assert {o["source_id"] for o in cli.orders()} == {f"c{i}" for i in range(18)}


# -- what an import refused by validation shows ------------------------------------------------


def test_a_refused_import_erases_its_progress_bars_before_the_error(cli: Cli) -> None:
    path = write_jsonl(
        cli.cwd / "bad.jsonl", [{"source_id": "a", "amount": 1}], ('{"source_id": "b", "amount"',)
    )
    result = cli("orders", "import", str(path))
    assert result.returncode == 4
    line = one_error(result.stderr)  # nothing else: no frozen "orders submitted 0/?" bars
    assert line.startswith(f"error: ImportValidationError: {path}:2: invalid order: not valid JSON")


@given(
    head=st.fixed_dictionaries(
        {"source_id": st.text("abc", min_size=1, max_size=4), "amount": st.integers(0, 99)}
    ),
    cut=st.integers(min_value=1),
)
@settings(max_examples=40)
def test_a_cut_off_jsonl_line_is_placed_by_its_own_column(head: dict[str, object], cut: int) -> None:
    """The reader's message names one place: the column on the record's line (the caller adds
    file:line), never the decoder's "line 2 column 1" that counts the line break."""
    from voucherify_ext.imports.readers import ParseError, read_jsonl_orders

    text = json.dumps(head)
    line = text[: 1 + cut % (len(text) - 1)]  # cut anywhere inside the record
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cut.jsonl"
        path.write_text(f"{text}\n{line}\n", encoding="utf-8")
        records = list(read_jsonl_orders(path))
    assert records[0] == (1, head)
    ((number, problem),) = records[1:]
    assert number == 2 and isinstance(problem, ParseError)
    message = str(problem)
    assert "line 2" not in message and "char " not in message
    assert "column " in message


def test_a_value_outside_an_enum_lists_every_valid_value(cli: Cli) -> None:
    statuses = load_model().order_statuses
    path = write_jsonl(cli.cwd / "weird.jsonl", [{"source_id": "w", "amount": 1, "status": "WEIRD"}])
    result = cli("orders", "import", str(path))
    assert result.returncode == 4
    line = one_error(result.stderr)
    assert "other candidates" not in line
    expected = ", ".join(json.dumps(s) for s in statuses)
    assert f'status: "WEIRD" is not one of {expected}' in line


# -- CLI hints, and --debug ----------------------------------------------------------------------


def test_the_page_100_error_gives_a_shell_command_not_python(cli: Cli) -> None:
    cli.seed(1005)
    result = cli("orders", "list", "--all", "--page-size", "10")
    assert result.returncode == 1
    line = one_error(result.stderr)
    assert line.startswith("error: PaginationLimitError:") and "page 100" in line
    assert "vf." not in result.stderr and "max_items" not in result.stderr
    assert (
        result.stderr.splitlines()[-1]
        == "hint: use `voucherify-orders orders export -o FILE` to read every order"
    )


def test_debug_shows_the_clients_lines_and_the_libraries_only_when_asked(cli: Cli) -> None:
    order = cli("orders", "create", "-", input='{"source_id": "dbg", "amount": 1}')
    assert order.returncode == 0, order.stderr
    plain = cli("--debug", "orders", "get", "dbg")
    assert plain.returncode == 0
    ours = [line for line in plain.stderr.splitlines() if " voucherify " in line]
    assert any("GET /v1/orders/dbg -> 200" in line for line in ours), plain.stderr
    assert not [line for line in plain.stderr.splitlines() if " httpcore" in line or " httpx " in line]
    chatty = cli("--debug-http", "orders", "get", "dbg")
    assert chatty.returncode == 0
    assert any(" httpcore" in line for line in chatty.stderr.splitlines()), chatty.stderr
    assert any(" voucherify " in line for line in chatty.stderr.splitlines())
