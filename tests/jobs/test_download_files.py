"""Issue 12 (minor): a downloaded file gets the usual permissions (0666 less the umask), and a
missing folder's error names the path the caller gave, not the hidden temporary file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voucherify_ext.client import Voucherify
from voucherify_ext.sandbox import Sandbox


def test_the_download_gets_the_umask_mode(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    vf.orders.create({"source_id": "m-1", "amount": 1})
    handle = vf.orders.export(fields=["id"])
    old = os.umask(0o022)
    try:
        path = handle.download(tmp_path / "orders.csv")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]


def test_a_missing_folder_is_named_as_given(vf: Voucherify, sb: Sandbox, tmp_path: Path) -> None:
    handle = vf.orders.export(fields=["id"])
    target = tmp_path / "no-such-folder" / "orders.csv"
    with pytest.raises(FileNotFoundError) as caught:
        handle.download(target)
    assert caught.value.filename == str(target) and ".part" not in str(caught.value)
