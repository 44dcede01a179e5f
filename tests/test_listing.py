"""The list and home pages' fast paths: the cards' statement compiled once
(``public/listing.py``) gives the ORM query's rows, the fragments rendered in Python
(``templatetags/browse.py``) the templates' markup, and the live term counts the ORM's
annotation; on whichever database the suite runs on."""

import itertools
from datetime import UTC, datetime
from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Q
from django.http import QueryDict
from django.template import Context, Template
from django.test import TestCase

from summaries import search
from summaries.models import TAXONOMY, Approach, Dimension, Problem, State, SummaryVersion
from summaries.public.list_state import SORTS
from summaries.public.listing import Card, CardResults, _statement, fetch_cards
from summaries.public.selectors import live_cards, live_term_counts, terms_with_live_counts
from summaries.search.facets import Facet, Option
from summaries.search.filters import SummaryFilter
from summaries.templatetags import browse
from tests.factories import level, make_draft, make_live
from tests.helpers import count_get

# The card as components/summary_card.html wrote it before it was rendered in Python.
TEMPLATE_CARD = """<article class="card">
  {% if heading_level == 4 %}
    <h4 class="card__title"><a href="{{ version.intervention.get_absolute_url }}">{{ version.title }}</a></h4>
  {% elif heading_level == 3 %}
    <h3 class="card__title"><a href="{{ version.intervention.get_absolute_url }}">{{ version.title }}</a></h3>
  {% else %}
    <h2 class="card__title"><a href="{{ version.intervention.get_absolute_url }}">{{ version.title }}</a></h2>
  {% endif %}
  {% if version.standfirst %}<p>{{ version.standfirst }}</p>{% endif %}
  {% if snippet %}<p class="card__snippet">{{ snippet|safe }}</p>{% endif %}
  <dl class="card__facts">
    <div><dt>Effect</dt><dd>{% firstof version.effect_rating.label "Not rated" %}</dd></div>
    <div><dt>Quality of evidence</dt><dd>{% firstof version.quality_rating.label "Not rated" %}</dd></div>
    <div><dt>Last updated</dt><dd><time datetime="{{ version.published_at|date:'Y-m-d' }}">{{ version.published_at|date:"j F Y" }}</time></dd></div>
  </dl>
  {% if compare %}<p class="card__compare"><input type="checkbox" name="s" value="{{ version.intervention.slug }}" id="compare-{{ version.intervention.slug }}"> <label for="compare-{{ version.intervention.slug }}">Compare<span class="visually-hidden"> {{ version.title }}</span></label></p>{% endif %}
</article>"""  # noqa: E501

# The home page's term links as its template wrote them.
TEMPLATE_TERMS = (
    "{% for term in terms %}<li><a href=\"{% url 'summaries:list' %}?problem={{ term.slug }}\">"
    '{{ term.name }}</a> <span class="term-list__count">({{ term.live_count }} '
    'summar{{ term.live_count|pluralize:"y,ies" }})</span></li>{% endfor %}'
)


def squeezed(html: str) -> str:
    """The markup without the template's indentation and line breaks between tags."""
    return "".join(line.strip() for line in html.splitlines())


class CardStatementTests(TestCase):
    """``fetch_cards`` gives exactly the cards the ORM query of the list gives."""

    @classmethod
    def setUpTestData(cls):
        call_command("generate_synthetic", "60", stdout=StringIO())
        # Not live: a draft with the words and terms the searches and facets ask for.
        draft = make_draft(title="Synthetic crime evidence draft")
        draft.problems.add(*Problem.objects.all()[:3])
        draft.approaches.add(*Approach.objects.all()[:3])

    def orm_cards(self, query, sort, data, offset, limit):
        """The page as the list view built it with the ORM before ``listing``."""
        results = live_cards()
        if query:
            results = search.search_live(results, query)
        filterset = SummaryFilter(data, queryset=results)
        ordered = filterset.qs.order_by(*SORTS[sort][1])
        return [Card.of(version) for version in ordered[offset : offset + limit]]

    def fast_cards(self, query, sort, data, offset, limit):
        filterset = SummaryFilter(data, queryset=live_cards())
        chosen = {name: [t.pk for t in terms] for name, terms in filterset.selected().items()}
        parsed = search.parse_query(query) if query else None
        with self.assertNumQueries(0 if parsed is not None and not parsed else 1):
            return fetch_cards(parsed, SORTS[sort][1], chosen, offset=offset, limit=limit)

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
        compared = 0
        for query, data, offset in itertools.product(queries, facets, (0, 20)):
            for sort in SORTS:
                if sort == "relevance" and not query:
                    continue
                with self.subTest(query=query, facets=data, sort=sort, offset=offset):
                    arguments = (query, sort, QueryDict(data), offset, 20)
                    expected = self.orm_cards(*arguments)
                    self.assertEqual(self.fast_cards(*arguments), expected)
                    compared += bool(expected)
        self.assertGreater(compared, 80)  # not a comparison of empty pages

    def test_a_shape_is_compiled_once(self):
        """The statement is built once per shape, whatever the values."""
        _statement.cache_clear()
        for problem in Problem.objects.all()[:4]:
            fetch_cards(None, SORTS["title"][1], {"problem": [problem.pk]}, offset=0, limit=20)
            fetch_cards(
                search.parse_query(problem.name), SORTS["relevance"][1], {}, offset=0, limit=20
            )
        self.assertEqual(_statement.cache_info().currsize, 2)

    def test_paginator_slices(self):
        """A slice is a page from one query; an empty slice asks nothing."""
        results = CardResults(None, SORTS["title"][1], {})
        with self.assertNumQueries(1):
            page = results[20:40]
        self.assertEqual(page, self.orm_cards("", "title", QueryDict(""), 20, 20))
        with self.assertNumQueries(0):
            self.assertEqual(results[0:0], [])
        with self.assertRaises(TypeError):
            results[3]


class CardMarkupTests(TestCase):
    """``{% summary_card %}`` and ``{% summary_cards %}`` write what the template wrote."""

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

    def test_each_card_as_the_template_wrote_it(self):
        template = Template(TEMPLATE_CARD)
        versions = list(live_cards().order_by("pk"))
        self.assertEqual(len(versions), 3)
        for version, heading_level, snippet, compare in itertools.product(
            versions, (2, 3, 4, ""), ("", "a <mark>match</mark> &amp; more"), (True, False)
        ):
            with self.subTest(version=version.title, level=heading_level, compare=compare):
                context = {
                    "version": version,
                    "heading_level": heading_level,
                    "snippet": snippet,
                    "compare": compare,
                }
                expected = squeezed(template.render(Context(context)))
                card = Card.of(version)
                card.snippet = snippet
                self.assertEqual(
                    browse.summary_card(version, heading_level, snippet, compare), expected
                )
                self.assertEqual(
                    browse.summary_cards([card], heading_level, compare), f"<li>{expected}</li>"
                )

    def test_card_without_a_date(self):
        """A card given no date shows none, as the date filter did."""
        card = Card(1, "T", "", "t", None, None, None)
        self.assertIn('<time datetime=""></time>', browse.summary_card(card))

    def test_the_pages_use_it(self):
        plain = live_cards().get(pk=self.plain.pk)
        response = self.client.get("/toolkit/")
        self.assertContains(response, "<li>" + browse.summary_card(plain, 2, "", True), html=False)
        response = self.client.get("/")
        self.assertContains(response, "<li>" + browse.summary_card(plain, 3), html=False)


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


class FragmentTests(TestCase):
    def test_facet_checkboxes(self):
        """Each option a checkbox and its label with the count in words, every name
        escaped: what the template tag before it wrote, character for character."""
        facet = Facet(
            "problem",
            "Problem",
            [
                Option("burglary", "Burglary", 1, False),
                Option("fish-chips", "Fish & <chips> \"'", 12, True),
                Option("none", "Unticked to nothing", 0, True),
            ],
        )
        self.assertEqual(browse.facet_checkboxes(facet), FACET_OPTIONS)
        self.assertEqual(browse.facet_checkboxes(Facet("effect", "Effect", [])), "")

    def test_term_links_as_the_home_template(self):
        terms = [
            type("Term", (), {"slug": "burglary", "name": "Burglary", "live_count": 1}),
            type("Term", (), {"slug": "a-b", "name": "Fish & <chips>", "live_count": 7}),
        ]
        expected = Template(TEMPLATE_TERMS).render(Context({"terms": terms}))
        self.assertEqual(browse.term_links(terms, "problem"), expected)


class LiveTermCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("generate_synthetic", "40", stdout=StringIO())
        draft = make_draft(title="Draft")  # a draft's tags count for nothing
        draft.problems.add(*Problem.objects.all())
        Problem.objects.create(name="Unused", slug="unused")

    def test_same_terms_and_counts_as_the_orm(self):
        """Each vocabulary's terms tagging live summaries, counted and ordered as the ORM's
        annotation did, all vocabularies in one query."""
        models = [vocabulary.model for vocabulary in TAXONOMY]
        with self.assertNumQueries(1):
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
                self.assertEqual([(t.slug, t.name, t.live_count) for t in terms], expected)
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
