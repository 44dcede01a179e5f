"""A review link for one named person without an account: an academic asked to read a
draft before it is published.

The link's address carries a token; the row keeps only what cannot rebuild it without
the site's secret key (``nonce``) and a SHA-256 digest of it to find the row by
(``token_digest``), so neither the table nor a backup of it holds a working link
(``editorial/external_reviews.py`` explains). Rows are never deleted: the audit log
and the comments made through a link point at it. The address is: housekeeping empties
it ``EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS`` after the link stopped working, and
``manage.py subscriber_data delete`` at once (withdrawing the link).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .plain_text import validate_single_line
from .versions import SummaryVersion

EXTERNAL_NAME_MAX_LENGTH = 200


class ExternalReviewQuerySet(models.QuerySet):
    def usable(self):
        """Links that still open: not withdrawn, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ExternalReview(models.Model):
    """A time-limited link that shows one version, as the public would see it, to one
    named person, who may comment on it."""

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="external_reviews",
        verbose_name="version",
        help_text="The version the link shows.",
    )
    name = models.CharField(
        "name",
        max_length=EXTERNAL_NAME_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="The person the link is for, as their comments will be signed.",
    )
    email = models.EmailField(
        "email address",
        blank=True,
        help_text="Where the link, and replies to their comments, are sent. Deleted "
        "EXTERNAL_REVIEW_ADDRESS_KEEP_DAYS (30) days after the link stops working.",
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="made by",
        help_text="The reviewer who asked for this review.",
    )
    made_at = models.DateTimeField("made", default=timezone.now)
    expires_at = models.DateTimeField(
        "expires", help_text="After this the link shows only that it has expired."
    )
    revoked_at = models.DateTimeField(
        "withdrawn", null=True, blank=True, help_text="Set when a reviewer withdraws the link."
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="withdrawn by",
        help_text="The reviewer who withdrew the link.",
    )
    nonce = models.CharField(
        "key",
        max_length=64,
        editable=False,
        help_text="Random; with the site's secret key it gives the link's token.",
    )
    token_digest = models.CharField(
        "token digest",
        max_length=64,
        unique=True,
        editable=False,
        help_text="SHA-256 of the link's token: the row is found by it; the token itself "
        "is stored nowhere.",
    )
    first_opened_at = models.DateTimeField("first opened", null=True, blank=True)
    last_opened_at = models.DateTimeField("last opened", null=True, blank=True)
    opened_count = models.PositiveIntegerField(
        "times opened", default=0, help_text="How many times the link was opened while it worked."
    )
    refused_count = models.PositiveIntegerField(
        "times refused",
        default=0,
        help_text="How many times the link was opened after it expired or was withdrawn.",
    )
    last_refused_at = models.DateTimeField("last refused", null=True, blank=True)

    objects = ExternalReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "external review link"
        ordering = ["-made_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("made_at")), name="externalreview_expires_after_made"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("made_at")),
                name="externalreview_revoked_after_made",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="externalreview_name_not_empty"),
            models.CheckConstraint(condition=~Q(nonce=""), name="externalreview_nonce_not_empty"),
        ]

    def __str__(self):
        return f"Review link for {self.name} (v{self.version.number})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not (self.is_revoked or self.is_expired)
