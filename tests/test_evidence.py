"""Evidence by outcome: the summary page's table, the evidence map (with its downloads)
and the comparison of summaries."""

import csv
import io

from django.core.cache import cache
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from summaries import charts
from summaries.editorial.services import (
    RESERVED_SLUGS,
    intervention_rename,
    version_withdraw,
)
from summaries.models import (
    Approach,
    Dimension,
    Direction,
    Outcome,
    OutcomeResult,
    Problem,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import level, make_draft, make_live
from tests.helpers import count_get

DEMO = "psychosocial-treatment-sex-offenders"
MAP = reverse("summaries:map")
COMPARE = reverse("summaries:compare")


def add_result(version, outcome, *, effect="reduced", studies=12, **fields):
    review = SystematicReview.objects.create(
        version=version, label=f"Review {outcome.slug}", studies=studies
    )
    result = OutcomeResult.objects.create(
        version=version,
        outcome=outcome,
        effect_rating=level(Dimension.EFFECT, effect),
        quality_rating=level(Dimension.QUALITY, "moderate"),
        direction=fields.pop("direction", Direction.REDUCED),
        stated=fields.pop("stated", "Fewer offences."),
        **fields,
    )
    result.reviews.add(review)
    return result


def uncached_count(test, url, data=None, status=200) -> int:
    """The queries of rendering ``url`` (not of serving it from the page cache)."""
    cache.clear()
    return count_get(test, test.client, url, data, status=status)


def load_demo():
    call_command("load_demo", "--no-accounts", stdout=io.StringIO(), stderr=io.StringIO())


class SummaryOutcomeTableTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()

    def setUp(self):
        self.response = self.client.get(reverse("summaries:detail", args=[DEMO]))

    def test_effect_by_outcome_table_lists_the_three_outcomes(self):
        """The demo page has an "Effect by outcome" table with one row per outcome."""
        self.assertContains(self.response, "Effect by outcome")
        for slug in ("sexual-reoffending", "general-reoffending", "violent-reoffending"):
            self.assertContains(self.response, f'<tr id="outcome-{slug}">')
        self.assertContains(self.response, '<th scope="row">Violent reoffending</th>', html=True)

    def test_numbers_only_where_the_text_gives_them(self):
        """Sexual reoffending shows its figures; the others say the text gives none."""
        html = self.response.content.decode()
        self.assertIn("From 13.6% to 9.3%: 4.3 percentage points lower, a 31.8% reduction.", html)
        self.assertEqual(html.count("The text gives no figure for this outcome."), 2)
        self.assertIn("statistically significant reductions in general and violent", html)

    def test_chart_has_a_text_alternative_and_no_invented_bars(self):
        """The chart draws one bar (31.8%) and writes "no figure given" for the others."""
        self.assertContains(self.response, "Bar chart of the relative change in each outcome")
        self.assertContains(self.response, "31.8% reduction</text>")
        self.assertContains(self.response, "no figure given</text>", count=2)

    def test_summary_page_does_not_grow_with_outcomes(self):
        """The page costs the same queries with three outcomes or eight."""
        url = reverse("summaries:detail", args=[DEMO])
        before = uncached_count(self, url)
        version = SummaryVersion.objects.live().get(intervention__slug=DEMO)
        for n in range(5):
            add_result(version, Outcome.objects.create(name=f"Outcome {n}", slug=f"o-{n}"))
        self.assertEqual(uncached_count(self, url), before)


class OutcomeChartTests(SimpleTestCase):
    def test_no_chart_without_any_figure(self):
        """Outcomes stated only in words give no chart at all (nothing to draw)."""
        result = OutcomeResult(relative_change=None, outcome=Outcome(name="Violent"))
        self.assertIsNone(charts.outcome_chart([result]))

    def test_markers_grow_with_studies_and_differ_by_direction(self):
        """More studies, a bigger marker; reduced points down, increased up, no effect a bar."""
        self.assertLess(charts.marker_half_size(2), charts.marker_half_size(50))
        self.assertEqual(charts.marker_half_size(500), charts.MARKER_MAX)
        shapes = {slug: charts.map_marker(slug, 10).shape for slug in charts.MARKERS}
        self.assertEqual(shapes["reduced"], "down")
        self.assertEqual(shapes["increased"], "up")
        self.assertEqual(shapes["no-effect"], "bar")
        self.assertEqual(shapes["mixed"], "diamond")
        self.assertIsNone(charts.map_marker(None, 10))


class EvidenceMapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.demo = SummaryVersion.objects.live().get(intervention__slug=DEMO)
        cls.lighting = make_live("street-lighting", title="Street lighting")
        cls.theft = Outcome.objects.create(name="Vehicle theft", slug="vehicle-theft", position=9)
        cls.gap = Outcome.objects.create(name="Fear of crime", slug="fear-of-crime", position=10)
        add_result(cls.lighting, cls.theft, effect="no-effect", studies=4)
        cls.lighting.approaches.add(Approach.objects.create(name="Situational", slug="situational"))
        cls.lighting.problems.add(Problem.objects.create(name="Vehicle crime", slug="vehicle"))
        # A draft's evidence never shows.
        draft = make_draft("secret-programme", title="Secret programme")
        add_result(draft, cls.theft, stated="Draft words")

    def test_rows_are_live_interventions_and_columns_outcomes(self):
        """Every live summary is a row and every outcome a column, with a caption."""
        response = self.client.get(MAP)
        self.assertContains(response, "<caption")
        self.assertContains(response, '<th scope="col">Intervention</th>', html=True)
        for name in ("Psychosocial treatment for sex offenders", "Street lighting"):
            self.assertContains(response, name)
        self.assertNotContains(response, "Secret programme")
        self.assertContains(response, "Fear of crime")

    def test_cells_say_effect_quality_and_studies_in_words_and_link_to_the_outcome(self):
        """A cell reads "Reduced crime; strong evidence; 35 studies" and links to its row."""
        response = self.client.get(MAP)
        self.assertContains(response, "Reduced crime; strong evidence; 35 studies")
        self.assertContains(response, f'href="/toolkit/{DEMO}/#outcome-violent-reoffending"')
        self.assertContains(response, "No effect on crime; moderate evidence; 4 studies")

    def test_gaps_are_visible(self):
        """An outcome a summary has no evidence on says "No evidence" in its cell."""
        response = self.client.get(MAP)
        # Demo: 2 of the 5 outcomes are gaps; street lighting: 4 of 5.
        self.assertContains(response, '<span class="evidence-map__text">No evidence</span>', 6)

    def test_takes_the_list_pages_facets(self):
        """?problem=vehicle shows only the summaries the list page would show."""
        response = self.client.get(MAP, {"problem": "vehicle"})
        self.assertContains(response, "Street lighting")
        self.assertNotContains(response, "Psychosocial treatment for sex offenders")
        self.assertContains(response, "problem: vehicle")

    def test_list_page_links_its_filters_to_the_map(self):
        """The list page's "evidence map" link keeps its facets, not its search."""
        response = self.client.get(reverse("summaries:list"), {"problem": "vehicle", "q": "x"})
        self.assertContains(response, 'href="/toolkit/map/?problem=vehicle"')

    def test_unknown_facet_values_are_named_not_an_error(self):
        """A filter value that matches nothing is ignored and named."""
        response = self.client.get(MAP, {"problem": "no-such", "page": "x", "group": "zzz"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "were not recognised and were ignored: no-such")

    def test_grouped_by_approach(self):
        """?group=approach puts each summary under each of its approaches."""
        response = self.client.get(MAP, {"group": "approach"})
        self.assertContains(
            response, '<th scope="colgroup" colspan="6">Situational</th>', html=True
        )
        self.assertContains(response, "Cognitive behavioural therapy (CBT)")

    def test_withdrawn_summary_leaves_the_map(self):
        """A withdrawn summary is no longer a row of the map or its downloads."""
        version_withdraw(version=self.lighting, reason="Under review.")
        for url in (MAP, reverse("summaries:map_csv"), reverse("summaries:map_json")):
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "Street lighting")

    def test_json_download_has_a_cell_per_outcome_and_null_gaps(self):
        """The JSON grid gives each summary a cell per outcome, null where there is none."""
        data = self.client.get(reverse("summaries:map_json")).json()
        self.assertEqual(
            [o["slug"] for o in data["outcomes"]][-2:], ["vehicle-theft", "fear-of-crime"]
        )
        demo = next(s for s in data["summaries"] if s["slug"] == DEMO)
        self.assertIsNone(demo["cells"]["fear-of-crime"])
        sexual = demo["cells"]["sexual-reoffending"]
        self.assertEqual(
            (sexual["effect"], sexual["quality"], sexual["studies"]), ("reduced", "strong", 35)
        )
        self.assertEqual(self.client.get(MAP, {"format": "json"}).json(), data)

    def test_csv_download_follows_the_filters(self):
        """The CSV has a column trio per outcome and only the filtered summaries."""
        response = self.client.get(reverse("summaries:map_csv"), {"problem": "vehicle"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual([r["slug"] for r in rows], ["street-lighting"])
        self.assertEqual(rows[0]["vehicle-theft_effect"], "no-effect")
        self.assertEqual(rows[0]["vehicle-theft_studies"], "4")
        self.assertEqual(rows[0]["fear-of-crime_effect"], "")

    def test_map_is_in_the_sitemap(self):
        """The sitemap lists the evidence map."""
        sitemap = self.client.get("/sitemap.xml")
        self.assertContains(sitemap, "/toolkit/map/")
        self.assertContains(sitemap, "/toolkit/overview/")


class MapQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.outcomes = [Outcome.objects.create(name=f"O{n}", slug=f"o{n}") for n in range(3)]
        for _ in range(2):
            cls.add_summary()

    @classmethod
    def add_summary(cls):
        version = make_live()
        version.approaches.add(Approach.objects.get_or_create(name="A", slug="a")[0])
        for outcome in cls.outcomes:
            add_result(version, outcome)
        return version

    def counts(self):
        return [
            uncached_count(self, url, data)
            for url, data in (
                (MAP, None),
                (MAP, {"group": "approach", "approach": "a"}),
                (reverse("summaries:map_csv"), None),
                (reverse("summaries:map_json"), None),
            )
        ]

    def test_map_and_downloads_do_not_grow_with_summaries(self):
        """The map and its downloads cost the same queries with 2 or 12 summaries."""
        few = self.counts()
        for _ in range(10):
            self.add_summary()
        self.assertEqual(self.counts(), few)


class OverviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        for _ in range(2):
            cls.add_summary()

    @staticmethod
    def add_summary():
        version = make_live()
        version.effect_rating = level(Dimension.EFFECT, "no-effect")
        version.quality_rating = level(Dimension.QUALITY, "limited")
        version.save()
        return version

    def test_counts_each_pair_of_ratings_and_links_to_them(self):
        """The table counts summaries per effect and quality and links to them on the list."""
        response = self.client.get(reverse("summaries:overview"))
        self.assertContains(response, "3 summaries with both ratings")
        self.assertContains(response, 'href="/toolkit/?effect=no-effect&amp;quality=limited">2')
        self.assertContains(
            response, 'href="/toolkit/?effect=reduced-some-increase&amp;quality=strong">1'
        )
        self.assertContains(response, "<circle", count=2)
        self.assertContains(response, 'role="img" aria-labelledby="overview-title"')

    def test_drafts_do_not_count(self):
        """A draft's ratings are not counted."""
        draft = make_draft()
        draft.effect_rating = level(Dimension.EFFECT, "increased")
        draft.quality_rating = level(Dimension.QUALITY, "strong")
        draft.save()
        self.assertNotContains(
            self.client.get(reverse("summaries:overview")), "effect=increased&amp;"
        )

    def test_does_not_grow_with_summaries(self):
        """The overview costs the same queries with 3 or 13 summaries."""
        before = uncached_count(self, reverse("summaries:overview"))
        for _ in range(10):
            self.add_summary()
        self.assertEqual(uncached_count(self, reverse("summaries:overview")), before)


class CompareTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.lighting = make_live("street-lighting", title="Street lighting")
        add_result(cls.lighting, Outcome.objects.create(name="Burglary", slug="burglary"))
        cls.cctv = make_live("cctv", title="CCTV")
        cls.withdrawn = make_live("old-programme", title="Old programme")
        version_withdraw(version=cls.withdrawn, reason="Superseded by newer evidence.")
        make_draft("secret-programme", title="Secret programme")

    def compare(self, *slugs, status=200):
        response = self.client.get(COMPARE, {"s": list(slugs)})
        self.assertEqual(response.status_code, status, response.content[:500])
        return response

    def test_two_summaries_side_by_side(self):
        """Ratings, key figures, outcomes, evidence base and dates of each summary."""
        response = self.compare(DEMO, "street-lighting")
        for text in (
            "Psychosocial treatment for sex offenders",
            "Street lighting",
            "Reduced crime, with some evidence of increase",
            "from 13.6% to 9.3%",
            "Violent reoffending",
            "Review one: 35 studies, published up to 2021",
            "Burglary",
            "Last updated",
        ):
            self.assertContains(response, text)
        self.assertContains(response, 'class="compare compare--2"')

    def test_order_follows_the_address_and_duplicates_count_once(self):
        """Summaries appear in the order asked; a slug given twice is shown once."""
        response = self.compare("street-lighting", DEMO, "street-lighting")
        html = response.content.decode()
        self.assertLess(
            html.index("Street lighting</a></h2>"), html.index("sex offenders</a></h2>")
        )

    def test_too_many_is_a_clear_400(self):
        """Five summaries answer 400 saying four is the most."""
        response = self.compare(DEMO, "street-lighting", "cctv", "a", "b", status=400)
        self.assertContains(response, "compare at most 4", status_code=400)

    def test_one_is_a_clear_400(self):
        """A single summary answers 400 asking for two."""
        self.assertContains(self.compare(DEMO, status=400), "at least two", status_code=400)

    def test_unknown_withdrawn_and_draft_slugs_are_named(self):
        """Unknown, withdrawn and never-published summaries answer 400, each named."""
        response = self.compare(DEMO, "nope", "old-programme", "secret-programme", status=400)
        self.assertContains(response, "No summary has the address ‘nope’", status_code=400)
        self.assertContains(response, "‘old-programme’ has been withdrawn", status_code=400)
        self.assertContains(response, "‘secret-programme’", status_code=400)
        self.assertNotContains(response, "Secret programme", status_code=400)

    def test_old_slug_follows_to_the_live_summary(self):
        """A renamed summary's old slug redirects to the comparison with its new one."""
        intervention_rename(intervention=self.cctv.intervention, new_slug="cctv-cameras")
        response = self.client.get(COMPARE, {"s": [DEMO, "cctv"]})
        self.assertRedirects(response, f"{COMPARE}?s={DEMO}&s=cctv-cameras")

    def test_no_slugs_explains_how_to_choose(self):
        """The bare address explains how to choose summaries."""
        self.assertContains(self.compare(), "Choose two to four summaries")

    def test_nonsense_input_is_never_a_500(self):
        """Odd slugs (very long, unicode, empty) give a message, not an error."""
        response = self.client.get(COMPARE, {"s": ["x" * 5000, "é/../", ""]})
        self.assertEqual(response.status_code, 400)

    def test_list_page_offers_compare_checkboxes(self):
        """Each card on the list has a labelled Compare checkbox in a GET form to compare."""
        response = self.client.get(reverse("summaries:list"))
        self.assertContains(response, f'action="{COMPARE}" method="get"')
        self.assertContains(response, f'name="s" value="{DEMO}"')
        self.assertContains(response, "Compare the summaries you ticked")

    def test_query_count_does_not_grow_with_content(self):
        """Comparing costs the same queries however much the summaries hold."""
        before = uncached_count(self, COMPARE, {"s": ["street-lighting", "cctv"]})
        for n in range(4):
            add_result(self.cctv, Outcome.objects.create(name=f"Outcome {n}", slug=f"o-{n}"))
        self.assertEqual(uncached_count(self, COMPARE, {"s": ["street-lighting", "cctv"]}), before)


class ReservedWordsTests(SimpleTestCase):
    def test_new_paths_are_reserved(self):
        """No summary may take the address of the map or the comparison."""
        self.assertLessEqual({"map", "compare", "overview"}, RESERVED_SLUGS)
