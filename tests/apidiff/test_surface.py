"""The Python half: griffe's breakages on the guarded surface (``voucherify_ext``'s public paths
and ``voucherify_client``), nothing from internal modules, and a dump that loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import griffe
import pytest
from apidiff import surface
from apidiff.findings import Finding, Kind
from apidiff.public_paths import public_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
EXT, CLIENT = surface.load_packages(ROOT)
PUBLIC = public_paths(ROOT / "docs" / "ARCHITECTURE.md")
BASE = surface.load_dump(surface.dump(surface.surface_of(EXT, CLIENT, ROOT)))
sample = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
few = settings(sample, max_examples=8)  # each example rebuilds voucherify_ext's surface (0.2 s)
EXT_NOW = surface.surface_of(EXT, CLIENT, ROOT)["voucherify_ext"]


def _modules(module: griffe.Module) -> Iterator[griffe.Module]:
    yield module
    for member in module.members.values():
        if isinstance(member, griffe.Module):
            yield from _modules(member)


def _public_targets() -> set[str]:
    """The canonical path of everything a public path gives (an internal module may define it)."""
    found: set[str] = set()
    for dotted in PUBLIC:
        module = EXT if dotted == "voucherify_ext" else EXT[dotted.removeprefix("voucherify_ext.")]
        for member in module.members.values():
            if member.is_public:
                try:
                    target = member.final_target if isinstance(member, griffe.Alias) else member
                except griffe.AliasResolutionError:
                    continue
                found.add(target.path)
                if isinstance(target, griffe.Class):
                    found |= {m.final_target.path for m in target.inherited_members.values()}
    return found


TARGETS = _public_targets()
INTERNAL = sorted(
    (module.path, name)
    for module in _modules(EXT)
    if module.path not in PUBLIC
    for name, member in module.members.items()
    if not isinstance(member, griffe.Alias | griffe.Module)
    and not any(t == member.path or t.startswith(member.path + ".") for t in TARGETS)
)
GIVEN = sorted(
    (dotted, name)
    for dotted in PUBLIC
    for name, member in (EXT if dotted == "voucherify_ext" else EXT[dotted[15:]]).members.items()
    if member.is_public and not member.is_module
)
MODEL_FIELDS = sorted(
    (cls.path, name)
    for module in _modules(CLIENT["models"])
    for cls in module.members.values()
    if isinstance(cls, griffe.Class)
    for name, member in cls.members.items()
    if isinstance(member, griffe.Attribute) and not name.startswith("_")
)


def _compare_without(owner: griffe.Object, name: str) -> list[Finding]:
    """The findings with ``owner``'s member ``name`` deleted (then put back)."""
    member = owner.members[name]
    del owner.members[name]
    try:
        if owner.path.startswith("voucherify_client"):  # voucherify_ext's surface is unchanged
            return surface.compare(BASE, {"voucherify_ext": EXT_NOW, "voucherify_client": CLIENT})
        return surface.compare(BASE, surface.surface_of(EXT, CLIENT, ROOT))
    finally:
        owner.set_member(name, member)


def test_the_dump_loses_nothing_griffe_compares() -> None:
    assert surface.compare(BASE, surface.surface_of(EXT, CLIENT, ROOT)) == []


def test_the_lazy_top_level_is_read_through_its_names() -> None:
    top = BASE["voucherify_ext"]
    assert {"Voucherify", "paginate", "ClientClosedError"} <= set(top.members)
    assert "client" in top["Voucherify"].members  # inherited from the internal ClientBase


@few
@given(st.sampled_from(INTERNAL))
def test_an_internal_module_does_not_trip_it(site: tuple[str, str]) -> None:
    module, name = site
    owner = EXT if module == "voucherify_ext" else EXT[module.removeprefix("voucherify_ext.")]
    assert [f for f in _compare_without(owner, name) if f.kind is Kind.BREAKING] == []


@few
@given(st.sampled_from(GIVEN))
def test_a_name_a_public_path_gives_cannot_go(site: tuple[str, str]) -> None:
    module, name = site
    owner = EXT if module == "voucherify_ext" else EXT[module.removeprefix("voucherify_ext.")]
    found = _compare_without(owner, name)
    assert f"{module}.{name}" in {f.python_path for f in found if f.kind is Kind.BREAKING}, found


@sample
@given(st.sampled_from(MODEL_FIELDS))
def test_a_generated_attribute_cannot_go(site: tuple[str, str]) -> None:
    cls, name = site
    found = _compare_without(CLIENT[cls.removeprefix("voucherify_client.")], name)
    assert f"{cls}.{name}" in {f.python_path for f in found if f.kind is Kind.BREAKING}, found


def test_a_new_public_name_is_additive() -> None:
    EXT["pagination"].set_member("zz_new", griffe.Function("zz_new", lineno=1))
    EXT["pagination"].exports = [*EXT["pagination"].exports, "zz_new"]
    try:
        found = surface.compare(BASE, surface.surface_of(EXT, CLIENT, ROOT))
    finally:
        del EXT["pagination"].members["zz_new"]
        EXT["pagination"].exports = [e for e in EXT["pagination"].exports if e != "zz_new"]
    assert [(f.kind, f.python_path) for f in found] == [(Kind.ADDITIVE, "voucherify_ext.pagination.zz_new")]


@pytest.mark.parametrize("function", ["sync", "asyncio_detailed"])
def test_a_renamed_operation_parameter_is_breaking(function: str) -> None:
    fn = CLIENT["api.orders.list_orders"].members[function]
    before = list(fn.parameters)
    fn.parameters = griffe.Parameters(
        *[
            p
            if p.name != "order"
            else griffe.Parameter("sort", kind=p.kind, default=p.default, annotation=p.annotation)
            for p in before
        ]
    )
    try:
        found = surface.compare(BASE, surface.surface_of(EXT, CLIENT, ROOT))
    finally:
        fn.parameters = griffe.Parameters(*before)
    assert f"voucherify_client.api.orders.list_orders.{function}(order)" in {
        f.python_path for f in found if f.kind is Kind.BREAKING
    }
