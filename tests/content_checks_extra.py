"""A toolkit's own content check, as a toolkit would add one: a module named in
``CONTENT_CHECKS_MODULES`` that registers it (tests/test_content_checks.py)."""

from summaries.editorial.checks import Finding, Place, register


@register("no-jargon", title="No jargon", required=True)
def no_jargon(draft):
    if "synergy" in draft.standfirst.lower():
        yield Finding(Place("standfirst", "Standfirst"), "Say what you mean, not “synergy”.")
