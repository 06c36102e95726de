"""The survey charts: before and after mean per item, one PNG per report group.

Drawn for a phone: one short picture per group (not one tall picture that the chat shrinks),
900 px wide with no text under 12 px when Telegram shows it 390 px wide. Item labels sit above
their bars across the full width instead of in a narrow column beside them. Every size below
is in inches and the vertical axis is in inches too, so text and bars never overlap whatever
the number of items or the length of the labels.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import TYPE_CHECKING

from bot.reports.uplift import GroupUplift, is_withheld

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BEFORE_COLOUR = "#a3a3a3"  # grey: the starting point
AFTER_COLOUR = "#0072b2"  # Okabe-Ito blue: distinct from grey for colour-blind readers too
DPI = 200
WIDTH = 4.5  # 900 px at DPI
# A 390 px wide phone shows a photo about 320 px wide in a chat bubble: at 900 px drawn, text
# shrinks to about a third. 12.5 pt at 200 dpi is 34.7 px drawn: 12.3 px in a 320 px bubble,
# 15 px were it shown the phone's full 390 px (12 px is the least we allow).
PHONE_WIDTH_PX, SMALLEST_ON_PHONE_PX = 390, 12
MARGIN = 0.2
HEADING_PT, LABEL_PT, VALUE_PT = 15, 13, 12.5
LABEL_WRAP = 36  # characters per line that fit the width at LABEL_PT
LINE = LABEL_PT * 1.3 / 72
BAR, BAR_GAP, ITEM_GAP = 0.15, 0.03, 0.1
HEADING_LINE = HEADING_PT * 1.35 / 72
LEGEND = 0.4
TICKS = 0.3  # the 1-5 tick labels under the bars
X_LIMIT = 5.9  # room right of a full-scale bar for its value
# Telegram refuses a photo whose width and height add up to more than this: many items are
# drawn at a lower resolution rather than not sent.
TELEGRAM_MAX_SIDES = 10_000


def is_drawn(group: GroupUplift, *, min_group_size: int | None) -> bool:
    """Whether a group has bars to draw: some pairs, and not withheld by disclosure control."""
    return group.paired > 0 and not is_withheld(group, min_group_size=min_group_size)


def survey_charts(
    groups: Sequence[GroupUplift],
    item_labels: Mapping[str, str],
    *,
    min_group_size: int | None,
    most: int | None = None,
) -> list[tuple[GroupUplift, bytes]]:
    """One PNG per group with something to draw (none for a withheld or empty group, so no
    figure is drawn for fewer than `min_group_size` people, and nothing when nobody has
    answered both surveys); only the first `most` of them if given (a chart costs a tenth of
    a second or more: none is drawn to be thrown away)."""
    drawn = [group for group in groups if is_drawn(group, min_group_size=min_group_size)]
    return [(group, group_chart(group, item_labels)) for group in drawn[:most]]


def group_chart(group: GroupUplift, item_labels: Mapping[str, str]) -> bytes:
    """PNG bytes of one group's before and after means per item, sized to read on a phone.

    The items analysed are drawn in the order of `item_labels`, then any it lacks, labelled by
    their keys.
    """
    figure = group_figure(group, item_labels)
    png = BytesIO()
    figure.savefig(png, format="png", dpi=figure.dpi)
    return png.getvalue()


def group_figure(group: GroupUplift, item_labels: Mapping[str, str]) -> Figure:
    """The figure :func:`group_chart` saves (tests read its text sizes)."""
    present = dict.fromkeys(group.item_means)
    keys = [key for key in item_labels if key in present]
    keys += [key for key in present if key not in item_labels]
    labels = [textwrap.wrap(item_labels.get(key, key), LABEL_WRAP) or [key] for key in keys]
    item_heights = [len(lines) * LINE + 2 * BAR + BAR_GAP + ITEM_GAP for lines in labels]
    bars_height = sum(item_heights)
    heading_lines = textwrap.wrap(group.name, 34) or [""]
    header = MARGIN + len(heading_lines) * HEADING_LINE + LEGEND
    height = header + bars_height + TICKS + MARGIN
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
        left,
        from_top(MARGIN),
        "\n".join(heading_lines),
        va="top",
        size=HEADING_PT,
        weight="bold",
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
        title=None,
        alignment="left",
        handlelength=1.2,
    )
    figure.text(
        1 - left,
        from_top(header - 0.08),
        "average answer, 1 to 5",
        va="bottom",
        ha="right",
        size=VALUE_PT,
        color="#444444",
    )
    axes = figure.add_axes(
        (left, from_top(header + bars_height), 1 - 2 * left, bars_height / height)
    )
    _draw_items(axes, group, keys, labels, item_heights)
    return figure


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
