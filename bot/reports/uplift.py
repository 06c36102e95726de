"""Uplift: how many participants are more positive after the programme than before it.

The seed reports impact as "58% of the VCS and local authority participants were more
positive". This module produces that figure per sector group from plain answer rows: it pairs
each participant's before and after answers, counts who improved, and adds the mean change and
an exact sign test so a commissioner can tell a real shift from noise. People read it in words
(:func:`in_plain_words`: "likely a real change", "could be chance", "too few people to tell");
:func:`describe` keeps the exact figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Wave = Literal["before", "after"]
WAVES: tuple[Wave, ...] = ("before", "after")
SCALE = range(1, 6)
SCORES = frozenset(SCALE)
OTHER_GROUP = "Other"


@dataclass(frozen=True)
class SurveyAnswers:
    """One participant's answer set for one wave of the confidence survey."""

    user_id: int
    sector: str
    wave: Wave
    scores: Mapping[str, int]

    def __post_init__(self) -> None:
        # Bad rows are a bug upstream; a figure built on them would mislead a commissioner.
        if self.wave not in WAVES:
            raise ValueError(f"unknown survey wave {self.wave!r}")
        if not self.scores:
            raise ValueError("an answer set needs at least one score")
        if not SCORES.issuperset(self.scores.values()):  # checked for every answer set: quick
            outside = sorted(key for key, score in self.scores.items() if score not in SCALE)
            raise ValueError(f"scores outside 1 to 5 for: {', '.join(outside)}")


@dataclass(frozen=True)
class GroupSpec:
    """A report group: a name and the sector keys it gathers (programme.report_groups)."""

    name: str
    sectors: frozenset[str]


@dataclass(frozen=True)
class GroupUplift:
    """The before/after comparison for one report group.

    Figures are None when they cannot be computed: no pairs, or (for `sign_test_p`) no pair
    whose score moved. `item_means` maps each item to its (before, after) mean over the paired
    participants; an analysis of one item holds that item only.
    """

    name: str
    paired: int
    more_positive: int
    percent_more_positive: float | None
    mean_change: float | None
    sign_test_p: float | None
    unpaired_before: int
    unpaired_after: int
    item_means: Mapping[str, tuple[float | None, float | None]]
    less_positive: int = 0


@dataclass(frozen=True)
class _Participant:
    sector: str
    before: Mapping[str, int] | None
    after: Mapping[str, int] | None


def uplift(
    answers: Iterable[SurveyAnswers], groups: Sequence[GroupSpec], *, item: str | None = None
) -> list[GroupUplift]:
    """Compare each participant's after answers with their before answers, per group.

    With `item` None a participant is more positive when the mean of their after scores is
    above the mean of their before scores (each mean over the items answered in that wave);
    with an item key, when that item's score went up. A wave without that item counts as not
    answered. Ties are paired but neither more nor less positive. A participant is in every
    group naming their sector (the after answers' sector if the two differ, as it is the more
    recent); those in no group make a trailing "Other" group, present only if there are any.
    Raises ValueError for two answer sets of the same wave from one participant.
    """
    waves: dict[int, dict[Wave, SurveyAnswers]] = {}
    item_keys: dict[str, None] = {}  # an ordered set: items in the order first seen
    for answer in answers:
        seen = waves.setdefault(answer.user_id, {})
        if answer.wave in seen:
            raise ValueError(f"two {answer.wave!r} answer sets for one participant")
        seen[answer.wave] = answer
        if not item_keys.keys() >= answer.scores.keys():  # most answer sets repeat the items
            item_keys.update(dict.fromkeys(answer.scores))

    keys = list(item_keys) if item is None else [item]
    participants = [_participant(seen, item) for seen in waves.values()]
    results = [
        _summarise(group.name, [p for p in participants if p.sector in group.sectors], keys)
        for group in groups
    ]
    grouped = {sector for group in groups for sector in group.sectors}
    others = [p for p in participants if p.sector not in grouped]
    if others:
        results.append(_summarise(OTHER_GROUP, others, keys))
    return results


@dataclass(frozen=True)
class PersonChange:
    """One participant's before and after means, compared as :func:`uplift` compares them."""

    sector: str
    before_mean: Fraction
    after_mean: Fraction

    @property
    def change(self) -> Fraction:
        return self.after_mean - self.before_mean

    @property
    def more_positive(self) -> bool:
        return self.change > 0


def person_change(
    seen: Mapping[Wave, SurveyAnswers], *, item: str | None = None
) -> PersonChange | None:
    """One participant's pair under :func:`uplift`'s rules (the exports list them one by one);
    None unless both waves are answered (with ``item``, both answered it)."""
    participant = _participant(seen, item)
    if participant.before is None or participant.after is None:
        return None
    return PersonChange(
        participant.sector, _mean_score(participant.before), _mean_score(participant.after)
    )


def group_names(sector: str, groups: Sequence[GroupSpec]) -> list[str]:
    """The report groups a participant of ``sector`` counts in: each naming it, else "Other"."""
    return [group.name for group in groups if sector in group.sectors] or [OTHER_GROUP]


def _participant(seen: Mapping[Wave, SurveyAnswers], item: str | None) -> _Participant:
    latest = seen["after"] if "after" in seen else seen["before"]
    return _Participant(
        latest.sector, _answered(seen.get("before"), item), _answered(seen.get("after"), item)
    )


def _answered(answers: SurveyAnswers | None, item: str | None) -> Mapping[str, int] | None:
    if answers is None or (item is not None and item not in answers.scores):
        return None
    return answers.scores if item is None else {item: answers.scores[item]}


def _summarise(
    name: str, members: Sequence[_Participant], item_keys: Sequence[str]
) -> GroupUplift:
    pairs = [(p.before, p.after) for p in members if p.before is not None and p.after is not None]
    # Exact, so a participant whose mean did not move is a tie, not a rounding error: a change
    # is after_sum / after_count - before_sum / before_count, over after_count * before_count
    # in whole numbers. Its sign needs no fraction, and the changes are summed per
    # denominator (a handful: the item counts), as fractions only at the end.
    more = less = 0
    numerators: dict[int, int] = {}
    for before, after in pairs:
        before_count, after_count = len(before), len(after)
        numerator = sum(after.values()) * before_count - sum(before.values()) * after_count
        more += numerator > 0
        less += numerator < 0
        denominator = before_count * after_count
        numerators[denominator] = numerators.get(denominator, 0) + numerator
    total = sum((Fraction(n, d) for d, n in numerators.items()), Fraction(0))
    paired = len(pairs)
    return GroupUplift(
        name=name,
        paired=paired,
        more_positive=more,
        percent_more_positive=100 * more / paired if paired else None,
        mean_change=float(total / paired) if paired else None,
        sign_test_p=sign_test_p(more, less) if more + less else None,
        unpaired_before=sum(p.before is not None and p.after is None for p in members),
        unpaired_after=sum(p.before is None and p.after is not None for p in members),
        item_means={
            key: (
                _mean([before[key] for before, _ in pairs if key in before]),
                _mean([after[key] for _, after in pairs if key in after]),
            )
            for key in item_keys
        },
        less_positive=less,
    )


def _mean_score(scores: Mapping[str, int]) -> Fraction:
    return Fraction(sum(scores.values()), len(scores))


def _mean(scores: Sequence[int]) -> float | None:
    return sum(scores) / len(scores) if scores else None


def sign_test_p(positives: int, negatives: int) -> float:
    """Exact two-sided sign test: the chance of a split at least this uneven if nothing changed.

    Ties are left out by the caller. With no untied pairs there is no evidence either way,
    so the answer is 1.0.
    """
    if positives < 0 or negatives < 0:
        raise ValueError("counts cannot be negative")
    n = positives + negatives
    # The binomial coefficients C(n, 0..k) each from the one before: one product a term, where
    # computing each afresh costs a tenth of a second a group at a few thousand pairs.
    term = tail = 1
    for k in range(min(positives, negatives)):
        term = term * (n - k) // (k + 1)
        tail += term
    return min(1.0, 2 * tail / (1 << n))  # whole numbers divided: the float nearest the exact p


def whole_percent(part: int, whole: int) -> int:
    """`part` of `whole` as a whole percentage, halves rounded up (14 of 24 is 58, 7 of 11 is 64).

    Integer arithmetic, so 1 of 8 is 13 where round(12.5) would give 12.
    """
    if whole <= 0:
        raise ValueError("whole must be positive")
    return (200 * part + whole) // (2 * whole)


def too_few(people: int, *, min_group_size: int | None) -> bool:
    """Disclosure control: whether a count of people is shown only as "fewer than N": some
    people, but fewer than ``min_group_size`` (None: no control). None at all hides no one."""
    return min_group_size is not None and 0 < people < min_group_size


def shown(people: int, *, min_group_size: int | None) -> str:
    """A count of people as it may be shown: the number, or "fewer than N"."""
    return (
        f"fewer than {min_group_size}"
        if too_few(people, min_group_size=min_group_size)
        else str(people)
    )


def is_withheld(group: GroupUplift, *, min_group_size: int | None) -> bool:
    """Whether disclosure control hides this group's figures: some pairs, but too few."""
    return too_few(group.paired, min_group_size=min_group_size)


def describe(group: GroupUplift, *, min_group_size: int | None) -> str:
    """One phone-readable line for a group, with figures only if disclosure control allows."""
    details: list[str] = []
    if group.paired == 0:
        headline = "no one has answered both surveys yet"
    elif is_withheld(group, min_group_size=min_group_size):
        headline = f"fewer than {min_group_size} paired participants"
    else:
        headline = f"{whole_percent(group.more_positive, group.paired)}% more positive"
        details.append(f"{group.more_positive} of {group.paired} paired")
        if group.mean_change is not None:
            details.append(f"mean change {_signed(group.mean_change)}")
        if group.sign_test_p is None:
            details.append("no one's score changed")
        else:
            details.append(f"sign test p {_p_value(group.sign_test_p)}")
    if group.unpaired_before:
        details.append(f"{group.unpaired_before} answered only the before survey")
    if group.unpaired_after:
        details.append(f"{group.unpaired_after} answered only the after survey")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{group.name}: {headline}{suffix}"


# The sign test's usual bar: a split this uneven would happen by chance less than 1 in 20 times.
SIGNIFICANT = 0.05
# With fewer people whose answers moved, even all of them moving one way could be chance.
FEWEST_TO_TELL = next(n for n in range(1, 100) if sign_test_p(n, 0) < SIGNIFICANT)


def verdict(group: GroupUplift) -> str:
    """The sign test in words: "likely a real change", "could be chance", or too few to tell."""
    moved = group.more_positive + group.less_positive
    if moved == 0:
        return "no one's answers changed"
    if moved < FEWEST_TO_TELL:
        return "too few people to tell if this is a real change"
    if group.sign_test_p is not None and group.sign_test_p < SIGNIFICANT:
        return "likely a real change"
    return "could be chance"


def counted_people(count: int) -> str:
    """How many people, in words that read right for one: "1 person", "3 people"."""
    return f"{count} {'person' if count == 1 else 'people'}"


def in_plain_words(group: GroupUplift, *, min_group_size: int | None) -> str:
    """A group's result for a programme coordinator on a phone: no statistics jargon.

    "VCS: 15 of 26 people (58%) felt more positive after the programme than before. Likely a
    real change." The exact figures (mean change, the sign test's p) are in :func:`describe`.
    """
    if group.paired == 0:
        sentences = ["no one has answered both surveys yet."]
    elif is_withheld(group, min_group_size=min_group_size):
        sentences = [
            f"fewer than {min_group_size} people have answered both surveys: too few to show "
            "without risk of identifying someone."
        ]
    else:
        percent = whole_percent(group.more_positive, group.paired)
        sentences = [
            f"{group.more_positive} of {counted_people(group.paired)} ({percent}%) felt more "
            "positive after the programme than before.",
            verdict(group).capitalize() + ".",
        ]
        if group.less_positive:
            sentences.append(f"{counted_people(group.less_positive)} felt less positive.")
    waiting = []
    if group.unpaired_before:
        waiting.append(f"{counted_people(group.unpaired_before)} answered only the before survey")
    if group.unpaired_after:
        waiting.append(f"{counted_people(group.unpaired_after)} answered only the after survey")
    if waiting:
        sentences.append(" and ".join(waiting).capitalize() + ".")
    return f"{group.name}: " + " ".join(sentences)


def _signed(change: float) -> str:
    text = f"{change:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _p_value(p: float) -> str:
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.01 else f"= {p:.2f}"
