"""How sure the evidence on each outcome is, and why: GRADE's summary-of-findings idea.

Each ``OutcomeResult`` carries a certainty (a level of the certainty scale, seeded with
GRADE's four: high, moderate, low, very low) and any number of ``DowngradeReason`` rows,
each naming a ``CertaintyDomain`` (seeded with GRADE's five: risk of bias,
inconsistency, indirectness, imprecision, publication bias), how serious it is and a
short explanation, in the text's own words where it gives them.

Levels and domains are data an administrator edits (migration ``0023`` seeds them), so a
toolkit with another framework can relabel them. A reason is a child row of its result
(``on_delete=CASCADE``), so ``editorial/copying.py`` copies it with the version.
"""

from django.db import models
from django.db.models import Q

from .outcomes import OutcomeResult
from .plain_text import validate_single_line


class CertaintyDomain(models.Model):
    """A reason the certainty of evidence can be rated down for, e.g. 'Risk of bias'."""

    slug = models.SlugField(
        "slug",
        max_length=60,
        unique=True,
        help_text="Stable identifier used in the data downloads and the API.",
    )
    name = models.CharField(
        "name",
        max_length=120,
        unique=True,
        validators=[validate_single_line],
        help_text="The domain as the public sees it, e.g. 'Risk of bias'.",
    )
    description = models.TextField(
        "meaning",
        help_text="A short, plain-English meaning, shown beside each reason in this domain.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order of the domains; lower comes first."
    )

    class Meta:
        verbose_name = "certainty domain"
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="certaintydomain_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class Severity(models.TextChoices):
    """How far a reason rates the certainty down: one level or two."""

    SERIOUS = "serious", "Serious"
    VERY_SERIOUS = "very_serious", "Very serious"


class DowngradeReason(models.Model):
    """Why the certainty of one outcome's evidence was rated down, in one domain."""

    result = models.ForeignKey(
        OutcomeResult,
        on_delete=models.CASCADE,
        related_name="downgrade_reasons",
        verbose_name="outcome result",
    )
    domain = models.ForeignKey(
        CertaintyDomain,
        on_delete=models.PROTECT,
        related_name="reasons",
        verbose_name="domain",
        help_text="What kind of concern it is, e.g. risk of bias or imprecision.",
    )
    severity = models.CharField(
        "severity",
        max_length=20,
        choices=Severity,
        default=Severity.SERIOUS,
        help_text="Serious: rated down one level; very serious: two.",
    )
    explanation = models.CharField(
        "explanation",
        max_length=300,
        validators=[validate_single_line],
        help_text="The concern in a sentence, in the text's own words where it gives them, "
        "e.g. 'only seven studies were randomised controlled trials (RCTs)'.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=1, help_text="Order under the outcome; lower numbers come first."
    )

    class Meta:
        verbose_name = "reason for rating down"
        verbose_name_plural = "reasons for rating down"
        ordering = ["result", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values),
                name="downgradereason_severity_known",
                violation_error_message="Choose serious or very serious.",
            ),
            models.CheckConstraint(
                condition=~Q(explanation=""),
                name="downgradereason_explained",
                violation_error_message="Say what the concern is.",
            ),
        ]

    def __str__(self):
        return f"{self.domain}: {self.explanation}"
