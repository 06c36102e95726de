"""Theme tagging measured on labelled sentences: cross-validated on the development set, and
on a held-out test file that nothing was tuned on.

The development set is ``bot/theme_sentences.tsv`` (695 sentences by three writers, each with
its main theme or ``none`` and its ``origin``). The tagger learns from it, so its figure is
cross-validated: repeated stratified k-fold, a tagger fitted on the config's examples and k-1
folds, scored on the held-out fold (:func:`cross_validate`). :func:`cross_writer` leaves one
writer's sentences out, fits on the rest and scores the one left out, for each writer: the mean
is the honest guess at a new writer's figure. The test file (``tests/data/themes_test.tsv``,
header ``text`` and ``theme``) is written blind by someone new, who never saw the code, the
examples or the development sentences; it is scored with the seed config's tagger as shipped.
(The previous test file was scored once and is now development data, origin ``test2``.)

Run ``python -m benchmarks.theme_accuracy`` (``all``, the default: the development figures
and time per tag), ``... test`` (the test file) or ``... file PATH`` (any such file).
"""

from __future__ import annotations

import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import Programme
from bot.theme_tagging import Sentence, read_sentences, shipped_sentences, tagger_for

TEST = Path(__file__).resolve().parent.parent / "tests" / "data" / "themes_test.tsv"
NONE = "none"


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
    name: str
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
        return self.none_untagged / self.none_total if self.none_total else 0.0


def evaluate(
    tag: Callable[[str], Sequence[str]],
    rows: Sequence[Sentence],
    themes: Sequence[str],
    name: str,
) -> Report:
    """Top-1 accuracy: a sentence is right when its first theme (or none) is its label."""
    return _report(name, [(row, (list(tag(row.text)) or [NONE])[0]) for row in rows], themes)


def _report(name: str, firsts: Sequence[tuple[Sentence, str]], themes: Sequence[str]) -> Report:
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
        name=name,
        total=len(firsts),
        correct=sum(row.theme == first for row, first in firsts),
        none_total=sum(row.theme == NONE for row, _ in firsts),
        none_untagged=sum(row.theme == NONE and first == NONE for row, first in firsts),
        per_theme=per_theme,
    )


def markdown(report: Report) -> list[str]:
    """The report as Markdown lines: the headline, then a per-theme table."""
    lines = [
        f"Top-1 accuracy ({report.name}): {report.correct}/{report.total} = "
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


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    repeats: int
    fold_accuracies: tuple[float, ...]
    report: Report  # every sentence, pooled over the repeats, as its held-out fold tagged it

    @property
    def accuracy(self) -> float:
        return statistics.fmean(self.fold_accuracies)

    @property
    def spread(self) -> float:
        return statistics.pstdev(self.fold_accuracies)


def cross_validate(
    programme: Programme,
    rows: Sequence[Sentence],
    *,
    folds: int = 5,
    repeats: int = 2,
    seed: int = 14,
) -> CrossValidation:
    """Repeated stratified k-fold over ``rows``: fitted on the config and k-1 folds, scored
    on the held-out one."""
    themes = [theme.key for theme in programme.themes]
    shuffle = random.Random(seed)
    accuracies: list[float] = []
    pooled: list[tuple[Sentence, str]] = []
    for _ in range(repeats):
        fold_of = [0] * len(rows)
        for label in sorted({row.theme for row in rows}):
            members = [i for i, row in enumerate(rows) if row.theme == label]
            shuffle.shuffle(members)
            for position, i in enumerate(members):
                fold_of[i] = position % folds
        for fold in range(folds):
            train = [row for i, row in enumerate(rows) if fold_of[i] != fold]
            held = [row for i, row in enumerate(rows) if fold_of[i] == fold]
            tagger = tagger_for(programme, sentences=train)
            report = evaluate(tagger.tag, held, themes, "fold")
            accuracies.append(report.accuracy)
            pooled += [(row, (tagger.tag(row.text) or [NONE])[0]) for row in held]
    return CrossValidation(
        folds, repeats, tuple(accuracies), _report("cross-validated", pooled, themes)
    )


def cross_writer(programme: Programme, rows: Sequence[Sentence]) -> list[Report]:
    """For each origin (writer): fitted on the config and every other origin's sentences,
    scored on that origin's."""
    themes = [theme.key for theme in programme.themes]
    origins = sorted({row.origin for row in rows})
    reports = []
    for held in origins:
        train = [row for row in rows if row.origin != held]
        tagger = tagger_for(programme, sentences=train)
        test = [row for row in rows if row.origin == held]
        reports.append(evaluate(tagger.tag, test, themes, f"fitted without {held}, on {held}"))
    return reports


NEED = (
    "We can't get enough volunteers for the Saturday stay and play, and the funding bid "
    "for a paid coordinator was turned down because the tender paperwork was too much."
)
TAGS = 2000


def timing() -> str:
    """Median and p95 time of tagging one two-sentence need, as a Markdown table row."""
    import time

    tagger = tagger_for(Programme())
    durations = []
    for _ in range(TAGS):
        started = time.perf_counter()
        tagger.tag(NEED)
        durations.append(time.perf_counter() - started)
    ordered = sorted(durations)
    return (
        f"| theme tagging of one need (6 themes, {len(tagger.examples)} examples) "
        f"| {TAGS} | {statistics.median(ordered) * 1000:.2f} ms "
        f"| {ordered[int(TAGS * 0.95) - 1] * 1000:.2f} ms |"
    )


def fit_time() -> str:
    """How long building the seed config's tagger takes (the bot does it at start-up)."""
    import time

    tagger = tagger_for(Programme())
    # Start-up fits are cached for identical examples; a correction always fits anew.
    started = time.perf_counter()
    tagger.learn("We need a bigger hall for the Friday group", [])
    return f"Fitting the tagger (start-up, and each /retag): {time.perf_counter() - started:.2f} s"


def section() -> list[str]:
    """The development set's cross-validated and cross-writer reports, as Markdown lines."""
    programme = Programme()
    rows = shipped_sentences()
    cv = cross_validate(programme, rows)
    lines = [
        f"Cross-validated top-1 accuracy ({cv.repeats} x {cv.folds}-fold): {cv.accuracy:.1%} "
        f"(fold spread {cv.spread:.1%}, worst fold {min(cv.fold_accuracies):.1%})",
        "",
        *markdown(cv.report),
    ]
    writers = cross_writer(programme, rows)
    for report in writers:
        lines += ["", *markdown(report)[:1]]
    mean = statistics.fmean(report.accuracy for report in writers)
    lines += ["", f"Cross-writer top-1 accuracy (mean over {len(writers)} writers): {mean:.1%}"]
    return lines


def held_out(path: Path) -> list[str]:
    """The seed config's tagger, as shipped, on the sentences in ``path``."""
    programme = Programme()
    rows = read_sentences(path)
    themes = [theme.key for theme in programme.themes]
    return markdown(evaluate(tagger_for(programme).tag, rows, themes, path.name))


def main(mode: str = "all", path: str = "") -> None:
    if mode in ("test", "file"):
        file = TEST if mode == "test" else Path(path)
        if not file.is_file():
            sys.exit(
                f"theme_accuracy: no test set: {file} is missing. It holds held-out sentences "
                "(tab-separated, header text and theme) written blind by someone new, who has "
                "seen neither the code nor the development sentences; the previous test set is "
                "now development data (bot/theme_sentences.tsv, origin test2), so a new one "
                "must be written before this can be scored"
            )
        print("\n".join(held_out(file)))
        return
    print("\n".join(section()))
    print()
    print(fit_time())
    print()
    print("| what | n | median | p95 |")
    print("| --- | --- | --- | --- |")
    print(timing())


if __name__ == "__main__":
    main(*sys.argv[1:3])
