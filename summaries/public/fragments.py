"""The summary page's repeated pieces, written in Python rather than template loops.

The summary page shows six ratings, each review with its breakdown tables, and a row per
outcome. As templates (``{% include %}`` in a loop, ``{% regroup %}``, a dozen variable
lookups a row) they were most of the page's render time (profile in ``bench/README.md``).
Each function here writes the same HTML its template wrote, every value escaped
(``format_html``), and the templates call them through ``{% load summary_page %}``. The
pieces that carry the page's structure and wording stay in the templates.
"""

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from summaries import charts

# The review's facts: (attribute, term), shown when known.
_REVIEW_FACTS = (
    ("studies", "Studies"),
    ("tests", "Tests of the intervention"),
    ("published_up_to", "Studies published up to"),
    ("rcts", "Randomised controlled trials"),
    ("conflict_of_interest_studies", "Studies with author conflict of interest"),
)


def review(review) -> SafeString:
    """One systematic review of the evidence base: its facts, then each breakdown (they
    are ordered by kind, one table per kind) as a table with its chart; the table is the
    chart's data in text."""
    label = review.label
    parts = [
        format_html(
            '<section class="review" aria-labelledby="review-{0}"><h3 id="review-{0}">{1}</h3>',
            review.pk,
            label,
        )
    ]
    if review.citation:
        parts.append(format_html('<p class="review__citation">{}</p>', review.citation))
    if review.url:
        parts.append(
            format_html(
                '<p><a href="{}">Read {} at the publisher</a></p>', review.url, label.lower()
            )
        )
    parts.append('<dl class="facts">')
    for attribute, term in _REVIEW_FACTS:
        value = getattr(review, attribute)
        if value is not None and (value or attribute != "published_up_to"):
            parts.append(format_html("<div><dt>{}</dt><dd>{}</dd></div>", term, value))
    parts.append("</dl>")
    groups: list[list] = []
    for row in review.breakdowns.all():
        if groups and groups[-1][0].kind == row.kind:
            groups[-1].append(row)
        else:
            groups.append([row])
    for rows in groups:
        unit, kind = rows[0].unit, rows[0].kind
        parts.append(
            format_html(
                '<div class="breakdown"><table class="breakdown__table">'
                "<caption>{}: {} by {}</caption>"
                '<thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th></tr></thead>'
                "<tbody>{}</tbody></table>"
                '<div class="chart-frame">{}</div></div>',
                label,
                unit,
                kind,
                capfirst(kind),
                capfirst(unit),
                format_html_join(
                    "",
                    '<tr><th scope="row">{}</th><td class="num">{}{}</td></tr>',
                    (
                        (row.label, row.count, f" {row.unit}" if row.unit != unit else "")
                        for row in rows
                    ),
                ),
                charts.svg(charts.breakdown_chart(rows, label.lower())),
            )
        )
    parts.append("</section>")
    return mark_safe("".join(parts))  # every value above went through format_html


def ratings(version) -> SafeString:
    """The six EMMIE ratings in words, as the ``<dl class="ratings">``'s entries: the
    scale's name, the level and what it means, and a link to the scale. Never colour
    alone."""
    items = []
    for dimension, level in version.ratings():
        scale_url = reverse("summaries:scale", args=[dimension])
        if level:
            name = level.scale.name
            items.append(
                format_html(
                    '<div class="rating"><dt>{}</dt><dd>'
                    '<strong class="rating__label">{}</strong> '
                    '<span class="rating__meaning">{}</span> '
                    '<a class="rating__scale" href="{}">How to read the {} scale</a></dd></div>',
                    name or dimension.label,
                    level.label,
                    level.description,
                    scale_url,
                    name.lower(),
                )
            )
        else:
            items.append(
                format_html(
                    '<div class="rating"><dt>{}</dt><dd>'
                    '<strong class="rating__label">Not rated</strong> '
                    '<span class="rating__meaning">'
                    "The summary gives no rating for this yet.</span> "
                    '<a class="rating__scale" href="{}">How to read the {} scale</a></dd></div>',
                    dimension.label,
                    scale_url,
                    dimension.label.lower(),
                )
            )
    return mark_safe("".join(items))  # each item is format_html's


def _figures(result) -> list[SafeString]:
    """What the text gives in numbers for one outcome, in words; nothing made up."""
    parts = []
    relative = result.relative_change
    if result.rates_given:
        points = result.percentage_points
        parts.append(
            format_html(
                '<p class="outcomes__figure">From {}% to {}%{}{}.</p>',
                localize(result.comparison_rate),
                localize(result.treatment_rate),
                f": {charts.points_change(points)}" if points is not None else "",
                f", {charts.relative_change(relative)}" if relative is not None else "",
            )
        )
    elif relative is not None:
        parts.append(
            format_html(
                '<p class="outcomes__figure">{}.</p>', capfirst(charts.relative_change(relative))
            )
        )
    if result.effect_size is not None:
        low, high = result.interval_low, result.interval_high
        parts.append(
            format_html(
                '<p class="outcomes__figure">{} {}{}.</p>',
                result.get_effect_size_kind_display(),
                localize(result.effect_size),
                f" (interval {localize(low)} to {localize(high)})"
                if low is not None and high is not None
                else "",
            )
        )
    if not result.has_number:
        parts.append(
            mark_safe(
                '<p class="outcomes__no-figure">The text gives no figure for this outcome.</p>'
            )
        )
    return parts


def outcome_rows(results) -> SafeString:
    """The rows of "Effect by outcome": each outcome's ratings in words and what the text
    states, quoted. Each row has an id the evidence map links to."""
    rows = []
    for result in results:
        effect, quality = result.effect_rating, result.quality_rating
        reviews = [
            format_html(
                "{}{}",
                review.label,
                f" ({review.studies} studies)" if review.studies is not None else "",
            )
            for review in result.reviews.all()
        ]
        rows.append(
            format_html(
                '<tr id="{}"><th scope="row">{}</th>'
                '<td>{}<br><span class="outcomes__direction">Direction: {}</span></td>'
                "<td>{}</td>"
                '<td>{}<blockquote class="outcomes__stated"><p>{}</p></blockquote>{}</td>'
                "<td>{}</td></tr>",
                result.anchor,
                result.outcome.name,
                format_html("<strong>{}</strong>", effect.label) if effect else "Not rated",
                result.get_direction_display().lower(),
                quality.label if quality else "Not rated",
                mark_safe("".join(_figures(result))),  # format_html's, above
                result.stated,
                format_html('<p class="outcomes__note">{}</p>', result.note) if result.note else "",
                mark_safe("; ".join(reviews)) if reviews else "Not stated",  # format_html's
            )
        )
    return mark_safe("".join(rows))  # each row is format_html's
