"""What the public reads of each published version, built once and kept: the read model.

A published version never changes, yet its page used to be rebuilt from some twenty rows
on every cache miss. ``PublishedPage`` holds, for each public version (live or
superseded), what its readers are sent: its pages as whole HTML documents, its card in
lists and its data (the structure behind ``data.json``, the API and the citation files).
The version rows stay the source of truth: ``summaries/public/pages.py`` builds these rows
from them, and any row can be dropped and rebuilt with identical output.

A row is served only while both its stamps are current:

- ``render_key``: the code that renders it (templates, the representation, the
  addresses and static files' names pages link, the settings that show on pages), so a
  deploy that changes any of them never serves old markup;
- ``generation``: the summary's page generation (``generation.summary_generation``),
  raised in the transaction of every change its pages show (a publication, a
  withdrawal, a rename, a related summary, a term or a scale edited), so a row built
  before such a change is never served after it.

Anything else is rebuilt on first read, and the changes that make rows stale rebuild
them after their commit, so readers rarely meet a stale row at all.
"""

from django.db import models
from django.utils import timezone

from .versions import SummaryVersion


class PublishedPage(models.Model):
    """One public version as readers get it: pages, card and data, with the stamps
    that say whether it is still current."""

    version = models.OneToOneField(
        SummaryVersion,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="published_page",
        verbose_name="version",
    )
    render_key = models.CharField(
        "render key",
        max_length=64,
        help_text="Which code rendered this row; rows of other code are rendered again.",
    )
    generation = models.CharField(
        "generation",
        max_length=64,
        help_text="The summary's page generation the row was built at.",
    )
    document = models.TextField(
        "summary page",
        blank=True,
        help_text="The summary's page as readers get it while this version is live, the "
        "whole HTML document (the site's origin as ORIGIN, the day as TODAY); empty for a "
        "superseded version.",
    )
    version_document = models.TextField(
        "version page",
        help_text="The version's own page (/v/<number>/), the whole HTML document (the "
        "site's origin as ORIGIN, the day as TODAY).",
    )
    card = models.JSONField("card", help_text="What a card in lists shows.")
    snippet_text = models.TextField(
        "snippet text",
        blank=True,
        help_text="The version's section text, plain and HTML-escaped, that search "
        "snippets are cut from (on PostgreSQL, where ts_headline reads it in place).",
    )
    data = models.TextField(
        "data",
        help_text="The version as data.json and the API send it, as JSON text (the site's "
        "origin as ORIGIN): written once, not encoded again for each reader.",
    )
    reference = models.JSONField("reference", help_text="What the citation files cite.")
    built_at = models.DateTimeField("built", default=timezone.now)

    class Meta:
        verbose_name = "published page"
        ordering = ["version"]

    def __str__(self):
        return f"Published page of version {self.version_id}"
