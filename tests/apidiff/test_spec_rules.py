"""Each rule of the spec classifier, on the real spec: a drawn mutation at a drawn place, and the
verdict the mutation's class calls for. The direction a schema is used in comes from an oracle
in conftest (request: parameters and bodies sent; response: bodies read; unused: both)."""

from __future__ import annotations

import copy
from typing import Any

from apidiff.findings import Finding, Kind
from apidiff.spec_operations import classify
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.apidiff.oracle import SPEC, at, containers, directions, pointer

USE = directions(SPEC)
PLACES = containers(SPEC)
FIELDS = [(n, p, f) for n, p in PLACES for f in at(SPEC, n, p)["properties"]]
SCALARS = ("string", "integer", "boolean")
INLINE_SCALARS = [
    (n, p, f)
    for n, p, f in FIELDS
    if at(SPEC, n, p)["properties"][f].get("type") in SCALARS
    and "enum" not in at(SPEC, n, p)["properties"][f]
    and "format" not in at(SPEC, n, p)["properties"][f]
]
OPTIONAL = [(n, p, f) for n, p, f in FIELDS if f not in at(SPEC, n, p).get("required", [])]
REQUIRED = [(n, p, f) for n, p, f in FIELDS if f in at(SPEC, n, p).get("required", [])]
ENUMS = [(n, ()) for n, s in SPEC["components"]["schemas"].items() if "enum" in s] + [
    (n, (*p, "properties", f)) for n, p, f in FIELDS if "enum" in at(SPEC, n, p)["properties"][f]
]
OPERATIONS = [(path, m) for path, item in SPEC["paths"].items() for m in item if m != "parameters"]
NAMES = st.from_regex(r"\Azz_[a-z]{1,8}\Z")
rules = settings(max_examples=15, deadline=None)


def _worst(findings: list[Finding]) -> Kind:
    return max((f.kind for f in findings), default=None)  # type: ignore[type-var,return-value]


def _expect(findings: list[Finding], where: str, kind: Kind) -> None:
    assert kind in {f.kind for f in findings if f.pointer == where}, findings
    assert _worst(findings) is kind, findings


def _sent(name: str) -> bool:
    return "request" in USE[name]


def _read(name: str) -> bool:
    return "response" in USE[name]


def _mutated(change: Any) -> dict[str, Any]:
    new = copy.deepcopy(SPEC)
    change(new)
    return new


def test_an_unchanged_spec_has_no_findings() -> None:
    assert classify(SPEC, copy.deepcopy(SPEC)) == []


@rules
@given(st.sampled_from(FIELDS))
def test_a_removed_or_renamed_field_is_breaking(site: tuple[str, tuple[Any, ...], str]) -> None:
    name, path, field = site
    new = _mutated(lambda s: at(s, name, path)["properties"].pop(field))
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), Kind.BREAKING)
    renamed = _mutated(
        lambda s: at(s, name, path)["properties"].update(zz_new=at(s, name, path)["properties"].pop(field))
    )
    found = classify(SPEC, renamed)
    _expect(found, pointer(name, path, "properties", field), Kind.BREAKING)
    assert any(f.pointer == pointer(name, path, "properties", "zz_new") for f in found)


@rules
@given(st.sampled_from(PLACES), NAMES)
def test_a_new_optional_field_is_additive(place: tuple[str, tuple[Any, ...]], field: str) -> None:
    name, path = place
    new = _mutated(lambda s: at(s, name, path)["properties"].update({field: {"type": "string"}}))
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), Kind.ADDITIVE)


@rules
@given(st.sampled_from(PLACES), NAMES)
def test_a_new_required_field_breaks_what_a_request_sends(
    place: tuple[str, tuple[Any, ...]], field: str
) -> None:
    name, path = place

    def change(s: dict[str, Any]) -> None:
        at(s, name, path)["properties"][field] = {"type": "string"}
        at(s, name, path).setdefault("required", []).append(field)

    kind = Kind.BREAKING if _sent(name) else Kind.ADDITIVE
    _expect(classify(SPEC, _mutated(change)), pointer(name, path, "properties", field), kind)


@rules
@given(st.sampled_from(OPTIONAL))
def test_a_field_made_required_breaks_requests_only(site: tuple[str, tuple[Any, ...], str]) -> None:
    name, path, field = site
    new = _mutated(lambda s: at(s, name, path).setdefault("required", []).append(field))
    kind = Kind.BREAKING if _sent(name) else Kind.ADDITIVE
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), kind)


@rules
@given(st.sampled_from(REQUIRED))
def test_a_response_field_that_may_now_be_missing_is_breaking(site: tuple[str, tuple[Any, ...], str]) -> None:
    name, path, field = site
    new = _mutated(lambda s: at(s, name, path)["required"].remove(field))
    kind = Kind.BREAKING if _read(name) else Kind.ADDITIVE
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), kind)


@rules
@given(st.sampled_from(INLINE_SCALARS), st.sampled_from(SCALARS))
def test_a_changed_type_is_breaking(site: tuple[str, tuple[Any, ...], str], to: str) -> None:
    name, path, field = site
    before = at(SPEC, name, path)["properties"][field]["type"]
    if to == before or {to, before} == {"integer", "number"}:
        to = "boolean" if before != "boolean" else "string"
    new = _mutated(lambda s: at(s, name, path)["properties"][field].update(type=to))
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), Kind.BREAKING)


@rules
@given(
    st.sampled_from(
        [s for s in INLINE_SCALARS if at(SPEC, s[0], s[1])["properties"][s[2]]["type"] == "integer"]
    )
)
def test_a_widened_type_is_additive_in_a_request_only(site: tuple[str, tuple[Any, ...], str]) -> None:
    name, path, field = site
    new = _mutated(lambda s: at(s, name, path)["properties"][field].update(type="number"))
    kind = Kind.BREAKING if _read(name) else Kind.ADDITIVE
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), kind)
    narrowed = _mutated(lambda s: at(s, name, path)["properties"][field].update(enum=[1, 2]))
    _expect(classify(SPEC, narrowed), pointer(name, path, "properties", field), Kind.BREAKING)


@rules
@given(st.sampled_from(INLINE_SCALARS))
def test_a_field_that_may_now_be_null_breaks_responses(site: tuple[str, tuple[Any, ...], str]) -> None:
    name, path, field = site
    new = _mutated(
        lambda s: at(s, name, path)["properties"][field].update(type=[s_type(s, name, path, field), "null"])
    )
    kind = Kind.BREAKING if _read(name) else Kind.ADDITIVE
    _expect(classify(SPEC, new), pointer(name, path, "properties", field), kind)


def s_type(s: dict[str, Any], name: str, path: tuple[Any, ...], field: str) -> str:
    return str(at(s, name, path)["properties"][field]["type"])


@rules
@given(st.sampled_from(ENUMS), st.data())
def test_enum_values_removed_break_and_new_ones_are_additive(
    site: tuple[str, tuple[Any, ...]], data: st.DataObject
) -> None:
    name, path = site
    values = at(SPEC, name, path)["enum"]
    new = _mutated(lambda s: at(s, name, path)["enum"].append("ZZ_NEW"))
    _expect(classify(SPEC, new), pointer(name, path, "enum"), Kind.ADDITIVE)
    if len(values) > 1:
        gone = data.draw(st.sampled_from(values))
        fewer = _mutated(lambda s: at(s, name, path)["enum"].remove(gone))
        found = classify(SPEC, fewer)
        _expect(found, pointer(name, path, "enum"), Kind.BREAKING)
        assert any(repr(gone) in f.message for f in found)


FREE_FORM = [
    (n, p)
    for n, p in [(n, ()) for n in SPEC["components"]["schemas"]]
    + [(n, (*p, "properties", f)) for n, p, f in FIELDS]
    if at(SPEC, n, p).get("type") == "object"
    and "properties" not in at(SPEC, n, p)
    and at(SPEC, n, p).get("additionalProperties", True) is True
]


@rules
@given(st.sampled_from(FREE_FORM), NAMES)
def test_a_free_form_object_narrowed_to_a_typed_one_is_breaking(
    site: tuple[str, tuple[Any, ...]], field: str
) -> None:
    name, path = site
    new = _mutated(lambda s: at(s, name, path).update(properties={field: {"type": "string"}}))
    _expect(classify(SPEC, new), pointer(name, path), Kind.BREAKING)


def _op(s: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return s["paths"][path][method]  # type: ignore[no-any-return]


def _op_pointer(path: str, method: str, *more: str | int) -> str:
    return "#/paths/" + "/".join(str(t).replace("~", "~0").replace("/", "~1") for t in (path, method, *more))


@rules
@given(st.sampled_from(OPERATIONS))
def test_a_removed_operation_is_breaking_and_a_new_one_additive(op: tuple[str, str]) -> None:
    path, method = op
    _expect(
        classify(SPEC, _mutated(lambda s: s["paths"][path].pop(method))),
        _op_pointer(path, method),
        Kind.BREAKING,
    )

    def add(s: dict[str, Any]) -> None:
        twin = copy.deepcopy(_op(s, path, method))
        twin["operationId"] = "zzCopy"
        s["paths"]["/v1/zz" + path] = {method: twin, "parameters": s["paths"][path].get("parameters", [])}

    _expect(classify(SPEC, _mutated(add)), _op_pointer("/v1/zz" + path, method), Kind.ADDITIVE)


@rules
@given(st.sampled_from(OPERATIONS), NAMES, st.booleans())
def test_parameters_removed_break_new_ones_by_required_ness(
    op: tuple[str, str], name: str, required: bool
) -> None:
    path, method = op
    param = {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}
    new = _mutated(lambda s: _op(s, path, method).setdefault("parameters", []).append(param))
    index = len(_op(SPEC, path, method).get("parameters", []))
    found = classify(SPEC, new)
    _expect(
        found, _op_pointer(path, method, "parameters", index), Kind.BREAKING if required else Kind.ADDITIVE
    )
    removed = classify(new, SPEC)
    _expect(removed, _op_pointer(path, method, "parameters", index), Kind.BREAKING)


@rules
@given(st.sampled_from([n for n, _ in PLACES] + [n for n, _ in ENUMS]), st.text(min_size=1, max_size=20))
def test_a_description_or_title_change_is_neither(name: str, text: str) -> None:
    new = _mutated(
        lambda s: s["components"]["schemas"][name].update(description="changed: " + text, title=name + " ")
    )
    found = classify(SPEC, new)
    assert found and {f.kind for f in found} == {Kind.NEITHER}, found
