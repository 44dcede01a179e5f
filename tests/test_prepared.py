"""Statements compiled once (``summaries/models/prepared.py``) and the summary page's
loading built on them (``page_loading.page_versions``): the same rows as the ORM's."""

import io

from django.core.management import call_command
from django.test import TestCase

from summaries.models import (
    BreakdownKind,
    ExternalLink,
    RelatedSummary,
    ReviewBreakdown,
    State,
    SummaryVersion,
    SystematicReview,
    prepared,
)
from summaries.models.outcomes import OutcomeResult
from summaries.models.page_loading import page_versions
from summaries.models.versions import RATING_FIELDS
from summaries.models.vocabularies import TAXONOMY

from .factories import make_draft, make_live
from .helpers import count_queries, queries_of

DEMO = "psychosocial-treatment-sex-offenders"


def _by_slug(slug):
    return SummaryVersion.objects.select_related("intervention").filter(intervention__slug=slug)


def _of_interventions(ids):
    return SummaryVersion.objects.filter(intervention_id__in=ids).order_by("pk")


def _live_of(intervention_id):
    # The queryset's own constant (the state) beside the caller's value.
    return SummaryVersion.objects.filter(state=State.PUBLISHED, intervention_id=intervention_id)


def _published(is_null):
    return SummaryVersion.objects.filter(published_at__isnull=is_null).order_by("pk")


def _titles_containing(text):
    return SummaryVersion.objects.filter(title__contains=text)


def _dates(intervention_id):
    return SummaryVersion.objects.filter(intervention_id=intervention_id).values_list(
        "published_at", "number"
    )


def _fields(instance) -> dict:
    """Every loaded field of ``instance`` (a deferred one would cost a query)."""
    deferred = instance.get_deferred_fields()
    fields = instance._meta.concrete_fields
    return {f.attname: getattr(instance, f.attname) for f in fields if f.attname not in deferred}


class PreparedStatementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("prepared-live")
        cls.other = make_live("prepared-other")
        cls.draft = make_draft("prepared-draft")

    def setUp(self):
        prepared._statements.clear()

    def test_the_same_objects_as_the_orm(self):
        """Each slug gives exactly the versions the ORM gives, every field alike."""
        for slug in ("prepared-live", "prepared-draft", "prepared-other", "no-such-slug"):
            with self.subTest(slug=slug):
                got = prepared.run(("by slug",), _by_slug, [slug])
                expected = list(_by_slug(slug))
                self.assertEqual([_fields(v) for v in got], [_fields(v) for v in expected])

    def test_select_related_objects_come_with_the_rows(self):
        """A ``select_related`` object is read without a query, as from the ORM."""
        (version,) = prepared.run(("by slug",), _by_slug, ["prepared-live"])
        self.assertEqual(count_queries(lambda: version.intervention.slug), 0)
        self.assertEqual(version.intervention.slug, "prepared-live")

    def test_compiled_once_per_shape(self):
        """The queryset is built only when a shape is first met."""
        built = []

        def build(slug):
            built.append(slug)
            return _by_slug(slug)

        for slug in ("prepared-live", "prepared-other", "prepared-draft"):
            prepared.run(("counting",), build, [slug])
        self.assertEqual(len(built), 2)  # the two sets of stand-ins, once

    def test_lists_of_each_length(self):
        """A list of ids is a shape per length; an empty one selects nothing, no query."""
        ids = [self.live.intervention_id, self.other.intervention_id, self.draft.intervention_id]
        for length in range(1, 4):
            with self.subTest(length=length):
                got = prepared.run(("ids",), _of_interventions, [ids[:length]])
                self.assertEqual(
                    [v.pk for v in got], [v.pk for v in _of_interventions(ids[:length])]
                )
        self.assertEqual(count_queries(lambda: prepared.run(("ids",), _of_interventions, [[]])), 0)

    def test_the_querysets_own_values_stay(self):
        """A value the queryset names itself (a state) is kept, the caller's replaced."""
        self.assertEqual(
            [v.pk for v in prepared.run(("live of",), _live_of, [self.live.intervention_id])],
            [self.live.pk],
        )
        self.assertEqual(prepared.run(("live of",), _live_of, [self.draft.intervention_id]), [])

    def test_true_false_and_none_are_part_of_the_shape(self):
        """``__isnull=True`` and ``False`` are different SQL, each right."""
        for is_null in (True, False):
            with self.subTest(is_null=is_null):
                got = prepared.run(("published",), _published, [is_null])
                self.assertEqual([v.pk for v in got], [v.pk for v in _published(is_null)])

    def test_a_value_the_orm_changes_is_refused(self):
        """``__contains`` binds ``%text%``, not the value: refused, never run wrong."""
        with self.assertRaises(prepared.NotPreparable):
            prepared.run(("contains",), _titles_containing, ["Intervention"])

    def test_rows_are_converted_as_the_orm_converts_them(self):
        """values_list() rows: aware datetimes and integers, as the ORM returns them."""
        got = prepared.run(("dates",), _dates, [self.live.intervention_id])
        self.assertEqual(got, list(_dates(self.live.intervention_id)))
        self.assertIsNotNone(got[0][0].tzinfo)

    def test_choices_are_bound_as_their_values(self):
        """``State.PUBLISHED`` is bound as the string the column holds."""

        def by_state(state):
            return SummaryVersion.objects.filter(state=state).order_by("pk")

        got = prepared.run(("state",), by_state, [State.PUBLISHED])
        self.assertEqual([v.pk for v in got], [self.live.pk, self.other.pk])

    def test_the_table_of_statements_is_bounded(self):
        """Lists of every length cannot grow the table without limit."""
        for length in range(1, prepared.MAX_STATEMENTS + 10):
            prepared.run(("bounded",), _of_interventions, [list(range(1, length + 1))])
        self.assertLessEqual(len(prepared._statements), prepared.MAX_STATEMENTS)


class PageVersionsTests(TestCase):
    """``page_versions`` loads what ``for_page()`` loads, in the same order."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", "--no-accounts", stdout=io.StringIO(), stderr=io.StringIO())
        cls.demo = SummaryVersion.objects.get(intervention__slug=DEMO, state=State.PUBLISHED)
        cls.related = [make_live(f"related-{n}") for n in range(2)]
        for position, target in enumerate(reversed(cls.related)):
            RelatedSummary.objects.create(
                version=cls.demo, target=target.intervention, position=position
            )

    def _loaded(self, version) -> dict:
        """Everything the page reads from ``version``, as plain values."""
        return {
            "version": _fields(version),
            "intervention": _fields(version.intervention),
            "ratings": [
                (dimension, level and (_fields(level), _fields(level.scale)))
                for dimension, level in version.ratings()
            ],
            **{
                name: [_fields(row) for row in getattr(version, name).all()]
                for name in ("sections", "key_figures", "external_links")
            },
            "reviews": [
                (_fields(review), [_fields(b) for b in review.breakdowns.all()])
                for review in version.reviews.all()
            ],
            "outcomes": [
                (
                    _fields(result),
                    _fields(result.outcome),
                    result.effect_rating and _fields(result.effect_rating.scale),
                    [review.pk for review in result.reviews.all()],
                )
                for result in version.outcome_results.all()
            ],
            "related": [(_fields(r), _fields(r.target)) for r in version.related_summaries.all()],
            "taxonomy": [
                [_fields(term) for term in getattr(version, vocabulary.field).all()]
                for vocabulary in TAXONOMY
            ],
        }

    def test_the_same_content_as_for_page(self):
        """Every row the page shows is the one ``for_page()`` gives, in its order."""
        (loaded,) = page_versions({"intervention__slug": DEMO, "state": State.PUBLISHED})
        expected = SummaryVersion.objects.for_page().get(pk=self.demo.pk)
        self.assertEqual(self._loaded(loaded), self._loaded(expected))
        self.assertTrue(self._loaded(loaded)["outcomes"])
        # The ratings, loaded apart from the version, are the ORM's select_related ones.
        plain = SummaryVersion.objects.select_related(
            *(f"{field}_rating__scale" for field in RATING_FIELDS)
        ).get(pk=self.demo.pk)
        self.assertEqual(
            self._loaded(loaded)["ratings"],
            [
                (dimension, level and (_fields(level), _fields(level.scale)))
                for dimension, level in plain.ratings()
            ],
        )
        self.assertTrue(any(level for _, level in plain.ratings()))
        self.assertEqual(len(self._loaded(loaded)["related"]), 2)

    def test_the_page_reads_its_content_without_queries(self):
        """Once loaded, nothing the page shows costs a query."""
        (loaded,) = page_versions({"intervention__slug": DEMO, "state": State.PUBLISHED})
        self.assertEqual(queries_of(lambda: self._loaded(loaded)), [])

    def test_loading_costs_the_same_queries_whatever_the_content(self):
        """More reviews, breakdowns, outcomes and related summaries cost no more queries."""

        def load():
            page_versions({"intervention__slug": DEMO, "state": State.PUBLISHED})

        before = count_queries(load)
        review = SystematicReview.objects.create(version=self.demo, label="Another review")
        ReviewBreakdown.objects.create(
            review=review, kind=BreakdownKind.values[0], label="A", count=3
        )
        result = OutcomeResult.objects.filter(version=self.demo).first()
        result.reviews.add(review)
        RelatedSummary.objects.create(version=self.demo, target=make_live("one-more").intervention)
        ExternalLink.objects.create(version=self.demo, title="More", url="https://example.org/")
        self.assertEqual(count_queries(load), before)

    def test_no_statement_joins_a_dozen_tables(self):
        """No query of the summary page joins more than a few tables: PostgreSQL spent
        18.8 ms planning the thirteen joins of the version with its six ratings and their
        scales, for 0.8 ms of running it."""
        sql = queries_of(lambda: self.client.get(f"/toolkit/{DEMO}/"))
        self.assertTrue(sql)
        for statement in sql:
            with self.subTest(statement=statement[:80]):
                # The taxonomy's UNION has one join in each of its five parts.
                self.assertLessEqual(statement.count(" JOIN "), 5)

    def test_an_outcomes_reviews_keep_the_reviews_order(self):
        """Reviews cited by an outcome come in the version's review order."""
        result = OutcomeResult.objects.filter(version=self.demo).first()
        first = SystematicReview.objects.filter(version=self.demo).order_by("pk").first()
        first.position = 99  # the review order is no longer the order of the ids
        first.save()
        reviews = list(SystematicReview.objects.filter(version=self.demo))
        self.assertEqual(reviews[-1], first)
        result.reviews.set(reviews)
        (loaded,) = page_versions({"intervention__slug": DEMO, "state": State.PUBLISHED})
        got = next(r for r in loaded.outcome_results.all() if r.pk == result.pk)
        self.assertEqual([r.pk for r in got.reviews.all()], [r.pk for r in reviews])

    def test_nothing_for_an_unknown_or_unpublished_address(self):
        """No version, and no content loaded, for a slug with no live version."""
        draft = make_draft("only-a-draft")
        for slug in ("no-such-summary", draft.intervention.slug):
            with self.subTest(slug=slug):
                self.assertEqual(
                    page_versions({"intervention__slug": slug, "state": State.PUBLISHED}), []
                )
