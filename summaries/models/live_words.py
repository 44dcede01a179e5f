"""The words of live summaries: what search's "did you mean" may suggest.

Kept by the search index (``summaries/search/index.py``) in the transaction that makes a
version live or takes it down, so a word that appears only in drafts, or only in a
withdrawn summary, is never here. The same on both databases, so both suggest the same.
"""

from django.db import models

from .versions import SummaryVersion


class LiveWord(models.Model):
    """A word of the indexed text of live summaries, and in how many of them it appears."""

    word = models.CharField("word", max_length=40, primary_key=True)
    # Not a PositiveIntegerField: its CHECK would refuse the negative change that the
    # add-to-count statement proposes (``vocabulary._apply``) before it adds it.
    summaries = models.IntegerField("live summaries using it")

    class Meta:
        verbose_name = "live word"
        ordering = ["word"]
        # No "more than 0" constraint: a count passes through 0 inside the statement
        # that takes a summary out, and the word is deleted right after.

    def __str__(self):
        return self.word


class IndexedWords(models.Model):
    """The distinct words of one indexed (live) version, as they were counted into
    ``LiveWord``: taking the version out of the index takes exactly these out again, even
    after a term it was tagged with has been renamed.

    ``PROTECT``: a version still counted cannot be deleted, which would leave its words
    suggested; ``unindex_versions`` first. (Not content: a new draft does not copy it.)"""

    version = models.OneToOneField(
        SummaryVersion,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="indexed_words",
    )
    words = models.TextField("words", help_text="Space-separated, sorted.")

    class Meta:
        verbose_name = "indexed words"
        verbose_name_plural = "indexed words"
        ordering = ["version"]

    def __str__(self):
        return f"Words of version {self.version_id}"
