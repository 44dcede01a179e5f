"""The economic evidence as data: cost bands (a seeded, editable scale), unit costs and
benefit-cost figures with their checks, shown as tables and a chart, in data.json and
the API; "no economic evaluation found" where the reviews report none."""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase, TestCase

from summaries import charts, importer
from summaries.demo import data as demo
from summaries.editorial.rules import submit_problems
from summaries.models import BenefitCost, Dimension, Scale, SystematicReview, UnitCost
from summaries.models.economics import ratio_bounds
from tests.factories import level, make_complete_draft, make_draft, make_live
from tests.test_api import API, check_against_document, document


def benefit_cost(version, **kwargs):
    values = {
        "perspective": "taxpayers",
        "benefits": Decimal("9000"),
        "costs": Decimal("1500"),
        "ratio": Decimal("6.00"),
        "currency": "GBP",
        "price_year": 2023,
    } | kwargs
    return BenefitCost.objects.create(version=version, **values)


class CostBandScaleTests(TestCase):
    def test_five_eif_style_bands_with_their_pound_ranges(self):
        """The cost-band scale is seeded with five bands, each with its range in pounds."""
        scale = Scale.objects.get(dimension=Dimension.COST_BAND)
        self.assertEqual(
            [(lv.label, lv.description) for lv in scale.levels.all()],
            [
                ("Low cost", "Less than £100 per participant."),
                ("Medium-low cost", "£100 to £499 per participant."),
                ("Medium cost", "£500 to £999 per participant."),
                ("Medium-high cost", "£1,000 to £2,000 per participant."),
                ("High cost", "More than £2,000 per participant."),
            ],
        )
        self.assertContains(self.client.get("/toolkit/scales/cost-band/"), "Medium-low cost")


class EconomicConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_draft()

    def test_an_amount_needs_its_currency_and_price_year(self):
        """The database refuses a unit cost or benefit figure without currency or year."""
        for make in (
            lambda: UnitCost.objects.create(version=self.version, amount=1, price_year=None),
            lambda: UnitCost.objects.create(
                version=self.version, amount=1, currency="", price_year=2023
            ),
            lambda: benefit_cost(self.version, price_year=None),
            lambda: benefit_cost(self.version, currency=""),
        ):
            with self.assertRaises(IntegrityError), transaction.atomic():
                make()

    def test_a_ratio_alone_needs_no_currency(self):
        """A ratio and a chance without amounts are stored without currency or year."""
        figure = benefit_cost(
            self.version,
            benefits=None,
            costs=None,
            ratio=Decimal("2.5"),
            chance_benefits_exceed_costs=Decimal("80"),
            currency="",
            price_year=None,
        )
        self.assertEqual(figure.inconsistency(), "")

    def test_chance_is_a_percentage_and_costs_are_not_negative(self):
        """A chance over 100% or a negative cost cannot be stored."""
        for kwargs in ({"chance_benefits_exceed_costs": Decimal("100.5")}, {"costs": -1}):
            with self.assertRaises(IntegrityError), transaction.atomic():
                benefit_cost(self.version, ratio=None, **kwargs)


class RatioCheckTests(TestCase):
    def test_ratio_bounds_allow_for_rounding(self):
        """£9,000 of benefits for £1,500 of costs allows a ratio of 5.99 to 6.01."""
        self.assertEqual(
            ratio_bounds(Decimal("9000"), Decimal("1500")), (Decimal("5.99"), Decimal("6.01"))
        )

    def test_a_ratio_that_contradicts_the_amounts_is_refused_with_the_sum(self):
        """Form validation and the submit check name the sum and the allowed range."""
        draft = make_complete_draft()
        figure = benefit_cost(draft, ratio=Decimal("5.00"))
        with self.assertRaises(ValidationError) as raised:
            figure.full_clean()
        message = raised.exception.message_dict["ratio"][0]
        self.assertIn("does not match the amounts: 9000 / 1500 = 6.00.", message)
        self.assertIn("between 5.99 and 6.01", message)
        self.assertIn(f"Benefit-cost figure “Taxpayers”: {message}", submit_problems(draft))
        figure.ratio = Decimal("6.00")
        figure.save()
        self.assertEqual(submit_problems(draft), [])

    def test_no_evaluation_with_figures_is_named_on_submit(self):
        """'No economic evaluation found' and figures at once cannot go to review."""
        draft = make_complete_draft()
        draft.no_economic_evaluation = True
        draft.save()
        UnitCost.objects.create(version=draft, amount=100, price_year=2023)
        self.assertIn(
            "Economic evidence: untick “no economic evaluation found”, or remove the unit "
            "costs and benefit-cost figures.",
            submit_problems(draft),
        )


class MoneyTests(SimpleTestCase):
    def test_amounts_in_words_people_read(self):
        """Pounds with a £ and thousands commas; pence only when there are some; a loss
        with a minus sign; another currency by its code."""
        self.assertEqual(charts.money(Decimal("1250.00"), "GBP"), "£1,250")
        self.assertEqual(charts.money(Decimal("99.50"), "GBP"), "£99.50")
        self.assertEqual(charts.money(Decimal("-500"), "GBP"), "−£500")
        self.assertEqual(charts.money(Decimal("1250"), "AUD"), "AUD 1,250")


class EconomicsPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("mentoring", title="Mentoring")
        review = SystematicReview.objects.create(version=cls.live, label="Review one")
        cls.live.cost_band = level(Dimension.COST_BAND, "medium-high")
        cls.live.save()
        UnitCost.objects.create(
            version=cls.live,
            amount=Decimal("1250"),
            currency="GBP",
            price_year=2023,
            description="a 12-week programme",
            review=review,
        )
        benefit_cost(cls.live, review=review, chance_benefits_exceed_costs=Decimal("85"))
        cls.live.sections.create(kind="economic", body="<p>What the reviews say of costs.</p>")

    def test_cost_band_unit_cost_and_benefit_costs_as_tables_and_chart(self):
        """The economic section shows the band with its range, the unit cost and the
        benefit-cost figures with currency and price year, and a chart of them."""
        response = self.client.get("/toolkit/mentoring/")
        self.assertContains(
            response,
            "Cost band: <strong>Medium-high cost</strong> (£1,000 to £2,000 per participant).",
        )
        self.assertContains(response, "<td>£1,250</td><td>2023</td>", html=False)
        self.assertContains(response, "£9,000 (2023 prices)")
        self.assertContains(response, "<td>85.0%</td>", html=True)
        self.assertContains(response, "Bar chart of benefits and costs per participant")
        self.assertNotContains(response, "No economic evaluation found")

    def test_data_json_and_the_api_carry_the_economics(self):
        """data.json and the API give the economics as the OpenAPI document describes."""
        response = self.client.get(f"{API}/summaries/mentoring/")
        body = check_against_document(self, response, f"{API}/summaries/{{slug}}/", doc=document())
        economics = body["economics"]
        self.assertEqual(economics["cost_band"]["level"], "medium-high")
        self.assertEqual(
            economics["unit_costs"][0],
            {
                "amount": "1250.00",
                "currency": "GBP",
                "price_year": 2023,
                "description": "a 12-week programme",
                "review": "Review one",
            },
        )
        self.assertEqual(economics["benefit_costs"][0]["ratio"], "6.00")
        data = json.loads(self.client.get("/toolkit/mentoring/data.json").content)
        self.assertEqual(data["economics"], economics)


class NoEconomicEvaluationTests(TestCase):
    def test_the_seeds_no_costs_becomes_no_economic_evaluation(self):
        """'Neither review mentioned the costs' imports as no economic evaluation, never a
        band, and the demo page says so."""
        parsed = importer.parse_summary(importer.read_export(demo.SEED_FILE))
        self.assertTrue(parsed.no_economic_evaluation)
        from django.core.management import call_command

        call_command("load_demo", "--no-accounts", verbosity=0)
        response = self.client.get(f"/toolkit/{demo.SLUG}/")
        self.assertContains(response, "<strong>No economic evaluation found.</strong>")
        body = json.loads(self.client.get(f"/toolkit/{demo.SLUG}/data.json").content)
        self.assertEqual(
            body["economics"],
            {
                "no_economic_evaluation": True,
                "cost_band": None,
                "unit_costs": [],
                "benefit_costs": [],
            },
        )

    def test_a_section_that_gives_costs_is_not_read_as_none(self):
        """A section stating costs does not set 'no economic evaluation'."""
        self.assertFalse(
            importer.states_no_economic_evaluation(
                ["The programme cost £1,250 per participant (2023 prices)."]
            )
        )
        self.assertTrue(
            importer.states_no_economic_evaluation(
                ["The review did not report costs of the programme."]
            )
        )
