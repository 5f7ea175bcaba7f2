"""docs/cli.md against the command tree: every command and option is documented, and the exit
code table matches ``EXIT_CODES`` (which ``--help`` and cli/exits.py also state)."""

from __future__ import annotations

import re

import typer.main

from voucherify_ext.cli import EXIT_CODES, build_app, exits
from voucherify_ext.cli.app import HELP

from .conftest import ROOT

PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_in_docs_cli_md() -> None:
    missing: list[str] = []

    def walk(command: object, path: list[str]) -> None:
        if path and f"`{' '.join(path)}" not in PAGE:
            missing.append(" ".join(path))
        for param in getattr(command, "params", []):
            if param.param_type_name == "option":
                names = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
                if names and not any(re.search(rf"{re.escape(n)}\b", PAGE) for n in names):
                    missing.append(f"{' '.join(path)} {names[0]}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    assert not missing, f"docs/cli.md does not mention: {missing}"


def test_exit_codes_agree_everywhere() -> None:
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", PAGE, re.MULTILINE)}
    assert documented == set(EXIT_CODES.values())
    docstring = {int(code) for code in re.findall(r"^(\d+)\s{2,}", exits.__doc__ or "", re.MULTILINE)}
    assert docstring == set(EXIT_CODES.values())
    for code in EXIT_CODES.values():
        assert f"{code} " in HELP.replace(",", " ")
