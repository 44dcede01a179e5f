"""Findable, citable, light: sitemap, robots.txt, canonical and Open Graph tags, the
citation, browsing by term, the accessibility statement, page weight and own assets only."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import TestCase, override_settings

from summaries.demo import data
from summaries.editorial.services import draft_start_from
from summaries.models import Approach, Problem, State, SummaryVersion
from tests.factories import make_draft, make_live, publish, retagged
from tests.helpers import count_get

DEMO_URL = f"/toolkit/{data.SLUG}/"
PAGE_BUDGET = 150 * 1024


class AssetParser(HTMLParser):
    """The URLs a page loads by itself (stylesheets, scripts, images, frames, media)."""

    LOADERS = {"link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}

    def __init__(self):
        super().__init__()
        self.loads = []
        self.stylesheets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = attrs.get(self.LOADERS.get(tag, ""))
        if not url:
            return
        if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
            return  # names the page, loads nothing
        self.loads.append(url)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(url)


def assets(html: str) -> AssetParser:
    parser = AssetParser()
    parser.feed(html)
    return parser


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("street-lighting", title="Street lighting")
        SummaryVersion.objects.filter(pk=cls.live.pk).update(
            published_at=datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
        )
        cls.draft = make_draft("secret-draft")
        withdrawn = make_live("withdrawn-one")
        SummaryVersion.objects.filter(pk=withdrawn.pk).update(state=State.WITHDRAWN)
        # A live summary with a newer draft is listed once, at its live date.
        draft_start_from(version=make_live("being-edited"))

    def test_lists_live_summaries_only_with_lastmod(self):
        """The sitemap lists live summaries with their dates, and no draft or withdrawn one."""
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        xml = response.content.decode()
        self.assertIn("<loc>http://testserver/toolkit/street-lighting/</loc>", xml)
        self.assertIn("<lastmod>2024-05-06</lastmod>", xml)
        self.assertEqual(xml.count("/toolkit/being-edited/"), 1)
        self.assertNotIn("secret-draft", xml)
        self.assertNotIn("withdrawn-one", xml)

    def test_lists_home_list_scales_and_statement(self):
        """The fixed pages and every rating scale's explainer are listed too."""
        xml = self.client.get("/sitemap.xml").content.decode()
        for path in ("/", "/toolkit/", "/accessibility/", "/toolkit/scales/effect/"):
            self.assertIn(f"<loc>http://testserver{path}</loc>", xml)
        # The six EMMIE and quality scales, the certainty scale and the cost bands.
        self.assertEqual(xml.count("/toolkit/scales/"), 8)

    def test_robots_allows_all_but_admin_and_names_the_sitemap(self):
        """robots.txt keeps crawlers out of the admin and points them at the sitemap."""
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(
            response.content.decode(),
            "User-agent: *\nDisallow: /admin/\n\nSitemap: http://testserver/sitemap.xml\n",
        )


class MetadataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live(
            "cctv", title="CCTV in car parks", standfirst="Cameras watching parked cars."
        )

    def test_summary_has_canonical_description_and_open_graph(self):
        """A summary names its canonical address, describes itself and previews when shared."""
        response = self.client.get("/toolkit/cctv/?utm_source=x")
        for tag in (
            '<link rel="canonical" href="http://testserver/toolkit/cctv/">',
            '<meta name="description" content="Cameras watching parked cars.">',
            '<meta property="og:type" content="article">',
            '<meta property="og:title" content="CCTV in car parks">',
            '<meta property="og:description" content="Cameras watching parked cars.">',
            '<meta property="og:url" content="http://testserver/toolkit/cctv/">',
            '<meta property="og:site_name" content="Evidence Toolkit">',
        ):
            self.assertContains(response, tag, html=True)

    def test_every_public_page_has_title_description_and_canonical(self):
        """Each public page has its own title, a description and a canonical link."""
        titles = set()
        for path in ("/", "/toolkit/", "/toolkit/scales/quality/", "/accessibility/"):
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                titles.add(re.search(r"<title>(.*?)</title>", html).group(1))
                self.assertRegex(html, r'<meta name="description" content="[^"]{20,}">')
                self.assertIn(f'<link rel="canonical" href="http://testserver{path}">', html)
                self.assertIn('<meta property="og:title"', html)
        self.assertEqual(len(titles), 4)

    def test_not_found_is_not_indexed(self):
        """The 'Page not found' page asks not to be indexed and claims no canonical address."""
        response = self.client.get("/toolkit/nothing-here/")
        self.assertContains(response, '<meta name="robots" content="noindex">', status_code=404)
        self.assertNotContains(response, 'rel="canonical"', status_code=404)


@override_settings(TOOLKIT_ORGANISATION="College of Examples", TOOLKIT_NAME="Example Toolkit")
class CitationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.version = make_live("cctv", title="CCTV in car parks")
        SummaryVersion.objects.filter(pk=cls.version.pk).update(
            published_at=datetime(2024, 11, 20, 23, 30, tzinfo=UTC)
        )

    def test_versioned_citation_to_copy(self):
        """The cite block gives organisation, year, title, version, date and the page's URL."""
        response = self.client.get("/toolkit/cctv/", headers={"host": "localhost"})
        self.assertContains(response, '<h2 id="cite-heading">Cite this summary</h2>', html=True)
        # 23:30 UTC on 20 November is still 20 November in London.
        self.assertContains(
            response,
            '<pre class="cite__text">College of Examples (2024) CCTV in car parks. '
            "Example Toolkit, version 1, published 20 November 2024. "
            "Available at: http://localhost/toolkit/cctv/v/1/</pre>",
            html=True,
        )

    def test_citation_follows_the_live_version(self):
        """After a new version is published the citation names it."""
        publish(draft_start_from(version=self.version))
        self.assertContains(self.client.get("/toolkit/cctv/"), "Example Toolkit, version 2,")


class BrowseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        burglary = Problem.objects.create(name="Burglary", slug="burglary", position=1)
        robbery = Problem.objects.create(name="Robbery", slug="robbery", position=2)
        Problem.objects.create(name="Unused problem", slug="unused")
        cbt = Approach.objects.create(name="CBT", slug="cbt")
        cls.alarms = make_live(title="Burglar alarms")
        cls.alarms.problems.add(burglary)
        cls.locks = make_live(title="Better locks")
        cls.locks.problems.add(burglary, robbery)
        cls.locks.approaches.add(cbt)
        retagged(cls.alarms, cls.locks)
        draft = make_draft(title="Draft about burglary")
        draft.problems.add(burglary, robbery)

    def test_home_browses_terms_with_live_counts(self):
        """The home page lists terms with how many live summaries each has; unused ones not."""
        response = self.client.get("/")
        self.assertContains(
            response,
            '<a href="/toolkit/?problem=burglary">Burglary</a> '
            '<span class="term-list__count">(2 summaries)</span>',
            html=True,
        )
        self.assertContains(response, '<a href="/toolkit/?problem=robbery">Robbery</a>')
        self.assertContains(response, "(1 summary)", count=2)
        self.assertContains(response, '<a href="/toolkit/?approach=cbt">CBT</a>')
        self.assertNotContains(response, "Unused problem")

    def test_list_filters_by_problem_and_approach(self):
        """The browse links filter the list to live summaries with that term."""

        def titles(response):
            return [card["title"] for card in response.context["page_obj"]]

        response = self.client.get("/toolkit/", {"problem": "burglary"})
        self.assertEqual(titles(response), ["Better locks", "Burglar alarms"])
        self.assertContains(response, '<span class="chip__facet">Problem:</span> Burglary')
        response = self.client.get("/toolkit/", {"problem": "burglary", "approach": "cbt"})
        self.assertEqual(titles(response), ["Better locks"])
        response = self.client.get("/toolkit/", {"problem": "robbery", "q": "locks"})
        self.assertEqual(titles(response), ["Better locks"])

    def test_unknown_slug_is_ignored(self):
        """An unknown term shows the unfiltered list rather than nothing."""
        response = self.client.get("/toolkit/", {"problem": "no-such-term", "approach": ""})
        self.assertEqual(len(response.context["page_obj"]), 2)
        self.assertNotContains(response, 'class="chip"')
        self.assertContains(
            response, "Some filters were not recognised and were ignored: no-such-term."
        )


class AccessibilityStatementTests(TestCase):
    def test_statement_says_what_was_tested_and_is_linked_from_every_page(self):
        """The statement names the standard, the tool, the pages and known issues."""
        response = self.client.get("/accessibility/")
        self.assertContains(response, "<h1>Accessibility statement</h1>", html=True)
        for text in ("WCAG) 2.2", "level AA", "axe-core 4.12", "320 CSS pixels", "Known issues"):
            self.assertContains(response, text)
        home = self.client.get("/")
        self.assertContains(home, '<a href="/accessibility/">Accessibility statement</a>')

    @override_settings(TOOLKIT_CONTACT_EMAIL="access@example.org")
    def test_contact_address_when_configured(self):
        """With a contact address set, readers are told where to report a problem."""
        response = self.client.get("/accessibility/")
        self.assertContains(response, 'href="mailto:access@example.org"')


class WeightTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", "--no-accounts", stdout=StringIO())

    def test_demo_summary_under_150_kb_with_its_css_and_images(self):
        """The demo summary page, its stylesheets and images weigh under 150 KB together."""
        page = self.client.get(DEMO_URL)
        self.assertContains(page, "At a glance")
        total = len(page.content)
        for url in assets(page.content.decode()).loads:
            if url.startswith("data:"):
                total += len(url)
                continue
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            total += len(b"".join(response.streaming_content))
        self.assertLess(total, PAGE_BUDGET, f"{total / 1024:.1f} KB")

    def test_no_third_party_assets(self):
        """Public pages load nothing from another site: no CDN, fonts, scripts or trackers."""
        for path in ("/", "/toolkit/", "/toolkit/?q=treatment", DEMO_URL, "/accessibility/"):
            with self.subTest(path=path):
                loads = assets(self.client.get(path).content.decode()).loads
                foreign = [u for u in loads if urlsplit(u).netloc not in ("", "testserver")]
                self.assertEqual(foreign, [])
                self.assertNotIn("<script", self.client.get(path).content.decode())

    def test_demo_shows_glance_charts_and_citation(self):
        """The demo shows its at-a-glance panel, both kinds of chart and its citation."""
        response = self.client.get(DEMO_URL)
        html = response.content.decode()
        self.assertContains(response, '<h2 id="glance-heading">At a glance</h2>', html=True)
        self.assertIn("Bar chart of sexual reoffending: 13.6% without the intervention, 9.3%", html)
        self.assertIn("Bar chart of review one: studies by approach.", html)
        self.assertIn("Bar chart of review two: tests by country.", html)
        self.assertIn("Bar chart of the relative change in each outcome", html)
        # Key figure (bars and icon array), two breakdowns per review, and the
        # effect-by-outcome chart.
        self.assertEqual(html.count('role="img"'), 7)
        self.assertContains(response, "Evidence Toolkit, version 1, published")


class BrowseQueryCountTests(TestCase):
    def test_filters_cost_one_query_each_only_when_used(self):
        """The plain list runs no term look-ups; each filter in use costs one query; counts
        come from the cache the second time."""
        make_live()
        plain = count_get(self, self.client, "/toolkit/")
        # The same page again: from the page cache, one query (the generation).
        self.assertEqual(count_get(self, self.client, "/toolkit/"), 1)
        # A new address: two term look-ups; unknown terms select nothing, so the counts
        # are the plain list's, from the cache (one query fewer).
        filtered = count_get(self, self.client, "/toolkit/", {"problem": "x", "approach": "y"})
        self.assertEqual(filtered, plain + 2 - 1)
