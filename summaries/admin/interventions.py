"""The list of summaries, and adding one: an intervention together with its first draft."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from summaries.editorial import diff, rules, services
from summaries.models import OPEN_STATES, AuditAction, Intervention, State, SummaryVersion

from .common import (
    AccessibleAdminMixin,
    EditorFieldsMixin,
    NulSafeSearchMixin,
    PublicContentAdminMixin,
    version_change_url,
)

AUDIT_EVENTS_SHOWN = 200


def _versions_of_row(**filters):
    return SummaryVersion.objects.filter(intervention=OuterRef("pk"), **filters)


def _first(queryset, field):
    return Subquery(queryset.values(field)[:1])


class HasLiveVersionFilter(admin.SimpleListFilter):
    title = "live version"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "Has a live version"), ("no", "Not live")]

    def queryset(self, request, queryset):
        live = Exists(_versions_of_row(state=State.PUBLISHED))
        return {"yes": queryset.filter(live), "no": queryset.filter(~live)}.get(self.value())


class HasOpenDraftFilter(admin.SimpleListFilter):
    title = "open draft"
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        return [("yes", "Has an open draft"), ("no", "No open draft")]

    def queryset(self, request, queryset):
        open_ = Exists(_versions_of_row(state__in=OPEN_STATES))
        return {"yes": queryset.filter(open_), "no": queryset.filter(~open_)}.get(self.value())


class InterventionForm(forms.ModelForm):
    """Refuses another summary's old address here, as a form error, before any save."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        try:
            services.slug_check_available(slug, intervention=self.instance)
        except services.ServiceError as error:
            raise forms.ValidationError(str(error), code="taken") from error
        return slug


class InterventionAddForm(InterventionForm):
    """Slug plus the first draft's title and standfirst: enough to start writing."""

    title = SummaryVersion._meta.get_field("title").formfield(
        widget=forms.TextInput(attrs={"class": "vLargeTextField"})
    )
    standfirst = SummaryVersion._meta.get_field("standfirst").formfield(
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})
    )

    class Meta:
        model = Intervention
        fields = ["slug"]


class VersionInline(admin.TabularInline):
    """The intervention's history: each row links to that version's own page."""

    model = SummaryVersion
    fields = readonly_fields = ["number", "title", "state", "updated_at", "published_at"]
    ordering = ["-number"]
    show_change_link = True
    view_on_site = False  # each row's "view" link already leads to the version
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Intervention)
class InterventionAdmin(
    NulSafeSearchMixin,
    PublicContentAdminMixin,
    AccessibleAdminMixin,
    EditorFieldsMixin,
    admin.ModelAdmin,
):
    list_display = ["title", "slug", "state", "live_version", "last_saved", "first_published_at"]
    list_filter = [HasLiveVersionFilter, HasOpenDraftFilter, "is_synthetic"]
    # Also what the related-summary picker searches.
    search_fields = ["slug", "versions__title"]
    form = InterventionForm
    # Publication sets "first published"; synthetic summaries come from
    # generate_synthetic only. Neither is typed here.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "public_state",
                    "slug",
                    "old_addresses",
                    "first_published_at",
                    "is_synthetic",
                ],
                "description": "An intervention is the summary's identity: its address and "
                "its versions. Its text is written in a version: open the draft below, or "
                "start one from the live version.",
            },
        )
    ]
    readonly_fields = ["public_state", "old_addresses", "first_published_at", "is_synthetic"]
    inlines = [VersionInline]

    def get_queryset(self, request):
        # Every column comes from a per-row subquery, so the list costs the same number
        # of queries however many rows it shows.
        live = _versions_of_row(state=State.PUBLISHED)
        open_ = _versions_of_row(state__in=OPEN_STATES)
        newest = _versions_of_row().order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(
                display_title=Coalesce(_first(live, "title"), _first(newest, "title")),
                live_pk=_first(live, "pk"),
                live_number=_first(live, "number"),
                open_pk=_first(open_, "pk"),
                open_number=_first(open_, "number"),
                open_state=_first(open_, "state"),
                newest_number=_first(newest, "number"),
                newest_state=_first(newest, "state"),
                last_saved_at=_first(_versions_of_row().order_by("-updated_at"), "updated_at"),
            )
        )

    @admin.display(description="title", ordering="display_title")
    def title(self, obj):
        return obj.display_title

    @admin.display(description="state")
    def state(self, obj):
        """E.g. 'Live v3 · draft v4 in review', each part linking to that version."""
        parts = []
        if obj.live_pk:
            parts.append(_link(obj.live_pk, f"Live v{obj.live_number}"))
        if obj.open_pk:
            label = f"{'draft' if parts else 'Draft'} v{obj.open_number}"
            if obj.open_state != State.DRAFT:
                label += f" {State(obj.open_state).label.lower()}"
            parts.append(_link(obj.open_pk, label))
        if parts:
            return mark_safe(" · ".join(parts))
        if obj.newest_number is None:
            return "No versions"
        return f"Not live (v{obj.newest_number} {State(obj.newest_state).label.lower()})"

    @admin.display(description="live version", ordering="live_number")
    def live_version(self, obj):
        return f"v{obj.live_number}" if obj.live_number else None

    @admin.display(description="last saved (any version)", ordering="last_saved_at")
    def last_saved(self, obj):
        return obj.last_saved_at

    @admin.display(description="on the public site")
    def public_state(self, obj):
        """What the public sees now, and the version being worked on, with links."""
        versions = obj.versions.order_by("-number")
        live = versions.live().first()
        open_draft = versions.open().first()
        if live:
            public = format_html(
                '{} · <a href="{}">version {}</a>, published {}',
                _link_to_public(obj),
                version_change_url(live.pk),
                live.number,
                date_format(localtime(live.published_at), "j F Y"),
            )
        elif withdrawn := versions.filter(state=State.WITHDRAWN).first():
            public = format_html(
                "Withdrawn on {} (version {}): its address says so",
                date_format(localtime(withdrawn.withdrawn_at), "j F Y"),
                withdrawn.number,
            )
        else:
            public = "Not published yet"
        if open_draft is None:
            return public
        return format_html(
            '{}<br>Being worked on: <a href="{}">version {}, {}</a>',
            public,
            version_change_url(open_draft.pk),
            open_draft.number,
            open_draft.get_state_display().lower(),
        )

    @admin.display(description="old addresses")
    def old_addresses(self, obj):
        """Where the summary used to be; each address redirects to the current one."""
        redirects = obj.slug_redirects.all() if obj.pk else []
        if not redirects:
            return "None: the summary has always been at this address."
        return format_html_join(
            mark_safe("<br>"),
            "{} (until {})",
            (
                (r.get_absolute_url(), date_format(localtime(r.created_at), "j M Y"))
                for r in redirects
            ),
        )

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.versions.live().exists() else None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:
            # Adding always continues to the new draft, so only one save button makes sense.
            context.update(show_save_and_add_another=False, show_save_and_continue=False)
        else:
            versions = obj.versions.order_by("-number")
            context["open_draft"] = versions.open().first()
            context["draft_source"] = versions.live().first() or versions.first()
            # Headed by the summary's title, not its slug (the intervention's __str__).
            shown = context["draft_source"] or context["open_draft"]
            context.update(
                title=shown.title if shown else str(obj),
                subtitle=f"Summary at {obj.get_absolute_url()}",
                show_save_and_add_another=False,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Adding: the service creates the intervention together with its first draft.

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InterventionAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["title", "slug", "standfirst"]})]
        return super().get_fieldsets(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["title"]} if obj is None else {}

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def changes_public_content(self, request, obj, form, formsets, change) -> bool:
        # A new intervention has only a draft; one never published is at no public address
        # (a rename raises the generation itself when it matters: services.intervention_rename).
        return change and form.has_changed() and obj.has_public_page()

    def save_model(self, request, obj, form, change):
        if change:
            if "slug" in form.changed_data:
                # The service moves the address and keeps the old one as a redirect.
                services.intervention_rename(
                    intervention=obj, new_slug=form.cleaned_data["slug"], user=request.user
                )
            return super().save_model(request, obj, form, change)
        draft = services.intervention_create(
            slug=form.cleaned_data["slug"],
            title=form.cleaned_data["title"],
            standfirst=form.cleaned_data["standfirst"],
            user=request.user,
        )
        # The service saved its own instance; point the admin's at that row so the
        # history entry and the redirect below refer to it.
        obj.pk = draft.intervention_id
        obj.refresh_from_db()
        obj._state.adding = False

    # History: replaces the admin's own history page (its "History" button leads here).

    def history_view(self, request, object_id, extra_context=None):
        """Every version with its state, people, dates and change note; a comparison of
        any two (by default the open draft against the live version); the audit log."""
        intervention = self.get_object(request, unquote(object_id))
        if intervention is None:
            raise Http404
        if not rules.may_view(request.user):
            raise PermissionDenied
        versions = list(
            intervention.versions.select_related(
                "created_by", "submitted_by", "published_by"
            ).order_by("-number")
        )
        old, new = _pair_to_compare(request, versions)
        comparison = None
        if old and new:
            by_pk = SummaryVersion.objects.for_page().in_bulk([old.pk, new.pk])
            comparison = diff.compare_versions(by_pk[old.pk], by_pk[new.pk])
        open_draft = next((v for v in versions if v.is_open), None)
        for version in versions:
            action = AuditAction.START_DRAFT if version.is_live else AuditAction.RESTORE
            version.may_restore = open_draft is None and rules.may(request.user, action, version)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of {versions[0].title if versions else intervention}",
            "intervention": intervention,
            "versions": versions,
            "old": old,
            "new": new,
            "comparison": comparison,
            "events": intervention.audit_events.select_related("actor", "version")[
                :AUDIT_EVENTS_SHOWN
            ],
            **(extra_context or {}),
        }
        return TemplateResponse(
            request, "admin/summaries/intervention/version_history.html", context
        )

    def response_add(self, request, obj, post_url_continue=None):
        if IS_POPUP_VAR in request.POST:  # added from a related-summary picker
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request, f"Created “{obj.slug}” and its first draft: write the summary here."
        )
        return redirect(version_change_url(obj.versions.get().pk))


def _pair_to_compare(request, versions):
    """(old, new) from ``?old=N&new=M``; by default the live version and the open draft,
    else the two newest versions."""
    by_number = {str(v.number): v for v in versions}
    old, new = by_number.get(request.GET.get("old")), by_number.get(request.GET.get("new"))
    if old and new:
        return old, new
    live = next((v for v in versions if v.is_live), None)
    open_draft = next((v for v in versions if v.is_open), None)
    if live and open_draft:
        return live, open_draft
    if len(versions) >= 2:
        return versions[1], versions[0]
    return None, None


def _link_to_public(intervention):
    url = intervention.get_absolute_url()
    return format_html('Live at <a href="{}">{}</a>', url, url)


def _link(version_pk, label):
    return format_html('<a href="{}">{}</a>', version_change_url(version_pk), label)
