"""Synthetic benchmark content: labelled, live, realistic in shape, deterministic, removable."""

import re
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.test import SimpleTestCase, TestCase

from summaries import synthetic
from summaries.models import (
    RATING_FIELDS,
    SECTION_ORDER,
    TAXONOMY_FIELDS,
    AuditAction,
    AuditEvent,
    Intervention,
    KeyFigure,
    Problem,
    RelatedSummary,
    ReviewBreakdown,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
)
from summaries.sanitize import sanitize_html
from tests.factories import make_live

M2M_FIELDS = TAXONOMY_FIELDS


def generate(*args):
    out = StringIO()
    call_command("generate_synthetic", *map(str, args), stdout=out)
    return out.getvalue()


def synthetic_versions():
    return SummaryVersion.objects.filter(intervention__is_synthetic=True)


def containing(word):
    """Synthetic versions whose title, standfirst or sections contain ``word``."""
    return (
        synthetic_versions()
        .filter(
            Q(title__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(sections__body__icontains=word)
        )
        .distinct()
    )


def through_rows():
    return {
        name: SummaryVersion._meta.get_field(name).remote_field.through.objects.count()
        for name in M2M_FIELDS
    }


class GenerateSyntheticTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.real = make_live("street-lighting", title="Street lighting")
        cls.output = generate(30)

    def test_creates_live_labelled_summaries(self):
        """N=30 gives 30 live interventions, flagged, with prefixed titles and slugs."""
        interventions = Intervention.objects.filter(is_synthetic=True)
        self.assertEqual(interventions.count(), 30)
        self.assertEqual(Intervention.objects.live().filter(is_synthetic=True).count(), 30)
        for version in synthetic_versions().select_related("intervention"):
            self.assertEqual((version.state, version.number), (State.PUBLISHED, 1))
            self.assertTrue(version.title.startswith("[Synthetic] "))
            self.assertTrue(version.intervention.slug.startswith("synthetic-"))
            self.assertIsNotNone(version.published_at)
            self.assertIsNotNone(version.intervention.first_published_at)

    def test_reports_progress_and_total(self):
        """The command prints progress and a final line with the count and the time taken."""
        self.assertIn("30 / 30 created", self.output)
        self.assertRegex(self.output, r"Created 30 synthetic summaries .* in \d+\.\d s\.")

    def test_nine_sections_in_order(self):
        """Every summary has the nine sections, positioned in the fixed order."""
        for version in synthetic_versions().prefetch_related("sections"):
            sections = list(version.sections.all())
            self.assertEqual([s.kind for s in sections], list(SectionKind.values))
            self.assertEqual([s.position for s in sections], list(SECTION_ORDER.values()))

    def test_section_html_is_what_the_sanitiser_keeps(self):
        """Section bodies are already safe: sanitising them changes nothing."""
        for body in Section.objects.filter(version__in=synthetic_versions()).values_list(
            "body", flat=True
        ):
            self.assertTrue(body.startswith("<p>"))
            self.assertEqual(sanitize_html(body), body)

    def test_ratings_are_levels_of_their_own_scale(self):
        """Each of the six ratings is set, to a level of the scale for its dimension."""
        for version in synthetic_versions():
            for field, dimension in RATING_FIELDS.items():
                level = getattr(version, f"{field}_rating")
                self.assertIsNotNone(level, field)
                self.assertEqual(level.scale.dimension, dimension)

    def test_reviews_have_consistent_counts(self):
        """One to three reviews each, RCTs and conflicted studies within the studies."""
        for version in synthetic_versions().prefetch_related("reviews__breakdowns"):
            reviews = list(version.reviews.all())
            self.assertIn(len(reviews), (1, 2, 3))
            for review in reviews:
                self.assertLessEqual(review.rcts, review.studies)
                self.assertLessEqual(review.conflict_of_interest_studies or 0, review.studies)
                self.assertTrue(review.breakdowns.exists())
        self.assertTrue(KeyFigure.objects.filter(version__in=synthetic_versions()).exists())

    def test_outcome_results_cite_their_own_reviews(self):
        """Each summary has one to three outcome results, rated, citing its own reviews;
        numbers only where its key figure gives them."""
        versions = synthetic_versions().prefetch_related(
            "key_figures", "outcome_results__reviews", "outcome_results__effect_rating__scale"
        )
        for version in versions:
            results = list(version.outcome_results.all())
            self.assertIn(len(results), (1, 2, 3))
            figures = list(version.key_figures.all())
            for index, result in enumerate(results):
                self.assertEqual(result.effect_rating.scale.dimension, "effect")
                self.assertIsNotNone(result.quality_rating_id)
                self.assertTrue(result.stated)
                self.assertEqual({r.version_id for r in result.reviews.all()}, {version.pk})
                if index == 0 and figures:
                    self.assertEqual(result.treatment_rate, figures[0].treatment_rate)
                else:
                    self.assertFalse(result.has_number)

    def test_tagged_with_taxonomy(self):
        """Every summary has a problem, an approach, a focus, a setting and a population."""
        for version in synthetic_versions().prefetch_related(*M2M_FIELDS):
            for field in M2M_FIELDS:
                self.assertTrue(getattr(version, field).all(), field)

    def test_second_run_adds_more_with_new_slugs(self):
        """Running again adds N more, numbered on, without slug collisions."""
        generate(5)
        slugs = list(Intervention.objects.filter(is_synthetic=True).values_list("slug", flat=True))
        self.assertEqual(len(slugs), 35)
        numbers = sorted(int(re.match(r"synthetic-(\d+)-", slug)[1]) for slug in slugs)
        self.assertEqual(numbers, list(range(1, 36)))

    def test_real_summary_untouched(self):
        """The real summary stays as it was, and is not flagged."""
        self.real.refresh_from_db()
        self.assertFalse(self.real.intervention.is_synthetic)
        self.assertEqual(self.real.title, "Street lighting")
        self.assertEqual(self.real.sections.count(), 1)


class DeterminismTests(TestCase):
    def titles(self, seed):
        generate(8, "--seed", seed)
        titles = list(synthetic_versions().order_by("intervention_id").values_list("title"))
        generate("--delete")
        return titles

    def test_same_seed_same_titles(self):
        """The same N and seed give the same titles; another seed gives others."""
        first = self.titles(7)
        self.assertEqual(self.titles(7), first)
        self.assertNotEqual(self.titles(8), first)

    def test_same_seed_same_text(self):
        """A planned summary depends only on the seed and its number."""
        self.assertEqual(
            synthetic.plan_summary(42, seed=3).sections, synthetic.plan_summary(42, seed=3).sections
        )


class WordStatisticsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        generate(200)

    def test_rare_terms_in_about_ten_summaries(self):
        """Each rare term appears in a small, bounded number of summaries."""
        for term in synthetic.RARE_TERMS:
            with self.subTest(term=term):
                self.assertEqual(containing(term).count(), synthetic.RARE_TERM_HITS)

    def test_common_terms_in_most_summaries(self):
        """Each common term appears in most summaries, but not all."""
        for term in synthetic.COMMON_TERMS:
            with self.subTest(term=term):
                self.assertTrue(110 <= containing(term).count() < 200)

    def test_typical_terms_match_their_topic_only(self):
        """A topic word appears exactly in the summaries tagged with its problem or approach."""
        topics = [(t, "problems") for t in synthetic.PROBLEMS] + [
            (t, "approaches") for t in synthetic.APPROACHES
        ]
        for topic, field in topics:
            if topic.keyword:
                with self.subTest(word=topic.keyword):
                    tagged = synthetic_versions().filter(**{f"{field}__slug": topic.slug})
                    self.assertEqual(set(containing(topic.keyword)), set(tagged))

    def test_summaries_are_a_few_hundred_words(self):
        """Title, standfirst and sections come to roughly 250 to 400 words."""
        for version in synthetic_versions().prefetch_related("sections")[:50]:
            text = " ".join([version.title, version.standfirst])
            text += " ".join(re.sub("<[^>]+>", " ", s.body) for s in version.sections.all())
            self.assertTrue(230 <= len(text.split()) <= 420, len(text.split()))


class DeleteSyntheticTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.real = make_live("real-summary", title="Real summary")
        # An existing term the generator reuses rather than duplicates.
        cls.real.problems.add(Problem.objects.create(slug="burglary", name="Burglary"))
        review = SystematicReview.objects.create(version=cls.real, label="Review one", studies=3)
        ReviewBreakdown.objects.create(review=review, kind="country", label="USA", count=3)
        KeyFigure.objects.create(version=cls.real, outcome="Burglary")

    def test_delete_removes_all_synthetic_rows_and_only_those(self):
        """--delete leaves the real summary, its child rows and the taxonomy as they were."""
        generate(12)
        terms = Problem.objects.count()
        generate("--delete")
        self.assertFalse(Intervention.objects.filter(is_synthetic=True).exists())
        self.assertEqual(list(SummaryVersion.objects.all()), [self.real])
        for model in (Section, SystematicReview, ReviewBreakdown, KeyFigure):
            self.assertEqual(model.objects.exclude(**self.own_rows(model)).count(), 0, model)
            self.assertTrue(model.objects.exists(), model)
        self.assertEqual(through_rows(), dict.fromkeys(M2M_FIELDS, 0) | {"problems": 1})
        self.assertEqual(list(self.real.problems.values_list("slug", flat=True)), ["burglary"])
        self.assertEqual(Problem.objects.count(), terms)

    def test_see_also_link_to_a_synthetic_summary_goes_with_it(self):
        """A real summary's link to a synthetic one is removed; the real summary stays."""
        generate(2)
        target = Intervention.objects.filter(is_synthetic=True).first()
        RelatedSummary.objects.create(version=self.real, target=target)
        generate("--delete")
        self.assertFalse(RelatedSummary.objects.exists())
        self.assertTrue(SummaryVersion.objects.filter(pk=self.real.pk).exists())

    def test_delete_signals_still_fire(self):
        """A model with delete signals is deleted through the ORM, so its receivers run."""
        generate(2)
        deleted = []

        def receiver(sender, instance, **kwargs):
            deleted.append(instance.version_id)

        pre_delete.connect(receiver, sender=Section)
        self.addCleanup(pre_delete.disconnect, receiver, sender=Section)
        generate("--delete")
        self.assertEqual(len(deleted), 18)
        self.assertNotIn(self.real.pk, deleted)
        self.assertEqual(Section.objects.get().version, self.real)

    def test_delete_refused_while_audit_events_protect_a_synthetic_summary(self):
        """If an editor acted on a synthetic summary, --delete refuses and deletes nothing."""
        generate(2)
        version = synthetic_versions().first()
        AuditEvent.objects.create(
            action=AuditAction.PUBLISH, intervention=version.intervention, version=version
        )
        with self.assertRaisesMessage(CommandError, "Nothing was deleted"):
            generate("--delete")
        self.assertEqual(synthetic_versions().count(), 2)
        self.assertEqual(Section.objects.filter(version__in=synthetic_versions()).count(), 18)

    def own_rows(self, model):
        lookup = "review__version" if model is ReviewBreakdown else "version"
        return {lookup: self.real}

    def test_delete_then_generate(self):
        """--delete with N replaces the synthetic set, numbering from 1 again."""
        generate(3)
        output = generate(4, "--delete")
        self.assertIn("Deleted 3 synthetic summaries", output)
        slugs = Intervention.objects.filter(is_synthetic=True).values_list("slug", flat=True)
        self.assertEqual(sorted(int(s.split("-")[1]) for s in slugs), [1, 2, 3, 4])


class BadInputTests(SimpleTestCase):
    def test_bad_counts_are_refused(self):
        """N must be a whole number from 1 to 1,000,000."""
        for value in ("0", "-3", "abc", "2.5", "1000001"):
            with self.subTest(value=value), self.assertRaisesMessage(CommandError, "whole number"):
                generate(value)

    def test_count_required_without_delete(self):
        """Without N, only --delete makes sense."""
        with self.assertRaisesMessage(CommandError, "Give N"):
            generate()
