"""Key figures in words (so a change never relies on its sign alone) and chart geometry."""

import unicodedata
from decimal import Decimal

from django import template
from django.template.defaultfilters import truncatechars

from summaries import charts

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
