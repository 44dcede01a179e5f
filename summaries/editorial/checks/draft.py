"""What the checks read: a version's content, saved or as its form holds it unsaved.

``Draft.of_version`` reads a saved version in a fixed number of queries;
``Draft.of_form_data`` reads the version form's fields as posted (the live checks while an
editor types, and the form after a refused save), trusting none of it: a malformed form
raises ``BadFormData``, which the admin answers with 400.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count
from django.http import QueryDict

from summaries.models import (
    RATING_FIELDS,
    ExternalLink,
    Outcome,
    OutcomeResult,
    SectionKind,
    SummaryVersion,
    SystematicReview,
)

# More rows than any form of a version has; a form claiming more is not one.
MAX_ROWS = 200

# The section whose text explains each rating.
RATING_SECTIONS = {
    "effect": SectionKind.EFFECT,
    "quality": SectionKind.EVIDENCE,
    "mechanism": SectionKind.MECHANISM,
    "moderators": SectionKind.MODERATORS,
    "implementation": SectionKind.IMPLEMENTATION,
    "economic_cost": SectionKind.ECONOMIC,
}


class BadFormData(ValueError):
    """Posted data that is not the version form's."""


@dataclass(frozen=True)
class OutcomeRow:
    row: int
    name: str
    review_count: int


@dataclass(frozen=True)
class LinkRow:
    row: int
    title: str
    url: str


@dataclass(frozen=True)
class ReviewRow:
    row: int
    label: str
    url: str


@dataclass
class Draft:
    title: str = ""
    standfirst: str = ""
    sections: dict[str, str] = field(default_factory=dict)  # kind: rich text
    ratings: set[str] = field(default_factory=set)  # keys of RATING_FIELDS that are set
    outcomes: list[OutcomeRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    external_links: list[LinkRow] = field(default_factory=list)

    @classmethod
    def of_version(cls, version: SummaryVersion) -> "Draft":
        outcomes = (
            OutcomeResult.objects.filter(version=version)
            .annotate(review_count=Count("reviews"))
            .values_list("outcome__name", "review_count")
        )
        return cls(
            title=version.title,
            standfirst=version.standfirst,
            sections=dict(version.sections.values_list("kind", "body")),
            ratings={key for key in RATING_FIELDS if getattr(version, f"{key}_rating_id")},
            outcomes=[OutcomeRow(i, name, count) for i, (name, count) in enumerate(outcomes)],
            reviews=[
                ReviewRow(i, label, url)
                for i, (label, url) in enumerate(
                    SystematicReview.objects.filter(version=version).values_list("label", "url")
                )
            ],
            external_links=[
                LinkRow(i, title, url)
                for i, (title, url) in enumerate(
                    ExternalLink.objects.filter(version=version).values_list("title", "url")
                )
            ],
        )

    @classmethod
    def of_form_data(cls, version: SummaryVersion, data: QueryDict) -> "Draft":
        if "sections-TOTAL_FORMS" not in data:
            raise BadFormData("not the version form: its sections are missing")
        kinds = {str(pk): kind for pk, kind in version.sections.values_list("pk", "kind")}
        sections = {}
        for _, row in _rows(data, "sections"):
            # A saved section's kind is not posted (the field is disabled): its id says it.
            kind = row("kind") or kinds.get(row("id"), "")
            if kind in SectionKind.values:
                sections[kind] = row("body")
        outcome_rows = list(_rows(data, "outcome_results"))
        chosen = {row("outcome") for _, row in outcome_rows if row("outcome").isdigit()}
        names = dict(Outcome.objects.filter(pk__in=chosen).values_list("pk", "name"))
        outcomes = []
        for i, row in outcome_rows:
            if not row("outcome").isdigit():
                continue  # a blank row, not saved
            name = names.get(int(row("outcome")), "an outcome")
            outcomes.append(OutcomeRow(i, name, len(data.getlist(f"outcome_results-{i}-reviews"))))
        return cls(
            title=data.get("title", ""),
            standfirst=data.get("standfirst", ""),
            sections=sections,
            ratings={key for key in RATING_FIELDS if data.get(f"{key}_rating")},
            outcomes=outcomes,
            reviews=[
                ReviewRow(i, row("label"), row("url"))
                for i, row in _rows(data, "reviews")
                if row("label") or row("url")
            ],
            external_links=[
                LinkRow(i, row("title"), row("url"))
                for i, row in _rows(data, "external_links")
                if row("title") or row("url")
            ],
        )

    def urls(self) -> list[str]:
        """Every external address the draft links to, in page order, each once."""
        from .text import read_html

        found = []
        for kind in SectionKind.values:
            found += [link.href for link in read_html(self.sections.get(kind, ""))[1]]
        found += [review.url for review in self.reviews]
        found += [link.url for link in self.external_links]
        return list(dict.fromkeys(url for url in found if url.startswith(("http://", "https://"))))


def _rows(data: QueryDict, prefix: str) -> Iterator[tuple[int, Callable[[str], str]]]:
    """(index, field getter) for each row of formset ``prefix`` not marked for deletion;
    none if the form has no such formset."""
    total = data.get(f"{prefix}-TOTAL_FORMS")
    if total is None:
        return
    if not total.isdigit() or int(total) > MAX_ROWS:
        raise BadFormData(f"{prefix}: not a row count")
    for i in range(int(total)):
        if data.get(f"{prefix}-{i}-DELETE"):
            continue

        def value(name: str, i: int = i) -> str:
            return str(data.get(f"{prefix}-{i}-{name}", ""))

        yield i, value
