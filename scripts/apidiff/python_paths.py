"""Where a spec location lands in the generated client: the model attribute, enum member or
operation module, named as openapi-python-client names them and checked against the griffe tree.

A schema's class is its title (or name), an inline object's is its owner's class and the
property's name (``_item`` for array items); a property's attribute is its snake_case name.
Only a path that exists in the tree is given.
"""

from __future__ import annotations

import griffe
from openapi_python_client.strings import ClassName, PythonIdentifier, pascal_case

from apidiff.shapes import Shape, flatten
from apidiff.spec_load import Json, child, resolve

ROOT = "voucherify_client"
FUNCTIONS = ("sync_detailed", "sync", "asyncio_detailed", "asyncio")


class PathMap:
    """Spec pointer → the Python paths it reaches: the public one first, then the canonical ones
    of every class that holds it (``allOf`` merges a schema's fields into several classes)."""

    def __init__(self, spec: dict[str, Json], tree: griffe.Object) -> None:
        self.spec, self.tree = spec, tree
        self.paths: dict[str, list[str]] = {}
        self.enums: dict[str, dict[str, str]] = {}  # enum pointer → value → member path
        models = tree.members.get("models")
        self.exported = {
            n: m.target_path
            for n, m in (models.members if models else {}).items()
            if isinstance(m, griffe.Alias)
        }
        for name, node in ((spec.get("components") or {}).get("schemas") or {}).items():
            self._schema(node, child("#/components/schemas", name), ClassName(node.get("title") or name, ""))
        self._operations()

    def _add(self, pointer: str, *paths: str, own: bool = False) -> None:
        """Record ``paths`` for ``pointer``; ``own``: the class of the schema that writes it, first."""
        known = self.paths.setdefault(pointer, [])
        new = [p for p in paths if p not in known]
        known[:] = [*new, *known] if own else [*known, *new]

    def _class(self, name: str) -> tuple[str, griffe.Object] | None:
        target = self.exported.get(name)
        if target is None:
            return None
        try:
            return name, self.tree[target.removeprefix(ROOT + ".")]
        except KeyError:
            return None

    def _schema(self, node: Json, pointer: str, class_name: str, depth: int = 0) -> None:
        found = self._class(class_name)
        if found is None or depth > 6:
            return
        name, cls = found
        shape = flatten(self.spec, node, pointer)
        self._add(pointer, f"{ROOT}.models.{name}")
        if shape.enum is not None:
            self._enum(shape, name, cls)
        for prop, (sub, sub_pointer) in shape.properties.items():
            attr = PythonIdentifier(prop, "field_")
            if attr in cls.members:
                own = sub_pointer.startswith(pointer + "/properties/")
                self._add(sub_pointer, f"{ROOT}.models.{name}.{attr}", f"{cls.path}.{attr}", own=own)
            self._inline(sub, sub_pointer, name, prop, depth)

    def _inline(self, sub: Json, pointer: str, owner: str, prop: str, depth: int) -> None:
        """An inline schema under a property gets a class of its own (an object or an enum)."""
        if not isinstance(sub, dict) or "$ref" in sub:
            return
        inner = flatten(self.spec, sub, pointer)
        if inner.properties or inner.enum is not None or inner.additional is not None:
            title = sub.get("title") or prop
            self._schema(sub, pointer, ClassName(f"{pascal_case(owner)}{pascal_case(title)}", ""), depth + 1)
        if inner.items is not None and isinstance(inner.items[0], dict) and "$ref" not in inner.items[0]:
            self._inline(inner.items[0], inner.items[1], owner, f"{prop}_item", depth)

    def _enum(self, shape: Shape, name: str, cls: griffe.Object) -> None:
        values = {
            str(m.value): n
            for n, m in cls.members.items()
            if isinstance(m, griffe.Attribute) and m.value is not None
        }
        members = self.enums.setdefault(shape.pointer + "/enum", {})
        for value in shape.enum or ():
            member = values.get(repr(value))
            if member:
                members[str(value)] = f"{ROOT}.models.{name}.{member}"

    def _operations(self) -> None:
        for path, item in (self.spec.get("paths") or {}).items():
            for method, op in (item or {}).items():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                tag = PythonIdentifier((op.get("tags") or ["default"])[0], "tag_")
                module = f"api.{tag}.{PythonIdentifier(op['operationId'], 'field_')}"
                if module not in self._modules():
                    continue
                self._add(child("#/paths", path, method), f"{ROOT}.{module}")
                params = [*(item.get("parameters") or ()), *(op.get("parameters") or ())]
                owners = [child("#/paths", path)] * len(item.get("parameters") or ()) + [
                    child("#/paths", path, method)
                ] * len(op.get("parameters") or ())
                counts: dict[str, int] = {}
                for raw, owner in zip(params, owners, strict=True):
                    i = counts[owner] = counts.get(owner, -1) + 1
                    node, where = resolve(self.spec, raw, child(owner, "parameters", i))
                    arg = PythonIdentifier(node.get("name", ""), "field_")
                    self._add(where, *(f"{ROOT}.{module}.{fn}({arg})" for fn in FUNCTIONS))

    def _modules(self) -> set[str]:
        found: set[str] = set()
        api = self.tree.members.get("api")
        for tag in api.members.values() if api else ():
            if tag.is_module:
                found |= {f"api.{tag.name}.{m}" for m, o in tag.members.items() if o.is_module}
        return found

    def lookup(self, pointer: str, rule: str) -> list[str]:
        """The Python paths of a finding at ``pointer`` (its rule names an enum value if any)."""
        if rule.startswith(("enum-removed:", "enum-new:")):
            member = self.enums.get(pointer, {}).get(rule.split(":", 1)[1])
            return [member] if member else []
        return list(self.paths.get(pointer, ()))
