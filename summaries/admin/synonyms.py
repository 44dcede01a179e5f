"""The synonym list editors keep, and its log: every change recorded, who and when, with
the terms and source before and after.

A change is live at once: search applies the list when it reads a query (no reindex).
Saving or deleting raises the public content generation, so cached search pages and
counts are not served with the old list; no summary's own page shows the list, so those
stay cached.
"""

from django import forms
from django.contrib import admin

from summaries.editorial.synonyms import synonym_group_save, synonym_groups_delete
from summaries.models import MAX_TERM_WORDS, SynonymChange, SynonymGroup, split_terms, term_words
from summaries.search.forgiving import term_key

from .common import EditorFieldsMixin, NulSafeSearchMixin


class SynonymGroupForm(forms.ModelForm):
    class Meta:
        model = SynonymGroup
        fields = ["terms", "source", "note"]
        widgets = {"terms": forms.Textarea(attrs={"rows": 3})}

    def clean_terms(self):
        terms = split_terms(self.cleaned_data["terms"].replace("\x00", ""))
        keys: dict[tuple[str, ...], str] = {}
        for term in terms:
            words = term_words(term)
            if not words:
                raise forms.ValidationError(f"“{term}” has no letters or digits to search for.")
            if len(words) > MAX_TERM_WORDS:
                raise forms.ValidationError(
                    f"“{term}” is {len(words)} words; a term is at most {MAX_TERM_WORDS}."
                )
            key = term_key(words)
            if key in keys:
                raise forms.ValidationError(
                    f"“{term}” and “{keys[key]}” are the same to search (it already matches "
                    "British and American spellings, capitals and hyphens): list one."
                )
            keys[key] = term
        if len(keys) < 2:
            raise forms.ValidationError("List two or more terms, separated by commas.")
        others = SynonymGroup.objects.exclude(pk=self.instance.pk)
        for group in others:
            for term in group.term_list():
                if term_key(term_words(term)) in keys:
                    raise forms.ValidationError(
                        f"“{term}” is already in the group “{group}”: add the new terms to "
                        "that group instead, so each term has one list of synonyms."
                    )
        return ", ".join(terms)


@admin.register(SynonymGroup)
class SynonymGroupAdmin(NulSafeSearchMixin, EditorFieldsMixin, admin.ModelAdmin):
    """Every write through ``editorial.synonyms``: logged, and the generation raised."""

    form = SynonymGroupForm
    list_display = ["terms", "source", "updated_at"]
    search_fields = ["terms", "source", "note"]

    def save_model(self, request, obj, form, change):
        synonym_group_save(group=obj, user=request.user)

    def delete_model(self, request, obj):
        synonym_groups_delete(groups=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        synonym_groups_delete(groups=queryset, user=request.user)


@admin.register(SynonymChange)
class SynonymChangeAdmin(NulSafeSearchMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "terms_before", "terms_after", "source_after"]
    list_filter = ["action", "at"]
    list_select_related = ["actor"]
    search_fields = ["terms_before", "terms_after", "actor__username"]
    date_hierarchy = "at"
    # Append-only, for superusers too: the rows are written by the synonym admin alone.
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
