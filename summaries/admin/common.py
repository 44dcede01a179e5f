"""Pieces every admin page of the app shares."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, models
from django.http import Http404
from django.shortcuts import redirect
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from js_asset import Media

from summaries.editorial import rules
from summaries.models import SummaryVersion
from summaries.public import pages

# For model fields without help_text of their own (the position of child rows).
FALLBACK_HELP_TEXT = {"position": "Order on the page; lower numbers come first."}


def version_change_url(pk) -> str:
    return reverse("admin:summaries_summaryversion_change", args=[pk])


def history_url(version: SummaryVersion, *, compare_with: SummaryVersion | None = None) -> str:
    """The intervention's history, comparing ``compare_with`` (default: live) to ``version``."""
    url = reverse("admin:summaries_intervention_history", args=[version.intervention_id])
    if compare_with is None:
        return url
    return f"{url}?old={compare_with.number}&new={version.number}#compare"


def _malformed_id(request, object_id):
    raise Http404("No such address.")


def malformed_id_urls(suffixes: list[str]) -> list:
    """One pattern that answers 404 for any of our own object addresses (``suffixes``,
    regular expressions) whose id is not a row id.

    Those addresses take ``<row_id:object_id>`` (``summaries/converters.py``). Any other
    id would fall through to the admin's catch-all, which redirects, a POST's data
    dropped, to a change page that does not exist. Not behind ``admin_view``: for
    everyone, signed in or not, such an address does not exist."""
    alternatives = "|".join(suffixes)
    return [re_path(rf"^(?P<object_id>.+)/(?:{alternatives})/$", _malformed_id)]


class ActionRefused(PermissionDenied):
    """A 403 that explains itself: what was refused, what it needs, who can do it, and a
    way back. ``toolkit.views.permission_denied`` renders it with ``admin/403.html``."""

    def __init__(self, *, title: str, refusal: rules.Refusal, back_url: str, back_label: str):
        super().__init__(refusal.reason)
        self.title = title
        self.needs = refusal.needs
        self.who = refusal.who
        self.back_url = back_url
        self.back_label = back_label


def refuse_action(user, action: str, version: SummaryVersion, label: str) -> ActionRefused:
    """The refusal of workflow ``action`` (its button is ``label``) on ``version``."""
    return ActionRefused(
        title=f"You can’t use “{label}” on version {version.number}",
        refusal=rules.refusal(user, action, version),
        back_url=version_change_url(version.pk),
        back_label=f"Back to version {version.number} of “{version.title}”",
    )


class EditorFieldsMixin:
    """Form fields as editors need them: explained, and links that default to https."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            # Django 6 makes https the default; saying so now keeps 5.2 free of warnings.
            kwargs.setdefault("assume_scheme", "https")
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            # The admin renders help_text as HTML; ours is plain text ("/toolkit/<slug>/").
            help_text = formfield.help_text or FALLBACK_HELP_TEXT.get(db_field.name, "")
            formfield.help_text = escape(help_text)
            if isinstance(self, admin.TabularInline):
                formfield.bound_field_class = HelpInColumnHeading
        return formfield


class HelpInColumnHeading(forms.BoundField):
    """A field in a table of rows (a tabular inline), whose help text the admin shows in
    the column's heading, where screen readers read it with the cell, and not under the
    field: so it has no ``<id>_helptext`` element, and the field does not point at one
    (Django's default would name an id that does not exist). Its errors are still read."""

    @property
    def aria_describedby(self):
        if self.auto_id and not self.is_hidden and self.errors:
            return f"{self.auto_id}_error"
        return ""


class NulSafeSearchMixin:
    """Search terms without NUL characters, which PostgreSQL cannot compare (a DataError,
    so a 500) and SQLite cuts the term at. The changelist's search form already refuses
    them; the autocomplete behind the pickers passes ``term`` straight here. A NUL counts
    as a space, so "street<NUL>light" finds what "street light" finds.
    """

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace("\x00", " "))


class PublicContentAdminMixin:
    """For models the public pages show directly (terms, scales, interventions): a save
    or delete through the admin that changes what the public sees makes cached public
    pages unused at once. The admin saves inside a transaction, which the generation's
    update joins (``summaries/models/generation.py``).

    Only such saves: the generation is in every public ETag, so raising it for work the
    public cannot see would tell outsiders when editors are at work.

    Which summaries' pages go cold is ``summaries_that_show``'s answer: by default every
    page; a model whose rows show only on some summaries' pages (a term, a scale) names
    them, and the other summaries' pages stay cached.
    """

    def changes_public_content(self, request, obj, form, formsets, change) -> bool:
        """Whether this save changes what the public sees (by default: any save)."""
        return True

    def summaries_that_show(self, objs) -> set[int] | None:
        """The summaries whose pages show ``objs`` (asked after a save, before a delete);
        ``None``: any page may (the default)."""
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if self.changes_public_content(request, form.instance, form, formsets, change):
            pages.content_changed(interventions=self.summaries_that_show([form.instance]))

    def delete_model(self, request, obj):
        showing = self.summaries_that_show([obj])
        super().delete_model(request, obj)
        pages.content_changed(interventions=showing)

    def delete_queryset(self, request, queryset):
        showing = self.summaries_that_show(list(queryset))
        super().delete_queryset(request, queryset)
        pages.content_changed(interventions=showing)


class CheckboxGroup(forms.CheckboxSelectMultiple):
    """Checkboxes whose help text screen readers announce.

    Django gives each checkbox ``aria-describedby="<id>_helptext"``, but the admin writes
    that id on the help text only for a field with an ``id_for_label``, which a group of
    checkboxes lacks: every reference pointed at nothing and the help was never read. The
    group's own id (that of the element around the checkboxes) gives the help text its id.
    """

    def id_for_label(self, id_, index=None):
        if index is None:
            return id_
        return super().id_for_label(id_, index)


class AccessibleAdminMixin:
    """Our fixes to the admin for WCAG 2.2 AA (see static/css/admin.css, static/js/admin.js)."""

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin.js"]

    def render_change_form(self, request, context, *args, **kwargs):
        # The prose editor's import map is an inline <script>; the Content-Security-Policy
        # lets it run only with this request's nonce, which js_asset's Media writes on it.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)


class RevisionCheckForm(forms.ModelForm):
    """A form that carries the revision of the version it was loaded from.

    If anyone saved the version (or any of its rows) since, the save is refused and
    nothing is written: the form comes back with the user's own input, and a message
    with links to see what is now saved. The version row is locked while checking, and
    the admin saves inside the same transaction, so two saves cannot both pass.
    """

    loaded_revision = forms.IntegerField(
        widget=forms.HiddenInput,
        help_text="The revision of the version this form was loaded from.",
        error_messages={"required": "This form is incomplete; reload the page."},
    )

    def version(self) -> SummaryVersion:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_revision"].initial = self.version().revision

    # Set by BusyDatabaseMixin when the save gave up waiting for the database's lock.
    database_was_busy = False
    # The version form shows the other person's changes beside the user's text after a
    # refused save; the form then counts from the revision saved now, so saving again,
    # once the user has taken in what they want to keep, is not refused a second time.
    merges_after_stale = False
    # The revision the user had loaded when a save was refused as stale, else None.
    stale_loaded_revision: int | None = None

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_revision")
        if self.instance.pk and self.database_was_busy:
            saved = SummaryVersion.objects.get(pk=self.version().pk)
            raise forms.ValidationError(busy_form_message(saved), code="busy")
        if loaded is not None and self.instance.pk:
            # On SQLite select_for_update does nothing, but the transaction already holds
            # the database's write lock from its start (toolkit/settings.py), so here too
            # a second save waits for the first and then finds its revision stale.
            saved = SummaryVersion.objects.select_for_update().get(pk=self.version().pk)
            if saved.revision != loaded:
                self.stale_loaded_revision = loaded
                if self.merges_after_stale:
                    data = self.data.copy()
                    data[self.add_prefix("loaded_revision")] = str(saved.revision)
                    self.data = data
                message = stale_form_message(saved, merging=self.merges_after_stale)
                raise forms.ValidationError(message, code="stale")
        return cleaned_data


def missing_version_redirect(request, model_admin, object_id):
    """What the admin's own views do for an address whose version does not exist (a
    deleted draft, a mistyped id): back to the admin's home, saying so."""
    model_admin.message_user(
        request,
        f"{model_admin.opts.verbose_name.capitalize()} with ID “{object_id}” doesn’t exist. "
        "Perhaps it was deleted?",
        messages.WARNING,
    )
    return redirect(reverse("admin:index", current_app=model_admin.admin_site.name))


def database_is_locked(error: OperationalError) -> bool:
    """Whether SQLite gave up waiting for another transaction's lock."""
    return "database is locked" in str(error) or "database table is locked" in str(error)


class BusyDatabaseMixin:
    """For admins with a RevisionCheckForm: a save that times out waiting for the
    database's lock (SQLite, after ``OPTIONS["timeout"]`` seconds behind another write)
    gets the same "not saved, your changes are still in this form" page as a stale save,
    not the 503 page. Nothing was written: the admin's transaction rolled back.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OperationalError as error:
            if request.method != "POST" or object_id is None or not database_is_locked(error):
                raise
        request.database_was_busy = True
        # Shown again by the admin's own view: the form refuses to validate, so nothing is
        # saved. Its transaction waits for the lock once more; the other write has had its
        # full timeout, so it has almost always finished (if not, the 503 page answers).
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "database_was_busy", False):
            form = type(form.__name__, (form,), {"database_was_busy": True})
        return form


def busy_form_message(saved: SummaryVersion):
    return format_html(
        "Not saved: someone else was saving this version at the same moment, and the "
        "database stayed busy. Nothing was overwritten, and your changes are still in this "
        'form. <a href="{}" target="_blank">See the version as saved now</a>; then reload '
        "this page and make your changes again.",
        version_change_url(saved.pk),
    )


def stale_form_message(saved: SummaryVersion, *, merging: bool = False):
    who = saved.last_saved_by or "someone else"
    when = timezone.localtime(saved.updated_at).strftime("%H:%M on %d %B %Y")
    live = saved.intervention.versions.live().first()
    compare = (
        format_html(
            ' · <a href="{}" target="_blank">compare it with the live version</a>',
            history_url(saved, compare_with=live),
        )
        if live and live.pk != saved.pk
        else ""
    )
    if merging:
        return format_html(
            "Not saved: {} saved this version at {}, after you opened it. Nothing was "
            "overwritten, and your text is still in this form. Their changes are listed "
            "under “What {} changed”: take into the form what you want to keep of theirs, "
            "then save again (saving now keeps exactly what the form holds). "
            '<a href="{}" target="_blank">See the version as saved now</a>{}.',
            who,
            when,
            who,
            version_change_url(saved.pk),
            compare,
        )
    return format_html(
        "Not saved: {} saved this version at {}, after you opened it. Nothing was "
        "overwritten, and your changes are still in this form. "
        '<a href="{}" target="_blank">See the version as saved now</a>{}; then reload '
        "this page and make your changes again.",
        who,
        when,
        version_change_url(saved.pk),
        compare,
    )
