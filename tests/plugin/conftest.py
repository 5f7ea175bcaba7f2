"""pytester runs a team's test file in a fresh interpreter with the installed plugin."""

pytest_plugins = ["pytester"]
