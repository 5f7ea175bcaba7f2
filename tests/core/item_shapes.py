"""Hypothesis strategies for order items of every shape the spec allows, and which of them the
order-item lint must report: an item that names a product or SKU by ``source_id`` (its own,
``product.source_id`` or ``sku.source_id``) without ``related_object``."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

IDS = st.text(alphabet="abcdefXYZ0123456789-_", min_size=1, max_size=8)

PRODUCT = st.fixed_dictionaries(
    {},
    optional={
        "id": st.just("prod_0a1b2c"),
        "source_id": IDS,
        "name": st.sampled_from(["Shirt", "Mug"]),
        "override": st.booleans(),
        "metadata": st.just({"colour": "red"}),
    },
)
SKU = st.fixed_dictionaries(
    {},
    optional={
        "id": st.just("sku_0a1b2c"),
        "source_id": IDS,
        "sku": st.sampled_from(["Shirt M", "Mug 1l"]),
        "override": st.booleans(),
    },
)
ITEM = st.fixed_dictionaries(
    {},
    optional={
        "product_id": st.just("prod_0a1b2c"),
        "sku_id": st.just("sku_0a1b2c"),
        "source_id": IDS,
        "related_object": st.sampled_from(["product", "sku"]),
        "product": PRODUCT,
        "sku": SKU,
        "quantity": st.integers(1, 5),
        "price": st.integers(0, 10_000),
        "amount": st.integers(0, 50_000),
    },
)
ITEMS = st.lists(ITEM, max_size=8)


def needs_related_object(item: dict[str, Any]) -> bool:
    """The lint's promise, item by item (the test's own statement of it)."""
    named = "source_id" in item or any("source_id" in item.get(ref, {}) for ref in ("product", "sku"))
    return named and "related_object" not in item


def expected_paths(items: list[dict[str, Any]]) -> list[str]:
    return [f"items[{i}]" for i, item in enumerate(items) if needs_related_object(item)]
