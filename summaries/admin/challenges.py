"""Challenges to a rating: the reviewers' queue and the workflow.

The list puts open challenges first by target date, so the overdue ones lead. A
challenge is read-only as sent; its page links to "Work on it", one page whose form
depends on the status: acknowledge, send to two reviewers (only reviewers with no part in
the version are offered), or record the decision. Every step goes through
``editorial.challenges`` and is in the audit log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from summaries.editorial import rules
from summaries.editorial.challenges import (
    DECIDE,
    challenge_acknowledge,
    challenge_assign,
    challenge_decide,
    conflicted,
)
from summaries.editorial.errors import ServiceError
from summaries.models import AuditEvent, Challenge, ChallengeStatus
from summaries.models.challenges import DECIDED, OPEN, TEXT_MAX_LENGTH

from .common import AccessibleAdminMixin, NulSafeSearchMixin


def eligible_reviewers(challenge: Challenge):
    """Active reviewers (who may publish) with no part in the version challenged."""
    users = get_user_model().objects.with_perm(
        rules.PUBLISH, include_superusers=True, backend="django.contrib.auth.backends.ModelBackend"
    )
    return (
        users.filter(is_active=True, is_staff=True)
        .exclude(pk__in=conflicted(challenge.version))
        .order_by("username")
    )


class AssignForm(forms.Form):
    reviewer_one = forms.ModelChoiceField(label="First reviewer", queryset=None)
    reviewer_two = forms.ModelChoiceField(label="Second reviewer", queryset=None)

    def __init__(self, *args, challenge: Challenge, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reviewer_one", "reviewer_two"):
            self.fields[name].queryset = eligible_reviewers(challenge)
            self.fields[
                name
            ].help_text = "A reviewer who neither wrote nor reviewed the version challenged."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reviewer_one") and cleaned.get("reviewer_one") == cleaned.get(
            "reviewer_two"
        ):
            raise forms.ValidationError("Choose two different reviewers.")
        return cleaned


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(status.value, status.label) for status in DECIDED],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label="Decision",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The two reviewers' written decision and reasons: emailed to the challenger.",
    )
    led_to_change = forms.BooleanField(
        label="It leads to a change of the summary",
        required=False,
        help_text="Then the summary's public change log notes it, in the line below.",
    )
    change_log_note = forms.CharField(
        label="Change log note",
        required=False,
        max_length=300,
        help_text="One line for the public change log, e.g. 'The quality rating was lowered "
        "to moderate after a challenge.'",
    )


@admin.register(Challenge)
class ChallengeAdmin(NulSafeSearchMixin, AccessibleAdminMixin, admin.ModelAdmin):
    # The target and whether it has passed first: the queue is worked by them.
    list_display = ["target_on", "late", "status", "rating_label", "intervention", "received_at"]
    list_filter = ["status"]
    search_fields = ["rating_label", "reasons", "intervention__slug"]
    readonly_fields = [
        "intervention",
        "version",
        "rating_label",
        "reasons",
        "evidence",
        "email",
        "status",
        "received_at",
        "target_on",
        "acknowledged_at",
        "reviewer_one",
        "reviewer_two",
        "review_started_at",
        "decided_at",
        "decision",
        "led_to_change",
        "change_log_note",
    ]
    fields = readonly_fields
    actions = None

    @admin.display(description="overdue")
    def late(self, obj):
        # In words: the admin's boolean icons would show an overdue challenge as a green tick.
        return "Overdue" if obj.is_overdue else ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intervention")

    def get_ordering(self, request):
        # Open challenges first, by target date (so the overdue ones lead).
        open_first = Case(
            When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [open_first.asc(), "target_on", "received_at", "pk"]

    def has_add_permission(self, request):
        return False  # challenges come from the public form only

    def has_change_permission(self, request, obj=None):
        return False  # the workflow page changes them, through the services

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:object_id>/workflow/",
                self.admin_site.admin_view(self.workflow_view),
                name="summaries_challenge_workflow",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "workflow_url": None}
        if object_id.isdigit() and request.user.has_perm(DECIDE):
            found = Challenge.objects.filter(pk=object_id).first()
            if found is not None and found.is_open:
                extra_context["workflow_url"] = reverse(
                    "admin:summaries_challenge_workflow", args=[found.pk]
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_view(self, request, object_id):
        challenge = (
            Challenge.objects.select_related("intervention", "version").filter(pk=object_id).first()
        )
        if challenge is None:
            raise Http404
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        change_url = reverse("admin:summaries_challenge_change", args=[challenge.pk])
        post = request.POST if request.method == "POST" else None
        assign = AssignForm(post, challenge=challenge, prefix="assign")
        decide = DecideForm(post, prefix="decide")
        error = ""
        if post is not None:
            step = post.get("step")
            try:
                if step == "acknowledge":
                    challenge_acknowledge(challenge=challenge, user=request.user)
                elif step == "assign" and assign.is_valid():
                    challenge_assign(
                        challenge=challenge,
                        reviewers=[
                            assign.cleaned_data["reviewer_one"],
                            assign.cleaned_data["reviewer_two"],
                        ],
                        user=request.user,
                    )
                elif step == "decide" and decide.is_valid():
                    challenge_decide(
                        challenge=challenge,
                        outcome=decide.cleaned_data["outcome"],
                        decision=decide.cleaned_data["decision"],
                        led_to_change=decide.cleaned_data["led_to_change"],
                        change_log_note=decide.cleaned_data["change_log_note"],
                        user=request.user,
                    )
                else:
                    step = ""
            except ServiceError as refused:
                error = str(refused)
            else:
                if step:
                    challenge.refresh_from_db()
                    self.message_user(
                        request,
                        f"The challenge is {challenge.get_status_display().lower()}.",
                        messages.SUCCESS,
                    )
                    return redirect(change_url)
        events = AuditEvent.objects.filter(
            intervention_id=challenge.intervention_id, comment__startswith=str(challenge)
        ).select_related("actor")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(challenge),
            "challenge": challenge,
            "assign": assign,
            "decide": decide,
            "error": error,
            "change_url": change_url,
            "statuses": ChallengeStatus,
            "events": events,
            "may_decide": request.user.pk in (challenge.reviewer_one_id, challenge.reviewer_two_id),
        }
        return TemplateResponse(request, "admin/summaries/challenge/workflow.html", context)
