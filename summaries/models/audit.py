"""The audit log: who did what to which version, when and why. Append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .versions import Intervention, State, SummaryVersion


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    START_DRAFT = "start_draft", "Started a new draft"
    RESTORE = "restore", "Restored as a new draft"
    SUBMIT = "submit", "Submitted for review"
    REQUEST_CHANGES = "request_changes", "Requested changes"
    SCHEDULE = "schedule", "Scheduled publication"
    UNSCHEDULE = "unschedule", "Cancelled scheduled publication"
    PUBLISH = "publish", "Published"
    SUPERSEDE = "supersede", "Superseded"
    WITHDRAW = "withdraw", "Withdrew"
    ARCHIVE = "archive", "Archived"
    RENAME = "rename", "Changed the address"
    COMMENT = "comment", "Commented"
    RESOLVE_COMMENT = "resolve_comment", "Resolved a comment"
    ASSIGN_REVIEW = "assign_review", "Assigned the review"
    CHALLENGE_RECEIVED = "challenge_received", "Challenge received"
    CHALLENGE_ACKNOWLEDGED = "challenge_ack", "Acknowledged a challenge"
    CHALLENGE_REVIEW = "challenge_review", "Sent a challenge to two reviewers"
    CHALLENGE_DECIDED = "challenge_decided", "Decided a challenge"
    EXTERNAL_LINK_MADE = "external_made", "Sent an external review link"
    EXTERNAL_LINK_OPENED = "external_opened", "External reviewer opened the link"
    EXTERNAL_LINK_REVOKED = "external_revoked", "Withdrew an external review link"
    EXTERNAL_LINK_REFUSED = "external_refused", "Expired or withdrawn link opened"


class AuditEventQuerySet(models.QuerySet):
    # Bulk writes would bypass the model's own guard below.
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One transition or publication: who did what to which version, when, and why.

    Append-only: rows are written by the services in the same transaction as the change
    they record, and never changed or deleted (the model refuses; the admin offers neither).
    """

    at = models.DateTimeField("at", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="by",
        help_text="Empty for the system (a scheduled publication or a command).",
    )
    action = models.CharField("action", max_length=20, choices=AuditAction)
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name="intervention",
    )
    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name="version",
    )
    from_state = models.CharField("from", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("to", max_length=20, choices=State.choices, blank=True)
    comment = models.TextField("comment", blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "audit event"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["intervention", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} v{self.version.number} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")
