"""The version form in parts, and the list of its errors.

The form is long (nine sections, six ratings, reviews, figures, links), so it is laid out
in parts: the summary and its taxonomy, one part per EMMIE area (its section text and its
rating), the evidence base, and the links. Without JavaScript every part is on the page,
one after the other, under a list of links to them; ``static/js/version_form.js`` then
shows one part at a time.

``error_summary`` lists every error of the form and of its inline formsets with the id
of the field it belongs to, for the summary at the top of the page (the GOV.UK pattern:
a heading and a link to each field in error).
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.text import capfirst

from summaries.models import SectionKind


@dataclass(frozen=True)
class PartSpec:
    key: str
    title: str
    sections: tuple[str, ...] = ()
    inlines: tuple[str, ...] = ()  # formset prefixes


PARTS: tuple[PartSpec, ...] = (
    # Short titles: all eight tabs fit on one row beside the admin's sidebar at 1280 px.
    PartSpec(
        "summary",
        "Summary",
        sections=(SectionKind.FOCUS, SectionKind.GENERAL, SectionKind.SUMMARY),
    ),
    PartSpec("effect", "Effect", sections=(SectionKind.EFFECT,)),
    PartSpec("mechanism", "Mechanism", sections=(SectionKind.MECHANISM,)),
    PartSpec("moderators", "Moderators", sections=(SectionKind.MODERATORS,)),
    PartSpec("implementation", "Implementation", sections=(SectionKind.IMPLEMENTATION,)),
    PartSpec(
        "economic",
        "Economic cost",
        sections=(SectionKind.ECONOMIC,),
        inlines=("unit_costs", "benefit_costs"),
    ),
    PartSpec(
        "evidence",
        "Evidence base",
        sections=(SectionKind.EVIDENCE,),
        # Outcome results cite the reviews: they sit with them, not with the taxonomy.
        inlines=("reviews", "key_figures", "outcome_results"),
    ),
    PartSpec("links", "Links", inlines=("related_summaries", "external_links")),
)
DEFAULT_PART = PARTS[0].key
SECTIONS_PREFIX = "sections"


@dataclass
class Part:
    key: str
    title: str
    fieldsets: list = field(default_factory=list)
    closing_fieldsets: list = field(default_factory=list)  # class "after-sections"
    section_forms: list = field(default_factory=list)  # (index, InlineAdminForm, heading)
    formsets: list = field(default_factory=list)  # InlineAdminFormSet
    error_count: int = 0
    next: "Part | None" = None

    @property
    def anchor(self) -> str:
        return f"part-{self.key}"


def part_of_classes(classes) -> str:
    """The part a fieldset with these classes joins (its "part-<key>" class)."""
    return next((c.removeprefix("part-") for c in classes if c.startswith("part-")), DEFAULT_PART)


def _part_of_fieldset(fieldset) -> str:
    return part_of_classes(fieldset.classes.split())


def part_of_row(prefix: str, row) -> str:
    """The part a row of the inline formset ``prefix`` is in (a section: by its kind)."""
    if prefix == SECTIONS_PREFIX:
        kind = section_kind(row)
        return next((spec.key for spec in PARTS if kind in spec.sections), DEFAULT_PART)
    return next((spec.key for spec in PARTS if prefix in spec.inlines), DEFAULT_PART)


def _fieldset_errors(fieldset) -> int:
    form = fieldset.form
    return sum(len(form.errors.get(name, ())) for line in fieldset.fields for name in _names(line))


def _names(line):
    return line if isinstance(line, list | tuple) else [line]


def build_parts(adminform, inline_admin_formsets) -> tuple[list[Part], object]:
    """The parts of the form, each with its fieldsets, section forms and formsets; and
    the sections' formset (its management form is rendered once, outside the parts)."""
    parts = {spec.key: Part(spec.key, spec.title) for spec in PARTS}
    part_of_section = {kind: spec.key for spec in PARTS for kind in spec.sections}
    part_of_inline = {prefix: spec.key for spec in PARTS for prefix in spec.inlines}

    for fieldset in adminform:
        part = parts[_part_of_fieldset(fieldset)]
        closing = "after-sections" in fieldset.classes.split()
        (part.closing_fieldsets if closing else part.fieldsets).append(fieldset)
        part.error_count += _fieldset_errors(fieldset)

    sections = None
    for formset in inline_admin_formsets:
        prefix = formset.formset.prefix
        if prefix == SECTIONS_PREFIX:
            sections = formset
            admin_forms = list(formset)  # the empty form last, when rows may be added
            for index, inline_form in enumerate(formset.formset.forms):
                kind = section_kind(inline_form)
                part = parts[part_of_section.get(kind, DEFAULT_PART)]
                heading = SectionKind(kind).label if kind in SectionKind.values else ""
                part.section_forms.append((index, admin_forms[index], heading))
                part.error_count += _form_error_count(inline_form)
            part = parts[DEFAULT_PART]
            part.error_count += len(formset.formset.non_form_errors())
        else:
            part = parts[part_of_inline.get(prefix, DEFAULT_PART)]
            part.formsets.append(formset)
            part.error_count += len(formset.formset.non_form_errors()) + sum(
                _form_error_count(form) for form in formset.formset.forms
            )
    # Sections in the order of the part's list (the order the public page shows them).
    order = {kind: i for i, kind in enumerate(SectionKind.values)}
    for part in parts.values():
        part.section_forms.sort(key=lambda pair: order.get(section_kind(pair[1].form), 99))
    ordered = list(parts.values())
    for part, following in zip(ordered, ordered[1:], strict=False):
        part.next = following
    return ordered, sections


def section_kind(form) -> str:
    if form.instance.pk:
        return form.instance.kind
    return form["kind"].value() or ""


def _form_error_count(form) -> int:
    if not form.is_bound:
        return 0
    return sum(len(errors) for errors in form.errors.values())


@dataclass(frozen=True)
class ErrorItem:
    message: str
    target: str  # the id of the field (or row) in error, without "#"; "" for none


def error_summary(adminform, inline_admin_formsets) -> list[ErrorItem]:
    """Every error on the page, in page order of the parts, each with its field's id."""
    form = adminform.form
    items = [ErrorItem(str(error), "") for error in form.non_field_errors()]
    items += _form_items(form, prefix_label="")
    for inline in inline_admin_formsets:
        formset = inline.formset
        plural = capfirst(inline.opts.verbose_name_plural)
        items += [
            ErrorItem(f"{plural}: {error}", f"{formset.prefix}-group")
            for error in formset.non_form_errors()
        ]
        for index, row in enumerate(formset.forms):
            if not row.is_bound or not row.errors:
                continue
            label = row_label(row, index)
            items += [
                ErrorItem(f"{label}: {error}", f"{formset.prefix}-{index}")
                for error in row.non_field_errors()
            ]
            items += _form_items(row, prefix_label=f"{label}, ")
    return items


def row_label(row, index: int) -> str:
    """A row of an inline formset as the page names it: "External link 2 (Lighting
    and crime)", "Section 3 (Effect – how effective is it?)"."""
    label = f"{capfirst(row.instance._meta.verbose_name)} {index + 1}"
    if described := row_name(row):
        label = f"{label} ({described})"
    return label


def row_name(row) -> str:
    if row.prefix.startswith(f"{SECTIONS_PREFIX}-"):
        kind = section_kind(row)
        return str(SectionKind(kind).label) if kind in SectionKind.values else ""
    value = row.instance.pk and str(row.instance)
    return value or ""


def _form_items(form, *, prefix_label: str) -> list[ErrorItem]:
    items = []
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            continue
        bound = form[name]
        label = capfirst(str(bound.label))
        for error in errors:
            items.append(ErrorItem(f"{prefix_label}{label}: {error}", field_id(bound)))
    return items


def field_id(bound) -> str:
    widget = bound.field.widget
    # The admin wraps related-object widgets (the "+" link); the input is the inner one.
    widget = getattr(widget, "widget", widget)
    widget_id = widget.id_for_label(bound.auto_id)
    if not widget_id and bound.auto_id and isinstance(widget, forms.widgets.ChoiceWidget):
        # Checkbox and radio lists label their first choice.
        widget_id = widget.id_for_label(bound.auto_id, "0")
    return widget_id or bound.auto_id or ""
