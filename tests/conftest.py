"""Shared test set-up."""

import os

from handlers.i18n import set_strict

# Any user-visible string missing from a catalog raises during the tests (in this
# process, and in the ``cadrebot`` processes the tests start, through the setting).
os.environ.setdefault("CADREBOT_I18N_STRICT", "1")
set_strict(True)
