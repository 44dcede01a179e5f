"""What the public sends in: suggestions of what to assess, and problems reported with a
summary's page (the GOV.UK pattern). Both land in one private queue in the admin.

An email address is optional and only for a reply: it is kept until the item is closed
(accepted into the pipeline, merged with an entry, declined or dealt with), and a
database constraint makes sure a closed item holds none. ``manage.py subscriber_data``
exports or deletes what is held for an address, these included.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .pipeline import PipelineEntry
from .plain_text import validate_single_line
from .versions import Intervention, SummaryVersion

BODY_MAX_LENGTH = 2000


class SuggestionKind(models.TextChoices):
    SUGGESTION = "suggestion", "Suggestion to assess"
    PROBLEM = "problem", "Problem with a page"


class SuggestionStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted into the pipeline"
    MERGED = "merged", "Merged with a pipeline entry"
    DECLINED = "declined", "Declined"
    RESOLVED = "resolved", "Dealt with"


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SuggestionStatus.NEW)


class Suggestion(models.Model):
    """A suggestion from the public, or a problem reported with a summary's page."""

    kind = models.CharField(
        "kind",
        max_length=20,
        choices=SuggestionKind,
        editable=False,
        help_text="A suggestion of what to assess, or a problem with a page.",
    )
    subject = models.CharField(
        "what to assess",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="The intervention or review suggested (suggestions only).",
    )
    body = models.TextField(
        "message",
        validators=[MaxLengthValidator(BODY_MAX_LENGTH)],
        help_text="Why it should be assessed, or what is wrong with the page: as sent.",
    )
    evidence_url = models.URLField(
        "link to evidence",
        max_length=500,
        blank=True,
        help_text="A link the sender gave to the evidence (suggestions only).",
    )
    email = models.EmailField(
        "email address",
        blank=True,
        help_text="Only for a reply; deleted when the item is closed.",
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="summary",
        help_text="The summary whose page the problem is about.",
    )
    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="version",
        help_text="The version the sender was reading.",
    )
    status = models.CharField(
        "status",
        max_length=20,
        choices=SuggestionStatus,
        default=SuggestionStatus.NEW,
        db_index=True,
        help_text="Changed by the queue's actions: accept, merge, decline or dealt with.",
    )
    pipeline_entry = models.ForeignKey(
        PipelineEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name="pipeline entry",
        help_text="The entry it was accepted as or merged with.",
    )
    reply = models.TextField(
        "reply",
        blank=True,
        validators=[MaxLengthValidator(BODY_MAX_LENGTH)],
        help_text="What the team replied (emailed to the sender if they gave an address).",
    )
    received_at = models.DateTimeField("received", default=timezone.now, editable=False)
    closed_at = models.DateTimeField("closed", null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="closed by",
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = "suggestion or problem report"
        verbose_name_plural = "suggestions and problem reports"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SuggestionKind.values), name="suggestion_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_known"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="suggestion_body_not_empty"),
            # Personal data is kept only while the item is open.
            models.CheckConstraint(
                condition=Q(status=SuggestionStatus.NEW) | Q(email=""),
                name="suggestion_closed_holds_no_email",
            ),
            models.CheckConstraint(
                condition=Q(status=SuggestionStatus.NEW, closed_at__isnull=True)
                | (~Q(status=SuggestionStatus.NEW) & Q(closed_at__isnull=False)),
                name="suggestion_closed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind=SuggestionKind.SUGGESTION) | ~Q(subject=""),
                name="suggestion_has_subject",
            ),
        ]

    def __str__(self):
        if self.kind == SuggestionKind.PROBLEM:
            return f"Problem: {self.body[:60]}"
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == SuggestionStatus.NEW
