"""Writes that span several models: creating, copying, reviewing and publishing versions.

Each function is atomic and raises ``ServiceError`` with a message fit for an editor when
the request makes no sense (``NotAllowed`` when the user's role forbids it); the admin
shows the message. Every transition checks the rules in ``rules.py`` and writes an
``AuditEvent`` in the same transaction, so the log and the content cannot disagree.

``user`` is the person acting; ``None`` means the system (a management command).

About 430 lines, one function per transition of the workflow: they share the locking,
audit and generation helpers here, and read best side by side.
"""

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Max, When
from django.utils import timezone
from django.utils.text import slugify

from summaries import search
from summaries.models import (
    COMMENT_MAX_LENGTH,
    TAXONOMY,
    AlertOutbox,
    AuditAction,
    Intervention,
    NotificationKind,
    ReviewComment,
    SlugRedirect,
    State,
    SummaryVersion,
    Term,
)
from summaries.models.generation import summaries_tagged
from summaries.public import pages
from summaries.tasks import enqueue

from . import authorship, autosave, notifications, rules
from . import tasks as editorial_tasks
from .audit import record_event
from .copying import copy_content
from .errors import NotAllowed, ServiceError, SubmitRefused
from .rules import Actor

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "NotAllowed",
    "ServiceError",
    "SubmitRefused",
]  # re-exported: callers catch them from here

logger = logging.getLogger(__name__)


def _locked(version: SummaryVersion) -> SummaryVersion:
    """Lock the intervention, then re-read the version: every transition of one
    intervention runs one after the other, and decides on fresh data."""
    Intervention.objects.select_for_update().get(pk=version.intervention_id)
    locked: SummaryVersion = SummaryVersion.objects.select_for_update().get(pk=version.pk)
    return locked


@transaction.atomic
def intervention_create(
    *, slug: str, title: str, standfirst: str = "", change_note: str = "", user: Actor = None
) -> SummaryVersion:
    """Create an intervention and its first draft version; return the draft."""
    rules.check_role(user, AuditAction.CREATE)
    slug_check_available(slug)
    intervention = Intervention.objects.create(slug=slug)
    return draft_create(
        intervention=intervention,
        title=title,
        standfirst=standfirst,
        change_note=change_note,
        user=user,
    )


@transaction.atomic
def draft_create(
    *,
    intervention: Intervention,
    title: str,
    standfirst: str = "",
    change_note: str = "",
    user: Actor = None,
) -> SummaryVersion:
    """Start a new, empty draft of ``intervention`` and return it (its child rows are the
    caller's to add, e.g. an import's sections).

    Refused while the intervention has an open draft: nobody's work is overwritten. Any
    live version stays live until the new draft is published.
    """
    rules.check_role(user, AuditAction.CREATE)
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    _refuse_second_draft(intervention)
    draft = SummaryVersion.objects.create(
        intervention=intervention,
        title=title,
        standfirst=standfirst,
        change_note=change_note,
        state=State.DRAFT,
        created_by=user,
        last_saved_by=user,
    )
    record_event(version=draft, user=user, action=AuditAction.CREATE, comment=change_note)
    # Its title and standfirst (and an import's text, added next) are its user's.
    authorship.record_save(version=draft, user=user)
    return draft


def _refuse_second_draft(intervention: Intervention) -> None:
    if open_draft := intervention.versions.open().first():
        raise ServiceError(
            f"This summary already has an open draft (v{open_draft.number}); "
            "edit that one instead, or archive it first."
        )


# Addresses under /toolkit/ that the site uses itself (see urls.py). "data" is kept for
# the open data downloads (/toolkit/data.json, /toolkit/data.csv), so that no summary at
# /toolkit/data/ is ever mistaken for them.
RESERVED_SLUGS = frozenset(
    {"data", "feed", "scales", "map", "compare", "overview", "pipeline", "numbers", "suggest"}
)


def slug_check_available(slug: str, *, intervention: Intervention | None = None) -> None:
    """Raise ``ServiceError`` unless ``intervention`` (default: a new one) may take ``slug``.

    No summary takes another's address, current or old: an old address must keep leading
    where its links always led.
    """
    if slug in RESERVED_SLUGS:
        raise ServiceError(f"The address '{slug}' is used by the site itself; choose another.")
    others = Intervention.objects.all()
    if intervention is not None:
        others = others.exclude(pk=intervention.pk)
    if others.filter(slug=slug).exists():
        raise ServiceError(f"A summary with the address '{slug}' already exists.")
    if moved := others.filter(slug_redirects__old_slug=slug).first():
        raise ServiceError(
            f"The address '{slug}' used to belong to the summary now at '{moved.slug}' "
            "and still leads there; choose another."
        )


@transaction.atomic
def intervention_rename(
    *, intervention: Intervention, new_slug: str, user: Actor = None
) -> Intervention:
    """Move ``intervention`` to the address ``new_slug``; its old address redirects there.

    Every old slug points at the intervention itself, so renaming again adds one more
    redirect and never a chain. Renaming back to an old slug takes that redirect away.
    """
    rules.check_role(user, AuditAction.RENAME)
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    old_slug = intervention.slug
    if new_slug == old_slug:
        return intervention
    try:
        Intervention._meta.get_field("slug").clean(new_slug, intervention)
    except ValidationError as exc:
        raise ServiceError(
            f"'{new_slug}' is not a valid address: {' '.join(exc.messages)}"
        ) from exc
    slug_check_available(new_slug, intervention=intervention)
    intervention.slug_redirects.filter(old_slug=new_slug).delete()
    SlugRedirect.objects.create(old_slug=old_slug, intervention=intervention)
    intervention.slug = new_slug
    intervention.save(update_fields=["slug"])
    if intervention.has_public_page():
        # Pages that link to it (related cards, lists) and its own refresh; its old
        # address is keyed by the generation every change raises. One never published is
        # at no public address, and outsiders must not be able to tell from the pages'
        # ETags that editors are at work on it.
        pages.content_changed(interventions=[intervention.pk])
    # The log hangs off a version: the live one, else the newest.
    version = intervention.versions.order_by(
        Case(When(state=State.PUBLISHED, then=0), default=1), "-number"
    ).first()
    if version is not None:
        record_event(
            version=version,
            user=user,
            action=AuditAction.RENAME,
            comment=f"Address changed from '{old_slug}' to '{new_slug}'.",
        )
    return intervention


@transaction.atomic
def draft_start_from(
    *, version: SummaryVersion, user: Actor = None, change_note: str = ""
) -> SummaryVersion:
    """Start a new draft copied from ``version`` (child rows included) and return it.

    From the live version this is "edit"; from any other closed version it is "restore".
    The source is untouched, so a live page stays as it is until the draft is published.
    """
    source = _locked(version)
    action = AuditAction.START_DRAFT if source.is_live else AuditAction.RESTORE
    rules.check(user, action, source)
    _refuse_second_draft(source.intervention)
    draft = SummaryVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.id = None
    draft._state.adding = True
    draft.number = None  # type: ignore[assignment]  # save() gives the next number
    draft.state = State.DRAFT
    draft.revision = 1
    draft.change_note = change_note
    draft.created_by = draft.last_saved_by = user
    draft.created_at = timezone.now()
    for field in ("published_at", "published_by", "submitted_at", "submitted_by"):
        setattr(draft, field, None)
    for field in ("publish_at", "scheduled_by", "withdrawn_at", "review_assignee", "review_due_on"):
        setattr(draft, field, None)
    draft.review_comment = draft.withdrawal_reason = ""
    draft.save()
    copy_content(source=source, target=draft)
    comment = f"Copied from version {source.number} ({source.get_state_display().lower()})."
    record_event(version=draft, user=user, action=action, comment=comment)
    return draft


def version_restore_as_draft(*, version: SummaryVersion, user: Actor = None) -> SummaryVersion:
    """Start a new draft holding the content of an old version (superseded, withdrawn...)."""
    return draft_start_from(
        version=version, user=user, change_note=f"Restored from version {version.number}."
    )


@transaction.atomic
def version_submit(
    *,
    version: SummaryVersion,
    user: Actor = None,
    change_note: str,
    reviewer: "User | None" = None,
    review_due_on: date | None = None,
) -> SummaryVersion:
    """Send a draft to review, after the full validation a draft may skip while written;
    to ``reviewer`` if named (else any reviewer), due ``review_due_on`` (by default
    ``REVIEW_DUE_DAYS`` from today)."""
    version = _locked(version)
    rules.check(user, AuditAction.SUBMIT, version)
    if problems := rules.submit_problems(version, change_note=change_note):
        raise SubmitRefused(problems)
    due = review_due_on or timezone.localdate() + timedelta(days=settings.REVIEW_DUE_DAYS)
    _check_assignment(version, reviewer, due, submitter=user)
    from_state = version.state
    version.state = State.IN_REVIEW
    version.change_note = change_note.strip()
    version.submitted_by = user
    version.submitted_at = timezone.now()
    version.review_assignee = reviewer
    version.review_due_on = due
    version.save(
        update_fields=[
            "state",
            "change_note",
            "submitted_by",
            "submitted_at",
            "review_assignee",
            "review_due_on",
        ]
    )
    record_event(
        version=version,
        user=user,
        action=AuditAction.SUBMIT,
        from_state=from_state,
        comment=version.change_note,
    )
    # What was autosaved is either in the submitted version or will never be saved now.
    autosave.autosave_discard_all(version=version)
    notifications.version_event(version=version, kind=NotificationKind.SUBMITTED, actor=user)
    if reviewer is not None:
        notifications.version_event(
            version=version,
            kind=NotificationKind.REVIEW_ASSIGNED,
            actor=user,
            when=_day(due),
        )
    return version


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _check_assignment(
    version: SummaryVersion, reviewer: "User | None", due: date, *, submitter: Actor
) -> None:
    """A review is due today or later, and goes to someone who may publish the version:
    a reviewer who neither wrote nor submitted it (the four-eyes rule)."""
    if due < timezone.localdate():
        raise ServiceError("A review cannot be due before today.")
    if reviewer is None:
        return
    allowed = notifications.assignable_reviewers(version, submitter=submitter)
    if reviewer.pk not in {candidate.pk for candidate in allowed}:
        name = reviewer.get_full_name() or reviewer.get_username()
        raise ServiceError(
            f"{name} cannot review this version: only a reviewer who did not write or "
            "submit it can publish it."
        )


@transaction.atomic
def review_assign(
    *, version: SummaryVersion, user: Actor = None, reviewer: "User | None", due_on: date
) -> SummaryVersion:
    """Give the review of a version in review to ``reviewer`` (None: any reviewer), due
    ``due_on``; the new reviewer is told."""
    version = _locked(version)
    rules.check(user, AuditAction.ASSIGN_REVIEW, version)
    _check_assignment(version, reviewer, due_on, submitter=version.submitted_by)
    changed = version.review_assignee_id != (reviewer.pk if reviewer else None)
    version.review_assignee = reviewer
    version.review_due_on = due_on
    version.save(update_fields=["review_assignee", "review_due_on"])
    who = reviewer.get_full_name() or reviewer.get_username() if reviewer else "any reviewer"
    record_event(
        version=version,
        user=user,
        action=AuditAction.ASSIGN_REVIEW,
        comment=f"Review by {who}, due {_day(due_on)}.",
    )
    if reviewer is not None and changed:
        notifications.version_event(
            version=version, kind=NotificationKind.REVIEW_ASSIGNED, actor=user, when=_day(due_on)
        )
    return version


def reviews_overdue(today: date | None = None) -> list[SummaryVersion]:
    """Versions in review whose review is past its due day, the longest overdue first."""
    day = today or timezone.localdate()
    overdue = SummaryVersion.objects.filter(state=State.IN_REVIEW, review_due_on__lt=day)
    return list(overdue.order_by("review_due_on", "pk"))


@transaction.atomic
def remind_overdue(today: date | None = None) -> int:
    """Tell every reviewer of each overdue review; how many reviews were overdue."""
    overdue = reviews_overdue(today)
    for version in overdue:
        assert version.review_due_on is not None  # the filter says so
        notifications.version_event(
            version=version,
            kind=NotificationKind.REVIEW_OVERDUE,
            actor=None,
            when=_day(version.review_due_on),
        )
    return len(overdue)


@transaction.atomic
def version_request_changes(
    *, version: SummaryVersion, user: Actor = None, comment: str
) -> SummaryVersion:
    """Send a version in review back to its editors with a comment saying what to change."""
    version = _locked(version)
    rules.check(user, AuditAction.REQUEST_CHANGES, version)
    if not comment.strip():
        raise ServiceError("Say what needs to change: the comment is required.")
    if len(comment.strip()) > COMMENT_MAX_LENGTH:
        raise ServiceError(
            f"Say what needs to change in at most {COMMENT_MAX_LENGTH} characters "
            f"(this has {len(comment.strip())}); add detail as comments on the parts."
        )
    version.state = State.CHANGES_REQUESTED
    version.review_comment = comment.strip()
    # A schedule was an approval of the text as it stood; changes cancel it.
    version.publish_at = version.scheduled_by = None
    version.save(update_fields=["state", "review_comment", "publish_at", "scheduled_by"])
    record_event(
        version=version,
        user=user,
        action=AuditAction.REQUEST_CHANGES,
        from_state=State.IN_REVIEW,
        comment=version.review_comment,
    )
    # The comment joins the version's review comments, with its author and time.
    ReviewComment.objects.create(
        version=version, body=version.review_comment, author=user, requested_changes=True
    )
    notifications.version_event(
        version=version, kind=NotificationKind.CHANGES_REQUESTED, actor=user
    )
    return version


@transaction.atomic
def version_publish(
    *, version: SummaryVersion, user: Actor = None, comment: str = ""
) -> SummaryVersion:
    """Make ``version`` the live version of its intervention.

    The intervention row is locked so two publications cannot interleave; the previous
    live version becomes superseded in the same transaction, so a failure leaves it live.
    """
    version = _locked(version)
    rules.check(user, AuditAction.PUBLISH, version)
    if not version.title.strip():
        raise ServiceError("A summary needs a title before it can be published.")
    now = timezone.now()
    intervention = version.intervention
    superseded = []
    for previous in intervention.versions.live():
        superseded.append(previous.pk)
        previous.state = State.SUPERSEDED
        previous.save(update_fields=["state"])
        record_event(
            version=previous,
            user=user,
            action=AuditAction.SUPERSEDE,
            from_state=State.PUBLISHED,
            comment=f"Replaced by version {version.number}.",
        )
    version.state = State.PUBLISHED
    version.published_at = now
    version.published_by = user
    version.publish_at = None
    # What the list's certainty facet reads: a published version never changes, so it is
    # worked out once, here.
    version.headline_certainty_id = (
        version.outcome_results.order_by("position", "id")
        .values_list("certainty_id", flat=True)
        .first()
    )
    version.save(
        update_fields=[
            "state",
            "published_at",
            "published_by",
            "publish_at",
            "headline_certainty",
        ]
    )
    if intervention.first_published_at is None:
        intervention.first_published_at = now
        intervention.save(update_fields=["first_published_at"])
    # In this transaction: the new text is found, and the old text no longer, exactly
    # when the publication commits.
    search.index_versions([version.pk, *superseded])
    record_event(
        version=version,
        user=user,
        action=AuditAction.PUBLISH,
        from_state=State.IN_REVIEW,
        comment=comment or version.change_note,
    )
    # Alerts go out later (manage.py send_alerts); this row makes sure they do, exactly
    # when the publication commits.
    AlertOutbox.objects.create(
        version=version, previous_id=superseded[0] if superseded else _last_public(version)
    )
    pages.content_changed(interventions=[version.intervention_id])
    notifications.version_event(version=version, kind=NotificationKind.PUBLISHED, actor=user)
    return version


def _last_public(version: SummaryVersion) -> int | None:
    """The version published before ``version`` when none was live (it was withdrawn)."""
    return (
        version.intervention.versions.filter(published_at__isnull=False)
        .exclude(pk=version.pk)
        .order_by("-published_at")
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def version_schedule(
    *, version: SummaryVersion, user: Actor = None, publish_at: datetime
) -> SummaryVersion:
    """Approve a version in review for publication at ``publish_at``: a task
    (``tasks.publish_scheduled``), queued with this transaction, runs ``publish_due``
    then."""
    version = _locked(version)
    rules.check(user, AuditAction.SCHEDULE, version)
    if publish_at <= timezone.now():
        raise ServiceError("Choose a time in the future, or publish now instead.")
    version.publish_at = publish_at
    version.scheduled_by = user
    version.save(update_fields=["publish_at", "scheduled_by"])
    when = timezone.localtime(publish_at).strftime("%d %B %Y %H:%M")
    record_event(
        version=version,
        user=user,
        action=AuditAction.SCHEDULE,
        from_state=State.IN_REVIEW,
        comment=f"To be published at {when}.",
    )
    notifications.version_event(
        version=version, kind=NotificationKind.SCHEDULED, actor=user, when=when
    )
    enqueue(editorial_tasks.publish_scheduled, run_after=publish_at)
    return version


@transaction.atomic
def version_unschedule(*, version: SummaryVersion, user: Actor = None) -> SummaryVersion:
    """Cancel a scheduled publication; the version stays in review."""
    version = _locked(version)
    rules.check(user, AuditAction.UNSCHEDULE, version)
    if version.publish_at is None:
        raise ServiceError("This version is not scheduled.")
    version.publish_at = version.scheduled_by = None
    version.save(update_fields=["publish_at", "scheduled_by"])
    record_event(
        version=version, user=user, action=AuditAction.UNSCHEDULE, from_state=State.IN_REVIEW
    )
    return version


def publish_due(*, now: datetime | None = None) -> list[SummaryVersion]:
    """Publish every version in review whose scheduled time has come; return them.

    Each publication is its own transaction, so one failure does not hold up the rest;
    running it twice publishes nothing twice. The publication is made in the name of the
    reviewer who scheduled it, and only while they may still publish it.
    """
    now = now or timezone.now()
    due = SummaryVersion.objects.filter(state=State.IN_REVIEW, publish_at__lte=now)
    published = []
    for version in due.select_related("scheduled_by").order_by("publish_at", "pk"):
        try:
            published.append(
                version_publish(
                    version=version,
                    user=version.scheduled_by,
                    comment=f"Scheduled publication. {version.change_note}".strip(),
                )
            )
        except ServiceError as error:
            logger.warning("Scheduled version %s not published: %s", version.pk, error)
    return published


@transaction.atomic
def version_withdraw(*, version: SummaryVersion, user: Actor = None, reason: str) -> SummaryVersion:
    """Take a live summary off the public site and out of search; its address then
    answers 410 Gone."""
    version = _locked(version)
    rules.check(user, AuditAction.WITHDRAW, version)
    if not reason.strip():
        raise ServiceError("Give the reason for withdrawing: readers will see it.")
    version.state = State.WITHDRAWN
    version.withdrawn_at = timezone.now()
    version.withdrawal_reason = reason.strip()
    version.save(update_fields=["state", "withdrawn_at", "withdrawal_reason"])
    search.unindex_versions([version.pk])
    record_event(
        version=version,
        user=user,
        action=AuditAction.WITHDRAW,
        from_state=State.PUBLISHED,
        comment=version.withdrawal_reason,
    )
    pages.content_changed(interventions=[version.intervention_id])
    notifications.version_event(version=version, kind=NotificationKind.WITHDRAWN, actor=user)
    return version


@transaction.atomic
def version_archive(
    *, version: SummaryVersion, user: Actor = None, comment: str = ""
) -> SummaryVersion:
    """Set aside a draft nobody will finish; it stays in the history and can be restored."""
    version = _locked(version)
    rules.check(user, AuditAction.ARCHIVE, version)
    from_state = version.state
    version.state = State.ARCHIVED
    version.save(update_fields=["state"])
    autosave.autosave_discard_all(version=version)
    record_event(
        version=version,
        user=user,
        action=AuditAction.ARCHIVE,
        from_state=from_state,
        comment=comment.strip(),
    )
    return version


# --- Taxonomy terms ------------------------------------------------------------------------


def term_name_clean(name: str) -> str:
    """A term name as stored: single spaces, no spaces at the ends."""
    return " ".join(name.split())


def term_find(model: type[Term], name: str, *, exclude_pk: int | None = None) -> Term | None:
    """The term of ``model`` called ``name``, compared without regard to capitals."""
    wanted = term_name_clean(name).casefold()
    terms = (
        model._default_manager.exclude(pk=exclude_pk)
        if exclude_pk
        else model._default_manager.all()
    )
    # Vocabularies are short. Comparing in Python also folds non-ASCII capitals ("Ö"),
    # which SQLite's case-insensitive matching does not.
    return next((t for t in terms.only("pk", "name") if t.name.casefold() == wanted), None)


@transaction.atomic
def terms_add(*, model: type[Term], names: list[str], user: Actor = None) -> list[Term]:
    """The terms of ``model`` called ``names``, creating those that do not exist yet.

    A name that exists in any capitalisation is the existing term, never a second one
    (the database refuses that too). New terms go to the end of their vocabulary's order.
    """
    permission = f"summaries.add_{model._meta.model_name}"
    if user is not None and not (user.is_active and user.is_staff and user.has_perm(permission)):
        raise NotAllowed("Your role does not allow adding terms.")
    terms: list[Term] = []
    for raw in names:
        name = term_name_clean(raw)
        if not name:
            continue
        term = term_find(model, name)
        if term is None:
            last = model._default_manager.aggregate(last=Max("position"))["last"] or 0
            term = model._default_manager.create(
                name=name, slug=_free_slug(model, name), position=last + 1
            )
            # A new term tags nothing public, so no summary's page shows it; but the list
            # pages now read its slug in a filter address as a known term (no results)
            # where they read an unknown one (every result, with a note): they go cold.
            pages.content_changed(interventions=())
        if term not in terms:
            terms.append(term)
    return terms


def _free_slug(model: type[Term], name: str) -> str:
    base = slugify(name)[:110] or "term"
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def terms_merge(*, keep: Term, merged: list[Term], user: Actor = None) -> int:
    """Move every tag of the ``merged`` terms to ``keep`` and delete them; return how many
    versions were retagged. Live summaries are reindexed (their taxonomy text changed);
    the pages of the summaries tagged with a merged term go cold, with the lists."""
    model = type(keep)
    name = model._meta.model_name
    if user is not None and not (
        user.is_active
        and user.is_staff
        and user.has_perm(f"summaries.change_{name}")
        and user.has_perm(f"summaries.delete_{name}")
    ):
        raise NotAllowed("Merging terms needs the role of a reviewer.")
    merged_ids = [term.pk for term in merged if term.pk != keep.pk]
    if not merged_ids:
        raise ServiceError("Choose at least one other term to merge into the one kept.")
    field = next(vocabulary.field for vocabulary in TAXONOMY if vocabulary.model is model)
    through = getattr(SummaryVersion, field).through
    column = f"{name}_id"
    tagged = set(
        through.objects.filter(**{f"{column}__in": merged_ids}).values_list(
            "summaryversion_id", flat=True
        )
    )
    already = set(
        through.objects.filter(**{column: keep.pk, "summaryversion_id__in": tagged}).values_list(
            "summaryversion_id", flat=True
        )
    )
    through.objects.bulk_create(
        [through(summaryversion_id=pk, **{column: keep.pk}) for pk in sorted(tagged - already)]
    )
    live = list(SummaryVersion.objects.live().filter(pk__in=tagged).values_list("pk", flat=True))
    # The pages that showed a merged term now show the kept one; other summaries' pages
    # stay cached. Asked while the merged terms still have their tags.
    pages.content_changed(interventions=summaries_tagged(model, merged_ids))
    model._default_manager.filter(pk__in=merged_ids).delete()  # and their tags
    search.index_versions(live)
    return len(tagged)
