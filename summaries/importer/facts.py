"""Facts about the systematic reviews, read from the text: counts, years, breakdowns."""

import re
from collections.abc import Iterable

from .result import ImportFailed, ParsedReview

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = {word: n for n, word in enumerate(UNITS)} | {
    word: 20 + 10 * n for n, word in enumerate(TENS)
}
# A count written in digits or words ("35", "five", "twenty-one"), but not a fraction.
NUM = (
    rf"(?:\d+|(?:{'|'.join(TENS)})(?:-(?:{'|'.join(UNITS[1:10])}))?|{'|'.join(UNITS)})"
    r"(?![\s-]+(?:thirds?|quarters?|half|halves|fifths?|tenths?)\b)"
)
REVIEW_LABEL = re.compile(rf"\bReview\s+({NUM})\b")
STUDIES_UP_TO = re.compile(
    rf"\b({NUM})\s+(?:primary\s+)?studies\s*\((?:published\s+)?"
    r"(?:up\s+to|until|to|before|between\s+\d{4}\s+and)\s+(\d{4})\)",
    re.IGNORECASE,
)
STUDIES_IN = re.compile(
    rf"\b({NUM})\s+(?:primary\s+)?studies\s+(?:in|covered\s+by|included\s+in|of)\s+Review\b",
    re.IGNORECASE,
)
# "covered 33 studies", "based on 32 studies", "Review two on 20 studies", "a
# meta-analysis of 10 studies", "one systematic review covering 13 studies".
STUDIES = re.compile(
    r"\b(?:cover(?:ed|s|ing)|based\s+on|on|drew\s+(?:up)?on|draws\s+(?:up)?on|includ(?:ed|es|ing)|"
    r"of|compris(?:ed|es|ing)|examin(?:ed|es|ing)|synthesi[sz](?:ed|es|ing)|"
    r"contain(?:ed|s|ing)|with)\s+"
    rf"({NUM})\s+(?:primary\s+)?(?:studies|evaluations)\b",
    re.IGNORECASE,
)
# A summary of one review that never labels it: "one systematic review", "a meta-analysis".
SINGLE_REVIEW = re.compile(
    r"\b(?:one|a|a\s+single|the|this)\s+(?:systematic\s+review|meta-?analy(?:sis|tic\s+review)|"
    r"review)\b",
    re.IGNORECASE,
)
# "two systematic reviews", "3 meta-analyses": then an unlabelled review is not the only one.
SEVERAL_REVIEWS = re.compile(
    rf"\b(?:{NUM}|several|multiple)\s+(?:[\w-]+\s+)?(?:reviews|meta-?analyses)\b", re.IGNORECASE
)
# Where one review's clause ends and the next one's starts, in a sentence naming several:
# "Review one was based on 32 studies, Review two on 20 and Review three on 11."
CLAUSE_BREAK = re.compile(r"[,;–—]|\s(?:and|while|whereas|but)\s")
TESTS = re.compile(
    rf"\b(?:produced|yielded|provided|contained|included|reported)\s+({NUM})\s+tests\b",
    re.IGNORECASE,
)
RCTS = re.compile(
    rf"\b({NUM})\s+(?:of\s+the(?:se)?\s+)?(?:primary\s+)?studies\s+were\s+"
    r"(?:randomi[sz]ed\s+controlled\s+trials|RCTs)\b",
    re.IGNORECASE,
)
# "conflict of interest ... in 24 of the 35": two searches, the count after the first
# mention. One pattern with ".*?" between them retried from every mention, which made a
# sentence repeating "conflict of interest in" take seconds to minutes.
CONFLICT = re.compile(r"conflict of interest", re.IGNORECASE)
CONFLICT_COUNT = re.compile(rf"\bin\s+({NUM})\s+of\s+the\s+({NUM})\b", re.IGNORECASE)
APPROACH_COUNT = re.compile(rf"\(({NUM})\s+(?:primary\s+)?stud(?:y|ies)\)", re.IGNORECASE)
LIST_VERB = re.compile(r"\b(?:covered|included|including|comprised|examined|were)\b|:")
COUNTRY_COUNT = re.compile(
    rf"\b({NUM})\s+(?:were\s+(?:carried\s+out|conducted|based)\s+)?(?:in|from)\s+(?:the\s+)?"
    r"([\"'‘’]?other[\"'‘’]?|[A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*)*)"
)
FOLLOW_ON = re.compile(r"^(?:Of\s+(?:these|those|them|the\s+\w+\s+tests))\b", re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+(?=[\"'‘“(]*[A-Z0-9])")


# Longer numbers are refused here, as Python will not even convert some of them; shorter
# ones too large for the database are refused, by value, before anything is saved.
MAX_DIGITS = 100


def _number(text: str) -> int:
    if text.isdigit():
        if len(text) > MAX_DIGITS:
            raise ImportFailed(
                f"The number {text[:20]}… ({len(text)} digits) is too long to be a count."
            )
        return int(text)
    return sum(NUMBER_WORDS[part] for part in text.lower().split("-"))


def _review_label(number: str) -> str:
    n = _number(number)
    return f"Review {UNITS[n]}" if 0 < n < len(UNITS) else f"Review {n}"


def _sentences(texts: Iterable[str]) -> list[str]:
    return [s for text in texts for s in SENTENCE_BREAK.split(text) if s]


def _clauses(sentence: str) -> list[tuple[str | None, str]]:
    """(review named, text) of each part of a sentence about one review.

    A sentence naming one review (or none) is one part. One naming several is cut before
    each other review's name, at the last comma or "and" (etc.) since the previous name.
    """
    labels = list(REVIEW_LABEL.finditer(sentence))
    if not labels:
        return [(None, sentence)]
    parts = []
    start, name, after = 0, _review_label(labels[0].group(1)), labels[0].end()
    for label in labels[1:]:
        other = _review_label(label.group(1))
        if other != name:
            breaks = list(CLAUSE_BREAK.finditer(sentence, after, label.start()))
            cut = breaks[-1].start() if breaks else label.start()
            parts.append((name, sentence[start:cut]))
            start, name = cut, other
        after = label.end()
    parts.append((name, sentence[start:]))
    return parts


def extract_reviews(texts: list[str]) -> list[ParsedReview]:
    """Facts about each review, read sentence by sentence.

    A sentence (or, in one naming several reviews, each review's part of it) is about the
    first review it names, or else the one the sentence before was about ("For Review
    one, these included:" then the items of the list). A summary that never labels a
    review and never speaks of several is about the one it speaks of ("based on one
    systematic review covering 13 studies", "a meta-analysis of 10 studies"): that is
    "Review one".
    """
    sentences = _sentences(texts)
    unlabelled = not any(
        REVIEW_LABEL.search(sentence) or SEVERAL_REVIEWS.search(sentence) for sentence in sentences
    )
    reviews: dict[str, ParsedReview] = {}
    current = None
    after_tests = False
    for sentence in sentences:
        for name, text in _clauses(sentence):
            if name is None and unlabelled and current is None and SINGLE_REVIEW.search(text):
                name = _review_label("one")
            if name is not None:
                current = reviews.setdefault(name, ParsedReview(label=name))
            if current is None:
                continue
            _read_counts(current, text)
            tests = TESTS.search(text)
            if tests:
                _read_countries(current, text[tests.end() :])
            elif after_tests and FOLLOW_ON.match(sentence):
                _read_countries(current, text)
            after_tests = bool(tests)
            _read_approaches(current, text)
    return sorted(reviews.values(), key=lambda r: _number(r.label.split()[-1]))


def _read_counts(review: ParsedReview, sentence: str) -> None:
    """Fill in the single-number facts this sentence states; the first statement wins."""
    if match := STUDIES_UP_TO.search(sentence):
        review.studies = review.studies or _number(match.group(1))
        review.published_up_to = review.published_up_to or int(match.group(2))
    if (match := STUDIES_IN.search(sentence)) and review.studies is None:
        review.studies = _number(match.group(1))
    if (match := STUDIES.search(sentence)) and review.studies is None:
        review.studies = _number(match.group(1))
    if (match := TESTS.search(sentence)) and review.tests is None:
        review.tests = _number(match.group(1))
    if (match := RCTS.search(sentence)) and review.rcts is None:
        review.rcts = _number(match.group(1))
    if (match := _conflict_count(sentence)) and review.conflict_of_interest_studies is None:
        review.conflict_of_interest_studies = _number(match.group(1))


def _conflict_count(sentence: str) -> re.Match | None:
    """The 'in N of the M' after the first mention of a conflict of interest, if any."""
    mention = CONFLICT.search(sentence)
    return CONFLICT_COUNT.search(sentence, mention.end()) if mention else None


def _read_approaches(review: ParsedReview, sentence: str) -> None:
    """'covered CBT (20 studies), behavioural therapy (five studies) and ...'."""
    counts = list(APPROACH_COUNT.finditer(sentence))
    if not counts or review.approaches:
        return
    verbs = list(LIST_VERB.finditer(sentence, 0, counts[0].start()))
    start = verbs[-1].end() if verbs else 0
    for match in counts:
        label = re.sub(r"^[\s,;]*(?:and\s+|or\s+)?", "", sentence[start : match.start()])
        _add_count(review.approaches, label.strip(), _number(match.group(1)))
        start = match.end()


def _read_countries(review: ParsedReview, text: str) -> None:
    """'13 were carried out in Canada, 11 in USA, and the remaining 13 in other ...'."""
    if review.countries:
        return
    for match in COUNTRY_COUNT.finditer(text):
        label = match.group(2).strip("\"'‘’")
        _add_count(review.countries, label, _number(match.group(1)))


def _add_count(counts: list[tuple[str, int]], label: str, count: int) -> None:
    if label and all(existing != label for existing, _ in counts):
        counts.append((label, count))


def check_reviews(reviews: list[ParsedReview]) -> list[str]:
    """Drop counts the database would refuse, saying so, rather than fail the import."""
    warnings = []
    for review in reviews:
        for name in ("rcts", "conflict_of_interest_studies"):
            value = getattr(review, name)
            if value is not None and review.studies is not None and value > review.studies:
                setattr(review, name, None)
                warnings.append(
                    f"{review.label}: {value} {name.replace('_', ' ')} is more than its "
                    f"{review.studies} studies; left empty."
                )
    return warnings


# How a toolkit summary says its reviews hold no economic evaluation: "Neither review
# mentioned the costs or benefits ...", "no formal economic analysis was provided",
# "The review did not report costs". Read only in the economic section, and never turned
# into a cost band: that would be a made-up figure.
NO_ECONOMIC_EVALUATION = re.compile(
    r"\b(?:neither\s+review\s+mentioned\s+(?:the\s+)?costs?"
    r"|no\s+(?:formal\s+)?economic\s+(?:analysis|evaluation)"
    r"|(?:did|does)\s+not\s+(?:mention|report|include)\s+(?:any\s+)?(?:the\s+)?costs?)",
    re.IGNORECASE,
)


def states_no_economic_evaluation(texts: list[str]) -> bool:
    """Whether the economic section's ``texts`` say the reviews hold no economic
    evaluation."""
    return any(NO_ECONOMIC_EVALUATION.search(" ".join(text.split())) for text in texts)
