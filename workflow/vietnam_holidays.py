"""Vietnam's public holidays from the pinned ``holidays`` package, without its other countries.

``holidays.country_holidays("VN")`` imports ``holidays.countries``, whose ``__init__``
imports all of its ~280 countries: about 8 MiB and a tenth of a second that the bot and
every command paid for one country. The package's Vietnam module is loaded on its own
instead (it imports only shared modules, never another country) and registered under its
own name, so the package, if something imports it later, uses the very same class.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package itself is imported with the first calendar built
    from holidays.holiday_base import HolidayBase

MODULE = "holidays.countries.vietnam"
_lock = threading.Lock()


def _vietnam_module() -> ModuleType:
    with _lock:
        module = sys.modules.get(MODULE)
        if module is not None:
            return module
        import holidays

        path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
        spec = importlib.util.spec_from_file_location(MODULE, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a broken install
            raise ImportError(f"cannot load {MODULE} from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[MODULE]
            raise
        return module


def vietnam_holidays(years: Iterable[int], language: str) -> HolidayBase:
    """The same as ``holidays.country_holidays("VN", years=years, language=language)``."""
    vietnam: type[HolidayBase] = _vietnam_module().Vietnam
    return vietnam(years=years, language=language)
