"""An editor's unsaved form, kept while they type: one autosave slot per user and draft.

A slot is not a revision. It holds the version form's fields as the browser would post
them, for its owner alone, and never touches the version (its revision, its history, the
diff or anything public). The version's ``PROTECT`` key keeps it out of the content a new
draft copies (``editorial/copying.py``). Written and deleted by ``editorial/autosave.py``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .versions import SummaryVersion


class AutosaveSlot(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="autosave_slots",
        verbose_name="user",
        help_text="Whose unsaved form this is; nobody else sees it.",
    )
    version = models.ForeignKey(
        SummaryVersion,
        on_delete=models.PROTECT,
        related_name="autosave_slots",
        verbose_name="version",
        help_text="The draft whose form it is.",
    )
    data = models.JSONField(
        "form data",
        default=dict,
        help_text="The form's fields as the browser would post them: each name with its "
        "list of values.",
    )
    based_on_revision = models.PositiveIntegerField(
        "based on revision",
        help_text="The revision of the version the form was loaded from; if the version "
        "has moved on since, a save of these changes is refused as stale.",
    )
    updated_at = models.DateTimeField("autosaved at", default=timezone.now)

    class Meta:
        verbose_name = "autosave slot"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="autosave_one_slot_per_user_and_version"
            )
        ]
        indexes = [models.Index(fields=["updated_at"], name="autosave_updated_at")]

    def __str__(self):
        return f"Autosaved form of {self.version} for {self.user}"
