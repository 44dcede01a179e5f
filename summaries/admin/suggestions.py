"""The queue of suggestions and problem reports the public sends in.

Items are read-only here: what the sender wrote stays as sent. Each open item's page
links to "Close", a form that accepts a suggestion into the pipeline (a new entry), merges
it with an existing entry, declines it with a reply, or marks a problem as dealt with,
through ``editorial.suggestions.suggestion_close`` (which emails a reply and deletes the
sender's address). Open items first, oldest first.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from summaries.editorial.errors import ServiceError
from summaries.editorial.suggestions import CHANGE, OUTCOMES, suggestion_close
from summaries.models import (
    PipelineEntry,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)
from summaries.models.pipeline import DESCRIPTION_MAX_LENGTH
from summaries.models.suggestions import BODY_MAX_LENGTH

from .common import AccessibleAdminMixin, NulSafeSearchMixin


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    entry_title = forms.CharField(
        label="New pipeline entry: title",
        required=False,
        max_length=200,
        help_text="For “accepted”: the intervention's name as readers would look for it.",
    )
    entry_description = forms.CharField(
        label="New pipeline entry: description",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For “accepted”: what it is, in a sentence or two. Shown to the public: "
        "leave out anything personal the sender wrote.",
    )
    entry = forms.ModelChoiceField(
        label="Merge with",
        queryset=PipelineEntry.objects.order_by("title"),
        required=False,
        help_text="For “merged”: the existing entry it is about.",
    )
    reply = forms.CharField(
        label="Reply",
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Emailed to the sender if they gave an address (then deleted). Needed to "
        "decline.",
    )

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = OUTCOMES[SuggestionKind(suggestion.kind)]
        self.fields["outcome"].choices = [(o.value, o.label) for o in allowed]
        if suggestion.kind == SuggestionKind.PROBLEM:
            for name in ("entry_title", "entry_description", "entry"):
                del self.fields[name]


@admin.register(Suggestion)
class SuggestionAdmin(NulSafeSearchMixin, AccessibleAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "kind", "__str__", "intervention", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "body"]
    readonly_fields = [
        "kind",
        "subject",
        "body",
        "evidence_url",
        "email",
        "intervention",
        "version",
        "status",
        "pipeline_entry",
        "reply",
        "received_at",
        "closed_at",
        "closed_by",
    ]
    fields = readonly_fields
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intervention")

    def get_ordering(self, request):
        # Open items first, the oldest first (the change list orders by this, not by the
        # queryset's own order).
        open_first = Case(
            When(status=SuggestionStatus.NEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [open_first.asc(), "received_at", "pk"]

    def has_add_permission(self, request):
        return False  # items come from the public forms only

    def has_change_permission(self, request, obj=None):
        return False  # as sent; "Close" changes an item, through the service

    def has_delete_permission(self, request, obj=None):
        return False  # closing keeps the record and deletes the personal data

    def get_urls(self):
        return [
            path(
                "<int:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="summaries_suggestion_close",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "close_url": None}
        found = Suggestion.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if found is not None and found.is_open and request.user.has_perm(CHANGE):
            extra_context["close_url"] = reverse(
                "admin:summaries_suggestion_close", args=[found.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def close_view(self, request, object_id):
        """Accept, merge, decline or mark as dealt with: one form for every outcome."""
        suggestion = Suggestion.objects.filter(pk=object_id).first()
        if suggestion is None:
            raise Http404
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        change_url = reverse("admin:summaries_suggestion_change", args=[suggestion.pk])
        if not suggestion.is_open:
            self.message_user(request, "This item is already closed.", messages.WARNING)
            return redirect(change_url)
        initial = {"entry_title": suggestion.subject, "entry_description": suggestion.body[:1000]}
        form = CloseForm(request.POST or None, suggestion=suggestion, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                suggestion_close(
                    suggestion=suggestion,
                    outcome=data["outcome"],
                    user=request.user,
                    reply=data["reply"],
                    entry=data.get("entry"),
                    entry_title=data.get("entry_title", ""),
                    entry_description=data.get("entry_description", ""),
                )
            except ServiceError as error:
                form.add_error(None, str(error))
            except forms.ValidationError as error:
                form.add_error(None, error)
            else:
                suggestion.refresh_from_db()
                self.message_user(
                    request, f"Closed: {suggestion.get_status_display().lower()}.", messages.SUCCESS
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Close: {suggestion}",
            "suggestion": suggestion,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/summaries/suggestion/close.html", context)
