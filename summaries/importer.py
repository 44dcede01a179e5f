"""Turn a toolkit text export (a summary page printed to PDF, then to text) into a draft.

Three steps, each usable on its own:

- ``read_export`` reads the file and refuses anything that is not UTF-8 text, so a wrong
  file never reaches the parser and we never guess an encoding;
- ``parse_summary`` undoes the damage of the PDF-to-text export (hard-wrapped lines, page
  header/footer blocks, lost bullets, ``?`` artefacts, wrapped headings) and reads the
  review facts (study counts, breakdowns) from the text;
- ``save_as_draft`` writes the result as a new draft version, never touching a live one.

Blank lines carry no meaning in these exports (most wrapped lines of one paragraph are
separated by one), so the parser ignores them and decides where paragraphs and list items
end from punctuation, capitals and line length instead.
"""

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from .models import (
    BreakdownKind,
    CountUnit,
    Intervention,
    ReviewBreakdown,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
)
from .sanitize import sanitize_html
from .services import ServiceError, intervention_create


class ImportFailed(Exception):
    """The export cannot be imported; the message is one line for the user."""


# --- Result ---------------------------------------------------------------------------


@dataclass
class ParsedReview:
    """What the text says about one systematic review; None where it does not say."""

    label: str
    studies: int | None = None
    tests: int | None = None
    published_up_to: int | None = None
    rcts: int | None = None
    conflict_of_interest_studies: int | None = None
    approaches: list[tuple[str, int]] = field(default_factory=list)
    countries: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ParsedSummary:
    """A summary read from an export, ready to be checked (dry run) or saved as a draft."""

    title: str
    standfirst: str
    sections: dict[str, str]
    reviews: list[ParsedReview] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The address the toolkit gave the page, when the export shows it: importing under
    # the same address keeps old links working. Empty when unknown.
    slug: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# --- Reading the file -----------------------------------------------------------------

CONTROL_BYTES = set(range(32)) - {9, 10, 12, 13}
MAX_CONTROL_RATIO = 0.05


def read_export(path) -> str:
    """Return the text of the export at ``path`` with LF line ends.

    Only UTF-8 is accepted (a BOM is fine): guessing Latin-1 would silently turn a
    wrongly saved file into mojibake that an editor might publish.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file.")
    data = path.read_bytes()
    _refuse_non_text(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            f"{path.name} is not valid UTF-8 (byte 0x{data[exc.start]:02X} on line {line}); "
            "it may be Latin-1 or Windows-1252: save it as UTF-8 and try again."
        ) from exc
    if not text.strip():
        raise ImportFailed(f"{path.name} is empty.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refuse_non_text(path: Path, data: bytes) -> None:
    if not data.strip():
        raise ImportFailed(f"{path.name} is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(data):
        raise ImportFailed(
            f"{path.name} is UTF-16 encoded, not UTF-8: save it as UTF-8 and try again."
        )
    controls = sum(byte in CONTROL_BYTES for byte in data)
    if b"\x00" in data or controls > MAX_CONTROL_RATIO * len(data):
        raise ImportFailed(f"{path.name} is not a text file (it holds binary data).")


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, and only there."""
    sample = data[:4000]
    ratios = sorted(half.count(0) / max(len(half), 1) for half in (sample[0::2], sample[1::2]))
    return ratios[0] < 0.05 and ratios[1] > 0.4


# --- Lines and page furniture ---------------------------------------------------------


@dataclass
class _Line:
    text: str
    bullet: bool = False  # the line started with a bullet the export mangled into "?"


ARTEFACTS = re.compile(r"\?{2,}|[\u00ad\u200b\ufeff\ufffd]")
BULLET = re.compile(r"^[?•◦▪·]\s*")
URL_LINE = re.compile(r"^https?://\S+$")
URL_TAIL = re.compile(r"^[\w~%/?#=&+.-]*[/-][\w~%/?#=&+.-]*$")
DATE_LINE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}(?:,?\s+\d{1,2}:\d{2}(?:\s*[AP]M)?)?(?:\s.*)?$")
PAGE_LINE = re.compile(r"^Page\s+\d+(?:\s+of\s+\d+)?$", re.IGNORECASE)


def _clean_line(raw: str) -> _Line:
    """One physical line without artefacts, odd spaces or a mangled bullet."""
    text = " ".join(ARTEFACTS.sub("", raw.replace("\u00a0", " ")).split())
    bullet = BULLET.match(text)
    if bullet:
        return _Line(text[bullet.end() :], bullet=True)
    return _Line(text)


def _strip_furniture(lines: list[_Line]) -> tuple[list[_Line], list[str], str]:
    """Drop page header/footer blocks wherever they fall; return (lines, urls, page url).

    A block is a date line, the page address (possibly wrapped), ``Page N`` and a run of
    the page's link addresses, one per line. The page address is the first address after
    a date line.
    """
    kept, urls, page_url = [], [], ""
    after_date = False
    i = 0
    while i < len(lines):
        text = lines[i].text
        if URL_LINE.match(text):
            while text.endswith(("-", "/")) and i + 1 < len(lines):
                if not URL_TAIL.match(lines[i + 1].text):
                    break
                i += 1
                text += lines[i].text
            urls.append(text)
            if after_date and not page_url:
                page_url = text
        elif DATE_LINE.match(text):
            after_date = True
        elif not PAGE_LINE.match(text):
            kept.append(lines[i])
        i += 1
    return kept, urls, page_url


def _page_links(urls: list[str], page_url: str) -> list[str]:
    """The page's links, once each, without the page's own address on any host."""
    own_path = urlsplit(page_url).path.rstrip("/") if page_url else None
    links = []
    for url in urls:
        if urlsplit(url).path.rstrip("/") != own_path and url not in links:
            links.append(url)
    return links


# --- Headings and sections ------------------------------------------------------------


def _heading_key(text: str) -> tuple[str, ...]:
    """Words of a heading, ignoring case, dashes and punctuation the export may vary."""
    return tuple(re.sub(r"[-–—:?.]", " ", text.lower()).split())


HEADING_KEYS = {_heading_key(label): kind for kind, label in SectionKind.choices}
MAX_HEADING_LINES = 3
MIN_HEADINGS = 3


def _match_heading(lines: list[_Line], start: int) -> tuple[str, int] | None:
    """(section kind, number of lines) if a heading, possibly wrapped, starts here."""
    words: tuple[str, ...] = ()
    for count, line in enumerate(lines[start : start + MAX_HEADING_LINES], start=1):
        words += _heading_key(line.text)
        if words in HEADING_KEYS:
            return HEADING_KEYS[words], count
        if not any(key[: len(words)] == words for key in HEADING_KEYS):
            return None
    return None


def _split_sections(lines: list[_Line]) -> tuple[list[_Line], dict[str, list[_Line]], list]:
    """(lines before the first heading, lines of each section by kind, warnings)."""
    preamble: list[_Line] = []
    sections: dict[str, list[_Line]] = {}
    warnings = []
    current = preamble
    i = 0
    while i < len(lines):
        match = _match_heading(lines, i)
        if match and match[0] not in sections:
            kind, used = match
            sections[kind] = current = []
            i += used
            continue
        if match:
            warnings.append(f"The heading '{lines[i].text}' appears twice; kept as text.")
        current.append(lines[i])
        i += 1
    return preamble, sections, warnings


# --- Paragraphs and lists -------------------------------------------------------------

STOP_END = re.compile(r"[.?!;][\"'’”)\]]*$")
NEW_SENTENCE = re.compile(r"^[\"'‘“(\[]*[A-Z0-9]")
CAPITALISED = re.compile(r"^[A-Z][a-z]")
HYPHEN_END = re.compile(r"[A-Za-z]-$")
SUSPENDED_HYPHEN_NEXT = {"and", "or", "nor", "to"}  # "high-" / "and medium-risk"
CONNECTIVE = re.compile(
    r"^(?:However|Although|Though|While|Whilst|Similarly|Overall|Additionally|"
    r"In addition|Furthermore|Moreover|Nevertheless|Nonetheless|Therefore|Thus|"
    r"Consequently|As such|For example|In contrast|By contrast|In summary|Finally|See also)\b"
)
LABELLED_ITEM = re.compile(r"^[A-Z][\w'’ -]{0,40}:\s+\S")
# Proportional fonts wrap a few characters early, so where the export has such wraps a
# line counts as ending short only with this much room to spare (a share of the width).
PROPORTIONAL_SLACK = 0.04
# Before the wrap width is measured, a line plus the next word must stay under this share
# of the longest line to count as ending short.
FIRST_READING_FIT = 0.9


@dataclass
class _Block:
    kind: str  # "p" or "li"
    lines: list[_Line]

    @property
    def text(self) -> str:
        return _join(self.lines)


def _join(lines: Iterable[_Line]) -> str:
    """Re-join wrapped lines; a hyphen at a line end is kept (the exports do not hyphenate)."""
    text = ""
    for line in lines:
        first_word = line.text.split(" ", 1)[0]
        if HYPHEN_END.search(text) and first_word not in SUSPENDED_HYPHEN_NEXT:
            text += line.text
        else:
            text = f"{text} {line.text}" if text else line.text
    return text


def _wrap_total(line: _Line, next_line: _Line) -> int:
    """The length the line would have had if the next line's first word had stayed on it."""
    return len(line.text) + 1 + len(next_line.text.split(" ", 1)[0])


def _ends_block(block: list[_Line], next_line: _Line, *, in_list: bool, limit: float) -> bool:
    """Whether the paragraph or list item made of ``block`` ends before ``next_line``."""
    line = block[-1]
    if next_line.bullet or line.text.endswith(":"):
        return True
    if STOP_END.search(line.text):
        return bool(NEW_SENTENCE.match(next_line.text))
    if not in_list:
        return False
    # Lost bullets: an item without final punctuation ends where its line ends short
    # (the next word would have fitted on it), or where a list of lower-case items
    # meets a capitalised word that starts the text after the list.
    return _wrap_total(line, next_line) <= limit or (
        block[0].text[:1].islower() and bool(CAPITALISED.match(next_line.text))
    )


def _in_list(blocks: list[_Block]) -> bool:
    return bool(blocks) and (blocks[-1].kind == "li" or blocks[-1].text.endswith(":"))


def _classify(lines: list[_Line], blocks: list[_Block]) -> _Block:
    """A paragraph, or an item of the list that a line ending in ':' opened."""
    text = _join(lines)
    if lines[0].bullet:
        return _Block("li", lines)
    if not _in_list(blocks) or text.endswith(":") or CONNECTIVE.match(text):
        return _Block("p", lines)
    items = []
    for block in reversed(blocks):
        if block.kind != "li":
            break
        items.insert(0, block.text)
    if items and STOP_END.search(text) and not any(STOP_END.search(item) for item in items):
        return _Block("p", lines)  # prose after a list of short unpunctuated items
    if items and items[0][:1].islower() and CAPITALISED.match(text) and STOP_END.search(text):
        return _Block("p", lines)  # a sentence after a list of lower-case items
    if items and LABELLED_ITEM.match(items[0]) and not LABELLED_ITEM.match(text):
        return _Block("p", lines)  # the list was "Label: sentence" items and this is not
    return _Block("li", lines)


def _blocks(lines: list[_Line], limit: float) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[_Line] = []
    for line in lines:
        in_list = _in_list(blocks) or bool(current and current[0].bullet)
        if current and _ends_block(current, line, in_list=in_list, limit=limit):
            blocks.append(_classify(current, blocks))
            current = []
        current.append(line)
    if current:
        blocks.append(_classify(current, blocks))
    return _mend_labelled_lists(_rejoin_run_on_colons(blocks))


def _rejoin_run_on_colons(blocks: list[_Block]) -> list[_Block]:
    """A colon that merely fell at a line end opens no list: "...two factors:" / "the risk
    posed ... and how specialised it is." is one paragraph, not a list of one item."""
    result: list[_Block] = []
    for index, block in enumerate(blocks):
        follows = blocks[index + 1].kind if index + 1 < len(blocks) else None
        if (
            block.kind == "li"
            and follows != "li"
            and result
            and result[-1].kind == "p"
            and result[-1].text.endswith(":")
            and block.text[:1].islower()
            and STOP_END.search(block.text)
        ):
            result[-1] = _Block("p", result[-1].lines + block.lines)
        else:
            result.append(block)
    return result


def _mend_labelled_lists(blocks: list[_Block]) -> list[_Block]:
    """Keep a list of "Label: sentences." items whole when an item's second sentence
    started a line: that sentence belongs to the item, and the items after it too."""
    result: list[_Block] = []
    for index, block in enumerate(blocks):
        after_item = bool(result) and result[-1].kind == "li"
        after_item = after_item and bool(LABELLED_ITEM.match(result[-1].text))
        follows = blocks[index + 1].text if index + 1 < len(blocks) else ""
        if after_item and block.kind == "p" and LABELLED_ITEM.match(block.text):
            result.append(_Block("li", block.lines))
        elif after_item and block.kind == "p" and LABELLED_ITEM.match(follows):
            result[-1] = _Block("li", result[-1].lines + block.lines)
        else:
            result.append(block)
    return result


def _section_blocks(sections: dict[str, list[_Line]]) -> dict[str, list[_Block]]:
    """Paragraphs and list items of each section.

    Where a list item without final punctuation ends can only be told from line lengths,
    so the wrap width is measured first, from the paragraphs of a rough first reading.
    """
    lines = [line for section in sections.values() for line in section]
    width = max((len(line.text) for line in lines), default=0)
    rough = {
        kind: _blocks(section, FIRST_READING_FIT * width) for kind, section in sections.items()
    }
    limit = _fit_limit(rough.values(), width)
    return {kind: _blocks(section, limit) for kind, section in sections.items()}


def _fit_limit(sections: Iterable[list[_Block]], width: int) -> float:
    """The longest a line plus the next word may be and still count as a deliberate break.

    Inside paragraphs, a line without final punctuation followed by a lower-case word is
    certainly wrapped. If every such wrap really overflowed the width, the export wraps
    exactly (a fixed-width font): trust the width. Otherwise it wraps early by a font's
    varying letter widths: stay clear of the tightest wrap seen.
    """
    totals = [
        _wrap_total(line, next_line)
        for blocks in sections
        for block in blocks
        if block.kind == "p"
        for line, next_line in zip(block.lines, block.lines[1:], strict=False)
        if not STOP_END.search(line.text) and next_line.text[:1].islower()
    ]
    if not totals:
        return FIRST_READING_FIT * width
    if min(totals) > width:
        return width
    return min(totals) - 1 - PROPORTIONAL_SLACK * width


def _to_html(blocks: list[_Block]) -> str:
    parts = []
    for index, block in enumerate(blocks):
        text = escape(block.text)
        if block.kind == "p":
            parts.append(f"<p>{text}</p>")
            continue
        opens = index == 0 or blocks[index - 1].kind != "li"
        closes = index == len(blocks) - 1 or blocks[index + 1].kind != "li"
        parts.append(f"{'<ul>' if opens else ''}<li>{text}</li>{'</ul>' if closes else ''}")
    return sanitize_html("".join(parts))


# --- Title and standfirst -------------------------------------------------------------

BOILERPLATE = re.compile(r"This summary is part of the [^.]*Toolkit[^.]*\.?\s*", re.IGNORECASE)
MAX_TITLE_LENGTH = 200


def _standfirst(preamble: list[_Line]) -> tuple[str, list[str]]:
    """The text under the title, without the toolkit's boilerplate sentence."""
    text = _join(preamble)
    match = BOILERPLATE.search(text)
    if not match:
        return text, []
    rest = text[match.end() :].strip()
    warnings = [f"Text before the first heading was left out: '{rest}'"] if rest else []
    return text[: match.start()].strip(), warnings


# --- Review facts ---------------------------------------------------------------------

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
TESTS = re.compile(
    rf"\b(?:produced|yielded|provided|contained|included|reported)\s+({NUM})\s+tests\b",
    re.IGNORECASE,
)
RCTS = re.compile(
    rf"\b({NUM})\s+(?:of\s+the(?:se)?\s+)?(?:primary\s+)?studies\s+were\s+"
    r"(?:randomi[sz]ed\s+controlled\s+trials|RCTs)\b",
    re.IGNORECASE,
)
CONFLICT = re.compile(rf"conflict of interest.*?\bin\s+({NUM})\s+of\s+the\s+({NUM})\b", re.I)
APPROACH_COUNT = re.compile(rf"\(({NUM})\s+(?:primary\s+)?stud(?:y|ies)\)", re.IGNORECASE)
LIST_VERB = re.compile(r"\b(?:covered|included|including|comprised|examined|were)\b|:")
COUNTRY_COUNT = re.compile(
    rf"\b({NUM})\s+(?:were\s+(?:carried\s+out|conducted|based)\s+)?(?:in|from)\s+(?:the\s+)?"
    r"([\"'‘’]?other[\"'‘’]?|[A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*)*)"
)
FOLLOW_ON = re.compile(r"^(?:Of\s+(?:these|those|them|the\s+\w+\s+tests))\b", re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+(?=[\"'‘“(]*[A-Z0-9])")


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    return sum(NUMBER_WORDS[part] for part in text.lower().split("-"))


def _review_label(number: str) -> str:
    n = _number(number)
    return f"Review {UNITS[n]}" if 0 < n < len(UNITS) else f"Review {n}"


def _sentences(texts: Iterable[str]) -> list[str]:
    return [s for text in texts for s in SENTENCE_BREAK.split(text) if s]


def _extract_reviews(texts: list[str]) -> list[ParsedReview]:
    """Facts about each review, read sentence by sentence.

    A sentence is about the first review it names, or else the one the sentence before
    was about ("For Review one, these included:" then the items of the list).
    """
    reviews: dict[str, ParsedReview] = {}
    current = None
    after_tests = False
    for sentence in _sentences(texts):
        label = REVIEW_LABEL.search(sentence)
        if label:
            name = _review_label(label.group(1))
            current = reviews.setdefault(name, ParsedReview(label=name))
        if current is None:
            continue
        _read_counts(current, sentence)
        tests = TESTS.search(sentence)
        if tests:
            _read_countries(current, sentence[tests.end() :])
        elif after_tests and FOLLOW_ON.match(sentence):
            _read_countries(current, sentence)
        after_tests = bool(tests)
        _read_approaches(current, sentence)
    return sorted(reviews.values(), key=lambda r: _number(r.label.split()[-1]))


def _read_counts(review: ParsedReview, sentence: str) -> None:
    """Fill in the single-number facts this sentence states; the first statement wins."""
    if match := STUDIES_UP_TO.search(sentence):
        review.studies = review.studies or _number(match.group(1))
        review.published_up_to = review.published_up_to or int(match.group(2))
    if (match := STUDIES_IN.search(sentence)) and review.studies is None:
        review.studies = _number(match.group(1))
    if (match := TESTS.search(sentence)) and review.tests is None:
        review.tests = _number(match.group(1))
    if (match := RCTS.search(sentence)) and review.rcts is None:
        review.rcts = _number(match.group(1))
    if (match := CONFLICT.search(sentence)) and review.conflict_of_interest_studies is None:
        review.conflict_of_interest_studies = _number(match.group(1))


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


def _check_reviews(reviews: list[ParsedReview]) -> list[str]:
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


# --- Parsing --------------------------------------------------------------------------

SEE_ALSO = re.compile(r"^See also:?\s+(.+?)\.?$")


def parse_summary(text: str) -> ParsedSummary:
    """Read a toolkit summary from the text of its PDF export."""
    raw_lines = [_clean_line(raw) for raw in text.split("\n")]
    lines, urls, page_url = _strip_furniture([line for line in raw_lines if line.text])
    if not lines or _match_heading(lines, 0):
        raise ImportFailed("The text does not look like a toolkit summary: no title found.")
    title = lines[0].text
    if len(title) > MAX_TITLE_LENGTH:
        raise ImportFailed(
            "The text does not look like a toolkit summary: its first line is too long "
            f"to be a title ({len(title)} characters)."
        )
    preamble, section_lines, warnings = _split_sections(lines[1:])
    if len(section_lines) < MIN_HEADINGS:
        raise ImportFailed(
            "The text does not look like a toolkit summary: no section headings found "
            f"(found {len(section_lines)} of the {len(SectionKind.values)})."
        )
    standfirst, standfirst_warnings = _standfirst(preamble)
    blocks = _section_blocks(section_lines)
    texts = [block.text for kind in SectionKind.values for block in blocks.get(kind, [])]
    reviews = _extract_reviews(texts)
    return ParsedSummary(
        title=title,
        standfirst=standfirst,
        sections={kind: _to_html(blocks[kind]) for kind in SectionKind.values if kind in blocks},
        reviews=reviews,
        see_also=[m.group(1) for t in texts if (m := SEE_ALSO.match(t))],
        links=_page_links(urls, page_url),
        warnings=[
            *standfirst_warnings,
            *warnings,
            *_section_warnings(blocks),
            *_check_reviews(reviews),
        ],
        slug=urlsplit(page_url).path.rstrip("/").rsplit("/", 1)[-1] if page_url else "",
    )


def _section_warnings(blocks: dict[str, list[_Block]]) -> list[str]:
    warnings = []
    for kind, label in SectionKind.choices:
        if kind not in blocks:
            warnings.append(f"No '{label}' section was found; add it in the admin.")
        elif not blocks[kind]:
            warnings.append(f"The '{label}' section is empty.")
    if list(blocks) != [kind for kind in SectionKind.values if kind in blocks]:
        warnings.append("The sections were not in the usual order; they are saved in order.")
    return warnings


# --- Saving ---------------------------------------------------------------------------


@transaction.atomic
def save_as_draft(
    parsed: ParsedSummary, *, slug: str | None = None, user=None, source_name: str | None = None
) -> SummaryVersion:
    """Save ``parsed`` as a new draft version and return it.

    The slug defaults to the page's own address in the export, else the slugified title.
    A new intervention gets its first draft; an existing one gets a new draft holding the
    imported content (its live version stays live until the draft is published). An
    existing open draft is never overwritten: the import is refused instead.
    """
    slug = slug or parsed.slug or slugify(parsed.title)[:120]
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise ImportFailed(f"'{slug}' is not a valid address (slug).") from exc
    note = f"Imported from {source_name or 'a toolkit text export'}"[:500]
    intervention = Intervention.objects.select_for_update().filter(slug=slug).first()
    if intervention is None:
        version = _create_intervention(parsed, slug=slug, user=user)
        version.change_note = note
        version.save(update_fields=["change_note", "updated_at"])
    else:
        open_draft = intervention.versions.open().first()
        if open_draft:
            raise ImportFailed(
                f"'{slug}' already has an open draft (version {open_draft.number}); "
                "publish or archive it before importing again."
            )
        version = SummaryVersion.objects.create(
            intervention=intervention,
            state=State.DRAFT,
            title=parsed.title,
            standfirst=parsed.standfirst,
            change_note=note,
            created_by=user,
        )
    _save_content(version, parsed)
    return version


def _create_intervention(parsed: ParsedSummary, *, slug: str, user) -> SummaryVersion:
    try:
        return intervention_create(
            slug=slug, title=parsed.title, standfirst=parsed.standfirst, user=user
        )
    except ServiceError as exc:
        raise ImportFailed(str(exc)) from exc


def _save_content(version: SummaryVersion, parsed: ParsedSummary) -> None:
    # Saved one by one, not in bulk: Section.save() sanitises the body and sets the order.
    for kind, body in parsed.sections.items():
        Section.objects.create(version=version, kind=kind, body=body)
    for position, parsed_review in enumerate(parsed.reviews, start=1):
        review = SystematicReview.objects.create(
            version=version,
            position=position,
            label=parsed_review.label,
            studies=parsed_review.studies,
            tests=parsed_review.tests,
            published_up_to=parsed_review.published_up_to,
            rcts=parsed_review.rcts,
            conflict_of_interest_studies=parsed_review.conflict_of_interest_studies,
        )
        ReviewBreakdown.objects.bulk_create(
            [
                *_breakdowns(review, parsed_review.approaches, BreakdownKind.APPROACH),
                *_breakdowns(review, parsed_review.countries, BreakdownKind.COUNTRY),
            ]
        )


def _breakdowns(review, counts, kind) -> list[ReviewBreakdown]:
    unit = CountUnit.STUDIES if kind == BreakdownKind.APPROACH else CountUnit.TESTS
    return [
        ReviewBreakdown(
            review=review, kind=kind, label=label, count=count, unit=unit, position=position
        )
        for position, (label, count) in enumerate(counts, start=1)
    ]
