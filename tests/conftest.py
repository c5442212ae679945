"""Shared test set-up."""

import os
from pathlib import Path

import pytest

from handlers.i18n import set_strict

# Any user-visible string missing from a catalog raises during the tests (in this
# process, and in the ``cadrebot`` processes the tests start, through the setting).
os.environ.setdefault("CADREBOT_I18N_STRICT", "1")
set_strict(True)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run by a test keeps its data (database, audit key, anchors) in the
    test's folder, never in the working copy's ./data."""
    monkeypatch.setenv("CADREBOT_DATA_DIR", str(tmp_path / "data"))
