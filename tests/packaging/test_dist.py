"""What ``make dist`` would publish, checked and used as a user would (issue 17, point 1).

- ``scripts/check_dist.py`` passes on the sdist and the wheel built as ``make dist`` builds them
  (the wheel from the sdist), and fails, naming it, when a required piece is missing or wrong.
- The wheel installs with each extra (none, ``cli``, ``sandbox``, ``otel``) into a clean virtual
  environment (uv, at the lock's versions), and what each extra promises runs from there, away
  from this checkout: the command against its sandbox, the sandbox server on loopback, the
  spans' API, and without an extra the one-line message that names it.
- The README's install step, word for word with the built wheel, then its Quick start against
  the sandbox, from that environment.

The artefacts and the environments are made once per run, shared by the xdist workers (a file
lock), the environments in parallel.
"""

from __future__ import annotations

import email.parser
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from filelock import FileLock

from voucherify_ext._version import __version__

pytestmark = pytest.mark.wheel  # make test-wheel

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "dev.txt"
UV = ROOT / ".venv" / "bin" / "uv"
CHECK = ROOT / "scripts" / "check_dist.py"
README = ROOT / "README.md"
APP = {"X-App-Id": "sandbox-app-id", "X-App-Token": "sandbox-app-token"}
ENVIRONMENTS = ("bare", "cli", "sandbox", "otel")


def _shared_dir(config: pytest.Config, factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the run's base temp), else this process's."""
    if hasattr(config, "workerinput"):
        return factory.getbasetemp().parent
    return factory.mktemp("shared")


def _uv_env() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from range_env import index_env  # the index pip uses here, as make test-latest does
    finally:
        sys.path.pop(0)
    return index_env()


def _run(argv: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(map(str, argv)), capture_output=True, text=True, check=False, **kwargs)
    assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
    return done


def _venv(where: Path) -> Path:
    _run([UV, "venv", "--quiet", "--python", sys.executable, where], env=_uv_env())
    return where / "bin" / "python"


def _install(python: Path, *requirements: str, cwd: Path | None = None) -> None:
    argv = [UV, "pip", "install", "--quiet", "--python", python, "-c", LOCK, *requirements]
    _run(argv, env=_uv_env(), cwd=cwd)


@pytest.fixture(scope="session")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel built from it, as ``make dist`` builds them (once per run)."""
    shared = _shared_dir(request.config, tmp_path_factory)
    out = shared / "dist"
    with FileLock(str(shared / "dist.lock")):
        if not (out / "done").exists():
            shutil.rmtree(out, ignore_errors=True)
            _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT])
            (out / "done").touch()
    (wheel,) = out.glob("voucherify_orders-*.whl")
    (sdist,) = out.glob("voucherify_orders-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "dir": out}


@pytest.fixture(scope="session")
def envs(
    built: dict[str, Path], request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """A clean virtual environment per extra (``bare``: none), each with the wheel, in parallel."""
    shared = _shared_dir(request.config, tmp_path_factory)
    root = shared / "envs"
    wheel = built["wheel"]

    def make(name: str) -> Path:
        python = _venv(root / name)
        _install(python, str(wheel) if name == "bare" else f"{wheel}[{name}]")
        return python

    with FileLock(str(shared / "envs.lock")):
        if not (root / "done").exists():
            shutil.rmtree(root, ignore_errors=True)
            with ThreadPoolExecutor(len(ENVIRONMENTS)) as pool:
                list(pool.map(make, ENVIRONMENTS))
            (root / "done").touch()
    return {name: root / name / "bin" / "python" for name in ENVIRONMENTS}


def _outside_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment minus what would leak the checkout or this venv into a child."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "VOUCHERIFY_"))}
    env.update({"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200", **(extra or {})})
    return env


def outside(
    python: Path, *args: str | Path, cwd: Path, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a program of the venv of ``python`` (``python`` itself, or a console script by name)
    from ``cwd``, away from the checkout."""
    program, rest = (
        (python, args)
        if not args or str(args[0]).startswith("-")
        else (python.parent / str(args[0]), args[1:])
    )
    return subprocess.run(
        [str(program), *map(str, rest)],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=input,
        env=_outside_env(env),
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(argv: list[str | Path], port: int, cwd: Path) -> Iterator[str]:
    """A sandbox started by ``argv`` (from a venv, in ``cwd``), until it answers on ``port``."""
    proc = subprocess.Popen(
        list(map(str, argv)), cwd=cwd, env=_outside_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "exited"
            try:
                httpx.get(f"{url}/v1/orders", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not listen within 30 s"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


# -- scripts/check_dist.py -----------------------------------------------------------------------


def check_dist(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), *map(str, paths)], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def check_dist_main() -> Callable[..., int]:
    """The script's ``main``, in this process: the broken artefacts below are checked without
    twine (its check runs, as a subprocess, on the real ones), a second each instead of two."""
    sys.path.insert(0, str(CHECK.parent))
    try:
        import check_dist as script
    finally:
        sys.path.pop(0)
    return lambda *paths: script.main([*map(str, paths), "--no-twine"])


def test_check_dist_passes_on_what_make_dist_builds(built: dict[str, Path]) -> None:
    done = check_dist(built["dir"])
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("check_dist: all ") and "FAIL" not in done.stdout
    for checked in ("twine check --strict", f"Version is {__version__}", "License-Expression is MIT",
                    "LICENSE is the MIT licence", "py.typed", "the spec", "the generator config",
                    "Requires-Python", "the extras are", "the long description is README.md"):  # fmt: skip
        assert any(checked in line and line.startswith("ok ") for line in lines), checked
    assert sum(line.startswith(("ok   wheel", "ok   sdist")) for line in lines) >= 30


def _rewrite_wheel(wheel: Path, out: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of ``wheel`` in which each member is ``change(name, data)`` (None: left out)."""
    target = out / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                copy.writestr(name, data)
    return target


def _without(suffix: str) -> Callable[[str, bytes], bytes | None]:
    return lambda name, data: None if name.endswith(suffix) else data


def _metadata(old: bytes, new: bytes) -> Callable[[str, bytes], bytes | None]:
    def change(name: str, data: bytes) -> bytes:
        if name.endswith(".dist-info/METADATA"):
            assert old in data, old
            return data.replace(old, new, 1)
        return data

    return change


def _license(text: bytes) -> Callable[[str, bytes], bytes | None]:
    return lambda name, data: text if name.endswith("/licenses/LICENSE") else data


BROKEN_WHEELS = {
    "py.typed removed": (_without("voucherify_ext/py.typed"), "py.typed"),
    "LICENSE removed": (_without("/licenses/LICENSE"), "has a LICENSE file"),
    "LICENSE not MIT": (
        _license(b"Apache License\nVersion 2.0, January 2004\n"),
        "LICENSE is ",  # not the MIT licence, nor this checkout's
    ),
    "a template removed": (_without("templates/model.py.jinja"), "the generator config and templates"),
    "the spec removed": (_without("voucherify_client/openapi.json"), "the spec"),
    "another version": (_metadata(f"Version: {__version__}".encode(), b"Version: 9.9.9"), "Version is"),
    "another licence": (
        _metadata(b"License-Expression: MIT", b"License-Expression: Apache-2.0"),
        "License-Expression",
    ),
    "an extra dropped": (_metadata(b"Provides-Extra: otel\n", b""), "the extras are"),
}


@pytest.mark.parametrize("broken", sorted(BROKEN_WHEELS))
def test_check_dist_fails_naming_what_is_missing_from_the_wheel(
    built: dict[str, Path],
    check_dist_main: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    broken: str,
) -> None:
    change, named = BROKEN_WHEELS[broken]
    wheel = _rewrite_wheel(built["wheel"], tmp_path, change)
    assert check_dist_main(wheel) == 1
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.startswith("FAIL ")]
    assert failed and all(named in line for line in failed), out
    last = out.splitlines()[-1]
    assert last.startswith(f"check_dist: {len(failed)} of ") and named in last, last


def test_check_dist_fails_on_an_sdist_without_the_generator_config(
    built: dict[str, Path], tmp_path: Path
) -> None:
    sdist = tmp_path / built["sdist"].name
    with tarfile.open(built["sdist"]) as source, tarfile.open(sdist, "w:gz") as copy:
        for member in source.getmembers():
            if not member.name.endswith("/openapi/config.yaml"):
                copy.addfile(member, source.extractfile(member) if member.isfile() else None)
    done = check_dist(sdist)
    assert done.returncode == 1, done.stdout
    (failed,) = [line for line in done.stdout.splitlines() if line.startswith("FAIL ")]
    assert "the generator config and templates" in failed and "openapi/config.yaml" in failed


def test_the_wheel_built_from_the_sdist_carries_its_license_and_metadata(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as archive:
        meta = email.parser.Parser().parsestr(
            archive.read(f"voucherify_orders-{__version__}.dist-info/METADATA").decode()
        )
        license_text = archive.read(f"voucherify_orders-{__version__}.dist-info/licenses/LICENSE")
    assert license_text == (ROOT / "LICENSE").read_bytes()
    assert meta["License-Expression"] == "MIT" and meta["Version"] == __version__


# -- the wheel with each extra, in clean environments ----------------------------------------------


def test_the_cli_extra_runs_the_command_and_a_real_command_against_its_sandbox(
    envs: dict[str, Path], tmp_path: Path
) -> None:
    python = envs["cli"]
    helped = outside(python, "voucherify-orders", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "Usage: voucherify-orders" in helped.stdout, helped.stderr
    state = ("--sandbox", "--sandbox-state", "state.json")
    created = outside(python, "voucherify-orders", *state, "orders", "create", "-", cwd=tmp_path,
                      input='{"source_id": "wheel-1", "amount": 1200, "status": "PAID"}')  # fmt: skip
    assert created.returncode == 0, created.stderr
    order = json.loads(created.stdout)
    assert order["source_id"] == "wheel-1" and order["id"].startswith("ord_")
    listed = outside(python, "voucherify-orders", *state, "orders", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [order["id"]]


def test_the_sandbox_extra_serves_on_loopback_and_the_bare_library_talks_to_it(
    envs: dict[str, Path], tmp_path: Path
) -> None:
    port = _free_port()
    with serving([envs["sandbox"], "-m", "voucherify_ext.sandbox", "--port", port], port, tmp_path) as url:
        assert httpx.get(f"{url}/v1/orders").status_code == 401  # it checks the app keys
        answer = httpx.post(f"{url}/v1/orders", headers=APP, json={"source_id": "s-1", "amount": 5})
        assert answer.status_code == 200 and answer.json()["source_id"] == "s-1", answer.text
        # the bare wheel (no extra) is the whole client: it reads the order back through it
        use = (
            "from voucherify_ext import Voucherify\n"
            "with Voucherify() as vf:\n"
            "    o = vf.orders.get('s-1')\n"
            "    print(o.source_id, o.amount)"
        )
        keys = {
            "VOUCHERIFY_API_URL": url,
            "VOUCHERIFY_APP_ID": APP["X-App-Id"],
            "VOUCHERIFY_APP_TOKEN": APP["X-App-Token"],
        }
        read = outside(envs["bare"], "-c", use, cwd=tmp_path, env=keys)
        assert read.returncode == 0 and read.stdout.split() == ["s-1", "5"], read.stderr
    # the sandbox extra has no command line: the console script says which extra it needs
    no_cli = outside(envs["sandbox"], "voucherify-orders", "--help", cwd=tmp_path)
    assert no_cli.returncode != 0 and "Traceback" not in no_cli.stderr
    assert len(no_cli.stderr.strip().splitlines()) == 1 and "voucherify-orders[cli]" in no_cli.stderr


def test_the_otel_extra_gives_the_spans_api(envs: dict[str, Path], tmp_path: Path) -> None:
    probe = ("import opentelemetry.instrumentation.httpx, voucherify_ext\n"
             "from voucherify_ext.tracing import tracing_available\nprint(tracing_available())")  # fmt: skip
    assert outside(envs["otel"], "-c", probe, cwd=tmp_path).stdout.strip() == "True"
    bare = outside(
        envs["bare"],
        "-c",
        probe.replace("import opentelemetry.instrumentation.httpx, ", "import "),
        cwd=tmp_path,
    )
    assert bare.stdout.strip() == "False", bare.stderr  # without the extra: no spans, and no error


def test_the_bare_wheel_imports_and_names_each_missing_extra_in_one_line(
    envs: dict[str, Path], tmp_path: Path
) -> None:
    python = envs["bare"]
    probe = outside(
        python,
        "-c",
        "import voucherify_ext, voucherify_client; print(voucherify_ext.__version__)",
        cwd=tmp_path,
    )
    assert probe.returncode == 0 and probe.stdout.strip() == __version__, probe.stderr
    sandbox = outside(python, "-m", "voucherify_ext.sandbox", "--port", "0", cwd=tmp_path)
    assert sandbox.returncode == 3 and "Traceback" not in sandbox.stderr
    assert sandbox.stderr.strip().splitlines() == [
        "the sandbox needs the sandbox extra: pip install 'voucherify-orders[sandbox]' (missing: starlette)"
    ]
    cli = outside(python, "voucherify-orders", "--help", cwd=tmp_path)
    assert cli.returncode != 0 and "Traceback" not in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1 and "pip install 'voucherify-orders[cli]'" in cli.stderr


# -- the README, word for word -------------------------------------------------------------------


def _section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def _install_lines() -> list[str]:
    (block, *_) = re.findall(r"```sh\n(.*?)```", _section("Install"), re.S)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_install_forms_are_one_requirement_from_a_path_git_and_a_wheel() -> None:
    path, git, wheel = _install_lines()
    assert path == 'pip install "./voucherify-orders[cli]"'
    assert re.fullmatch(
        r'pip install "voucherify-orders\[cli\] @ git\+https://github\.com/<owner>/voucherify-orders"', git
    )
    assert wheel == 'make dist && pip install "$(ls dist/voucherify_orders-*.whl)[cli]"'
    assert "not on the public index (PyPI) yet" in _section("Install")


def test_following_the_readme_installs_the_wheel_and_runs_the_quick_start(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """The README's install step, with the built wheel: the path form with the wheel for the
    clone's path, and the wheel form as written (its ``pip install`` in a folder whose dist/
    holds what ``make dist`` built), each in a clean venv; then, from the second, the Quick
    start against the sandbox that venv's command starts."""
    path, _, wheel_form = _install_lines()
    make, _, pip_line = wheel_form.partition(" && ")
    assert make == "make dist"
    (tmp_path / "dist").mkdir()
    shutil.copy(built["wheel"], tmp_path / "dist")
    pythons = []
    for name, line in (
        ("by-path", path.replace("./voucherify-orders", str(built["wheel"]))),
        ("by-wheel", pip_line),
    ):
        python = _venv(tmp_path / name)
        # `pip` as the README types it, into that venv, at the lock's versions (uv's pip, for speed)
        shell = f'pip() {{ "{UV}" pip "$@" --quiet --python "{python}" -c "{LOCK}"; }}\n{line}'
        _run(["bash", "-c", shell], cwd=tmp_path, env=_uv_env())
        frozen = _run([UV, "pip", "freeze", "--python", python], env=_uv_env()).stdout.splitlines()
        wheel_name = f"voucherify_orders-{__version__}-py3-none-any.whl"
        assert any(p.startswith("voucherify-orders @ file://") and p.endswith(wheel_name) for p in frozen)
        assert any(p.startswith("typer==") for p in frozen), frozen  # the cli extra
        assert "pip" not in {line.split("==")[0] for line in frozen}  # a clean venv: not even pip
        pythons.append(python)
    python = pythons[-1]
    quick = _section("Quick start")
    exports = re.search(r"`export (VOUCHERIFY_API_URL=http://127\.0\.0\.1:8080 [^`]*)`", quick)
    start = re.search(r"\(`(voucherify-orders sandbox --port 8080)`", quick)
    assert exports and start, "the Quick start's sandbox command and export line"
    code = "\n".join(re.findall(r"```python\n(.*?)```", quick, re.S))
    port = _free_port()  # 8080 may be taken on this machine
    env = dict(pair.split("=", 1) for pair in exports.group(1).replace(":8080", f":{port}").split())
    argv = start.group(1).replace("8080", str(port)).split()
    with serving([python.parent / argv[0], *argv[1:]], port, tmp_path):
        ran = outside(python, "-c", code, cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert re.fullmatch(r"ord_\S+ CANCELED 2700", lines[0]), ran.stdout
    assert any(line.startswith("web-1042 ") for line in lines[1:]), ran.stdout
