"""Outcomes: what an intervention was measured against (sexual, violent, general
reoffending, ...), and a version's results per outcome.

``Outcome`` is a vocabulary an administrator keeps, grouped by problem. It is not a tag
of a version (not in ``TAXONOMY``): a version holds ``OutcomeResult`` rows, one per
outcome, each with its own effect and quality rating and what the text states about the
direction and size of the effect. Where the text gives no number, the number fields stay
empty and ``stated`` quotes what it does say; nothing is ever derived or invented.

``OutcomeResult`` is a child row of the version (``on_delete=CASCADE``), so
``editorial/copying.py`` copies it with the version, its ``reviews`` pointing at the
copied reviews.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from .content import SystematicReview
from .plain_text import validate_single_line
from .scales import Dimension, ScaleLevel
from .versions import SummaryVersion
from .vocabularies import Problem


class Outcome(models.Model):
    """Something an intervention's effect is measured on, e.g. 'Sexual reoffending'."""

    name = models.CharField(
        "name",
        max_length=120,
        unique=True,
        validators=[validate_single_line],
        help_text="The outcome as the public sees it.",
    )
    slug = models.SlugField(
        "slug",
        max_length=120,
        unique=True,
        help_text="Used in the evidence map's addresses and downloads; lower case letters, "
        "digits and hyphens.",
    )
    description = models.TextField(
        "description", blank=True, help_text="Optional: how the outcome is measured, for editors."
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order of the evidence map's columns; lower comes first."
    )
    frequency_phrase = models.CharField(
        "what happened, in natural frequencies",
        max_length=120,
        blank=True,
        validators=[validate_single_line],
        help_text="How a sentence says that a person had this outcome, in the past tense, "
        "e.g. 'reoffended sexually' for 'of 100 people like those studied, about 14 "
        "reoffended sexually without the intervention'. Empty: the outcome is named.",
    )
    problems = models.ManyToManyField(
        Problem,
        blank=True,
        related_name="outcomes",
        verbose_name="problems",
        help_text="The problems (crime types) this outcome belongs to; groups the map's columns.",
    )

    class Meta:
        verbose_name = "outcome"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def event_phrase(self) -> str:
        """What happened to someone counted under this outcome, for "about 14 ... without
        the intervention": the editors' phrase, or a plain one naming the outcome."""
        return self.frequency_phrase or plain_event_phrase(self.name)


def plain_event_phrase(outcome_name: str) -> str:
    """The natural-frequency phrase of an outcome nobody has worded: it names it."""
    return f"were counted under “{outcome_name.lower()}”"


class Direction(models.TextChoices):
    """Which way the text says the outcome moved."""

    REDUCED = "reduced", "Reduced"
    INCREASED = "increased", "Increased"
    NO_CLEAR_EFFECT = "no_clear_effect", "No clear effect"
    MIXED = "mixed", "Mixed"


class EffectSizeKind(models.TextChoices):
    ODDS_RATIO = "odds_ratio", "Odds ratio"
    RISK_RATIO = "risk_ratio", "Risk ratio"
    HAZARD_RATIO = "hazard_ratio", "Hazard ratio"
    STANDARDISED_MEAN_DIFFERENCE = "smd", "Standardised mean difference"
    CORRELATION = "correlation", "Correlation (r)"


def _rate_field(verbose_name: str, help_text: str):
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=help_text,
    )


def _effect_size_field(verbose_name: str, help_text: str):
    return models.DecimalField(
        verbose_name, max_digits=8, decimal_places=3, null=True, blank=True, help_text=help_text
    )


class OutcomeResult(models.Model):
    """What a version's evidence says about one outcome: ratings, direction and size, and
    the reviews it comes from. Empty number fields mean the text gives no such number."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.CASCADE,
        related_name="outcome_results",
        verbose_name="version",
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name="outcome",
        help_text="What was measured. Each outcome at most once per version.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order on the page; lower numbers come first."
    )
    effect_rating = models.ForeignKey(
        ScaleLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"scale__dimension": Dimension.EFFECT},
        verbose_name="effect rating",
        help_text="The effect on this outcome, on the effect scale.",
    )
    quality_rating = models.ForeignKey(
        ScaleLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"scale__dimension": Dimension.QUALITY},
        verbose_name="quality rating",
        help_text="How strong the evidence for this outcome is.",
    )
    certainty = models.ForeignKey(
        ScaleLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"scale__dimension": Dimension.CERTAINTY},
        verbose_name="certainty of the evidence",
        help_text="How sure we can be of the effect on this outcome (high, moderate, low, "
        "very low). Give the reasons it was rated down on the result's own page.",
    )
    direction = models.CharField(
        "direction",
        max_length=20,
        choices=Direction,
        help_text="Which way the text says the outcome moved.",
    )
    stated = models.TextField(
        "as stated",
        help_text="What the text says about this outcome, quoted, e.g. 'statistically "
        "significant reductions in general and violent reoffending'.",
    )
    comparison_rate = _rate_field(
        "comparison rate (%)", "Rate without the intervention, only if the text gives it."
    )
    treatment_rate = _rate_field(
        "treatment rate (%)", "Rate with the intervention, only if the text gives it."
    )
    relative_change = models.DecimalField(
        "relative change (%)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="As the text states it; negative for a reduction, e.g. -31.8.",
    )
    percentage_points = models.DecimalField(
        "change in percentage points",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="As the text states it; negative for a reduction, e.g. -4.3.",
    )
    effect_size_kind = models.CharField(
        "effect size",
        max_length=20,
        choices=EffectSizeKind,
        blank=True,
        help_text="The kind of effect size, only if the text gives one.",
    )
    effect_size = _effect_size_field("effect size value", "As the text states it.")
    interval_low = _effect_size_field("interval low", "Lower end of its confidence interval.")
    interval_high = _effect_size_field("interval high", "Upper end of its confidence interval.")
    reviews = models.ManyToManyField(
        SystematicReview,
        blank=True,
        related_name="outcome_results",
        verbose_name="reviews",
        help_text="The review or reviews of this version the result comes from. A review "
        "added in this save can be chosen after saving.",
    )
    note = models.CharField(
        "note",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="How it was measured, e.g. 'arrest, charge or conviction'.",
    )

    class Meta:
        verbose_name = "outcome result"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "outcome"], name="outcomeresult_unique_outcome"
            ),
            models.CheckConstraint(
                condition=(Q(comparison_rate__isnull=True) | Q(comparison_rate__gte=0))
                & (Q(comparison_rate__isnull=True) | Q(comparison_rate__lte=100))
                & (Q(treatment_rate__isnull=True) | Q(treatment_rate__gte=0))
                & (Q(treatment_rate__isnull=True) | Q(treatment_rate__lte=100)),
                name="outcomeresult_rates_are_percentages",
                violation_error_message="Rates are percentages between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=Q(interval_low__isnull=True)
                | Q(interval_high__isnull=True)
                | Q(interval_low__lte=F("interval_high")),
                name="outcomeresult_interval_ordered",
                violation_error_message="The interval's low end cannot be above its high end.",
            ),
            models.CheckConstraint(
                condition=Q(effect_size__isnull=True) | ~Q(effect_size_kind=""),
                name="outcomeresult_effect_size_has_kind",
                violation_error_message="Say what kind of effect size the value is.",
            ),
        ]

    def __str__(self):
        return str(self.outcome)

    @property
    def anchor(self) -> str:
        """The id of this outcome's row on the summary page (the evidence map links it)."""
        return f"outcome-{self.outcome.slug}"

    @property
    def studies(self) -> int | None:
        """The most studies of any of its reviews (reviews may share studies, so never a
        sum); None when no review says."""
        counts = [r.studies for r in self.reviews.all() if r.studies is not None]
        return max(counts) if counts else None

    def clean(self):
        errors = {}
        if (self.interval_low is not None or self.interval_high is not None) and (
            self.effect_size is None
        ):
            errors["effect_size"] = "An interval needs the effect size it belongs to."
        if self.certainty is not None and self.certainty.scale.dimension != Dimension.CERTAINTY:
            errors["certainty"] = "Choose a level of the certainty scale."
        if errors:
            raise ValidationError(errors)

    @property
    def rates_given(self) -> bool:
        return self.comparison_rate is not None and self.treatment_rate is not None

    @property
    def has_number(self) -> bool:
        """Whether the text gives any number for this outcome."""
        return any(
            value is not None
            for value in (
                self.comparison_rate,
                self.treatment_rate,
                self.relative_change,
                self.percentage_points,
                self.effect_size,
            )
        )
