"""Reviewing a version: who wrote it, what reviewers said about it, and who was told.

- ``VersionAuthor``: one row per person who saved text into a version (the four-eyes
  rule: nobody but a superuser publishes a version containing text they saved).
- ``ReviewComment``: a comment on a version, anchored to one of its parts, with replies
  and a resolved state; written by a user, or by an external reviewer through their
  link (``external_review``, ``external_name``).
- ``Notification`` and ``NotificationPreference``: what a user was told (the admin list)
  and whether they also want it by email.

None of these is a version's content: their foreign keys to ``SummaryVersion`` are
``PROTECT`` (versions are never deleted), so ``editorial/copying.py`` does not copy them
onto a new draft. Comments stay with the version they were made on.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .content import SectionKind
from .versions import SummaryVersion


class VersionAuthor(models.Model):
    """Someone who saved text into a version: its creator (unless it was copied from
    another version), every user whose admin save changed it, an import's user."""

    version = models.ForeignKey(
        SummaryVersion, on_delete=models.PROTECT, related_name="authors", verbose_name="version"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="user",
    )
    first_saved_at = models.DateTimeField("first saved", default=timezone.now)
    last_saved_at = models.DateTimeField("last saved", default=timezone.now)
    saves = models.PositiveIntegerField(
        "saves", default=1, help_text="How many saved revisions of the version were theirs."
    )

    class Meta:
        verbose_name = "version author"
        ordering = ["first_saved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="versionauthor_unique"),
        ]

    def __str__(self):
        return f"{self.user} on {self.version}"


# The parts of a version a comment can point at: the form's fields and groups, and each
# section kind. The value is also the anchor of that part on the review page.
VERSION_PART = "version"
ANCHOR_CHOICES = [
    (VERSION_PART, "The version as a whole"),
    ("title", "Title"),
    ("standfirst", "Standfirst"),
    ("taxonomy", "Taxonomy"),
    ("ratings", "Ratings"),
    ("evidence_reviewed_on", "Evidence last reviewed"),
    ("update_status", "Update status"),
    ("change_note", "Change note"),
    *((f"section-{kind.value}", f"Section: {kind.label}") for kind in SectionKind),
    ("key_figures", "Key figures"),
    ("reviews", "Evidence base (systematic reviews)"),
    ("links", "Further reading"),
    ("related", "Related summaries"),
]


COMMENT_MAX_LENGTH = 5000


class ReviewComment(models.Model):
    """A reviewer's or editor's comment on one part of a version, or a reply to one.

    Comments and replies alike hold at most ``COMMENT_MAX_LENGTH`` characters: the
    field's validator says so to every path that cleans the model (the services do),
    and its ``max_length`` sizes the admin's forms.
    """

    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="review_comments",
        verbose_name="version",
    )
    anchor = models.CharField("about", max_length=40, choices=ANCHOR_CHOICES, default=VERSION_PART)
    body = models.TextField(
        "comment",
        max_length=COMMENT_MAX_LENGTH,
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="by",
    )
    created_at = models.DateTimeField("written", default=timezone.now)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name="reply to",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="resolved by",
    )
    resolved_at = models.DateTimeField("resolved", null=True, blank=True)
    # Set on the comment that came with "request changes".
    requested_changes = models.BooleanField("sent the version back", default=False)
    # A comment sent through an external review link: no user wrote it, a named person did.
    external_review = models.ForeignKey(
        "summaries.ExternalReview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name="external review link",
        help_text="The link the comment was sent through, for an external reviewer's comment.",
    )
    external_name = models.CharField(
        "external reviewer",
        max_length=200,
        blank=True,
        help_text="The name an external reviewer signed the comment with.",
    )

    class Meta:
        verbose_name = "review comment"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="reviewcomment_body_not_empty"),
            # An external reviewer's comment has their name and no user; a staff one neither.
            models.CheckConstraint(
                condition=(
                    Q(external_review__isnull=True, external_name="")
                    | (Q(external_review__isnull=False, author__isnull=True) & ~Q(external_name=""))
                ),
                name="reviewcomment_external_signed",
            ),
        ]
        indexes = [models.Index(fields=["version", "resolved_at"])]

    def __str__(self):
        return f"{self.get_anchor_display()}: {self.body[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def is_external(self) -> bool:
        return self.external_review_id is not None


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    SCHEDULED = "scheduled", "Scheduled"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REVIEW_ASSIGNED = "review_assigned", "Review assigned to you"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    PROBLEM_REPORTED = "problem_reported", "Problem reported"
    EXTERNAL_COMMENT = "external_comment", "External reviewer commented"


class Notification(models.Model):
    """Something a user was told about a version: listed in the admin, and emailed unless
    they turned email off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="summary_notifications",
        verbose_name="for",
    )
    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name="version",
    )
    kind = models.CharField("what happened", max_length=20, choices=NotificationKind)
    message = models.CharField("message", max_length=300)
    url = models.CharField("link", max_length=500, help_text="The page the message is about.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="by",
    )
    created_at = models.DateTimeField("sent", default=timezone.now)
    read_at = models.DateTimeField("read", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self):
        return self.message


class NotificationPreference(models.Model):
    """A user's own settings: being told by email (the admin list is always kept), and
    autosave on the version form."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="user",
    )
    email = models.BooleanField(
        "email me",
        default=True,
        help_text="Send me an email when something waits for me or happens to my work. "
        "Notifications are listed in the admin either way.",
    )
    autosave = models.BooleanField(
        "autosave my unsaved changes",
        default=True,
        help_text="While you edit a draft, keep what you type every few seconds, for you "
        "alone, so a closed tab or a crash loses nothing: the form then offers to restore "
        "it. Untick to turn autosave off; anything autosaved for you is deleted.",
    )

    class Meta:
        verbose_name = "notification setting"

    def __str__(self):
        return f"Notification settings of {self.user}"
