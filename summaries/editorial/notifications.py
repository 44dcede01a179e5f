"""Telling people when something waits for them or happens to their work.

Reviewers hear when a version is submitted; a version's authors (everyone who saved text
in it, and its submitter) hear when changes are requested and when it is published,
scheduled or withdrawn. Each message is a ``Notification`` row (the admin lists them)
written in the transition's own transaction, so a transition that rolls back tells
nobody; and, unless the user turned email off, an ``email_notification`` task queued in
that same transaction. The worker sends it, one email a recipient, after the response:
no request waits on the mail server. A failed send is retried with backoff
(``summaries.tasks``) and never undoes or blocks the transition.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from summaries.models import (
    ExternalReview,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReviewComment,
    SummaryVersion,
    VersionAuthor,
)
from summaries.models.plain_text import single_line
from summaries.tasks import background_task, enqueue

from . import rules

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SUBJECTS = {
    NotificationKind.SUBMITTED: "Waiting for your review: {title} (v{n})",
    NotificationKind.CHANGES_REQUESTED: "Changes requested: {title} (v{n})",
    NotificationKind.PUBLISHED: "Published: {title} (v{n})",
    NotificationKind.SCHEDULED: "Scheduled for publication: {title} (v{n})",
    NotificationKind.WITHDRAWN: "Withdrawn: {title} (v{n})",
    NotificationKind.REVIEW_ASSIGNED: "Assigned to you for review: {title} (v{n})",
    NotificationKind.REVIEW_OVERDUE: "Review overdue: {title} (v{n})",
    NotificationKind.PROBLEM_REPORTED: "Problem reported: {title} (v{n})",
    NotificationKind.EXTERNAL_COMMENT: "External reviewer's comment: {title} (v{n})",
}

MESSAGES = {
    NotificationKind.SUBMITTED: "{actor} submitted “{title}” (v{n}) for review.",
    NotificationKind.CHANGES_REQUESTED: "{actor} sent “{title}” (v{n}) back with comments.",
    NotificationKind.PUBLISHED: "{actor} published “{title}” (v{n}); it is live.",
    NotificationKind.SCHEDULED: "{actor} scheduled “{title}” (v{n}) for publication at {when}.",
    NotificationKind.WITHDRAWN: "{actor} withdrew “{title}” (v{n}) from the public site.",
    NotificationKind.REVIEW_ASSIGNED: "{actor} asked you to review “{title}” (v{n}) by {when}.",
    NotificationKind.REVIEW_OVERDUE: "The review of “{title}” (v{n}) was due on {when}.",
    NotificationKind.PROBLEM_REPORTED: "A reader reported a problem with “{title}” (v{n}).",
    NotificationKind.EXTERNAL_COMMENT: "{name}, an external reviewer, commented on “{title}” "
    "(v{n}).",
}

# Kinds for reviewers: their link goes to the review page, not the version's form.
FOR_REVIEWERS = {
    NotificationKind.SUBMITTED,
    NotificationKind.REVIEW_ASSIGNED,
    NotificationKind.REVIEW_OVERDUE,
}


def absolute_url(path: str) -> str:
    """``path`` on the site's own address (``SITE_URL``), for links in emails."""
    return settings.SITE_URL.rstrip("/") + path


def reviewers() -> "list[User]":
    """Active staff who may publish (through a group or their own permissions)."""
    users = get_user_model().objects.with_perm(
        rules.PUBLISH,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return list(users.filter(is_active=True, is_staff=True))


def assignable_reviewers(version: SummaryVersion, *, submitter: "User | None") -> "list[User]":
    """The reviewers a review of ``version`` may be given to: those who may publish it,
    so not one who saved text in it or submits it (the four-eyes rule)."""
    writers = set(VersionAuthor.objects.filter(version=version).values_list("user_id", flat=True))
    for user in (submitter, version.submitted_by):
        if user is not None:
            writers.add(user.pk)
    return [user for user in reviewers() if user.pk not in writers]


def recipients(version: SummaryVersion, kind: str) -> "list[User]":
    """Who hears of ``kind`` on ``version``."""
    if kind == NotificationKind.SUBMITTED:
        # The assigned reviewer is told it is theirs instead.
        return [user for user in reviewers() if user.pk != version.review_assignee_id]
    if kind == NotificationKind.REVIEW_ASSIGNED:
        assignee = version.review_assignee
        return [assignee] if assignee is not None and assignee.is_active else []
    if kind == NotificationKind.REVIEW_OVERDUE:
        return reviewers()
    return authors(version)


def authors(version: SummaryVersion) -> "list[User]":
    """Everyone who saved text in ``version``, and whoever submitted it."""
    ids = set(VersionAuthor.objects.filter(version=version).values_list("user_id", flat=True))
    if version.submitted_by_id:
        ids.add(version.submitted_by_id)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def editors() -> "list[User]":
    """Active staff who may edit summaries (through a group or their own permissions)."""
    users = get_user_model().objects.with_perm(
        rules.EDIT,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return list(users.filter(is_active=True, is_staff=True))


def problem_reported(*, version: SummaryVersion, path: str) -> list[Notification]:
    """Tell the summary's editors (those who wrote ``version``; if nobody did, every
    editor) that a reader reported a problem with its page; ``path``, the report in the
    admin's queue."""
    told = authors(version) or editors()
    return _notify(
        told, version=version, kind=NotificationKind.PROBLEM_REPORTED, actor=None, path=path
    )


def external_comment(*, comment: ReviewComment, review: ExternalReview) -> list[Notification]:
    """Tell the version's authors, its assigned reviewer and the link's maker that the
    link's person commented; the link goes to the comment on the review page."""
    version = comment.version
    told = {user.pk: user for user in authors(version)}
    for user in (version.review_assignee, review.made_by):
        if user is not None and user.is_active:
            told[user.pk] = user
    path = reverse("admin:summaries_summaryversion_review", args=[version.pk])
    return _notify(
        list(told.values()),
        version=version,
        kind=NotificationKind.EXTERNAL_COMMENT,
        actor=None,
        path=f"{path}#comment-{comment.pk}",
        name=single_line(comment.external_name),
    )


def version_event(
    *, version: SummaryVersion, kind: str, actor: "User | None", when: str = ""
) -> list[Notification]:
    """Tell the people ``kind`` concerns about ``version``; return the notifications."""
    told = recipients(version, kind)
    if kind in FOR_REVIEWERS:
        path = reverse("admin:summaries_summaryversion_review", args=[version.pk])
    else:
        path = reverse("admin:summaries_summaryversion_change", args=[version.pk])
    return _notify(told, version=version, kind=kind, actor=actor, path=path, when=when)


def _notify(
    told: "list[User]",
    *,
    version: SummaryVersion,
    kind: str,
    actor: "User | None",
    path: str,
    when: str = "",
    name: str = "",
) -> list[Notification]:
    words = {
        "name": name,
        "actor": actor.get_full_name() or actor.get_username() if actor else "The system",
        "title": single_line(version.title),  # a subject is one line, whatever is stored
        "n": version.number,
        "when": when,
    }
    notifications = Notification.objects.bulk_create(
        Notification(
            user=user,
            version=version,
            kind=kind,
            actor=actor,
            message=MESSAGES[NotificationKind(kind)].format(**words)[:300],
            url=path,
        )
        for user in told
        if actor is None or user.pk != actor.pk
    )
    no_email = set(
        NotificationPreference.objects.filter(
            user_id__in=[n.user_id for n in notifications], email=False
        ).values_list("user_id", flat=True)
    )
    with_address = {user.pk for user in told if user.email}
    for notification in notifications:
        if notification.user_id in with_address and notification.user_id not in no_email:
            enqueue(email_notification, notification.pk)
    return notifications


@background_task()
def email_notification(notification_id: int) -> str:
    """Email one notification to its user; raises (and so is retried) if the send fails.

    Read when it runs: a user who turned email off, or lost their address, since the
    notification was written gets nothing."""
    notification = (
        Notification.objects.select_related("user", "version", "actor")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return "gone"
    user = notification.user
    wants = not NotificationPreference.objects.filter(user=user, email=False).exists()
    if not (user.is_active and user.email and wants):
        return "not wanted"
    version = notification.version
    subject = SUBJECTS[NotificationKind(notification.kind)].format(
        title=version.title, n=version.number
    )
    link = absolute_url(notification.url)
    settings_url = absolute_url(reverse("admin:summaries_notificationpreference_changelist"))
    body = (
        f"{notification.message}\n\n{link}\n\n"
        "You receive these emails because of your work in the "
        f"{settings.TOOLKIT_NAME} admin. To stop them, untick “email me” in your "
        f"notification settings: {settings_url}\n"
    )
    send_mail(subject, body, None, [user.email])
    return "sent"
