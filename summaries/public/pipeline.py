"""``/toolkit/pipeline/``: what is being assessed, and what was considered and not rated.

The entries (``PipelineEntry.objects.public()``: not those whose summary is live) by
stage, filtered by stage (``stage``, repeatable) and words in the title or description
(``q``), as a page, as CSV (``pipeline.csv``, the same filters) and in the API
(``/api/v1/pipeline/``, ``entry_as_dict``). Two queries whatever the number of entries:
the entries, and how many each stage holds. Cached like every page listing content
(``@public_page``): the admin's saves of entries raise the public content generation.
"""

import csv
import io

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from summaries.models import STAGE_MEANINGS, PipelineEntry, Stage

from .cache import public_page
from .downloads import FORMULA_STARTS

CSV_FILENAME = "toolkit-pipeline.csv"
CSV_HEADER = [
    "id",
    "title",
    "description",
    "stage",
    "stage_label",
    "stage_changed_on",
    "not_rated_reason",
    "demo",
]
QUERY_MAX_LENGTH = 200


class PipelineFilterForm(forms.Form):
    """The page's filters: any of the chosen stages, and words to look for."""

    stage = forms.MultipleChoiceField(
        label="Stage",
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "There is no stage called “%(value)s”."},
    )
    q = forms.CharField(
        label="Words in the title or description",
        required=False,
        max_length=QUERY_MAX_LENGTH,
    )

    def entries(self) -> QuerySet[PipelineEntry]:
        """The public entries the valid filters choose (every entry when none are valid)."""
        found: QuerySet[PipelineEntry] = PipelineEntry.objects.public()
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("stage"):
            found = found.filter(stage__in=data["stage"])
        for word in (data.get("q") or "").split()[:10]:
            found = found.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return found


def stage_counts() -> dict[str, int]:
    """How many public entries each stage holds (every stage, zeros included). One query."""
    counted = dict(
        PipelineEntry.objects.public()
        .order_by()
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    return {stage: counted.get(stage, 0) for stage in Stage.values}


def entry_as_dict(entry: PipelineEntry) -> dict:
    """One entry as open data (the CSV's row, the API's item)."""
    return {
        "id": entry.pk,
        "title": entry.title,
        "description": entry.description,
        "stage": entry.stage,
        "stage_label": entry.get_stage_display(),
        "stage_changed_on": entry.stage_changed_on.isoformat(),
        "not_rated_reason": entry.not_rated_reason,
        "demo": entry.is_demo,
    }


@require_safe
@public_page
def pipeline(request):
    """The entries by stage, in the order entries move through the stages."""
    form = PipelineFilterForm(request.GET)
    entries = list(form.entries().order_by("-stage_changed_on", "title", "pk"))
    counts = stage_counts()
    stages = [
        {
            "value": value,
            "label": label,
            "meaning": STAGE_MEANINGS[Stage(value)],
            "total": counts[value],
            "entries": [entry for entry in entries if entry.stage == value],
        }
        for value, label in Stage.choices
    ]
    query = request.GET.urlencode() if form.is_valid() else ""
    return render(
        request,
        "summaries/pipeline.html",
        {
            "form": form,
            "stages": stages,
            "shown": len(entries),
            "total": sum(counts.values()),
            "filtered": form.is_valid() and any(form.cleaned_data.values()),
            "csv_url": reverse("summaries:pipeline_csv") + (f"?{query}" if query else ""),
        },
        # A filter that is not one is named on the page, as a 400: never a 500, and never
        # silently treated as something else.
        status=200 if form.is_valid() else 400,
    )


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


@require_safe
@public_page
def pipeline_csv(request):
    """The filtered entries as CSV, one row each, with a header row; invalid filters 400."""
    form = PipelineFilterForm(request.GET)
    if not form.is_valid():
        errors = " ".join(str(message) for messages in form.errors.values() for message in messages)
        return HttpResponse(
            f"Bad filter: {errors}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    order = {value: position for position, value in enumerate(Stage.values)}
    entries = form.entries().order_by("-stage_changed_on", "title", "pk")
    for entry in sorted(entries, key=lambda entry: order[entry.stage]):
        row = entry_as_dict(entry)
        writer.writerow(_cell(row[key]) for key in CSV_HEADER)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
