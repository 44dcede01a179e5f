"""The list and home pages' cards come from the read model (``public/pages.py``): the
same results in the same order as the ORM query of the list, each card what the version's
rows say; the facet options and term links as their templates write them; the live term
counts the ORM's annotation. On whichever database the suite runs on."""

import itertools
from datetime import UTC, datetime
from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import TestCase

from summaries import search
from summaries.models import TAXONOMY, Approach, Dimension, Problem, State, SummaryVersion
from summaries.models.generation import current_generation
from summaries.public import pages
from summaries.public.list_state import SORTS
from summaries.public.selectors import LiveTerm, live_term_counts, terms_with_live_counts
from summaries.search.facets import Facet, Option
from summaries.search.filters import SummaryFilter
from tests.factories import level, make_draft, make_live
from tests.helpers import build_pages, count_get


def live_cards():
    return SummaryVersion.objects.live().select_related(
        "intervention", "effect_rating", "quality_rating"
    )


def squeezed(html: str) -> str:
    """The markup without the template's indentation and line breaks between tags."""
    return "".join(line.strip() for line in html.splitlines())


class ListCardsTests(TestCase):
    """The list page's cards are exactly the cards of the ORM query of the list."""

    @classmethod
    def setUpTestData(cls):
        call_command("generate_synthetic", "60", stdout=StringIO())
        # Not live: a draft with the words and terms the searches and facets ask for.
        draft = make_draft(title="Synthetic crime evidence draft")
        draft.problems.add(*Problem.objects.all()[:3])
        draft.approaches.add(*Approach.objects.all()[:3])

    def orm_cards(self, query, sort, data, offset, limit):
        """The page as the ORM gives it, each card built from the version's rows."""
        results = live_cards()
        if query:
            # The query as the page reads it (other spellings and compounds added, a
            # correction run in its place), so the ranking is the page's.
            counted = search.search_counted(
                SummaryFilter(data), query, generation=current_generation()
            )
            results = search.search_live(results, counted.reading.query)
        filterset = SummaryFilter(data, queryset=results)
        ordered = filterset.qs.order_by(*SORTS[sort][1])
        return [pages.card_of(version) for version in ordered[offset : offset + limit]]

    def page_cards(self, query, sort, data, offset):
        params = QueryDict(data, mutable=True)
        if query:
            params["q"] = query
        params["sort"] = sort
        params["page"] = str(offset // 20 + 1)
        response = self.client.get("/toolkit/", params)
        self.assertEqual(response.status_code, 200)
        # The stored cards, as the list serves them; the snippet compared separately (the
        # search's, not the card's).
        cards = response.context["page_obj"].object_list
        return [pages.Card(**{**card, "snippet": ""}) for card in cards]

    def test_same_cards_as_the_orm_for_varied_searches_facets_sorts_and_pages(self):
        problems = list(Problem.objects.filter(summaryversion__state=State.PUBLISHED).distinct())
        approach = Approach.objects.filter(summaryversion__state=State.PUBLISHED).first()
        live = SummaryVersion.objects.live()
        effect = live.exclude(effect_rating=None).first().effect_rating
        quality = live.exclude(quality_rating=None).first().quality_rating
        facets = [
            "",
            f"problem={problems[0].slug}",
            f"problem={problems[0].slug}&problem={problems[1].slug}&approach={approach.slug}",
            f"effect={effect.slug}&quality={quality.slug}",
            f"problem={problems[0].slug}&problem=no-such-term",
        ]
        queries = [
            "",
            "crime",
            "crime evidence",
            '"hot spots" or burglary',
            "evidence -crime",
            "anti-social",
            "synthetic",
            "kestrelwood",
            "nothingmatchesthis",
            "the and of",  # nothing to look for
        ]
        compared = total = 0
        for query, data, offset in itertools.product(queries, facets, (0, 20)):
            for sort in SORTS:
                if sort == "relevance" and not query:
                    continue
                with self.subTest(query=query, facets=data, sort=sort, offset=offset):
                    expected = self.orm_cards(query, sort, QueryDict(data), offset, 20)
                    if offset and not expected:
                        continue  # past the last page: the paginator shows the last one
                    self.assertEqual(self.page_cards(query, sort, data, offset), expected)
                    compared += bool(expected)
                    total += 1
        self.assertGreater(compared, 80)  # not a comparison of empty pages
        self.assertGreater(total, 150)


class CardMarkupTests(TestCase):
    """``components/summary_cards.html`` writes each card, every value escaped, the
    dates in local time."""

    @classmethod
    def setUpTestData(cls):
        cls.plain = make_live("plain", title="Street lighting")
        cls.hostile = make_live(
            "hostile", title="<b>\"Bold\" & 'quoted'</b>", standfirst="Fish & <chips>"
        )
        cls.hostile.effect_rating = level(Dimension.EFFECT, "reduced")
        cls.hostile.quality_rating = level(Dimension.QUALITY, "moderate")
        cls.hostile.save()
        cls.unrated = make_live("unrated", title="No ratings", standfirst="")
        # Late evening UTC in summer is the next day in London; midnight in winter not.
        for version, when in (
            (cls.plain, datetime(2025, 7, 1, 23, 30, tzinfo=UTC)),
            (cls.hostile, datetime(2025, 1, 9, 0, 0, tzinfo=UTC)),
            (cls.unrated, datetime(2024, 12, 31, 23, 59, tzinfo=UTC)),
        ):
            version.__class__.objects.filter(pk=version.pk).update(published_at=when)

    def render(self, card, heading_level=2, compare=False):
        return squeezed(
            render_to_string(
                "components/summary_cards.html",
                {"cards": [card], "heading_level": heading_level, "compare": compare},
            )
        )

    def test_cards(self):
        cards = {c.slug: c for c in map(pages.card_of, live_cards())}
        self.assertEqual(
            self.render(cards["plain"], 3),
            '<li><article class="card"><h3 class="card__title"><a href="/toolkit/plain/">'
            "Street lighting</a></h3><p>A one-sentence standfirst.</p>"
            '<dl class="card__facts"><div><dt>Effect'
            "</dt><dd>Not rated</dd></div><div><dt>Quality of evidence</dt><dd>Not rated</dd>"
            '</div><div><dt>Last updated</dt><dd><time datetime="2025-07-02">2 July 2025</time>'
            "</dd></div></dl></article></li>",
        )
        hostile = cards["hostile"]
        hostile.snippet = "a <mark>match</mark> &amp; more"
        html = self.render(hostile, 2, compare=True)
        self.assertIn(
            '<h2 class="card__title"><a href="/toolkit/hostile/">&lt;b&gt;&quot;Bold&quot; '
            "&amp; &#x27;quoted&#x27;&lt;/b&gt;</a></h2><p>Fish &amp; &lt;chips&gt;</p>"
            '<p class="card__snippet">a <mark>match</mark> &amp; more</p>',
            html,
        )
        self.assertIn('<time datetime="2025-01-09">9 January 2025</time>', html)
        self.assertIn(
            '<p class="card__compare"><input type="checkbox" name="s" value="hostile" '
            'id="compare-hostile"> <label for="compare-hostile">Compare<span '
            'class="visually-hidden"> &lt;b&gt;',
            html,
        )
        self.assertIn(
            '<time datetime="2024-12-31">31 December 2024</time>', self.render(cards["unrated"])
        )

    def test_the_pages_use_it(self):
        """The list and home pages show the stored cards, each as the template writes it."""
        build_pages()
        stored = pages.Card(**SummaryVersion.objects.get(pk=self.plain.pk).published_page.card)
        response = self.client.get("/toolkit/")
        self.assertContains(response, self.render(stored, 2, compare=True), html=False)
        response = self.client.get("/")
        self.assertContains(response, self.render(stored, 3), html=False)


FACET_OPTIONS = (
    '<li><input type="checkbox" name="problem" value="burglary" id="facet-problem-1">'
    '<label for="facet-problem-1">Burglary <span class="facet__count">(1'
    '<span class="visually-hidden"> result</span>)</span></label></li>'
    '<li><input type="checkbox" name="problem" value="fish-chips" id="facet-problem-2" checked>'
    '<label for="facet-problem-2">Fish &amp; &lt;chips&gt; &quot;&#x27; '
    '<span class="facet__count">(12<span class="visually-hidden"> results</span>)</span>'
    "</label></li>"
    '<li><input type="checkbox" name="problem" value="none" id="facet-problem-3" checked>'
    '<label for="facet-problem-3">Unticked to nothing <span class="facet__count">(0'
    '<span class="visually-hidden"> results</span>)</span></label></li>'
)


class TemplateFragmentTests(TestCase):
    def test_facet_checkboxes(self):
        """Each option a checkbox and its label with the count in words, every name
        escaped: what the Python-written options wrote, character for character."""
        facet = Facet(
            name="problem",
            label="Problem",
            options=[
                Option(
                    slug="burglary", name="Burglary", count=1, selected=False, id="facet-problem-1"
                ),
                Option(
                    slug="fish-chips",
                    name="Fish & <chips> \"'",
                    count=12,
                    selected=True,
                    id="facet-problem-2",
                ),
                Option(
                    slug="none",
                    name="Unticked to nothing",
                    count=0,
                    selected=True,
                    id="facet-problem-3",
                ),
            ],
        )
        html = render_to_string("components/facets.html", {"facets": [facet]})
        self.assertIn(FACET_OPTIONS, squeezed(html))
        nothing = Facet(name="effect", label="E", options=[])
        empty = render_to_string("components/facets.html", {"facets": [nothing]})
        self.assertNotIn("<fieldset", empty)

    def test_term_links_as_the_home_template(self):
        terms = [
            LiveTerm(slug="burglary", name="Burglary", live_count=1),
            LiveTerm(slug="a-b", name="Fish & <chips>", live_count=7),
        ]
        html = squeezed(
            render_to_string("components/term_links.html", {"terms": terms, "param": "problem"})
        )
        self.assertEqual(
            html,
            '<li><a href="/toolkit/?problem=burglary">Burglary</a> <span class="term-list__count">'
            '(1 summary)</span></li><li><a href="/toolkit/?problem=a-b">Fish &amp; &lt;chips&gt;'
            '</a> <span class="term-list__count">(7 summaries)</span></li>',
        )


class LiveTermCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("generate_synthetic", "40", stdout=StringIO())
        draft = make_draft(title="Draft")  # a draft's tags count for nothing
        draft.problems.add(*Problem.objects.all())
        Problem.objects.create(name="Unused", slug="unused")

    def test_same_terms_and_counts_as_the_orm(self):
        """Each vocabulary's terms tagging live summaries, counted and ordered as the ORM's
        annotation does, a query a vocabulary."""
        models = [vocabulary.model for vocabulary in TAXONOMY]
        with self.assertNumQueries(len(models)):
            counted = live_term_counts(*models)
        for model, terms in zip(models, counted, strict=True):
            expected = [
                (term.slug, term.name, term.live_count)
                for term in model.objects.annotate(
                    live_count=Count(
                        "summaryversion", filter=Q(summaryversion__state=State.PUBLISHED)
                    )
                )
                .filter(live_count__gt=0)
                .order_by("position", "name")
            ]
            with self.subTest(model=model.__name__):
                self.assertTrue(expected)
                self.assertEqual([(t["slug"], t["name"], t["live_count"]) for t in terms], expected)
        self.assertEqual(terms_with_live_counts(Problem), counted[0])

    def test_home_query_count_does_not_grow_with_content(self):
        few = count_get(self, self.client, "/")
        call_command("generate_synthetic", "30", stdout=StringIO())
        self.assertEqual(count_get(self, self.client, "/"), few)


class FilterSetCopyTests(TestCase):
    """SummaryFilter copies its facets shallowly and builds its form class once: two
    filtersets still never share what a request sets."""

    def test_filtersets_are_independent(self):
        burglary = Problem.objects.create(name="Burglary", slug="burglary")
        robbery = Problem.objects.create(name="Robbery", slug="robbery")
        make_live().problems.add(burglary, robbery)  # facets know terms of live summaries
        one = SummaryFilter(QueryDict("problem=burglary"))
        two = SummaryFilter(QueryDict("problem=robbery&problem=burglary"))
        self.assertIs(one.get_form_class(), two.get_form_class())
        self.assertEqual(one.selected()["problem"], [burglary])
        self.assertEqual(sorted(two.selected()["problem"], key=str), [burglary, robbery])
        self.assertEqual(one.selected()["problem"], [burglary])
        for name, facet in one.filters.items():
            with self.subTest(facet=name):
                self.assertIs(facet.parent, one)
                self.assertIs(two.filters[name].parent, two)
                self.assertIsNot(facet.extra, SummaryFilter.base_filters[name].extra)
                self.assertFalse(hasattr(SummaryFilter.base_filters[name], "parent"))
