"""``python -m bot.cli`` is the same as the ``cadrebot`` command."""

from bot.cli import main

raise SystemExit(main())
