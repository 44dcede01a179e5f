"""Search that forgives: what a query is taken to mean, and what to offer when it finds
little.

- ``read_query``: the query as typed, plus for each word its British or American
  spelling, its compound written as one word or two ("multi systemic",
  "multisystemic"), and the editors' synonyms and abbreviations (``SynonymGroup``),
  applied at query time. The added forms match as the typed ones do (as one word, the
  way Lucene's synonym queries score them), and ``backends.search_live`` ranks what the
  typed query matches above them; ``also`` is what the reader is told was also
  searched for: the added forms that live summaries use.
- ``suggest``: "did you mean", built from the words of live summaries only
  (``vocabulary.py``): a word no live summary uses, and none of its forms, is replaced
  by the closest live word with the same first letter (an edit or two away, Damerau-
  Levenshtein by rapidfuzz), the more used word first. A word live summaries use is never
  changed, so "lighting" never becomes "fighting".
- ``search_counted``: the list page's and the API's search: the counts of the query as
  typed, and when it finds little, the suggestion; when it finds nothing and the
  suggestion is clear, the results of the suggestion instead ("Showing results for").
"""

import itertools
import threading
from dataclasses import dataclass, replace

from django.db.models import QuerySet
from rapidfuzz.distance import DamerauLevenshtein

from summaries.models import SummaryVersion, SynonymGroup, term_words

from .backends import search_live
from .facets import Facet, cache_key, search_counts
from .filters import SummaryFilter
from .query import AllOf, AnyOf, Clause, Node, ParsedQuery, Phrase, leaves, parse_query
from .spelling import compound_join, compound_split, variants
from .vocabulary import Vocabulary, live_vocabulary

# Bounds the work one query can ask of the engine, whatever the synonym list holds.
MAX_LEAVES = 64
MAX_PHRASE_FORMS = 4
# "Finds little": below this many results the page looks for a better spelling.
SUGGEST_BELOW = 3


# --- Synonyms -------------------------------------------------------------------------


def term_key(words: tuple[str, ...]) -> tuple[str, ...]:
    """A term's words in one spelling: compounds joined, each word its alphabetically
    first British or American form, so "cognitive behavioral therapy" and "Cognitive
    Behavioural Therapy", "multi-systemic" and "multisystemic" are one key."""
    joined: list[str] = []
    for word in words:
        if joined and (compound := compound_join(joined[-1], word)):
            joined[-1] = compound
        else:
            joined.append(word)
    return tuple(min({word, *variants(word)}) for word in joined)


@dataclass(frozen=True)
class SynonymTable:
    """Each term's canonical key -> the other terms of its groups (as words)."""

    others: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    longest: int

    @classmethod
    def build(cls, groups: list[list[str]]) -> "SynonymTable":
        others: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for terms in groups:
            words = [w for w in (term_words(t) for t in terms) if w]
            for term in words:
                bucket = others.setdefault(term_key(term), [])
                bucket += [o for o in words if term_key(o) != term_key(term) and o not in bucket]
        longest = max((len(key) for key in others), default=0)
        return cls({k: tuple(v) for k, v in others.items()}, longest)


_synonyms: dict[object, SynonymTable] = {}
_synonyms_lock = threading.Lock()


def synonym_table(generation: object) -> SynonymTable:
    """The synonym list as of ``generation`` (a change to it raises the generation): one
    query, the first time per process per generation."""
    with _synonyms_lock:
        table = _synonyms.get(generation)
    if table is None:
        groups = [g.term_list() for g in SynonymGroup.objects.only("terms")]
        table = SynonymTable.build(groups)
        with _synonyms_lock:
            _synonyms.clear()
            _synonyms[generation] = table
    return table


# --- Reading a query --------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What search looks for (``query``, the typed query with its added forms) and what
    the reader is told it also searched for (``also``)."""

    query: ParsedQuery
    also: tuple[str, ...] = ()

    @property
    def typed(self) -> ParsedQuery:
        return self.query.as_typed()


def _phrase_forms(words: tuple[str, ...], vocabulary: Vocabulary | None) -> list[tuple[str, ...]]:
    """A word or phrase in its British and American spellings (a few at most), and a
    compound as one word or as two (split only where live summaries use the second part
    as a word: "multi systemic" for "multisystemic", not "re search" for "research")."""
    per_word = [[word, *sorted(variants(word))] for word in words]
    forms = list(itertools.islice(itertools.product(*per_word), MAX_PHRASE_FORMS))
    if (
        len(words) == 1
        and (parts := compound_split(words[0]))
        and (vocabulary is None or parts[1] in vocabulary)
    ):
        forms.append(parts)
    if len(words) == 2 and (joined := compound_join(*words)):
        forms += [(joined,), *((v,) for v in sorted(variants(joined)))]
    return list(dict.fromkeys(forms))


class _Expander:
    def __init__(self, synonyms: SynonymTable, vocabulary: Vocabulary | None):
        self.synonyms = synonyms
        self.vocabulary = vocabulary
        self.also: list[str] = []

    def _shown(self, form: tuple[str, ...], typed: tuple[str, ...] = ()) -> None:
        # Only forms live summaries use are worth telling the reader about; a split
        # compound ("multi systemic" for "multisystemic") is the same word to them.
        if self.vocabulary is None or form == typed or (len(typed) == 1 and len(form) > 1):
            return
        if all(word in self.vocabulary for word in form):
            text = " ".join(form)
            if text not in self.also:
                self.also.append(text)

    def node(self, typed: tuple[str, ...], *, with_synonyms: bool = True) -> Node:
        """``typed`` (a word or phrase) or any of its forms and synonyms."""
        options: list[Node] = []
        for form in _phrase_forms(typed, self.vocabulary):
            options.append(Phrase(form))
            self._shown(form, typed)
        if with_synonyms:
            for synonym in self.synonyms.others.get(term_key(typed), ()):
                options.append(self.node(synonym, with_synonyms=False))
                self._shown(synonym)
        return options[0] if len(options) == 1 else AnyOf(tuple(dict.fromkeys(options)))

    def group(self, group: tuple[Clause, ...]) -> Node:
        nodes = [self.node(clause.words) for clause in group]
        return nodes[0] if len(nodes) == 1 else AnyOf(tuple(nodes))

    def run(self, words: tuple[str, ...]) -> Node | None:
        """Words typed one after another that are a synonym term or a compound: all of
        them anywhere, or any form of them together ("cognitive behavioural therapy" or
        "CBT"; "multi systemic" or "multisystemic")."""
        key = term_key(words)
        synonyms = self.synonyms.others.get(key, ())
        if not synonyms and not (len(words) == 2 and compound_join(*words)):
            return None
        separately = AllOf(tuple(self.node((word,)) for word in words))
        together = self.node(words)
        options = together.options if isinstance(together, AnyOf) else (together,)
        return AnyOf((separately, *options))


def read_query(
    text: str | ParsedQuery, *, synonyms: SynonymTable, vocabulary: Vocabulary | None = None
) -> Reading:
    """``text`` with every word's other spellings, compounds and synonyms added; with a
    ``vocabulary``, ``also`` names those that live summaries use."""
    typed = (text if isinstance(text, ParsedQuery) else parse_query(text)).as_typed()
    expander = _Expander(synonyms, vocabulary)
    groups = typed.required
    nodes: list[Node] = []
    i = 0
    while i < len(groups):
        # Longest run first: consecutive plain words (no "or") that are a term together.
        taken = None
        for size in range(min(max(synonyms.longest, 2), len(groups) - i), 1, -1):
            run = groups[i : i + size]
            if all(len(g) == 1 and len(g[0].words) == 1 for g in run):
                node = expander.run(tuple(g[0].words[0] for g in run))
                if node is not None:
                    taken = (node, size)
                    break
        if taken:
            nodes.append(taken[0])
            i += taken[1]
        else:
            nodes.append(expander.group(groups[i]))
            i += 1
    if sum(len(leaves(node)) for node in nodes) > MAX_LEAVES:
        # More forms than any reader's query needs: look for what was typed.
        return Reading(typed)
    return Reading(replace(typed, expanded=tuple(nodes)), tuple(expander.also))


# --- Did you mean -----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    query: ParsedQuery  # the typed query with the corrected words
    clear: bool  # one correction stands out for every changed word


def _max_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


# Endings both engines' stemmers take off: "lamp" is not a misspelling of "lamps".
_ENDINGS = ("s", "es", "d", "ed", "ing", "er", "ers", "ly")


def _known(word: str, vocabulary: Vocabulary) -> bool:
    """Whether live summaries use ``word``, in this form, another spelling or another
    inflection, or as the parts of a compound."""
    if word in vocabulary or any(v in vocabulary for v in variants(word)):
        return True
    for ending in _ENDINGS:
        if word + ending in vocabulary:
            return True
        if word.endswith(ending) and word[: -len(ending)] in vocabulary:
            return True
    parts = compound_split(word)
    return parts is not None and all(part in vocabulary for part in parts)


def _correction(word: str, vocabulary: Vocabulary) -> tuple[str, bool] | None:
    """The closest live word to ``word`` and whether it stands out, or None."""
    limit = _max_edits(word)
    if not limit or not word.isalpha() or _known(word, vocabulary):
        return None
    # Same first letter: a slip of the first letter is rare, and without this rule
    # "fighting" would be offered for "lighting" (or the reverse).
    candidates = [
        (DamerauLevenshtein.distance(word, other, score_cutoff=limit), other)
        for other in vocabulary.by_initial.get(word[0], ())
        if abs(len(other) - len(word)) <= limit
    ]
    ranked = sorted(
        ((d, -vocabulary.counts[w], w) for d, w in candidates if d <= limit), key=lambda t: t
    )
    if not ranked:
        return None
    best = ranked[0]
    clear = len(ranked) == 1 or ranked[1][0] > best[0] or -best[1] >= 4 * -ranked[1][1]
    return best[2], clear


def suggest(typed: ParsedQuery, vocabulary: Vocabulary) -> Suggestion | None:
    """The typed query with its unknown words corrected, or None when none can be."""
    changed, clear = False, True
    groups = []
    for group in typed.required:
        clauses = []
        for clause in group:
            words = []
            for word in clause.words:
                corrected = _correction(word, vocabulary)
                if corrected:
                    changed, clear = True, clear and corrected[1]
                    words.append(corrected[0])
                else:
                    words.append(word)
            clauses.append(Clause(tuple(words)))
        groups.append(tuple(clauses))
    if not changed:
        return None
    return Suggestion(ParsedQuery(tuple(groups), typed.excluded), clear)


# --- The search of the list page and the API ------------------------------------------


@dataclass(frozen=True)
class CountedSearch:
    """A search as the page shows it.

    ``reading`` is what the results are for: the query as typed, or, when that found
    nothing and a correction was clear, the corrected query (``corrected_from`` is then
    the typed text). ``suggestion`` is a better query to offer ("did you mean"), as text.
    """

    reading: Reading
    matching: QuerySet[SummaryVersion]
    total: int
    facets: list[Facet]
    corrected_from: str = ""
    suggestion: str = ""


def search_counted(
    filterset: SummaryFilter,
    text: str,
    *,
    generation: tuple[int, object],
    verbatim: bool = False,
) -> CountedSearch:
    """Search live summaries for ``text`` with the chosen facets, count the results and
    the facets' options, and when it finds little, look for a better spelling.

    A fixed number of queries, whatever the number of results: the counts (one query,
    cached), and only when few are found, the counts of the suggestion (one more); the
    synonyms and live words are read once per process per ``generation``.
    """
    synonyms = synonym_table(generation)
    vocabulary = live_vocabulary(generation)
    reading = read_query(text, synonyms=synonyms, vocabulary=vocabulary)
    matching, total, facets = _counted(filterset, reading, generation)
    if total >= SUGGEST_BELOW or not reading.query:
        return CountedSearch(reading, matching, total, facets)
    found = suggest(reading.typed, vocabulary)
    if found is None:
        return CountedSearch(reading, matching, total, facets)
    better = read_query(found.query, synonyms=synonyms, vocabulary=vocabulary)
    better_matching, better_total, better_facets = _counted(filterset, better, generation)
    if better_total <= total:
        return CountedSearch(reading, matching, total, facets)
    if total == 0 and found.clear and not verbatim:
        return CountedSearch(
            better,
            better_matching,
            better_total,
            better_facets,
            corrected_from=reading.typed.text(),
        )
    return CountedSearch(reading, matching, total, facets, suggestion=found.query.text())


def _counted(
    filterset: SummaryFilter, reading: Reading, generation: tuple[int, object]
) -> tuple[QuerySet[SummaryVersion], int, list[Facet]]:
    matching = search_live(SummaryVersion.objects.live(), reading.query, ranked=False)
    key = cache_key(filterset, reading.query, generation=generation[0])
    total, facets = search_counts(filterset, matching, key=key)
    return matching, total, facets
