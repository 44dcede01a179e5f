"""Chart geometry (summaries/charts.py) and its SVG: readable without colour, whatever the data."""

import re
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from summaries import charts
from summaries.charts import Fill, Row, bar_chart, breakdown_chart, key_figure_chart


def figure(comparison="13.6", treatment="9.3", outcome="Sexual reoffending", pk=7):
    return SimpleNamespace(
        pk=pk,
        outcome=outcome,
        comparison_rate=None if comparison is None else Decimal(comparison),
        treatment_rate=None if treatment is None else Decimal(treatment),
    )


def breakdown_rows(*counts, unit="studies", kind="approach"):
    return [
        SimpleNamespace(review_id=3, kind=kind, label=f"Row {n}", count=count, unit=unit)
        for n, count in enumerate(counts)
    ]


def chart(*values):
    return bar_chart([Row(f"Row {n}", v, str(v)) for n, v in enumerate(values)], id="c", title="t")


class BarGeometryTests(SimpleTestCase):
    def test_no_rows_no_bars(self):
        """An empty breakdown draws no chart at all."""
        self.assertEqual(chart().bars, ())
        self.assertEqual(chart().height, 0)
        self.assertIsNone(breakdown_chart([], "review one"))

    def test_one_bar_fills_the_width_less_room_for_its_value(self):
        """A single bar is full length, with its value written just past its end."""
        (bar,) = chart(20).bars
        self.assertAlmostEqual(bar.length + charts.VALUE_GAP + charts.text_width("20"), 300, 0)
        self.assertEqual(bar.value_text, "20")
        self.assertGreater(bar.value_x, bar.length)

    def test_lengths_are_proportional_to_values(self):
        """Bars start at zero, so a value half as large draws a bar half as long."""
        big, half, quarter = chart(20, 10, 5).bars
        self.assertAlmostEqual(half.length * 2, big.length, delta=0.2)
        self.assertAlmostEqual(quarter.length * 4, big.length, delta=0.2)

    def test_zero_and_all_zero(self):
        """A zero draws no bar but still says 0; all zeros do not divide by zero."""
        _, zero = chart(3, 0).bars
        self.assertEqual((zero.length, zero.value_text), (0, "0"))
        self.assertTrue(all(bar.length == 0 for bar in chart(0, 0).bars))

    def test_missing_value_says_not_reported(self):
        """A missing value is labelled 'not reported', never drawn as zero."""
        _, missing = chart(5, None).bars
        self.assertTrue(missing.is_missing)
        self.assertEqual((missing.length, missing.value_text), (0, "not reported"))

    def test_many_bars_stack_without_overlap(self):
        """Fifty rows stack top to bottom, each below the last, inside the chart's height."""
        result = chart(*range(50))
        tops = [bar.y for bar in result.bars]
        self.assertEqual(tops, sorted(tops))
        for above, below in zip(result.bars, result.bars[1:], strict=False):
            self.assertGreater(below.label_lines[0][1], above.y + charts.BAR_HEIGHT)
        self.assertEqual(result.height, result.bars[-1].y + charts.BAR_HEIGHT)

    def test_long_labels_wrap_and_are_cut_after_three_lines(self):
        """A long label wraps inside the width; past three lines it ends with an ellipsis."""
        lines = charts.wrap_label("Cognitive behavioural therapy delivered in groups " * 5)
        self.assertEqual(len(lines), charts.MAX_LABEL_LINES)
        self.assertTrue(lines[-1].endswith("…"))
        for line in lines:
            self.assertLessEqual(charts.text_width(line), charts.WIDTH)
        self.assertEqual(len(charts.wrap_label("Supercalifragilistic" * 4)), 3)

    @given(
        st.lists(
            st.tuples(st.text(max_size=150), st.one_of(st.none(), st.integers(0, 10**6))),
            max_size=30,
        )
    )
    def test_everything_stays_inside_the_chart(self, rows):
        """Whatever the labels and values, every bar and value fits inside the viewBox."""
        result = bar_chart(
            [Row(label, value, "" if value is None else str(value)) for label, value in rows],
            id="c",
            title="t",
        )
        for bar in result.bars:
            self.assertGreaterEqual(bar.length, 0)
            end = (bar.value_x if bar.length else 6) + charts.text_width(bar.value_text)
            self.assertLessEqual(end, result.width + 0.5)
            self.assertLessEqual(bar.y + charts.BAR_HEIGHT, result.height)
            self.assertLessEqual(len(bar.label_lines), charts.MAX_LABEL_LINES)


class KeyFigureChartTests(SimpleTestCase):
    def test_untreated_hatched_treated_solid_both_labelled(self):
        """Without and with the intervention differ by pattern and by their written labels."""
        without, with_it = key_figure_chart(figure()).bars
        self.assertEqual((without.fill, with_it.fill), (Fill.HATCHED, Fill.SOLID))
        self.assertEqual(without.label_lines[0][0], "Without the intervention")
        self.assertEqual(with_it.label_lines[0][0], "With the intervention")
        self.assertEqual((without.value_text, with_it.value_text), ("13.6%", "9.3%"))
        self.assertGreater(without.length, with_it.length)

    def test_text_alternative_gives_both_rates(self):
        """The chart's title says what it shows, in words and numbers."""
        self.assertEqual(
            key_figure_chart(figure()).title,
            "Bar chart of sexual reoffending: 13.6% without the intervention, 9.3% with it.",
        )

    def test_missing_rates(self):
        """With one rate missing the other still shows; with neither there is no chart."""
        without, with_it = key_figure_chart(figure(treatment=None)).bars
        self.assertFalse(without.is_missing)
        self.assertTrue(with_it.is_missing)
        self.assertIn("not reported with it", key_figure_chart(figure(treatment=None)).title)
        self.assertIsNone(key_figure_chart(figure(comparison=None, treatment=None)))


class BreakdownChartTests(SimpleTestCase):
    def test_rows_in_order_with_a_named_title(self):
        """A breakdown charts its rows in order, titled by review, unit and kind."""
        result = breakdown_chart(breakdown_rows(20, 5), "review one")
        self.assertEqual([bar.value_text for bar in result.bars], ["20", "5"])
        self.assertEqual(result.id, "review-3-approach")
        self.assertTrue(result.title.startswith("Bar chart of review one: studies by approach."))

    def test_odd_unit_is_written_out(self):
        """A row counted in another unit than the first says so, as the table does."""
        rows = breakdown_rows(13, 11, unit="tests")
        rows[1].unit = "studies"
        self.assertEqual(
            [b.value_text for b in breakdown_chart(rows, "r").bars], ["13", "11 studies"]
        )


class ChartTemplateTests(SimpleTestCase):
    def render(self, chart_data):
        return Template("{% load toolkit %}{% chart_svg chart %}").render(
            Context({"chart": chart_data})
        )

    def test_svg_is_an_image_named_by_its_title(self):
        """The SVG is one image whose accessible name is its title; its ids are its own."""
        html = self.render(key_figure_chart(figure()))
        self.assertIn('role="img" aria-labelledby="key-figure-7-title"', html)
        self.assertIn('<title id="key-figure-7-title">Bar chart of sexual reoffending', html)
        self.assertIn('<pattern id="key-figure-7-hatch"', html)
        self.assertIn('fill="url(#key-figure-7-hatch)"', html)
        self.assertIn(">Without the intervention</text>", html)
        self.assertIn(">13.6%</text>", html)

    def test_solid_only_chart_defines_no_pattern(self):
        """A chart with no hatched bars carries no pattern definitions."""
        html = self.render(breakdown_chart(breakdown_rows(3, 1), "review one"))
        self.assertNotIn("<pattern", html)
        self.assertEqual(len(re.findall(r'class="chart__bar chart__bar--solid"', html)), 2)

    def test_labels_are_escaped(self):
        """Labels typed by editors are text in the SVG, never markup."""
        rows = breakdown_rows(1)
        rows[0].label = "<script>x</script>"
        html = self.render(breakdown_chart(rows, "review one"))
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)
