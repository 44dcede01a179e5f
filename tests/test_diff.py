"""Comparing versions: word-level marks, rows matched by their natural key."""

from django.test import SimpleTestCase, TestCase

from summaries.editorial.diff import compare_versions, diff_words, html_to_text
from summaries.editorial.services import draft_start_from
from summaries.models import (
    Dimension,
    Direction,
    ExternalLink,
    KeyFigure,
    Outcome,
    OutcomeResult,
    SectionKind,
    SummaryVersion,
    SystematicReview,
)
from tests.factories import level, make_live


class WordDiffTests(SimpleTestCase):
    def test_identical_text_has_no_marks(self):
        """Unchanged text comes back as it was, without <ins> or <del>."""
        html = diff_words("Lamps on every street.", "Lamps on every street.")
        self.assertEqual(html, "Lamps on every street.")

    def test_only_changed_words_are_marked(self):
        """One changed word is the only thing marked."""
        html = diff_words("Lamps on every street.", "Lamps on most streets.")
        self.assertEqual(html, "Lamps on <del>every street.</del> <ins>most streets.</ins>")

    def test_spacing_is_not_a_change(self):
        """Re-wrapping a paragraph does not mark anything."""
        self.assertNotIn("<", diff_words("a  b\tc", "a b c"))

    def test_markup_in_text_is_escaped(self):
        """Text that looks like markup is shown as text."""
        self.assertIn("&lt;script&gt;", diff_words("x", "<script>"))

    def test_rich_text_compares_words_not_tags(self):
        """Paragraphs become lines; tags are not words."""
        self.assertEqual(
            html_to_text("<p>One <b>two</b></p><ul><li>three</li></ul>"), "One two\nthree"
        )


class VersionDiffTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.old = make_live(sections={SectionKind.FOCUS: "<p>What it is.</p>"})
        KeyFigure.objects.create(
            version=cls.old, position=1, outcome="Reoffending", note="Arrest data"
        )
        KeyFigure.objects.create(version=cls.old, position=2, outcome="Arrests", note="B")
        ExternalLink.objects.create(version=cls.old, title="Guide", url="https://example.org/g")
        review = SystematicReview.objects.create(version=cls.old, label="Review one", studies=35)
        for position, (slug, name) in enumerate([("sexual", "Sexual"), ("violent", "Violent")]):
            outcome = Outcome.objects.create(slug=slug, name=name)
            result = OutcomeResult.objects.create(
                version=cls.old,
                outcome=outcome,
                position=position,
                direction=Direction.REDUCED,
                stated="statistically significant reductions",
                effect_rating=level(Dimension.EFFECT, "reduced"),
            )
            result.reviews.add(review)
        cls.new = draft_start_from(version=cls.old)

    def compare(self):
        pair = SummaryVersion.objects.for_page().in_bulk([self.old.pk, self.new.pk])
        groups = compare_versions(pair[self.old.pk], pair[self.new.pk])
        return {group.title: group for group in groups}

    def test_a_copy_has_no_changes(self):
        """A fresh draft compared with its source shows nothing as changed."""
        groups = self.compare()
        self.assertIn("Outcomes", groups)
        self.assertEqual([g.changed for g in groups.values()], [[]] * len(groups))

    def test_rows_are_matched_by_natural_key_not_position(self):
        """Reordering key figures is not a change; editing one marks only that one."""
        self.new.key_figures.filter(outcome="Reoffending").update(
            position=3, note="Arrest data revised"
        )
        changed = self.compare()["Key figures"].changed
        self.assertEqual([f.label for f in changed], ["Reoffending"])
        self.assertIn("<ins>revised</ins>", changed[0].html)

    def test_added_and_removed_rows(self):
        """A link added and a section removed show as added and removed."""
        ExternalLink.objects.create(version=self.new, title="New", url="https://example.org/n")
        self.new.sections.all().delete()
        groups = self.compare()
        self.assertEqual(
            [(f.label, f.status) for f in groups["Further reading"].changed], [("New", "added")]
        )
        self.assertEqual(
            [(f.label, f.status) for f in groups["Sections"].changed],
            [("Focus of the intervention", "removed")],
        )

    def test_formatting_only_change_is_named(self):
        """Making a word bold is reported as a formatting change, not a text change."""
        self.new.sections.update(body="<p>What it <strong>is</strong>.</p>")
        (field,) = self.compare()["Sections"].changed
        self.assertEqual(field.status, "formatting")
        self.assertNotIn("<ins>", field.html)

    def test_outcome_results_are_matched_by_outcome(self):
        """Reordering outcomes is not a change; a new rating marks only that outcome."""
        self.new.outcome_results.filter(outcome__slug="sexual").update(
            position=9, effect_rating=level(Dimension.EFFECT, "tended-to-reduce")
        )
        changed = self.compare()["Outcomes"].changed
        self.assertEqual([f.label for f in changed], ["Sexual"])
        self.assertIn("<ins>Tended to reduce", changed[0].html)

    def test_an_outcome_citing_another_review_is_a_change(self):
        """Citing a different review shows in the outcome's comparison."""
        other = SystematicReview.objects.create(version=self.new, label="Review two")
        self.new.outcome_results.get(outcome__slug="violent").reviews.set([other])
        (field,) = self.compare()["Outcomes"].changed
        self.assertEqual(field.label, "Violent")
        self.assertIn("<ins>two</ins>", field.html)
