"""Starting a draft copies every field of every child row, whatever fields exist."""

import datetime
from decimal import Decimal

from django.db import models
from django.test import TestCase

from summaries.editorial.copying import owned_relations
from summaries.editorial.services import draft_start_from
from summaries.models import (
    BenefitCost,
    CertaintyDomain,
    Dimension,
    Direction,
    Outcome,
    OutcomeResult,
    ScaleLevel,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import level, make_live


def _value(field: models.Field, n: int, parents: dict, version: SummaryVersion):
    """A valid, non-default value for ``field``, different for each ``n``."""
    if field.choices:
        return field.choices[n % len(field.choices)][0]
    if field.is_relation:
        if field.related_model in parents:
            return parents[field.related_model]
        if field.related_model is ScaleLevel:
            # A rating: a level of the scale the field allows (effect, quality, ...).
            dimension = field.get_limit_choices_to()["scale__dimension"]
            return ScaleLevel.objects.filter(scale__dimension=dimension).order_by("position")[n]
        if field.related_model is CertaintyDomain:
            return CertaintyDomain.objects.order_by("position")[n]
        if field.related_model is SystematicReview and field.null:
            # A source review (a unit cost's): its copy points at the copied review, so
            # it cannot compare equal here (UnitCostCopyTests checks it).
            return None
        if field.related_model is Outcome:
            return Outcome.objects.create(
                name=f"Outcome {version.pk} {n}", slug=f"o-{version.pk}-{n}"
            )
        # A reference outside the version (a related summary's target).
        return make_live().intervention
    if isinstance(field, models.URLField):
        return f"https://example.org/{field.name}/{n}"
    if isinstance(field, models.SlugField):
        return f"{field.name}-{n}"
    if isinstance(field, models.TextField | models.CharField):
        text = f"{field.name} {n}"
        if field.max_length and field.max_length < len(text):
            # A short code (a currency): its last characters, which differ by n.
            text = f"{field.name.upper()}{n}"[-field.max_length :]
        return f"<p>{text}</p>" if "body" in field.name else text
    if isinstance(field, models.DecimalField):
        return Decimal(f"{10 + n}.5")
    if isinstance(field, models.PositiveSmallIntegerField) and field.validators:
        return 2000 + n  # a year
    if isinstance(field, models.IntegerField):
        return 3 + n
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(2024, 1, 1 + n, tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date(2024, 1, 1 + n)
    raise AssertionError(f"No test value for {field!r}: teach _value about it.")


def _fill(model, n: int, parents: dict, version: SummaryVersion) -> models.Model:
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or (field.has_default() and not field.editable):
            continue
        values[field.name] = _value(field, n, parents, version)
    row = model(**values)
    row.save()
    return row


def _fields(row) -> dict:
    """Every concrete field but the primary key and the reference to the parent row."""
    return {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if not field.primary_key
        and not (field.is_relation and field.related_model in COPIED_PARENTS)
    }


COPIED_PARENTS: set = set()


class CopyContentTests(TestCase):
    def fill_children(self, model, parent, version, depth=0):
        """Two rows of every model under ``parent``, each field filled, recursively."""
        for relation in owned_relations(model):
            child = relation.related_model
            COPIED_PARENTS.add(model)
            for n in range(2):
                row = _fill(child, n, {model: parent}, version)
                self.fill_children(child, row, version, depth + 1)

    def rows_under(self, model, parent):
        rows = {}
        for relation in owned_relations(model):
            child = relation.related_model
            found = child._default_manager.filter(**{relation.field.name: parent}).order_by("pk")
            rows[child.__name__] = [(_fields(row), self.rows_under(child, row)) for row in found]
        return rows

    def test_every_concrete_field_of_every_child_row_is_copied(self):
        """A new draft holds copies of every child row (and theirs), every field equal."""
        live = make_live()
        live.sections.all().delete()
        self.fill_children(SummaryVersion, live, live)
        original = self.rows_under(SummaryVersion, live)
        # Every child model has rows, so none is skipped by accident.
        self.assertTrue(all(original.values()), original.keys())
        draft = draft_start_from(version=live)
        self.assertEqual(self.rows_under(SummaryVersion, draft), original)
        self.assertEqual(self.rows_under(SummaryVersion, live), original)

    def test_tags_are_copied(self):
        """Every many-to-many field of the version (its taxonomy) is copied."""
        live = make_live()
        for field in SummaryVersion._meta.many_to_many:
            model = field.related_model
            term = model.objects.create(name=f"{field.name} term", slug=f"{field.name}-term")
            getattr(live, field.name).add(term)
        draft = draft_start_from(version=live)
        for field in SummaryVersion._meta.many_to_many:
            with self.subTest(field=field.name):
                self.assertEqual(
                    list(getattr(draft, field.name).all()), list(getattr(live, field.name).all())
                )


class OutcomeResultCopyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = make_live()
        cls.review_one = SystematicReview.objects.create(version=cls.live, label="R1", studies=35)
        cls.review_two = SystematicReview.objects.create(version=cls.live, label="R2", studies=27)
        cls.outcome = Outcome.objects.create(name="Sexual reoffending", slug="sexual")
        cls.result = OutcomeResult.objects.create(
            version=cls.live,
            outcome=cls.outcome,
            effect_rating=level(Dimension.EFFECT, "reduced"),
            quality_rating=level(Dimension.QUALITY, "strong"),
            direction=Direction.REDUCED,
            stated="declined from 13.6% to 9.3%",
            comparison_rate=Decimal("13.6"),
            treatment_rate=Decimal("9.3"),
            relative_change=Decimal("-31.8"),
        )
        cls.result.reviews.set([cls.review_one, cls.review_two])

    def test_a_new_draft_cites_its_own_copies_of_the_reviews(self):
        """A new draft's outcome result points at the draft's reviews, not the live ones."""
        draft = draft_start_from(version=self.live)
        copy = draft.outcome_results.get()
        self.assertNotEqual(copy.pk, self.result.pk)
        self.assertEqual(sorted(r.label for r in copy.reviews.all()), ["R1", "R2"])
        self.assertEqual({r.version_id for r in copy.reviews.all()}, {draft.pk})
        # The live version's result still cites the live reviews.
        self.assertEqual(set(self.result.reviews.all()), {self.review_one, self.review_two})
        self.assertEqual(copy.relative_change, Decimal("-31.8"))
        self.assertEqual(copy.effect_rating, self.result.effect_rating)


class EconomicsCopyTests(TestCase):
    def test_a_new_draft_cites_its_own_copy_of_the_source_review(self):
        """A copied unit cost or benefit-cost figure names the draft's copy of its review."""
        live = make_live()
        review = SystematicReview.objects.create(version=live, label="R1")
        live.unit_costs.create(
            amount=Decimal("1250"), currency="GBP", price_year=2023, review=review
        )
        BenefitCost.objects.create(
            version=live,
            perspective="taxpayers",
            benefits=Decimal("9000"),
            costs=Decimal("1500"),
            ratio=Decimal("6.00"),
            currency="GBP",
            price_year=2023,
            review=review,
        )
        draft = draft_start_from(version=live)
        draft_review = draft.reviews.get()
        self.assertEqual(draft.unit_costs.get().review, draft_review)
        self.assertEqual(draft.benefit_costs.get().review, draft_review)
        self.assertEqual(live.unit_costs.get().review, review)
