"""The words of live summaries (``LiveWord``): kept with the index, read for "did you mean"
and for what "also searched for" may show.

Both engines keep the same table, filled from the same text by the same Python, so both
suggest the same words. (FTS5's ``fts5vocab`` and PostgreSQL's ``ts_stat`` hold stems,
and different stems on each engine: "reoffend" on one, "reoffend" or "reoffen" on the
other, neither a word to show a reader.)

Reading: the whole table, loaded once per process per public content generation (every
change to live content raises it) and kept in memory; a suggestion then costs no query.
"""

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from summaries.models import IndexedWords, LiveWord

from .query import STOP_WORDS

_WORD = re.compile(r"[^\W_]+")
MIN_LENGTH, MAX_LENGTH = 3, 40
_UPSERT_BATCH = 500


def words_of(*texts: str) -> set[str]:
    """The distinct words of ``texts`` worth suggesting: lower case, three letters or
    more, not a number, not a stop word."""
    # Distinct first, then filtered: a summary has thousands of words but a few hundred
    # different ones, and this runs for every summary indexed.
    found = set(_WORD.findall(" ".join(texts).casefold())) - STOP_WORDS
    return {word for word in found if MIN_LENGTH <= len(word) <= MAX_LENGTH and not word.isdigit()}


def count_words(new: dict[int, set[str]], ids: Iterable[int]) -> None:
    """Make ``LiveWord`` count ``new`` (version id -> its words) for the versions
    ``ids``: what each counted before comes out, its new words go in. A version of
    ``ids`` missing from ``new`` is no longer counted."""
    ids = list(ids)
    delta: Counter[str] = Counter()
    for stored in IndexedWords.objects.filter(version_id__in=ids).values_list("words", flat=True):
        delta.subtract(stored.split())
    for words in new.values():
        delta.update(words)
    IndexedWords.objects.filter(version_id__in=ids).delete()
    IndexedWords.objects.bulk_create(
        IndexedWords(version_id=pk, words=" ".join(sorted(words)))
        for pk, words in new.items()
        if words
    )
    _apply(delta)


def uncount_matching(version_ids: QuerySet) -> None:
    """Take every version of ``version_ids`` (a queryset of ids) out of ``LiveWord``, in
    one pass over their stored words however many there are."""
    delta: Counter[str] = Counter()
    rows = IndexedWords.objects.filter(version_id__in=version_ids)
    for words in rows.values_list("words", flat=True).iterator(chunk_size=2000):
        delta.subtract(words.split())
    rows.delete()
    _apply(delta)


def forget_all() -> None:
    IndexedWords.objects.all().delete()
    LiveWord.objects.all().delete()


def _apply(delta: Counter[str]) -> None:
    changes = [(word, n) for word, n in delta.items() if n]
    if not changes:
        return
    table = connection.ops.quote_name(LiveWord._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), _UPSERT_BATCH):
            batch = changes[start : start + _UPSERT_BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))
            # One statement adds to the counts, creating missing words, on both engines;
            # each count moves under its row's lock, so concurrent publications add up.
            cursor.execute(
                f"INSERT INTO {table} (word, summaries) VALUES {values} "
                f"ON CONFLICT (word) DO UPDATE SET summaries = {table}.summaries + "
                "excluded.summaries",
                [value for pair in batch for value in pair],
            )
    gone = [word for word, n in changes if n < 0]
    for start in range(0, len(gone), _UPSERT_BATCH):
        LiveWord.objects.filter(word__in=gone[start : start + _UPSERT_BATCH], summaries=0).delete()


@dataclass
class Vocabulary:
    """The live words in memory: how many summaries use each, and the words by first
    letter (a suggestion keeps the first letter: see ``forgiving.suggest``)."""

    counts: dict[str, int]
    by_initial: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        groups: defaultdict[str, list[str]] = defaultdict(list)
        for word in self.counts:
            groups[word[0]].append(word)
        self.by_initial = dict(groups)

    def __contains__(self, word: str) -> bool:
        return word in self.counts


_loaded: dict[object, Vocabulary] = {}
_lock = threading.Lock()


def live_vocabulary(generation: object) -> Vocabulary:
    """The live words as of ``generation`` (anything that changes when live content
    does: the public content generation and its time). One query, the first time per
    process per generation."""
    with _lock:
        vocabulary = _loaded.get(generation)
    if vocabulary is None:
        vocabulary = Vocabulary(dict(LiveWord.objects.values_list("word", "summaries")))
        with _lock:
            _loaded.clear()  # only the current generation is ever asked for again
            _loaded[generation] = vocabulary
    return vocabulary
