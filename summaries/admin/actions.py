"""The workflow actions on one version: submit, request changes, publish, schedule,
withdraw, archive.

Each action is a page: GET explains what will happen and asks for what the action needs
(a change note, a comment, a reason, a time); only POST acts. The user's role is checked
before anything is shown (403 otherwise), and again by the service, which also checks the
version's state and writes the audit event.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from summaries.editorial import comments, notifications, rules, services
from summaries.models import COMMENT_MAX_LENGTH, AuditAction, SummaryVersion

from .common import (
    database_is_locked,
    missing_version_redirect,
    refuse_action,
    version_change_url,
)

# --- The forms: what each action asks for ---------------------------------------------


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignmentForm(forms.Form):
    """Who reviews a version and by when: the reviewers who may publish it (never one who
    wrote or submits it), or any reviewer."""

    reviewer = ReviewerChoiceField(
        label="Reviewer",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Any reviewer",
        help_text="Only reviewers who did not write or submit this version are listed: "
        "they are the ones who may publish it.",
    )
    review_due_on = forms.DateField(
        label="Review due",
        required=False,
        # Written as the admin writes dates (see SCHEDULE_FORMATS), not the browser's
        # date picker, which shows mm/dd/yyyy under an American locale.
        input_formats=["%d %b %Y", "%d %B %Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d %b %Y", attrs={"autocomplete": "off"}),
        help_text="Day, month and year: for example “14 Dec 2026”. Reviews past this day "
        "are listed first and reviewers are reminded daily. Left empty: in the usual "
        "number of days.",
        error_messages={"invalid": "Write the day like “14 Dec 2026” (day, month, year)."},
    )

    def __init__(self, *args, version: SummaryVersion, submitter, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = notifications.assignable_reviewers(version, submitter=submitter)
        reviewer = cast(forms.ModelChoiceField, self.fields["reviewer"])
        reviewer.queryset = (
            get_user_model()
            .objects.filter(pk__in=[user.pk for user in allowed])
            .order_by("first_name", "last_name", "username")
        )

    def clean_review_due_on(self):
        due = self.cleaned_data["review_due_on"]
        if due is None:
            return timezone.localdate() + timedelta(days=settings.REVIEW_DUE_DAYS)
        if due < timezone.localdate():
            raise forms.ValidationError("A review cannot be due before today.")
        return due


class SubmitForm(AssignmentForm):
    change_note = forms.CharField(
        label="Change note",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What changed in this version and why. Reviewers read it first; once "
        "published it appears in the public change log.",
    )
    field_order = ["change_note", "reviewer", "review_due_on"]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        max_length=COMMENT_MAX_LENGTH,  # it becomes a review comment
        help_text="The editors see this on the draft and on their admin home page.",
    )


# Dates as the admin writes them everywhere else ("7 Dec 2026 09:00"), not the browser's
# datetime-local picker, which shows mm/dd/yyyy under an American locale. ISO is accepted
# too, for those who type it.
SCHEDULE_FORMATS = [
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%d %b %Y, %H:%M",
    "%d %B %Y, %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        input_formats=SCHEDULE_FORMATS,
        help_text="Day, month, year and time (24-hour), site time: for example “7 Dec 2026 "
        "09:00”. Publication happens within a minute or so of it, when the "
        "scheduled-publishing job next runs.",
        error_messages={
            "invalid": "Write the date and time like “7 Dec 2026 09:00” (day, month, year, "
            "24-hour time)."
        },
    )

    def clean_publish_at(self):
        when = self.cleaned_data["publish_at"]
        if when <= timezone.now():
            raise forms.ValidationError(
                "That time has passed: choose a time in the future, or publish now instead."
            )
        return when


class OpenCommentsForm(forms.Form):
    """Publishing or scheduling over open review comments: each is named, may be resolved
    in the same step, and those left open must be acknowledged."""

    resolve = forms.TypedMultipleChoiceField(
        label="Resolve these comments as I publish",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each comment this version answers; it is marked resolved by you.",
    )
    publish_with_open = forms.BooleanField(
        label="Publish with the comments I did not tick still open",
        required=False,
    )

    def __init__(self, *args, open_comments, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_comments = open_comments
        self.fields["resolve"].choices = [
            (comment.pk, f"{comment.anchor_label}: {comment.body}") for comment in open_comments
        ]

    def clean(self):
        cleaned_data = super().clean()
        left = len(self.open_comments) - len(cleaned_data.get("resolve") or ())
        if left and not cleaned_data.get("publish_with_open"):
            self.add_error(
                "publish_with_open",
                f"{left} comment{'s are' if left > 1 else ' is'} still open: tick the ones "
                "this version resolves, or confirm that you publish with them open.",
            )
        return cleaned_data


def open_comments(version) -> list:
    """The version's unresolved comment threads, oldest first."""
    return [c for c in comments.threads([version.pk]).get(version.pk, []) if not c.is_resolved]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawal",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Shown to the public at the summary's address, e.g. 'Withdrawn while the "
        "evidence is reviewed after a new systematic review was published.'",
    )


class ArchiveForm(forms.Form):
    comment = forms.CharField(
        label="Why (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Kept in the audit log.",
    )


# --- The actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    action: str  # an AuditAction, the key of the rule in rules.RULES
    label: str  # the button on the version page
    confirm: str  # the button on the action's own page
    run: Callable  # service call: (version, user, cleaned_data) -> version
    done: str  # success message; {n} is the version number
    form: type[forms.Form] | None = None
    danger: bool = False


def _submit(version, user, data):
    return services.version_submit(
        version=version,
        user=user,
        change_note=data["change_note"],
        reviewer=data["reviewer"],
        review_due_on=data["review_due_on"],
    )


def _assign(version, user, data):
    return services.review_assign(
        version=version, user=user, reviewer=data["reviewer"], due_on=data["review_due_on"]
    )


def _request_changes(version, user, data):
    return services.version_request_changes(version=version, user=user, comment=data["comment"])


def _publish(version, user, data):
    return services.version_publish(version=version, user=user)


def _schedule(version, user, data):
    return services.version_schedule(version=version, user=user, publish_at=data["publish_at"])


def _unschedule(version, user, data):
    return services.version_unschedule(version=version, user=user)


def _withdraw(version, user, data):
    return services.version_withdraw(version=version, user=user, reason=data["reason"])


def _archive(version, user, data):
    return services.version_archive(version=version, user=user, comment=data["comment"])


# Keyed by the URL's last part: /admin/summaries/summaryversion/<pk>/<key>/
ACTIONS = {
    "submit": ActionSpec(
        AuditAction.SUBMIT,
        "Submit for review",
        "Submit version {n} for review",
        _submit,
        "Version {n} is in review. Reviewers see it on their admin home page.",
        form=SubmitForm,
    ),
    "request-changes": ActionSpec(
        AuditAction.REQUEST_CHANGES,
        "Request changes",
        "Send version {n} back to the editors",
        _request_changes,
        "Version {n} went back to the editors with your comment.",
        form=CommentForm,
    ),
    "publish": ActionSpec(
        AuditAction.PUBLISH,
        "Approve and publish",
        "Yes, publish version {n}",
        _publish,
        "Version {n} is live.",
    ),
    "schedule": ActionSpec(
        AuditAction.SCHEDULE,
        "Schedule publication",
        "Schedule version {n}",
        _schedule,
        "Version {n} is approved and scheduled.",
        form=ScheduleForm,
    ),
    "unschedule": ActionSpec(
        AuditAction.UNSCHEDULE,
        "Cancel scheduled publication",
        "Cancel the scheduled publication of version {n}",
        _unschedule,
        "Version {n} is no longer scheduled; it stays in review.",
    ),
    "assign": ActionSpec(
        AuditAction.ASSIGN_REVIEW,
        "Assign the review",
        "Assign the review of version {n}",
        _assign,
        "The review of version {n} is assigned.",
        form=AssignmentForm,
    ),
    "withdraw": ActionSpec(
        AuditAction.WITHDRAW,
        "Withdraw from the public site",
        "Withdraw version {n}",
        _withdraw,
        "Version {n} is withdrawn: its address now tells visitors it was withdrawn.",
        form=WithdrawForm,
        danger=True,
    ),
    "archive": ActionSpec(
        AuditAction.ARCHIVE,
        "Archive this draft",
        "Archive draft {n}",
        _archive,
        "Draft {n} is archived. It stays in the history and can be restored from there.",
        form=ArchiveForm,
        danger=True,
    ),
}


def _offered(user, key: str, spec: ActionSpec, version: SummaryVersion) -> bool:
    if not rules.may(user, spec.action, version):
        return False
    if key == "schedule":
        return version.publish_at is None
    if key == "unschedule":
        return version.publish_at is not None
    return True


def action_buttons(user, version: SummaryVersion) -> list[dict]:
    """The actions ``user`` may take on ``version`` now, as buttons for its page."""
    return [
        {
            "label": spec.label,
            "url": reverse(
                f"admin:summaries_summaryversion_{key.replace('-', '_')}", args=[version.pk]
            ),
            "danger": spec.danger,
            "key": key,
        }
        for key, spec in ACTIONS.items()
        if _offered(user, key, spec, version)
    ]


def workflow_action_view(request, object_id, *, model_admin, spec: ActionSpec):
    version = model_admin.get_object(request, object_id)
    if version is None:
        return missing_version_redirect(request, model_admin, object_id)
    if not rules.role_allows(request.user, spec.action, version):
        raise refuse_action(request.user, spec.action, version, spec.label)
    back = redirect(version_change_url(version.pk))
    if not rules.state_allows(spec.action, version):
        model_admin.message_user(
            request,
            f"Not possible now: version {version.number} is {version.get_state_display().lower()}.",
            messages.ERROR,
        )
        return back

    form = _bound_form(request, spec, version)
    comments_form = None
    if spec.action in {AuditAction.PUBLISH, AuditAction.SCHEDULE}:
        waiting = open_comments(version)
        if waiting:
            comments_form = OpenCommentsForm(
                request.POST if request.method == "POST" else None,
                open_comments=waiting,
                auto_id="id_open_%s",
            )
    problems = []
    valid = (form is None or form.is_valid()) and (
        comments_form is None or comments_form.is_valid()
    )
    if request.method == "POST" and valid:
        data = form.cleaned_data if form else {}
        try:
            with transaction.atomic():
                # Resolved in the same transaction: if publishing fails, they stay open.
                if comments_form is not None:
                    _resolve(comments_form, request.user)
                spec.run(version, request.user, data)
        except OperationalError as error:
            if not database_is_locked(error):
                raise
            # SQLite gave up waiting for another write (see toolkit/settings.py): nothing
            # changed, and the version's page shows what state it is in now.
            model_admin.message_user(
                request,
                f"Not done: someone else was acting on version {version.number} at the same "
                "moment, and the database stayed busy. Nothing changed; check the version's "
                "state below and try again if it is still needed.",
                messages.ERROR,
            )
            return back
        except services.NotAllowed as error:
            raise refuse_action(request.user, spec.action, version, spec.label) from error
        except services.SubmitRefused as error:
            problems = error.problems
            model_admin.message_user(request, _problem_list(error), messages.ERROR)
        except services.ServiceError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
            return back
        else:
            model_admin.message_user(request, _done_message(spec, version), messages.SUCCESS)
            if spec.action == AuditAction.REQUEST_CHANGES:
                # The version is the editors' again; the reviewer's work is the queue.
                # (Landing on the draft's form would also mark the reviewer as present
                # on it, telling its editors someone else has it open.)
                return redirect(reverse("admin:index"))
            return back
    elif spec.action == AuditAction.SUBMIT:
        # Say before the editor writes a change note what still stops the draft.
        problems = rules.submit_problems(version)

    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": f"{spec.label}: version {version.number}",
        "version": version,
        "live_version": version.intervention.versions.live().first(),
        "spec": spec,
        "confirm_label": spec.confirm.format(n=version.number),
        "form": form,
        "comments_form": comments_form,
        "problems": problems,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "admin/summaries/summaryversion/workflow_action.html", context)


def _resolve(comments_form: OpenCommentsForm, user) -> None:
    chosen = set(comments_form.cleaned_data["resolve"])
    for comment in comments_form.open_comments:
        if comment.pk in chosen:
            comments.comment_resolve(comment=comment, user=user)


def _bound_form(request, spec: ActionSpec, version: SummaryVersion):
    if spec.form is None:
        return None
    kwargs: dict = {}
    if issubclass(spec.form, AssignmentForm):
        # Submitting: the submitter is the user; reassigning: the one who submitted.
        submitter = request.user if spec.form is SubmitForm else version.submitted_by
        kwargs = {"version": version, "submitter": submitter}
    if request.method == "POST":
        return spec.form(request.POST, **kwargs)
    initial: dict = {}
    if spec.form is SubmitForm:
        initial["change_note"] = version.change_note
    if issubclass(spec.form, AssignmentForm):
        initial["reviewer"] = version.review_assignee_id
        initial["review_due_on"] = version.review_due_on or (
            timezone.localdate() + timedelta(days=settings.REVIEW_DUE_DAYS)
        )
    return spec.form(initial=initial, **kwargs)


def _problem_list(error):
    items = format_html_join("", "<li>{}</li>", ((p,) for p in error.problems))
    return format_html("Not submitted. Before review:<ul>{}</ul>", items)


def _done_message(spec: ActionSpec, version: SummaryVersion):
    message = spec.done.format(n=version.number)
    if spec.action == AuditAction.PUBLISH:
        return format_html(
            '{} <a href="{}">View the public page</a>.',
            message,
            version.intervention.get_absolute_url(),
        )
    return message
