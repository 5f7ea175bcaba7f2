"""CLI edges of issue 12: an HTML 5xx exits 1 as docs/cli.md says, a closed stdin is a
one-line error, a broken pipe ends quietly (exit 141), and error lines carry no terminal escape
sequences from ids or server messages. Real subprocesses against a sandbox process."""

from __future__ import annotations

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from voucherify_ext.cli.exits import sanitize

from .conftest import CLI, Cli


def test_an_html_502_exits_1_like_any_5xx(cli: Cli) -> None:
    cli.inject("html", times=10)
    result = cli("--max-retries", "0", "orders", "get", "o1")
    assert result.returncode == 1, result.stderr
    assert "ServerError" in result.stderr and "Traceback" not in result.stderr


def test_create_from_a_closed_stdin_is_one_line(cli: Cli) -> None:
    assert CLI is not None
    result = subprocess.run(
        [CLI, "orders", "create", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=cli.cwd,
        timeout=60,
        close_fds=True,
    )
    closed = subprocess.run(  # fd 0 closed: the process has no sys.stdin at all
        ["sh", "-c", f'exec "{CLI}" orders create - <&-'],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=cli.cwd,
        timeout=60,
    )
    assert result.returncode == 4 and "invalid JSON" in result.stderr  # empty stdin: nothing to read
    assert closed.returncode == 4, closed.stderr
    assert "Traceback" not in closed.stderr and len(closed.stderr.strip().splitlines()) <= 2
    assert "standard input is closed" in closed.stderr


def test_a_broken_pipe_ends_quietly(cli: Cli) -> None:
    cli.seed(300)
    result = subprocess.run(
        ["sh", "-c", f'"{CLI}" orders list --all --page-size 10 | head -1; echo "rc=${{PIPESTATUS:-?}}"'],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=cli.cwd,
        timeout=60,
    )
    assert result.stdout.count("\n") == 2, result.stdout  # the one line, and our echo
    assert result.stderr == "", result.stderr
    status = subprocess.run(
        [
            "bash",
            "-c",
            f'"{CLI}" orders list --all --page-size 10 | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}',
        ],
        capture_output=True,
        text=True,
        env=cli.env,
        cwd=cli.cwd,
        timeout=60,
    )
    assert status.stdout.strip() == "141", status
    assert "Broken pipe" not in status.stderr and "Traceback" not in status.stderr


def test_escape_sequences_in_an_id_do_not_reach_the_terminal(cli: Cli) -> None:
    evil = "x\x1b]0;owned\x07\x1b[31mred\x9b2J"
    result = cli("orders", "get", evil)
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\x9b" not in result.stderr
    assert "\\x1b]0;owned\\x07" in result.stderr  # shown, harmlessly


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sanitize_leaves_no_control_character(text: str) -> None:
    shown = sanitize(text)
    assert not any((ord(c) < 32 and c != "\t") or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert all(c in shown for c in text if c.isprintable())
