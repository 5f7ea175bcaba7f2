"""The api-diff tests import the scripts' package ``apidiff`` (scripts/ on the path, as the
generation tests do)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
