"""Rating scales: one scale per rated dimension (EMMIE and the quality of evidence, and
the certainty of each outcome's evidence), each with its ordered levels. Seeded by
migrations ``0002`` and ``0023``; ordinary data afterwards."""

from django.db import models
from django.urls import reverse

from .plain_text import validate_single_line


class Dimension(models.TextChoices):
    """The things a summary is rated on: EMMIE and the quality of the evidence."""

    EFFECT = "effect", "Effect"
    QUALITY = "quality", "Quality of evidence"
    MECHANISM = "mechanism", "Mechanism"
    MODERATORS = "moderators", "Moderators"
    IMPLEMENTATION = "implementation", "Implementation"
    ECONOMIC_COST = "economic-cost", "Economic cost"
    # Not a rating of the version: each outcome result's certainty (GRADE's levels,
    # seeded by migration 0023), so it is not in ``RATING_FIELDS``.
    CERTAINTY = "certainty", "Certainty of the evidence"
    # Not a rating of the evidence either: what the intervention costs, in bands of pounds
    # per participant (EIF-style, seeded by migration 0024): ``SummaryVersion.cost_band``.
    COST_BAND = "cost-band", "Cost band"


class Scale(models.Model):
    """A rating scale, e.g. the eight-level effect scale. One scale per dimension."""

    dimension = models.CharField(
        "dimension",
        max_length=20,
        choices=Dimension,
        unique=True,
        help_text="What this scale rates. Each dimension has exactly one scale.",
    )
    name = models.CharField(
        "name",
        max_length=120,
        validators=[validate_single_line],
        help_text="The scale's name as shown to the public.",
    )
    question = models.CharField(
        "question",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="The question the rating answers, e.g. 'How effective is it?'.",
    )
    description = models.TextField(
        "description", blank=True, help_text="How to read the scale, shown on its explainer page."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("summaries:scale", kwargs={"dimension": self.dimension})


class ScaleLevel(models.Model):
    """One level of a scale, e.g. 'Reduced crime'."""

    scale = models.ForeignKey(
        Scale, on_delete=models.CASCADE, related_name="levels", verbose_name="scale"
    )
    position = models.PositiveSmallIntegerField(
        "position", help_text="Order within the scale; 1 is the top of the scale."
    )
    slug = models.SlugField(
        "slug", max_length=60, help_text="Stable identifier used in filter links."
    )
    label = models.CharField(
        "label",
        max_length=120,
        validators=[validate_single_line],
        help_text="The rating in words, as shown to the public.",
    )
    description = models.TextField(
        "meaning", help_text="A short, plain-English meaning of this level."
    )
    icon = models.CharField(
        "icon",
        max_length=40,
        blank=True,
        validators=[validate_single_line],
        help_text="Optional name of an icon shown beside the words (never instead of them).",
    )

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "position"], name="scalelevel_unique_position"
            ),
            models.UniqueConstraint(fields=["scale", "slug"], name="scalelevel_unique_slug"),
        ]

    def __str__(self):
        return f"{self.scale.get_dimension_display()}: {self.label}"
