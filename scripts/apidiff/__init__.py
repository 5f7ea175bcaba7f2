"""``make api-diff``: what a change to the spec and the generated Python API means for users.

Modules, one job each: ``findings`` (the record of one change), ``spec_load`` (reading a spec,
JSON pointers, ``$ref``), ``shapes`` (a schema reduced to what a user can observe), ``spec_schemas``
(the direction-aware schema rules), ``spec_operations`` (operations, parameters, bodies,
components), ``python_paths`` (a spec location's generated attribute), ``public_paths`` (the
documented public modules), ``surface`` (the Python API through griffe), ``gate`` (version and
changelog), ``report`` (the printed report). ``scripts/api_diff.py`` runs them.
"""
