"""The completion funnel of one form: how many people started it, reached each step and
submitted it, and the step where most of those who stop do so.

Plain functions over plain data (each person's reached steps and whether they submitted), so
the figures are tested without Telegram or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.reports.uplift import shown, too_few

__all__ = ["Funnel", "Progress", "Step", "StepFigures", "funnel", "where_people_stop"]


@dataclass(frozen=True)
class Step:
    """A step of the form, in order: its key and the label people know it by."""

    key: str
    label: str


@dataclass(frozen=True)
class Progress:
    """One person's way through the form: the step keys they were asked, and if they sent it;
    ``people`` of them when several went exactly the same way (counted together in SQL)."""

    reached: frozenset[str]
    submitted: bool
    people: int = 1


@dataclass(frozen=True)
class StepFigures:
    """How many people reached the step, and how many of those went no further."""

    step: Step
    reached: int
    stopped_here: int


@dataclass(frozen=True)
class Funnel:
    started: int
    steps: tuple[StepFigures, ...]
    submitted: int

    @property
    def stopped(self) -> int:
        """People who started and have not submitted (yet)."""
        return self.started - self.submitted

    @property
    def biggest_stop(self) -> StepFigures | None:
        """The step most of those who stop stop at (the earliest, on a tie); None if no one
        has stopped."""
        most = max((figures.stopped_here for figures in self.steps), default=0)
        return next((f for f in self.steps if f.stopped_here == most), None) if most else None


def funnel(steps: Sequence[Step], people: Iterable[Progress]) -> Funnel:
    """The funnel of a form with ``steps`` (in order) over each person's progress.

    A person who has not submitted stopped at the last step (in the form's order) they
    reached. Steps the form no longer has are ignored; someone who reached none of its steps
    and did not submit has not started it.
    """
    order = {step.key: index for index, step in enumerate(steps)}
    reached = [0] * len(steps)
    stopped = [0] * len(steps)
    started = submitted = 0
    for person in people:
        known = sorted(order[key] for key in person.reached if key in order)
        if not known and not person.submitted:
            continue
        started += person.people
        for index in known:
            reached[index] += person.people
        if person.submitted:
            submitted += person.people
        else:
            stopped[known[-1]] += person.people
    return Funnel(
        started=started,
        steps=tuple(
            StepFigures(step, reached[index], stopped[index]) for index, step in enumerate(steps)
        ),
        submitted=submitted,
    )


def where_people_stop(form: Funnel, *, min_group_size: int | None = None) -> str:
    """In words: "Most people who stop do so at 'Evidence' (5 of 12)." With
    ``min_group_size``, counts of fewer people than that are withheld."""
    stop = form.biggest_stop
    if stop is None:
        return "No one has stopped part-way." if form.started else "No one has started it yet."
    if too_few(form.stopped, min_group_size=min_group_size):
        return f"Fewer than {min_group_size} people have stopped part-way: too few to say where."
    return (
        f"Most people who stop do so at '{stop.step.label}' "
        f"({shown(stop.stopped_here, min_group_size=min_group_size)} of {form.stopped})."
    )
