"""Reading a reader's query: words, "quoted phrases", ``-exclusions`` and ``or``, the
``websearch`` rules, rendered for each engine with every word quoted, so the user's text
never reaches FTS5 or tsquery syntax."""

import re
from dataclasses import dataclass

# Longer queries are cut, not refused: nobody types more, and the database is spared.
MAX_QUERY_LENGTH = 200
# More clauses than anyone types; bounds the work one query can ask of the engine.
MAX_CLAUSES = 16

# PostgreSQL's english.stop: PostgreSQL drops these words from queries; dropping them
# ourselves makes SQLite, which indexes every word, answer the same.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)

_TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Clause:
    """One word, or a phrase (several words in order); excluded when ``negated``."""

    words: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """All of ``required`` (each an OR of clauses) and none of ``excluded``."""

    required: tuple[tuple[Clause, ...], ...] = ()
    excluded: tuple[Clause, ...] = ()

    def __bool__(self):
        # A search made only of exclusions (or stop words) has nothing to look for: it
        # finds nothing rather than everything, so it never scans the whole collection.
        return bool(self.required)

    def websearch(self, *, exclusions: bool = True) -> str:
        """The query for PostgreSQL's ``websearch_to_tsquery``, built from clean words."""
        groups = [" or ".join(_websearch_clause(c) for c in group) for group in self.required]
        excluded = [f"-{_websearch_clause(c)}" for c in self.excluded] if exclusions else []
        return " ".join([*groups, *excluded])

    def fts5(self) -> str:
        """The query as an FTS5 expression: every word a quoted string, never syntax."""
        groups = []
        for group in self.required:
            clauses = [_fts5_clause(c) for c in group]
            groups.append(clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})")
        expression = " AND ".join(groups)
        for clause in self.excluded:
            expression = f"({expression}) NOT {_fts5_clause(clause)}"
        return expression


def _websearch_clause(clause: Clause) -> str:
    return clause.words[0] if len(clause.words) == 1 else f'"{" ".join(clause.words)}"'


def _fts5_clause(clause: Clause) -> str:
    # Words are letters and digits only, so wrapping them in double quotes is safe.
    return f'"{" ".join(clause.words)}"'


def clean_query(text: str) -> str:
    """The query as the page shows it: NUL characters gone (PostgreSQL refuses them),
    spaces trimmed, at most ``MAX_QUERY_LENGTH`` characters."""
    return text.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def parse_query(text: str) -> ParsedQuery:
    """Read a query the way ``websearch_to_tsquery`` does: words (all required),
    "quoted phrases", ``-word`` to exclude, ``or`` between two alternatives.

    Anything else (``AND``, ``*``, ``NEAR(...)``, ``:``, brackets, unbalanced quotes) is
    punctuation between words. A word with inner punctuation ("anti-social") becomes a
    phrase, as PostgreSQL reads it. Stop words are dropped, except inside a phrase.
    """
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    pending_or = False
    for match in _TOKEN.finditer(clean_query(text).lower()):
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        if match["word"] == "or" and not match["minus"]:
            pending_or = bool(groups)
            continue
        words = _trim_stop_words(tuple(_WORD.findall(raw)))
        if not words:
            continue
        clause = Clause(words, negated=bool(match["minus"]))
        if clause.negated:
            excluded.append(clause)
        elif pending_or:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        pending_or = False
        if len(excluded) + sum(map(len, groups)) >= MAX_CLAUSES:
            break
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def _trim_stop_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """Drop stop words at either end; inside a phrase they stay, as FTS5 matches phrases
    word for word (PostgreSQL allows any word in their place)."""
    start, end = 0, len(words)
    while start < end and words[start] in STOP_WORDS:
        start += 1
    while end > start and words[end - 1] in STOP_WORDS:
        end -= 1
    return words[start:end]
