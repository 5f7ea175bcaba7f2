"""The async-actions resource (`actions`: get, wait, list) and what it decides without I/O (`states`,
`inputs`). Importing this package imports neither: the import state reads `states` alone."""
