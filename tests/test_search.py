"""Search and browse (/toolkit/): the query parser, live content only, the page as a
reader uses it (snippets, facets, chips, sort, pages), hostile input, and query counts."""

import re
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from summaries import search
from summaries.editorial.services import draft_start_from, version_withdraw
from summaries.models import (
    Approach,
    Dimension,
    Problem,
    PublishedPage,
    Section,
    SectionKind,
    SummaryVersion,
)
from summaries.synthetic import RARE_TERMS
from tests.factories import level, make_draft, make_live, make_user, publish
from tests.helpers import build_pages, count_get

LIST_URL = "/toolkit/"


def titles(response) -> list[str]:
    return [card["title"] for card in response.context["page_obj"]]


def found(query: str) -> list[str]:
    return list(
        search.search_live(SummaryVersion.objects.all(), query).values_list("title", flat=True)
    )


class ParseQueryTests(TestCase):
    def test_words_phrases_exclusions_and_alternatives(self):
        """Words are all required, quotes make phrases, - excludes, "or" offers a choice."""
        parsed = search.parse_query('Street "hot spots" -cctv lighting or lamps')
        self.assertEqual(parsed.text(), 'street "hot spots" lighting or lamps -cctv')
        self.assertEqual(
            parsed.tsquery(),
            "'street' & ('hot' <-> 'spots') & ('lighting' | 'lamps') & !'cctv'",
        )
        self.assertEqual(
            parsed.fts5(), '("street" AND "hot spots" AND ("lighting" OR "lamps")) NOT "cctv"'
        )

    def test_stop_words_are_dropped_outside_phrases(self):
        """Both engines see the same words: PostgreSQL's English stop words are dropped."""
        self.assertEqual(
            search.parse_query("what works for burglary?").tsquery(), "'works' & 'burglary'"
        )
        self.assertEqual(search.parse_query('"reduce the crime"').fts5(), '"reduce the crime"')
        self.assertFalse(search.parse_query("the and of"))

    def test_engine_syntax_is_only_punctuation(self):
        """Operators and syntax of either engine never reach it as syntax."""
        for text in [
            'NEAR(a b) AND "unbalanced',
            'a:b* OR (c) NOT d ^e {f} "g',
            "' ; DROP TABLE summary_fts; --",
            "!!! ||| &&& <-> :* \\",
        ]:
            with self.subTest(text=text):
                fts5 = search.parse_query(text).fts5()
                # Only quoted words, brackets and the operators we write ourselves.
                stripped = re.sub(r'"[^\W_]+(?: [^\W_]+)*"', "", fts5)
                self.assertRegex(stripped, r"^[() ]*(?:(?:AND|OR|NOT)[() ]*)*$")
                tsquery = search.parse_query(text).tsquery()
                stripped = re.sub(r"'[^\W_]+'", "", tsquery)
                self.assertRegex(stripped, r"^[()!&|<\-> ]*$")

    def test_length_and_clauses_are_bounded(self):
        """A 3,000-character query is cut to 200 characters and 16 clauses."""
        parsed = search.parse_query("word " * 600)
        self.assertLessEqual(len(parsed.required), search.MAX_CLAUSES)
        self.assertEqual(len(search.clean_query("a\x00b" * 3000)), search.MAX_QUERY_LENGTH)


class LiveOnlyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live(
            "street-lighting",
            title="Street lighting",
            sections={SectionKind.FOCUS: "<p>Brighter lamps at night.</p>"},
        )

    def test_published_summary_is_found_at_once(self):
        """Publishing makes a summary searchable in the same transaction."""
        draft = make_draft(title="Alley gating", sections={SectionKind.FOCUS: "<p>Gates.</p>"})
        self.assertEqual(found("gates"), [])
        publish(draft)
        self.assertEqual(found("gates"), ["Alley gating"])
        self.assertEqual(titles(self.client.get(LIST_URL, {"q": "gates"})), ["Alley gating"])

    def test_withdrawn_summary_is_gone_at_once(self):
        """Withdrawing takes a summary out of search immediately, counts included."""
        self.assertEqual(
            self.client.get(LIST_URL, {"q": "lamps"}).context["page_obj"][0]["title"],
            "Street lighting",
        )
        version_withdraw(version=self.live, reason="Under revision.")
        response = self.client.get(LIST_URL, {"q": "lamps"})
        self.assertEqual(titles(response), [])
        self.assertContains(response, "0 results for ‘lamps’")

    def test_drafts_never_change_results(self):
        """Neither a new summary's draft nor a draft of a live one is searchable."""
        make_draft(title="Secret draft", sections={SectionKind.FOCUS: "<p>Zeppelins.</p>"})
        draft = draft_start_from(version=self.live)
        draft.title = "Street lighting renamed"
        draft.save()
        Section.objects.filter(version=draft).update(body="<p>Floodlights everywhere.</p>")
        self.assertEqual(found("zeppelins"), [])
        self.assertEqual(found("floodlights"), [])
        self.assertEqual(found("lamps"), ["Street lighting"])

    def test_superseded_text_is_not_found(self):
        """After a new version is published only its text is found."""
        draft = draft_start_from(version=self.live)
        section = draft.sections.get()
        section.body = "<p>LED floodlights in car parks.</p>"
        section.save()
        publish(draft)
        self.assertEqual(found("lamps"), [])
        self.assertEqual(found("floodlights"), ["Street lighting"])
        self.assertEqual(
            SummaryVersion.objects.filter(search_vector__isnull=False).count(),
            1 if connection.vendor == "postgresql" else 0,
        )


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.burglary = Problem.objects.create(name="Burglary", slug="burglary", position=1)
        cls.robbery = Problem.objects.create(name="Robbery", slug="robbery", position=2)
        cls.cbt = Approach.objects.create(name="CBT", slug="cbt")
        cls.lighting = cls.make(
            "Street lighting",
            "<p>Better lighting &lt;script&gt; cut burglary &amp; robbery.</p>",
            problems=[cls.burglary, cls.robbery],
            effect="reduced",
        )
        cls.locks = cls.make(
            "Better locks", "<p>Locks and lighting against burglary.</p>", [cls.burglary]
        )
        cls.therapy = cls.make(
            "Therapy for burglars",
            "<p>CBT groups, some lighting of the mind.</p>",
            [cls.burglary],
            approaches=[cls.cbt],
        )

    @staticmethod
    def make(title, body, problems=(), approaches=(), effect=None):
        draft = make_draft(title=title, sections={SectionKind.FOCUS: body})
        draft.problems.set(problems)
        draft.approaches.set(approaches)
        if effect:
            draft.effect_rating = level(Dimension.EFFECT, effect)
            draft.save()
        return publish(draft)

    def test_snippet_highlights_the_match_and_escapes_the_text(self):
        """Each result shows where it matched, marked, and the text around it as text."""
        response = self.client.get(LIST_URL, {"q": "lighting"})
        self.assertContains(response, "3 results for ‘lighting’")
        self.assertContains(
            response,
            '<p class="card__snippet">Better <mark>lighting</mark> &lt;script&gt; cut burglary '
            "&amp; robbery",
        )
        self.assertNotContains(response, "<script>")

    def test_snippets_from_stored_text_are_those_from_the_sections(self):
        """Snippets cut from the stored section text (``PublishedPage.snippet_text``, read
        in place on PostgreSQL) are the ones cut from the sections themselves, which is
        where they come from for a version whose stored page is missing."""
        build_pages()
        ids = [self.lighting.pk, self.locks.pk, self.therapy.pk]
        self.assertNotIn("", PublishedPage.objects.values_list("snippet_text", flat=True))
        for query in ("lighting", "burglary robbery", "script"):
            with self.subTest(query=query):
                stored = search.snippets(query, ids)
                PublishedPage.objects.filter(pk=self.locks.pk).delete()
                PublishedPage.objects.filter(pk=self.therapy.pk).update(snippet_text="")
                self.assertEqual(search.snippets(query, ids), stored)
                self.assertTrue(stored)
                build_pages()

    def test_facet_counts_or_within_and_across(self):
        """Options count the results they would give; values of one facet widen, facets
        narrow each other."""
        response = self.client.get(LIST_URL, {"q": "lighting"})
        facets = {
            f["name"]: {o["slug"]: o["count"] for o in f["options"]}
            for f in response.context["facets"]
        }
        self.assertEqual(facets["problem"], {"burglary": 3, "robbery": 1})
        self.assertEqual(facets["approach"], {"cbt": 1})
        self.assertEqual(facets["effect"], {"reduced": 1})

        response = self.client.get(LIST_URL, {"q": "lighting", "problem": "robbery"})
        self.assertEqual(titles(response), ["Street lighting"])
        facets = {
            f["name"]: {o["slug"]: o["count"] for o in f["options"]}
            for f in response.context["facets"]
        }
        # The problem facet still counts as if no problem were chosen.
        self.assertEqual(facets["problem"], {"burglary": 3, "robbery": 1})
        self.assertEqual(facets["approach"], {})

        response = self.client.get(
            LIST_URL, {"problem": ["robbery", "burglary"], "approach": "cbt"}
        )
        self.assertEqual(titles(response), ["Therapy for burglars"])
        response = self.client.get(LIST_URL, {"problem": ["robbery"], "approach": "cbt"})
        self.assertContains(response, "No summaries match these filters")

    def test_facet_form_works_without_javascript(self):
        """The facets are a GET form of labelled checkboxes, the chosen ones ticked."""
        response = self.client.get(LIST_URL, {"q": "lighting", "problem": "robbery"})
        self.assertContains(
            response, '<form class="facets" id="filters" action="/toolkit/" method="get"'
        )
        self.assertContains(response, '<input type="hidden" name="q" value="lighting">')
        self.assertContains(
            response,
            '<input type="checkbox" name="problem" value="robbery" id="facet-problem-2" checked>',
        )
        self.assertContains(response, "<legend>Problem</legend>", html=True)
        self.assertContains(response, "Apply filters")

    def test_chips_remove_one_filter_and_clear_all(self):
        """Each filter in use is a link to the page without it; one link clears them all."""
        response = self.client.get(
            LIST_URL, {"q": "lighting", "problem": ["burglary", "robbery"], "sort": "title"}
        )
        self.assertContains(
            response, 'href="/toolkit/?q=lighting&amp;problem=robbery&amp;sort=title"'
        )
        self.assertContains(
            response, 'href="/toolkit/?q=lighting&amp;problem=burglary&amp;sort=title"'
        )
        self.assertContains(
            response, '<a href="/toolkit/?q=lighting&amp;sort=title">Clear all filters</a>'
        )

    def test_sorts(self):
        """Relevance (with a query), title and last updated; a bad sort gives the default."""
        by_relevance = titles(self.client.get(LIST_URL, {"q": "lighting"}))
        self.assertEqual(by_relevance[0], "Street lighting")
        by_title = titles(self.client.get(LIST_URL, {"q": "lighting", "sort": "title"}))
        self.assertEqual(by_title, ["Better locks", "Street lighting", "Therapy for burglars"])
        by_date = titles(self.client.get(LIST_URL, {"sort": "updated"}))
        self.assertEqual(by_date, ["Therapy for burglars", "Better locks", "Street lighting"])
        self.assertEqual(titles(self.client.get(LIST_URL, {"sort": "nonsense"})), by_title)
        response = self.client.get(LIST_URL, {"sort": "relevance"})
        self.assertEqual(titles(response), by_title)
        self.assertNotContains(response, ">Relevance</a>")
        response = self.client.get(LIST_URL, {"q": "lighting"})
        self.assertContains(
            response, '<a href="/toolkit/?q=lighting" aria-current="true">Relevance</a>', html=True
        )

    def test_new_search_keeps_filters_and_sort(self):
        """The search box carries the filters and sort in use."""
        response = self.client.get(LIST_URL, {"problem": "burglary", "sort": "updated"})
        self.assertContains(response, '<input type="hidden" name="problem" value="burglary">')
        self.assertContains(response, '<input type="hidden" name="sort" value="updated">')

    def test_demo_searches(self):
        """The demo's summary is found by stem, phrase and a rare acronym, with a snippet."""
        call_command("load_demo", "--no-accounts", stdout=StringIO())
        for query in ["reoffending", "reoffend", '"cognitive behavioural"', "RRASOR"]:
            with self.subTest(query=query):
                response = self.client.get(LIST_URL, {"q": query})
                self.assertEqual(titles(response)[0], "Psychosocial treatment for sex offenders")
                self.assertContains(response, "<mark>")


class PaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for n in range(1, 46):
            make_live(title=f"Lighting scheme {n:02}")

    def test_pages_keep_every_parameter(self):
        """20 a page; the next-page link keeps the query, filters and sort."""
        response = self.client.get(LIST_URL, {"q": "lighting", "sort": "title", "page": "2"})
        self.assertEqual(len(response.context["page_obj"]), 20)
        self.assertEqual(titles(response)[0], "Lighting scheme 21")
        self.assertContains(response, 'href="?q=lighting&amp;sort=title&amp;page=3"')
        self.assertContains(response, "Page 2 of 3")

    def test_query_count_does_not_grow_with_results(self):
        """A search page costs the same queries with 45 matches as with 1."""
        # The live words and synonyms are read once a process, by whichever search comes
        # first (run alone, this test's first); not what this test counts.
        self.client.get(LIST_URL, {"q": "warm"})

        def count(query):
            return count_get(self, self.client, LIST_URL, {"q": query, "problem": "none"})

        one = count("lighting scheme 07")
        many = count("lighting")
        self.assertEqual(one, many)


HOSTILE_QUERIES = [
    '"',
    '"unbalanced',
    '""',
    "AND",
    "OR",
    "NOT",
    "a AND b OR NOT c",
    "*",
    "light*",
    "NEAR(lighting scheme, 3)",
    "(((",
    ")",
    "title:lighting",
    ":",
    "-",
    "--",
    "-lighting",
    "lighting -",
    "a" * 3000,
    "lighting " * 400,
    "\x00",
    "lig\x00hting",
    "\x01\x02\x03\x7f",
    "'; DROP TABLE summaries_summaryversion; --",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
    "😀 ünïcödé 中文",
    "\ufffd\ufffe",
    " ",
    "!@#$%^&*()_+{}|:<>?~`",
    "a:* & b | !c <-> d",
    # Queries that search widens or corrects: every clause a synonym, a variant, a typo.
    "cbt mst cctv asb anpr cpted rj ipv vawg rct pop sotp bwv pcso dui rcts",
    "behavioural organisation programme offence centre " * 4,
    "lightng " * 40,
    "multi " * 40,
    "re-re-re-re-re-re-re-re-re-offending",
    "z" * 200,
    "ñightíng lïghtinğ",
    '"cognitive behavioral therapy" or "multi systemic" -recidivism',
]


class HostileInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_live(title="Lighting scheme", sections={SectionKind.FOCUS: "<p>Lamps.</p>"})

    def test_hostile_queries_give_a_normal_page(self):
        """Engine syntax, control characters and very long queries never give a 500."""
        for query in HOSTILE_QUERIES:
            with self.subTest(query=query[:40]):
                response = self.client.get(LIST_URL, {"q": query})
                self.assertEqual(response.status_code, 200)

    def test_invalid_utf8_and_odd_parameters(self):
        """Bytes that are not UTF-8, unknown facets, odd pages and sorts give a page."""
        for query_string in [
            "q=%FF%FE",
            "q=light%C3%28ing",
            "problem=%FF&approach=%00",
            "page=abc",
            "page=99999999999999999999",
            "page=-1",
            "page=1.5",
            "sort=%FF",
            "effect=reduced&effect=no-such-level&quality=" + "x" * 5000,
            "&".join(f"problem=p{n}" for n in range(500)),
            "q=lighting&q=lamps",
        ]:
            with self.subTest(query_string=query_string[:60]):
                response = self.client.get(f"{LIST_URL}?{query_string}")
                self.assertEqual(response.status_code, 200)


FACET_NAMES = ["problem", "focus", "approach", "setting", "population", "effect", "quality"]


class HostilePropertyTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        burglary = Problem.objects.create(name="Burglary", slug="burglary")
        version = make_draft(title="Lighting scheme", sections={SectionKind.FOCUS: "<p>Lamps.</p>"})
        version.problems.add(burglary)
        publish(version)

    @settings(max_examples=150, deadline=None)
    @given(
        query=st.lists(
            st.one_of(
                st.text(st.characters(codec="utf-8"), max_size=8),
                st.sampled_from(list("\"()*:-^~+|&!<>{}[],;'\\ ") + ["AND", "OR", "NOT", "NEAR"]),
            ),
            max_size=60,
        ).map("".join),
        facets=st.dictionaries(
            st.sampled_from(FACET_NAMES),
            st.lists(st.one_of(st.just("burglary"), st.text(max_size=30)), max_size=4),
            max_size=4,
        ),
        page=st.one_of(st.none(), st.integers(-5, 10**12).map(str), st.text(max_size=10)),
        sort=st.one_of(
            st.none(), st.sampled_from(["relevance", "title", "updated"]), st.text(max_size=10)
        ),
    )
    def test_never_a_server_error(self, query, facets, page, sort):
        """Any query, facet values, page and sort give a page or a 400, never a 500."""
        params = {"q": query, **facets}
        if page is not None:
            params["page"] = page
        if sort is not None:
            params["sort"] = sort
        response = self.client.get(LIST_URL, params)
        self.assertIn(response.status_code, {200, 400})


class SyntheticIndexTests(TestCase):
    def test_generated_summaries_are_searchable_and_delete_cleans_the_index(self):
        """generate_synthetic indexes what it creates; --delete removes it from the index."""
        call_command("generate_synthetic", "30", stdout=StringIO())
        self.assertEqual(len(found(RARE_TERMS[0])), 10)
        response = self.client.get(LIST_URL, {"q": RARE_TERMS[0]})
        self.assertContains(response, f"<mark>{RARE_TERMS[0]}</mark>")
        call_command("generate_synthetic", "--delete", stdout=StringIO())
        self.assertEqual(found(RARE_TERMS[0]), [])
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM summary_fts")
                self.assertEqual(cursor.fetchone()[0], 0)


class IndexMaintenanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.term = Problem.objects.create(name="Burglary", slug="burglary")
        version = make_draft(title="Alley gating")
        version.problems.add(cls.term)
        publish(version)
        cls.admin = make_user(superuser=True)

    def test_renamed_term_is_searched_by_its_new_name(self):
        """Renaming a term in the admin reindexes the live summaries it tags."""
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/admin/summaries/problem/{self.term.pk}/change/",
            {"name": "Domestic burglary", "slug": "burglary", "description": "", "position": 0},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(found("domestic"), ["Alley gating"])

    def test_deleted_term_is_no_longer_searched(self):
        """Deleting a term takes its name out of the summaries' indexed text."""
        self.client.force_login(self.admin)
        self.client.post(f"/admin/summaries/problem/{self.term.pk}/delete/", {"post": "yes"})
        self.assertEqual(found("burglary"), [])

    def test_rebuild_command(self):
        """search_rebuild indexes every live summary again from scratch."""
        search.unindex_versions(SummaryVersion.objects.live().values_list("pk", flat=True))
        self.assertEqual(found("gating"), [])
        out = StringIO()
        call_command("search_rebuild", stdout=out)
        self.assertIn("Indexed 1 live summary", out.getvalue())
        self.assertEqual(found("gating"), ["Alley gating"])
