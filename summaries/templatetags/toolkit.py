"""Filters that put key figures into words, so a change never relies on its sign alone."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def points_change(value: Decimal | None) -> str:
    """-4.3 -> '4.3 percentage points lower'."""
    if value is None:
        return ""
    if value == 0:
        return "no change in percentage points"
    direction = "lower" if value < 0 else "higher"
    return f"{abs(value)} percentage points {direction}"


@register.filter
def relative_change(value: Decimal | None) -> str:
    """-31.8 -> 'a 31.8% reduction', as the review states it."""
    if value is None:
        return ""
    if value == 0:
        return "no change"
    direction = "reduction" if value < 0 else "increase"
    return f"a {abs(value)}% {direction}"
