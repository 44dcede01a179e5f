"""``/toolkit/numbers/``: the toolkit by the numbers, every figure counted from the data.

How many live summaries and how many are up to date; the pipeline by stage; suggestions
received and accepted; challenges each year (received, upheld, decided within their
target); the median age of the last search for evidence. A fixed number of queries
(aggregates), whatever the amount of content. Not kept in the page cache: suggestions and
challenges arrive without raising the public content generation (the public cannot see
them), so the page is counted on each request and may be kept by others for five
minutes (``Cache-Control``).
"""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from summaries.models import (
    STAGE_MEANINGS,
    Challenge,
    ChallengeStatus,
    PipelineEntry,
    Stage,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    SummaryVersion,
    UpdateStatus,
)
from summaries.models.challenges import DECIDED

MAX_AGE = 300


@dataclass
class ChallengeYear:
    year: int
    received: int
    decided: int
    upheld: int  # upheld or partly upheld
    within_target: int


def search_age_months(year: int, month: int | None, today: date) -> int:
    """Whole months from a search (its month, or the middle of its year when only the
    year is known) to ``today``."""
    return (today.year - year) * 12 + today.month - (month or 7)


def summary_figures(today: date) -> dict:
    live = SummaryVersion.objects.live()
    counted: dict = live.aggregate(
        total=Count("pk"),
        up_to_date=Count("pk", filter=Q(update_status__slug=UpdateStatus.UP_TO_DATE)),
        with_status=Count("pk", filter=Q(update_status__isnull=False)),
    )
    searches = list(
        live.filter(last_search_year__isnull=False).values_list(
            "last_search_year", "last_search_month"
        )
    )
    ages = [search_age_months(year, month, today) for year, month in searches]
    counted["with_search"] = len(ages)
    counted["median_search_age_months"] = round(median(ages)) if ages else None
    return counted


def pipeline_figures() -> list[dict]:
    counted = dict(
        PipelineEntry.objects.public()
        .order_by()
        .values("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    return [
        {
            "value": value,
            "label": label,
            "meaning": STAGE_MEANINGS[Stage(value)],
            "count": counted.get(value, 0),
        }
        for value, label in Stage.choices
    ]


def suggestion_figures() -> dict:
    return Suggestion.objects.aggregate(
        received=Count("pk", filter=Q(kind=SuggestionKind.SUGGESTION)),
        accepted=Count(
            "pk", filter=Q(kind=SuggestionKind.SUGGESTION, status=SuggestionStatus.ACCEPTED)
        ),
        merged=Count(
            "pk", filter=Q(kind=SuggestionKind.SUGGESTION, status=SuggestionStatus.MERGED)
        ),
        problems=Count("pk", filter=Q(kind=SuggestionKind.PROBLEM)),
    )


def challenge_years() -> list[ChallengeYear]:
    rows = (
        Challenge.objects.annotate(year=ExtractYear("received_at"))
        .order_by()
        .values("year")
        .annotate(
            received=Count("pk"),
            decided=Count("pk", filter=Q(status__in=DECIDED)),
            upheld=Count(
                "pk",
                filter=Q(status__in=[ChallengeStatus.UPHELD, ChallengeStatus.PARTLY_UPHELD]),
            ),
            within_target=Count(
                "pk", filter=Q(status__in=DECIDED, decided_at__date__lte=F("target_on"))
            ),
        )
        .order_by("-year")
    )
    return [ChallengeYear(**row) for row in rows]


@require_safe
def numbers(request):
    today = timezone.localdate()
    stages = pipeline_figures()
    response = render(
        request,
        "summaries/numbers.html",
        {
            "today": today,
            "summaries": summary_figures(today),
            "stages": stages,
            "pipeline_total": sum(stage["count"] for stage in stages),
            "not_rated": next(s["count"] for s in stages if s["value"] == Stage.NOT_RATED),
            "suggestions": suggestion_figures(),
            "challenge_years": challenge_years(),
        },
    )
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
