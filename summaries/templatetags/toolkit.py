"""Key figures in words (so a change never relies on its sign alone) and chart geometry."""

import unicodedata
from decimal import Decimal

from django import template
from django.template.defaultfilters import truncatechars

from summaries import charts
from summaries.models.outcomes import plain_event_phrase

register = template.Library()


@register.filter
def points_change(value: Decimal | None) -> str:
    """-4.3 -> '4.3 percentage points lower'."""
    return charts.points_change(value)


@register.filter
def relative_change(value: Decimal | None) -> str:
    """-31.8 -> 'a 31.8% reduction', as the review states it."""
    return charts.relative_change(value)


@register.simple_tag
def key_figure_chart(figure) -> charts.BarChart | None:
    """``{% key_figure_chart figure as chart %}``: the figure's rates as bar geometry."""
    return charts.key_figure_chart(figure)


@register.simple_tag
def breakdown_chart(rows, review_label) -> charts.BarChart | None:
    """``{% breakdown_chart rows review.label as chart %}``: a breakdown as bar geometry."""
    return charts.breakdown_chart(rows, review_label)


@register.simple_tag
def chart_svg(chart: charts.BarChart):
    """``{% chart_svg chart %}``: the chart as inline SVG (``charts.svg``)."""
    return charts.svg(chart)


@register.simple_tag
def outcome_chart(results) -> charts.BarChart | None:
    """``{% outcome_chart version.outcome_results.all as chart %}``: relative change by outcome."""
    return charts.outcome_chart(results)


@register.simple_tag
def map_marker(effect_slug, studies) -> charts.Marker | None:
    """``{% map_marker slug studies as marker %}``: an evidence-map cell's shape."""
    return charts.map_marker(effect_slug, studies)


@register.simple_tag
def natural_frequency(comparison_rate, treatment_rate) -> charts.NaturalFrequency | None:
    """``{% natural_frequency result.comparison_rate result.treatment_rate as frequency %}``:
    the rates in whole people per 100 (or 1,000); None unless both are given."""
    return charts.natural_frequency(comparison_rate, treatment_rate)


@register.simple_tag
def icon_array(frequency, kind: str, pk) -> charts.IconArray | None:
    """``{% icon_array frequency "key-figure" figure.pk as array %}``: the geometry of its
    icon array, with ids unique on the page."""
    return charts.icon_array(frequency, id=f"{kind}-{pk}-icons")


@register.simple_tag
def figure_event_phrase(figure, results) -> str:
    """What happened to a person counted in a key figure, for its natural-frequency
    sentence: the phrase of the version's outcome of the same name, if it has one."""
    name = figure.outcome.casefold()
    for result in results:
        if result.outcome.name.casefold() == name:
            return result.outcome.event_phrase
    return plain_event_phrase(figure.outcome)


@register.simple_tag
def money(amount, currency) -> str:
    """``{% money cost.amount cost.currency %}``: '£1,250', 'AUD 1,250'."""
    return charts.money(amount, currency)


@register.simple_tag
def benefit_cost_chart(figures) -> charts.BarChart | None:
    """``{% benefit_cost_chart figures as chart %}``: benefits and costs as bar geometry."""
    return charts.benefit_cost_chart(figures)


@register.filter(is_safe=False)
def excerpt(value: str, length: int) -> str:
    """``truncatechars`` without its cost for text that already fits (most standfirsts):
    Django's filter measures every character, twice a page."""
    if (
        isinstance(value, str)
        and len(value) <= int(length)
        and unicodedata.is_normalized("NFC", value)
    ):
        return value
    return truncatechars(value, length)


@register.filter
def percent(value: Decimal | None) -> str:
    """9.3 -> '9.3%'; a missing rate says so rather than showing nothing."""
    return charts.percent(value)
