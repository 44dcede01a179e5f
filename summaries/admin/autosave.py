"""Autosave on the version form: the endpoint the form's script posts to while the editor
types, the Discard button, and what a slot holds that the saved version does not.

The writes are ``editorial/autosave.py``'s; here is the HTTP side (staff, the change
permission, CSRF, POST only, a size cap and a rate limit) and the restore prompt's list
of differences, field by field with the part each is in (``parts.PARTS``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from summaries.editorial import autosave
from summaries.models import SummaryVersion
from toolkit.guarded_cache import guarded

from . import parts
from .common import malformed_id_urls, version_change_url


def autosave_urls(model_admin) -> list:
    view = model_admin.admin_site.admin_view
    return [
        path(
            "<row_id:object_id>/autosave/",
            view(require_POST(autosave_view)),
            {"model_admin": model_admin},
            name="summaries_summaryversion_autosave",
        ),
        path(
            "<row_id:object_id>/autosave/discard/",
            view(require_POST(discard_view)),
            {"model_admin": model_admin},
            name="summaries_summaryversion_autosave_discard",
        ),
        *malformed_id_urls(["autosave", "autosave/discard"]),
    ]


def _refused(message: str, status: int, **headers) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status, headers=headers)


def _too_large(size: int | None = None) -> JsonResponse:
    limit = settings.AUTOSAVE_MAX_BYTES // 1000
    size_said = f" (about {size // 1000:,} kB)" if size else ""
    return _refused(
        f"Not autosaved: this form is too large to autosave{size_said}; autosave keeps at "
        f"most {limit:,} kB. Your changes are still in the form: Save keeps them.",
        413,
    )


def _clock(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def autosave_view(request, object_id, model_admin):
    """Keep the posted form in the user's own slot; JSON saying what happened."""
    try:
        size = int(request.headers.get("content-length") or 0)
    except ValueError:
        size = 0
    if size > settings.AUTOSAVE_MAX_BYTES:
        return _too_large(size)
    version = SummaryVersion.objects.filter(pk=object_id).first()
    if version is None:
        return _refused("Not autosaved: this version does not exist (was it deleted?).", 404)
    if not model_admin.has_change_permission(request):
        return _refused("Not autosaved: your role does not include editing drafts.", 403)
    try:
        posted = request.POST
    except RequestDataTooBig:
        return _too_large()
    except TooManyFieldsSent:
        return _refused("Not autosaved: the form sent too many fields.", 400)
    try:
        based_on = int(posted.get("loaded_revision", ""))
    except ValueError:
        return _refused("Not autosaved: this form is incomplete; reload the page.", 400)
    pace = settings.AUTOSAVE_MIN_SECONDS
    key = f"autosave:{request.user.pk}:{version.pk}"
    # With the cache down the pace is unknown, and the autosave goes ahead.
    used = guarded().count(key, timeout=pace) if pace > 0 else None
    if used is not None and used > 1:
        wait = str(settings.AUTOSAVE_MIN_SECONDS)
        message = "Not autosaved yet: too soon after the last autosave."
        return _refused(message, 429, **{"Retry-After": wait})
    try:
        kept = autosave.autosave_keep(
            user=request.user,
            version=version,
            data=autosave.form_data(posted),
            based_on_revision=based_on,
        )
    except autosave.AutosaveRefused as refusal:
        off = isinstance(refusal, autosave.AutosaveOff)
        return _refused(str(refusal), 403 if off else 409)
    at = _clock(kept.slot.updated_at)
    answer = {
        "ok": True,
        "saved_at": at,
        "message": f"Autosaved at {at}, for you only: Save keeps your changes in the version.",
        "stale": kept.stale,
    }
    if kept.stale and kept.saved_since_at is not None:
        answer["conflict"] = (
            f"{kept.saved_since_by} saved this version at {_clock(kept.saved_since_at)}, "
            "after you opened this form. Your changes are autosaved for you, and nothing of "
            "theirs is overwritten: a Save will be refused as stale, and then show their "
            "changes beside yours to merge."
        )
    return JsonResponse(answer)


def discard_view(request, object_id, model_admin):
    """Delete the user's own slot for the version, and go back to its form."""
    version = SummaryVersion.objects.filter(pk=object_id).first()
    if version is not None:
        autosave.autosave_discard(user=request.user, version=version)
        model_admin.message_user(
            request, "Your autosaved changes were discarded.", messages.SUCCESS
        )
    return redirect(version_change_url(object_id))


# --- What a slot holds that the saved version does not -----------------------------------


@dataclass(frozen=True)
class FieldPlace:
    part_key: str
    part_title: str
    label: str
    target: str  # the field's element id, for a link


def field_parts(fieldsets) -> dict[str, str]:
    """Each field of the version form's own fieldsets -> the key of its part."""
    found = {}
    for _, options in fieldsets:
        key = parts.part_of_classes(options.get("classes", ()))
        for line in options["fields"]:
            for name in line if isinstance(line, list | tuple) else [line]:
                found[name] = key
    return found


def place_of(name: str, form, formsets, parts_of_fields: dict[str, str]) -> FieldPlace | None:
    """Where the field posted as ``name`` is on the form: its part, label and id; None
    for a name the form does not have (a forged one, or a row since deleted)."""
    titles = {spec.key: spec.title for spec in parts.PARTS}
    if name in form.fields:
        key = parts_of_fields.get(name, parts.DEFAULT_PART)
        bound = form[name]
        return FieldPlace(key, titles[key], capfirst(str(bound.label)), parts.field_id(bound))
    prefix, _, rest = name.rpartition("-")
    formset_prefix, _, index = prefix.rpartition("-")
    formset = next((f for f in formsets if f.prefix == formset_prefix), None)
    if formset is None or not index.isdigit() or int(index) >= len(formset.forms):
        return None
    row = formset.forms[int(index)]
    if rest not in row.fields:
        return None
    key = parts.part_of_row(formset.prefix, row)
    field_label = "Delete" if rest == "DELETE" else capfirst(str(row[rest].label))
    if formset.prefix == parts.SECTIONS_PREFIX:
        # A section is named by its heading; its one field is its text.
        heading = parts.row_name(row) or "New section"
        label = heading if rest == "body" else f"{heading}, {field_label}"
    else:
        label = f"{parts.row_label(row, int(index))}, {field_label}"
    return FieldPlace(key, titles[key], label, parts.field_id(row[rest]))


def differences(model_admin, request, version, data: dict[str, list[str]]) -> list[FieldPlace]:
    """The fields whose values in ``data`` differ from ``version`` as saved, in the order
    of the parts; each with its part."""
    posted = QueryDict(mutable=True)
    for name, values in data.items():
        posted.setlist(name, [str(value) for value in values])
    form = model_admin.get_form(request, version, change=True)(data=posted, instance=version)
    formsets = []
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, version):
        prefix = formset_class.get_default_prefix()
        kwargs = model_admin.get_formset_kwargs(request, version, inline, prefix)
        formsets.append(formset_class(**{**kwargs, "data": posted, "files": None}))
    names = [name for name in form.changed_data if name != "loaded_revision"]
    for formset in formsets:
        for row in formset.forms:
            names += [row.add_prefix(name) for name in row.changed_data]
    known = field_parts(model_admin.get_fieldsets(request, version))
    places = [place_of(name, form, formsets, known) for name in names]
    order = {spec.key: i for i, spec in enumerate(parts.PARTS)}
    found = [place for place in places if place is not None]
    return sorted(found, key=lambda place: order[place.part_key])


def prompt_context(model_admin, request, version) -> dict:
    """The restore prompt, when the user's slot holds something the version does not."""
    slot = autosave.autosave_slot(user=request.user, version=version)
    if slot is None:
        return {}
    changed = differences(model_admin, request, version, slot.data)
    if not changed:
        return {}
    stale = slot.based_on_revision != version.revision
    saver = version.last_saved_by
    return {
        "autosave_slot": slot,
        "autosave_differences": changed,
        "autosave_saved_since": stale,
        "autosave_saved_by": (saver.get_full_name() or saver.get_username())
        if saver
        else "someone else",
        "autosave_discard_url": reverse(
            "admin:summaries_summaryversion_autosave_discard", args=[version.pk]
        ),
    }
