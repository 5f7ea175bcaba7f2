"""The orders resource behind the façade: create/get/update (`resource_async`, its generated twin
`resource_sync`), the checks of what a caller passes (`inputs`), and the orders list walked lazily
(`pages_async`, `pages_sync`, re-exported by `pages`; how, in `list_strategy`)."""
