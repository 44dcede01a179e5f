"""The content checks every toolkit has (README.md beside this file says why each and
how its thresholds were chosen). Each takes a ``Draft`` and yields ``Finding``s."""

import re
from collections.abc import Iterator

import textstat
from django.conf import settings
from django.utils import formats, timezone

from summaries.models import LinkCheck, SectionKind

from .draft import RATING_SECTIONS, Draft
from .registry import Finding, Place, register
from .text import around, as_prose, read_html, sentences, shorten, words

STANDFIRST = Place("standfirst", "Standfirst")
RATING_LABELS = {
    "effect": "Effect rating",
    "quality": "Quality of evidence rating",
    "mechanism": "Mechanism rating",
    "moderators": "Moderators rating",
    "implementation": "Implementation rating",
    "economic_cost": "Economic cost rating",
}
# How many long sentences are quoted for one text; more are counted.
QUOTED_SENTENCES = 3


def section_place(kind: str) -> Place:
    return Place("section", f"Section “{SectionKind(kind).label}”", key=kind)


def texts(draft: Draft) -> Iterator[tuple[Place, list[str]]]:
    """The standfirst and each section, in page order, as blocks of plain text."""
    yield STANDFIRST, [line for line in draft.standfirst.split("\n") if line.strip()]
    for kind in SectionKind.values:
        yield section_place(kind), read_html(draft.sections.get(kind, ""))[0]


# --- Readability ---------------------------------------------------------------------


@register("readability", title="Readability")
def readability(draft: Draft) -> Iterator[Finding]:
    """Flesch reading ease of each text long enough to score, and its long sentences."""
    least = settings.CONTENT_CHECK_READING_EASE_MIN
    longest = settings.CONTENT_CHECK_SENTENCE_MAX_WORDS
    for place, blocks in texts(draft):
        prose = as_prose(blocks)
        if len(words(prose)) >= settings.CONTENT_CHECK_READING_MIN_WORDS:
            score = textstat.flesch_reading_ease(prose)
            if score < least:
                yield Finding(
                    place,
                    f"Hard to read: Flesch reading ease {score:.0f}, below {least} (0 to "
                    "100, higher is easier). Shorter sentences and words help.",
                )
        long = [s for s in sentences(blocks) if len(words(s)) > longest]
        for index, sentence in enumerate(long[:QUOTED_SENTENCES]):
            more = len(long) - QUOTED_SENTENCES
            yield Finding(
                place,
                f"A sentence of {len(words(sentence))} words (more than {longest}): consider "
                "splitting it."
                + (
                    f" {more} more long sentence{'s' if more > 1 else ''} here."
                    if more > 0 and index == QUOTED_SENTENCES - 1
                    else ""
                ),
                excerpt=shorten(sentence),
            )


# --- Abbreviations ---------------------------------------------------------------------

# Two or more capitals (digits may follow), and a plural "s": "MST", "RCTs", "COVID".
_ABBREVIATION = re.compile(r"\b([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(s?)\b")
_ROMAN = re.compile(r"^[IVXLC]+$")
_BEFORE = re.compile(r"\(\s*$")
_AFTER_BRACKETS = re.compile(r"^\s*\(([^()]{2,150})\)")


def long_form(short: str, candidate: str) -> str | None:
    """The words of ``candidate`` (text just before or after an abbreviation) that spell
    ``short`` out, or None: each of its letters, from the last, found in order going back
    through the text, its first letter at the start of a word (Schwartz and Hearst, "A
    simple algorithm for identifying abbreviation definitions in biomedical text", 2003)."""
    letters = [c.lower() for c in short if c.isalnum()]
    text = candidate.lower()
    at = len(text) - 1
    for index in range(len(letters) - 1, -1, -1):
        letter = letters[index]
        while at >= 0 and (
            text[at] != letter or (index == 0 and at > 0 and text[at - 1].isalnum())
        ):
            at -= 1
        if at < 0:
            return None
        at -= 1
    start = at + 1
    return candidate[start:].strip() or None


def _spelt_out(short: str, text: str, start: int, end: int) -> bool:
    """Whether the abbreviation at ``text[start:end]`` is spelt out where it stands: its
    expansion in brackets after it, or it in brackets after its expansion."""
    after = _AFTER_BRACKETS.match(text[end:])
    if after and long_form(short, after.group(1)) and len(words(after.group(1))) > 1:
        return True
    opening = _BEFORE.search(text[:start])
    if opening and text[end:].lstrip().startswith((")", ";", ",")):
        window = min(len(short) + 5, len(short) * 2)
        preceding = " ".join(text[: opening.start()].split()[-window:])
        found = long_form(short, preceding)
        return bool(found and len(words(found)) > 1)
    return False


@register("abbreviations", title="Abbreviations spelt out")
def abbreviations(draft: Draft) -> Iterator[Finding]:
    """Each abbreviation spelt out at its first use in the summary (in page order)."""
    known = {name.upper() for name in settings.CONTENT_CHECK_KNOWN_ABBREVIATIONS}
    first: dict[str, tuple[Place, str, bool]] = {}
    spelt_later: dict[str, str] = {}
    for place, blocks in texts(draft):
        for block in blocks:
            for match in _ABBREVIATION.finditer(block):
                short = match.group(1)
                if short in known or _ROMAN.match(short) or len(short) > 10:
                    continue
                ok = _spelt_out(match.group(0), block, match.start(), match.end())
                if short not in first:
                    first[short] = (place, around(block, match.start(), match.end()), ok)
                elif ok and short not in spelt_later:
                    spelt_later[short] = place.label
    for short, (place, excerpt, ok) in first.items():
        if ok:
            continue
        later = spelt_later.get(short)
        yield Finding(
            place,
            f"“{short}” is not spelt out at its first use. Write it in full there, with the "
            f"abbreviation in brackets after it"
            + (f" (it is spelt out later, in {later})." if later else "."),
            excerpt=excerpt,
        )


# --- Link text -------------------------------------------------------------------------


def _vague(text: str, href: str) -> str:
    """Why ``text`` says nothing of where its link goes ("" if it does)."""
    plain = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    if not plain:
        return "The link has no text."
    if plain in {t.lower() for t in settings.CONTENT_CHECK_VAGUE_LINK_TEXTS}:
        return f"The link text “{text}” does not say where it leads."
    stripped = text.strip().rstrip("/")
    if stripped.startswith(("http://", "https://", "www.")) or (
        href and stripped == href.strip().rstrip("/")
    ):
        return "The link's text is its bare address: say what the page is instead."
    return ""


@register("link-text", title="Meaningful link text")
def link_text(draft: Draft) -> Iterator[Finding]:
    """Links say where they lead: not "click here", "read more" or a bare address."""
    for place, _ in texts(draft):
        if place.field != "section":
            continue
        for link in read_html(draft.sections.get(place.key, ""))[1]:
            if problem := _vague(link.text, link.href):
                yield Finding(
                    place,
                    f"{problem} Screen-reader users often list a page's links out of context.",
                    excerpt=link.text or link.href,
                )
    for row in draft.external_links:
        if problem := _vague(row.title, row.url):
            yield Finding(
                Place(
                    "external_links",
                    f"Further reading {row.row + 1}: title",
                    row=row.row,
                    row_field="title",
                ),
                problem,
                excerpt=row.title,
            )


# --- Sections and standfirst -------------------------------------------------------------


@register("short-sections", title="Empty or very short sections")
def short_sections(draft: Draft) -> Iterator[Finding]:
    least = settings.CONTENT_CHECK_SECTION_MIN_WORDS
    for kind in SectionKind.values:
        count = (
            len(words(as_prose(read_html(draft.sections.get(kind, ""))[0])))
            if draft.sections.get(kind)
            else 0
        )
        if count == 0:
            yield Finding(section_place(kind), "The section is empty.")
        elif count < least:
            yield Finding(
                section_place(kind),
                f"The section is very short: {count} word{'s' if count > 1 else ''} "
                f"(fewer than {least}).",
            )


@register("standfirst-length", title="Standfirst length")
def standfirst_length(draft: Draft) -> Iterator[Finding]:
    most = settings.CONTENT_CHECK_STANDFIRST_MAX_CHARS
    text = " ".join(draft.standfirst.split())
    if len(text) > most:
        yield Finding(
            STANDFIRST,
            f"The standfirst has {len(text)} characters, more than {most}: search results "
            "cut it short. One sentence saying what the intervention is.",
            excerpt=shorten(text),
        )


# --- Ratings and outcomes ------------------------------------------------------------------


@register("rating-text", title="Ratings explained")
def rating_text(draft: Draft) -> Iterator[Finding]:
    """A rating is given only with the section that explains it."""
    for key, kind in RATING_SECTIONS.items():
        if key in draft.ratings and not words(as_prose(read_html(draft.sections.get(kind, ""))[0])):
            yield Finding(
                section_place(kind),
                f"The {RATING_LABELS[key].lower()} is given, but its section “{kind.label}”, "
                "which explains it to readers, is empty.",
            )


@register("outcome-source", title="Outcomes cite their reviews")
def outcome_source(draft: Draft) -> Iterator[Finding]:
    """Every outcome result names the reviews it comes from."""
    for row in draft.outcomes:
        if row.review_count == 0:
            yield Finding(
                Place(
                    "outcome_results",
                    f"Outcome result {row.row + 1} ({row.name}): reviews",
                    row=row.row,
                    row_field="reviews",
                ),
                f"The result for “{row.name}” names no review it comes from. Tick its "
                "reviews (save the version first if a review is new).",
            )


# --- Broken links ------------------------------------------------------------------------


def _link_places(draft: Draft) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for kind in SectionKind.values:
        for link in read_html(draft.sections.get(kind, ""))[1]:
            places.setdefault(link.href, section_place(kind))
    for review in draft.reviews:
        label = f"Systematic review {review.row + 1} ({review.label}): link"
        places.setdefault(review.url, Place("reviews", label, row=review.row, row_field="url"))
    for row in draft.external_links:
        label = f"Further reading {row.row + 1}: address"
        places.setdefault(row.url, Place("external_links", label, row=row.row, row_field="url"))
    return places


@register("broken-links", title="Broken links")
def broken_links(draft: Draft) -> Iterator[Finding]:
    """Addresses that did not answer, or answered with an error, when last checked (by
    the task in ``links.py``, after each save)."""
    urls = draft.urls()
    if not urls:
        return
    places = _link_places(draft)
    for check in LinkCheck.objects.filter(url__in=urls):
        if not check.is_broken:
            continue
        when = formats.date_format(timezone.localtime(check.checked_at), "j M Y, H:i")
        yield Finding(
            places.get(check.url, STANDFIRST),
            f"The link did not work when checked on {when}: {check.outcome}.",
            excerpt=check.url,
        )
