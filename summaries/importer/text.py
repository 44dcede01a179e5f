"""Lines of the export: artefacts and page furniture removed, split at the section headings."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from summaries.models import SectionKind

# --- Lines and page furniture ---------------------------------------------------------


@dataclass
class Line:
    text: str
    bullet: bool = False  # the line started with a bullet the export mangled into "?"


ARTEFACTS = re.compile(r"\?{2,}|[\u00ad\u200b\ufeff\ufffd]")
BULLET = re.compile(r"^[?•◦▪·]\s*")
URL_LINE = re.compile(r"^https?://\S+$")
# Characters of an address's wrapped tail. One starred class, matched whole: the former
# "[...]*[/-][...]*$" backtracked quadratically on a long run of slashes.
URL_CHARS = re.compile(r"[\w~%/?#=&+.-]*")
DATE_LINE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}(?:,?\s+\d{1,2}:\d{2}(?:\s*[AP]M)?)?(?:\s.*)?$")
PAGE_LINE = re.compile(r"^Page\s+\d+(?:\s+of\s+\d+)?$", re.IGNORECASE)


def clean_line(raw: str) -> Line:
    """One physical line without artefacts, odd spaces or a mangled bullet."""
    text = " ".join(ARTEFACTS.sub("", raw.replace("\u00a0", " ")).split())
    bullet = BULLET.match(text)
    if bullet:
        return Line(text[bullet.end() :], bullet=True)
    return Line(text)


def strip_furniture(lines: list[Line]) -> tuple[list[Line], list[str], str]:
    """Drop page header/footer blocks wherever they fall; return (lines, urls, page url).

    A block is a date line, the page address (possibly wrapped), ``Page N`` and a run of
    the page's link addresses, one per line. The page address is the first address after
    a date line.
    """
    # Linear in the number of lines: every line is looked at once.
    kept, urls, page_url = [], [], ""
    after_date = False
    i = 0
    while i < len(lines):
        text = lines[i].text
        if URL_LINE.match(text):
            parts = [text]
            while i + 1 < len(lines) and _is_url_tail(parts[-1], lines[i + 1].text):
                i += 1
                parts.append(lines[i].text)
            text = "".join(parts)
            urls.append(text)
            if after_date and not page_url:
                page_url = text
        elif DATE_LINE.match(text):
            after_date = True
        elif not PAGE_LINE.match(text):
            kept.append(lines[i])
        i += 1
    return kept, urls, page_url


def _is_url_tail(address: str, text: str) -> bool:
    """Whether the line ``text`` is the wrapped rest of ``address``.

    Addresses wrap after '-' or '/' in the path (the rest holds one too), and after '?',
    '&' or '=' in the query ("...Intervention.aspx?" / "InterventionID=8").
    """
    if not URL_CHARS.fullmatch(text):
        return False
    if address.endswith(("-", "/")):
        return "/" in text or "-" in text
    if address.endswith(("?", "&")):
        return "=" in text
    return address.endswith("=")


def page_links(urls: list[str], page_url: str) -> list[str]:
    """The page's links, once each, without the page's own address on any host."""
    own_path = urlsplit(page_url).path.rstrip("/") if page_url else None
    links: dict[str, None] = {}  # ordered, and a set: many addresses stay linear
    for url in urls:
        if urlsplit(url).path.rstrip("/") != own_path:
            links.setdefault(url)
    return list(links)


# --- Headings and sections ------------------------------------------------------------


def _heading_key(text: str) -> tuple[str, ...]:
    """Words of a heading, ignoring case, dashes and punctuation the export may vary."""
    return tuple(re.sub(r"[-–—:?.]", " ", text.lower()).split())


HEADING_KEYS = {_heading_key(label): kind for kind, label in SectionKind.choices}
MAX_HEADING_LINES = 3


def match_heading(lines: list[Line], start: int) -> tuple[str, int] | None:
    """(section kind, number of lines) if a heading, possibly wrapped, starts here."""
    words: tuple[str, ...] = ()
    for count, line in enumerate(lines[start : start + MAX_HEADING_LINES], start=1):
        words += _heading_key(line.text)
        if words in HEADING_KEYS:
            return HEADING_KEYS[words], count
        if not any(key[: len(words)] == words for key in HEADING_KEYS):
            return None
    return None


def split_sections(lines: list[Line]) -> tuple[list[Line], dict[str, list[Line]], list]:
    """(lines before the first heading, lines of each section by kind, warnings)."""
    preamble: list[Line] = []
    sections: dict[str, list[Line]] = {}
    warnings = []
    current = preamble
    i = 0
    while i < len(lines):
        match = match_heading(lines, i)
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


# --- Re-joining wrapped lines ---------------------------------------------------------

HYPHEN_END = re.compile(r"[A-Za-z]-$")
SUSPENDED_HYPHEN_NEXT = {"and", "or", "nor", "to"}  # "high-" / "and medium-risk"


def join_lines(lines: Iterable[Line]) -> str:
    """Re-join wrapped lines; a hyphen at a line end is kept (the exports do not hyphenate).

    Built from parts, looking only at the end of the text so far: linear however many
    lines a paragraph has.
    """
    parts: list[str] = []
    end = ""  # the last two characters of the text so far
    for line in lines:
        first_word = line.text.split(" ", 1)[0]
        if HYPHEN_END.search(end) and first_word not in SUSPENDED_HYPHEN_NEXT:
            added = line.text
        else:
            added = f" {line.text}" if end else line.text
        parts.append(added)
        end = (end + added)[-2:]
    return "".join(parts)
