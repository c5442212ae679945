"""Shared test set-up."""

import os

# Any user-visible string missing from a catalog raises during the tests.
os.environ.setdefault("CADREBOT_I18N_STRICT", "1")
