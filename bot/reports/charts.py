"""The survey charts: before and after mean per item, one PNG per report group, drawn with Pillow.

Drawn for a phone: one short picture per group (not one tall picture that the chat shrinks),
900 px wide with no text under 12 px when Telegram shows it 390 px wide. Item labels sit above
their bars across the full width instead of in a narrow column beside them, wrapped by their
measured width. Every size below is in pixels of a 900 px wide chart and the items are laid out
one under the other by those sizes, so text and bars never overlap whatever the number of items
or the length of the labels. Text is DejaVu Sans, shipped beside this module (its Latin letters
and punctuation, with its licence), so a chart reads the same on every machine. The chart is
first laid out (:func:`chart_layout`, plain shapes that tests can read) and then painted
(:func:`group_chart`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from bot.reports.uplift import GroupUplift, is_withheld

__all__ = [
    "AFTER_COLOUR",
    "BEFORE_COLOUR",
    "PHONE_WIDTH_PX",
    "SMALLEST_ON_PHONE_PX",
    "TELEGRAM_MAX_SIDES",
    "VALUE_PX",
    "WIDTH",
    "ChartLayout",
    "Text",
    "chart_layout",
    "font",
    "group_chart",
    "is_drawn",
    "survey_charts",
]


BEFORE_COLOUR = "#a3a3a3"  # grey: the starting point
AFTER_COLOUR = "#0072b2"  # Okabe-Ito blue: distinct from grey for colour-blind readers too
TEXT_COLOUR = "#000000"
NOTE_COLOUR = "#444444"
GRID_COLOUR = "#e6e6e6"
WIDTH = 900
# A 390 px wide phone shows a photo about 320 px wide in a chat bubble: at 900 px drawn, text
# shrinks to about a third. 35 px drawn is 12.4 px in a 320 px bubble, 15 px were it shown the
# phone's full 390 px (12 px is the least we allow).
PHONE_WIDTH_PX, SMALLEST_ON_PHONE_PX = 390, 12
MARGIN = 40
HEADING_PX, LABEL_PX, VALUE_PX = 42, 36, 35
HEADING_LINE, LABEL_LINE = 56, 46
BOLD = 1  # the outline that makes the heading bold
# DejaVu Sans cut to Latin letters (Welsh and Irish ones too), punctuation and the euro sign.
FONT = Path(__file__).with_name("DejaVuSans-Latin.ttf")
SWATCH, SWATCH_GAP, LEGEND_GAP, LEGEND = 40, 12, 44, 84
BAR, BAR_GAP, ITEM_GAP, LABEL_GAP = 30, 6, 22, 6
VALUE_GAP = 10  # between a bar's end and its value
GRID_LINE, AXIS_LINE, TICK, TICK_GAP, TICKS = 2, 2, 10, 16, 60
X_LIMIT = 5.9  # room right of a full-scale bar for its value


def _grey(colour: str) -> int:
    """The grey level (0 black to 255 white) of a grey ``#rrggbb``."""
    return int(colour[1:3], 16)


# The PNG's palette: the text's greys with shades between them for its smoothed edges, the
# greys of the bars and grid, and the blue last. GREY_INDEX takes a grey drawn to its entry: the
# bars' and grid's own, else the nearest text shade (so no edge of text counts as a bar).
TEXT_GREYS = sorted({*range(0, 256, 32), 255, _grey(TEXT_COLOUR), _grey(NOTE_COLOUR)})
GREYS = sorted({*TEXT_GREYS, _grey(GRID_COLOUR), _grey(BEFORE_COLOUR)})
GREY_INDEX = [
    GREYS.index(grey)
    if grey in GREYS and grey not in TEXT_GREYS
    else GREYS.index(min(TEXT_GREYS, key=lambda shade: abs(shade - grey)))
    for grey in range(256)
]
PALETTE = [*(level for grey in GREYS for level in (grey,) * 3), *ImageColor.getrgb(AFTER_COLOUR)]
# Telegram refuses a photo whose width and height add up to more than this: many items are
# drawn smaller rather than not sent.
TELEGRAM_MAX_SIDES = 10_000


@dataclass(frozen=True)
class Text:
    """One line of text at ``xy``, placed by its Pillow ``anchor``; ``size`` is its font's
    size in pixels."""

    xy: tuple[int, int]
    text: str
    size: int
    colour: str = TEXT_COLOUR
    anchor: str = "la"
    bold: int = 0  # the outline's width in pixels

    def box(self) -> tuple[float, float, float, float]:
        """The pixels its ink covers: left, top, right, bottom."""
        x, y = self.xy
        left, top, right, bottom = font(self.size).getbbox(
            self.text, anchor=self.anchor, stroke_width=self.bold
        )
        return x + left, y + top, x + right, y + bottom


@dataclass
class ChartLayout:
    """What a chart shows, as shapes in painting order: rectangles (grid, bars, swatches,
    axis) under the text."""

    width: int
    height: int = 0
    rectangles: list[tuple[tuple[int, int, int, int], str]] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """The charts' font at ``size`` pixels."""
    return ImageFont.truetype(FONT, size)


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
    answered both surveys); only the first `most` of them if given (none is drawn to be
    thrown away)."""
    drawn = [group for group in groups if is_drawn(group, min_group_size=min_group_size)]
    return [(group, group_chart(group, item_labels)) for group in drawn[:most]]


def group_chart(group: GroupUplift, item_labels: Mapping[str, str]) -> bytes:
    """PNG bytes of one group's before and after means per item, sized to read on a phone.

    All but the blue is grey: it is painted one byte a pixel, its shades rounded to the
    palette's greys, and the blue rectangles painted over it. A PNG of 13 colours is quicker to
    paint and to encode than RGB, and a third of its size.
    """
    layout = chart_layout(group, item_labels)
    image = Image.new("L", (layout.width, layout.height), 255)
    draw = ImageDraw.Draw(image)
    for corners, colour in layout.rectangles:
        if colour != AFTER_COLOUR:
            draw.rectangle(corners, fill=_grey(colour))
    for text in layout.texts:
        draw.text(
            text.xy,
            text.text,
            fill=_grey(text.colour),
            font=font(text.size),
            anchor=text.anchor,
            stroke_width=text.bold,
            stroke_fill=_grey(text.colour),
        )
    image = image.point(GREY_INDEX)
    image.putpalette(PALETTE)
    draw = ImageDraw.Draw(image)
    for corners, colour in layout.rectangles:
        if colour == AFTER_COLOUR:
            draw.rectangle(corners, fill=len(GREYS))
    png = BytesIO()
    image.save(png, format="PNG", compress_level=1)
    return png.getvalue()


def chart_layout(group: GroupUplift, item_labels: Mapping[str, str]) -> ChartLayout:
    """The shapes of one group's chart: 900 px wide, or smaller all over when its items are so
    many that Telegram would refuse it.

    The items analysed are drawn in the order of `item_labels`, then any it lacks, labelled by
    their keys.
    """
    present = dict.fromkeys(group.item_means)
    keys = [key for key in item_labels if key in present]
    keys += [key for key in present if key not in item_labels]
    labels = [item_labels.get(key, key) for key in keys]
    scale = 1.0
    layout = _laid_out(group, keys, labels, scale)
    while layout.width + layout.height > TELEGRAM_MAX_SIDES:
        scale *= 0.99 * TELEGRAM_MAX_SIDES / (layout.width + layout.height)
        layout = _laid_out(group, keys, labels, scale)
    return layout


def _laid_out(
    group: GroupUplift, keys: Sequence[str], labels: Sequence[str], scale: float
) -> ChartLayout:
    """The heading, the legend, each item (its label, then its before and after bars with their
    values) and the 1-5 axis, top to bottom, every size times ``scale``."""

    def px(size: float) -> int:
        return max(1, round(size * scale))

    layout = ChartLayout(width=px(WIDTH))
    margin, inner = px(MARGIN), px(WIDTH) - 2 * px(MARGIN)
    y = margin
    for line in _wrapped(group.name, px(HEADING_PX), inner, bold=px(BOLD)):
        layout.texts.append(Text((margin, y), line, px(HEADING_PX), bold=px(BOLD)))
        y += px(HEADING_LINE)
    middle, x = y + px(LEGEND) // 2, margin
    for name, colour in (("Before", BEFORE_COLOUR), ("After", AFTER_COLOUR)):
        corners = (x, middle - px(BAR) // 2, x + px(SWATCH), middle + px(BAR) // 2)
        layout.rectangles.append((corners, colour))
        x += px(SWATCH) + px(SWATCH_GAP)
        layout.texts.append(Text((x, middle), name, px(LABEL_PX), anchor="lm"))
        x += round(font(px(LABEL_PX)).getlength(name)) + px(LEGEND_GAP)
    layout.texts.append(
        Text(
            (margin + inner, middle),
            "average answer, 1 to 5",
            px(VALUE_PX),
            NOTE_COLOUR,
            anchor="rm",
        )
    )
    top = y = y + px(LEGEND)

    def x_of(mean: float) -> int:
        return margin + round(mean / X_LIMIT * inner)

    bars = []
    for key, label in zip(keys, labels, strict=True):
        for line in _wrapped(label, px(LABEL_PX), inner):
            layout.texts.append(Text((margin, y), line, px(LABEL_PX)))
            y += px(LABEL_LINE)
        y += px(LABEL_GAP)
        for mean, colour in zip(
            group.item_means.get(key, (None, None)),
            (BEFORE_COLOUR, AFTER_COLOUR),
            strict=True,
        ):
            middle = y + px(BAR) // 2
            if mean is None:
                layout.texts.append(
                    Text((margin + px(VALUE_GAP), middle), "no answers", px(VALUE_PX), anchor="lm")
                )
            else:
                bars.append(((margin, y, x_of(mean), y + px(BAR) - 1), colour))
                layout.texts.append(
                    Text(
                        (x_of(mean) + px(VALUE_GAP), middle),
                        f"{mean:.1f}",
                        px(VALUE_PX),
                        anchor="lm",
                    )
                )
            y += px(BAR) + px(BAR_GAP)
        y += px(ITEM_GAP)
    for tick in range(1, 6):
        x = x_of(tick)
        layout.rectangles.append(((x - px(GRID_LINE) // 2, top, x, y), GRID_COLOUR))
        layout.rectangles.append(((x - px(AXIS_LINE) // 2, y, x, y + px(TICK)), TEXT_COLOUR))
        layout.texts.append(Text((x, y + px(TICK_GAP)), str(tick), px(VALUE_PX), anchor="ma"))
    layout.rectangles.append(((margin, y, margin + inner, y + px(AXIS_LINE) - 1), TEXT_COLOUR))
    layout.rectangles += bars
    layout.height = y + px(TICKS) + margin
    return layout


def _wrapped(text: str, size: int, width: int, *, bold: int = 0) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels at ``size``, broken between words (and
    inside a word too long for a line of its own); one empty line for no text."""
    measure = font(size)

    def fits(line: str) -> bool:
        return measure.getlength(line) + 2 * bold <= width

    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        while not fits(word) and len(word) > 1:
            cut = next(n for n in range(len(word) - 1, 0, -1) if fits(word[:n]) or n == 1)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line]
