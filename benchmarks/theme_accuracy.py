"""Theme tagging measured on the labelled sentences in ``tests/data/themes_labelled.tsv``.

Each row is ``split``, ``theme`` and ``text``: the theme a reader gives the sentence (its main
one) or ``none``. The ``dev`` half may be looked at while choosing examples, weights and the
threshold; the ``test`` half is only ever scored, and its score is what is reported.

Run ``python -m benchmarks.theme_accuracy`` (add ``dev`` for the development half).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "themes_labelled.tsv"
NONE = "none"


@dataclass(frozen=True)
class Labelled:
    split: str
    theme: str
    text: str


@dataclass(frozen=True)
class ThemeFigures:
    theme: str
    support: int  # sentences labelled with it
    predicted: int  # sentences whose first theme it is
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 0.0


@dataclass(frozen=True)
class Report:
    split: str
    total: int
    correct: int
    none_total: int
    none_untagged: int
    per_theme: tuple[ThemeFigures, ...]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    @property
    def none_untagged_rate(self) -> float:
        return self.none_untagged / self.none_total


def labelled(split: str | None = None, path: Path = LABELLED) -> list[Labelled]:
    """The labelled sentences, of one split or all."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = [
            Labelled(row["split"], row["theme"], row["text"])
            for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]
    return [row for row in rows if split is None or row.split == split]


def evaluate(
    tag: Callable[[str], Sequence[str]], rows: Sequence[Labelled], themes: Sequence[str]
) -> Report:
    """Top-1 accuracy: a sentence is right when its first theme (or none) is its label."""
    firsts = [(row, (list(tag(row.text)) or [NONE])[0]) for row in rows]
    per_theme = tuple(
        ThemeFigures(
            theme=theme,
            support=sum(row.theme == theme for row, _ in firsts),
            predicted=sum(first == theme for _, first in firsts),
            correct=sum(row.theme == theme == first for row, first in firsts),
        )
        for theme in [*themes, NONE]
    )
    return Report(
        split=rows[0].split if rows else "",
        total=len(firsts),
        correct=sum(row.theme == first for row, first in firsts),
        none_total=sum(row.theme == NONE for row, _ in firsts),
        none_untagged=sum(row.theme == NONE and first == NONE for row, first in firsts),
        per_theme=per_theme,
    )


def markdown(report: Report) -> list[str]:
    """The report as Markdown lines: the headline, then a per-theme table."""
    lines = [
        f"Top-1 accuracy on the {report.split} half: {report.correct}/{report.total} = "
        f"{report.accuracy:.1%}; `none` sentences left untagged: {report.none_untagged}/"
        f"{report.none_total} = {report.none_untagged_rate:.1%}",
        "",
        "| theme | sentences | tagged first | right | precision | recall |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {f.theme} | {f.support} | {f.predicted} | {f.correct} | {f.precision:.0%} | "
        f"{f.recall:.0%} |"
        for f in report.per_theme
    ]
    return lines


NEED = (
    "We can't get enough volunteers for the Saturday stay and play, and the funding bid "
    "for a paid coordinator was turned down because the tender paperwork was too much."
)
TAGS = 2000


def timing() -> str:
    """Median and p95 time of tagging one two-sentence need, as a Markdown table row."""
    import statistics
    import time

    from bot.config import Programme
    from bot.theme_tagging import tagger_for

    tagger = tagger_for(Programme())
    durations = []
    for _ in range(TAGS):
        started = time.perf_counter()
        tagger.tag(NEED)
        durations.append(time.perf_counter() - started)
    ordered = sorted(durations)
    return (
        f"| similarity theme tagging of one need (6 themes, {len(tagger.examples)} examples) "
        f"| {TAGS} | {statistics.median(ordered) * 1000:.2f} ms "
        f"| {ordered[int(TAGS * 0.95) - 1] * 1000:.2f} ms |"
    )


def section(split: str = "test") -> list[str]:
    """The accuracy report for ``split`` with the seed config, as Markdown lines."""
    from bot.config import Programme
    from bot.theme_tagging import tagger_for

    programme = Programme()
    tagger = tagger_for(programme)
    report = evaluate(tagger.tag, labelled(split), [theme.key for theme in programme.themes])
    return markdown(report)


def main(split: str = "test") -> None:
    print("\n".join(section(split)))
    print()
    print("| what | n | median | p95 |")
    print("| --- | --- | --- | --- |")
    print(timing())


if __name__ == "__main__":
    main(*sys.argv[1:2])
