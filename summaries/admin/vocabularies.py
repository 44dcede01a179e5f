"""Taxonomy vocabularies and rating scales: data an administrator edits."""

from django import forms
from django.contrib import admin
from django.db import models

from summaries.models import Approach, Focus, Population, Problem, Scale, ScaleLevel, Setting

from .common import EditorFieldsMixin, PublicContentAdminMixin


class TermAdmin(PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    # Also what the version form's taxonomy pickers search.
    search_fields = ["name", "slug"]


for term_model in (Problem, Focus, Approach, Setting, Population):
    admin.site.register(term_model, TermAdmin)


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
