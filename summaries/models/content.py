"""The child rows of a version: its nine sections, the systematic reviews behind it (with
their breakdowns), key figures, related summaries and links.

Every row belongs to one version (a foreign key with ``on_delete=CASCADE``) and is copied
with it when a new draft starts (``editorial/copying.py`` reads the fields from ``_meta``,
so a field added here is copied without further work).
"""

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django_prose_editor.fields import ProseEditorField

from ..sanitize import RICH_TEXT_EXTENSIONS, sanitize_html
from .plain_text import validate_single_line
from .versions import Intervention, SummaryVersion


class SectionKind(models.TextChoices):
    """The nine evidence sections, in the order every summary shows them."""

    FOCUS = "focus", "Focus of the intervention"
    EFFECT = "effect", "Effect – how effective is it?"
    EVIDENCE = "evidence", "How strong is the evidence?"
    MECHANISM = "mechanism", "Mechanism – how does it work?"
    MODERATORS = "moderators", "Moderators – in which contexts does it work best?"
    IMPLEMENTATION = (
        "implementation",
        "Implementation – what can be said about implementing this initiative?",
    )
    ECONOMIC = "economic", "Economic considerations – how much might it cost?"
    GENERAL = "general", "General considerations"
    SUMMARY = "summary", "Summary"


# A section's heading is its kind's label (get_kind_display() builds the choices each call).
_SECTION_HEADINGS = dict(SectionKind.choices)

SECTION_ORDER = {kind: index for index, kind in enumerate(SectionKind.values, start=1)}


class Section(models.Model):
    """One evidence section of a version, as sanitised rich text."""

    version = models.ForeignKey(
        SummaryVersion, on_delete=models.CASCADE, related_name="sections", verbose_name="version"
    )
    kind = models.CharField(
        "section",
        max_length=20,
        choices=SectionKind,
        help_text="Which of the nine fixed sections this is; the heading comes from it.",
    )
    position = models.PositiveSmallIntegerField(editable=False, default=0)
    body = ProseEditorField(
        "text",
        blank=True,
        extensions=RICH_TEXT_EXTENSIONS,
        sanitize=True,
        help_text="Paragraphs, lists, links, bold and italic. Anything else is removed on save.",
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="section_unique_kind"),
        ]

    def __str__(self):
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        # Sanitise on every save, not only through forms: the importer, the demo loader
        # and any future code path all end here.
        self.body = sanitize_html(self.body)
        self.position = SECTION_ORDER.get(self.kind, 0)
        super().save(*args, **kwargs)

    @property
    def heading(self) -> str:
        return _SECTION_HEADINGS.get(self.kind, self.kind)

    @property
    def anchor(self) -> str:
        return f"section-{self.kind}"


class SystematicReview(models.Model):
    """A systematic review (or meta-analysis) the summary rests on."""

    version = models.ForeignKey(
        SummaryVersion, on_delete=models.CASCADE, related_name="reviews", verbose_name="version"
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; 1 first."
    )
    label = models.CharField(
        "label",
        max_length=60,
        validators=[validate_single_line],
        help_text="How the text refers to it, e.g. 'Review one'.",
    )
    citation = models.TextField(
        "citation", blank=True, help_text="Full reference: authors, year, title, journal."
    )
    url = models.URLField("link", blank=True, max_length=500, help_text="DOI or publisher link.")
    studies = models.PositiveIntegerField(
        "studies", null=True, blank=True, help_text="Number of primary studies included."
    )
    tests = models.PositiveIntegerField(
        "tests", null=True, blank=True, help_text="Number of tests of the intervention."
    )
    published_up_to = models.PositiveSmallIntegerField(
        "studies published up to",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text="Year of the latest study included (the search cut-off).",
    )
    rcts = models.PositiveIntegerField(
        "randomised controlled trials",
        null=True,
        blank=True,
        help_text="How many of the studies were RCTs.",
    )
    conflict_of_interest_studies = models.PositiveIntegerField(
        "studies with author conflict of interest",
        null=True,
        blank=True,
        help_text="Studies whose authors were affiliated with the programme evaluated.",
    )

    class Meta:
        verbose_name = "systematic review"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="review_unique_label"),
            models.CheckConstraint(
                condition=Q(rcts__isnull=True)
                | Q(studies__isnull=True)
                | Q(rcts__lte=F("studies")),
                name="review_rcts_within_studies",
                violation_error_message="There cannot be more RCTs than studies.",
            ),
            models.CheckConstraint(
                condition=Q(conflict_of_interest_studies__isnull=True)
                | Q(studies__isnull=True)
                | Q(conflict_of_interest_studies__lte=F("studies")),
                name="review_coi_within_studies",
                violation_error_message="There cannot be more studies with a conflict of "
                "interest than studies.",
            ),
        ]

    def __str__(self):
        return self.label


class BreakdownKind(models.TextChoices):
    APPROACH = "approach", "By approach"
    COUNTRY = "country", "By country"


class CountUnit(models.TextChoices):
    STUDIES = "studies", "studies"
    TESTS = "tests", "tests"


class ReviewBreakdown(models.Model):
    """One row of a review's breakdown, e.g. 'CBT: 20 studies' or 'Canada: 13 tests'."""

    review = models.ForeignKey(
        SystematicReview,
        on_delete=models.CASCADE,
        related_name="breakdowns",
        verbose_name="review",
    )
    kind = models.CharField(
        "breakdown", max_length=20, choices=BreakdownKind, help_text="What is counted."
    )
    label = models.CharField(
        "label",
        max_length=120,
        validators=[validate_single_line],
        help_text="The approach or country, e.g. 'CBT' or 'Canada'.",
    )
    count = models.PositiveIntegerField("count", help_text="How many studies or tests.")
    unit = models.CharField(
        "unit",
        max_length=10,
        choices=CountUnit,
        default=CountUnit.STUDIES,
        help_text="Whether the count is of studies or of tests.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order within the breakdown."
    )

    class Meta:
        verbose_name = "review breakdown"
        ordering = ["review", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "label"], name="breakdown_unique_label"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.count} {self.unit}"


# Rates and the relative change are stated to one decimal, so each may be off by up to
# half of that from the figures the review computed with.
ROUNDING = Decimal("0.05")
ONE_DECIMAL = Decimal("0.1")


def relative_change_bounds(comparison: Decimal, treatment: Decimal) -> tuple[Decimal, Decimal]:
    """The relative changes (%) consistent with two rates stated to one decimal.

    The centre is (treatment − comparison) / comparison × 100. Around it we allow for the
    three roundings (each rate and the stated change, ±0.05 each) combined as independent
    errors (root sum of squares), and round the bounds outwards to one decimal; the check
    and the message use the same bounds.

    Why not the worst case (every rounding at its limit at once)? For the demo's 13.6% and
    9.3% it allows −32.2% to −31.0%, and for 13.6% and 9.2% −33.0% to −31.7%: it accepts
    −31.8% with either treatment rate, so it cannot catch the edit that made a page
    contradict itself (9.3 → 9.2 with −31.8% left as it was). Here 9.3% allows −32.1% to
    −31.1% and 9.2% allows −32.8% to −31.9%.
    """
    c, t = float(comparison), float(treatment)
    centre = (t - c) / c * 100
    rounding = float(ROUNDING)
    tolerance = math.hypot(rounding / c * 100, rounding * t / c**2 * 100, rounding)
    low = Decimal(f"{centre - tolerance:.6f}").quantize(ONE_DECIMAL, rounding=ROUND_FLOOR)
    high = Decimal(f"{centre + tolerance:.6f}").quantize(ONE_DECIMAL, rounding=ROUND_CEILING)
    return low, high


def _signed(value: Decimal) -> str:
    """−31.8 with a real minus sign, +4.0 with a plus: how the page writes changes."""
    return f"{value:+}".replace("-", "−")


class KeyFigure(models.Model):
    """A headline result as data, e.g. sexual reoffending 13.6% → 9.3%, a 31.8% reduction."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="key_figures",
        verbose_name="version",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; lower numbers come first."
    )
    outcome = models.CharField(
        "outcome",
        max_length=120,
        validators=[validate_single_line],
        help_text="What was measured, e.g. 'Sexual reoffending'.",
    )
    comparison_rate = models.DecimalField(
        "comparison rate (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Rate without the intervention, as a percentage, e.g. 13.6.",
    )
    treatment_rate = models.DecimalField(
        "treatment rate (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Rate with the intervention, as a percentage, e.g. 9.3.",
    )
    relative_change = models.DecimalField(
        "relative change (%)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="As the review states it; negative for a reduction, e.g. -31.8.",
    )
    note = models.CharField(
        "note",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="How it was measured, e.g. 'arrest, charge or conviction; Review one'.",
    )

    class Meta:
        verbose_name = "key figure"
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(comparison_rate__isnull=True) | Q(comparison_rate__gte=0))
                & (Q(comparison_rate__isnull=True) | Q(comparison_rate__lte=100))
                & (Q(treatment_rate__isnull=True) | Q(treatment_rate__gte=0))
                & (Q(treatment_rate__isnull=True) | Q(treatment_rate__lte=100)),
                name="keyfigure_rates_are_percentages",
                violation_error_message="Rates are percentages between 0 and 100.",
            ),
        ]

    def __str__(self):
        return self.outcome

    def clean(self):
        super().clean()
        if problem := self.inconsistency():
            raise ValidationError({"relative_change": problem}, code="inconsistent")

    def inconsistency(self) -> str:
        """Why the stated relative change contradicts the two rates ("" if it does not)."""
        c, t, stated = self.comparison_rate, self.treatment_rate, self.relative_change
        if c is None or t is None or stated is None:
            return ""
        if not (0 <= c <= 100 and 0 <= t <= 100):
            return ""  # not percentages: the fields' own validation says so
        if c == 0:
            return (
                f"A relative change ({_signed(stated)}%) needs a comparison rate above 0; "
                "leave it empty or correct the comparison rate."
            )
        low, high = relative_change_bounds(c, t)
        if low <= stated <= high:
            return ""
        computed = ((t - c) / c * 100).quantize(ONE_DECIMAL)
        return (
            f"The relative change ({_signed(stated)}%) does not match the rates: "
            f"({t} − {c}) / {c} × 100 = {_signed(computed)}%. Allowing for the rates and "
            f"the change being rounded to one decimal (±0.05 each), it must be between "
            f"{_signed(low)}% and {_signed(high)}%. Check the treatment rate, the "
            "comparison rate and the relative change against the review."
        )

    @property
    def absolute_change(self):
        """Difference in percentage points (treatment minus comparison), or None."""
        if self.comparison_rate is None or self.treatment_rate is None:
            return None
        return self.treatment_rate - self.comparison_rate


class RelatedSummary(models.Model):
    """'See also': another summary of the toolkit, shown only while it is live."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="related_summaries",
        verbose_name="version",
    )
    target = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="related intervention",
        help_text="Another summary readers of this one should see.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order on the page; lower numbers come first."
    )

    class Meta:
        verbose_name = "related summary"
        verbose_name_plural = "related summaries"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "target"], name="related_unique_target"),
        ]

    def __str__(self):
        return str(self.target)

    def clean(self):
        if self.version_id and self.target_id and self.version.intervention_id == self.target_id:
            raise ValidationError({"target": "A summary cannot be related to itself."})


class ExternalLink(models.Model):
    """A link to further reading outside the toolkit."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="external_links",
        verbose_name="version",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order on the page; lower numbers come first."
    )
    title = models.CharField(
        "title", max_length=200, validators=[validate_single_line], help_text="The link text."
    )
    url = models.URLField("address", max_length=500, help_text="Full address, https://...")
    description = models.CharField(
        "description",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="Optional: why it is worth reading.",
    )

    class Meta:
        verbose_name = "external link"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "url"], name="externallink_unique_url"),
        ]

    def __str__(self):
        return self.title
