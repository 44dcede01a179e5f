"""The evidence pipeline: entries editors keep, public at ``/toolkit/pipeline/``.

Every save or delete raises the public content generation (the pipeline page, its CSV
and the API are cached by it); no summary's own page shows an entry, so those stay
cached. "Start a summary" turns one entry into a new summary's first draft through
``editorial.pipeline``.
"""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify

from summaries.editorial.errors import ServiceError
from summaries.editorial.pipeline import pipeline_entry_start_summary
from summaries.models import PipelineEntry

from .common import (
    AccessibleAdminMixin,
    EditorFieldsMixin,
    NulSafeSearchMixin,
    PublicContentAdminMixin,
)

SLUG_MAX_LENGTH = 120


@admin.register(PipelineEntry)
class PipelineEntryAdmin(
    PublicContentAdminMixin,
    NulSafeSearchMixin,
    AccessibleAdminMixin,
    EditorFieldsMixin,
    admin.ModelAdmin,
):
    list_display = ["title", "stage", "stage_changed_on", "intervention", "is_demo"]
    list_filter = ["stage", "is_demo"]
    search_fields = ["title", "description"]
    fields = [
        "title",
        "description",
        "stage",
        "not_rated_reason",
        "stage_changed_on",
        "intervention",
        "is_demo",
    ]
    readonly_fields = ["stage_changed_on", "intervention"]
    actions = ["start_summary"]

    def summaries_that_show(self, objs) -> set[int]:
        return set()  # only the pipeline's own page, CSV and API

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Start a summary from the selected entry", permissions=["add"])
    def start_summary(self, request, queryset):
        entries = list(queryset[:2])
        if len(entries) != 1:
            self.message_user(
                request, "Choose one entry to start a summary from.", messages.WARNING
            )
            return None
        [entry] = entries
        slug = slugify(entry.title)[:SLUG_MAX_LENGTH].strip("-") or f"entry-{entry.pk}"
        try:
            draft = pipeline_entry_start_summary(entry=entry, slug=slug, user=request.user)
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        self.message_user(
            request,
            f"Started a summary from “{entry.title}” at /toolkit/{slug}/: its first draft "
            "holds the entry's title and description. Write it, then submit it for review.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:summaries_summaryversion_change", args=[draft.pk]))
