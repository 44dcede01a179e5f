"""Review comments: anchored to a part of a version, with replies and resolving.

Reviewers and editors may comment on an open version (a draft, one in review, one sent
back) and reply to comments; a comment is resolved by whoever wrote it, by the version's
authors (they fixed it) or by a reviewer. Each write is audited with the version.
Comments stay with the version they were made on, so its history keeps them.

An external reviewer's comment (``external_reviews.external_comment_add``) is a thread
like any other: staff reply to it and resolve it here, and a reply is emailed to them.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from summaries.models import (
    ANCHOR_CHOICES,
    OPEN_STATES,
    AuditAction,
    ReviewComment,
    SummaryVersion,
)

from . import external_reviews, rules
from .audit import record_event
from .authorship import is_author
from .errors import NotAllowed, ServiceError
from .rules import Actor

ANCHORS = dict(ANCHOR_CHOICES)


def may_comment(user: Actor, version: SummaryVersion) -> bool:
    """Whether ``user`` may comment on (or reply about) ``version`` now."""
    if user is None or not (user.is_active and user.is_staff):
        return False
    role = user.has_perm(rules.EDIT) or user.has_perm(rules.REVIEW)
    return role and version.state in OPEN_STATES


def may_resolve(user: Actor, comment: ReviewComment) -> bool:
    """Whether ``user`` may mark ``comment`` resolved: its writer, the version's authors
    and reviewers."""
    return may_resolve_on(user, comment.version) or (
        user is not None and user.is_active and user.is_staff and comment.author_id == user.pk
    )


def may_resolve_on(user: Actor, version: SummaryVersion) -> bool:
    """Whether ``user`` may resolve any comment on ``version`` (a reviewer, or one of its
    authors); a comment's writer may also resolve their own."""
    if user is None or not (user.is_active and user.is_staff):
        return False
    return (
        user.is_superuser
        or user.has_perm(rules.REVIEW)
        or version.submitted_by_id == user.pk
        or is_author(version, user)
    )


def mark_resolvable(user: Actor, version: SummaryVersion, threads: list[ReviewComment]) -> None:
    """Set ``.can_resolve`` on each thread of ``version`` for ``user`` (one query at most)."""
    on_version = may_resolve_on(user, version)
    for comment in threads:
        comment.can_resolve = on_version or (  # type: ignore[attr-defined]
            user is not None and comment.author_id == user.pk
        )


def _save(comment: ReviewComment) -> ReviewComment:
    """Save ``comment`` after the model's own validation (its length cap above all)."""
    try:
        comment.full_clean()
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from error
    comment.save()
    return comment


def _audit(comment: ReviewComment, user: Actor, action: str, text: str) -> None:
    # A comment changes no state: the event is from and to the version's state.
    version = comment.version
    record_event(version=version, user=user, action=action, from_state=version.state, comment=text)


@transaction.atomic
def comment_add(
    *,
    version: SummaryVersion,
    user: Actor,
    anchor: str,
    body: str,
    requested_changes: bool = False,
) -> ReviewComment:
    """A new comment by ``user`` on the part ``anchor`` of ``version``."""
    if not may_comment(user, version):
        raise NotAllowed("Only editors and reviewers comment, and only on an open version.")
    if anchor not in ANCHORS:
        raise ServiceError(f"There is no part “{anchor}” to comment on.")
    if not body.strip():
        raise ServiceError("Write the comment first.")
    comment = _save(
        ReviewComment(
            version=version,
            anchor=anchor,
            body=body.strip(),
            author=user,
            requested_changes=requested_changes,
        )
    )
    _audit(comment, user, AuditAction.COMMENT, f"On {ANCHORS[anchor]}: {comment.body}")
    return comment


@transaction.atomic
def comment_reply(*, comment: ReviewComment, user: Actor, body: str) -> ReviewComment:
    """A reply to ``comment`` (replies hang off the first comment of a thread)."""
    root = comment.parent or comment
    if not may_comment(user, root.version):
        raise NotAllowed("Only editors and reviewers reply, and only on an open version.")
    if not body.strip():
        raise ServiceError("Write the reply first.")
    reply = _save(
        ReviewComment(
            version=root.version, anchor=root.anchor, body=body.strip(), author=user, parent=root
        )
    )
    _audit(reply, user, AuditAction.COMMENT, f"Reply on {ANCHORS[root.anchor]}: {reply.body}")
    if root.is_external:
        external_reviews.reply_sent(reply)
    return reply


@transaction.atomic
def comment_resolve(*, comment: ReviewComment, user: Actor) -> ReviewComment:
    """Mark a thread resolved (the change was made, or needs none)."""
    comment = ReviewComment.objects.select_for_update().get(pk=(comment.parent_id or comment.pk))
    if not may_resolve(user, comment):
        raise NotAllowed(
            "Only the comment's writer, the version's authors and reviewers resolve comments."
        )
    if comment.resolved_at is not None:
        raise ServiceError("This comment is already resolved.")
    comment.resolved_at = timezone.now()
    comment.resolved_by = user
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _audit(
        comment, user, AuditAction.RESOLVE_COMMENT, f"On {ANCHORS[comment.anchor]}: {comment.body}"
    )
    return comment


def threads(version_ids: Iterable[int]) -> dict[int, list[ReviewComment]]:
    """The comment threads of the given versions, oldest first, by version id, in one
    query: each first comment has its replies in ``.thread`` and its part's name in
    ``.anchor_label``."""
    rows = list(
        ReviewComment.objects.filter(version_id__in=version_ids)
        .select_related("author", "resolved_by")
        .order_by("created_at", "id")
    )
    roots = {c.pk: c for c in rows if c.parent_id is None}
    for comment in roots.values():
        comment.thread = []  # type: ignore[attr-defined]
        comment.anchor_label = ANCHORS.get(comment.anchor, comment.anchor)  # type: ignore[attr-defined]
    for comment in rows:
        if comment.parent_id in roots:
            roots[comment.parent_id].thread.append(comment)  # type: ignore[attr-defined]
    by_version: dict[int, list[ReviewComment]] = {}
    for comment in roots.values():
        by_version.setdefault(comment.version_id, []).append(comment)
    return by_version
