"""What waits for the signed-in user, for the admin home page.

Reviewers see the versions in review (those they submitted themselves are listed but
marked, since someone else must publish them); editors see their drafts and those sent
back with comments. A fixed number of queries, lists cut at ``LIMIT`` with the full count.
"""

from django import template

from summaries.editorial import rules
from summaries.models import State, SummaryVersion

register = template.Library()

LIMIT = 20


def _listing(queryset):
    queryset = queryset.select_related("intervention", "submitted_by").order_by("updated_at")
    return {"count": queryset.count(), "versions": list(queryset[:LIMIT])}


@register.simple_tag
def review_queue(user) -> dict:
    queue = {}
    if user.has_perm(rules.REVIEW) or user.has_perm(rules.PUBLISH):
        queue["in_review"] = _listing(SummaryVersion.objects.filter(state=State.IN_REVIEW))
    if user.has_perm(rules.EDIT):
        mine = SummaryVersion.objects.filter(created_by=user)
        queue["sent_back"] = _listing(mine.filter(state=State.CHANGES_REQUESTED))
        queue["drafts"] = _listing(mine.filter(state=State.DRAFT))
    return queue
