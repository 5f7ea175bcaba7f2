"""A state file of any content either loads or is refused with StateFileError naming the file,
and is left as it was. In process, over many drawn files; tests/cli/test_cli_one_line.py runs a
few through the command line for the one-line message and exit 4 built on this."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voucherify_ext.sandbox.snapshot import StateFileError
from voucherify_ext.sandbox.state import SandboxState

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_PARTS = ["orders", "imports", "exports", "ids", "resources", "version"]

CONTENTS = st.one_of(
    st.binary(max_size=60),
    _JSON.map(lambda value: json.dumps(value).encode()),
    # a state file of the right version whose parts have the wrong shapes
    st.dictionaries(st.sampled_from(_PARTS), _JSON, min_size=1).map(
        lambda parts: json.dumps({"version": 1, **parts}).encode()
    ),
    # a real state file with one part replaced by a drawn value
    st.tuples(st.sampled_from(_PARTS), _JSON),
)


def _saved_state(tmp_path: Path) -> bytes:
    path = tmp_path / "good.json"
    state = SandboxState()
    state.create_order({"source_id": "s1", "amount": 100, "status": "PAID"})
    state.enqueue_import([{"source_id": "s2", "status": "PAID", "amount": 1}])
    state.save(path)
    return path.read_bytes()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=CONTENTS)
def test_any_state_file_loads_or_is_refused_naming_it(
    tmp_path: Path, content: bytes | tuple[str, object]
) -> None:
    if isinstance(content, tuple):
        part, value = content
        data = json.loads(_saved_state(tmp_path))
        data[part] = value
        content = json.dumps(data).encode()
    path = tmp_path / "state.json"
    path.write_bytes(content)
    try:
        SandboxState.from_file(path)
    except StateFileError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
        assert exc.path == str(path)
    assert path.read_bytes() == content
