"""Writing a version: its form, its child rows, starting a new draft and publishing.

Open versions (draft, in review, changes requested) are edited; closed ones are history,
shown read-only with their child rows, and never deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from summaries import services
from summaries.models import (
    RATING_FIELDS,
    ExternalLink,
    KeyFigure,
    RelatedSummary,
    ReviewBreakdown,
    ScaleLevel,
    Section,
    SectionKind,
    SummaryVersion,
    SystematicReview,
)
from summaries.sanitize import sanitize_html

from .common import AccessibleAdminMixin, EditorFieldsMixin, version_change_url

PUBLISH_PERMISSION = "summaries.publish_summaryversion"
TAXONOMY_FIELDS = ["problems", "focuses", "approaches", "delivery_settings", "populations"]


def _parent_is_open(obj) -> bool:
    """Whether an inline's parent (a version, or a review of one) may still be edited."""
    if obj is None:
        return True
    version = obj.version if isinstance(obj, SystematicReview) else obj
    return version.is_open


class VersionChildInline(EditorFieldsMixin):
    """Child rows follow their version: editable while open, read-only once closed."""

    extra = 0

    def has_add_permission(self, request, obj):
        return _parent_is_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _parent_is_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _parent_is_open(obj) and super().has_delete_permission(request, obj)


class SectionInline(VersionChildInline, admin.StackedInline):
    model = Section
    readonly_fields = ["text"]
    max_num = len(SectionKind)

    def get_fields(self, request, obj=None):
        # Closed versions show the text as the public reads it, not as HTML source.
        return ["kind", "body"] if _parent_is_open(obj) else ["kind", "text"]

    @admin.display(description="text")
    def text(self, section):
        return mark_safe(sanitize_html(section.body))

    @staticmethod
    def missing_kinds(obj):
        present = set(obj.sections.values_list("kind", flat=True)) if obj else set()
        return [kind for kind in SectionKind.values if kind not in present]

    def get_extra(self, request, obj=None, **kwargs):
        # One blank form per missing kind, so an editor sees all nine headings.
        return len(self.missing_kinds(obj))


class KeyFigureInline(VersionChildInline, admin.StackedInline):
    model = KeyFigure
    fields = [
        ("outcome", "position"),
        ("comparison_rate", "treatment_rate", "relative_change"),
        "note",
    ]


class SystematicReviewInline(VersionChildInline, admin.StackedInline):
    model = SystematicReview
    show_change_link = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("label", "position"),
                    "citation",
                    "url",
                    ("studies", "tests", "published_up_to"),
                    ("rcts", "conflict_of_interest_studies"),
                ],
                "description": "Breakdowns by approach and by country are edited on the "
                "review's own page: save this version, then choose “Change” beside the review.",
            },
        )
    ]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}
    }


class RelatedSummaryInline(VersionChildInline, admin.TabularInline):
    model = RelatedSummary
    fields = ["target", "position"]
    autocomplete_fields = ["target"]


class ExternalLinkInline(VersionChildInline, admin.StackedInline):
    model = ExternalLink
    fields = [("title", "position"), "url", "description"]


@admin.register(SummaryVersion)
class SummaryVersionAdmin(AccessibleAdminMixin, EditorFieldsMixin, admin.ModelAdmin):
    list_display = ["title", "intervention", "number", "state", "updated_at", "created_by"]
    list_filter = ["state", "ratings_basis", "intervention__is_synthetic"]
    list_select_related = ["intervention", "created_by"]
    search_fields = ["title", "standfirst", "intervention__slug"]
    ordering = ["-updated_at"]
    # Bulk delete would bypass the per-version rule that history is never deleted.
    actions = None
    readonly_fields = [
        "intervention",
        "number",
        "state",
        "created_by",
        "created_at",
        "updated_at",
        "published_by",
        "published_at",
    ]
    fieldsets = [
        ("Summary", {"fields": ["intervention", "title", "standfirst"]}),
        ("Taxonomy", {"fields": TAXONOMY_FIELDS}),
        ("Ratings", {"fields": [f"{name}_rating" for name in RATING_FIELDS] + ["ratings_basis"]}),
        ("Dates and note", {"fields": ["evidence_reviewed_on", "change_note"]}),
        (
            "Version",
            {
                "fields": [
                    ("number", "state"),
                    ("created_by", "created_at", "updated_at"),
                    ("published_by", "published_at"),
                ]
            },
        ),
    ]
    # Checkboxes for the taxonomy. Django's bundled select2 autocomplete renders an
    # unlabelled search box and a <span> inside its <ul> (WCAG 1.3.1, 4.1.2), and five
    # filter_horizontal boxes would push the sections off-screen; the vocabularies are
    # short enough to show whole, laid out in columns by static/css/admin.css.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [
        SectionInline,
        KeyFigureInline,
        SystematicReviewInline,
        RelatedSummaryInline,
        ExternalLinkInline,
    ]

    # Permissions: open versions are edited; closed ones are history.

    def has_add_permission(self, request):
        # New versions come from "Add intervention" or "start a new draft", never blank.
        return False

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_open) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_open) and super().has_delete_permission(request, obj)

    def may_start_drafts(self, request):
        return super().has_change_permission(request)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else None

    # The form.

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"title", "change_note"}:
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
        elif db_field.name == "standfirst":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        dimension = RATING_FIELDS.get(db_field.name.removesuffix("_rating"))
        if dimension is None:
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        # Each rating offers its own scale's levels, top first, by their words alone.
        kwargs["queryset"] = ScaleLevel.objects.filter(scale__dimension=dimension)
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        formfield.label_from_instance = lambda level: level.label
        return formfield

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, SectionInline):
            # Blank forms arrive headed by the missing kinds; left empty they are not saved.
            kwargs["initial"] = [{"kind": kind} for kind in inline.missing_kinds(obj)]
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            others = obj.intervention.versions.exclude(pk=obj.pk)
            context.update(
                live_version=others.live().first(),
                open_draft=others.open().first(),
                can_publish=obj.is_open and request.user.has_perm(PUBLISH_PERMISSION),
                can_start_draft=not obj.is_open and self.may_start_drafts(request),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Actions on one version: start a new draft from it, publish it.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/new-draft/",
                view(require_POST(self.draft_start_view)),
                name="summaries_summaryversion_new_draft",
            ),
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name="summaries_summaryversion_publish",
            ),
            *super().get_urls(),
        ]

    def draft_start_view(self, request, object_id):
        version = self.get_object(request, unquote(object_id))
        if version is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.may_start_drafts(request):
            raise PermissionDenied
        try:
            draft = services.draft_start_from(version=version, user=request.user)
        except services.ServiceError as error:
            message = str(error)
            if open_draft := version.intervention.versions.open().first():
                message = format_html(
                    '{} <a href="{}">Open draft v{}</a>.',
                    message,
                    version_change_url(open_draft.pk),
                    open_draft.number,
                )
            self.message_user(request, message, messages.ERROR)
            return redirect(version_change_url(version.pk))
        self.log_addition(request, draft, f"Started from version {version.number}.")
        self.message_user(
            request,
            f"Draft v{draft.number} started from version {version.number}. "
            "The public page does not change until this draft is published.",
            messages.SUCCESS,
        )
        return redirect(version_change_url(draft.pk))

    def publish_view(self, request, object_id):
        """GET asks for confirmation; only POST publishes, as it replaces the live page."""
        version = self.get_object(request, unquote(object_id))
        if version is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            try:
                services.version_publish(version=version, user=request.user)
            except services.ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.log_change(request, version, "Published.")
                self.message_user(
                    request,
                    format_html(
                        'Version {} is live. <a href="{}">View the public page</a>.',
                        version.number,
                        version.intervention.get_absolute_url(),
                    ),
                    messages.SUCCESS,
                )
            return redirect(version_change_url(version.pk))
        if not version.is_open:
            self.message_user(request, f"Version {version.number} is not a draft.", messages.ERROR)
            return redirect(version_change_url(version.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Publish version {version.number}?",
            "version": version,
            "live_version": version.intervention.versions.live().first(),
        }
        return TemplateResponse(
            request, "admin/summaries/summaryversion/publish_confirmation.html", context
        )


# --- Systematic reviews: reached from their version, not from the index ------------------


class ReviewBreakdownInline(VersionChildInline, admin.TabularInline):
    model = ReviewBreakdown
    fields = ["kind", "label", "count", "unit", "position"]
    ordering = ["kind", "position", "id"]
    extra = 1


@admin.register(SystematicReview)
class SystematicReviewAdmin(EditorFieldsMixin, admin.ModelAdmin):
    list_display = ["label", "version"]
    list_select_related = ["version"]
    readonly_fields = ["version"]
    fields = [
        "version",
        ("label", "position"),
        "citation",
        "url",
        ("studies", "tests", "published_up_to"),
        ("rcts", "conflict_of_interest_studies"),
    ]
    inlines = [ReviewBreakdownInline]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False  # added on their version's page

    def has_change_permission(self, request, obj=None):
        is_open = obj is None or obj.version.is_open
        return is_open and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deleted on their version's page, with the version's other rows

    def response_post_save_change(self, request, obj):
        return redirect(version_change_url(obj.version_id))
