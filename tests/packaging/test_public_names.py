"""The public names stay what they were: the top level of ``voucherify_ext`` (imported lazily now)
and ``voucherify_ext.errors`` (a package now). Every top-level name is the very object its module
defines; the lazy map and the names type checkers see agree; the errors import nothing above them.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import voucherify_ext
from voucherify_ext import errors

PACKAGE = Path(voucherify_ext.__file__).parent

#: ``voucherify_ext.__all__`` before the redesign (issue 13): these names do not change
TOP_LEVEL = {
    *("APIConnectionError", "APIError", "APIResponseError", "APITimeoutError", "AsyncActionFailedError"),
    *("AsyncActionStatusError", "AsyncExportHandle", "AsyncVoucherify", "AuthenticationError"),
    *("BadRequestError", "CheckpointError", "CheckpointLockedError", "CheckpointMismatchError"),
    *("CheckpointWriteError", "ClientClosedError", "ConfigurationError", "ConflictError"),
    *("DeadlineExceededError", "EventLoopMismatchError", "ExportFailedError", "ExportHandle"),
    *("ExportRowError", "ForkedClientError", "ImportFileChangedError", "ImportProgress"),
    *("ImportReconcileError", "ImportResult", "ImportTimeoutError", "ImportValidationError"),
    *("InputTooDeepError", "InputTypeError", "JobError", "JobTimeoutError", "NotFoundError"),
    *("OrderImportError", "Page", "PaginationDriftError", "PaginationDriftWarning", "PaginationLimitError"),
    *("PaymentRequiredError", "RateLimitError", "RetryPolicy", "ServerError", "UnreadableSuccessError"),
    *("UnreadableSuccessTimeoutError", "ValidationError", "Voucherify", "VoucherifyError", "__version__"),
    *("apaginate", "paginate"),
}

#: names added since, each on purpose (issue 16: changed-since reads and single pages)
ADDED = {"AsyncChangedSince", "AsyncOrdersPage", "ChangedSince", "ChangedSinceLimitError", "OrdersPage"}
ADDED |= {"OrderExportRow"}
ADDED |= {"Hooks"}
ADDED |= {"OrderItemWarning"}
ADDED |= {"LimiterState", "RateLimitState", "RawResponse"}  # issue 16.3: responses with their headers
#: issue 16, the live-order sync (``vf.orders.upsert_many``)
UPSERT_ERRORS = {"UpsertBlockedError", "UpsertInputError"}
ADDED |= {"AsyncUpsertRun", "UpsertEstimate", "UpsertProgress", "UpsertResult", "UpsertRun", "UpsertSummary"}
ADDED |= UPSERT_ERRORS

#: ``voucherify_ext.errors.__all__`` when it was one module (errors.py)
ERRORS_ALL = {
    name
    for name in TOP_LEVEL
    if name.endswith("Error")
    and name
    not in {"ClientClosedError", "EventLoopMismatchError", "ForkedClientError", "PaginationDriftError"}
    and name != "ImportReconcileError"  # public at the top level, but missing from errors.__all__
} | {"error_for_status", "error_timed_out", "error_with_bad_body"}


def test_the_top_level_names_are_unchanged() -> None:
    assert set(voucherify_ext.__all__) == TOP_LEVEL | ADDED
    assert len(voucherify_ext.__all__) == len(TOP_LEVEL | ADDED)  # no name twice
    assert set(dir(voucherify_ext)) >= TOP_LEVEL


def test_every_top_level_name_is_the_object_its_module_defines() -> None:
    for name in sorted(TOP_LEVEL - {"__version__"}):
        value = getattr(voucherify_ext, name)
        source = importlib.import_module(voucherify_ext._LAZY[name])
        assert getattr(source, name) is value, name
        home = sys.modules[value.__module__]  # where it says it lives (errors: the public path)
        assert getattr(home, value.__qualname__) is value, (name, value.__module__)
    from voucherify_ext._version import __version__

    assert voucherify_ext.__version__ is __version__


def test_the_lazy_map_names_what_type_checkers_see() -> None:
    """``_LAZY`` (what runs) and the ``if TYPE_CHECKING:`` imports (what mypy and IDEs see)
    name the same modules for the same names, and together they are ``__all__``."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    (block,) = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == voucherify_ext._LAZY
    assert set(seen) | {"__version__"} == set(voucherify_ext.__all__)


def test_an_unknown_top_level_name_is_an_attribute_error() -> None:
    try:
        voucherify_ext.Nonexistent  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "Nonexistent" in str(exc)
    else:
        raise AssertionError("voucherify_ext.Nonexistent resolved")


def test_errors_exports_every_name_it_did() -> None:
    assert ERRORS_ALL | {"ImportReconcileError", "ChangedSinceLimitError"} | UPSERT_ERRORS == set(
        errors.__all__
    )
    assert set(dir(errors)) >= {*errors.__all__, "_ResultError"}  # the import drivers test for it
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type):
            assert value.__module__ == "voucherify_ext.errors", name  # tracebacks and pickles say so
            assert issubclass(value, errors.VoucherifyError), name
    combined = errors.error_with_bad_body(errors.ServerError)
    assert combined.__module__ == "voucherify_ext.errors"


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the code (TYPE_CHECKING blocks included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import"
            names.add(node.module or "")
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_errors_import_only_logs_and_the_generated_models() -> None:
    allowed = (
        "voucherify_ext.errors",
        "voucherify_ext.logs",
        "voucherify_client.models",
        "voucherify_client.types",
    )
    for path in sorted((PACKAGE / "errors").glob("*.py")):
        ours = {m for m in _imported(path) if m.split(".")[0] in ("voucherify_ext", "voucherify_client")}
        above = {m for m in ours if not m.startswith(allowed)}
        assert not above, f"{path.name} imports {above}"
    code = (
        "import sys, voucherify_ext.errors;"
        "print(*sorted(m for m in sys.modules if m.startswith('voucherify_ext')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(run.stdout.split())
    assert {"voucherify_ext.errors", "voucherify_ext.errors.imports"} <= loaded
    assert {m for m in loaded if not m.startswith(("voucherify_ext.errors", "voucherify_ext.logs"))} == {
        "voucherify_ext",
        "voucherify_ext._version",
    }
