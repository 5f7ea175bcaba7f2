"""Identifiers the sandbox hands out: a per-start tag plus seeded characters, never one twice.

Every generated id (``ord_``, ``cust_``, ``aa_``, ``exp_``) is the prefix, the start tag (new
for each start and each load of a state file, from ``os.urandom``) and characters drawn from a
generator seeded with the configured seed, in Voucherify's alphabet.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

from voucherify_ext.sandbox.util import random_suffix

__all__ = ["START_TAG_LENGTH", "IdMaker"]

START_TAG_LENGTH = 6
"""62**6 (5.7e10) per-start values: two starts sharing one is a one-in-billions event."""


def _start_tag() -> str:
    return random_suffix(int.from_bytes(os.urandom(8), "big"), START_TAG_LENGTH)


class IdMaker:
    """New ids for one sandbox; :meth:`restart` gives it a new start tag (a new start)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.start_tag = _start_tag()
        """The per-start part of every generated id: new for each SandboxState and each load, so
        a sandbox restarted from an older state file never hands out an id twice."""

    def restart(self) -> None:
        self.start_tag = _start_tag()

    def new(self, prefix: str, length: int, taken: Callable[[str], bool]) -> str:
        """``prefix`` + :attr:`start_tag` + seeded characters, ``length`` characters after the
        prefix in Voucherify's alphabet (``aa_`` + 18 for actions, as the API's look)."""
        rest = length - len(self.start_tag)
        while True:
            candidate = prefix + self.start_tag + random_suffix(self._rng.getrandbits(6 * rest), rest)
            if not taken(candidate):
                return candidate
