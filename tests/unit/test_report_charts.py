"""Bar-chart layout of report tables: scales, stacking, clustering, labels."""

import pytest

from temis_plugin.reports.charts import MAX_CATEGORIES, PALETTE, PLOT_LEFT, PLOT_RIGHT, WIDTH, draw_bar_chart

PLOT_WIDTH = WIDTH - PLOT_LEFT - PLOT_RIGHT


def test_stacked_shares_fill_the_axis_from_0_to_100():
    drawing = draw_bar_chart(
        "Ratings (%)", ["TH", "Total"], ["Good", "Fair"], [[25.0, 75.0], [33.3, 66.8]], stacked=True, percent=True
    )
    assert [tick.text for tick in drawing.ticks] == ["0", "25", "50", "75", "100"]
    first, second = drawing.categories[0].segments
    assert first.x == PLOT_LEFT and first.width == pytest.approx(PLOT_WIDTH / 4, abs=0.1)
    assert second.x == pytest.approx(first.x + first.width, abs=0.1)
    # Rounded shares adding up to 100.1 stay inside the plot.
    last = drawing.categories[1].segments[-1]
    assert last.x + last.width <= PLOT_LEFT + PLOT_WIDTH + 0.1
    assert [colour for _label, colour in drawing.legend] == list(PALETTE[:2])


def test_clustered_counts_get_a_round_integer_axis():
    drawing = draw_bar_chart("Needs", ["C1", "C2"], ["Educators"], [[7], [3]], stacked=False, integers=True)
    assert [tick.text for tick in drawing.ticks] == ["0", "2", "4", "6", "8"]
    bar = drawing.categories[0].segments[0]
    assert bar.width == pytest.approx(PLOT_WIDTH * 7 / 8, abs=0.1)
    assert not bar.text_inside and bar.text_x > bar.x + bar.width


def test_none_and_zero_draw_nothing_and_say_nothing():
    drawing = draw_bar_chart("Rates", ["M1"], ["Rate"], [[None]], stacked=False)
    bar = drawing.categories[0].segments[0]
    assert bar.width == 0 and not bar.show_text


def test_narrow_segments_keep_their_value_out_of_the_bar():
    drawing = draw_bar_chart("Ratings", ["X"], ["a", "b"], [[2.0, 98.0]], stacked=True, percent=True)
    narrow, wide = drawing.categories[0].segments
    assert not narrow.show_text and wide.show_text


def test_long_labels_take_two_lines_at_most_and_many_rows_are_cut():
    label = "Criterion 11. " + "Building cooperative relations with parents and other stakeholders " * 3
    drawing = draw_bar_chart("Levels", [label], ["a"], [[1]], stacked=False)
    lines = drawing.categories[0].lines
    assert len(lines) == 2 and lines[1][0].endswith("…") and lines[1][1] > lines[0][1]
    many = draw_bar_chart(
        "Units",
        [f"U{i}" for i in range(MAX_CATEGORIES + 5)],
        ["a"],
        [[i] for i in range(MAX_CATEGORIES + 5)],
        stacked=False,
    )
    assert len(many.categories) == MAX_CATEGORIES and many.omitted == 5
