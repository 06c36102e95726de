"""Uplift: the seed's "58% ... and 64% ... more positive" figures from plain answer rows."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Programme
from bot.reports.uplift import (
    FEWEST_TO_TELL,
    OTHER_GROUP,
    GroupSpec,
    GroupUplift,
    SurveyAnswers,
    describe,
    in_plain_words,
    is_withheld,
    sign_test_p,
    uplift,
    verdict,
    whole_percent,
)

GROUPS = [
    GroupSpec("VCS and local authority", frozenset({"vcs", "local_authority"})),
    GroupSpec("Children's centres", frozenset({"childrens_centre"})),
]
ITEMS = ("voice_need", "positive_about_challenges")


def scores(*values: int) -> dict[str, int]:
    return dict(zip(ITEMS, values, strict=True))


def person(
    user_id: int,
    sector: str,
    before: Mapping[str, int] | None,
    after: Mapping[str, int] | None,
) -> list[SurveyAnswers]:
    rows = []
    if before is not None:
        rows.append(SurveyAnswers(user_id, sector, "before", before))
    if after is not None:
        rows.append(SurveyAnswers(user_id, sector, "after", after))
    return rows


def knowsley() -> list[SurveyAnswers]:
    """40 at the workshop: 24 VCS and LA and 11 children's centre people paired, 5 before only."""
    rows: list[SurveyAnswers] = []
    uid = iter(range(1, 100))
    # VCS and local authority: 14 up, 6 the same, 4 down.
    for n, sector in enumerate(["vcs"] * 16 + ["local_authority"] * 8):
        after = scores(4, 4) if n < 14 else scores(3, 3) if n < 20 else scores(2, 3)
        rows += person(next(uid), sector, scores(3, 3), after)
    # Children's centres: 7 up, 2 the same, 2 down.
    for n in range(11):
        after = scores(3, 4) if n < 7 else scores(2, 2) if n < 9 else scores(1, 2)
        rows += person(next(uid), "childrens_centre", scores(2, 2), after)
    for sector in ["vcs", "vcs", "local_authority", "childrens_centre", "childrens_centre"]:
        rows += person(next(uid), sector, scores(3, 3), None)
    return rows


def test_the_seed_figures_58_and_64_percent() -> None:
    vcs_la, centres = uplift(knowsley(), GROUPS)

    assert (vcs_la.paired, vcs_la.more_positive, vcs_la.unpaired_before) == (24, 14, 3)
    assert vcs_la.percent_more_positive == pytest.approx(100 * 14 / 24)
    assert vcs_la.sign_test_p == sign_test_p(14, 4)
    assert vcs_la.mean_change == pytest.approx((14 * 1 + 4 * -0.5) / 24)
    assert list(vcs_la.item_means) == list(ITEMS)
    assert vcs_la.item_means["voice_need"] == pytest.approx((3, (14 * 4 + 6 * 3 + 4 * 2) / 24))
    assert vcs_la.item_means["positive_about_challenges"] == pytest.approx((3, 86 / 24))
    assert (centres.paired, centres.more_positive, centres.unpaired_before) == (11, 7, 2)
    assert centres.unpaired_after == vcs_la.unpaired_after == 0

    assert describe(vcs_la, min_group_size=5) == (
        "VCS and local authority: 58% more positive (14 of 24 paired; mean change +0.50; "
        "sign test p = 0.03; 3 answered only the before survey)"
    )
    assert describe(centres, min_group_size=5) == (
        "Children's centres: 64% more positive (7 of 11 paired; mean change +0.86; "
        "sign test p = 0.18; 2 answered only the before survey)"
    )


def test_the_seed_figures_in_plain_words() -> None:
    vcs_la, centres = uplift(knowsley(), GROUPS)

    assert in_plain_words(vcs_la, min_group_size=5) == (
        "VCS and local authority: 14 of 24 people (58%) felt more positive after the programme "
        "than before. Likely a real change. 4 people felt less positive. 3 people answered only "
        "the before survey."
    )
    assert in_plain_words(centres, min_group_size=5).startswith(
        "Children's centres: 7 of 11 people (64%) felt more positive after the programme than "
        "before. Could be chance."
    )


def test_plain_words_say_when_there_are_too_few_to_tell_or_to_show() -> None:
    five_up = [row for uid in range(5) for row in person(uid, "vcs", scores(1, 1), scores(5, 5))]
    six_up = five_up + person(6, "vcs", scores(1, 1), scores(5, 5))

    vcs_la, centres = uplift(five_up, GROUPS)
    # Even five out of five could be chance (p = 0.0625): the words say so.
    assert in_plain_words(vcs_la, min_group_size=5).endswith(
        "Too few people to tell if this is a real change."
    )
    assert in_plain_words(vcs_la, min_group_size=6) == (
        "VCS and local authority: fewer than 6 people have answered both surveys: too few to "
        "show without risk of identifying someone."
    )
    assert in_plain_words(centres, min_group_size=5) == (
        "Children's centres: no one has answered both surveys yet."
    )
    assert verdict(uplift(six_up, GROUPS)[0]) == "likely a real change"
    assert FEWEST_TO_TELL == 6
    for text in (in_plain_words(g, min_group_size=5) for g in uplift(six_up, GROUPS)):
        assert "p =" not in text
        assert "paired" not in text


def test_one_item_can_be_analysed_on_its_own() -> None:
    # Mean up, but the item that asks about the key challenges went down, and the reverse.
    rows = person(1, "vcs", scores(2, 4), scores(5, 3)) + person(
        2, "vcs", scores(4, 2), scores(2, 3)
    )
    # Answered the item before, not after: unpaired for this item.
    rows += person(3, "vcs", scores(3, 3), {"voice_need": 4})

    overall, _ = uplift(rows, GROUPS)
    assert (overall.paired, overall.more_positive, overall.unpaired_before) == (3, 2, 0)

    item, centres = uplift(rows, GROUPS, item="positive_about_challenges")
    assert (item.paired, item.more_positive, item.unpaired_before) == (2, 1, 1)
    assert item.mean_change == pytest.approx(0.0)
    assert item.sign_test_p == 1.0
    assert item.item_means == {"positive_about_challenges": (3.0, 3.0)}
    assert centres.item_means == {"positive_about_challenges": (None, None)}


def test_no_answers_at_all() -> None:
    results = uplift([], GROUPS)

    assert [r.name for r in results] == [g.name for g in GROUPS]
    for result in results:
        assert result == GroupUplift(result.name, 0, 0, None, None, None, 0, 0, {})
        assert describe(result, min_group_size=5) == (
            f"{result.name}: no one has answered both surveys yet"
        )


def test_no_pairs_yet_but_some_answered_one_survey() -> None:
    rows = person(1, "vcs", scores(3, 3), None) + person(2, "local_authority", None, scores(4, 4))

    vcs_la, _ = uplift(rows, GROUPS)

    assert (vcs_la.paired, vcs_la.unpaired_before, vcs_la.unpaired_after) == (0, 1, 1)
    assert vcs_la.item_means == {
        "voice_need": (None, None),
        "positive_about_challenges": (None, None),
    }
    assert describe(vcs_la, min_group_size=5) == (
        "VCS and local authority: no one has answered both surveys yet "
        "(1 answered only the before survey; 1 answered only the after survey)"
    )


def test_all_scores_the_same_is_zero_percent_with_no_sign_test() -> None:
    rows = [row for uid in range(6) for row in person(uid, "vcs", scores(3, 4), scores(4, 3))]

    vcs_la, _ = uplift(rows, GROUPS)

    assert (vcs_la.paired, vcs_la.more_positive, vcs_la.percent_more_positive) == (6, 0, 0.0)
    assert vcs_la.mean_change == 0.0
    assert vcs_la.sign_test_p is None
    assert describe(vcs_la, min_group_size=5) == (
        "VCS and local authority: 0% more positive "
        "(0 of 6 paired; mean change 0.00; no one's score changed)"
    )


def test_one_group_empty_and_the_other_reported() -> None:
    rows = [row for uid in range(5) for row in person(uid, "vcs", scores(1, 1), scores(5, 5))]

    vcs_la, centres = uplift(rows, GROUPS)

    assert (vcs_la.paired, vcs_la.more_positive, vcs_la.sign_test_p) == (5, 5, 0.0625)
    assert describe(vcs_la, min_group_size=5).startswith("VCS and local authority: 100% more")
    assert (centres.paired, centres.unpaired_before, centres.unpaired_after) == (0, 0, 0)
    assert centres.mean_change is centres.percent_more_positive is centres.sign_test_p is None


def test_participants_in_no_group_are_reported_as_other_last() -> None:
    rows = person(1, "other", scores(1, 1), scores(2, 2)) + person(2, "vcs", scores(1, 1), None)

    results = uplift(rows, GROUPS)

    assert [r.name for r in results] == [*(g.name for g in GROUPS), OTHER_GROUP]
    assert (results[-1].paired, results[-1].more_positive) == (1, 1)
    assert [r.name for r in uplift(rows[2:], GROUPS)] == [g.name for g in GROUPS]


def test_a_participant_counts_in_every_group_naming_their_sector() -> None:
    rows = person(1, "vcs", scores(1, 1), scores(2, 2))
    everyone = GroupSpec("Everyone", frozenset({"vcs", "childrens_centre", "local_authority"}))

    results = uplift(rows, [*GROUPS, everyone])

    assert [r.paired for r in results] == [1, 0, 1]


def test_the_after_sector_counts_when_a_participant_moved() -> None:
    rows = [
        SurveyAnswers(1, "vcs", "before", scores(1, 1)),
        SurveyAnswers(1, "childrens_centre", "after", scores(2, 2)),
    ]

    vcs_la, centres = uplift(rows, GROUPS)

    assert (vcs_la.paired, centres.paired) == (0, 1)


def test_two_answer_sets_for_one_wave_are_refused() -> None:
    rows = person(1, "vcs", scores(1, 1), None) * 2

    with pytest.raises(ValueError, match="two 'before' answer sets"):
        uplift(rows, GROUPS)


@pytest.mark.parametrize(
    ("wave", "given", "message"),
    [
        ("during", {"a": 3}, "unknown survey wave"),
        ("before", {}, "at least one score"),
        ("after", {"a": 0, "b": 6, "c": 5}, "outside 1 to 5 for: a, b"),
    ],
)
def test_bad_answer_sets_are_refused(wave: str, given: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SurveyAnswers(1, "vcs", wave, given)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("positives", "negatives", "expected"),
    [
        (9, 1, 0.021484375),
        (1, 9, 0.021484375),
        (10, 0, 0.001953125),
        (14, 10, 2 * sum(comb(24, k) for k in range(11)) / 2**24),
        (7, 4, 0.548828125),
        (5, 5, 1.0),
        (1, 0, 1.0),
        (0, 0, 1.0),
    ],
)
def test_sign_test_against_binomial_tables(
    positives: int, negatives: int, expected: float
) -> None:
    assert sign_test_p(positives, negatives) == expected


def test_sign_test_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        sign_test_p(-1, 3)


@given(st.integers(0, 400), st.integers(0, 400))
def test_sign_test_is_a_probability_and_symmetric(positives: int, negatives: int) -> None:
    p = sign_test_p(positives, negatives)

    assert 0.0 <= p <= 1.0
    assert p == sign_test_p(negatives, positives)
    # A more lopsided split is never less surprising.
    if positives >= negatives:
        assert sign_test_p(positives + 1, negatives) <= p


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(14, 24, 58), (7, 11, 64), (1, 8, 13), (0, 5, 0), (5, 5, 100), (1, 3, 33), (2, 3, 67)],
)
def test_whole_percent_rounds_halves_up(part: int, whole: int, percent: int) -> None:
    assert whole_percent(part, whole) == percent


def test_whole_percent_needs_a_whole() -> None:
    with pytest.raises(ValueError, match="positive"):
        whole_percent(0, 0)


def group(paired: int, more: int, **changes: object) -> GroupUplift:
    fields: dict[str, object] = {
        "name": "Children's centres",
        "paired": paired,
        "more_positive": more,
        "percent_more_positive": 100 * more / paired if paired else None,
        "mean_change": 0.25 if paired else None,
        "sign_test_p": sign_test_p(more, paired - more) if paired else None,
        "unpaired_before": 0,
        "unpaired_after": 0,
        "item_means": {},
    }
    return GroupUplift(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("summary", "min_group_size", "line"),
    [
        (group(4, 4), 5, "Children's centres: fewer than 5 paired participants"),
        (
            group(4, 3, unpaired_after=2),
            5,
            "Children's centres: fewer than 5 paired participants "
            "(2 answered only the after survey)",
        ),
        (
            group(5, 4),
            5,
            "Children's centres: 80% more positive "
            "(4 of 5 paired; mean change +0.25; sign test p = 0.38)",
        ),
        (
            group(4, 4),
            None,
            "Children's centres: 100% more positive "
            "(4 of 4 paired; mean change +0.25; sign test p = 0.12)",
        ),
        (group(0, 0), 5, "Children's centres: no one has answered both surveys yet"),
        (
            group(40, 38, mean_change=-0.004),
            5,
            "Children's centres: 95% more positive "
            "(38 of 40 paired; mean change 0.00; sign test p < 0.001)",
        ),
        (
            group(12, 11, mean_change=-0.5),
            5,
            "Children's centres: 92% more positive "
            "(11 of 12 paired; mean change -0.50; sign test p = 0.006)",
        ),
    ],
)
def test_describe(summary: GroupUplift, min_group_size: int | None, line: str) -> None:
    assert describe(summary, min_group_size=min_group_size) == line


def test_withheld_only_when_some_but_too_few_pairs() -> None:
    assert is_withheld(group(4, 1), min_group_size=5)
    assert not is_withheld(group(5, 1), min_group_size=5)
    assert not is_withheld(group(0, 0), min_group_size=5)
    assert not is_withheld(group(1, 1), min_group_size=None)


def test_the_default_report_groups_fit_the_api() -> None:
    groups = [GroupSpec(g.name, frozenset(g.sectors)) for g in Programme().report_groups]

    assert groups == GROUPS


answer_sets = st.lists(
    st.builds(
        SurveyAnswers,
        user_id=st.integers(1, 12),
        sector=st.sampled_from(["vcs", "local_authority", "childrens_centre", "other"]),
        wave=st.sampled_from(["before", "after"]),
        scores=st.dictionaries(st.sampled_from(ITEMS), st.integers(1, 5), min_size=1),
    ),
    unique_by=lambda a: (a.user_id, a.wave),
)


@given(answer_sets, st.sampled_from([None, *ITEMS]))
def test_every_participant_is_counted_once(rows: list[SurveyAnswers], item: str | None) -> None:
    results = uplift(rows, GROUPS, item=item)

    counted = sum(r.paired + r.unpaired_before + r.unpaired_after for r in results)
    answered = {a.user_id for a in rows if item is None or item in a.scores}
    assert counted == len(answered)
    for result in results:
        assert 0 <= result.more_positive <= result.paired
        if result.mean_change is not None:
            assert -4 <= result.mean_change <= 4
        if result.percent_more_positive is not None:
            assert result.percent_more_positive == float(
                Fraction(100 * result.more_positive, result.paired)
            )
