"""What each live summary can be filtered by: the read model of the list page's facet
counts.

Kept by the search index (``summaries/search/index.py``) in the transaction that makes a
version live, takes it down or changes its tags (a term merged or deleted), so only live
versions are here and a draft's tags never count. With one row per (version, facet,
option), counting every facet's options for any search is one ``GROUP BY`` over this
table, instead of a join per facet.
"""

from django.db import models

from .versions import SummaryVersion

# The pseudo-facet every live version has once (option 0): counted under the same
# conditions as the options, it is the number of results.
EVERY_SUMMARY = ""


class FacetTag(models.Model):
    """One option of one facet that a live version has: a term it is tagged with, its
    level on a rated scale, its update status, or ``EVERY_SUMMARY``.

    ``facet`` is the ``SummaryVersion`` field the facet filters on (``problems``,
    ``effect_rating``, ...) and ``option`` the primary key of the term or level.

    ``PROTECT`` on the version: not content, so a new draft does not copy it, and a live
    version cannot be deleted before ``unindex_versions`` takes it out of the counts.
    """

    version = models.ForeignKey(SummaryVersion, on_delete=models.PROTECT, related_name="facet_tags")
    facet = models.CharField("facet", max_length=40, blank=True)
    option = models.PositiveBigIntegerField("option")

    class Meta:
        verbose_name = "facet tag"
        ordering = ["version", "facet", "option"]
        constraints = [
            models.UniqueConstraint(fields=["version", "facet", "option"], name="facet_tag_once"),
        ]
        indexes = [models.Index(fields=["facet", "option"], name="facet_tag_option")]

    def __str__(self):
        return f"Version {self.version_id}: {self.facet or 'every summary'} {self.option}"
