"""Compare two versions of a summary: a word-level diff per field and per child row.

Child rows are matched by their natural key (section kind, review label, key-figure
outcome, outcome result's outcome, link address, related summary, taxonomy vocabulary,
rating dimension), so a row that moved or whose neighbours changed is compared with its
own earlier self. Rich text is compared as the words a reader sees; a change of
formatting alone is reported as such.
Unchanged text is never marked: identical values give ``status == "same"`` and no
``<ins>``/``<del>`` at all.
"""

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from summaries.models import (
    RATING_FIELDS,
    TAXONOMY,
    DowngradeReason,
    SectionKind,
    SummaryVersion,
    UnitCost,
)

BLOCK_TAGS = {"p", "li", "h3", "h4", "br", "ul", "ol"}
REVIEW_FIELDS = {
    "citation": "Citation",
    "url": "Link",
    "studies": "Studies",
    "tests": "Tests",
    "published_up_to": "Studies published up to",
    "rcts": "Randomised controlled trials",
    "conflict_of_interest_studies": "Studies with author conflict of interest",
}
KEY_FIGURE_FIELDS = {
    "comparison_rate": "Comparison rate (%)",
    "treatment_rate": "Treatment rate (%)",
    "relative_change": "Relative change (%)",
    "note": "Note",
}
OUTCOME_RESULT_FIELDS = {
    "direction": "Direction",
    "stated": "As stated",
    "comparison_rate": "Comparison rate (%)",
    "treatment_rate": "Treatment rate (%)",
    "relative_change": "Relative change (%)",
    "percentage_points": "Change in percentage points",
    "effect_size_kind": "Effect size",
    "effect_size": "Effect size value",
    "interval_low": "Interval low",
    "interval_high": "Interval high",
    "note": "Note",
}


@dataclass
class FieldDiff:
    label: str
    status: str  # same | changed | added | removed | formatting
    html: SafeString


@dataclass
class Group:
    title: str
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def changed(self) -> list[FieldDiff]:
        return [f for f in self.fields if f.status != "same"]


# --- Words -----------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of rich text as a reader sees them, one line per paragraph or item."""
    parser = _Text()
    parser.feed(html or "")
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _tokens(text: str) -> list[str]:
    # Words (punctuation kept with them) and line breaks; runs of spaces are not tokens,
    # so re-wrapping a paragraph is not a change.
    return re.findall(r"\n|[^\s]+", text)


def _render(tokens: list[str]) -> str:
    out = []
    for token in tokens:
        if token == "\n":
            out.append("<br>")
        else:
            if out and out[-1] != "<br>":
                out.append(" ")
            out.append(escape(token))
    return "".join(out)


def diff_words(old: str, new: str) -> SafeString:
    """``new`` with the words removed since ``old`` in ``<del>`` and those added in ``<ins>``."""
    a, b = _tokens(old), _tokens(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_render(b[j1:j2]))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{_render(a[i1:i2])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{_render(b[j1:j2])}</ins>")
    return mark_safe(" ".join(p for p in parts if p))


def compare_text(
    label: str, old: object, new: object, *, old_raw: object = None, new_raw: object = None
) -> FieldDiff:
    old, new = _str(old), _str(new)
    if old == new:
        status = "same" if old_raw == new_raw else "formatting"
        return FieldDiff(label, status, mark_safe(_render(_tokens(new))))
    if not old:
        return FieldDiff(
            label, "added", format_html("<ins>{}</ins>", mark_safe(_render(_tokens(new))))
        )
    if not new:
        return FieldDiff(
            label, "removed", format_html("<del>{}</del>", mark_safe(_render(_tokens(old))))
        )
    return FieldDiff(label, "changed", diff_words(old, new))


def _str(value: object) -> str:
    return "" if value is None else str(value)


# --- Versions ----------------------------------------------------------------------------

# One comparable item of a version: (natural key, label, text as a reader sees it, raw
# value). A snapshot is plain data, so it can be kept (in the cache) and compared later
# with the version as saved by then: the version form keeps the one it was loaded from.
Entry = tuple[object, str, str, object]
Snapshot = list[tuple[str, list[Entry]]]


def snapshot(version: SummaryVersion) -> Snapshot:
    """Every field and child row of ``version``, grouped as the summary page shows them.

    ``version`` should come from ``SummaryVersion.objects.for_page()`` so this runs a
    fixed number of queries.
    """
    return [
        ("Summary", _summary(version)),
        ("Ratings", _ratings(version)),
        ("Taxonomy", _taxonomy(version)),
        ("Sections", _sections(version)),
        ("Key figures", _rows(version.key_figures.all(), _figure)),
        ("Outcomes", _rows(version.outcome_results.all(), _outcome_result)),
        ("Economic evidence", _economics(version)),
        ("Evidence base", _rows(version.reviews.all(), _review)),
        ("Further reading", _rows(version.external_links.all(), _link)),
        ("Related summaries", _rows(version.related_summaries.all(), _related)),
    ]


def compare_snapshots(old: Snapshot, new: Snapshot) -> list[Group]:
    """Each group's items matched by key (rows that moved are compared with themselves)."""
    old_groups = dict(old)
    groups = []
    for title, new_entries in new:
        old_by_key = {key: entry for key, *entry in old_groups.get(title, [])}
        new_by_key = {key: entry for key, *entry in new_entries}
        keys = list(old_by_key) + [k for k in new_by_key if k not in old_by_key]
        fields = []
        for key in keys:
            old_label, old_text, old_raw = old_by_key.get(key, ["", "", None])
            new_label, new_text, new_raw = new_by_key.get(key, ["", "", None])
            fields.append(
                compare_text(
                    str(new_label or old_label),
                    old_text,
                    new_text,
                    old_raw=old_raw,
                    new_raw=new_raw,
                )
            )
        groups.append(Group(title, fields))
    return groups


def compare_versions(old: SummaryVersion, new: SummaryVersion) -> list[Group]:
    """Every field and child row of two versions, grouped as the summary page shows them.

    Both versions should come from ``SummaryVersion.objects.for_page()`` so the comparison
    runs a fixed number of queries.
    """
    return compare_snapshots(snapshot(old), snapshot(new))


def _field(label: str, value: object) -> Entry:
    return (label, label, _str(value), None)


def _summary(version: SummaryVersion) -> list[Entry]:
    return [
        _field("Title", version.title),
        _field("Standfirst", version.standfirst),
        _field("Evidence last reviewed", version.evidence_reviewed_on),
        _field("Change note", version.change_note),
    ]


def _ratings(version: SummaryVersion) -> list[Entry]:
    entries = [
        _field(
            dimension.label,
            getattr(version, f"{name}_rating") and getattr(version, f"{name}_rating").label,
        )
        for name, dimension in RATING_FIELDS.items()
    ]
    entries.append(_field("Ratings basis", version.get_ratings_basis_display()))
    return entries


def _taxonomy(version: SummaryVersion) -> list[Entry]:
    # Terms are a set: listed in the vocabulary's order, so only real additions and
    # removals show as changes.
    return [
        _field(
            vocabulary.plural,
            ", ".join(str(t) for t in getattr(version, vocabulary.field).all()),
        )
        for vocabulary in TAXONOMY
    ]


def _sections(version: SummaryVersion) -> list[Entry]:
    bodies = {s.kind: s.body for s in version.sections.all()}
    return [
        (
            kind.label,
            kind.label,
            html_to_text(bodies.get(kind.value, "")),
            bodies.get(kind.value, ""),
        )
        for kind in SectionKind
    ]


def _rows(rows: Iterable[Any], describe: Callable[[Any], Any]) -> list[Entry]:
    """Rows by natural key; each described as (key, label, [(field, text)])."""
    entries: list[Entry] = []
    for key, label, parts in map(describe, rows):
        text = "\n".join(f"{name}: {value}" for name, value in parts if value not in (None, ""))
        entries.append((key, label, text, None))
    return entries


def _figure(figure):
    parts = [(label, getattr(figure, name)) for name, label in KEY_FIGURE_FIELDS.items()]
    return figure.outcome, figure.outcome, [("Outcome", figure.outcome), *parts]


def _outcome_result(result):
    parts = [
        ("Effect rating", result.effect_rating and result.effect_rating.label),
        ("Quality rating", result.quality_rating and result.quality_rating.label),
        ("Certainty", result.certainty and result.certainty.label),
    ]
    for name, label in OUTCOME_RESULT_FIELDS.items():
        display = getattr(result, f"get_{name}_display", None)
        parts.append((label, display() if display else getattr(result, name)))
    # Reviews by label: a new draft's copies of the same reviews are not a change.
    parts.append(("Reviews", ", ".join(sorted(r.label for r in result.reviews.all()))))
    # Each reason on its own line, in its order: a reworded, added or removed reason
    # shows as such.
    parts += [
        (f"Rated down for {reason.domain.name.lower()}", _reason(reason))
        for reason in result.downgrade_reasons.all()
    ]
    outcome = result.outcome
    return outcome.pk, outcome.name, parts


def _reason(reason: DowngradeReason) -> str:
    return f"{reason.get_severity_display().lower()}: {reason.explanation}"


def _economics(version: SummaryVersion) -> list[Entry]:
    entries = [
        _field("No economic evaluation found", "yes" if version.no_economic_evaluation else ""),
        _field("Cost band", version.cost_band and version.cost_band.label),
    ]
    # Unit costs by position (they have no natural key), benefit-cost figures by
    # perspective.
    for number, cost in enumerate(version.unit_costs.all(), start=1):
        label = f"Unit cost {number}"
        entries.append(_field(label, _unit_cost(cost)))
    entries += _rows(version.benefit_costs.all(), _benefit_cost)
    return entries


def _unit_cost(cost: UnitCost) -> str:
    parts = [f"{cost.currency} {cost.amount} per participant ({cost.price_year} prices)"]
    parts += [cost.description, cost.review and f"from {cost.review.label}"]
    return "; ".join(part for part in parts if part)


def _benefit_cost(figure):
    parts = [
        ("Benefits", figure.benefits),
        ("Costs", figure.costs),
        ("Currency and price year", f"{figure.currency} {figure.price_year or ''}".strip()),
        ("Benefit-cost ratio", figure.ratio),
        ("Chance benefits exceed costs (%)", figure.chance_benefits_exceed_costs),
        ("Source", figure.review and figure.review.label),
        ("Note", figure.note),
    ]
    label = figure.get_perspective_display()
    return figure.perspective, f"Benefits and costs: {label}", parts


def _review(review):
    parts = [(label, getattr(review, name)) for name, label in REVIEW_FIELDS.items()]
    parts += [
        (f"{b.get_kind_display()}: {b.label}", f"{b.count} {b.unit}")
        for b in review.breakdowns.all()
    ]
    return review.label, review.label, [("Label", review.label), *parts]


def _link(link):
    return (
        link.url,
        link.title,
        [("Title", link.title), ("Address", link.url), ("Description", link.description)],
    )


def _related(related):
    slug = related.target.slug
    return related.target_id, slug, [("Summary", f"/toolkit/{slug}/")]
