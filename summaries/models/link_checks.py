"""What the last check of an external address found: its HTTP status or why it could not
be reached, and when. Written by the broken-link task
(``summaries/editorial/checks/links.py``); the content checks read it for every address a
version links to. One row per address, shared by every version that links to it.
"""

from django.db import models
from django.db.models import Q


class LinkCheck(models.Model):
    """The last check of one address."""

    url = models.CharField(
        "address",
        max_length=2000,
        unique=True,
        help_text="The address as written in the version (http or https).",
    )
    status = models.PositiveSmallIntegerField(
        "HTTP status",
        null=True,
        blank=True,
        help_text="The status the address answered with, after any redirects; empty when "
        "it could not be reached.",
    )
    error = models.CharField(
        "error",
        max_length=300,
        blank=True,
        help_text="Why the address could not be checked or reached (timeout, refused, "
        "not a public address...); empty when it answered.",
    )
    checked_at = models.DateTimeField("checked", help_text="When the address was last checked.")

    class Meta:
        verbose_name = "link check"
        ordering = ["url"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status__isnull=False) & Q(status__gte=100) & Q(status__lte=599))
                | (Q(status__isnull=True) & ~Q(error="")),
                name="linkcheck_status_or_error",
                violation_error_message="A link check has an HTTP status (100-599) or an error.",
            ),
        ]

    def __str__(self):
        return self.url

    @property
    def is_broken(self) -> bool:
        """Whether a reader following the link would not reach a page."""
        return self.status is None or self.status >= 400

    @property
    def outcome(self) -> str:
        """What the check found, in words: "404", "timed out"..."""
        if self.status is not None:
            return f"HTTP {self.status}"
        return self.error
