"""The summary page's article (``summaries/summary_body.html``, built by
``public/pages.py``) and the ``excerpt`` filter: what editors type is text, never markup."""

from django.template.defaultfilters import truncatechars
from django.test import TestCase

from summaries.models import (
    BreakdownKind,
    Dimension,
    Scale,
    SystematicReview,
)
from summaries.models.content import ReviewBreakdown
from summaries.models.outcomes import Direction, Outcome, OutcomeResult
from summaries.public import pages
from summaries.templatetags.toolkit import excerpt

from .factories import level, make_draft
from .helpers import HTMLElements

# Short enough for every field it is typed into (a review's label holds 60 characters).
HOSTILE = '<script>alert(1)</script><img src=x><b>b</b>"q"'


def elements(html: str) -> set[str]:
    parser = HTMLElements()
    parser.feed(html)
    return set(parser.tags)


def part(html: str, start: str, end: str) -> str:
    """The markup from ``start`` (included) to the first ``end`` after it (included)."""
    begin = html.index(start)
    return html[begin : html.index(end, begin) + len(end)]


def body(version) -> str:
    version = type(version).objects.for_page().get(pk=version.pk)
    return pages.preview_page(version).body


class BodyEscapingTests(TestCase):
    """Every value an editor typed comes out as text."""

    @classmethod
    def setUpTestData(cls):
        cls.version = make_draft("fragment-escaping")
        cls.review = SystematicReview.objects.create(
            version=cls.version,
            label=HOSTILE,
            citation=HOSTILE,
            url="https://example.org/?a=1&b=2",
            studies=12,
        )
        ReviewBreakdown.objects.create(
            review=cls.review, kind=BreakdownKind.values[0], label=HOSTILE, count=3
        )
        outcome = Outcome.objects.create(name=HOSTILE, slug="hostile-outcome")
        cls.result = OutcomeResult.objects.create(
            version=cls.version,
            outcome=outcome,
            direction=Direction.values[0],
            stated=HOSTILE,
            note=HOSTILE,
        )
        cls.result.reviews.add(cls.review)

    def assertOnlyText(self, html, allowed):
        self.assertNotIn("<script", html)
        self.assertEqual(elements(html) - set(allowed), set())
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)

    def test_a_review_and_its_breakdowns(self):
        """A review's label, citation and breakdown rows are escaped."""
        html = part(body(self.version), '<section class="review"', "</section>")
        self.assertOnlyText(
            html,
            {"section", "h3", "p", "a", "dl", "div", "dt", "dd", "table", "caption", "thead"}
            | {"tr", "th", "tbody", "td", "svg", "title", "text", "rect", "defs", "pattern"}
            | {"line"},
        )
        self.assertIn('href="https://example.org/?a=1&amp;b=2"', html)
        self.assertIn("<dt>Studies</dt><dd>12</dd>", html)

    def test_an_outcome_row(self):
        """An outcome's name, the text's words and the note are escaped."""
        html = part(body(self.version), "<tbody>", "</tbody>")
        self.assertOnlyText(html, {"tbody", "tr", "th", "td", "br", "span", "p", "blockquote"})
        self.assertIn("The text gives no figure for this outcome.", html)
        self.assertIn("(12 studies)", html)

    def test_ratings_name_their_scale(self):
        """A rating says its level and meaning; a scale's name typed in the admin is text."""
        Scale.objects.filter(dimension=Dimension.EFFECT).update(name=HOSTILE)
        self.version.effect_rating = level(Dimension.EFFECT, "reduced")
        self.version.save()
        self.version.refresh_from_db()
        html = part(body(self.version), '<dl class="ratings">', "</dl>")
        self.assertOnlyText(html, {"dl", "div", "dt", "dd", "strong", "span", "a"})
        self.assertEqual(html.count('<div class="rating">'), 6)
        self.assertIn("The summary gives no rating for this yet.", html)
        self.assertIn('href="/toolkit/scales/effect/"', html)


class ExcerptTests(TestCase):
    """``excerpt`` gives what ``truncatechars`` gives."""

    def test_the_same_as_truncatechars(self):
        """Short, long, exactly at the limit, and text with combining accents."""
        for text in ("Short.", "x" * 300, "x" * 301, "A long one. " * 40, "Cafe\u0301 " * 80):
            with self.subTest(text=text[:20]):
                self.assertEqual(excerpt(text, 300), truncatechars(text, 300))

    def test_text_that_fits_is_kept_whole(self):
        """A standfirst under the limit comes back unchanged."""
        self.assertEqual(excerpt("A one-sentence standfirst.", 300), "A one-sentence standfirst.")
        self.assertTrue(excerpt("x" * 400, 300).endswith("…"))
