"""Challenges to a rating (after CrimeSolutions' appeals): anyone may challenge a named
rating or outcome of a live summary, with their reasons and evidence; two reviewers who
neither wrote nor reviewed the version decide, by a target date.

received → acknowledged → under review (two reviewers) → upheld / partly upheld / not
upheld, with a written decision. Every step is written to the audit log by
``editorial/challenges.py``. The address is kept only until the decision is emailed: a
database constraint makes sure a decided challenge holds none.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .plain_text import validate_single_line
from .versions import Intervention, SummaryVersion

TEXT_MAX_LENGTH = 5000


class ChallengeStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNDER_REVIEW = "under_review", "Under review"
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


DECIDED = (ChallengeStatus.UPHELD, ChallengeStatus.PARTLY_UPHELD, ChallengeStatus.NOT_UPHELD)
OPEN = (ChallengeStatus.RECEIVED, ChallengeStatus.ACKNOWLEDGED, ChallengeStatus.UNDER_REVIEW)


class ChallengeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def decided(self):
        return self.filter(status__in=DECIDED)


class Challenge(models.Model):
    """A challenge to one rating or outcome of a published version."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name="summary",
    )
    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name="version",
        help_text="The version whose rating is challenged.",
    )
    rating = models.CharField(
        "rating challenged",
        max_length=140,
        help_text="Which rating or outcome: a dimension (effect, quality, ...) or "
        "'outcome:<slug>'.",
    )
    rating_label = models.CharField(
        "rating as shown",
        max_length=300,
        validators=[validate_single_line],
        help_text="The rating as the page showed it when the challenge was made.",
    )
    reasons = models.TextField(
        "reasons", validators=[MaxLengthValidator(TEXT_MAX_LENGTH)], help_text="As sent."
    )
    evidence = models.TextField(
        "evidence",
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text="The evidence the challenger points to, as sent.",
    )
    email = models.EmailField(
        "email address",
        blank=True,
        help_text="Where the decision is sent; deleted once it is.",
    )
    status = models.CharField(
        "status",
        max_length=20,
        choices=ChallengeStatus,
        default=ChallengeStatus.RECEIVED,
        db_index=True,
        help_text="Changed by the workflow's actions, never typed.",
    )
    received_at = models.DateTimeField("received", default=timezone.now, editable=False)
    target_on = models.DateField(
        "target date",
        help_text="The date by which it should be decided: the setting "
        "CHALLENGE_TARGET_DAYS (60 by default) after it was received.",
    )
    acknowledged_at = models.DateTimeField("acknowledged", null=True, blank=True)
    review_started_at = models.DateTimeField("review started", null=True, blank=True)
    reviewer_one = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="first reviewer",
    )
    reviewer_two = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="second reviewer",
    )
    decided_at = models.DateTimeField("decided", null=True, blank=True)
    decision = models.TextField(
        "decision",
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text="The written decision, emailed to the challenger.",
    )
    led_to_change = models.BooleanField(
        "led to a change",
        default=False,
        help_text="The summary was or will be changed because of it: noted in its public "
        "change log.",
    )
    change_log_note = models.CharField(
        "change log note",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="What the summary's public change log says of it, when it led to a change.",
    )

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = "challenge"
        ordering = ["target_on", "received_at", "id"]
        permissions = [("decide_challenge", "Can acknowledge, review and decide challenges")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChallengeStatus.values), name="challenge_status_known"
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="challenge_reasons_not_empty"),
            models.CheckConstraint(
                condition=~Q(status__in=OPEN) | ~Q(email=""),
                name="challenge_open_has_email",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN) | (Q(email="") & ~Q(decision="")),
                name="challenge_decided_has_decision_and_no_email",
            ),
            models.CheckConstraint(
                condition=Q(reviewer_one__isnull=True)
                | Q(reviewer_two__isnull=True)
                | ~Q(reviewer_one=F("reviewer_two")),
                name="challenge_two_different_reviewers",
            ),
            models.CheckConstraint(
                condition=~Q(status=ChallengeStatus.UNDER_REVIEW)
                | Q(reviewer_one__isnull=False, reviewer_two__isnull=False),
                name="challenge_under_review_has_two_reviewers",
            ),
            models.CheckConstraint(
                condition=~Q(led_to_change=True) | ~Q(change_log_note=""),
                name="challenge_change_has_note",
            ),
        ]

    def __str__(self):
        return f"Challenge {self.pk}: {self.rating_label}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.target_on < timezone.localdate()

    @property
    def decided_within_target(self) -> bool | None:
        if self.decided_at is None:
            return None
        return timezone.localdate(self.decided_at) <= self.target_on
