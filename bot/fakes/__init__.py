"""Stand-ins for the chat platforms, served over real HTTP on 127.0.0.1.

``FakeTelegram`` (``bot.fakes.telegram``) is a fake Bot API server for the end-to-end
tests; ``python -m bot.fakes.telegram [PORT]`` serves it by hand, playing one person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.fakes.telegram import FakeTelegram

__all__ = ["FakeTelegram"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m bot.fakes.telegram`` runs the module only once.
    if name == "FakeTelegram":
        from bot.fakes.telegram import FakeTelegram

        return FakeTelegram
    raise AttributeError(name)
