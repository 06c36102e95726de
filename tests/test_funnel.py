"""The completion funnel's arithmetic, from plain progress rows: no Telegram, no database."""

from __future__ import annotations

from bot.reports.funnel import Progress, Step, funnel, where_people_stop

STEPS = [Step("where", "Where"), Step("what", "The need"), Step("evidence", "Evidence")]


def reached(*keys: str, submitted: bool = False) -> Progress:
    return Progress(frozenset(keys), submitted)


def test_started_reached_and_submitted_are_counted_per_person() -> None:
    people = [
        reached("where", "what", "evidence", submitted=True),
        reached("where", "what", "evidence", submitted=True),
        reached("where", "what", "evidence"),
        reached("where", "what"),
        reached("where"),
    ]
    figures = funnel(STEPS, people)
    assert figures.started == 5
    assert [(f.step.key, f.reached) for f in figures.steps] == [
        ("where", 5),
        ("what", 4),
        ("evidence", 3),
    ]
    assert figures.submitted == 2
    assert figures.stopped == 3
    assert [f.stopped_here for f in figures.steps] == [1, 1, 1]


def test_the_biggest_stop_is_named_with_its_share_of_everyone_who_stopped() -> None:
    people = (
        [reached("where", "what")] * 5
        + [reached("where")] * 2
        + [reached("where", "what", "evidence")] * 5
    )
    people += [reached("where", "what", "evidence", submitted=True)] * 4
    figures = funnel(STEPS, people)
    stop = figures.biggest_stop
    assert stop is not None
    assert (stop.step.label, stop.stopped_here, figures.stopped) == ("The need", 5, 12)
    assert where_people_stop(figures) == "Most people who stop do so at 'The need' (5 of 12)."


def test_a_tie_names_the_earlier_step() -> None:
    figures = funnel(STEPS, [reached("where"), reached("where", "what")])
    assert figures.biggest_stop is not None
    assert figures.biggest_stop.step.key == "where"


def test_going_back_does_not_move_where_someone_stopped() -> None:
    # Reached the evidence step, then went back to the first: they stopped at the furthest.
    figures = funnel(STEPS, [reached("evidence", "where", "what")])
    assert [f.stopped_here for f in figures.steps] == [0, 0, 1]


def test_steps_the_form_no_longer_has_are_ignored() -> None:
    figures = funnel(STEPS, [reached("removed_step"), reached("where", "removed_step")])
    assert figures.started == 1
    assert figures.steps[0].stopped_here == 1


def test_a_submission_without_recorded_steps_still_counts_as_started_and_sent() -> None:
    figures = funnel(STEPS, [reached(submitted=True)])
    assert (figures.started, figures.submitted, figures.stopped) == (1, 1, 0)
    assert where_people_stop(figures) == "No one has stopped part-way."


def test_a_weighted_row_counts_as_that_many_people_going_the_same_way() -> None:
    one_by_one = [reached("where", "what")] * 3 + [reached("where", submitted=True)] * 2
    weighted = [
        Progress(frozenset({"where", "what"}), submitted=False, people=3),
        Progress(frozenset({"where"}), submitted=True, people=2),
    ]
    assert funnel(STEPS, weighted) == funnel(STEPS, one_by_one)
    assert funnel(STEPS, weighted).started == 5


def test_no_one_at_all() -> None:
    figures = funnel(STEPS, [])
    assert (figures.started, figures.submitted, figures.stopped) == (0, 0, 0)
    assert [f.reached for f in figures.steps] == [0, 0, 0]
    assert figures.biggest_stop is None
    assert where_people_stop(figures) == "No one has started it yet."


def test_small_figures_are_withheld_when_asked() -> None:
    people = [reached("where", "what")] * 3 + [reached("where")] * 4
    figures = funnel(STEPS, people)
    assert where_people_stop(figures, min_group_size=5) == (
        "Most people who stop do so at 'Where' (fewer than 5 of 7)."
    )
    assert where_people_stop(funnel(STEPS, people[:3]), min_group_size=5) == (
        "Fewer than 5 people have stopped part-way: too few to say where."
    )
