"""Bar charts of report tables, laid out on the server as plain geometry for an inline SVG.

No JavaScript and nothing fetched from elsewhere: the page draws the chart from these numbers, and the
table under it stays the accessible alternative. Plain Python, no Django.
"""

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Every colour reaches 4.5:1 against white, so white value labels inside a bar and the bars against
# the page's background are both readable. The first four follow the order of the ratings and
# levels (Good, Fair, Meets, Not met): green, blue, orange, red.
PALETTE = ("#1a7f37", "#0b5cad", "#b35900", "#a51d2d", "#6b3fa0", "#00757a", "#4d4d4d")
WIDTH = 480  # narrow enough that the text stays readable when a phone shrinks the chart
PLOT_LEFT = 8
PLOT_RIGHT = 52  # room for the value written after a clustered bar
AXIS_TOP = 18
LINE_HEIGHT = 16
STACKED_BAR = 22
CLUSTER_BAR = 13
CATEGORY_GAP = 12
LABEL_CHARS = 68  # per line; a category's label takes at most two lines
MIN_SEGMENT_FOR_TEXT = 36
MAX_CATEGORIES = 100


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    series: str
    value_text: str
    text_x: float
    text_y: float
    text_inside: bool  # white text inside the bar, or dark text after it
    show_text: bool


@dataclass(frozen=True)
class Category:
    label: str
    lines: tuple[tuple[str, float], ...]  # (text, baseline y) of the label's lines
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass
class ChartDrawing:
    title: str
    stacked: bool
    width: int
    height: int
    plot_top: float
    plot_bottom: float
    ticks: list[Tick]
    categories: list[Category]
    legend: list[tuple[str, str]]  # (series label, colour)
    omitted: int = 0  # categories left out (the table lists them all)


def draw_bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    stacked: bool,
    format_value: Callable[[float], str] = "{:g}".format,
    format_tick: Callable[[float], str] | None = None,
    integers: bool = False,
    percent: bool = False,
) -> ChartDrawing:
    """Lay out one bar (stacked) or one bar per series (clustered) for each category.

    ``values[i][j]`` is the value of series ``j`` in category ``i``; None is drawn as nothing.
    Percentages get an axis from 0 to 100 (rounded shares of a whole may add up to 100.1).
    """
    omitted = max(0, len(categories) - MAX_CATEGORIES)
    categories, values = list(categories)[:MAX_CATEGORIES], list(values)[:MAX_CATEGORIES]
    numbers = [[max(0.0, float(v)) if v is not None else 0.0 for v in row] for row in values]
    largest = max((sum(row) if stacked else max(row, default=0.0)) for row in numbers) if numbers else 0.0
    step, top = (25.0, 100.0) if percent and largest <= 100.5 else _axis(largest, integers)
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT

    def x_of(value: float) -> float:
        return PLOT_LEFT + plot_width * min(value, top) / top

    ticks = [
        Tick(round(x_of(step * i), 1), (format_tick or format_value)(step * i))
        for i in range(int(round(top / step)) + 1)
    ]
    y = AXIS_TOP + 8
    drawn = []
    for label, row, raw in zip(categories, numbers, values):
        lines = []
        for line in _label_lines(label):
            y += LINE_HEIGHT
            lines.append((line, y - 4))
        y += 2
        segments = []
        start = 0.0
        for index, (name, value, original) in enumerate(zip(series, row, raw)):
            colour = PALETTE[index % len(PALETTE)]
            text = format_value(original) if original is not None else ""
            if stacked:
                left, width = x_of(start), x_of(start + value) - x_of(start)
                start += value
                segments.append(
                    Segment(
                        round(left, 1),
                        y,
                        round(width, 1),
                        STACKED_BAR,
                        colour,
                        name,
                        text,
                        round(left + width / 2, 1),
                        y + STACKED_BAR / 2 + 4.5,
                        True,
                        bool(text) and width >= MIN_SEGMENT_FOR_TEXT,
                    )
                )
            else:
                bar_y = y + index * (CLUSTER_BAR + 2)
                width = x_of(value) - PLOT_LEFT
                segments.append(
                    Segment(
                        PLOT_LEFT,
                        bar_y,
                        round(width, 1),
                        CLUSTER_BAR,
                        colour,
                        name,
                        text,
                        round(PLOT_LEFT + width + 4, 1),
                        bar_y + CLUSTER_BAR - 2.5,
                        False,
                        bool(text),
                    )
                )
        y += STACKED_BAR if stacked else len(series) * (CLUSTER_BAR + 2) - 2
        y += CATEGORY_GAP
        drawn.append(Category(" ".join(str(label).split()), tuple(lines), tuple(segments)))
    return ChartDrawing(
        title=title,
        stacked=stacked,
        width=WIDTH,
        height=int(math.ceil(y)),
        plot_top=AXIS_TOP + 4,
        plot_bottom=y - CATEGORY_GAP / 2,
        ticks=ticks,
        categories=drawn,
        legend=[(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(series)],
        omitted=omitted,
    )


def _axis(largest: float, integers: bool) -> tuple[float, float]:
    """A round step for four or so grid lines, and the axis end (a multiple of the step)."""
    if largest <= 0:
        return 1.0, 4.0 if integers else 1.0
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    steps = (1, 2, 5, 10) if integers else (1, 2, 2.5, 5, 10)
    step = next(s * magnitude for s in steps if s * magnitude >= rough)
    if integers:
        step = max(1.0, float(round(step)))
    return step, step * math.ceil(largest / step - 1e-9)


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(str(label), LABEL_CHARS) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS, placeholder=" …")]
    return lines
