"""Generate a client package from an OpenAPI spec exactly as ``voucherify_client`` is generated.

Our pinned openapi-python-client with our configuration (package and project name set to yours)
and our templates (enums that accept values the spec does not know yet, faster decoding, the
exchange record ``voucherify_ext`` reads), then our pinned ruff with ``ruff-generated.toml``; the
package also gets ``py.typed`` and ``openapi.json`` (the spec as canonical JSON). The output is
byte-for-byte reproducible. Needs the ``codegen`` extra: ``pip install "voucherify-orders[codegen]"``.

Command line::

    python -m voucherify_ext.codegen SPEC --package NAME --out DIR          # writes DIR/NAME/
    python -m voucherify_ext.codegen SPEC --package NAME --out DIR --check  # exit 1 if DIR/NAME is stale

Python: :func:`generate` and :func:`check`. A build tool: it imports nothing of the client side.
See docs/codegen.md.
"""

from __future__ import annotations

from voucherify_ext.codegen.build import check, generate
from voucherify_ext.codegen.errors import CodegenError
from voucherify_ext.codegen.spec import canonical_json

__all__ = ["CodegenError", "canonical_json", "check", "generate"]
