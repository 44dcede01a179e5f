"""The read model: each public version's pages, card and data, built once from its rows
and kept in a ``PublishedPage`` (``summaries/models/published.py`` says when a row is
current).

Readers are served from these rows: a summary page and a version page are stored whole
documents with the reader's origin and day put in (``document_response``), ``data.json``
and the API's detail are its stored data, a citation file is rendered from the data's
reference, list and search cards are stored cards, and search snippets are cut from its
stored section text. Nothing on that path loads a version's twenty-odd child rows or
renders a template of its page.

Rows are built:

- after every change that makes some stale (``refresh_on_commit``, called by whatever
  raised their summaries' page generations: a publication, a withdrawal, a rename, a
  related summary, a term or a scale edited), once the change has committed;
- on first read of a row that is missing or stale (a deploy with new templates, a
  change whose rebuild has not run yet), inside the reader's snapshot;
- by ``manage.py build_pages`` (all of them, after a deploy or a restore).

Each build reads the summary's page generation in the same snapshot as the content, and
stamps the row with it: a row built from content older than a change is never taken for
current after it.

Stored text holds absolute addresses (citations name the version's own address) with
``ORIGIN`` where the site's origin goes, and pages hold ``TODAY`` where the printed
footer's date goes; a response swaps in the request's own origin (``absolute``) and the
day, so one row serves every host name the site answers to, on any day.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test.signals import setting_changed
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from summaries.models import (
    RATING_FIELDS,
    TAXONOMY,
    Challenge,
    ChallengeStatus,
    KeyFigure,
    OutcomeResult,
    PageGeneration,
    PublicContent,
    PublishedPage,
    ScaleLevel,
    State,
    SummaryVersion,
)
from summaries.models.generation import public_content_changed
from summaries.models.snapshot import one_snapshot
from summaries.search.index import sections_text
from summaries.tasks import background_task, enqueue

from . import citations
from .release import KEY_SETTINGS, ROOT, SETTINGS, code_digest, frame_files

logger = logging.getLogger(__name__)

# Stands for the site's origin (scheme and host) in stored text. ".invalid" is reserved
# (RFC 2606): no real address an editor types can be it.
ORIGIN = "https://origin.invalid"
# Stands for the day in a stored page (its printed footer says when it was printed): a
# comment, which escaped text cannot contain and the sanitiser strips from rich text.
TODAY = "<!--today-->"

# The states of a version that was public and may still be read at its own address.
PUBLIC_VERSION_STATES = (State.PUBLISHED, State.SUPERSEDED)

CHANGE_LOG_LENGTH = 10

APP = Path(__file__).resolve().parent.parent


@receiver(setting_changed)
def _setting_changed(*, setting, **kwargs):
    # Settings are fixed in a running site; tests change them (override_settings).
    if setting in KEY_SETTINGS:
        render_key.cache_clear()


@cache
def render_key() -> str:
    """A digest of everything a stored row's output depends on besides its content: the
    templates and code that render it, the addresses it links (every ``urls.py``), the
    static files' hashed names (their manifest, when collected), Django's version and the
    settings that show on pages. Computed once a process; a deploy that changes any of
    them changes it."""
    sources: list[Path] = [
        *sorted((APP / "public").glob("*.py")),
        *sorted((APP / "models").glob("*.py")),
        *sorted((APP / "templatetags").glob("*.py")),
        *sorted(APP.rglob("urls.py")),
        APP / "search" / "index.py",  # the plain text snippets are cut from
        ROOT / "toolkit" / "urls.py",
        APP / "charts.py",
        APP / "sanitize.py",
        # The whole frame (base.html, includes/), not only the article's templates.
        *frame_files(),
    ]
    return code_digest(sources, SETTINGS, size=16)


def absolute(text: str, request: HttpRequest) -> str:
    """Stored ``text`` with the request's origin for ``ORIGIN``."""
    return text.replace(ORIGIN, f"{request.scheme}://{request.get_host()}")


def _on_origin(path: str) -> str:
    return ORIGIN + path


# --- What a page shows, built from the rows ------------------------------------------


def _date(value: datetime | None) -> str:
    return "" if value is None else date_format(timezone.localtime(value), "j F Y")


def _iso_date(value: datetime | None) -> str:
    return "" if value is None else date_format(timezone.localtime(value), "Y-m-d")


@dataclass(slots=True)
class Card:
    """A live summary as a card shows it (``components/summary_cards.html``)."""

    pk: int  # the version's
    slug: str
    url: str
    title: str
    standfirst: str
    effect: str | None  # the rating level's label, None when not rated
    quality: str | None
    date: str  # the date published, as 2026-12-07
    date_text: str  # and as 7 December 2026
    snippet: str = ""  # safe HTML: where a search matched (``search.snippets``)

    def stored(self) -> dict[str, Any]:
        """What ``PublishedPage.card`` keeps of it."""
        kept = asdict(self)
        del kept["snippet"]
        return kept


def card_of(version: SummaryVersion) -> Card:
    """The card of a live version (``intervention`` and the two ratings loaded)."""
    effect, quality = version.effect_rating, version.quality_rating
    return Card(
        pk=version.pk,
        slug=version.intervention.slug,
        url=version.intervention.get_absolute_url(),
        title=version.title,
        standfirst=version.standfirst,
        effect=effect.label if effect else None,
        quality=quality.label if quality else None,
        date=_iso_date(version.published_at),
        date_text=_date(version.published_at),
    )


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _level(level: ScaleLevel | None) -> dict | None:
    return None if level is None else {"level": level.slug, "label": level.label}


def _key_figure(figure: KeyFigure) -> dict:
    return {
        "outcome": figure.outcome,
        "comparison_rate": _decimal(figure.comparison_rate),
        "treatment_rate": _decimal(figure.treatment_rate),
        "relative_change": _decimal(figure.relative_change),
        # Treatment minus comparison, in percentage points.
        "absolute_change": _decimal(figure.absolute_change),
        "note": figure.note,
    }


def outcome_result_as_dict(result: OutcomeResult) -> dict:
    """One outcome result as the text states it: a number the text does not give is null,
    and ``stated`` quotes what it does say."""
    return {
        "outcome": {"slug": result.outcome.slug, "name": result.outcome.name},
        "effect": _level(result.effect_rating),
        "quality": _level(result.quality_rating),
        "certainty": _level(result.certainty),
        "downgrade_reasons": [
            {
                "domain": {"slug": reason.domain.slug, "name": reason.domain.name},
                "severity": reason.severity,
                "explanation": reason.explanation,
            }
            for reason in result.downgrade_reasons.all()
        ],
        "direction": result.direction,
        "stated": result.stated,
        "comparison_rate": _decimal(result.comparison_rate),
        "treatment_rate": _decimal(result.treatment_rate),
        "relative_change": _decimal(result.relative_change),
        "percentage_points": _decimal(result.percentage_points),
        "effect_size": None
        if result.effect_size is None
        else {
            "kind": result.effect_size_kind,
            "value": _decimal(result.effect_size),
            "interval_low": _decimal(result.interval_low),
            "interval_high": _decimal(result.interval_high),
        },
        "reviews": [review.label for review in result.reviews.all()],
        "note": result.note,
    }


def update_status_as_dict(version: SummaryVersion) -> dict:
    """Whether the summary is current: its status (null if none was given), the reason,
    the last search for evidence as far as it is known ("2021" or "2021-03") and the date
    it is to be reassessed."""
    status = version.update_status
    return {
        "status": None if status is None else status.slug,
        "label": None if status is None else status.label,
        "reason": version.update_status_reason,
        "last_search": version.last_search_iso or None,
        "reassess_on": _iso(version.reassess_on),
    }


def economics_as_dict(version: SummaryVersion) -> dict:
    """The economic evidence as the reviews state it: the cost band, whether no economic
    evaluation was found, unit costs and benefit-cost figures. Amounts carry their
    currency and price year; a figure the review does not give is null."""
    return {
        "no_economic_evaluation": version.no_economic_evaluation,
        "cost_band": None
        if version.cost_band is None
        else {
            "level": version.cost_band.slug,
            "label": version.cost_band.label,
            "meaning": version.cost_band.description,
        },
        "unit_costs": [
            {
                "amount": str(cost.amount),
                "currency": cost.currency,
                "price_year": cost.price_year,
                "description": cost.description,
                "review": cost.review.label if cost.review else None,
            }
            for cost in version.unit_costs.all()
        ],
        "benefit_costs": [
            {
                "perspective": figure.perspective,
                "benefits": _decimal(figure.benefits),
                "costs": _decimal(figure.costs),
                "currency": figure.currency
                if figure.benefits is not None or figure.costs is not None
                else None,
                "price_year": figure.price_year,
                "ratio": _decimal(figure.ratio),
                "chance_benefits_exceed_costs": _decimal(figure.chance_benefits_exceed_costs),
                "review": figure.review.label if figure.review else None,
                "note": figure.note,
            }
            for figure in version.benefit_costs.all()
        ],
    }


def summary_as_dict(
    version: SummaryVersion, related: list[Card], absolute_uri: Callable[[str], str]
) -> dict:
    """Everything a summary page shows, as plain data: ``data.json`` and the API's detail.
    ``version`` from ``for_page()``; ``related``, the cards of its live related summaries.

    Decimals (rates and changes) are strings, exactly as stated ("13.6", "-31.8"): a JSON
    number would invite binary floating point.
    """
    intervention = version.intervention
    return {
        "slug": intervention.slug,
        "url": absolute_uri(version.get_absolute_url()),
        "title": version.title,
        "standfirst": version.standfirst,
        "version": version.number,
        "published_at": _iso(version.published_at),
        "first_published_at": _iso(intervention.first_published_at),
        "evidence_reviewed_on": _iso(version.evidence_reviewed_on),
        "update_status": update_status_as_dict(version),
        "change_note": version.change_note,
        "ratings_basis": version.ratings_basis,
        "ratings": {
            field: None
            if level is None
            else {
                "dimension": level.scale.get_dimension_display(),
                "level": level.slug,
                "label": level.label,
                "meaning": level.description,
            }
            for field in RATING_FIELDS
            for level in [getattr(version, f"{field}_rating")]
        },
        "taxonomy": {
            vocabulary.key: [
                {"slug": term.slug, "name": term.name}
                for term in getattr(version, vocabulary.field).all()
            ]
            for vocabulary in TAXONOMY
        },
        "key_figures": [_key_figure(figure) for figure in version.key_figures.all()],
        "outcomes": [outcome_result_as_dict(result) for result in version.outcome_results.all()],
        "economics": economics_as_dict(version),
        "reviews": [
            {
                "label": review.label,
                "citation": review.citation,
                "url": review.url,
                "studies": review.studies,
                "tests": review.tests,
                "published_up_to": review.published_up_to,
                "rcts": review.rcts,
                "conflict_of_interest_studies": review.conflict_of_interest_studies,
                "breakdowns": [
                    {"kind": row.kind, "label": row.label, "count": row.count, "unit": row.unit}
                    for row in review.breakdowns.all()
                ],
            }
            for review in version.reviews.all()
        ],
        # Sanitised on save (Section.save), like the page shows it.
        "sections": [
            {"kind": section.kind, "heading": section.heading, "html": section.body}
            for section in version.sections.all()
        ],
        "related_summaries": [
            {"slug": card.slug, "title": card.title, "url": absolute_uri(card.url)}
            for card in related
        ],
        "external_links": [
            {"title": link.title, "url": link.url, "description": link.description}
            for link in version.external_links.all()
        ],
    }


def _reference_data(reference: citations.Reference) -> dict:
    return {
        "key": reference.key,
        "author": reference.author,
        "title": reference.title,
        "container": reference.container,
        "version": reference.version,
        "published": reference.published.isoformat(),
        "url": reference.url,
    }


def reference(stored: dict, request: HttpRequest) -> citations.Reference:
    """The citation of a stored version (its ``reference``), on the request's origin."""
    return citations.Reference(
        key=stored["key"],
        author=stored["author"],
        title=stored["title"],
        container=stored["container"],
        version=stored["version"],
        published=datetime.fromisoformat(stored["published"]).date(),
        url=absolute(stored["url"], request),
    )


def _cite_formats(version: SummaryVersion, ref: citations.Reference) -> list[dict]:
    if version.state not in PUBLIC_VERSION_STATES:
        return []  # a preview's version has no citation files
    return [
        {
            "label": label,
            "url": reverse(
                "summaries:version_citation",
                kwargs={"slug": version.intervention.slug, "number": version.number, "fmt": suffix},
            ),
            "filename": f"{ref.key}.{suffix}",
            "text": citations.RENDERERS[suffix](ref),
        }
        for suffix, (label, _content_type) in citations.FORMATS.items()
    ]


def live_cards_of(intervention_ids: Iterable[int]) -> dict[int, Card]:
    """The cards of these summaries' live versions, by intervention. One query."""
    found = (
        SummaryVersion.objects.live()
        .filter(intervention_id__in=set(intervention_ids))
        .select_related("intervention", "effect_rating", "quality_rating")
        .only(
            "title",
            "standfirst",
            "published_at",
            "intervention__slug",
            "effect_rating__label",
            "quality_rating__label",
        )
    )
    return {version.intervention_id: card_of(version) for version in found}


def change_logs_of(intervention_ids: Iterable[int]) -> dict[int, list[SummaryVersion]]:
    """Each summary's published versions, newest first (at most ``CHANGE_LOG_LENGTH``):
    only what was once public. One query."""
    logs: dict[int, list[SummaryVersion]] = {pk: [] for pk in intervention_ids}
    rows = (
        SummaryVersion.objects.filter(intervention_id__in=list(logs), published_at__isnull=False)
        .only("intervention_id", "number", "state", "published_at", "withdrawn_at", "change_note")
        .order_by("intervention_id", "-published_at")
    )
    for row in rows:
        log = logs[row.intervention_id]
        if len(log) < CHANGE_LOG_LENGTH:
            log.append(row)
    return logs


def challenge_notes_of(intervention_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Each summary's decided challenges that led to a change, newest first, as its
    change log notes them (the date decided, the outcome, the note). One query."""
    notes: dict[int, list[dict]] = {pk: [] for pk in intervention_ids}
    rows = (
        Challenge.objects.decided()
        .filter(intervention_id__in=list(notes), led_to_change=True)
        .order_by("intervention_id", "-decided_at", "-pk")
        .values_list("intervention_id", "decided_at", "status", "change_log_note")
    )
    for intervention_id, decided_at, status, note in rows:
        notes[intervention_id].append(
            {"decided_at": decided_at, "outcome": ChallengeStatus(status).label, "note": note}
        )
    return notes


@dataclass
class Article:
    """What the templates of a summary page show of its version (``page`` in
    ``summaries/detail.html`` and the templates extending it)."""

    slug: str
    number: int
    state: str
    title: str
    standfirst: str
    published_at: datetime | None  # None in a draft's preview
    body: SafeString  # the article, on ORIGIN until a page puts its reader's origin in

    @property
    def is_live(self) -> bool:
        return self.state == State.PUBLISHED


@dataclass
class Built:
    """A version's pages, card and data as built from its rows."""

    article: Article
    document: str  # the summary's page while the version is live ("" if it is not)
    version_document: str  # the version's own page
    card: Card
    data: str  # JSON text (``data_json``)
    reference: dict  # the citation's parts (``_reference_data``)
    snippet_text: str  # the section text, plain and escaped (``search.snippets``)


def build(
    version: SummaryVersion,
    *,
    related: list[Card],
    change_log: list[SummaryVersion],
    challenge_notes: list[dict] | None = None,
    live_number: int | None = None,
    documents: bool = True,
) -> Built:
    """The pages, card and data of ``version`` (loaded with ``for_page()``); ``related``,
    the cards of its live related summaries in its order; ``change_log``, its summary's
    published versions, newest first; ``live_number``, the number of its summary's live
    version (the version page's banner names it). Absolute addresses are on ``ORIGIN``,
    the day is ``TODAY``. Without ``documents``, the article alone (a preview renders it
    in the frame itself)."""
    ref = citations.Reference.of(version, _on_origin(citations.version_url(version)))
    body = render_to_string(
        "summaries/summary_body.html",
        {
            "version": version,
            "related": related,
            "change_log": change_log,
            "challenge_notes": challenge_notes or [],
            "citation": citations.text(ref),
            "cite_formats": _cite_formats(version, ref),
        },
    )
    article = Article(
        version.intervention.slug,
        version.number,
        version.state,
        version.title,
        version.standfirst,
        version.published_at,
        mark_safe(body),  # rendered by the template engine, which escaped it
    )
    data = summary_as_dict(version, related, _on_origin)
    return Built(
        article=article,
        document=summary_document(article) if documents and article.is_live else "",
        version_document=version_document(article, live_number) if documents else "",
        card=card_of(version),
        data=data_json(data),
        reference=_reference_data(ref),
        snippet_text=escape(sections_text(section.body for section in version.sections.all())),
    )


def _document(template: str, article: Article, path: str, context: dict) -> str:
    # The frame's context processors read the request; a stored page has none, so what
    # they give is given here, on ORIGIN and TODAY (``document_response`` swaps in the
    # reader's). The header of a page without a request shows the search form, as it
    # does on every summary page.
    return render_to_string(
        template,
        {
            "page": article,
            "toolkit_name": settings.TOOLKIT_NAME,
            "canonical_url": _on_origin(path),
            "today": mark_safe(TODAY),  # a marker, swapped for the date as it is served
            **context,
        },
    )


def summary_document(article: Article) -> str:
    """The summary's page (``/toolkit/<slug>/``) showing ``article``, a whole document."""
    path = reverse("summaries:detail", kwargs={"slug": article.slug})
    return _document("summaries/detail.html", article, path, {"follow": True})


def version_document(article: Article, live_number: int | None) -> str:
    """The version's own page (``/toolkit/<slug>/v/<number>/``), a whole document, under
    the banner naming the live version (``live_number``)."""
    summary_path = reverse("summaries:detail", kwargs={"slug": article.slug})
    path = reverse("summaries:version", kwargs={"slug": article.slug, "number": article.number})
    context = {
        "current_number": live_number,
        "is_current": article.is_live,
        "summary_path": summary_path,
        "summary_url": _on_origin(summary_path),
    }
    return _document("summaries/version.html", article, path, context)


def today() -> str:
    """Today's date as pages write it (the printed footer's)."""
    return _date(timezone.now())


def document_response(document: str, request: HttpRequest) -> HttpResponse:
    """A stored page as the reader is sent it: their origin and today's date put in."""
    return HttpResponse(absolute(document, request).replace(TODAY, today()))


def data_json(data: dict) -> str:
    """``data`` as ``data.json`` and the API send it, the text that is stored: written
    once, so that a reader's request only puts its origin in."""
    return json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)


def _related_cards(version: SummaryVersion, live: dict[int, Card]) -> list[Card]:
    targets = [link.target_id for link in version.related_summaries.all()]
    return [live[target] for target in targets if target in live]


def build_versions(versions: list[SummaryVersion], *, documents: bool = True) -> list[Built]:
    """``build`` for each of ``versions`` (loaded with ``for_page()``): their related
    cards, change logs and live versions' numbers in one query each."""
    targets = {link.target_id for v in versions for link in v.related_summaries.all()}
    live = live_cards_of(targets) if targets else {}
    interventions = {v.intervention_id for v in versions}
    logs = change_logs_of(interventions)
    notes = challenge_notes_of(interventions)
    live_numbers = dict(
        SummaryVersion.objects.live()
        .filter(intervention_id__in=interventions)
        .values_list("intervention_id", "number")
    )
    return [
        build(
            v,
            related=_related_cards(v, live),
            change_log=logs[v.intervention_id],
            challenge_notes=notes[v.intervention_id],
            live_number=live_numbers.get(v.intervention_id),
            documents=documents,
        )
        for v in versions
    ]


# --- Stamps, storing and rebuilding --------------------------------------------------


def generation_stamp(site: int, page: int | None) -> str:
    """A summary's page generation as rows are stamped with it (the same value
    ``generation.summary_generation`` keys the summary's cached pages by)."""
    return f"s{site}-{page or 0}"


def with_page(versions: QuerySet[SummaryVersion]) -> QuerySet[Any]:
    """``versions`` annotated with ``page``, their summary's page generation (0 if it
    has none yet), which a stored row's stamp is checked against."""
    return versions.annotate(page=Coalesce(F("intervention__page_generation__generation"), 0))


def is_current(row_key: str | None, stamp: str | None, site: int, page: int) -> bool:
    """Whether a stored row with these stamps (None: no row) may be served: built by
    this code at the summary's current page generation."""
    return row_key == render_key() and stamp == generation_stamp(site, page)


def _stamps(intervention_ids: Iterable[int]) -> dict[int, str]:
    site = PublicContent.objects.filter(pk=1).values_list("site_generation", flat=True).first()
    pages = dict(
        PageGeneration.objects.filter(pk__in=set(intervention_ids)).values_list("pk", "generation")
    )
    return {pk: generation_stamp(site or 0, pages.get(pk)) for pk in intervention_ids}


def materialise(version_ids: Iterable[int]) -> dict[int, PublishedPage]:
    """Build and keep the pages of these versions (the public ones among them), in one
    snapshot of the database; returns them by version id.

    Called inside a reader's snapshot (a page missing or stale), it builds from that
    snapshot and keeps the rows if it can: a concurrent writer of the same rows (another
    reader, a rebuild) or a database that refuses a write in a read transaction leaves
    the rows to the next build, and the reader is served all the same.
    """
    ids = sorted(set(version_ids))
    if not ids:
        return {}
    with one_snapshot():
        versions = list(
            SummaryVersion.objects.for_page().filter(pk__in=ids, state__in=PUBLIC_VERSION_STATES)
        )
        stamps = _stamps({v.intervention_id for v in versions})
        key = render_key()
        now = timezone.now()
        pages = [
            PublishedPage(
                version=v,
                render_key=key,
                generation=stamps[v.intervention_id],
                document=built.document,
                version_document=built.version_document,
                card=built.card.stored(),
                snippet_text=built.snippet_text,
                data=built.data,
                reference=built.reference,
                built_at=now,
            )
            for v, built in zip(versions, build_versions(versions), strict=True)
        ]
        try:
            with transaction.atomic():
                PublishedPage.objects.bulk_create(
                    pages,
                    update_conflicts=True,
                    unique_fields=["version"],
                    update_fields=[
                        "render_key",
                        "generation",
                        "document",
                        "version_document",
                        "card",
                        "snippet_text",
                        "data",
                        "reference",
                        "built_at",
                    ],
                )
        except DatabaseError:
            logger.info("Published pages of versions %s not kept this time", ids, exc_info=True)
    return {page.version_id: page for page in pages}


def stale_versions(
    *, within: QuerySet[SummaryVersion] | None = None, limit: int | None = None
) -> list[int]:
    """Public versions (of ``within``, a queryset of versions) whose page is missing or
    stale, most recently published first."""
    site = PublicContent.objects.filter(pk=1).values_list("site_generation", flat=True).first()
    versions = SummaryVersion.objects.all() if within is None else within
    candidates = (
        with_page(versions.filter(state__in=PUBLIC_VERSION_STATES))
        .values_list(
            "pk",
            "intervention_id",
            "page",
            "published_page__render_key",
            "published_page__generation",
        )
        .order_by("-published_at", "-pk")
    )
    stale = [
        pk
        for pk, _intervention, page, row_key, stamp in candidates.iterator(chunk_size=2000)
        if not is_current(row_key, stamp, site or 0, page)
    ]
    return stale[:limit] if limit is not None else stale


def refresh(intervention_ids: Iterable[int], *, live_only: bool = False) -> int:
    """Build the stale pages of these summaries' public versions (with ``live_only``,
    of their live versions only), in batches; the number built."""
    ids = set(intervention_ids)
    versions = SummaryVersion.objects.filter(
        intervention_id__in=ids,
        state__in=(State.PUBLISHED,) if live_only else PUBLIC_VERSION_STATES,
    )
    stale = stale_versions(within=versions)
    for start in range(0, len(stale), BATCH):
        materialise(stale[start : start + BATCH])
    return len(stale)


# Versions built per transaction by a rebuild.
BATCH = 50
# A change naming at most this many summaries (a publication, a withdrawal, a rename)
# rebuilds their live pages as it commits, before the editor's next page: the page they
# just published is ready for its first reader. Everything else it made stale (the
# pages showing them as related, their superseded versions, every page a term or a
# scale edit touches) is rebuilt after, in the background, or by its first reader.
REBUILD_AT_ONCE = 3


def refresh_on_commit(named: Iterable[int] | None, raised: set[int] | None) -> None:
    """Once the current transaction commits, rebuild the pages its change made stale: the
    live pages of ``named`` (the summaries the change was about) at once if they are few,
    and the rest of ``raised`` (those and the summaries showing them; ``None``: every
    page) in the background.

    After the commit, so the rebuild sees the change, and never holds up or undoes it: a
    rebuild that fails is logged, and the first reader builds the page instead.
    """
    now = set(named or ()) if named is not None and len(set(named)) <= REBUILD_AT_ONCE else set()

    def rebuild():
        try:
            if now:
                refresh(now, live_only=True)
        except Exception:
            logger.exception("Rebuilding published pages failed; readers will build them")

    if now:
        transaction.on_commit(rebuild)
    if raised is None or raised:
        # Queued in this transaction: committed with the change, or not at all.
        enqueue(rebuild_pages, None if raised is None else sorted(raised))


@background_task()
def rebuild_pages(intervention_ids: list[int] | None) -> int:
    """Build the stale stored pages of these summaries' public versions (``None``: of
    every summary); the number built. Safe to run twice, or after a reader built some of
    them: a page that is up to date is left alone."""
    if intervention_ids is None:
        stale = stale_versions()
        for start in range(0, len(stale), BATCH):
            materialise(stale[start : start + BATCH])
        return len(stale)
    return refresh(intervention_ids)


# --- Reading -------------------------------------------------------------------------


# The stored parts a reader may ask for, one at a time (``PublishedPage``'s columns).
Part = Literal["document", "version_document", "data", "reference"]


@dataclass
class Page:
    """One public version as a reader asks for it: one ``part`` of its ``PublishedPage``
    (``stored``) and what its version row says (what may change without the content: its
    state)."""

    version_id: int
    intervention_id: int
    number: int
    state: str
    slug: str
    stored: Any  # the part asked for: a document or data as text, a reference as a dict

    @property
    def is_live(self) -> bool:
        return self.state == State.PUBLISHED


def _page(condition: Q, stamp: str, part: Part) -> Page | None:
    """The public version matching ``condition`` with its stored ``part``, built now if
    its row is missing or stale (``stamp``: the summary's current generation stamp, which
    the page cache has read); None if no public version matches. One query when the row
    is current, and only the part asked for is read."""
    row = (
        SummaryVersion.objects.filter(condition, state__in=PUBLIC_VERSION_STATES)
        .values_list(
            "pk",
            "intervention_id",
            "number",
            "state",
            "intervention__slug",
            "published_page__render_key",
            "published_page__generation",
            f"published_page__{part}",
        )
        .first()
    )
    if row is None:
        return None
    pk, intervention_id, number, state, slug, row_key, row_stamp, stored = row
    if row_key != render_key() or row_stamp != stamp:
        built = materialise([pk])
        if pk not in built:
            return None  # withdrawn since it was read: the caller answers as for any such
        stored = getattr(built[pk], part)
    return Page(pk, intervention_id, number, state, slug, stored)


def live_page(slug: str, stamp: str, part: Part) -> Page | None:
    """The live version of the summary at ``slug``, with its stored ``part``, or None if
    there is none; ``stamp``, the summary's current generation stamp."""
    return _page(Q(state=State.PUBLISHED, intervention__slug=slug), stamp, part)


def version_page(intervention_id: int, number: int, stamp: str, part: Part) -> Page | None:
    """Version ``number`` of the summary with its stored ``part``, if it is public (live
    or superseded)."""
    return _page(Q(intervention_id=intervention_id, number=number), stamp, part)


def preview_page(version: SummaryVersion) -> Article:
    """Any version (loaded with ``for_page()``) as its page would show it, built now and
    kept nowhere: the staff preview."""
    (built,) = build_versions([version], documents=False)
    return built.article


def page_json(page: Page, request: HttpRequest) -> str:
    """The page's data (read as its ``"data"`` part) as JSON text (``data.json``, the
    API's summary) with the request's origin in its addresses."""
    return absolute(page.stored, request)


def page_data(page: Page, request: HttpRequest) -> dict:
    """``page_json``, read back into a dict (to add to it)."""
    result: dict = json.loads(page_json(page, request))
    return result


def cards(rows: Iterable[tuple], site: int) -> list[dict[str, Any]]:
    """Cards from rows of (version id, intervention id, page generation, render key,
    stamp, card), as a list query selects them (``CARD_FIELDS``), in their order; a
    card missing or stale is built now."""
    # Dicts as stored, not Cards: a template reads a dict's keys faster than attributes.
    return [{**card, "snippet": ""} for card in _stored(list(rows), site, "card")]


def _stored(rows: list[tuple], site: int, part: str) -> list[Any]:
    """For rows of (version id, intervention id, page generation, render key, stamp,
    stored value), each stored value, or for a row missing or stale, that ``part`` of
    its page built now."""
    stale = [row[0] for row in rows if not is_current(row[3], row[4], site, row[2])]
    built = materialise(stale) if stale else {}
    return [getattr(built[row[0]], part) if row[0] in built else row[5] for row in rows]


# What a list query selects for ``cards``, annotated with ``page`` first (``card_fields``).
CARD_FIELDS = (
    "pk",
    "intervention_id",
    "page",
    "published_page__render_key",
    "published_page__generation",
    "published_page__card",
)


def card_rows(queryset):
    """``queryset`` (of live versions, ordered) as the rows ``cards`` reads."""
    return with_page(queryset).values_list(*CARD_FIELDS)


def live_data(version_ids: Iterable[int], site: int) -> dict[int, str]:
    """The stored data (JSON text on ``ORIGIN``) of those of ``version_ids`` that are
    live, by version id; a row missing or stale is built now. One query when every row
    is current."""
    live = SummaryVersion.objects.live().filter(pk__in=list(version_ids))
    rows = list(with_page(live).values_list(*CARD_FIELDS[:5], "published_page__data"))
    return {row[0]: data for row, data in zip(rows, _stored(rows, site, "data"), strict=True)}


def list_row(data: dict) -> dict:
    """A summary's row in lists (``/toolkit/data.json``'s rows, the API's list), from its
    stored data (``summary_as_dict``): the same values the download computes from the
    version's rows (``downloads.summary_row``; a test compares the two for every live
    summary)."""
    figures, outcomes, reviews = data["key_figures"], data["outcomes"], data["reviews"]
    studies = [review["studies"] for review in reviews if review["studies"] is not None]
    band = data["economics"]["cost_band"]
    headline = outcomes[0] if outcomes else None
    return {
        "slug": data["slug"],
        "url": data["url"],
        "title": data["title"],
        "standfirst": data["standfirst"],
        "version": data["version"],
        "published_on": timezone.localdate(
            datetime.fromisoformat(data["published_at"])
        ).isoformat(),
        "ratings": {
            field: None if rating is None else {"level": rating["level"], "label": rating["label"]}
            for field, rating in data["ratings"].items()
        },
        "taxonomy": {
            key: [term["name"] for term in terms] for key, terms in data["taxonomy"].items()
        },
        "key_figure": None
        if not figures
        else {
            name: figures[0][name]
            for name in ("outcome", "comparison_rate", "treatment_rate", "relative_change")
        },
        "reviews": len(reviews),
        "studies": sum(studies) if studies else None,
        "cost_band": None if band is None else {"level": band["level"], "label": band["label"]},
        "no_economic_evaluation": data["economics"]["no_economic_evaluation"],
        "headline_outcome": None
        if headline is None
        else {
            "outcome": headline["outcome"]["name"],
            "certainty": None
            if headline["certainty"] is None
            else {"level": headline["certainty"]["level"], "label": headline["certainty"]["label"]},
        },
        "update_status": data["update_status"],
    }


def content_changed(*, interventions: Iterable[int] | None = None) -> None:
    """Record a change the public sees, inside the changing transaction
    (``generation.public_content_changed``: cached pages and stored pages of the summaries
    it names go cold), and rebuild those stored pages once it commits."""
    raised = public_content_changed(interventions=interventions)
    refresh_on_commit(None if interventions is None else set(interventions), raised)


def public_versions_of_all() -> list[int]:
    """Every public version's id (live and superseded), most recently published first."""
    return list(
        SummaryVersion.objects.filter(state__in=PUBLIC_VERSION_STATES)
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)
    )
