"""Who wrote a version: every user who saved text into it.

The four-eyes rule (``rules.role_allows``) reads this: nobody but a superuser publishes
or schedules a version containing text they saved. Written where text is saved:

- ``services.draft_create`` (a new summary's first draft, an import): its user wrote it;
- the admin's saves of a version, its child rows and a review's own page, when the form
  changed anything;
- not ``services.draft_start_from``: a draft copied from another version holds other
  people's text, so whoever starts it becomes an author only once they save a change.
"""

from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone

from summaries.models import SummaryVersion, VersionAuthor

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_save(*, version: SummaryVersion, user: "User | None") -> None:
    """Note that ``user`` saved text into ``version`` (the system is nobody's author)."""
    if user is None:
        return
    now = timezone.now()
    updated = VersionAuthor.objects.filter(version=version, user=user).update(
        last_saved_at=now, saves=F("saves") + 1
    )
    if not updated:
        VersionAuthor.objects.create(
            version=version, user=user, first_saved_at=now, last_saved_at=now
        )


def is_author(version: SummaryVersion, user: "User | None") -> bool:
    if user is None or version.pk is None:
        return False
    return VersionAuthor.objects.filter(version=version, user=user).exists()


def author_ids(version: SummaryVersion) -> set[int]:
    return set(VersionAuthor.objects.filter(version=version).values_list("user_id", flat=True))
