"""The public pages, read as a member of the public would: what shows, what never shows."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

from django.db import OperationalError, connection
from django.template.loader import get_template
from django.test import Client, RequestFactory, TestCase
from django.urls import reverse
from django.views.defaults import server_error

from summaries.editorial.services import draft_start_from
from summaries.models import (
    Approach,
    BreakdownKind,
    CountUnit,
    Dimension,
    ExternalLink,
    KeyFigure,
    Problem,
    RatingsBasis,
    RelatedSummary,
    ReviewBreakdown,
    SectionKind,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import level, make_draft, make_live, publish
from tests.helpers import count_get

LIST_URL = reverse("summaries:list")
HOME_URL = reverse("home")


def detail_url(version: SummaryVersion) -> str:
    return reverse("summaries:detail", kwargs={"slug": version.intervention.slug})


def set_published_at(version: SummaryVersion, when: datetime) -> None:
    SummaryVersion.objects.filter(pk=version.pk).update(published_at=when)


def add_content(version: SummaryVersion, *, count: int, related_to=()) -> None:
    """``count`` reviews (each with ``count + 1`` breakdown rows), figures and links."""
    for n in range(1, count + 1):
        review = SystematicReview.objects.create(
            version=version, position=n, label=f"Review {n}", studies=10, tests=12, rcts=2
        )
        ReviewBreakdown.objects.bulk_create(
            ReviewBreakdown(
                review=review,
                kind=BreakdownKind.COUNTRY if row % 2 else BreakdownKind.APPROACH,
                label=f"Row {row}",
                count=row,
                unit=CountUnit.TESTS if row % 2 else CountUnit.STUDIES,
                position=row,
            )
            for row in range(count + 1)
        )
        KeyFigure.objects.create(
            version=version,
            position=n,
            outcome=f"Outcome {n}",
            comparison_rate=Decimal("20.0"),
            treatment_rate=Decimal("15.0"),
            relative_change=Decimal("-25.0"),
        )
        ExternalLink.objects.create(
            version=version, position=n, title=f"Link {n}", url=f"https://example.org/{n}"
        )
    for position, target in enumerate(related_to):
        RelatedSummary.objects.create(version=version, target=target, position=position)


class SummaryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.related_live = make_live("street-lighting", title="Street lighting")
        # A live target with an open draft: the link shows the live title, not the draft's.
        draft = draft_start_from(version=cls.related_live)
        draft.title = "Street lighting renamed in draft"
        draft.save()
        cls.related_draft_only = make_draft("secret-programme", title="Secret draft programme")

        cls.version = make_live(
            "psychosocial-treatment",
            title="Psychosocial treatment for sex offenders",
            standfirst="Therapy that aims to stop people who have offended from reoffending.",
            sections={
                SectionKind.SUMMARY: "<p>The summary text.</p>",
                SectionKind.MECHANISM: "<p>How it works.</p>",
                SectionKind.FOCUS: "<p>What it is.</p>",
                SectionKind.EFFECT: "<p>What it did.</p>",
            },
        )
        version = cls.version
        version.effect_rating = level(Dimension.EFFECT, "reduced-some-increase")
        version.quality_rating = level(Dimension.QUALITY, "moderate")
        version.mechanism_rating = level(Dimension.MECHANISM, "limited")
        version.ratings_basis = RatingsBasis.EDITOR_READING
        version.evidence_reviewed_on = date(2023, 6, 1)
        version.save()
        version.problems.add(Problem.objects.create(name="Sexual offending", slug="sexual"))
        version.approaches.add(Approach.objects.create(name="Group therapy", slug="group"))
        set_published_at(version, datetime(2024, 11, 20, 10, 0, tzinfo=UTC))
        version.intervention.first_published_at = datetime(2019, 3, 5, 10, 0, tzinfo=UTC)
        version.intervention.save()

        KeyFigure.objects.create(
            version=version,
            position=1,
            outcome="Sexual reoffending",
            comparison_rate=Decimal("13.6"),
            treatment_rate=Decimal("9.3"),
            relative_change=Decimal("-31.8"),
            note="Arrest, charge or conviction; Review one",
        )
        KeyFigure.objects.create(
            version=version, position=2, outcome="Any reoffending", relative_change=Decimal("-12.5")
        )
        one = SystematicReview.objects.create(
            version=version,
            position=1,
            label="Review one",
            citation="Schmucker and Lösel (2017), Sexual offender treatment for reducing "
            "recidivism.",
            url="https://doi.org/10.1000/review-one",
            studies=35,
            tests=37,
            published_up_to=2021,
            rcts=7,
            conflict_of_interest_studies=4,
        )
        for position, (label, count) in enumerate([("Canada", 13), ("USA", 11), ("Other", 13)]):
            one.breakdowns.create(
                kind=BreakdownKind.COUNTRY,
                label=label,
                count=count,
                unit=CountUnit.TESTS,
                position=position,
            )
        one.breakdowns.create(kind=BreakdownKind.APPROACH, label="CBT", count=20, position=0)
        SystematicReview.objects.create(version=version, position=2, label="Review two", studies=27)
        ExternalLink.objects.create(
            version=version,
            title="Guidance for practitioners",
            url="https://example.org/guidance",
            description="How to run a programme well.",
        )
        RelatedSummary.objects.create(version=version, target=cls.related_live.intervention)
        RelatedSummary.objects.create(
            version=version, target=cls.related_draft_only.intervention, position=1
        )

    def setUp(self):
        self.response = self.client.get(detail_url(self.version))

    def test_title_standfirst_and_taxonomy(self):
        """The page shows the title, the standfirst and the summary's terms, which link to
        the summaries that share them."""
        self.assertEqual(self.response.status_code, 200)
        self.assertContains(
            self.response, "<h1>Psychosocial treatment for sex offenders</h1>", html=True
        )
        self.assertContains(
            self.response,
            "<title>Psychosocial treatment for sex offenders | Evidence Toolkit</title>",
            html=True,
        )
        self.assertContains(
            self.response, "Therapy that aims to stop people who have offended from reoffending."
        )
        self.assertContains(
            self.response,
            '<div><dt>Problem</dt><dd><a href="/toolkit/?problem=sexual">Sexual offending</a>'
            "</dd></div>",
            html=True,
        )
        self.assertContains(
            self.response,
            '<div><dt>Approach</dt><dd><a href="/toolkit/?approach=group">Group therapy</a>'
            "</dd></div>",
            html=True,
        )

    def test_sections_in_the_fixed_order_with_their_headings(self):
        """Sections appear in the toolkit's order under their headings, whatever the entry order."""
        html = self.response.content.decode()
        anchors = re.findall(r'<h2 id="section-([a-z]+)-heading">', html)
        self.assertEqual(anchors, ["focus", "effect", "mechanism", "summary"])
        for kind in ("focus", "effect", "mechanism", "summary"):
            self.assertContains(
                self.response,
                f'<h2 id="section-{kind}-heading">{SectionKind(kind).label}</h2>',
                html=True,
            )
        self.assertContains(self.response, "<p>How it works.</p>", html=True)

    def test_ratings_in_words(self):
        """Each dimension's rating is given in words with its meaning, or 'Not rated'."""
        self.assertContains(self.response, "<dt>Effect on crime</dt>", html=True)
        self.assertContains(self.response, "Reduced crime, with some evidence of increase")
        self.assertContains(
            self.response,
            "Overall the intervention reduced crime, but some studies found it increased crime.",
        )
        self.assertContains(self.response, "<dt>Quality of evidence</dt>", html=True)
        self.assertContains(
            self.response, '<strong class="rating__label">Moderate</strong>', html=True
        )
        self.assertContains(
            self.response, '<strong class="rating__label">Limited</strong>', html=True
        )
        for unrated in ("Moderators", "Implementation", "Economic cost"):
            self.assertContains(self.response, f"<dt>{unrated}</dt>", html=True)
        self.assertContains(
            self.response, '<strong class="rating__label">Not rated</strong>', count=3, html=True
        )
        self.assertContains(self.response, "How to read the moderators scale")
        self.assertNotContains(self.response, "How to read the none scale")

    def test_editors_reading_is_flagged(self):
        """Ratings that are an editor's reading say so; published ratings carry no such note."""
        self.assertContains(self.response, "Ratings are an editor's reading of the text")
        other = self.client.get(detail_url(self.related_live))
        self.assertNotContains(other, "an editor's reading")

    def test_key_figures_in_words(self):
        """A key figure shows both rates and the change in words, not by its sign alone."""
        self.assertContains(self.response, "Sexual reoffending")
        self.assertContains(
            self.response,
            "From 13.6% without the intervention to 9.3% with it: "
            "4.3 percentage points lower, a 31.8% reduction.",
        )
        self.assertContains(self.response, "Arrest, charge or conviction; Review one")
        self.assertContains(self.response, "A 12.5% reduction")
        self.assertNotContains(self.response, "-4.3")
        self.assertNotContains(self.response, "-31.8")

    def test_review_facts_and_breakdowns(self):
        """Each review shows its counts, years and conflicts of interest, and its tables."""
        self.assertContains(self.response, "This summary rests on 2 systematic reviews.")
        self.assertContains(self.response, "Schmucker and Lösel (2017)")
        self.assertContains(
            self.response,
            '<a href="https://doi.org/10.1000/review-one">Read review one at the publisher</a>',
            html=True,
        )
        for term, value in [
            ("Studies", "35"),
            ("Tests of the intervention", "37"),
            ("Studies published up to", "2021"),
            ("Randomised controlled trials", "7"),
            ("Studies with author conflict of interest", "4"),
            ("Studies", "27"),
        ]:
            self.assertContains(
                self.response, f"<div><dt>{term}</dt><dd>{value}</dd></div>", html=True
            )
        self.assertContains(self.response, "<caption>Review one: tests by country</caption>")
        self.assertContains(self.response, "<caption>Review one: studies by approach</caption>")
        html = self.response.content.decode()
        countries = re.findall(r'<th scope="row">(\w+)</th><td class="num">(\d+)</td>', html)
        self.assertEqual(
            countries, [("CBT", "20"), ("Canada", "13"), ("USA", "11"), ("Other", "13")]
        )

    def test_dates_and_version(self):
        """The page says when it was first published, last updated and its evidence reviewed."""
        for term, when in [
            ("First published", "5 March 2019"),
            ("Last updated", "20 November 2024"),
            ("Evidence last reviewed", "1 June 2023"),
        ]:
            self.assertContains(self.response, f"<dt>{term}</dt>", html=True)
            self.assertContains(self.response, f">{when}</time>")
        self.assertContains(self.response, "<div><dt>Version</dt><dd>1</dd></div>", html=True)

    def test_external_links(self):
        """Further reading links out with its description."""
        self.assertContains(
            self.response,
            '<a href="https://example.org/guidance">Guidance for practitioners</a>',
            html=True,
        )
        self.assertContains(self.response, "How to run a programme well.")

    def test_related_summaries_only_when_live(self):
        """A related summary shows with its live title; a draft-only one shows nowhere."""
        self.assertContains(
            self.response, '<a href="/toolkit/street-lighting/">Street lighting</a>', html=True
        )
        self.assertNotContains(self.response, "Street lighting renamed in draft")
        self.assertNotContains(self.response, "Secret draft programme")
        self.assertNotContains(self.response, "/toolkit/secret-programme/")

    def test_ratings_link_to_the_scale_explainer(self):
        """Each rating links to the page that explains its scale."""
        self.assertContains(
            self.response,
            '<a class="rating__scale" href="/toolkit/scales/effect/">'
            "How to read the effect on crime scale</a>",
            html=True,
        )
        explainer = self.client.get("/toolkit/scales/effect/")
        self.assertContains(explainer, "<h1>Effect on crime</h1>", html=True)


class UnsafeSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live(
            sections={
                SectionKind.FOCUS: '<p onclick="steal()">Before<script>alert("x")</script>'
                '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">link</a>'
                "After</p>",
            }
        )

    def test_script_and_event_handlers_never_render(self):
        """A section saved with script or event handlers shows only its text."""
        response = self.client.get(detail_url(self.version))
        self.assertContains(response, "Before")
        self.assertContains(response, "After")
        for fragment in ("<script", "onerror", "onclick", "javascript:", "alert("):
            self.assertNotContains(response, fragment)


class PublicationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("cctv", title="CCTV in car parks")
        cls.draft_only = make_draft("unreleased", title="Unreleased programme")

    def test_draft_only_summary_is_not_found(self):
        """A summary that has never been published is a 404, not a preview."""
        response = self.client.get(detail_url(self.draft_only))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Unreleased programme", status_code=404)

    def test_draft_title_on_no_public_page(self):
        """A draft's title appears on no list, home page or search result."""
        for url in (LIST_URL, HOME_URL, f"{LIST_URL}?q=Unreleased", f"{LIST_URL}?q=programme"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "Unreleased programme")
        self.assertContains(self.client.get(f"{LIST_URL}?q=Unreleased"), "0 results for")

    def test_edits_show_only_once_published(self):
        """Editing a draft leaves the live page as it was until the draft is published."""
        draft = draft_start_from(version=self.live, change_note="Retitled after review.")
        draft.title = "Closed-circuit television in car parks"
        draft.save()
        for url in (detail_url(self.live), LIST_URL, HOME_URL):
            response = self.client.get(url)
            self.assertContains(response, "CCTV in car parks")
            self.assertNotContains(response, "Closed-circuit television")

        publish(draft)
        for url in (detail_url(self.live), LIST_URL, HOME_URL):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Closed-circuit television in car parks")
                self.assertNotContains(response, "CCTV in car parks")
        response = self.client.get(detail_url(self.live))
        self.assertContains(response, "<div><dt>Version</dt><dd>2</dd></div>", html=True)
        self.assertContains(response, "Retitled after review.")

    def test_unknown_slug_shows_the_not_found_page(self):
        """An address with no summary shows the site's own 'Page not found' page."""
        response = self.client.get("/toolkit/no-such-summary/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
        self.assertContains(response, "There is no page at this address.", status_code=404)
        self.assertContains(response, 'href="/toolkit/"', status_code=404)


class SummaryListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.street = make_live(title="Street lighting", standfirst="Brighter streets at night.")
        cls.alley = make_live(
            title="Alley gating", standfirst="Gates across alleys, often with better LIGHTING."
        )
        cls.cctv = make_live(title="CCTV in car parks", standfirst="Cameras watching cars.")
        cls.street.effect_rating = level(Dimension.EFFECT, "reduced")
        cls.street.quality_rating = level(Dimension.QUALITY, "strong")
        cls.street.save()
        make_draft(title="Draft about lighting")

    def titles(self, response):
        return [card["title"] for card in response.context["page_obj"]]

    def test_live_summaries_by_title(self):
        """The list shows every live summary, alphabetically, and no draft."""
        response = self.client.get(LIST_URL)
        self.assertEqual(
            self.titles(response), ["Alley gating", "CCTV in car parks", "Street lighting"]
        )
        self.assertContains(response, "3 summaries")
        self.assertNotContains(response, "Draft about lighting")

    def test_ratings_in_words(self):
        """Each card gives the effect and quality ratings in words."""
        response = self.client.get(LIST_URL)
        self.assertContains(response, "<dt>Effect</dt><dd>Reduced crime</dd>", html=True)
        self.assertContains(response, "<dt>Quality of evidence</dt><dd>Strong</dd>", html=True)
        self.assertContains(response, "<dd>Not rated</dd>", count=4, html=True)

    def test_search_matches_title_or_standfirst(self):
        """A search finds words in titles and standfirsts, whatever their case and word
        form, title matches first, and counts them."""
        response = self.client.get(LIST_URL, {"q": "light"})
        self.assertEqual(self.titles(response), ["Street lighting", "Alley gating"])
        self.assertContains(response, "2 results for ‘light’")
        self.assertContains(response, 'value="light"')

        response = self.client.get(LIST_URL, {"q": "nothing like this"})
        self.assertContains(response, "0 results for ‘nothing like this’")
        self.assertContains(response, "No summaries match ‘nothing like this’")
        self.assertContains(response, "check the spelling of your search")

    def test_very_long_query(self):
        """A 3,000-character search is cut short, not an error."""
        response = self.client.get(LIST_URL, {"q": "a" * 3000})
        self.assertContains(response, "0 results for")
        self.assertContains(response, "a" * 200)
        self.assertNotContains(response, "a" * 201)

    def test_query_with_markup_is_escaped(self):
        """Quotes and tags typed into the search come back as text, never as markup."""
        query = "\"'><script>alert(1)</script>"
        response = self.client.get(LIST_URL, {"q": query})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(response, 'value="&quot;&#x27;&gt;&lt;script&gt;')

    def test_query_with_nul_byte(self):
        """A NUL character in the search is ignored rather than failing."""
        response = self.client.get(LIST_URL, {"q": "lig\x00ht"})
        self.assertEqual(self.titles(response), ["Street lighting", "Alley gating"])
        self.assertContains(response, "2 results for ‘light’")


class PaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for n in range(25, 0, -1):
            make_live(title=f"Summary {n:02}")

    def titles(self, response):
        return [card["title"] for card in response.context["page_obj"]]

    def test_twenty_a_page(self):
        """Summaries come twenty a page, with a link on to the rest."""
        first = self.client.get(LIST_URL)
        self.assertEqual(self.titles(first), [f"Summary {n:02}" for n in range(1, 21)])
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, '<a href="?page=2" rel="next">Next page</a>', html=True)
        second = self.client.get(LIST_URL, {"page": 2})
        self.assertEqual(self.titles(second), [f"Summary {n:02}" for n in range(21, 26)])
        self.assertContains(second, "Page 2 of 2")

    def test_odd_page_numbers_never_fail(self):
        """A page that is not a number shows the first page; one out of range, the last."""
        for page, expected in [("abc", 1), ("", 1), ("999", 2), ("-1", 2), ("0", 2)]:
            with self.subTest(page=page):
                response = self.client.get(LIST_URL, {"page": page})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["page_obj"].number, expected)
                self.assertContains(response, f"Page {expected} of 2")

    def test_paging_keeps_the_search(self):
        """The next-page link of a search keeps the search."""
        response = self.client.get(LIST_URL, {"q": "Summary"})
        self.assertContains(response, "25 results for ‘Summary’")
        self.assertContains(response, 'href="?q=Summary&amp;page=2"')


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.versions = [make_live(title=f"Recent {n}") for n in range(1, 8)]
        for n, version in enumerate(cls.versions, start=1):
            set_published_at(version, datetime(2024, 1, n, 12, 0, tzinfo=UTC))
        make_draft(title="Unpublished draft")

    def setUp(self):
        self.response = self.client.get(HOME_URL)

    def test_introduction_and_search(self):
        """The home page says what the toolkit is and offers a search box."""
        self.assertContains(self.response, "<h1>What works to reduce crime</h1>", html=True)
        self.assertContains(self.response, "Each summary rates the evidence on five questions")
        self.assertContains(self.response, '<form class="search" action="/toolkit/" method="get"')
        self.assertContains(self.response, 'name="q"')

    def test_recently_updated_summaries(self):
        """The six most recently updated live summaries show, newest first, and no draft."""
        titles = [card["title"] for card in self.response.context["recent"]]
        self.assertEqual(titles, [f"Recent {n}" for n in range(7, 1, -1)])
        self.assertContains(self.response, "Recent 7")
        self.assertNotContains(self.response, "Recent 1<")
        self.assertNotContains(self.response, "Unpublished draft")
        self.assertContains(self.response, "Browse all summaries")


class HealthCheckTests(TestCase):
    def test_ok(self):
        """The health check answers 'ok' and is never cached."""
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_database_unavailable(self):
        """With the database down the health check answers 503 and logs why."""
        with (
            mock.patch.object(
                connection, "ensure_connection", side_effect=OperationalError("gone away")
            ),
            self.assertLogs("toolkit.views", "ERROR") as logs,
        ):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"database unavailable")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn("did not answer", logs.output[0])

    def test_head_and_post(self):
        """Monitors may probe with HEAD; other methods are refused."""
        self.assertEqual(self.client.head("/healthz").status_code, 200)
        self.assertEqual(self.client.post("/healthz").status_code, 405)


class ScalePageTests(TestCase):
    def test_effect_scale_lists_all_levels_in_order(self):
        """The effect scale page lists its eight levels, top first, each with its meaning."""
        response = self.client.get(reverse("summaries:scale", kwargs={"dimension": "effect"}))
        self.assertContains(response, "<h1>Effect on crime</h1>", html=True)
        self.assertContains(response, "How effective is it?")
        labels = re.findall(r"<li><strong>([^<]+)</strong>", response.content.decode())
        self.assertEqual(
            labels,
            [
                "Reduced crime",
                "Reduced crime, with some evidence of increase",
                "Tended to reduce crime",
                "Mixed effects",
                "No effect on crime",
                "Tended to increase crime",
                "Increased crime, with some evidence of reduction",
                "Increased crime",
            ],
        )
        self.assertContains(
            response,
            "The evidence shows the intervention made no statistically significant difference "
            "to crime.",
        )
        self.assertContains(response, '<a href="/toolkit/scales/quality/">Quality of evidence</a>')

    def test_unknown_scale_is_not_found(self):
        """An address for a scale that does not exist is a 404."""
        response = self.client.get("/toolkit/scales/colour/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")


class ServerErrorTests(TestCase):
    def test_error_page_renders_standalone(self):
        """The error page renders without a request context or the database."""
        html = get_template("500.html").render()
        self.assertIn("Sorry, something went wrong", html)
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "It is not something you did.", status_code=500)

    def test_crash_shows_the_error_page(self):
        """A page that fails shows the apology, not a traceback."""
        client = Client(raise_request_exception=False)
        with (
            mock.patch("summaries.public.views.render", side_effect=RuntimeError("boom")),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = client.get(HOME_URL)
        self.assertContains(response, "Sorry, something went wrong", status_code=500)
        self.assertNotContains(response, "boom", status_code=500)


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        targets = [make_live().intervention for _ in range(5)]
        cls.small = make_live(sections={SectionKind.FOCUS: "<p>f</p>"})
        add_content(cls.small, count=1, related_to=targets[:1])
        cls.small.problems.add(Problem.objects.create(name="Burglary", slug="burglary"))
        cls.large = make_live(sections={kind: f"<p>{kind}</p>" for kind in SectionKind.values})
        add_content(cls.large, count=5, related_to=targets)
        for n in range(4):
            cls.large.problems.add(Problem.objects.create(name=f"Problem {n}", slug=f"p{n}"))
            cls.large.approaches.add(Approach.objects.create(name=f"Approach {n}", slug=f"a{n}"))
        for version in (cls.small, cls.large):
            version.effect_rating = level(Dimension.EFFECT, "reduced")
            version.quality_rating = level(Dimension.QUALITY, "moderate")
            version.mechanism_rating = level(Dimension.MECHANISM, "limited")
            version.save()

    def count_queries(self, url):
        return count_get(self, self.client, url)

    def test_summary_page_does_not_grow_with_content(self):
        """A summary with five of everything costs the same queries as one with one of each."""
        self.assertEqual(SystematicReview.objects.filter(version=self.large).count(), 5)
        self.assertEqual(ReviewBreakdown.objects.filter(review__version=self.large).count(), 30)
        self.assertEqual(
            self.count_queries(detail_url(self.small)), self.count_queries(detail_url(self.large))
        )


class ListQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for _ in range(2):
            version = make_live()
            version.effect_rating = level(Dimension.EFFECT, "reduced")
            version.save()

    def count_queries(self, url):
        return count_get(self, self.client, url)

    def test_list_and_home_do_not_grow_with_content(self):
        """The list and home pages cost the same queries with 2 or 25 live summaries."""
        few = (self.count_queries(LIST_URL), self.count_queries(HOME_URL))
        for _ in range(23):
            version = make_live()
            version.quality_rating = level(Dimension.QUALITY, "strong")
            version.save()
        self.assertEqual(SummaryVersion.objects.live().count(), 25)
        many = (self.count_queries(LIST_URL), self.count_queries(HOME_URL))
        self.assertEqual(few, many)


class MethodTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("head-check", title="Street lighting")

    def test_head_is_answered_like_get(self):
        """Link checkers and monitors probe with HEAD: public pages answer 200, no body."""
        for url in (
            "/",
            "/toolkit/",
            "/toolkit/?q=lighting",
            "/toolkit/head-check/",
            "/toolkit/head-check/data.json",
            "/toolkit/data.json",
            "/toolkit/data.csv",
            "/toolkit/scales/effect/",
            "/sitemap.xml",
            "/robots.txt",
        ):
            with self.subTest(url=url):
                response = self.client.head(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content, b"")

    def test_writes_are_refused(self):
        """Public pages take no POST: 405, with the allowed methods named."""
        for url in ("/", "/toolkit/", "/toolkit/head-check/", "/toolkit/data.csv"):
            with self.subTest(url=url):
                response = self.client.post(url)
                self.assertEqual(response.status_code, 405)
                self.assertIn("GET", response["Allow"])
