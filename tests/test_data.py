"""Open data downloads: the live summaries as JSON and CSV, and nothing that is not live."""

import csv
import io

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from summaries.editorial.services import draft_start_from, intervention_rename, version_withdraw
from summaries.models import (
    Approach,
    Dimension,
    Direction,
    ExternalLink,
    KeyFigure,
    Outcome,
    OutcomeResult,
    Problem,
    RelatedSummary,
    SectionKind,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import level, make_draft, make_live
from tests.helpers import count_get

DEMO_SLUG = "psychosocial-treatment-sex-offenders"
LIST_JSON = reverse("summaries:data_json")
LIST_CSV = reverse("summaries:data_csv")


def data_url(slug: str) -> str:
    return reverse("summaries:detail_data", kwargs={"slug": slug})


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


class SummaryDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
        cls.related = make_live("street-lighting", title="Street lighting")
        cls.draft_only = make_draft("secret-programme", title="Secret draft programme")
        demo = SummaryVersion.objects.live().get(intervention__slug=DEMO_SLUG)
        RelatedSummary.objects.create(version=demo, target=cls.related.intervention)
        RelatedSummary.objects.create(version=demo, target=cls.draft_only.intervention, position=1)
        ExternalLink.objects.create(
            version=demo, title="Guidance", url="https://example.org/guidance"
        )

    def setUp(self):
        response = self.client.get(data_url(DEMO_SLUG))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.data = response.json()

    def test_identity_and_dates(self):
        """The summary's address, title, version and dates come in ISO 8601."""
        self.assertEqual(self.data["slug"], DEMO_SLUG)
        self.assertEqual(self.data["url"], f"http://testserver/toolkit/{DEMO_SLUG}/")
        self.assertEqual(self.data["title"], "Psychosocial treatment for sex offenders")
        self.assertEqual(self.data["version"], 1)
        self.assertRegex(self.data["published_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
        self.assertRegex(self.data["first_published_at"], r"^\d{4}-\d\d-\d\dT")

    def test_key_figures_as_stated(self):
        """The demo's key figure keeps its decimals exactly, with the derived change."""
        figure = self.data["key_figures"][0]
        self.assertEqual(
            (figure["comparison_rate"], figure["treatment_rate"], figure["relative_change"]),
            ("13.6", "9.3", "-31.8"),
        )
        self.assertEqual(figure["absolute_change"], "-4.3")

    def test_outcomes_as_stated_with_nulls_where_the_text_gives_no_number(self):
        """The three outcomes come with ratings; general and violent have no numbers, only words."""
        outcomes = {o["outcome"]["slug"]: o for o in self.data["outcomes"]}
        self.assertEqual(
            list(outcomes), ["sexual-reoffending", "general-reoffending", "violent-reoffending"]
        )
        sexual = outcomes["sexual-reoffending"]
        self.assertEqual(
            (
                sexual["comparison_rate"],
                sexual["treatment_rate"],
                sexual["relative_change"],
                sexual["percentage_points"],
            ),
            ("13.6", "9.3", "-31.8", "-4.3"),
        )
        self.assertEqual(sexual["effect"], {"level": "reduced", "label": "Reduced crime"})
        self.assertEqual(sexual["reviews"], ["Review one"])
        general = outcomes["general-reoffending"]
        for key in ("comparison_rate", "treatment_rate", "relative_change", "percentage_points"):
            self.assertIsNone(general[key])
        self.assertIsNone(general["effect_size"])
        self.assertIn("statistically significant reductions", general["stated"])

    def test_reviews_and_breakdowns(self):
        """Each review's facts and its breakdown rows are data."""
        one, two = self.data["reviews"]
        self.assertEqual((one["studies"], one["tests"], one["rcts"]), (35, 37, 7))
        self.assertEqual(two["studies"], 27)
        countries = [
            (row["label"], row["count"], row["unit"])
            for row in one["breakdowns"]
            if row["kind"] == "country"
        ]
        self.assertEqual(
            countries, [("Canada", 13, "tests"), ("USA", 11, "tests"), ("Other", 13, "tests")]
        )

    def test_ratings_and_taxonomy(self):
        """Ratings come with their level, words and meaning; terms with slug and name."""
        effect = self.data["ratings"]["effect"]
        self.assertEqual(effect["level"], "reduced-some-increase")
        self.assertTrue(effect["label"] and effect["meaning"])
        self.assertEqual(self.data["ratings_basis"], "editor_reading")
        self.assertEqual(len(self.data["taxonomy"]["approaches"]), 5)
        self.assertEqual(set(self.data["taxonomy"]["approaches"][0]), {"slug", "name"})

    def test_sections_related_and_links(self):
        """All nine sections in order; related summaries only while live; links."""
        self.assertEqual([s["kind"] for s in self.data["sections"]], SectionKind.values)
        self.assertTrue(self.data["sections"][0]["html"].startswith("<"))
        self.assertEqual([r["slug"] for r in self.data["related_summaries"]], ["street-lighting"])
        self.assertEqual(self.data["external_links"][0]["url"], "https://example.org/guidance")

    def test_unknown_and_draft_only_are_not_found(self):
        """An unknown address, or one with only a draft, answers 404."""
        self.assertEqual(self.client.get(data_url("no-such-summary")).status_code, 404)
        self.assertEqual(self.client.get(data_url("secret-programme")).status_code, 404)

    def test_withdrawn_is_gone(self):
        """A withdrawn summary's data answers 410 with the reason, like its page."""
        version_withdraw(version=self.related, reason="New research.")
        response = self.client.get(data_url("street-lighting"))
        self.assertEqual(response.status_code, 410)
        self.assertEqual(response.json()["withdrawal_reason"], "New research.")

    def test_old_address_of_withdrawn_summary_is_gone(self):
        """The old address of a withdrawn summary answers 410 for its data, as for its
        page, without naming the current address."""
        intervention_rename(intervention=self.related.intervention, new_slug="lighting")
        version_withdraw(version=self.related, reason="New research.")
        page = self.client.get(reverse("summaries:detail", kwargs={"slug": "street-lighting"}))
        response = self.client.get(data_url("street-lighting"))
        self.assertEqual((page.status_code, response.status_code), (410, 410))
        self.assertEqual(response.json()["slug"], "street-lighting")
        self.assertEqual(response.json()["withdrawal_reason"], "New research.")
        self.assertNotIn("lighting/", response.content.decode().replace("street-lighting", ""))

    def test_old_address_redirects(self):
        """After a rename the old data address redirects to the new one."""
        intervention_rename(intervention=self.related.intervention, new_slug="lighting")
        response = self.client.get(data_url("street-lighting"))
        self.assertRedirects(response, data_url("lighting"), status_code=301)

    def test_page_links_its_data(self):
        """The summary page links its data near the citation and in its head."""
        response = self.client.get(reverse("summaries:detail", kwargs={"slug": DEMO_SLUG}))
        self.assertContains(response, "Download this summary's data (JSON)")
        self.assertContains(
            response, f'<link rel="alternate" type="application/json" href="{data_url(DEMO_SLUG)}"'
        )


class SummaryListDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
        cls.plain = make_live("alpha", title="Alpha treatment", standfirst="")

    def test_json_one_object_per_live_summary(self):
        """The JSON lists every live summary by title with its headline facts and whether
        it is up to date."""
        rows = self.client.get(LIST_JSON).json()["summaries"]
        self.assertEqual([row["slug"] for row in rows], ["alpha", DEMO_SLUG])
        demo = rows[1]
        self.assertEqual(demo["key_figure"]["relative_change"], "-31.8")
        self.assertEqual(demo["key_figure"]["comparison_rate"], "13.6")
        self.assertEqual((demo["reviews"], demo["studies"]), (2, 62))
        self.assertEqual(demo["ratings"]["effect"]["level"], "reduced-some-increase")
        self.assertEqual(len(demo["taxonomy"]["approaches"]), 5)
        self.assertIsNone(rows[0]["key_figure"])
        self.assertEqual((rows[0]["reviews"], rows[0]["studies"]), (0, None))
        # Whether each is current: the demo is up to date, its last search dated by year.
        self.assertEqual(demo["update_status"]["status"], "up-to-date")
        self.assertEqual(demo["update_status"]["last_search"], "2021")
        self.assertIsNone(rows[0]["update_status"]["status"])

    def test_csv_file(self):
        """The CSV is a UTF-8 attachment with a header row and one row per summary, its
        update status included."""
        response = self.client.get(LIST_CSV)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="toolkit-summaries.csv"'
        )
        rows = csv_rows(response)
        self.assertEqual([row["slug"] for row in rows], ["alpha", DEMO_SLUG])
        demo = rows[1]
        self.assertEqual(
            (
                demo["key_figure_comparison_rate"],
                demo["key_figure_treatment_rate"],
                demo["key_figure_relative_change"],
            ),
            ("13.6", "9.3", "-31.8"),
        )
        self.assertEqual((demo["reviews"], demo["studies"]), ("2", "62"))
        self.assertEqual(demo["effect_level"], "reduced-some-increase")
        self.assertEqual(len(demo["approaches"].split("; ")), 5)
        self.assertEqual(demo["url"], f"http://testserver/toolkit/{DEMO_SLUG}/")
        self.assertEqual(
            (demo["update_status"], demo["update_status_label"], demo["last_search"]),
            ("up-to-date", "Up to date", "2021"),
        )
        self.assertIn("covers studies published up to 2021", demo["update_status_reason"])
        self.assertEqual((rows[0]["update_status"], rows[0]["reassess_on"]), ("", ""))

    def test_list_page_links_the_downloads(self):
        """The list page offers all summaries as CSV and JSON."""
        response = self.client.get(reverse("summaries:list"))
        self.assertContains(response, "Download all summaries:")
        self.assertContains(response, f'href="{LIST_CSV}"')
        self.assertContains(response, f'href="{LIST_JSON}"')


class CsvInjectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        version = make_live(title='=HYPERLINK("https://evil.example","Click")')
        version.standfirst = "+SUM(A1:A9)"
        version.save()
        version.problems.add(Problem.objects.create(name="@cmd", slug="at-cmd"))
        KeyFigure.objects.create(
            version=version, outcome="-1+1", relative_change="-12.5", treatment_rate="4.0"
        )

    def test_formulas_are_text(self):
        """Text cells that a spreadsheet would run as formulas start with an apostrophe."""
        (row,) = csv_rows(self.client.get(LIST_CSV))
        self.assertEqual(row["title"], '\'=HYPERLINK("https://evil.example","Click")')
        self.assertEqual(row["standfirst"], "'+SUM(A1:A9)")
        self.assertEqual(row["problems"], "'@cmd")
        self.assertEqual(row["key_figure_outcome"], "'-1+1")

    def test_negative_numbers_stay_numbers(self):
        """A stated reduction is written as a number, not guarded as text."""
        (row,) = csv_rows(self.client.get(LIST_CSV))
        self.assertEqual(row["key_figure_relative_change"], "-12.5")

    def test_json_is_unchanged(self):
        """JSON carries the text exactly: it is not a spreadsheet."""
        (row,) = self.client.get(LIST_JSON).json()["summaries"]
        self.assertEqual(row["standfirst"], "+SUM(A1:A9)")


class NothingUnpublishedTests(TestCase):
    MARKER = "zqxmarker"

    @classmethod
    def setUpTestData(cls):
        m = cls.MARKER
        cls.live = make_live("live-one", title="Live one")
        # A new draft of a live summary, and a summary that was never published, both
        # with the marker in every field a download could show.
        drafts = [
            draft_start_from(version=cls.live),
            make_draft(f"{m}-slug", sections={SectionKind.FOCUS: f"<p>{m}</p>"}),
        ]
        withdrawn = make_live(f"{m}-withdrawn", title=f"{m} withdrawn")
        version_withdraw(version=withdrawn, reason="Taken down.")
        for draft in drafts:
            draft.title = f"{m} title"
            draft.standfirst = f"{m} standfirst"
            draft.change_note = f"{m} note"
            draft.effect_rating = level(Dimension.EFFECT, "reduced")
            draft.save()
            draft.problems.add(
                Problem.objects.create(name=f"{m} problem {draft.pk}", slug=f"p{draft.pk}")
            )
            draft.approaches.add(
                Approach.objects.create(name=f"{m} approach {draft.pk}", slug=f"a{draft.pk}")
            )
            KeyFigure.objects.create(version=draft, outcome=f"{m} outcome", relative_change="-1.0")
            review = SystematicReview.objects.create(
                version=draft, label=f"{m} review", citation=f"{m} citation", studies=99
            )
            result = OutcomeResult.objects.create(
                version=draft,
                outcome=Outcome.objects.get_or_create(name=f"{m} measure", slug=f"{m}-measure")[0],
                direction=Direction.REDUCED,
                stated=f"{m} stated",
                note=f"{m} result note",
            )
            result.reviews.add(review)
            review.breakdowns.create(kind="country", label=f"{m} country", count=3)
            ExternalLink.objects.create(version=draft, title=f"{m} link", url=f"https://{m}.org/")
            RelatedSummary.objects.create(version=draft, target=withdrawn.intervention)

    def test_no_download_contains_a_draft_or_withdrawn_summary(self):
        """Drafts and withdrawn summaries never reach any of the three downloads."""
        for url in (LIST_JSON, LIST_CSV, data_url("live-one")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn(b"Live one", response.content)
                self.assertNotIn(self.MARKER.encode(), response.content)


class DataQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for _ in range(2):
            cls.add_summary()

    @staticmethod
    def add_summary():
        version = make_live(sections=dict.fromkeys(SectionKind.values, "<p>x</p>"))
        version.effect_rating = level(Dimension.EFFECT, "reduced")
        version.quality_rating = level(Dimension.QUALITY, "moderate")
        version.save()
        version.problems.add(Problem.objects.create(name=f"P {version.pk}", slug=f"p{version.pk}"))
        KeyFigure.objects.create(version=version, outcome="Crime", relative_change="-5.0")
        review = SystematicReview.objects.create(version=version, label="Review one", studies=3)
        outcome, _ = Outcome.objects.get_or_create(name="Crime", slug="crime")
        result = OutcomeResult.objects.create(
            version=version, outcome=outcome, direction=Direction.REDUCED, stated="Less crime."
        )
        result.reviews.add(review)
        return version

    def count_queries(self, url):
        return count_get(self, self.client, url)

    def test_lists_do_not_grow_with_summaries(self):
        """Both list downloads cost the same queries with 2 or 25 live summaries."""
        few = (self.count_queries(LIST_JSON), self.count_queries(LIST_CSV))
        for _ in range(23):
            self.add_summary()
        many = (self.count_queries(LIST_JSON), self.count_queries(LIST_CSV))
        self.assertEqual(few, many)
        self.assertEqual(len(self.client.get(LIST_JSON).json()["summaries"]), 25)

    def test_summary_data_does_not_grow_with_content(self):
        """One summary's data costs the same queries however much it holds."""
        small = self.add_summary()
        large = self.add_summary()
        for n in range(5):
            review = SystematicReview.objects.create(version=large, position=n + 2, label=f"R{n}")
            review.breakdowns.create(kind="country", label="Canada", count=n)
            KeyFigure.objects.create(version=large, outcome=f"O{n}")
            result = OutcomeResult.objects.create(
                version=large,
                outcome=Outcome.objects.create(name=f"Outcome {n}", slug=f"outcome-{n}"),
                effect_rating=level(Dimension.EFFECT, "reduced"),
                direction=Direction.REDUCED,
                stated="Fewer.",
            )
            result.reviews.add(review)
            large.approaches.add(Approach.objects.create(name=f"A{n}", slug=f"a{n}"))
        self.assertEqual(
            self.count_queries(data_url(small.intervention.slug)),
            self.count_queries(data_url(large.intervention.slug)),
        )
