"""The survey charts: one real PNG per group, readable at phone width, none for a withheld
or empty group."""

from __future__ import annotations

import struct
from io import BytesIO
from itertools import combinations

import pytest
from PIL import Image, ImageColor

from bot.config import Programme
from bot.reports import charts
from bot.reports.charts import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    LABEL_PX,
    PHONE_WIDTH_PX,
    SMALLEST_ON_PHONE_PX,
    ChartLayout,
    chart_layout,
    group_chart,
    survey_charts,
)
from bot.reports.uplift import GroupSpec, GroupUplift, SurveyAnswers, uplift

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROGRAMME = Programme()
LABELS = {item.key: item.question for item in PROGRAMME.survey.items}
GROUPS = [GroupSpec(g.name, frozenset(g.sectors)) for g in PROGRAMME.report_groups]


def results(per_group: int) -> list[GroupUplift]:
    """Uplift for `per_group` paired participants in each default group, all slightly up."""
    rows = []
    for uid in range(2 * per_group):
        sector = "vcs" if uid % 2 else "childrens_centre"
        before = {key: 1 + (uid + n) % 4 for n, key in enumerate(LABELS)}
        after = {key: min(5, score + uid % 2) for key, score in before.items()}
        rows += [
            SurveyAnswers(uid, sector, "before", before),
            SurveyAnswers(uid, sector, "after", after),
        ]
    return uplift(rows, GROUPS)


def with_means(
    group: GroupUplift, item_means: dict[str, tuple[float | None, float | None]]
) -> GroupUplift:
    return GroupUplift(**{**vars(group), "item_means": item_means})


def many_long_labels() -> tuple[GroupUplift, dict[str, str]]:
    """Sixty items, each labelled by a question said twice."""
    group = results(5)[0]
    many = {f"{key}_{n}": means for n in range(12) for key, means in group.item_means.items()}
    labels = {key: LABELS[key.rsplit("_", 1)[0]] * 2 for key in many}
    return with_means(group, many), labels


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format puts first."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def colours_of(png: bytes) -> dict[tuple[int, int, int], int]:
    """How many pixels the chart has of each colour."""
    image = Image.open(BytesIO(png)).convert("RGB")
    return {colour: count for count, colour in image.getcolors(maxcolors=1 << 24) or []}


def pixels_of(png: bytes, colour: str) -> int:
    return colours_of(png).get(ImageColor.getrgb(colour)[:3], 0)


@pytest.fixture(scope="module")
def chart() -> bytes:
    return group_chart(results(6)[0], LABELS)


def swatches(colour: str) -> int:
    """The legend's swatch of ``colour`` alone: a chart whose every mean is missing."""
    group = results(6)[0]
    empty = with_means(group, {key: (None, None) for key in group.item_means})
    return pixels_of(group_chart(empty, LABELS), colour)


def smallest_on_a_phone(layout: ChartLayout) -> float:
    """The smallest text's size when Telegram shows the chart a phone's width."""
    return min(text.size for text in layout.texts) * PHONE_WIDTH_PX / layout.width


def test_chart_is_a_png_sized_for_a_phone(chart: bytes) -> None:
    width, height = size_of(chart)

    assert width == 900
    # Short enough that a phone shows it at the chat's full width, not shrunk to fit.
    assert height <= 1.45 * width


def test_every_text_is_at_least_12_px_when_shown_390_px_wide() -> None:
    layout = chart_layout(results(6)[0], LABELS)

    # Heading, legend, labels, values and ticks are all looked at.
    assert {"Before", "After", "average answer, 1 to 5", "3.0", "4.0", "5"} <= {
        text.text for text in layout.texts
    }
    assert smallest_on_a_phone(layout) >= SMALLEST_ON_PHONE_PX


def test_no_text_overlaps_another_or_leaves_the_picture() -> None:
    group, labels = results(6)[0], {**LABELS, "voice_need": "Averyveryverylongword " * 8}
    layout = chart_layout(group, labels)
    boxes = [text.box() for text in layout.texts]

    assert all(left >= 0 and right <= layout.width for left, _, right, _ in boxes)
    for (left, top, right, bottom), (left2, top2, right2, bottom2) in combinations(boxes, 2):
        assert right <= left2 or right2 <= left or bottom <= top2 or bottom2 <= top


def test_chart_is_not_blank_and_shows_both_bars(chart: bytes) -> None:
    colours = colours_of(chart)

    assert colours[(0, 0, 0)] > 1000  # text
    # The legend holds a swatch of each colour; the bars are many times that.
    for colour in (BEFORE_COLOUR, AFTER_COLOUR):
        assert pixels_of(chart, colour) > 20 * swatches(colour) > 0


def test_withheld_and_empty_groups_get_no_chart_at_all() -> None:
    small = results(3)  # 3 paired in each group, fewer than 5
    small.append(uplift([], [GroupSpec("Nobody yet", frozenset({"other"}))])[0])

    assert survey_charts(small, LABELS, min_group_size=5) == []
    # Without disclosure control the small groups are drawn; the empty one never is.
    shown = survey_charts(small, LABELS, min_group_size=None)
    assert [group.name for group, _ in shown] == [group.name for group in small[:2]]
    assert all(pixels_of(png, AFTER_COLOUR) > 0 for _, png in shown)


def test_one_chart_per_group_with_something_to_draw() -> None:
    charts = survey_charts(results(6), LABELS, min_group_size=5)

    assert [group.name for group, _ in charts] == [g.name for g in PROGRAMME.report_groups]


def test_many_long_labels_stay_within_telegram_photo_limits() -> None:
    group, labels = many_long_labels()

    width, height = size_of(group_chart(group, labels))

    assert width + height <= 10_000  # drawn smaller rather than refused
    # Smaller all over: its text is as readable on a phone as a short chart's.
    assert smallest_on_a_phone(chart_layout(group, labels)) >= SMALLEST_ON_PHONE_PX


def test_items_without_labels_are_drawn_by_key() -> None:
    group = results(5)[0]
    means = {"new_item": (2.0, 3.0), **group.item_means}
    layout = chart_layout(with_means(group, means), {})
    png = group_chart(with_means(group, means), {})

    assert "new_item" in {text.text for text in layout.texts}
    assert size_of(png)[0] == 900
    assert pixels_of(png, AFTER_COLOUR) > 0


def test_the_font_has_the_letters_and_signs_people_type() -> None:
    """Labels come from the config and names from people: none of these may show as a box."""
    shipped = charts.font(LABEL_PX)
    missing = bytes(shipped.getmask("\ue000"))  # a private-use character: the empty box
    # Curly quotes and dashes as phones type them, written as escapes to be told apart.
    for character in "£€éèêëçñöüŵŷâáíóú\u2019\u2018\u201c\u201d\u2013\u2014\u2026":
        assert bytes(shipped.getmask(character)) != missing, character
