"""The survey charts: one real PNG per group, readable at phone width, none for a withheld
or empty group."""

from __future__ import annotations

import struct
from io import BytesIO

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from matplotlib.text import Text

from bot.config import Programme
from bot.reports.charts import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    group_chart,
    group_figure,
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
    return group_chart(results(6)[0], LABELS)


def swatches(colour: str) -> int:
    """The legend's swatch of ``colour`` alone: a chart whose every mean is missing."""
    group = results(6)[0]
    empty = {key: (None, None) for key in group.item_means}
    return pixels_of(
        group_chart(GroupUplift(**{**vars(group), "item_means": empty}), LABELS), colour
    )


def test_chart_is_a_png_sized_for_a_phone(chart: bytes) -> None:
    width, height = size_of(chart)

    assert width == 900
    # Short enough that a phone shows it at the chat's full width, not shrunk to fit.
    assert height <= 1.45 * width


def test_every_text_is_at_least_12_px_when_shown_390_px_wide() -> None:
    figure = group_figure(results(6)[0], LABELS)
    width_px = figure.get_figwidth() * figure.dpi
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]

    assert len(texts) > 15  # heading, legend, labels, values and ticks are all looked at
    smallest = min(t.get_fontsize() * figure.dpi / 72 for t in texts) * 390 / width_px
    assert smallest >= 12, smallest


def test_chart_is_not_blank_and_shows_both_bars(chart: bytes) -> None:
    image = imread(BytesIO(chart))

    assert image[..., :3].std() > 0.1
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
    group = results(5)[0]
    many = {f"{key}_{n}": means for n in range(12) for key, means in group.item_means.items()}
    labels = {key: LABELS[key.rsplit("_", 1)[0]] * 2 for key in many}

    png = group_chart(GroupUplift(**{**vars(group), "item_means": many}), labels)
    width, height = size_of(png)

    assert width + height <= 10_000  # drawn at a lower resolution rather than refused


def test_items_without_labels_are_drawn_by_key() -> None:
    group = results(5)[0]
    means = {"new_item": (2.0, 3.0), **group.item_means}
    png = group_chart(GroupUplift(**{**vars(group), "item_means": means}), {})

    assert size_of(png)[0] == 900
    assert pixels_of(png, AFTER_COLOUR) > 0
