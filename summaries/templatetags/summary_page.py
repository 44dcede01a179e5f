"""``{% load summary_page %}``: the summary page's repeated pieces (``public/fragments.py``)."""

from django import template

from summaries.public import fragments

register = template.Library()


@register.simple_tag
def review_html(review):
    """``{% review_html review %}``: one review with its breakdown tables and charts."""
    return fragments.review(review)


@register.simple_tag
def ratings_html(version):
    """``{% ratings_html version %}``: the six EMMIE ratings as ``<dl>`` entries."""
    return fragments.ratings(version)


@register.simple_tag
def outcome_rows_html(results):
    """``{% outcome_rows_html results %}``: the rows of the "Effect by outcome" table."""
    return fragments.outcome_rows(results)
