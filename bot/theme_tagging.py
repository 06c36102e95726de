"""The programme's theme tagger, built from the config and the examples learned so far.

No ``telegram`` here: the bot, the CLI (``coproduce tag``) and the benchmarks build it alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.config import Programme
from conversations.themes import Example, ThemeTagger


def tagger_for(
    programme: Programme, learned: Iterable[tuple[str, Sequence[str]] | Example] = ()
) -> ThemeTagger:
    """A tagger for ``programme``'s themes, knowing ``learned`` examples too.

    ``learned`` is what :meth:`storage.themes.ThemeExampleStore.all` returns (oldest first),
    so an installation's ``/retag`` corrections keep counting after a restart.
    """
    settings = programme.theme_tagging
    return ThemeTagger(
        programme.themes,
        learned,
        none_examples=settings.none_examples,
        threshold=settings.threshold,
    )
