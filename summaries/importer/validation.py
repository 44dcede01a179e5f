"""Every value of a ``ParsedSummary`` checked against the model fields it will be saved in.

``save_as_draft`` calls ``validate_parsed`` before it writes anything, so a value the
database would refuse (or, on SQLite, silently keep) is reported as one line naming the
value instead of a traceback half way through the import. The rules are the models' own:
each value goes through its field's ``clean()`` on an unsaved instance (``max_length``,
choices, validators such as the 1900-2100 cut-off year), and integers must also fit the
column type every supported database gives the field (SQLite would store 2**40 studies in
a ``PositiveIntegerField``; PostgreSQL refuses it).
"""

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from summaries.models import (
    BreakdownKind,
    CountUnit,
    Intervention,
    ReviewBreakdown,
    Section,
    SummaryVersion,
    SystematicReview,
)

from .result import ImportFailed, ParsedSummary

# The portable ranges of integer columns (PostgreSQL's, MySQL's...); SQLite's are wider.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
SHOWN_CHARACTERS = 60


def validate_parsed(parsed: ParsedSummary, *, slug: str) -> None:
    """Raise ``ImportFailed`` naming the first value a model field would refuse."""
    _check(Intervention, {"slug": slug}, "")
    _check(SummaryVersion, {"title": parsed.title, "standfirst": parsed.standfirst}, "")
    for kind, body in parsed.sections.items():
        _check(Section, {"kind": kind, "body": body}, f"Section '{kind}'")
    for position, review in enumerate(parsed.reviews, start=1):
        values = {
            "position": position,
            "label": review.label,
            "studies": review.studies,
            "tests": review.tests,
            "published_up_to": review.published_up_to,
            "rcts": review.rcts,
            "conflict_of_interest_studies": review.conflict_of_interest_studies,
        }
        _check(SystematicReview, values, str(review.label)[:SHOWN_CHARACTERS])
        for kind, unit, counts in (
            (BreakdownKind.APPROACH, CountUnit.STUDIES, review.approaches),
            (BreakdownKind.COUNTRY, CountUnit.TESTS, review.countries),
        ):
            context = f"{review.label}, {kind.label.lower()}"[:SHOWN_CHARACTERS]
            for index, (label, count) in enumerate(counts, start=1):
                values = {
                    "kind": kind,
                    "unit": unit,
                    "label": label,
                    "count": count,
                    "position": index,
                }
                _check(ReviewBreakdown, values, context)


def _check(model: type[models.Model], values: dict, context: str) -> None:
    """Clean ``values`` as the fields of an unsaved ``model`` instance would be cleaned."""
    instance = model(**values)
    others = [field.name for field in model._meta.fields if field.name not in values]
    try:
        instance.clean_fields(exclude=others)
        for name in values:
            field = model._meta.get_field(name)
            _check_integer_range(field, getattr(instance, field.attname))
            _check_no_nul(field, values[name])
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ImportFailed(_message(model, name, values[name], messages[0], context)) from exc


def _check_integer_range(field: models.Field, value) -> None:
    if value is None or not isinstance(field, models.IntegerField):
        return
    low, high = INTEGER_RANGES.get(field.get_internal_type(), (None, None))
    try:
        if low is not None:
            MinValueValidator(low)(value)
        if high is not None:
            MaxValueValidator(high)(value)
    except ValidationError as exc:
        raise ValidationError({field.name: exc.messages}) from exc


def _check_no_nul(field: models.Field, value) -> None:
    """PostgreSQL cannot store a NUL character in text (SQLite keeps it, unseen): refused
    here as Django's forms refuse it, not as a database error half way through."""
    if isinstance(value, str):
        try:
            ProhibitNullCharactersValidator()(value)
        except ValidationError as exc:
            raise ValidationError({field.name: exc.messages}) from exc


def _shown(value) -> str:
    try:
        text = str(value).replace("\x00", "\\x00")  # a NUL shown, not written
    except ValueError:  # an integer too long to write out
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    if len(text) <= SHOWN_CHARACTERS:
        return f"'{text}'"
    return f"'{text[:SHOWN_CHARACTERS]}…' ({len(text)} characters)"


def _message(model, name: str, value, problem: str, context: str) -> str:
    field = model._meta.get_field(name)
    problem = " ".join(str(problem).split())  # one line, whatever the value held
    if model is Intervention and name == "slug":
        return f"{_shown(value)} is not a valid address (slug): {problem}"
    where = f"{context}: " if context else ""
    return f"{where}{field.verbose_name} {_shown(value)} is refused: {problem}"
