"""Rows that serve the site rather than hold content: the public content generation
(read and raised through ``generation.py``) and SQLite's full-text index entries."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .versions import Intervention, SummaryVersion


class PublicContent(models.Model):
    """One row: a generation number raised in the same transaction as every change to
    what the public sees (a publication, a withdrawal, an edit of a term or a scale).

    Cached pages and ETags are keyed by it (``public/cache.py``), so a page cached before a
    change is never served after it. It lives in the database, not in the cache, so
    several app servers with caches of their own agree on it, and the row lock taken
    to raise it makes two publications commit one after the other, each with its own
    number.
    """

    generation = models.PositiveBigIntegerField("generation", default=1)
    # Raised only by changes that may touch every page, summaries included (a term, a
    # scale, an intervention edited in the admin, bulk loads); a publication raises
    # ``generation`` and the page generations of the summaries it changes instead.
    site_generation = models.PositiveBigIntegerField("site generation", default=1)
    changed_at = models.DateTimeField("last changed", default=timezone.now)

    class Meta:
        verbose_name = "public content generation"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="publiccontent_single_row"),
        ]

    def __str__(self):
        return f"generation {self.generation} ({self.changed_at:%Y-%m-%d %H:%M})"


class PageGeneration(models.Model):
    """A number raised when one summary's own pages change (``generation.py``): it is
    published, withdrawn or renamed, or a summary its live version shows as related is.

    A row of its own rather than a column of ``Intervention``: only
    ``public_content_changed`` writes it, always holding ``PublicContent``'s row lock, so
    raising the pages of related summaries never waits for (or deadlocks with) a
    service that has locked their intervention. No row means generation 0.
    """

    intervention = models.OneToOneField(
        Intervention,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="page_generation",
    )
    generation = models.PositiveBigIntegerField("generation", default=0)

    class Meta:
        verbose_name = "summary page generation"

    def __str__(self):
        return f"{self.intervention_id}: generation {self.generation}"


class SearchEntry(models.Model):
    """A live version's row in SQLite's FTS5 table ``summary_fts`` (see ``search/index.py``).

    Unmanaged: a migration creates the virtual table on SQLite only, and only search code
    touches it. The model exists so a search can join versions to their matches
    (``SummaryVersion.objects.filter(search_entry__document=...)``) and order by the
    table's ``rank`` column, which FTS5 computes with bm25 once per query rather than once
    per row as a correlated subquery would. ``document`` is FTS5's hidden column named
    after the table: ``summary_fts.summary_fts = 'expression'`` is a full-text match.
    """

    version = models.OneToOneField(
        SummaryVersion,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="search_entry",
    )
    title = models.TextField()
    standfirst = models.TextField()
    taxonomy = models.TextField()
    body = models.TextField()
    document = models.TextField(db_column="summary_fts")
    rank = models.FloatField(db_column="rank")

    class Meta:
        managed = False
        db_table = "summary_fts"

    def __str__(self):
        return f"Search entry of version {self.version_id}"
