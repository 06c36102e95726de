"""Theme tagging measured on the labelled sentences in ``tests/data/themes_labelled.tsv``.

Each row is ``split``, ``theme`` and ``text``: the theme a reader gives the sentence (its main
one) or ``none``. The old ``dev``/``test`` split is kept in the file but no longer matters:
all 240 sentences are development data, and what is reported is a cross-validated figure.

The tagger's knowledge is the config's example sentences (none taken from this file); what
is tuned on the labelled sentences is the threshold and the weight of the no-theme examples.
:func:`cross_validate` measures that honestly: repeated stratified k-fold, choosing both on
the training folds only (from :data:`THRESHOLDS` and :data:`NONE_WEIGHTS`) and scoring the
held-out fold with them.

Run ``python -m benchmarks.theme_accuracy`` (``all``, the default, or ``dev``/``test``).
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conversations.themes import Explanation, ThemeTagger

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "themes_labelled.tsv"
BLIND = LABELLED.with_name("themes_blind.tsv")
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


def blind_set(path: Path = BLIND) -> list[Labelled]:
    """The held-out sentences, written without seeing the tagger or its examples."""
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Labelled("blind", row["theme"], row["text"])
            for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def evaluate(
    tag: Callable[[str], Sequence[str]], rows: Sequence[Labelled], themes: Sequence[str]
) -> Report:
    """Top-1 accuracy: a sentence is right when its first theme (or none) is its label."""
    firsts = [(row, (list(tag(row.text)) or [NONE])[0]) for row in rows]
    splits = {row.split for row in rows}
    return _report(splits.pop() if len(splits) == 1 else "all", firsts, themes)


def _report(split: str, firsts: Sequence[tuple[Labelled, str]], themes: Sequence[str]) -> Report:
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
        split=split,
        total=len(firsts),
        correct=sum(row.theme == first for row, first in firsts),
        none_total=sum(row.theme == NONE for row, _ in firsts),
        none_untagged=sum(row.theme == NONE and first == NONE for row, first in firsts),
        per_theme=per_theme,
    )


def markdown(report: Report) -> list[str]:
    """The report as Markdown lines: the headline, then a per-theme table."""
    lines = [
        f"Top-1 accuracy ({report.split}): {report.correct}/{report.total} = "
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


THRESHOLDS = (0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3)
NONE_WEIGHTS = (1.0, 1.1, 1.2, 1.3, 1.4)


def first_theme(explanation: Explanation, threshold: float, none_weight: float) -> str:
    """The first theme (or none) :meth:`ThemeTagger.tag` gives with these two settings."""
    from conversations.themes import NONE_WEIGHT

    if explanation.duplicate_of is not None:
        return (list(explanation.themes) or [NONE])[0]
    top = explanation.scores[0]
    none = explanation.none
    if none is not None and none.score / NONE_WEIGHT * none_weight >= top.score:
        return NONE
    return top.key if top.score >= threshold else NONE


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    repeats: int
    fold_accuracies: tuple[float, ...]
    chosen: tuple[tuple[float, float], ...]  # (threshold, none weight) chosen per fold
    report: Report  # every sentence, pooled over the repeats, as its held-out fold tagged it

    @property
    def accuracy(self) -> float:
        return statistics.fmean(self.fold_accuracies)

    @property
    def spread(self) -> float:
        return statistics.pstdev(self.fold_accuracies)


def cross_validate(
    tagger: ThemeTagger,
    rows: Sequence[Labelled],
    themes: Sequence[str],
    *,
    folds: int = 5,
    repeats: int = 4,
    seed: int = 14,
) -> CrossValidation:
    """Repeated stratified k-fold over ``rows``: settings chosen on k-1 folds, scored on one.

    Ties between settings go to the one nearest the tagger's own (its threshold and
    :data:`~conversations.themes.NONE_WEIGHT`).
    """
    from conversations.themes import NONE_WEIGHT

    explanations = [tagger.explain(row.text) for row in rows]
    settings = [(t, w) for t in THRESHOLDS for w in NONE_WEIGHTS]
    right = {
        setting: [
            first_theme(e, *setting) == row.theme
            for e, row in zip(explanations, rows, strict=True)
        ]
        for setting in settings
    }

    def distance(setting: tuple[float, float]) -> float:
        return abs(setting[0] - tagger.threshold) + abs(setting[1] - NONE_WEIGHT) / 4

    shuffle = random.Random(seed)
    accuracies: list[float] = []
    chosen: list[tuple[float, float]] = []
    pooled: list[tuple[Labelled, str]] = []
    for _ in range(repeats):
        fold_of = [0] * len(rows)
        for label in sorted({row.theme for row in rows}):
            members = [i for i, row in enumerate(rows) if row.theme == label]
            shuffle.shuffle(members)
            for position, i in enumerate(members):
                fold_of[i] = position % folds
        for fold in range(folds):
            train = [i for i in range(len(rows)) if fold_of[i] != fold]
            held = [i for i in range(len(rows)) if fold_of[i] == fold]
            best = max(settings, key=lambda s: (sum(right[s][i] for i in train), -distance(s)))
            chosen.append(best)
            accuracies.append(sum(right[best][i] for i in held) / len(held))
            pooled += [(rows[i], first_theme(explanations[i], *best)) for i in held]
    return CrossValidation(
        folds,
        repeats,
        tuple(accuracies),
        tuple(chosen),
        _report("cross-validated", pooled, themes),
    )


NEED = (
    "We can't get enough volunteers for the Saturday stay and play, and the funding bid "
    "for a paid coordinator was turned down because the tender paperwork was too much."
)
TAGS = 2000


def timing() -> str:
    """Median and p95 time of tagging one two-sentence need, as a Markdown table row."""
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


def section(split: str = "all") -> list[str]:
    """The cross-validated report and the seed config's own figures, as Markdown lines."""
    from bot.config import Programme
    from bot.theme_tagging import tagger_for

    programme = Programme()
    tagger = tagger_for(programme)
    keys = [theme.key for theme in programme.themes]
    rows = labelled(None if split == "all" else split)
    cv = cross_validate(tagger, rows, keys)
    return [
        f"Cross-validated top-1 accuracy ({cv.repeats} x {cv.folds}-fold, threshold and "
        f"none weight chosen on the training folds): {cv.accuracy:.1%} "
        f"(fold spread {cv.spread:.1%}, worst fold {min(cv.fold_accuracies):.1%})",
        "",
        *markdown(cv.report),
        "",
        "With the seed config's own settings "
        f"(threshold {tagger.threshold}), on the same sentences:",
        "",
        *markdown(evaluate(tagger.tag, rows, keys)),
    ]


def blind() -> list[str]:
    """The seed config's tagger on the blind set: the figure that says how it generalises."""
    from bot.config import Programme
    from bot.theme_tagging import tagger_for

    programme = Programme()
    tagger = tagger_for(programme)
    return markdown(evaluate(tagger.tag, blind_set(), [t.key for t in programme.themes]))


def main(split: str = "all") -> None:
    if split == "blind":
        print("\n".join(blind()))
        return
    print("\n".join(section(split)))
    print()
    print("| what | n | median | p95 |")
    print("| --- | --- | --- | --- |")
    print(timing())


if __name__ == "__main__":
    main(*sys.argv[1:2])
