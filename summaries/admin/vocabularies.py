"""Taxonomy vocabularies and rating scales: data an administrator edits."""

from django import forms
from django.contrib import admin
from django.db import models

from summaries import search
from summaries.models import (
    TAXONOMY,
    Outcome,
    Scale,
    ScaleLevel,
    SummaryVersion,
)

from .common import EditorFieldsMixin, PublicContentAdminMixin


class TermAdmin(PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    # Also what the version form's taxonomy pickers search.
    search_fields = ["name", "slug"]

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


@admin.register(Outcome)
class OutcomeAdmin(PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    """The outcomes results are reported on: the evidence map's columns, grouped by problem."""

    list_display = ["name", "slug", "position", "problem_names"]
    list_editable = ["position"]
    list_filter = ["problems"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "position", "problems", "description"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("problems")

    @admin.display(description="problems")
    def problem_names(self, outcome):
        return ", ".join(problem.name for problem in outcome.problems.all())


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
