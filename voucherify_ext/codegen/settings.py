"""Where the generator settings are: inside the installed wheel, or in a checkout's ``openapi/``.

The wheel carries ``openapi/config.yaml``, ``openapi/templates/`` and ``openapi/ruff-generated.toml``
as ``voucherify_ext/codegen/data/`` (hatchling copies them at build time: pyproject's
``[tool.hatch.build.targets.wheel.force-include]``). The repository holds no such copy; from a
checkout (an editable install) the files are read from ``openapi/`` itself, so nothing can drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voucherify_ext.codegen.errors import CodegenError

PACKAGED = Path(__file__).resolve().parent / "data"
CHECKOUT = Path(__file__).resolve().parents[2] / "openapi"


@dataclass(frozen=True)
class Settings:
    """The three inputs that, with the pinned tools, make the output ours."""

    root: Path

    @property
    def config(self) -> Path:
        """openapi-python-client's configuration (package names are overridden per run)."""
        return self.root / "config.yaml"

    @property
    def templates(self) -> Path:
        """Our templates (forward-compatible enums, faster decoding, the exchange record)."""
        return self.root / "templates"

    @property
    def ruff_config(self) -> Path:
        """The only ruff settings applied to the output."""
        return self.root / "ruff-generated.toml"

    def complete(self) -> bool:
        return self.config.is_file() and self.templates.is_dir() and self.ruff_config.is_file()


def find_settings(*candidates: Path) -> Settings:
    """The first complete settings folder: the wheel's data, else the checkout's ``openapi/``."""
    for root in candidates or (PACKAGED, CHECKOUT):
        settings = Settings(root)
        if settings.complete():
            return settings
    looked = ", ".join(str(c) for c in candidates or (PACKAGED, CHECKOUT))
    raise CodegenError(
        f"the generator settings are missing (looked in {looked}); reinstall voucherify-orders"
    )
