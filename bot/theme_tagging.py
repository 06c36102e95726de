"""The programme's theme tagger, built from the config, the labelled sentences shipped with
coproduce and the examples learned so far.

No ``telegram`` here: the bot, the CLI (``coproduce tag``) and the benchmarks build it alike.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.config import Programme
from conversations.themes import NO_THEME, Example, ThemeTagger

SENTENCES = Path(__file__).with_name("theme_sentences.tsv")
"""695 sentences written the way members write, each labelled with its main seed theme or
``none``, by three writers: 240 written first (``origin`` "labelled"), 210 later by someone who
had seen neither the tagger nor its examples ("blind"), and 245 by a third who had seen no code
("test2": the first held-out test set, scored once and then made development data)."""


@dataclass(frozen=True)
class Sentence:
    """A sentence and its label: a theme key, or ``none``."""

    text: str
    theme: str
    origin: str


def read_sentences(path: Path) -> list[Sentence]:
    """The rows of a tab-separated file whose header names ``text`` and ``theme`` (and
    optionally ``origin``; the file's name when it does not)."""
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Sentence(row["text"], row["theme"], row.get("origin") or path.stem)
            for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


@cache
def shipped_sentences() -> tuple[Sentence, ...]:
    """The labelled sentences shipped with coproduce (:data:`SENTENCES`)."""
    return tuple(read_sentences(SENTENCES))


def tagger_for(
    programme: Programme,
    learned: Iterable[tuple[str, Sequence[str]] | Example] = (),
    *,
    sentences: Iterable[Sentence] | None = None,
) -> ThemeTagger:
    """A tagger for ``programme``'s themes, knowing ``learned`` examples too.

    ``learned`` is what :meth:`storage.themes.ThemeExampleStore.all` returns (oldest first),
    so an installation's ``/retag`` corrections keep counting after a restart. ``sentences``
    are labelled sentences to learn from (default: the shipped ones, unless the config's
    ``labelled_sentences`` is off); those labelled with a theme the programme lacks are left out.
    """
    settings = programme.theme_tagging
    if sentences is None:
        sentences = shipped_sentences() if settings.labelled_sentences else ()
    keys = {theme.key for theme in programme.themes}
    labelled = [
        Example(s.text, () if s.theme == NO_THEME else (s.theme,), "labelled")
        for s in sentences
        if s.theme in keys or s.theme == NO_THEME
    ]
    return ThemeTagger(
        programme.themes,
        learned,
        none_examples=settings.none_examples,
        labelled=labelled,
        min_score=settings.min_score,
    )
