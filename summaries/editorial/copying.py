"""Copy a version's content (its child rows, their own child rows, and every many-to-many
tag) onto another version, reading every field from ``_meta``.

Nothing here names a field: a field or a child model added later is copied without a
change here, so a new draft never silently drops it. A row's own rows follow it (a
review's breakdowns), and a reference from one copied row to another (say, a future
result that cites one of the version's reviews) points at the copy, not the original.

What counts as content: rows of a model with a foreign key to the version (or to a row
that is content) declared ``on_delete=CASCADE``, i.e. rows that live and die with it.
The audit log (``PROTECT``) and search entries (``DO_NOTHING``) are not content.
"""

from collections import defaultdict

from django.db import models

from summaries.models import SummaryVersion

# model -> {original primary key: copy's primary key}
Copies = dict[type[models.Model], dict[int, int]]


def copy_content(*, source: SummaryVersion, target: SummaryVersion) -> None:
    """Copy every child row of ``source`` (recursively) and its many-to-many tags onto
    ``target``, which must have no child rows yet."""
    copies: Copies = defaultdict(dict)
    copies[SummaryVersion][source.pk] = target.pk
    for field in SummaryVersion._meta.many_to_many:
        getattr(target, field.name).set(getattr(source, field.name).all())
    _copy_rows_under(SummaryVersion, [source.pk], copies)


def _model(model: object) -> type[models.Model]:
    """A relation's model, as a class (relations here never name a model by string)."""
    assert isinstance(model, type) and issubclass(model, models.Model), model
    return model


def owned_relations(model: type[models.Model]) -> list[models.ManyToOneRel]:
    """The relations whose rows belong to a ``model`` row (cascade with it), ordered so
    that a model comes after the sibling models its rows refer to."""
    relations = [
        relation
        for relation in model._meta.related_objects
        if isinstance(relation, models.ManyToOneRel)
        and not relation.one_to_one
        and relation.on_delete is models.CASCADE
    ]
    siblings = {relation.related_model for relation in relations}

    def references(relation: models.ManyToOneRel) -> int:
        fields = _model(relation.related_model)._meta.get_fields()
        return sum(
            1
            for field in fields
            if (field.many_to_one or field.many_to_many)
            and not field.auto_created
            and field.related_model in siblings
        )

    return sorted(relations, key=references)


def _copy_rows_under(parent: type[models.Model], parent_ids: list[int], copies: Copies) -> None:
    for relation in owned_relations(parent):
        model = _model(relation.related_model)
        originals = list(
            model._default_manager.filter(**{f"{relation.field.name}__in": parent_ids}).order_by(
                "pk"
            )
        )
        if not originals:
            continue
        # bulk_create, not save(): the rows are copies of saved (so already derived and
        # sanitised) rows, and both databases return the new primary keys.
        made = model._default_manager.bulk_create([_duplicate(row, copies) for row in originals])
        for original, copy in zip(originals, made, strict=True):
            copies[model][original.pk] = copy.pk
        _copy_many_to_many(model, originals, copies)
        _copy_rows_under(model, [row.pk for row in originals], copies)


def _duplicate(row: models.Model, copies: Copies) -> models.Model:
    """An unsaved copy of ``row``: every concrete field, references to copied rows moved
    to their copies."""
    values = {}
    for field in row._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(row, field.attname)
        if field.is_relation:
            moved = copies.get(_model(field.related_model), {})
            value = moved.get(value, value)
        values[field.attname] = value
    return type(row)(**values)


def _copy_many_to_many(
    model: type[models.Model], originals: list[models.Model], copies: Copies
) -> None:
    for field in model._meta.many_to_many:
        assert isinstance(field, models.ManyToManyField)
        through = _model(field.remote_field.through)
        source_column = f"{field.m2m_field_name()}_id"
        target_column = f"{field.m2m_reverse_field_name()}_id"
        moved = copies.get(_model(field.related_model), {})
        links = through._default_manager.filter(
            **{f"{source_column}__in": [row.pk for row in originals]}
        ).values_list(source_column, target_column)
        through._default_manager.bulk_create(
            through(
                **{
                    source_column: copies[model][source_id],
                    target_column: moved.get(target_id, target_id),
                }
            )
            for source_id, target_id in links
        )
