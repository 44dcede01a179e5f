"""The queue of what the public sends in: receiving suggestions and problem reports, and
closing them (accept into the pipeline, merge with an entry, decline, dealt with).

Closing deletes the sender's email address in the same transaction (a database
constraint insists), after queuing the reply to it when there is one: the address then
lives on only in that task's record, which housekeeping deletes a few days after it
ran (``TASK_RESULTS_KEEP_DAYS``).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from summaries.models import (
    PipelineEntry,
    Stage,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    SummaryVersion,
)
from summaries.models.plain_text import single_line
from summaries.public import pages
from summaries.tasks import background_task, enqueue

from . import notifications
from .errors import NotAllowed, ServiceError
from .rules import Actor

CHANGE = "summaries.change_suggestion"

# Which outcomes close which kind of item.
OUTCOMES = {
    SuggestionKind.SUGGESTION: (
        SuggestionStatus.ACCEPTED,
        SuggestionStatus.MERGED,
        SuggestionStatus.DECLINED,
    ),
    SuggestionKind.PROBLEM: (SuggestionStatus.RESOLVED,),
}


@transaction.atomic
def suggestion_receive(
    *, subject: str, body: str, evidence_url: str = "", email: str = ""
) -> Suggestion:
    """Keep a suggestion from the public in the queue."""
    return Suggestion.objects.create(
        kind=SuggestionKind.SUGGESTION,
        subject=subject,
        body=body,
        evidence_url=evidence_url,
        email=email,
    )


@transaction.atomic
def problem_report(*, version: SummaryVersion, body: str, email: str = "") -> Suggestion:
    """Keep a problem reported with ``version``'s page in the queue, and tell the
    summary's editors."""
    report = Suggestion.objects.create(
        kind=SuggestionKind.PROBLEM,
        body=body,
        email=email,
        intervention_id=version.intervention_id,
        version=version,
    )
    notifications.problem_reported(
        version=version, path=reverse("admin:summaries_suggestion_change", args=[report.pk])
    )
    return report


@transaction.atomic
def suggestion_close(
    *,
    suggestion: Suggestion,
    outcome: str,
    user: Actor,
    reply: str = "",
    entry: PipelineEntry | None = None,
    entry_title: str = "",
    entry_description: str = "",
) -> Suggestion:
    """Close an open item with ``outcome``: accepted (a new pipeline entry from
    ``entry_title`` and ``entry_description``, at "suggested"), merged (with ``entry``),
    declined (``reply`` needed) or, for a problem, dealt with. A ``reply`` is emailed to
    the sender if they gave an address; the address is then deleted."""
    if user is None or not user.has_perm(CHANGE):
        raise NotAllowed("Only editors and reviewers work through the queue.")
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not suggestion.is_open:
        raise ServiceError(f"This was already closed ({suggestion.get_status_display().lower()}).")
    if outcome not in OUTCOMES[SuggestionKind(suggestion.kind)]:
        raise ServiceError("That is not a way to close this kind of item.")
    reply = reply.strip()
    if outcome == SuggestionStatus.DECLINED and not reply:
        raise ServiceError("Write a reply saying why it is declined.")
    if outcome == SuggestionStatus.ACCEPTED:
        if not entry_title.strip() or not entry_description.strip():
            raise ServiceError("Give the new pipeline entry a title and a description.")
        entry = PipelineEntry(
            title=entry_title.strip(),
            description=entry_description.strip(),
            stage=Stage.SUGGESTED,
            created_by=user,
        )
        entry.full_clean()
        entry.save()
        pages.content_changed(interventions=())  # the pipeline page lists it
    elif outcome == SuggestionStatus.MERGED:
        if entry is None:
            raise ServiceError("Choose the pipeline entry to merge it with.")
    else:
        entry = None
    if reply and suggestion.email:
        enqueue(email_reply, suggestion.email, _reply_subject(suggestion), reply)
    suggestion.status = outcome
    suggestion.pipeline_entry = entry
    suggestion.reply = reply
    suggestion.email = ""
    suggestion.closed_at = timezone.now()
    suggestion.closed_by = user
    suggestion.save()
    return suggestion


def _reply_subject(suggestion: Suggestion) -> str:
    if suggestion.kind == SuggestionKind.PROBLEM:
        return f"Your report of a problem with a page of the {settings.TOOLKIT_NAME}"
    return f"Your suggestion to the {settings.TOOLKIT_NAME}: {single_line(suggestion.subject)}"


@background_task()
def email_reply(email: str, subject: str, reply: str) -> str:
    """Email the team's reply to the person who sent a suggestion or a problem report;
    raises (and so is retried) if the send fails."""
    body = (
        f"{reply}\n\n"
        f"You gave this address when you wrote to the {settings.TOOLKIT_NAME}, for a "
        "reply. We keep it no longer than it takes to send this one.\n"
    )
    send_mail(subject[:200], body, None, [email])
    return "sent"
