"""The public pages' reads besides their stored copies (``pages.py``): the terms worth
browsing, a published version by number, and what a summary's address leads to.

Each returns live content only (``SummaryVersion.objects.live()``), in a fixed number of
queries whatever the amount of content. A page that takes a slug asks ``resolve_slug``,
so every public address answers a withdrawn, moved or unknown summary the same way.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict

from django.db.models import Case, Count, QuerySet, When

from summaries.models import State, SummaryVersion, Term


class LiveTerm(TypedDict):
    """A term and how many live summaries it tags (a dict: the home page's template reads
    a few hundred of them)."""

    slug: str
    name: str
    live_count: int


def terms_with_live_counts(model: type[Term]) -> list[LiveTerm]:
    """The vocabulary's terms that tag at least one live summary, each with how many."""
    return live_term_counts(model)[0]


def live_term_counts(*models: type[Term]) -> list[list[LiveTerm]]:
    """For each vocabulary (a ``Term`` model), its terms that tag at least one live
    summary, each with how many, in the vocabulary's order (position, name). A query a
    vocabulary (live versions are at most one per intervention, so each counts once)."""
    found: list[list[LiveTerm]] = []
    for model in models:
        # Any: the lookup is through each concrete vocabulary's reverse relation, which
        # the abstract Term does not have.
        every: QuerySet[Any] = model._default_manager.all()
        terms = (
            every.filter(summaryversion__state=State.PUBLISHED)
            .annotate(live_count=Count("summaryversion"))
            .values("slug", "name", "live_count")
            .order_by("position", "name")
        )
        found.append(
            [LiveTerm(slug=t["slug"], name=t["name"], live_count=t["live_count"]) for t in terms]
        )
    return found


# The states of a version that was public and still may be read at its own address.
PUBLIC_VERSION_STATES = (State.PUBLISHED, State.SUPERSEDED)


def published_version(
    intervention_id: int, number: int, *, queryset: QuerySet[SummaryVersion] | None = None
) -> SummaryVersion | None:
    """Version ``number`` of the intervention if it was ever published: the live one, a
    superseded one or a withdrawn one (the caller answers 410 for that), else ``None``.
    ``queryset`` says what to load with it. One query."""
    queryset = SummaryVersion.objects.all() if queryset is None else queryset
    return queryset.filter(
        intervention_id=intervention_id,
        number=number,
        state__in=[*PUBLIC_VERSION_STATES, State.WITHDRAWN],
        published_at__isnull=False,
    ).first()


# --- What an address leads to -----------------------------------------------------------


class SlugState(StrEnum):
    LIVE = "live"
    WITHDRAWN = "withdrawn"
    MOVED = "moved"
    NOT_FOUND = "not found"


@dataclass(frozen=True)
class Resolved:
    """What ``/toolkit/<slug>/`` (and every address under it) leads to.

    ``version`` is the live version (``LIVE``) or the withdrawn one, with its title, date
    and reason (``WITHDRAWN``); ``slug`` is the summary's current slug (``LIVE``, ``MOVED``).
    """

    state: SlugState
    version: SummaryVersion | None = None
    slug: str = ""

    @property
    def found(self) -> SummaryVersion:
        """The version of a live or withdrawn summary (a caller's mistake otherwise)."""
        if self.version is None:
            raise ValueError(f"A {self.state} summary address has no version.")
        return self.version


# What a withdrawal notice shows.
_WITHDRAWN_FIELDS = ("number", "state", "title", "withdrawn_at", "withdrawal_reason")


def resolve_slug(slug: str, *, live: QuerySet[SummaryVersion] | None = None) -> Resolved:
    """Whether ``slug`` is a live summary, a withdrawn one, an old address of one, or
    nothing the public may know of.

    ``live`` is the queryset of live versions to read the summary from (by default,
    whole versions). One query for a live summary; the others are asked only when it
    misses. An old address is followed only to a summary that is live
    now, and an old address of a withdrawn summary is withdrawn too, so a current address
    that was never public stays unknown. A summary never published is not found, exactly
    like an address that never existed.
    """
    live = SummaryVersion.objects.live() if live is None else live
    version = live.filter(intervention__slug=slug).first()
    if version is not None:
        return Resolved(SlugState.LIVE, version, slug)
    withdrawn = (
        SummaryVersion.objects.filter(intervention__slug=slug, state=State.WITHDRAWN)
        .only(*_WITHDRAWN_FIELDS)
        .order_by("-withdrawn_at")
        .first()
    )
    if withdrawn is not None:
        return Resolved(SlugState.WITHDRAWN, withdrawn)
    moved = (
        SummaryVersion.objects.filter(
            intervention__slug_redirects__old_slug=slug,
            state__in=(State.PUBLISHED, State.WITHDRAWN),
        )
        .select_related("intervention")
        .only(*_WITHDRAWN_FIELDS, "intervention__slug")
        .order_by(Case(When(state=State.PUBLISHED, then=0), default=1), "-withdrawn_at")
        .first()
    )
    if moved is None:
        return Resolved(SlugState.NOT_FOUND)
    if not moved.is_live:
        return Resolved(SlugState.WITHDRAWN, moved)
    return Resolved(SlugState.MOVED, slug=moved.intervention.slug)
