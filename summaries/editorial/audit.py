"""Writing the audit log: one event per change a service makes, in its transaction."""

from summaries.models import AuditEvent, SummaryVersion

from .rules import Actor

# An event's comment quotes what was said (a comment's text, a reason); the text itself
# is kept in full where it belongs, so the log keeps the first part of a long one.
COMMENT_MAX = 2000


def record_event(
    *,
    version: SummaryVersion,
    action: str,
    user: Actor = None,
    from_state: str = "",
    comment: str = "",
) -> AuditEvent:
    """Append an event about ``version`` by ``user`` (None: the system). Its ``to_state``
    is the version's state now; ``from_state`` is the state it left (empty for a version
    created, the same state for an event that changes none)."""
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        intervention_id=version.intervention_id,
        version=version,
        from_state=from_state,
        to_state=version.state,
        comment=comment[:COMMENT_MAX],
    )
