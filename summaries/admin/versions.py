"""Writing a version: its form, its child rows, and the workflow actions on it.

Drafts (draft, changes requested) are edited; a version in review is frozen so the
reviewer approves what was submitted; closed ones are history, shown read-only with their
child rows, and never deleted. The workflow buttons lead to the views in ``actions.py``.
"""

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from summaries import converters  # noqa: F401  (registers <row_id:...>)
from summaries.editorial import authorship, autosave, checks, rules, services
from summaries.editorial.checks import links
from summaries.models import (
    RATING_FIELDS,
    TAXONOMY,
    TAXONOMY_FIELDS,
    AuditAction,
    BenefitCost,
    Dimension,
    DowngradeReason,
    ExternalLink,
    KeyFigure,
    OutcomeResult,
    RelatedSummary,
    ReviewBreakdown,
    ScaleLevel,
    Section,
    SectionKind,
    State,
    SummaryVersion,
    SystematicReview,
    UnitCost,
)
from summaries.public import views
from summaries.sanitize import sanitize_html

from . import content_checks, parts, presence
from .actions import ACTIONS, action_buttons, workflow_action_view
from .autosave import autosave_urls, field_parts, place_of, prompt_context
from .common import (
    AccessibleAdminMixin,
    BusyDatabaseMixin,
    CheckboxGroup,
    EditorFieldsMixin,
    NulSafeSearchMixin,
    RevisionCheckForm,
    history_url,
    malformed_id_urls,
    missing_version_redirect,
    refuse_action,
    version_change_url,
)
from .review import review_urls


def _safe_next(request) -> str | None:
    """The form's "next" address, if it is on this site; a forged one is ignored, so a
    link posted from elsewhere cannot send an editor on to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _parent_is_open(obj) -> bool:
    """Whether an inline's parent (a version, or a review of one) may still be edited."""
    if obj is None:
        return True
    version = obj.version if isinstance(obj, SystematicReview | OutcomeResult) else obj
    return version.is_editable


class VersionChildInline(EditorFieldsMixin):
    """Child rows follow their version: editable while a draft, read-only otherwise.

    A new row's position is one after the last row's, so it joins the end of the list
    (with the model's default, 0 or 1, a new link jumped to the top).
    """

    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "position" not in formset.form.base_fields or obj is None or obj.pk is None:
            return formset
        rows = self.model._default_manager.filter(**{formset.fk.name: obj})
        following = (rows.aggregate(last=models.Max("position"))["last"] or 0) + 1

        class NextPositionForm(formset.form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if self.instance.pk is None:
                    # A model form's initial comes from a new instance's defaults.
                    self.initial["position"] = following

        formset.form = NextPositionForm
        return formset

    def has_add_permission(self, request, obj):
        return _parent_is_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _parent_is_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _parent_is_open(obj) and super().has_delete_permission(request, obj)


class SectionForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "kind" in self.fields:
            # A saved section keeps its kind whatever is posted.
            self.fields["kind"].disabled = True


class SectionInline(VersionChildInline, admin.StackedInline):
    model = Section
    form = SectionForm
    readonly_fields = ["text"]
    max_num = len(SectionKind)

    def get_fields(self, request, obj=None):
        # Closed versions show the text as the public reads it, not as HTML source.
        return ["kind", "body"] if _parent_is_open(obj) else ["kind", "text"]

    @admin.display(description="text")
    def text(self, section):
        return mark_safe(sanitize_html(section.body))

    # A section's kind is fixed: it is the heading it is shown under, and the row is
    # never deleted (empty its text instead). An editable kind and a Delete box turned
    # one section into another, or removed it, by a slip.
    can_delete = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["widget"] = forms.HiddenInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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


class OutcomeResultFormSet(forms.BaseInlineFormSet):
    """Each result may cite only reviews of its own version (the version being edited)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "reviews" in form.fields:
            reviews = form.fields["reviews"]
            reviews.queryset = SystematicReview.objects.filter(version=self.instance.pk).order_by(
                "position", "id"
            )
            reviews.error_messages["invalid_choice"] = (
                "Choose reviews of this version only; %(value)s is not one of them."
            )


class OutcomeResultInline(VersionChildInline, admin.StackedInline):
    """Results by outcome: ratings, and what the text states (numbers only if it gives them).
    The reasons its certainty was rated down are edited on the result's own page."""

    model = OutcomeResult
    formset = OutcomeResultFormSet
    show_change_link = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("outcome", "position"),
                    ("effect_rating", "quality_rating", "direction"),
                    "certainty",
                    "stated",
                    ("comparison_rate", "treatment_rate", "relative_change", "percentage_points"),
                    ("effect_size_kind", "effect_size", "interval_low", "interval_high"),
                    "reviews",
                    "note",
                ],
                "description": "The reasons a result's certainty was rated down (risk of "
                "bias, inconsistency, ...) are edited on the result's own page: save this "
                "version, then choose “Change” beside the result.",
            },
        )
    ]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})},
        models.ManyToManyField: {"widget": CheckboxGroup},
    }


class VersionReviewsFormSet(forms.BaseInlineFormSet):
    """A row's source review may be only a review of its own version."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "review" in form.fields:
            form.fields["review"].queryset = SystematicReview.objects.filter(
                version=self.instance.pk
            ).order_by("position", "id")


class UnitCostInline(VersionChildInline, admin.StackedInline):
    """Costs per participant, each with its currency and price year (both required)."""

    model = UnitCost
    formset = VersionReviewsFormSet
    fields = [("amount", "currency", "price_year", "position"), "description", "review"]


class BenefitCostInline(VersionChildInline, admin.StackedInline):
    """Benefits and costs per participant by perspective, the ratio and the chance that
    benefits exceed costs; the ratio must agree with the amounts."""

    model = BenefitCost
    formset = VersionReviewsFormSet
    fields = [
        ("perspective", "position"),
        ("benefits", "costs", "currency", "price_year"),
        ("ratio", "chance_benefits_exceed_costs"),
        "review",
        "note",
    ]


class RelatedSummaryInline(VersionChildInline, admin.TabularInline):
    model = RelatedSummary
    fields = ["target", "position"]
    autocomplete_fields = ["target"]


class ExternalLinkInline(VersionChildInline, admin.StackedInline):
    model = ExternalLink
    fields = [("title", "position"), "url", "description"]


def _new_terms_field(vocabulary) -> forms.CharField:
    plural = vocabulary.plural.lower()
    return forms.CharField(
        label=f"New {plural}",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=f"Not in the list? Type new {plural}, separated by commas: they are added "
        "to the vocabulary and ticked when you save. A name that exists already (in any "
        "capitals) is ticked instead of being added twice.",
    )


def new_terms_name(vocabulary) -> str:
    return f"new_{vocabulary.field}"


class _VersionForm(RevisionCheckForm):
    merges_after_stale = True

    def version(self):
        return self.instance

    def new_terms(self, vocabulary) -> list[str]:
        value = self.cleaned_data.get(new_terms_name(vocabulary)) or ""
        return [name for name in (services.term_name_clean(n) for n in value.split(",")) if name]

    def clean(self):
        cleaned_data = super().clean()
        for vocabulary in TAXONOMY:
            too_long = [n for n in self.new_terms(vocabulary) if len(n) > 120]
            if too_long:
                self.add_error(
                    new_terms_name(vocabulary),
                    f"A term name has at most 120 characters: “{too_long[0][:40]}…” is longer.",
                )
        return cleaned_data


# One "New …" box under each vocabulary, shown to those who may add its terms
# (``SummaryVersionAdmin.get_fieldsets``) and saved by ``save_related``.
VersionForm = type(
    "VersionForm",
    (_VersionForm,),
    {new_terms_name(vocabulary): _new_terms_field(vocabulary) for vocabulary in TAXONOMY},
)


@admin.register(SummaryVersion)
class SummaryVersionAdmin(
    BusyDatabaseMixin, NulSafeSearchMixin, AccessibleAdminMixin, EditorFieldsMixin, admin.ModelAdmin
):
    form = VersionForm

    class Media:
        # AccessibleAdminMixin's files, and the form's scripts: one shows one part of the
        # form at a time and warns before unsaved changes are lost; one keeps the action
        # bar in view only while it fits in the window.
        css = {"all": ["css/admin.css"]}
        # And the content checks' panel, run again as the editor types.
        js = ["js/admin.js", "js/version_form.js", "js/sticky_fit.js", "js/content_checks.js"]

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
        "last_saved_by",
        "revision",
        "submitted_by",
        "submitted_at",
        "published_by",
        "published_at",
    ]
    # Each fieldset belongs to one part of the form (its "part-<key>" class); ``PARTS``
    # (parts.py) says which sections and child rows join it there.
    fieldsets = [
        (
            "Summary",
            {"fields": ["intervention", "title", "standfirst", "loaded_revision"]},
        ),
        ("Taxonomy", {"fields": list(TAXONOMY_FIELDS), "classes": ["part-summary"]}),
        ("Dates and note", {"fields": ["evidence_reviewed_on", "change_note"]}),
        (
            "Update status",
            {
                "classes": ["part-summary"],
                "fields": [
                    "update_status",
                    "update_status_reason",
                    ("last_search_year", "last_search_month"),
                    "reassess_on",
                ],
            },
        ),
        (
            "Version",
            {
                "classes": ["part-summary", "after-sections"],
                "fields": [
                    ("number", "state", "revision"),
                    ("created_by", "created_at"),
                    ("last_saved_by", "updated_at"),
                    ("submitted_by", "submitted_at"),
                    ("published_by", "published_at"),
                ],
            },
        ),
        ("Effect rating", {"fields": ["effect_rating"], "classes": ["part-effect"]}),
        (
            "Quality of evidence",
            {"fields": ["quality_rating", "ratings_basis"], "classes": ["part-evidence"]},
        ),
        ("Mechanism rating", {"fields": ["mechanism_rating"], "classes": ["part-mechanism"]}),
        (
            "Moderators rating",
            {"fields": ["moderators_rating"], "classes": ["part-moderators"]},
        ),
        (
            "Implementation rating",
            {"fields": ["implementation_rating"], "classes": ["part-implementation"]},
        ),
        (
            "Economic cost rating",
            {"fields": ["economic_cost_rating"], "classes": ["part-economic"]},
        ),
        (
            "Economic evidence",
            {
                "fields": ["no_economic_evaluation", "cost_band"],
                "classes": ["part-economic"],
                "description": "Unit costs and benefit-cost figures, only as the reviews "
                "state them, are below the section.",
            },
        ),
    ]
    # Checkboxes for the taxonomy. Django's bundled select2 autocomplete renders an
    # unlabelled search box and a <span> inside its <ul> (WCAG 1.3.1, 4.1.2), and five
    # filter_horizontal boxes would push the sections off-screen; the vocabularies are
    # short enough to show whole, laid out in columns by static/css/admin.css.
    formfield_overrides = {models.ManyToManyField: {"widget": CheckboxGroup}}
    inlines = [
        SectionInline,
        SystematicReviewInline,
        KeyFigureInline,
        OutcomeResultInline,
        UnitCostInline,
        BenefitCostInline,
        RelatedSummaryInline,
        ExternalLinkInline,
    ]

    # Permissions: open versions are edited; closed ones are history.

    def has_add_permission(self, request):
        # New versions come from "Add intervention" or "start a new draft", never blank.
        return False

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # History is kept: a draft nobody will finish is archived instead (see actions).
        return False

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else None

    def save_model(self, request, obj, form, change):
        obj.last_saved_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for vocabulary in TAXONOMY:
            names = form.new_terms(vocabulary)
            if names and _may_add_terms(request.user, vocabulary):
                terms = services.terms_add(model=vocabulary.model, names=names, user=request.user)
                getattr(form.instance, vocabulary.field).add(*terms)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            authorship.record_save(version=form.instance, user=request.user)
            links.queue_link_check(form.instance)
        # Saved: what was autosaved of this form is in the version now.
        autosave.autosave_discard(user=request.user, version=form.instance)

    def parts_of_fields(self) -> dict[str, str]:
        """The part of the form each field of the version is in."""
        return field_parts(self.fieldsets)

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            if name == "Taxonomy":
                fields = []
                for vocabulary in TAXONOMY:
                    fields.append(vocabulary.field)
                    if _may_add_terms(request.user, vocabulary):
                        fields.append(new_terms_name(vocabulary))
                options = {**options, "fields": fields}
            fieldsets.append((name, options))
        return fieldsets

    # The form.

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"title", "change_note"}:
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
        elif db_field.name == "standfirst":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cost_band":
            # The bands, lowest first, each with its range in pounds.
            kwargs["queryset"] = ScaleLevel.objects.filter(scale__dimension=Dimension.COST_BAND)
            formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
            formfield.label_from_instance = lambda level: f"{level.label}: {level.description}"
            return formfield
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
            form_parts, sections = parts.build_parts(
                context["adminform"], context["inline_admin_formsets"]
            )
            context.update(
                form_parts=form_parts,
                sections_formset=sections,
                error_items=(
                    parts.error_summary(context["adminform"], context["inline_admin_formsets"])
                    if context.get("errors")
                    else []
                ),
                live_version=others.live().first(),
                open_draft=others.open().first(),
                workflow_buttons=action_buttons(request.user, obj),
                refusal_note=_own_submission_note(request.user, obj),
                **self._editing_context(request, context, obj),
                preview_url=reverse("admin:summaries_summaryversion_preview", args=[obj.pk]),
                history_url=history_url(obj),
                content_checks=self._content_checks(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _content_checks(self, request, obj) -> dict | None:
        """The checks' panel: on the form as posted after a refused save, else as saved."""
        if not obj.is_open:
            return None
        draft = None
        if request.method == "POST":
            try:
                draft = checks.Draft.of_form_data(obj, request.POST)
            except checks.BadFormData:
                pass
        draft = draft or checks.Draft.of_version(obj)
        return content_checks.panel(obj, draft, fields=self.parts_of_fields(), on_form=True)

    def _editing_context(self, request, context, obj) -> dict:
        """Who else is on this draft; after a stale save, what they changed and where the
        user's own edit is; autosave, and what it kept that was never saved."""
        if not obj.is_editable:
            return {}
        form = context["adminform"].form
        extra = {"presence": presence.others_on(obj, request.user)}
        presence.note_opened(obj, request.user)
        if form.stale_loaded_revision is not None:
            extra["stale_saved_by"] = obj.last_saved_by or "someone else"
            extra["stale_changes"] = presence.changes_since(obj.pk, form.stale_loaded_revision)
            extra["stale_unknown"] = extra["stale_changes"] is None
            extra["stale_own_edit"] = self._own_edit(request, context, obj)
        else:
            presence.keep_snapshot(obj)
        may_edit = self.has_change_permission(request, obj)
        if may_edit and autosave.autosave_enabled(request.user):
            extra["autosave_url"] = reverse(
                "admin:summaries_summaryversion_autosave", args=[obj.pk]
            )
            extra["autosave_max_bytes"] = settings.AUTOSAVE_MAX_BYTES
            if request.method == "GET":
                extra.update(prompt_context(self, request, obj))
        return extra

    def _own_edit(self, request, context, obj):
        """The first field the user changed (the form's script sends its name with the
        save), where it is on the form; None without the script or for a name the form
        does not have."""
        name = request.POST.get("_first_edited", "")[:200]
        if not name:
            return None
        formsets = [inline.formset for inline in context["inline_admin_formsets"]]
        known = field_parts(self.get_fieldsets(request, obj))
        return place_of(name, context["adminform"].form, formsets, known)

    # The workflow: starting a draft, preview, and the actions in ``actions.py``.

    def get_urls(self):
        view = self.admin_site.admin_view
        action_urls = [
            path(
                f"<row_id:object_id>/{slug}/",
                view(workflow_action_view),
                {"model_admin": self, "spec": spec},
                name=f"summaries_summaryversion_{slug.replace('-', '_')}",
            )
            for slug, spec in ACTIONS.items()
        ]
        return [
            path(
                "<row_id:object_id>/new-draft/",
                view(require_POST(self.draft_start_view)),
                name="summaries_summaryversion_new_draft",
            ),
            # Not wrapped in admin_view, which would send visitors to the login page:
            # for them a preview address does not exist at all (404).
            path(
                "<row_id:object_id>/preview/",
                self.preview_view,
                name="summaries_summaryversion_preview",
            ),
            *action_urls,
            *review_urls(self),
            *content_checks.checks_urls(self),
            *autosave_urls(self),
            *malformed_id_urls(
                [
                    "new-draft",
                    "preview",
                    "review",
                    "checks",
                    r"comments/.+",
                    r"external/.+",
                    *map(re.escape, ACTIONS),
                ]
            ),
            *super().get_urls(),
        ]

    def draft_start_view(self, request, object_id):
        """Start a draft from the live version ("edit") or from an old one ("restore")."""
        version = self.get_object(request, object_id)
        if version is None:
            return missing_version_redirect(request, self, object_id)
        try:
            if version.is_live:
                draft = services.draft_start_from(version=version, user=request.user)
            else:
                draft = services.version_restore_as_draft(version=version, user=request.user)
        except services.NotAllowed as error:
            action = AuditAction.START_DRAFT if version.is_live else AuditAction.RESTORE
            label = "Start a new draft" if version.is_live else "Restore as a new draft"
            raise refuse_action(request.user, action, version, label) from error
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
            return redirect(_safe_next(request) or version_change_url(version.pk))
        self.log_addition(request, draft, f"Started from version {version.number}.")
        self.message_user(
            request,
            f"Draft v{draft.number} started from version {version.number}. "
            "The public page does not change until this draft is published.",
            messages.SUCCESS,
        )
        return redirect(version_change_url(draft.pk))

    def preview_view(self, request, object_id):
        """Any version as the public would see it, under a banner; staff only, never cached."""
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        if not rules.may_view(request.user):
            raise PermissionDenied
        try:
            version = SummaryVersion.objects.for_page().get(pk=object_id)
        except (SummaryVersion.DoesNotExist, ValueError) as error:
            raise Http404 from error
        if version.published_at is None:
            # Show the dates the public would see if it were published now (not saved).
            version.published_at = timezone.now()
        response = views.render_summary(
            request,
            version,
            template="summaries/preview.html",
            extra_context={
                "change_url": version_change_url(version.pk),
                "history_url": history_url(version),
            },
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


def _may_add_terms(user, vocabulary) -> bool:
    return user.has_perm(f"summaries.add_{vocabulary.model._meta.model_name}")


def _own_submission_note(user, version) -> str:
    """Why a reviewer sees no Publish button on a version they submitted themselves."""
    if rules.may(user, AuditAction.PUBLISH, version) or version.state != State.IN_REVIEW:
        return ""
    if user.has_perm(rules.PUBLISH) and not user.is_superuser and rules.wrote(version, user):
        return f"{rules.four_eyes_reason(version, user)} (The four-eyes rule.)"
    return ""


# --- Systematic reviews: reached from their version, not from the index ------------------


class ReviewBreakdownInline(VersionChildInline, admin.TabularInline):
    model = ReviewBreakdown
    fields = ["kind", "label", "count", "unit", "position"]
    ordering = ["kind", "position", "id"]
    extra = 1


class ReviewForm(RevisionCheckForm):
    def version(self):
        return self.instance.version


@admin.register(SystematicReview)
class SystematicReviewAdmin(BusyDatabaseMixin, EditorFieldsMixin, admin.ModelAdmin):
    form = ReviewForm
    list_display = ["label", "version"]
    list_select_related = ["version"]
    readonly_fields = ["version"]
    fields = [
        "version",
        "loaded_revision",
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
        is_open = obj is None or obj.version.is_editable
        return is_open and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A review is part of its version: saving it counts as a save of the version.
        obj.version.last_saved_by = request.user
        obj.version.save(update_fields=["last_saved_by", "updated_at"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            authorship.record_save(version=form.instance.version, user=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # deleted on their version's page, with the version's other rows

    def response_post_save_change(self, request, obj):
        return redirect(version_change_url(obj.version_id))


# --- Outcome results' reasons for rating down: reached from their version ---------------


class DowngradeReasonInline(VersionChildInline, admin.StackedInline):
    # Stacked, not tabular: each field keeps its visible label (a tabular row's inputs
    # are named only by the column headings, which axe rightly reports).
    model = DowngradeReason
    fields = [("domain", "severity", "position"), "explanation"]
    extra = 1


class OutcomeResultForm(RevisionCheckForm):
    def version(self):
        return self.instance.version


@admin.register(OutcomeResult)
class OutcomeResultAdmin(BusyDatabaseMixin, EditorFieldsMixin, admin.ModelAdmin):
    """An outcome result's certainty and the reasons it was rated down (GRADE's domains);
    its other fields are edited with its version."""

    form = OutcomeResultForm
    list_display = ["outcome", "version"]
    list_select_related = ["outcome", "version"]
    readonly_fields = ["version", "outcome"]
    fields = ["version", "outcome", "loaded_revision", "certainty"]
    inlines = [DowngradeReasonInline]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False  # added on their version's page

    def has_change_permission(self, request, obj=None):
        is_open = obj is None or obj.version.is_editable
        return is_open and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deleted on their version's page, with the version's other rows

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A result is part of its version: saving it counts as a save of the version.
        obj.version.last_saved_by = request.user
        obj.version.save(update_fields=["last_saved_by", "updated_at"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(formset.has_changed() for formset in formsets):
            authorship.record_save(version=form.instance.version, user=request.user)

    def response_post_save_change(self, request, obj):
        return redirect(version_change_url(obj.version_id))
