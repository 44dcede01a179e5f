"""The text of an export becomes a ``ParsedSummary``: title, standfirst, sections, facts."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from summaries.models import SectionKind

from .facts import check_reviews, extract_reviews, states_no_economic_evaluation
from .paragraphs import Block, section_blocks, to_html
from .reading import too_large
from .result import ImportFailed, ParsedSummary
from .text import (
    Line,
    clean_line,
    join_lines,
    match_heading,
    page_links,
    split_sections,
    strip_furniture,
)

# Fewer headings than this, and the text is not a toolkit summary at all.
MIN_HEADINGS = 3
# "This summary is part of the ... Toolkit ... ." found in two steps, each linear: the
# opening, then the rest of its sentence from there (one pattern searched from every
# repeat of the opening was quadratic).
BOILERPLATE_START = re.compile(r"This summary is part of the ", re.IGNORECASE)
BOILERPLATE_REST = re.compile(r"[^.]*Toolkit[^.]*\.?\s*", re.IGNORECASE)
MAX_TITLE_LENGTH = 200


def _standfirst(preamble: list[Line]) -> tuple[str, list[str]]:
    """The text under the title, without the toolkit's boilerplate sentence."""
    text = join_lines(preamble)
    found = _boilerplate(text)
    if not found:
        return text, []
    start, end = found
    rest = text[end:].strip()
    warnings = [f"Text before the first heading was left out: '{rest}'"] if rest else []
    return text[:start].strip(), warnings


def _boilerplate(text: str) -> tuple[int, int] | None:
    """(start, end) of the toolkit's boilerplate sentence in ``text``, if it is there."""
    position = 0
    while opening := BOILERPLATE_START.search(text, position):
        if rest := BOILERPLATE_REST.match(text, opening.end()):
            return opening.start(), rest.end()
        # No "Toolkit" before the next full stop: no opening before it can match either.
        position = text.find(".", opening.end())
        if position < 0:
            return None
    return None


SEE_ALSO = re.compile(r"^See also:?\s+(.+?)\.?$")


def parse_summary(text: str) -> ParsedSummary:
    """Read a toolkit summary from the text of its PDF export."""
    if len(text) > settings.IMPORT_MAX_BYTES:  # characters: never more than its bytes
        raise ImportFailed(too_large("The text", settings.IMPORT_MAX_BYTES))
    raw_lines = [clean_line(raw) for raw in text.split("\n")]
    lines, urls, page_url = strip_furniture([line for line in raw_lines if line.text])
    if not lines or match_heading(lines, 0):
        raise ImportFailed("The text does not look like a toolkit summary: no title found.")
    title = lines[0].text
    if len(title) > MAX_TITLE_LENGTH:
        raise ImportFailed(
            "The text does not look like a toolkit summary: its first line is too long "
            f"to be a title ({len(title)} characters)."
        )
    preamble, section_lines, warnings = split_sections(lines[1:])
    if len(section_lines) < MIN_HEADINGS:
        raise ImportFailed(
            "The text does not look like a toolkit summary: no section headings found "
            f"(found {len(section_lines)} of the {len(SectionKind.values)})."
        )
    standfirst, standfirst_warnings = _standfirst(preamble)
    blocks = section_blocks(section_lines)
    texts = [block.text for kind in SectionKind.values for block in blocks.get(kind, [])]
    reviews = extract_reviews(texts)
    slug, slug_warnings = _page_slug(page_url)
    return ParsedSummary(
        title=title,
        standfirst=standfirst,
        sections={kind: to_html(blocks[kind]) for kind in SectionKind.values if kind in blocks},
        reviews=reviews,
        see_also=[m.group(1) for t in texts if (m := SEE_ALSO.match(t))],
        links=page_links(urls, page_url),
        warnings=[
            *standfirst_warnings,
            *slug_warnings,
            *warnings,
            *_section_warnings(blocks),
            *check_reviews(reviews),
        ],
        slug=slug,
        no_economic_evaluation=states_no_economic_evaluation(
            [block.text for block in blocks.get(SectionKind.ECONOMIC, [])]
        ),
    )


def _page_slug(page_url: str) -> tuple[str, list[str]]:
    """The slug in the page's own address, if it has one; else "" and maybe a warning.

    Old toolkit addresses end in "Intervention.aspx?InterventionID=8", which is no slug:
    the import then falls back to the title's slug, and says so. (A slug that is merely
    too long is kept, for the import to refuse by value.)
    """
    segment = urlsplit(page_url).path.rstrip("/").rsplit("/", 1)[-1] if page_url else ""
    if not segment:
        return "", []
    try:
        validate_slug(segment)
    except ValidationError:
        return "", [
            f"The page's address ends in '{segment[:60]}', which is not a valid slug; "
            "the slug is made from the title instead (or give one with --slug)."
        ]
    return segment, []


def _section_warnings(blocks: dict[str, list[Block]]) -> list[str]:
    warnings = []
    for kind, label in SectionKind.choices:
        if kind not in blocks:
            warnings.append(f"No '{label}' section was found; add it in the admin.")
        elif not blocks[kind]:
            warnings.append(f"The '{label}' section is empty.")
    if list(blocks) != [kind for kind in SectionKind.values if kind in blocks]:
        warnings.append("The sections were not in the usual order; they are saved in order.")
    return warnings
