"""Taxonomy vocabularies and rating scales: data an administrator edits."""

from django import forms
from django.contrib import admin
from django.db import models

from summaries import search
from summaries.editorial import services
from summaries.models import (
    TAXONOMY,
    Scale,
    ScaleLevel,
    SummaryVersion,
)

from .common import EditorFieldsMixin, PublicContentAdminMixin


class TermForm(forms.ModelForm):
    """Refuses a name that exists in another capitalisation, naming the term it matches."""

    def clean_name(self):
        name = services.term_name_clean(self.cleaned_data["name"])
        existing = services.term_find(self._meta.model, name, exclude_pk=self.instance.pk)
        if existing is not None:
            vocabulary = self._meta.model._meta.verbose_name_plural
            raise forms.ValidationError(
                f"“{existing.name}” is already a term of {vocabulary}: names are compared "
                "without regard to capitals. Tag summaries with it rather than adding it again.",
                code="duplicate",
            )
        return name


class TermAdmin(PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    """Editors add terms; only reviewers (and administrators) rename, merge or delete
    them, since that changes every summary tagged with the term (migration 0012)."""

    form = TermForm
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
