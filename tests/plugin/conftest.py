"""pytester runs a team's test file in a fresh interpreter with the installed plugin.

``pytest_plugins = ["pytester"]`` is only allowed in the rootdir's conftest, which this suite
does not have; registering the plugin when this conftest loads gives the same ``pytester``
fixture to the tests below it.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
