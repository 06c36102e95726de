"""The survey chart: before and after mean per item, one panel per report group, as a PNG.

Drawn for a phone: 900 px wide with text about a thirtieth of that tall, so it stays readable
when Telegram shrinks it to the width of the screen. Item labels sit above their bars across
the full width instead of in a narrow column beside them. Every size below is in inches and
each panel's vertical axis is in inches too, so text and bars never overlap whatever the
number of items or the length of the labels.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import TYPE_CHECKING

from bot.reports.uplift import GroupUplift, is_withheld, whole_percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BEFORE_COLOUR = "#a3a3a3"  # grey: the starting point
AFTER_COLOUR = "#0072b2"  # Okabe-Ito blue: distinct from grey for colour-blind readers too
DPI = 200
WIDTH = 4.5  # 900 px at DPI
MARGIN = 0.2
TITLE_PT, HEADING_PT, LABEL_PT, VALUE_PT = 13, 11, 10, 9
TITLE_WRAP, LABEL_WRAP = 38, 50  # characters per line that fit the width at those sizes
LINE = LABEL_PT * 1.35 / 72
BAR, BAR_GAP, ITEM_GAP = 0.17, 0.03, 0.14
HEADING_LINE = HEADING_PT * 1.35 / 72
HEADING = 2 * HEADING_LINE + 0.1  # group name, then its counts or why it is not drawn
LEGEND = 0.45
TICKS = 0.3  # the 1-5 tick labels under a panel
PANEL_GAP = 0.25
X_LIMIT = 5.75  # room right of a full-scale bar for its value
# Telegram refuses a photo whose width and height add up to more than this: many groups are
# drawn at a lower resolution rather than not sent.
TELEGRAM_MAX_SIDES = 10_000


def survey_chart(
    groups: Sequence[GroupUplift],
    item_labels: Mapping[str, str],
    *,
    title: str,
    min_group_size: int | None,
) -> bytes:
    """PNG bytes of the before and after means per item, one panel per group.

    The items analysed are drawn in the order of `item_labels`, then any it lacks, labelled by
    their keys. A group withheld by disclosure control (the rule `describe` applies) and a
    group with no pairs get a line of text instead of bars, so no figure is drawn for fewer
    than `min_group_size` people.
    """
    present = dict.fromkeys(key for group in groups for key in group.item_means)
    keys = [key for key in item_labels if key in present]
    keys += [key for key in present if key not in item_labels]
    labels = [textwrap.wrap(item_labels.get(key, key), LABEL_WRAP) or [key] for key in keys]
    item_heights = [len(lines) * LINE + 2 * BAR + BAR_GAP + ITEM_GAP for lines in labels]
    bars_height = sum(item_heights)
    drawn = [
        group.paired > 0 and not is_withheld(group, min_group_size=min_group_size)
        for group in groups
    ]
    title_lines = textwrap.wrap(title, TITLE_WRAP) or [""]
    header = MARGIN + len(title_lines) * TITLE_PT * 1.3 / 72 + LEGEND
    panels = [HEADING + (bars_height + TICKS if shown else 0) + PANEL_GAP for shown in drawn]
    height = header + (sum(panels) if groups else HEADING) + MARGIN
    dpi = min(DPI, int(TELEGRAM_MAX_SIDES / (WIDTH + height)))

    def from_top(inches: float) -> float:
        return 1 - inches / height

    # matplotlib takes half a second to import: paid by the first chart, not at start-up.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    figure = Figure(figsize=(WIDTH, height), dpi=dpi)
    FigureCanvasAgg(figure)
    left = MARGIN / WIDTH
    figure.text(
        left, from_top(MARGIN), "\n".join(title_lines), va="top", size=TITLE_PT, weight="bold"
    )
    figure.legend(
        handles=[
            Patch(color=BEFORE_COLOUR, label="Before"),
            Patch(color=AFTER_COLOUR, label="After"),
        ],
        loc="lower left",
        bbox_to_anchor=(left - 0.01, from_top(header)),
        ncols=2,
        frameon=False,
        fontsize=LABEL_PT,
        title="Mean score, 1 to 5",
        title_fontsize=LABEL_PT,
        alignment="left",
    )
    top = header
    if not groups:
        figure.text(
            left, from_top(top), "No survey groups to show yet.", va="top", size=HEADING_PT
        )
    for group, shown, panel in zip(groups, drawn, panels, strict=True):
        figure.text(left, from_top(top), group.name, va="top", size=HEADING_PT, weight="bold")
        subheading = _subheading(group, shown, min_group_size)
        figure.text(left, from_top(top + HEADING_LINE), subheading, va="top", size=HEADING_PT)
        if shown:
            axes = figure.add_axes(
                (left, from_top(top + HEADING + bars_height), 1 - 2 * left, bars_height / height)
            )
            _draw_items(axes, group, keys, labels, item_heights)
        top += panel

    png = BytesIO()
    figure.savefig(png, format="png", dpi=dpi)
    return png.getvalue()


def _subheading(group: GroupUplift, shown: bool, min_group_size: int | None) -> str:
    if group.paired == 0:
        return "No one has answered both surveys yet"
    if not shown:
        return f"Fewer than {min_group_size} paired participants: not shown"
    percent = whole_percent(group.more_positive, group.paired)
    return f"{group.paired} paired, {percent}% more positive"


def _draw_items(
    axes: Axes,
    group: GroupUplift,
    keys: Sequence[str],
    labels: Sequence[Sequence[str]],
    item_heights: Sequence[float],
) -> None:
    """Each item: its label across the width, then the before bar, then the after bar."""
    y = 0.0
    for key, lines, item_height in zip(keys, labels, item_heights, strict=True):
        axes.text(0, y, "\n".join(lines), va="top", size=LABEL_PT, linespacing=1.2)
        bar_y = y + len(lines) * LINE + BAR / 2
        before, after = group.item_means.get(key, (None, None))
        for mean, colour, offset in (
            (before, BEFORE_COLOUR, 0.0),
            (after, AFTER_COLOUR, BAR + BAR_GAP),
        ):
            if mean is None:
                axes.text(0.05, bar_y + offset, "no answers", va="center", size=VALUE_PT)
            else:
                axes.barh(bar_y + offset, mean, height=BAR, color=colour)
                axes.text(mean + 0.06, bar_y + offset, f"{mean:.1f}", va="center", size=VALUE_PT)
        y += item_height
    axes.set_ylim(y, 0)
    axes.set_xlim(0, X_LIMIT)
    axes.set_xticks(range(1, 6))
    axes.set_yticks([])
    axes.tick_params(labelsize=VALUE_PT)
    axes.grid(axis="x", color="#e6e6e6")
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
