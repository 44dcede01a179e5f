"""Reading a reader's query: words, "quoted phrases", ``-exclusions`` and ``or``, the
``websearch`` rules, rendered for each engine with every word quoted, so the user's text
never reaches FTS5 or tsquery syntax.

A parsed query may carry what search adds to it (``forgiving.py``: spelling variants,
compounds, synonyms) as a small tree of ``Phrase``, ``AnyOf`` and ``AllOf``; both engines
render the same tree, with brackets, so they read it the same way.
"""

import re
from dataclasses import dataclass, replace

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
class Phrase:
    """One word, or several in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class AnyOf:
    """Any one of ``options``."""

    options: tuple["Node", ...]


@dataclass(frozen=True)
class AllOf:
    """Every one of ``parts``, anywhere in the text."""

    parts: tuple["Node", ...]


Node = Phrase | AnyOf | AllOf


def leaves(node: Node) -> list[Phrase]:
    if isinstance(node, Phrase):
        return [node]
    children = node.options if isinstance(node, AnyOf) else node.parts
    return [leaf for child in children for leaf in leaves(child)]


@dataclass(frozen=True)
class ParsedQuery:
    """All of ``required`` (each an OR of clauses) and none of ``excluded``, as typed.

    ``expanded``, when set, is what is looked for instead of ``required``: one node per
    part of the query, all required, with the forms and synonyms search adds.
    """

    required: tuple[tuple[Clause, ...], ...] = ()
    excluded: tuple[Clause, ...] = ()
    expanded: tuple[Node, ...] | None = None

    def __bool__(self):
        # A search made only of exclusions (or stop words) has nothing to look for: it
        # finds nothing rather than everything, so it never scans the whole collection.
        return bool(self.required)

    def nodes(self) -> tuple[Node, ...]:
        """What must all match: the expanded query, or the query as typed."""
        if self.expanded is not None:
            return self.expanded
        return tuple(
            AnyOf(tuple(Phrase(clause.words) for clause in group)) for group in self.required
        )

    def as_typed(self) -> "ParsedQuery":
        return replace(self, expanded=None)

    def tsquery(self, *, exclusions: bool = True) -> str:
        """The query for PostgreSQL's ``to_tsquery``: every word quoted, brackets
        around every group, so ``a or b c`` is ``(a | b) & c`` as on SQLite."""
        parts = [_tsquery(node) for node in self.nodes()]
        if exclusions:
            parts += [f"!{_tsquery(Phrase(clause.words))}" for clause in self.excluded]
        return " & ".join(parts)

    def fts5(self) -> str:
        """The query as an FTS5 expression: every word a quoted string, never syntax."""
        expression = " AND ".join(_fts5(node) for node in self.nodes())
        for clause in self.excluded:
            expression = f"({expression}) NOT {_fts5(Phrase(clause.words))}"
        return expression

    def text(self) -> str:
        """The query as typed, in canonical form: what a link to it carries."""
        groups = [" or ".join(_typed(clause) for clause in group) for group in self.required]
        return " ".join([*groups, *(f"-{_typed(clause)}" for clause in self.excluded)])


def _typed(clause: Clause) -> str:
    return clause.words[0] if len(clause.words) == 1 else f'"{" ".join(clause.words)}"'


def _tsquery(node: Node) -> str:
    # Words are letters and digits only, so single quotes around each are safe; each is
    # still normalised by the configuration (stemmed, stop words dropped).
    if isinstance(node, Phrase):
        quoted = " <-> ".join(f"'{word}'" for word in node.words)
        return quoted if len(node.words) == 1 else f"({quoted})"
    children = node.options if isinstance(node, AnyOf) else node.parts
    rendered = [_tsquery(child) for child in children]
    operator = " | " if isinstance(node, AnyOf) else " & "
    return rendered[0] if len(rendered) == 1 else f"({operator.join(rendered)})"


def _fts5(node: Node) -> str:
    # Words are letters and digits only, so wrapping them in double quotes is safe.
    if isinstance(node, Phrase):
        return f'"{" ".join(node.words)}"'
    children = node.options if isinstance(node, AnyOf) else node.parts
    rendered = [_fts5(child) for child in children]
    operator = " OR " if isinstance(node, AnyOf) else " AND "
    return rendered[0] if len(rendered) == 1 else f"({operator.join(rendered)})"


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
