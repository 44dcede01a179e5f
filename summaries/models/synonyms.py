"""Words search treats as one: synonyms and abbreviations that editors keep in the admin,
and the append-only log of every change to them.

Search applies them when it reads a query (``summaries/search/forgiving.py``), so a change
takes effect at once, with no reindex: a summary that says only "reoffending" is found
by "recidivism", and the reader is told "also searched for: reoffending".
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone

# A term is up to five words of letters and digits (as search reads words).
_WORD = re.compile(r"[^\W_]+")
MAX_TERM_WORDS = 5


def term_words(term: str) -> tuple[str, ...]:
    """A term as search reads it: lower-case words, punctuation between them ignored
    ("Closed-circuit television" is the three words it would be in a query)."""
    return tuple(_WORD.findall(term.casefold()))


def split_terms(text: str) -> list[str]:
    """The terms of a group as an editor writes them: separated by commas or new lines,
    spaces trimmed, empty ones dropped."""
    return [term.strip() for term in re.split(r"[,\n]", text) if term.strip()]


class SynonymGroup(models.Model):
    """Terms that mean the same thing to a reader: a search for any of them also looks for
    the others ("reoffending, recidivism"; "CBT, cognitive behavioural therapy")."""

    terms = models.TextField(
        "terms",
        help_text=(
            "Two or more words or short phrases that mean the same thing, separated by "
            "commas, e.g. “CCTV, closed-circuit television”. A search for any of them also "
            "finds summaries that use only another. Spelling (behaviour / behavior), "
            "capitals and hyphens are already matched by search: no need to list them."
        ),
    )
    source = models.CharField(
        "source",
        max_length=300,
        help_text=(
            "Where this equivalence comes from (a glossary, an Act, a standard reference), "
            "so a later editor can check it."
        ),
    )
    note = models.TextField(
        "note", blank=True, help_text="Optional: why these belong together, or where they do not."
    )
    updated_at = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        verbose_name = "synonym group"
        ordering = ["terms"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(terms=""), name="synonymgroup_has_terms"),
        ]

    def __str__(self):
        return ", ".join(self.term_list())

    def save(self, *args, **kwargs):
        # One canonical spelling of the list: what the log and the admin list show.
        self.terms = ", ".join(split_terms(self.terms))
        super().save(*args, **kwargs)

    def term_list(self) -> list[str]:
        return split_terms(self.terms)


class SynonymChangeQuerySet(models.QuerySet):
    # Bulk writes would bypass the model's own guard below.
    def update(self, **kwargs):
        raise TypeError("The synonym log is append-only.")

    def delete(self):
        raise TypeError("The synonym log is append-only.")


class SynonymChange(models.Model):
    """One change to the synonym list: who, when, and the group's terms and source before
    and after. Append-only, written in the transaction of the change it records."""

    class Action(models.TextChoices):
        ADD = "add", "Added"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField("at", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="by",
        help_text="Empty for the system (a migration or a command).",
    )
    action = models.CharField("action", max_length=10, choices=Action)
    group_id_at_change = models.PositiveIntegerField(
        "group", help_text="The group's number (kept after it is deleted)."
    )
    terms_before = models.TextField("terms before", blank=True)
    terms_after = models.TextField("terms after", blank=True)
    source_before = models.CharField("source before", max_length=300, blank=True)
    source_after = models.CharField("source after", max_length=300, blank=True)

    objects = SynonymChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "synonym change"
        ordering = ["-at", "-id"]

    def __str__(self):
        terms = self.terms_after or self.terms_before
        return f"{self.get_action_display()} “{terms}” ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The synonym log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The synonym log is append-only.")
