"""The survey chart: a real PNG, phone-sized, with bars, and no bars for withheld groups."""

from __future__ import annotations

import struct
from io import BytesIO

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from bot.config import Programme
from bot.reports.charts import AFTER_COLOUR, BEFORE_COLOUR, survey_chart
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


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format puts first."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pixels_of(png: bytes, colour: str) -> int:
    image = imread(BytesIO(png))[..., :3]
    return int(np.all(np.abs(image - to_rgb(colour)) < 2 / 255, axis=-1).sum())


@pytest.fixture(scope="module")
def chart() -> bytes:
    return survey_chart(results(6), LABELS, title="Confidence before and after", min_group_size=5)


@pytest.fixture(scope="module")
def legend_only() -> bytes:
    return survey_chart([], LABELS, title="Confidence before and after", min_group_size=5)


def test_chart_is_a_png_sized_for_a_phone(chart: bytes) -> None:
    width, height = size_of(chart)

    assert 800 <= width <= 1000
    assert 1000 <= height <= 4 * width


def test_chart_is_not_blank_and_shows_both_bars(chart: bytes, legend_only: bytes) -> None:
    image = imread(BytesIO(chart))

    assert image[..., :3].std() > 0.1
    # The legend holds a swatch of each colour; the bars are many times that.
    for colour in (BEFORE_COLOUR, AFTER_COLOUR):
        assert pixels_of(chart, colour) > 20 * pixels_of(legend_only, colour) > 0


def test_withheld_and_empty_groups_get_no_bars(legend_only: bytes) -> None:
    small = results(3)  # 3 paired in each group, fewer than 5
    small.append(uplift([], [GroupSpec("Nobody yet", frozenset({"other"}))])[0])

    png = survey_chart(small, LABELS, title="Confidence before and after", min_group_size=5)

    width, height = size_of(png)
    assert width == size_of(legend_only)[0]
    assert height < 1000  # three lines of text, no panels
    # Only the legend's swatches; grey also turns up at the edges of text, hence the margin.
    for colour in (BEFORE_COLOUR, AFTER_COLOUR):
        assert pixels_of(png, colour) < 2 * pixels_of(legend_only, colour)
    # Without disclosure control the same small groups are drawn.
    shown = survey_chart(small, LABELS, title="Confidence", min_group_size=None)
    assert pixels_of(shown, AFTER_COLOUR) > 20 * pixels_of(legend_only, AFTER_COLOUR)


def test_many_groups_and_long_labels_stay_within_telegram_photo_limits() -> None:
    long_labels = {key: f"{question} {question}" for key, question in LABELS.items()}
    many = [group for _ in range(4) for group in results(5)]

    width, height = size_of(survey_chart(many, long_labels, title="All", min_group_size=5))

    assert width < 900  # drawn at a lower resolution rather than refused by Telegram
    assert width + height <= 10_000
    assert height / width <= 20


def test_items_without_labels_are_drawn_by_key() -> None:
    group = results(5)[0]
    means = {"new_item": (2.0, 3.0), **group.item_means}
    png = survey_chart(
        [GroupUplift(**{**vars(group), "item_means": means})], {}, title="", min_group_size=5
    )

    assert size_of(png)[0] == 900
    assert pixels_of(png, AFTER_COLOUR) > 0
