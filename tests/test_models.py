"""The content model's invariants, enforced by the database on SQLite and PostgreSQL."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from summaries.editorial.rules import submit_problems
from summaries.editorial.services import ServiceError, draft_start_from, version_publish
from summaries.models import (
    TAXONOMY,
    Intervention,
    KeyFigure,
    ScaleLevel,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
    Term,
)
from tests.factories import make_complete_draft, make_draft, make_live, publish


class ConstraintTests(TestCase):
    def assert_refused(self, callable_):
        with self.assertRaises(IntegrityError), transaction.atomic():
            callable_()

    def test_slugs_are_unique(self):
        """Two interventions cannot share an address."""
        Intervention.objects.create(slug="street-lighting")
        self.assert_refused(lambda: Intervention.objects.create(slug="street-lighting"))

    def test_version_numbers_are_unique_per_intervention(self):
        """An intervention cannot have two versions with the same number."""
        draft = make_draft()
        self.assert_refused(
            lambda: SummaryVersion.objects.create(
                intervention=draft.intervention,
                number=draft.number,
                title="x",
                state=State.ARCHIVED,
            )
        )

    def test_at_most_one_live_version(self):
        """The database refuses a second published version of one intervention."""
        live = make_live()
        self.assert_refused(
            lambda: SummaryVersion.objects.create(
                intervention=live.intervention,
                title="x",
                state=State.PUBLISHED,
                published_at=timezone.now(),
            )
        )

    def test_at_most_one_open_draft(self):
        """The database refuses a second open draft, whatever its open state."""
        draft = make_draft()
        for state in (State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED):
            self.assert_refused(
                lambda state=state: SummaryVersion.objects.create(
                    intervention=draft.intervention, title="x", state=state
                )
            )

    def test_closed_versions_may_accumulate(self):
        """Any number of superseded or archived versions can sit beside a live one."""
        live = make_live()
        for state in (State.SUPERSEDED, State.SUPERSEDED, State.ARCHIVED, State.WITHDRAWN):
            SummaryVersion.objects.create(intervention=live.intervention, title="x", state=state)
        self.assertEqual(live.intervention.versions.count(), 5)

    def test_one_section_of_each_kind(self):
        """A version cannot hold the same section twice."""
        draft = make_draft(sections={SectionKind.EFFECT: "<p>a</p>"})
        self.assert_refused(
            lambda: Section.objects.create(version=draft, kind=SectionKind.EFFECT, body="b")
        )

    def test_review_counts_are_consistent(self):
        """A review cannot claim more RCTs or conflicted studies than studies."""
        draft = make_draft()
        self.assert_refused(
            lambda: SystematicReview.objects.create(version=draft, label="R1", studies=5, rcts=6)
        )
        self.assert_refused(
            lambda: SystematicReview.objects.create(
                version=draft, label="R2", studies=5, conflict_of_interest_studies=9
            )
        )

    def test_rates_are_percentages(self):
        """A key figure's rates lie between 0 and 100."""
        draft = make_draft()
        self.assert_refused(
            lambda: KeyFigure.objects.create(
                version=draft, outcome="x", comparison_rate=Decimal("130.0")
            )
        )

    def test_published_versions_have_a_date(self):
        """A version cannot be published without its publication time."""
        draft = make_draft()
        self.assert_refused(
            lambda: SummaryVersion.objects.filter(pk=draft.pk).update(state=State.PUBLISHED)
        )

    def test_scale_levels_unique_within_scale(self):
        """A scale cannot hold two levels at the same position."""
        level = ScaleLevel.objects.first()
        self.assert_refused(
            lambda: ScaleLevel.objects.create(
                scale=level.scale,
                position=level.position,
                slug="other",
                label="x",
                description="x",
            )
        )


class VersionTests(TestCase):
    def test_numbers_count_up(self):
        """Each new version of an intervention gets the next number."""
        live = make_live()
        draft = draft_start_from(version=live)
        self.assertEqual((live.number, draft.number), (1, 2))

    def test_draft_copies_every_child_row(self):
        """A draft started from a live version carries all its content."""
        live = make_live(sections={SectionKind.FOCUS: "<p>f</p>", SectionKind.SUMMARY: "<p>s</p>"})
        review = SystematicReview.objects.create(version=live, label="Review one", studies=35)
        review.breakdowns.create(kind="country", label="Canada", count=13, unit="tests")
        KeyFigure.objects.create(version=live, outcome="Sexual reoffending", treatment_rate=9.3)
        draft = draft_start_from(version=live)
        self.assertEqual(
            list(draft.sections.values_list("kind", "body")),
            [("focus", "<p>f</p>"), ("summary", "<p>s</p>")],
        )
        self.assertEqual(draft.reviews.get().breakdowns.get().label, "Canada")
        self.assertEqual(draft.key_figures.get().outcome, "Sexual reoffending")
        live.refresh_from_db()
        self.assertEqual(live.state, State.PUBLISHED)
        self.assertEqual(live.reviews.get().breakdowns.count(), 1)

    def test_publishing_supersedes_the_live_version(self):
        """Publishing a draft makes it live and the old live version superseded."""
        live = make_live()
        draft = draft_start_from(version=live)
        publish(draft)
        live.refresh_from_db()
        draft.refresh_from_db()
        self.assertEqual((live.state, draft.state), (State.SUPERSEDED, State.PUBLISHED))
        self.assertEqual(list(SummaryVersion.objects.live()), [draft])

    def test_only_drafts_are_published(self):
        """A superseded version cannot be published again directly."""
        live = make_live()
        publish(draft_start_from(version=live))
        live.refresh_from_db()
        with self.assertRaises(ServiceError):
            version_publish(version=live)

    def test_second_open_draft_is_refused_with_a_message(self):
        """Starting a second draft gives an editor-facing error, not a crash."""
        live = make_live()
        draft_start_from(version=live)
        with self.assertRaisesMessage(ServiceError, "already has an open draft"):
            draft_start_from(version=live)

    def test_sections_are_sanitised_on_save(self):
        """Script and event handlers never survive a save, whatever the code path."""
        draft = make_draft(
            sections={
                SectionKind.FOCUS: '<p onclick="x()">Hi<script>alert(1)</script>'
                '<img src=x onerror=alert(1)><a href="javascript:alert(1)">link</a></p>'
            }
        )
        body = draft.sections.get().body
        for fragment in ("script", "onclick", "onerror", "javascript:", "<img"):
            self.assertNotIn(fragment, body)
        self.assertIn("Hi", body)

    def test_sections_follow_the_fixed_order(self):
        """Sections come out in the toolkit's order, whatever order they were added in."""
        draft = make_draft(
            sections={
                SectionKind.SUMMARY: "s",
                SectionKind.FOCUS: "f",
                SectionKind.EFFECT: "e",
            }
        )
        self.assertEqual(
            list(draft.sections.values_list("kind", flat=True)), ["focus", "effect", "summary"]
        )


class TaxonomyRegistryTests(TestCase):
    def test_registry_names_every_vocabulary_field(self):
        """TAXONOMY lists exactly the version's many-to-many fields to terms, each with
        its own model and distinct names, so nothing reads a vocabulary it does not know."""
        fields = {
            field.name: field.related_model
            for field in SummaryVersion._meta.many_to_many
            if issubclass(field.related_model, Term)
        }
        self.assertEqual({v.field: v.model for v in TAXONOMY}, fields)
        for attribute in ("param", "key", "label"):
            values = [getattr(vocabulary, attribute) for vocabulary in TAXONOMY]
            self.assertEqual(len(set(values)), len(values), attribute)

    def test_summary_page_shows_every_vocabulary_from_the_registry(self):
        """Each vocabulary's terms appear on the page under its label; linked ones link to
        the list filtered by the term."""
        live = make_live()
        for vocabulary in TAXONOMY:
            term = vocabulary.model.objects.create(
                name=f"{vocabulary.label} term", slug=f"{vocabulary.param}-term"
            )
            getattr(live, vocabulary.field).add(term)
        response = self.client.get(live.get_absolute_url())
        for vocabulary in TAXONOMY:
            with self.subTest(vocabulary=vocabulary.label):
                self.assertContains(response, f"<dt>{vocabulary.label}</dt>", html=True)
                link = f'href="/toolkit/?{vocabulary.param}={vocabulary.param}-term"'
                if vocabulary.linked:
                    self.assertContains(response, link)
                else:
                    self.assertContains(response, f"{vocabulary.label} term")
                    self.assertNotContains(response, link)


class KeyFigureConsistencyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.draft = make_complete_draft()

    def figure(self, comparison, treatment, relative):
        return KeyFigure(
            version=self.draft,
            outcome="Sexual reoffending",
            comparison_rate=None if comparison is None else Decimal(comparison),
            treatment_rate=None if treatment is None else Decimal(treatment),
            relative_change=None if relative is None else Decimal(relative),
        )

    def test_the_reviews_rounded_figures_pass(self):
        """The demo's 13.6% → 9.3%, stated by the review as −31.8%, is accepted."""
        self.figure("13.6", "9.3", "-31.8").full_clean()

    def test_a_changed_rate_with_the_old_change_is_refused_naming_the_values(self):
        """Treatment 9.2% with −31.8% left unchanged is refused with the sum and the range."""
        with self.assertRaises(ValidationError) as refused:
            self.figure("13.6", "9.2", "-31.8").full_clean()
        (message,) = refused.exception.message_dict["relative_change"]
        self.assertEqual(
            message,
            "The relative change (−31.8%) does not match the rates: (9.2 − 13.6) / 13.6 × 100 "
            "= −32.4%. Allowing for the rates and the change being rounded to one decimal "
            "(±0.05 each), it must be between −32.8% and −31.9%. Check the treatment rate, "
            "the comparison rate and the relative change against the review.",
        )

    def test_the_edges_of_the_range_are_accepted(self):
        """The bounds the message names are themselves accepted, and a step past them is not."""
        for relative in ("-32.8", "-31.9", "-32.4"):
            self.figure("13.6", "9.2", relative).full_clean()
        for relative in ("-32.9", "-31.8"):
            with self.assertRaises(ValidationError, msg=relative):
                self.figure("13.6", "9.2", relative).full_clean()

    def test_incomplete_figures_are_not_checked(self):
        """A figure without both rates or without a stated change saves as before."""
        self.figure("13.6", None, "-31.8").full_clean()
        self.figure("13.6", "9.2", None).full_clean()

    def test_a_change_from_a_zero_rate_is_refused(self):
        """A relative change from a comparison rate of 0 is refused, not divided by zero."""
        with self.assertRaisesMessage(ValidationError, "needs a comparison rate above 0"):
            self.figure("0", "5.0", "10.0").full_clean()

    def test_submitting_names_an_inconsistent_figure_saved_earlier(self):
        """A figure saved before the check existed stops the draft going to review."""
        self.figure("13.6", "9.2", "-31.8").save()
        problems = submit_problems(self.draft)
        self.assertIn("Key figure “Sexual reoffending”: The relative change (−31.8%)", problems[0])
