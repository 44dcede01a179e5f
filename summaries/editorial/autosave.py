"""Autosave: an editor's unsaved version form, kept in their own slot while they type.

One ``AutosaveSlot`` per user and draft. Keeping a slot never touches the version: not
its revision, its history, the diff or anything public. It follows the stale-save rule
without ever overriding it: a form loaded from an older revision than the version's (some
one else saved since) is still kept, in its owner's slot only, and the answer says who
saved, so the form can say that a Save will be refused as stale.

Slots are deleted when their owner saves the version or discards them, for everyone when
the version is submitted or archived, when their owner turns autosave off, and by
housekeeping after ``AUTOSAVE_KEEP_DAYS`` (``summaries/tasks/housekeeping.py``).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from summaries.models import EDITABLE_STATES, AutosaveSlot, NotificationPreference, SummaryVersion

from .errors import ServiceError

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import QueryDict

# What the form posts that is not the user's content.
NOT_CONTENT = frozenset({"csrfmiddlewaretoken", "loaded_revision", "_continue", "_save"})


class AutosaveRefused(ServiceError):
    """Not kept; the message says why, for the form's status line."""


class AutosaveOff(AutosaveRefused):
    """Not kept: the user turned autosave off."""


@dataclass(frozen=True)
class Kept:
    slot: AutosaveSlot
    # Set when the version was saved by someone else after the form was loaded.
    saved_since_by: str | None = None
    saved_since_at: datetime | None = None

    @property
    def stale(self) -> bool:
        return self.saved_since_at is not None


def autosave_enabled(user: "User") -> bool:
    """Whether ``user`` has autosave on (the default, until they turn it off)."""
    chosen = (
        NotificationPreference.objects.filter(user=user).values_list("autosave", flat=True).first()
    )
    return chosen is not False


def form_data(posted: "QueryDict") -> dict[str, list[str]]:
    """The content of a posted form (a ``QueryDict``) as a slot keeps it: each field's
    list of values, line ends as browsers give a textarea's value."""
    return {
        name: [value.replace("\r\n", "\n") for value in values]
        for name, values in posted.lists()
        if name not in NOT_CONTENT
    }


def _name(user: "User") -> str:
    return str(user.get_full_name() or user.get_username())


def autosave_keep(
    *, user: "User", version: SummaryVersion, data: dict[str, list[str]], based_on_revision: int
) -> Kept:
    """Keep ``data`` (the form loaded at ``based_on_revision``) in ``user``'s slot."""
    if not autosave_enabled(user):
        raise AutosaveOff("Autosave is off in your settings: nothing was autosaved.")
    current = SummaryVersion.objects.select_related("last_saved_by").get(pk=version.pk)
    if current.state not in EDITABLE_STATES:
        raise AutosaveRefused(
            f"Not autosaved: this version is no longer a draft "
            f"({current.get_state_display().lower()}), so it can't be edited or saved."
        )
    if based_on_revision > current.revision:
        raise AutosaveRefused("Not autosaved: this form names a revision that does not exist.")
    saved_since = based_on_revision < current.revision
    if saved_since and current.last_saved_by_id == user.pk:
        # Their own save came after this form was loaded (from another window, or this
        # form's Save overtaking a last autosave): what it holds is saved or superseded.
        raise AutosaveRefused(
            "Not autosaved: you saved this version (in this or another window) after this "
            "form was loaded. Your changes are still in this form; a Save here will be "
            "refused as stale, so reload the page and make them again."
        )
    fields = {"data": data, "based_on_revision": based_on_revision, "updated_at": timezone.now()}
    try:
        with transaction.atomic():
            slot, _ = AutosaveSlot.objects.update_or_create(
                user=user, version=current, defaults=fields
            )
    except IntegrityError:
        # Two autosaves of one form at the same moment both tried to create the slot.
        AutosaveSlot.objects.filter(user=user, version=current).update(**fields)
        slot = AutosaveSlot.objects.get(user=user, version=current)
    if not saved_since:
        return Kept(slot)
    saver = current.last_saved_by
    return Kept(
        slot,
        saved_since_by=_name(saver) if saver else "someone else",
        saved_since_at=current.updated_at,
    )


def autosave_slot(*, user: "User", version: SummaryVersion) -> AutosaveSlot | None:
    """``user``'s own slot for ``version``, if any (never anyone else's)."""
    return AutosaveSlot.objects.filter(user=user, version=version).first()


def autosave_discard(*, user: "User", version: SummaryVersion) -> int:
    """Delete ``user``'s slot for ``version`` (after their save, or when they discard it)."""
    return AutosaveSlot.objects.filter(user=user, version=version).delete()[0]


def autosave_discard_all(*, version: SummaryVersion) -> int:
    """Delete every slot of ``version`` (it was submitted or archived: no longer edited)."""
    return AutosaveSlot.objects.filter(version=version).delete()[0]


def autosave_turn_off(*, user: "User") -> int:
    """Delete everything autosaved for ``user`` (they turned autosave off)."""
    return AutosaveSlot.objects.filter(user=user).delete()[0]
