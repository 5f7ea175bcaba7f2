"""The public Python API through griffe: built from the working tree, dumped as the baseline,
read back, and compared with ``griffe.find_breaking_changes``.

The surface is ``voucherify_client`` as generated, and a ``voucherify_ext`` holding only what is
public: the public members of each documented public path (its ``__all__``, or its own
non-underscore names), each re-exported name replaced by a copy of what it names, a class with
the members it inherits (so the lazy top level is compared by what it gives, and internal
modules are not part of it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import griffe

from apidiff.findings import Finding, Kind
from apidiff.public_paths import public_paths

PACKAGES = ("voucherify_ext", "voucherify_client")
Surface = dict[str, griffe.Module]


def _copy(obj: griffe.Object | griffe.Alias) -> Any:
    return json.loads(json.dumps(obj, cls=griffe.JSONEncoder), object_hook=griffe.json_decoder)


def _flat_copy(target: griffe.Object | griffe.Alias) -> Any:
    """A copy of ``target``; a class's copy also holds what it inherits (from internal bases too,
    which are not part of the surface themselves)."""
    copy = _copy(target)
    if isinstance(target, griffe.Class):
        for name, member in target.inherited_members.items():
            if name in copy.members:
                continue
            try:
                copy.set_member(name, _copy(member.final_target))
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                continue
    return copy


def _module(root: griffe.Module, dotted: str) -> griffe.Module:
    """The module ``dotted`` in the surface ``root``, created (empty) when missing."""
    module = root
    for name in dotted.split(".")[1:]:
        if name not in module.members:
            module.set_member(name, griffe.Module(name))
        member = module.members[name]
        assert isinstance(member, griffe.Module)
        module = member
    return module


def _ext_surface(ext: griffe.Module, root: Path) -> griffe.Module:
    surface = griffe.Module("voucherify_ext")
    for dotted in sorted(public_paths(root / "docs" / "ARCHITECTURE.md")):
        source = ext if dotted == "voucherify_ext" else ext[dotted.removeprefix("voucherify_ext.")]
        into = _module(surface, dotted)
        for name, member in source.members.items():
            if not member.is_public:
                continue
            try:
                target = member.final_target if isinstance(member, griffe.Alias) else member
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                target = member  # names something outside the packages: compared as a name
            if target.is_module:
                continue
            copy = _flat_copy(target)
            copy.name = name
            into.set_member(name, copy)
    return surface


def load_packages(root: Path) -> tuple[griffe.Module, griffe.Module]:
    """``voucherify_ext`` and ``voucherify_client`` of the working tree at ``root``, as griffe
    reads them (static analysis only: nothing is imported)."""
    loader = griffe.GriffeLoader(search_paths=[str(root), str(root / "generated")], allow_inspection=False)
    ext = loader.load("voucherify_ext")
    client = loader.load("voucherify_client")
    loader.resolve_aliases(implicit=False, external=False)
    assert isinstance(ext, griffe.Module) and isinstance(client, griffe.Module)
    return ext, client


def surface_of(ext: griffe.Module, client: griffe.Module, root: Path) -> Surface:
    """The surface: the client as it is, ``voucherify_ext``'s public part (public paths read at ``root``)."""
    return _collected({"voucherify_ext": _ext_surface(ext, root), "voucherify_client": client})


def load_tree(root: Path) -> Surface:
    """The surface of the working tree at ``root``."""
    return surface_of(*load_packages(root), root)


def _collected(surface: Surface) -> Surface:
    collection = griffe.ModulesCollection()
    for name, module in surface.items():
        collection.set_member(name, module)
        module._modules_collection = collection  # griffe resolves aliases through it
    return surface


def _lean(node: Any) -> Any:
    """The dump without docstrings and file paths (they never make a change breaking, and a
    path would name the machine the baseline was made on)."""
    if isinstance(node, dict):
        return {k: _lean(v) for k, v in node.items() if k not in {"docstring", "filepath"}}
    if isinstance(node, list):
        return [_lean(v) for v in node]
    return node


def dump(surface: Surface) -> str:
    data = {name: json.loads(json.dumps(module, cls=griffe.JSONEncoder)) for name, module in surface.items()}
    return json.dumps(_lean(data), sort_keys=True, separators=(",", ":")) + "\n"


def load_dump(text: str) -> Surface:
    """A surface read back from :func:`dump`'s text (``ValueError`` when it is not one)."""
    data = json.loads(text, object_hook=griffe.json_decoder)
    if not isinstance(data, dict) or set(data) != set(PACKAGES):
        raise ValueError(f"expected the packages {', '.join(PACKAGES)}")
    if not all(isinstance(m, griffe.Module) for m in data.values()):
        raise ValueError("a package is not a griffe module")
    return _collected(data)


def _public(obj: griffe.Object | griffe.Alias, prefix: str) -> Iterator[str]:
    for name, member in obj.members.items():
        if not member.is_public:  # griffe's rule: ``__all__``, else not underscored and not imported
            continue
        path = f"{prefix}.{name}"
        yield path
        if not member.is_alias and (member.is_module or member.is_class):
            yield from _public(member, path)


def _breakage(b: griffe.Breakage) -> Finding:
    path = b.obj.path
    value = b.old_value if b.old_value is not None else b.new_value
    if b.kind.name.startswith("PARAMETER_") and isinstance(value, griffe.Parameter):
        path = f"{path}({value.name})"
    text = b.kind.value + (f" ({b.details})" if getattr(b, "details", None) else "")
    return Finding(Kind.BREAKING, text, python_path=path, rule=f"griffe:{b.kind.name}")


def compare(old: Surface, new: Surface) -> list[Finding]:
    """Griffe's breakages of each package, and the public objects that are new (additive)."""
    found: list[Finding] = []
    for name in PACKAGES:
        found += [_breakage(b) for b in griffe.find_breaking_changes(old[name], new[name])]
        before, after = set(_public(old[name], name)), set(_public(new[name], name))
        for path in sorted(after - before):
            if path.rsplit(".", 1)[0] not in after - before:
                found.append(Finding(Kind.ADDITIVE, "new public object", python_path=path, rule="griffe:new"))
    return found
