"""Review comments on the version form and the history page (one query each)."""

from django import template

from summaries.admin.review import threads
from summaries.editorial import comments
from summaries.models import COMMENT_MAX_LENGTH

register = template.Library()


@register.simple_tag(takes_context=True)
def open_comments(context, version) -> dict:
    """The open comment threads of ``version`` (resolved ones are counted), and whether
    the user may reply to and resolve them."""
    user = context["request"].user
    version_threads = threads([version.pk]).get(version.pk, [])
    open_threads = [c for c in version_threads if not c.is_resolved]
    comments.mark_resolvable(user, version, open_threads)
    return {
        "threads": open_threads,
        "resolved": len(version_threads) - len(open_threads),
        "may_reply": comments.may_comment(user, version),
    }


@register.simple_tag
def comments_by_version(versions) -> dict:
    """Every comment thread of the given versions, by version id."""
    return threads([v.pk for v in versions])


@register.simple_tag
def comment_max_length() -> int:
    """The cap on a comment or a reply, for the reply box (the model enforces it)."""
    return COMMENT_MAX_LENGTH


@register.filter
def of(mapping, key):
    return mapping.get(key, [])
