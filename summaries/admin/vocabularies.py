"""Taxonomy vocabularies and rating scales: data an administrator edits."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse

from summaries import search
from summaries.editorial import services
from summaries.models import (
    TAXONOMY,
    CertaintyDomain,
    Outcome,
    Scale,
    ScaleLevel,
    SummaryVersion,
)
from summaries.models.generation import summaries_rated_on, summaries_showing, summaries_tagged

from .common import CheckboxGroup, EditorFieldsMixin, NulSafeSearchMixin, PublicContentAdminMixin


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


class TermAdmin(NulSafeSearchMixin, PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    """Editors add terms; only reviewers (and administrators) rename, merge or delete
    them, since that changes every summary tagged with the term (migration 0015)."""

    form = TermForm
    actions = ["merge_terms"]
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
    # ETag moving then tells outsiders nothing about summaries in progress. Of the
    # summaries' own pages, only those of the summaries tagged with the term go cold
    # (summaries_that_show); the lists, home, feeds, sitemap and downloads always do.
    # Scales are public pages of their own: every edit is a public change.

    def summaries_that_show(self, objs) -> set[int]:
        return summaries_tagged(self.model, [obj.pk for obj in objs])

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

    def get_actions(self, request):
        actions = super().get_actions(request)
        name = self.opts.model_name
        if not request.user.has_perms([f"summaries.change_{name}", f"summaries.delete_{name}"]):
            actions.pop("merge_terms", None)
        return actions

    @admin.action(description="Merge the selected terms into one")
    def merge_terms(self, request, queryset):
        """Asks which of the selected terms to keep, then moves every tag to it."""
        terms = list(queryset)
        if len(terms) < 2:
            self.message_user(request, "Select two or more terms to merge.", messages.ERROR)
            return None
        keep_pk = request.POST.get("keep")
        keep = next((t for t in terms if str(t.pk) == keep_pk), None)
        if "merge" in request.POST and keep is not None:
            try:
                count = services.terms_merge(keep=keep, merged=terms, user=request.user)
            except services.ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            others = ", ".join(f"“{t.name}”" for t in terms if t.pk != keep.pk)
            self.message_user(
                request,
                f"Merged {others} into “{keep.name}”: {count} version(s) retagged.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge {self.opts.verbose_name_plural}",
            "terms": terms,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/summaries/term_merge.html", context)


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
    fields = ["name", "slug", "position", "problems", "frequency_phrase", "description"]
    formfield_overrides = {models.ManyToManyField: {"widget": CheckboxGroup}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("problems")

    def summaries_that_show(self, objs) -> set[int]:
        # A summary's page shows the outcomes it has results for (their names, in the
        # vocabulary's order); the map and the lists show every outcome and always go cold.
        return summaries_showing(Q(outcome_results__outcome__in=[obj.pk for obj in objs]))

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

    def summaries_that_show(self, objs) -> set[int]:
        # A summary's page shows the levels it is rated with, each with its scale's name;
        # a dimension it is not rated on shows "Not rated", nothing of the scale.
        return summaries_rated_on([obj.pk for obj in objs])


@admin.register(CertaintyDomain)
class CertaintyDomainAdmin(PublicContentAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    """The domains an outcome's certainty is rated down in (seeded with GRADE's five):
    another framework's toolkit relabels them here."""

    # Positions are edited on each domain's page: the list's editable column would be a
    # column of unlabelled inputs.
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "position", "description"]

    def summaries_that_show(self, objs) -> set[int]:
        # A summary's page names the domain (and its meaning) beside each reason in it.
        return summaries_showing(
            Q(outcome_results__downgrade_reasons__domain__in=[obj.pk for obj in objs])
        )
