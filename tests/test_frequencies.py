"""Natural frequencies: a result with both rates also said per 100 people (per 1,000
where a rate is under 5%), rounded to whole people as stated, never without the rates;
and its icon array, readable without colour and with a text equivalent."""

import re
from decimal import Decimal

from django.template.loader import render_to_string
from django.test import SimpleTestCase, TestCase
from hypothesis import given
from hypothesis import strategies as st

from summaries import charts
from summaries.models import Direction, KeyFigure, Outcome, OutcomeResult
from tests.factories import make_live

SENTENCE = (
    "Of 100 people like those studied, about 14 reoffended sexually without the "
    "intervention and about 9 with it."
)


class RoundingTests(SimpleTestCase):
    def test_the_seeds_rates_round_to_14_and_9(self):
        """13.6% of 100 people is about 14, 9.3% about 9."""
        frequency = charts.natural_frequency(Decimal("13.6"), Decimal("9.3"))
        self.assertEqual((frequency.per, frequency.without, frequency.with_it), (100, 14, 9))

    def test_a_half_rounds_up(self):
        """12.5% of 100 is about 13 and 0.5% of 100 about 1: halves go up, as stated."""
        self.assertEqual(charts.whole_people(Decimal("12.5"), 100), 13)
        self.assertEqual(charts.whole_people(Decimal("0.5"), 100), 1)
        self.assertEqual(charts.whole_people(Decimal("12.4"), 100), 12)

    def test_rates_under_five_percent_are_put_per_thousand(self):
        """2.4% and 1.1% become about 24 and 11 of 1,000, not 2 and 1 of 100."""
        frequency = charts.natural_frequency(Decimal("2.4"), Decimal("1.1"))
        self.assertEqual((frequency.per, frequency.without, frequency.with_it), (1000, 24, 11))
        self.assertEqual(frequency.per_text, "1,000")
        # One rate under 5% is enough: both are put on the same footing.
        self.assertEqual(charts.natural_frequency(Decimal("13.6"), Decimal("4.9")).per, 1000)
        self.assertEqual(charts.natural_frequency(Decimal("5.0"), Decimal("5.0")).per, 100)

    def test_never_without_both_rates(self):
        """A missing rate gives no natural frequency at all: no number is made up."""
        self.assertIsNone(charts.natural_frequency(None, Decimal("9.3")))
        self.assertIsNone(charts.natural_frequency(Decimal("13.6"), None))
        self.assertIsNone(charts.icon_array(None, id="x"))

    @given(st.decimals(min_value=0, max_value=100, places=1))
    def test_no_stated_rate_above_zero_rounds_to_none(self, rate):
        """Any rate above zero (to one decimal, as stored) is at least one person."""
        frequency = charts.natural_frequency(rate, rate)
        self.assertEqual(frequency.without == 0, rate == 0)
        self.assertLessEqual(
            abs(Decimal(frequency.without) - rate * frequency.per / 100), Decimal("0.5")
        )


class IconArrayTests(SimpleTestCase):
    def render(self, comparison="13.6", treatment="9.3"):
        frequency = charts.natural_frequency(Decimal(comparison), Decimal(treatment))
        array = charts.icon_array(frequency, id="key-figure-7-icons")
        return array, render_to_string(
            "components/icon_array.html",
            {"array": array, "frequency": frequency, "phrase": "reoffended sexually"},
        )

    def test_one_square_marked_per_person_with_the_outcome(self):
        """Without: 14 squares marked, hatched; with: 9, solid."""
        array, svg = self.render()
        without, with_it = array.grids
        self.assertEqual(without.path.count("M"), 14)
        self.assertEqual(with_it.path.count("M"), 9)
        self.assertEqual((without.fill, with_it.fill), (charts.Fill.HATCHED, charts.Fill.SOLID))
        self.assertIn('fill="url(#key-figure-7-icons-hatch)"', svg)

    def test_the_array_has_a_text_equivalent_and_says_its_counts_in_words(self):
        """The SVG is an image titled with the sentence; each group is labelled and counted."""
        _array, svg = self.render()
        self.assertIn('role="img" aria-labelledby="key-figure-7-icons-title"', svg)
        self.assertIn(
            '<title id="key-figure-7-icons-title">Icon array: of 100 people like those '
            "studied, about 14 reoffended sexually without the intervention and about 9 "
            "with it.</title>",
            svg,
        )
        self.assertIn(">14 of 100</text>", svg)
        self.assertIn(">9 of 100</text>", svg)

    def test_per_thousand_grid_holds_a_thousand(self):
        """Per 1,000, each grid is 40 across and 25 down, and says '24 of 1,000'."""
        array, svg = self.render("2.4", "1.1")
        self.assertEqual(array.per, 1000)
        self.assertAlmostEqual(array.grid_height, 25 * array.cell, places=1)
        self.assertIn(">24 of 1,000</text>", svg)
        # Coordinates are plain numbers whatever the locale's separators.
        self.assertFalse(re.search(r'(width|height)="\d+,\d', svg))


class SummaryPageFrequencyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        live = make_live("treatment")
        KeyFigure.objects.create(
            version=live,
            outcome="Sexual reoffending",
            comparison_rate="13.6",
            treatment_rate="9.3",
            relative_change="-31.8",
        )
        KeyFigure.objects.create(version=live, outcome="Arrests", relative_change="-10.0")
        outcome = Outcome.objects.create(
            name="Sexual reoffending", slug="sexual", frequency_phrase="reoffended sexually"
        )
        OutcomeResult.objects.create(
            version=live,
            outcome=outcome,
            direction=Direction.REDUCED,
            stated="declined from 13.6% to 9.3%",
            comparison_rate="13.6",
            treatment_rate="9.3",
        )
        OutcomeResult.objects.create(
            version=live,
            outcome=Outcome.objects.create(name="General reoffending", slug="general"),
            direction=Direction.REDUCED,
            stated="statistically significant reductions",
            relative_change="-12.0",
        )

    def test_key_figure_and_outcome_say_it_per_100_with_the_rounding(self):
        """The key figure and the outcome's row give the sentence and how it was rounded;
        the key figure has its icon array beside the bars."""
        response = self.client.get("/toolkit/treatment/")
        self.assertContains(response, SENTENCE, count=2)
        self.assertContains(
            response,
            "From the rates as stated, 13.6% and 9.3%, rounded to the nearest whole person.",
            count=2,
        )
        self.assertContains(response, 'class="icon-array"', count=1)

    def test_no_sentence_where_rates_are_missing(self):
        """A figure or outcome with only a relative change gets no natural frequency."""
        html = self.client.get("/toolkit/treatment/").content.decode()
        self.assertEqual(html.count("people like those studied"), 2 + 1)  # + the SVG title
        self.assertNotIn("about 0", html)

    def test_an_outcome_nobody_worded_is_named(self):
        """Without an editor's phrase the sentence names the outcome rather than guess a verb."""
        Outcome.objects.filter(slug="sexual").update(frequency_phrase="")
        from summaries.models.generation import public_content_changed

        public_content_changed()
        response = self.client.get("/toolkit/treatment/")
        self.assertContains(
            response, "about 14 were counted under “sexual reoffending” without the intervention"
        )
