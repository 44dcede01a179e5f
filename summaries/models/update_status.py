"""Update status: whether a summary is still current (after Cochrane's classification).

Four statuses, seeded by migration ``0027``. They are rows, not choices, so the list's
facets, the map and the API treat them like any other term (slug, label, order); the
code names them only by slug (``UpdateStatus.UP_TO_DATE``...), for the figures of the
numbers page and the rule that a summary with no update planned says why. Their wording
is changed by a migration, like the scales' first seeding: no admin page edits them.
"""

from django.db import models
from django.db.models import Q

from .plain_text import validate_single_line


class UpdateStatus(models.Model):
    """One update status, e.g. "Up to date"."""

    UP_TO_DATE = "up-to-date"
    UPDATE_PENDING = "update-pending"
    UPDATE_IN_PROGRESS = "update-in-progress"
    NO_UPDATE_PLANNED = "no-update-planned"

    slug = models.SlugField(
        "slug", max_length=40, unique=True, help_text="Its value in addresses and data."
    )
    label = models.CharField(
        "label",
        max_length=60,
        validators=[validate_single_line],
        help_text="As readers see it, e.g. 'Up to date'.",
    )
    description = models.CharField(
        "meaning",
        max_length=300,
        validators=[validate_single_line],
        help_text="What it tells a reader about the summary.",
    )
    position = models.PositiveSmallIntegerField(
        "position", default=0, help_text="Order in lists and facets, first lowest."
    )

    class Meta:
        verbose_name = "update status"
        verbose_name_plural = "update statuses"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="updatestatus_slug_not_empty"),
        ]

    def __str__(self):
        return self.label


MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]
