"""External reviewers: a time-limited, revocable link for one named person without an
account, who reads a version as the public would see it and comments on it.

**The token.** A link's address carries a token of 43 URL-safe characters: the HMAC-SHA256
(``salted_hmac``, keyed by ``SECRET_KEY``) of a random nonce (``secrets.token_urlsafe``,
256 bits) kept on the row. The row also keeps the token's SHA-256 digest, unique and
indexed, and a request finds its link by the digest of the token it carries, then
compares the token rebuilt from the row with it in constant time
(``constant_time_compare``). So:

- the token is stored nowhere: not in the table, nor in the task queue (a task gets the
  row's id and rebuilds the token when it sends), nor in the audit log; a copy of the
  database without the secret key opens nothing;
- the token can be rebuilt for the emails that need it (the link itself, a reply to the
  reviewer's comment), so a reply's email links back to the same page;
- rotating ``SECRET_KEY`` withdraws every link, as it logs everyone out.

Django's ``signing`` would put the row's id in the address and still need the row (to
withdraw a link): the HMAC of a nonce is the same keyed hash without the id.

**Audit.** Making, withdrawing, the first opening (later ones are counted on the row) and
opening after expiry or withdrawal (at most one event an hour per link; every attempt is
counted) are ``AuditEvent`` rows of the version, with no user, naming the link's person.
Comments are audited as every comment is.
"""

import hashlib
import secrets
from base64 import urlsafe_b64encode
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from summaries.models import (
    ANCHOR_CHOICES,
    OPEN_STATES,
    AuditAction,
    ExternalReview,
    ReviewComment,
    SummaryVersion,
)
from summaries.models.plain_text import single_line
from summaries.tasks import background_task, enqueue

from . import notifications, rules
from .audit import record_event
from .errors import ServiceError
from .rules import Actor

SALT = "summaries.external_review"
# What an external reviewer may comment on: what the public page shows (not the change
# note, which reaches the public only with publication, nor the taxonomy as the form has it).
EXTERNAL_ANCHORS = [(value, label) for value, label in ANCHOR_CHOICES if value != "change_note"]
# Refused openings of one link: counted every time, audited at most once in this long.
REFUSED_AUDIT_EVERY = timedelta(hours=1)


def token_for(review: ExternalReview) -> str:
    """The token in ``review``'s address, rebuilt from its nonce and the secret key."""
    mac = salted_hmac(SALT, review.nonce, algorithm="sha256").digest()
    return urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def preview_path(review: ExternalReview) -> str:
    return reverse("external:preview", kwargs={"token": token_for(review)})


def find(token: str) -> ExternalReview | None:
    """The link whose address carries ``token``, or None for a token of no link."""
    review: ExternalReview | None = (
        ExternalReview.objects.select_related("version__intervention", "made_by")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if review is None or not constant_time_compare(token_for(review), token):
        return None
    return review


def _audit(review: ExternalReview, action: str, text: str, *, user: Actor = None) -> None:
    # A link changes no state: the event is from and to the version's state.
    version = review.version
    record_event(version=version, user=user, action=action, from_state=version.state, comment=text)


def _days(days: int | None) -> int:
    days = settings.EXTERNAL_REVIEW_DAYS if days is None else days
    if not 1 <= days <= settings.EXTERNAL_REVIEW_MAX_DAYS:
        raise ServiceError(
            f"A link works for 1 to {settings.EXTERNAL_REVIEW_MAX_DAYS} days, not {days}."
        )
    return days


@transaction.atomic
def external_review_make(
    *, version: SummaryVersion, user: Actor, name: str, email: str, days: int | None = None
) -> ExternalReview:
    """A link for ``name`` to read ``version`` and comment on it for ``days`` days (by
    default ``EXTERNAL_REVIEW_DAYS``), emailed to ``email`` by a task once this commits."""
    version = SummaryVersion.objects.select_for_update().get(pk=version.pk)
    rules.check(user, AuditAction.EXTERNAL_LINK_MADE, version)
    now = timezone.now()
    nonce = secrets.token_urlsafe(32)
    review = ExternalReview(
        version=version,
        name=" ".join(name.split()),
        email=email.strip(),
        made_by=user,
        made_at=now,
        expires_at=now + timedelta(days=_days(days)),
        nonce=nonce,
    )
    review.token_digest = token_digest(token_for(review))
    try:
        review.full_clean()
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from error
    review.save()
    until = timezone.localtime(review.expires_at)
    text = f"Link {review.pk} for {review.name}, until {until:%d %b %Y %H:%M}."
    _audit(review, AuditAction.EXTERNAL_LINK_MADE, text, user=user)
    enqueue(email_external_link, review.pk)
    return review


@transaction.atomic
def external_review_revoke(*, review: ExternalReview, user: Actor) -> ExternalReview:
    """Withdraw a link: from now it shows only that it was withdrawn, and by whom to ask."""
    review = ExternalReview.objects.select_for_update().select_related("version").get(pk=review.pk)
    rules.check(user, AuditAction.EXTERNAL_LINK_REVOKED, review.version)
    if review.revoked_at is not None:
        raise ServiceError(f"The link for {review.name} was already withdrawn.")
    review.revoked_at = timezone.now()
    review.revoked_by = user
    review.save(update_fields=["revoked_at", "revoked_by"])
    _audit(
        review, AuditAction.EXTERNAL_LINK_REVOKED, f"Link {review.pk} for {review.name}.", user=user
    )
    return review


@transaction.atomic
def external_review_opened(*, review: ExternalReview) -> None:
    """Count an opening of a working link; the first is audited."""
    now = timezone.now()
    links = ExternalReview.objects.filter(pk=review.pk)
    first = links.filter(first_opened_at__isnull=True).update(first_opened_at=now)
    links.update(opened_count=F("opened_count") + 1, last_opened_at=now)
    if first:
        _audit(
            review,
            AuditAction.EXTERNAL_LINK_OPENED,
            f"Link {review.pk}: {review.name} opened it for the first time.",
        )


@transaction.atomic
def external_review_refused(*, review: ExternalReview) -> None:
    """Count an opening of an expired or withdrawn link; audited at most once an hour."""
    now = timezone.now()
    links = ExternalReview.objects.filter(pk=review.pk)
    quiet_since = now - REFUSED_AUDIT_EVERY
    recently = links.filter(last_refused_at__gt=quiet_since).exists()
    links.update(refused_count=F("refused_count") + 1, last_refused_at=now)
    if not recently:
        why = "withdrawn" if review.is_revoked else "expired"
        _audit(
            review,
            AuditAction.EXTERNAL_LINK_REFUSED,
            f"Link {review.pk} for {review.name} opened after it was {why}; "
            "the draft was not shown.",
        )


@transaction.atomic
def external_reviews_forget(*, email: str) -> int:
    """Delete ``email`` from every link made for it, withdrawing those that still work
    (audited, by the system): ``manage.py subscriber_data delete``. How many links."""
    links = list(
        ExternalReview.objects.select_for_update()
        .select_related("version")
        .filter(email__iexact=email.strip())
    )
    now = timezone.now()
    for review in links:
        if review.is_usable:
            review.revoked_at = now
            _audit(
                review,
                AuditAction.EXTERNAL_LINK_REVOKED,
                f"Link {review.pk} for {review.name}: its address was deleted on request.",
            )
        review.email = ""
        review.save(update_fields=["revoked_at", "email"])
    return len(links)


def may_comment(review: ExternalReview) -> bool:
    """Whether comments can be sent through ``review`` now."""
    return review.is_usable and review.version.state in OPEN_STATES


@transaction.atomic
def external_comment_add(
    *, review: ExternalReview, name: str, anchor: str, body: str
) -> ReviewComment:
    """A comment by the link's person (signed ``name``) on the part ``anchor`` of its
    version, in the version's review thread; its editors and reviewer are told."""
    # Locked: a link withdrawn meanwhile takes no more comments. (Only the link's own row
    # and its version: PostgreSQL locks no nullable side of a join, such as its maker.)
    review = ExternalReview.objects.select_for_update().select_related("version").get(pk=review.pk)
    if not review.is_usable:
        raise ServiceError("This review link no longer works.")
    if review.version.state not in OPEN_STATES:
        raise ServiceError("This version is no longer open for comments.")
    labels = dict(EXTERNAL_ANCHORS)
    if anchor not in labels:
        raise ServiceError(f"There is no part “{anchor}” to comment on.")
    name = " ".join(name.split()) or review.name
    if not body.strip():
        raise ServiceError("Write the comment first.")
    comment = ReviewComment(
        version=review.version,
        anchor=anchor,
        body=body.strip(),
        external_review=review,
        external_name=name,
    )
    try:
        comment.full_clean(exclude={"author"})  # no user wrote it: the constraint says so
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from error
    comment.save()
    _audit(
        review,
        AuditAction.COMMENT,
        f"External reviewer {name} (link {review.pk}) on {labels[anchor]}: {comment.body}",
    )
    notifications.external_comment(comment=comment, review=review)
    return comment


def reply_sent(reply: ReviewComment) -> None:
    """A staff reply in an external reviewer's thread: email it to them (a task), if
    their link still works when it runs."""
    enqueue(email_external_reply, reply.pk)


def _email_context(review: ExternalReview) -> dict:
    maker = review.made_by
    return {
        "review": review,
        "version": review.version,
        "title": single_line(review.version.title),
        "maker": (maker.get_full_name() or maker.get_username()) if maker else "The editors",
        "url": notifications.absolute_url(preview_path(review)),
        "expires": timezone.localtime(review.expires_at),
        "toolkit_name": settings.TOOLKIT_NAME,
        "organisation": settings.TOOLKIT_ORGANISATION,
    }


@background_task()
def email_external_link(review_id: int) -> str:
    """Email a link to its person; nothing if it was withdrawn or expired meanwhile."""
    review = (
        ExternalReview.objects.select_related("version", "made_by").filter(pk=review_id).first()
    )
    if review is None or not review.is_usable or not review.email:
        return "not sent: the link no longer works"
    context = _email_context(review)
    send_mail(
        f"Please review a draft: {context['title']}"[:200],
        render_to_string("external/email/link.txt", context),
        None,
        [review.email],
    )
    return "sent"


@background_task()
def email_external_reply(reply_id: int) -> str:
    """Email a staff reply to the external reviewer whose comment it answers."""
    reply = (
        ReviewComment.objects.select_related("parent__external_review__version", "author")
        .filter(pk=reply_id)
        .first()
    )
    root = reply.parent if reply is not None else None
    review = root.external_review if root is not None else None
    if reply is None or root is None or review is None or not review.is_usable:
        return "not sent: no working link"
    if not review.email:
        return "not sent: the address was deleted"
    context = _email_context(review)
    author = reply.author
    context.update(
        reply=reply,
        comment=root,
        anchor=dict(ANCHOR_CHOICES).get(root.anchor, root.anchor),
        replier=(author.get_full_name() or author.get_username()) if author else "An editor",
    )
    send_mail(
        f"Reply to your comment on {context['title']}"[:200],
        render_to_string("external/email/reply.txt", context),
        None,
        [review.email],
    )
    return "sent"
