"""Taxonomy vocabularies and rating scales: data an administrator edits."""

from django import forms
from django.contrib import admin
from django.db import models

from summaries import search
from summaries.models import (
    TAXONOMY,
    Scale,
    ScaleLevel,
    SummaryVersion,
)

from .common import EditorFieldsMixin, NulSafeSearchMixin, PublicContentAdminMixin


class TermAdmin(NulSafeSearchMixin, PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    # Also what the version form's taxonomy pickers search.
    search_fields = ["name", "slug"]

    # Every save of a term raises the public content generation (PublicContentAdminMixin),
    # even of one that tags no live summary: its slug is part of public filter addresses,
    # and /toolkit/?problem=<slug> shows all results naming an unknown term but none for a
    # known one that tags nothing, so adding, renaming or deleting any term changes a page.
    # Terms are an administrator's occasional work, not editors' daily drafting, so the
    # ETag moving then tells outsiders nothing about summaries in progress. Scales are
    # public pages of their own: every edit is a public change.

    # Term names are searchable text of the live summaries they tag (search/index.py), so
    # a renamed or deleted term reindexes those summaries, in the admin's transaction.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            search.index_versions(_live_tagged(self.model, [obj.pk]))

    def delete_model(self, request, obj):
        tagged = _live_tagged(self.model, [obj.pk])
        super().delete_model(request, obj)
        search.index_versions(tagged)

    def delete_queryset(self, request, queryset):
        tagged = _live_tagged(self.model, list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)
        search.index_versions(tagged)


def _live_tagged(term_model, term_ids) -> list[int]:
    """The live versions tagged with any of these terms."""
    field = next(f.name for f in SummaryVersion._meta.many_to_many if f.related_model is term_model)
    return list(
        SummaryVersion.objects.live()
        .filter(**{f"{field}__in": term_ids})
        .values_list("pk", flat=True)
        .distinct()
    )


for vocabulary in TAXONOMY:
    admin.site.register(vocabulary.model, TermAdmin)


class ScaleLevelInline(EditorFieldsMixin, admin.TabularInline):
    model = ScaleLevel
    fields = ["position", "label", "slug", "description", "icon"]
    ordering = ["position"]
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }


@admin.register(Scale)
class ScaleAdmin(PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    list_display = ["name", "dimension", "question"]
    inlines = [ScaleLevelInline]
