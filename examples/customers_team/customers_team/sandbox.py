"""The customers team's addition to voucherify_ext's sandbox: a ``customers`` resource, served
with the sandbox's auth, rate limit, request counting, latency and faults. Its tests run on it
(``voucherify_sandbox_extensions`` in pyproject.toml), as can a local demo::

    python -m voucherify_ext.sandbox --extension customers_team.sandbox:EXTENSION
"""

from voucherify_ext.sandbox import Resource, SandboxExtension

CUSTOMERS = Resource(
    name="customers",
    path="/v1/customers",
    object="customer",
    id_prefix="cust_",
    keys=("id", "source_id"),
    scope="customers",
    bulk_path="/v1/customers/bulk/async",
    bulk_type="CUSTOMERS.BULK_UPDATE",
    bulk_max=100,
)

EXTENSION = SandboxExtension(name="customers", resources=[CUSTOMERS])
