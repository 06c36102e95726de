"""``python -m bot`` runs the ``coproduce`` command."""

from bot.cli import main

raise SystemExit(main())
