"""Two people on one draft: who else has it open, and what they changed.

**Presence.** Opening a draft's form notes "opened by X at T" in Django's cache (so with
a shared cache, such as the database or Redis cache ``CACHE_URL`` configures, every
process sees it; with the default local-memory cache only the same process does). Anyone
else who opens the draft within ``PRESENCE_SECONDS`` is told who has it open and since
when, and who saved it lately (from the version itself). It warns; it never blocks: the
stale-save check (``common.RevisionCheckForm``) is what keeps edits from being lost. With
the cache down nobody else shows as present and no comparison is offered; the form
opens and saves as usual (``toolkit.guarded_cache``).

**What they changed.** The form keeps a snapshot of the version as it was loaded
(``diff.snapshot``, plain data, under the version's id and revision). When a save is
refused because someone saved in between, the page compares that snapshot with the
version as saved now, so the user sees the other person's changes beside their own text.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from summaries.editorial import diff
from summaries.models import SummaryVersion
from toolkit.guarded_cache import guarded

PRESENCE_SECONDS = 5 * 60
SNAPSHOT_SECONDS = 24 * 60 * 60  # a form left open longer than this shows no comparison


def _presence_key(version_pk: int) -> str:
    return f"edit-presence:{version_pk}"


def _snapshot_key(version_pk: int, revision: int) -> str:
    return f"version-snapshot:{version_pk}:{revision}"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class Presence:
    name: str
    what: str  # "has had this draft open since" | "saved this draft at"
    at: datetime

    @property
    def minutes_ago(self) -> int:
        return max(0, int((timezone.now() - self.at).total_seconds() // 60))


def note_opened(version: SummaryVersion, user, *, now: datetime | None = None) -> None:
    """Note that ``user`` has ``version``'s form open now (kept for ``PRESENCE_SECONDS``).

    A read-modify-write of one cache entry: two people opening the draft in the same
    instant may lose one note, which costs a warning, never an edit.
    """
    now = now or timezone.now()
    window = timedelta(seconds=PRESENCE_SECONDS)
    entries = {
        user_id: entry
        for user_id, entry in (guarded().get(_presence_key(version.pk)) or {}).items()
        if now - entry["seen_at"] < window
    }
    since = entries[user.pk]["since"] if user.pk in entries else now
    entries[user.pk] = {"name": _name(user), "since": since, "seen_at": now}
    guarded().set(_presence_key(version.pk), entries, PRESENCE_SECONDS)


def others_on(version: SummaryVersion, user, *, now: datetime | None = None) -> list[Presence]:
    """Who else opened or saved ``version`` in the last ``PRESENCE_SECONDS``."""
    now = now or timezone.now()
    window = timedelta(seconds=PRESENCE_SECONDS)
    found = [
        Presence(entry["name"], "has had this draft open since", entry["since"])
        for user_id, entry in (guarded().get(_presence_key(version.pk)) or {}).items()
        if user_id != user.pk and now - entry["seen_at"] < window
    ]
    saver = version.last_saved_by
    if saver is not None and saver.pk != user.pk and now - version.updated_at < window:
        found.append(Presence(_name(saver), "saved this draft at", version.updated_at))
    return sorted(found, key=lambda presence: presence.at)


def keep_snapshot(version: SummaryVersion) -> None:
    """Keep ``version`` as it is now (its current revision), for a later comparison."""
    key = _snapshot_key(version.pk, version.revision)
    if guarded().available() and guarded().get(key) is None:
        loaded = SummaryVersion.objects.for_page().get(pk=version.pk)
        guarded().set(key, diff.snapshot(loaded), SNAPSHOT_SECONDS)


def changes_since(version_pk: int, loaded_revision: int) -> list[diff.Group] | None:
    """What changed in the version since ``loaded_revision`` (the changed items only),
    or None when that revision's snapshot is no longer kept."""
    loaded = guarded().get(_snapshot_key(version_pk, loaded_revision))
    if loaded is None:
        return None
    saved = SummaryVersion.objects.for_page().get(pk=version_pk)
    groups = diff.compare_snapshots(loaded, diff.snapshot(saved))
    return [group for group in groups if group.changed]
