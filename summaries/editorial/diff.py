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
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from summaries.models import RATING_FIELDS, TAXONOMY, SectionKind, SummaryVersion

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


def compare_versions(old: SummaryVersion, new: SummaryVersion) -> list[Group]:
    """Every field and child row of two versions, grouped as the summary page shows them.

    Both versions should come from ``SummaryVersion.objects.for_page()`` so the comparison
    runs a fixed number of queries.
    """
    return [
        Group("Summary", _summary(old, new)),
        Group("Ratings", _ratings(old, new)),
        Group("Taxonomy", _taxonomy(old, new)),
        Group("Sections", _sections(old, new)),
        Group("Key figures", _keyed(old.key_figures.all(), new.key_figures.all(), _figure)),
        Group(
            "Outcomes",
            _keyed(old.outcome_results.all(), new.outcome_results.all(), _outcome_result),
        ),
        Group("Evidence base", _keyed(old.reviews.all(), new.reviews.all(), _review)),
        Group("Further reading", _keyed(old.external_links.all(), new.external_links.all(), _link)),
        Group("Related summaries", _related(old, new)),
    ]


def _summary(old, new):
    return [
        compare_text("Title", old.title, new.title),
        compare_text("Standfirst", old.standfirst, new.standfirst),
        compare_text("Evidence last reviewed", old.evidence_reviewed_on, new.evidence_reviewed_on),
        compare_text("Change note", old.change_note, new.change_note),
    ]


def _ratings(old, new):
    fields = [
        compare_text(
            dimension.label,
            getattr(old, f"{name}_rating") and getattr(old, f"{name}_rating").label,
            getattr(new, f"{name}_rating") and getattr(new, f"{name}_rating").label,
        )
        for name, dimension in RATING_FIELDS.items()
    ]
    fields.append(
        compare_text(
            "Ratings basis", old.get_ratings_basis_display(), new.get_ratings_basis_display()
        )
    )
    return fields


def _taxonomy(old, new):
    # Terms are a set: listed in the vocabulary's order, so only real additions and
    # removals show as changes.
    return [
        compare_text(
            vocabulary.plural,
            ", ".join(str(t) for t in getattr(old, vocabulary.field).all()),
            ", ".join(str(t) for t in getattr(new, vocabulary.field).all()),
        )
        for vocabulary in TAXONOMY
    ]


def _sections(old, new):
    old_bodies = {s.kind: s.body for s in old.sections.all()}
    new_bodies = {s.kind: s.body for s in new.sections.all()}
    return [
        compare_text(
            kind.label,
            html_to_text(old_bodies.get(kind.value, "")),
            html_to_text(new_bodies.get(kind.value, "")),
            old_raw=old_bodies.get(kind.value, ""),
            new_raw=new_bodies.get(kind.value, ""),
        )
        for kind in SectionKind
    ]


def _keyed(old_rows, new_rows, describe):
    """Rows matched by natural key; each described as (key, label, [(field, text)])."""
    old_by_key = {key: (label, parts) for key, label, parts in map(describe, old_rows)}
    new_by_key = {key: (label, parts) for key, label, parts in map(describe, new_rows)}
    keys = list(old_by_key) + [k for k in new_by_key if k not in old_by_key]
    result = []
    for key in keys:
        label, _ = new_by_key.get(key) or old_by_key[key]
        old_text = _row_text(old_by_key.get(key))
        new_text = _row_text(new_by_key.get(key))
        result.append(compare_text(label, old_text, new_text))
    return result


def _row_text(described: tuple[str, list[tuple[str, object]]] | None) -> str:
    if described is None:
        return ""
    _, parts = described
    return "\n".join(f"{name}: {value}" for name, value in parts if value not in (None, ""))


def _figure(figure):
    parts = [(label, getattr(figure, name)) for name, label in KEY_FIGURE_FIELDS.items()]
    return figure.outcome, figure.outcome, [("Outcome", figure.outcome), *parts]


def _outcome_result(result):
    parts = [
        ("Effect rating", result.effect_rating and result.effect_rating.label),
        ("Quality rating", result.quality_rating and result.quality_rating.label),
    ]
    for name, label in OUTCOME_RESULT_FIELDS.items():
        display = getattr(result, f"get_{name}_display", None)
        parts.append((label, display() if display else getattr(result, name)))
    # Reviews by label: a new draft's copies of the same reviews are not a change.
    parts.append(("Reviews", ", ".join(sorted(r.label for r in result.reviews.all()))))
    outcome = result.outcome
    return outcome.pk, outcome.name, parts


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


def _related(old, new):
    def describe(related):
        slug = related.target.slug
        return related.target_id, slug, [("Summary", f"/toolkit/{slug}/")]

    return _keyed(old.related_summaries.all(), new.related_summaries.all(), describe)
