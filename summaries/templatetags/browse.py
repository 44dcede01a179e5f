"""The browse and search pages' repeated fragments, rendered in Python: summary cards,
the facet form's options and the home page's term links.

A page of results shows twenty cards and a facet form of a hundred options, the home page
sixty term links; as template loops they cost more than the rest of the page's render
together (``bench/README.md``): a context per include, a ``reverse()`` per card or link,
two date filters per card. Here the markup is written once, escaped as the template
engine escapes (``html.escape``), each address built from one ``reverse()`` per list.
"""

import html
from collections.abc import Iterable
from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe

from summaries.models import SummaryVersion
from summaries.public.listing import Card
from summaries.public.selectors import LiveTerm
from summaries.search.facets import Facet

register = template.Library()

_SLUG = "card-slug"  # reversed once, then replaced by each card's slug


def _address() -> tuple[str, str]:
    """The summary address around its slug: ("/toolkit/", "/"), with the script prefix."""
    before, after = reverse("summaries:detail", kwargs={"slug": _SLUG}).split(_SLUG)
    return before, after


def _dates(value: datetime | None) -> tuple[str, str]:
    """The card's date as ``|date:'Y-m-d'`` and ``|date:"j F Y"`` in the template (local
    time, month name translated)."""
    if value is None:
        return "", ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}",
        f"{value.day} {MONTHS[value.month]} {value.year:04d}",
    )


def card_html(
    card: Card,
    *,
    heading_level: int | str = 2,
    snippet: str = "",
    compare: bool | str = False,
    address: tuple[str, str],
) -> str:
    """One card: its title (a link, a heading of ``heading_level``: 2, 3 or 4), standfirst,
    the search ``snippet`` (safe HTML) if any, ratings and date, and with ``compare`` a
    checkbox for the list's comparison form."""
    escape = html.escape
    level = 4 if heading_level == 4 else 3 if heading_level == 3 else 2
    title = escape(card.title)
    slug = escape(card.slug)
    machine_date, date = _dates(card.published_at)
    parts = [
        f'<article class="card"><h{level} class="card__title">'
        f'<a href="{escape(address[0] + card.slug + address[1])}">{title}</a></h{level}>'
    ]
    if card.standfirst:
        parts.append(f"<p>{escape(card.standfirst)}</p>")
    if snippet:
        parts.append(f'<p class="card__snippet">{snippet}</p>')
    parts.append(
        '<dl class="card__facts">'
        f"<div><dt>Effect</dt><dd>{escape(card.effect or 'Not rated')}</dd></div>"
        f"<div><dt>Quality of evidence</dt><dd>{escape(card.quality or 'Not rated')}</dd></div>"
        f'<div><dt>Last updated</dt><dd><time datetime="{machine_date}">{date}</time></dd></div>'
        "</dl>"
    )
    if compare:
        parts.append(
            f'<p class="card__compare"><input type="checkbox" name="s" value="{slug}" '
            f'id="compare-{slug}"> <label for="compare-{slug}">Compare'
            f'<span class="visually-hidden"> {title}</span></label></p>'
        )
    parts.append("</article>")
    return "".join(parts)


@register.simple_tag
def summary_card(
    version: Card | SummaryVersion,
    heading_level: int | str = 2,
    snippet: str = "",
    compare: bool | str = False,
) -> SafeString:
    """``{% summary_card version heading_level snippet compare %}``: one card, of a
    ``Card`` or of a version loaded by ``selectors.live_cards()``."""
    card = Card.of(version) if isinstance(version, SummaryVersion) else version
    html_ = card_html(
        card, heading_level=heading_level, snippet=snippet, compare=compare, address=_address()
    )
    return mark_safe(html_)  # every value escaped above; the snippet is safe HTML


@register.simple_tag
def summary_cards(
    cards: Iterable[Card], heading_level: int | str = 2, compare: bool = False
) -> SafeString:
    """``{% summary_cards cards heading_level compare=True %}``: a list item per card, each
    with its own snippet (``Card.snippet``)."""
    address = _address()
    items = (
        "<li>"
        + card_html(
            card,
            heading_level=heading_level,
            snippet=card.snippet,
            compare=compare,
            address=address,
        )
        + "</li>"
        for card in cards
    )
    return mark_safe("".join(items))  # see card_html


@register.simple_tag
def facet_checkboxes(facet: Facet) -> SafeString:
    """``{% facet_checkboxes facet %}``: a facet's options as list items, each a checkbox
    and a label with the number of results it would give."""
    escape = html.escape
    name = escape(facet.name)
    items = []
    for counter, option in enumerate(facet.options, start=1):
        value = escape(option.slug)
        checked = " checked" if option.selected else ""
        items.append(
            f'<li><input type="checkbox" name="{name}" value="{value}" '
            f'id="facet-{name}-{counter}"{checked}><label for="facet-{name}-{counter}">'
            f'{escape(option.name)} <span class="facet__count">({option.count}'
            f'<span class="visually-hidden"> result{"" if option.count == 1 else "s"}</span>'
            ")</span></label></li>"
        )
    return mark_safe("".join(items))  # every value escaped above


@register.simple_tag
def term_links(terms: Iterable[LiveTerm], param: str) -> SafeString:
    """``{% term_links problems "problem" %}``: a list item per term (``LiveTerm``), a link
    to the list filtered by it (``?<param>=<slug>``) and how many live summaries it tags."""
    escape = html.escape
    url = escape(reverse("summaries:list"))
    param = escape(param)
    return mark_safe(  # every value escaped
        "".join(
            f'<li><a href="{url}?{param}={escape(term.slug)}">{escape(term.name)}</a> '
            f'<span class="term-list__count">({term.live_count} '
            f"summar{'y' if term.live_count == 1 else 'ies'})</span></li>"
            for term in terms
        )
    )
