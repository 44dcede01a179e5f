"""Loading what a summary page shows with fewer, cheaper queries than the ORM's defaults.

Profiling the summary page (``bench/README.md``) showed most of its server time going to
building queries, not running them: each ``prefetch_related`` lookup costs about a
millisecond of Python (the ordering alone a third of it) for a query the database
answers in microseconds. Two remedies, both filling the same prefetch caches Django's
``prefetch_related`` fills, so ``version.sections.all()``, ``version.problems.all()`` and
the rest read them exactly as before, in the models' own order:

- ``prefetch_children``: a reverse foreign key's rows (a version's sections, key
  figures, reviews, links; a review's breakdowns) by a statement the ORM compiles once
  per process and number of parents, then reused with new ids;
- ``prefetch_taxonomy``: the five vocabularies' terms in one ``UNION ALL`` statement
  instead of five queries.

Two more keep the statements small: an outcome's reviews are read from the link table
alone (``prefetch_outcome_reviews``), and every rating's level and scale come in one
query by id (``prefetch_levels``) rather than joined to the version.
"""

from collections.abc import Iterable
from functools import cache

from django.db import connections
from django.db.models import Model

from . import prepared
from .vocabularies import TAXONOMY


@cache
def _taxonomy_select(vendor: str) -> tuple[str, tuple[str, ...]]:
    """The SELECT of every vocabulary's terms with the version they tag (ids as a
    ``{ids}`` placeholder), and the term columns' attribute names, in select order."""
    from .versions import SummaryVersion  # the field definitions name the tables

    connection = next(c for c in connections.all() if c.vendor == vendor)
    quote = connection.ops.quote_name
    attnames: tuple[str, ...] = ()
    parts = []
    for index, vocabulary in enumerate(TAXONOMY):
        field = SummaryVersion._meta.get_field(vocabulary.field)
        through = field.remote_field.through._meta.db_table
        term = vocabulary.model._meta
        fields = term.concrete_fields
        attnames = tuple(f.attname for f in fields)  # the same for every Term subclass
        columns = ", ".join(f"t.{quote(f.column)}" for f in fields)
        parts.append(
            f"SELECT {index} AS vocabulary, j.{quote(field.m2m_column_name())} AS version_id, "
            f"{columns} FROM {quote(through)} j JOIN {quote(term.db_table)} t "
            f"ON t.{quote(term.pk.column)} = j.{quote(field.m2m_reverse_name())} "
            "WHERE j." + quote(field.m2m_column_name()) + " IN ({ids})"
        )
    # Ordered as Term.Meta.ordering (position, name), by the database's own collation.
    position = 3 + attnames.index("position")
    name = 3 + attnames.index("name")
    sql = " UNION ALL ".join(parts) + f" ORDER BY 1, {position}, {name}"
    return sql, attnames


def prefetch_taxonomy(versions: Iterable, using: str = "default") -> None:
    """Fill each version's taxonomy prefetch caches (``problems``, ``focuses``...) from one
    query, as ``prefetch_related(*TAXONOMY_FIELDS)`` would from five."""
    versions = [v for v in versions if v.pk is not None]
    if not versions:
        return
    connection = connections[using]
    sql, attnames = _taxonomy_select(connection.vendor)
    ids = [v.pk for v in versions]
    found: dict[tuple[int, int], list] = {}
    models = [vocabulary.model for vocabulary in TAXONOMY]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), ids * len(TAXONOMY))
        for vocabulary, version_id, *values in cursor.fetchall():
            term = models[vocabulary].from_db(using, attnames, values)
            found.setdefault((vocabulary, version_id), []).append(term)
    for version in versions:
        for index, vocabulary in enumerate(TAXONOMY):
            _fill_cache(version, vocabulary.field, found.get((index, version.pk), []))


def _children_of(parent: type[Model], related_name: str, select_related: tuple[str, ...]):
    """A ``build`` for ``prepared.run``: ``parent.<related_name>`` rows of the given
    parents' ids, in the child model's order, with ``select_related``."""
    relation = parent._meta.get_field(related_name)
    lookup = f"{relation.field.name}__in"

    def build(ids):
        queryset = relation.related_model._default_manager.filter(**{lookup: ids})
        return queryset.select_related(*select_related) if select_related else queryset

    return build


def prefetch_children(
    parents: Iterable[Model],
    related_name: str,
    using: str = "default",
    *,
    select_related: tuple[str, ...] = (),
) -> list:
    """Fill each parent's ``related_name`` prefetch cache (a reverse foreign key), as
    ``prefetch_related(related_name)`` would, from a statement compiled once; returns the
    children, so a caller can load theirs in turn."""
    parents = [parent for parent in parents if parent.pk is not None]
    if not parents:
        return []
    model = type(parents[0])
    foreign_key = model._meta.get_field(related_name).field
    key = ("children", model, related_name, select_related)
    children = prepared.run(
        key,
        _children_of(model, related_name, select_related),
        [[parent.pk for parent in parents]],
        using,
    )
    by_parent: dict[object, list] = {parent.pk: [] for parent in parents}
    for child in children:
        by_parent[getattr(child, foreign_key.attname)].append(child)
    for parent in parents:
        rows = by_parent[parent.pk]
        for child in rows:
            foreign_key.set_cached_value(child, parent)  # child.version without a query
        _fill_cache(parent, related_name, rows)
    return children


def _fill_cache(instance: Model, name: str, rows: list) -> None:
    """What ``prefetch_related(name)`` leaves on ``instance``: ``instance.<name>.all()``
    answers ``rows`` without a query."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _links_of(through: type[Model], source: str, target: str):
    def build(ids):
        return through.objects.filter(**{f"{source}__in": ids}).values_list(source, target)

    return build


def prefetch_outcome_reviews(results: list, reviews: list, using: str = "default") -> None:
    """Fill each outcome result's ``reviews`` from the rows of the link table alone: a
    result cites reviews of its own version, which ``reviews`` (the version's, already
    loaded) holds; any other is loaded by id."""
    if not results:
        return
    from .outcomes import OutcomeResult

    field = OutcomeResult._meta.get_field("reviews")
    through = field.remote_field.through
    source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
    links = prepared.run(
        ("outcome reviews",),
        _links_of(through, source, target),
        [[result.pk for result in results]],
        using,
    )
    review_model = field.related_model
    known = {review.pk: review for review in reviews}
    if missing := sorted({review_id for _, review_id in links} - set(known)):
        known.update(review_model._default_manager.using(using).in_bulk(missing))
    cited: dict[int, list] = {result.pk: [] for result in results}
    for result_id, review_id in links:
        cited[result_id].append(known[review_id])
    ordering = [_ordering_attname(review_model, name) for name in review_model._meta.ordering]
    for result in results:
        rows = sorted(cited[result.pk], key=lambda review: [getattr(review, a) for a in ordering])
        _fill_cache(result, "reviews", rows)


def _ordering_attname(model: type[Model], name: str) -> str:
    """The attribute a ``Meta.ordering`` entry sorts by (a foreign key's id column)."""
    if name.startswith("-"):
        raise ValueError(f"Descending order is not supported here: {model.__name__} {name}")
    return model._meta.get_field(name).attname


def _levels_of(ids):
    from .scales import ScaleLevel

    return ScaleLevel.objects.select_related("scale").filter(pk__in=ids)


def prefetch_levels(rated: list[Model], using: str = "default") -> None:
    """Fill every rating of ``rated`` (a version's six, an outcome result's two) with its
    level and the level's scale, from one query for all of them.

    Selecting them with the version instead joins thirteen tables, and PostgreSQL then
    spends longer planning the statement (18.8 ms measured, past its genetic-optimiser
    threshold of twelve tables) than running it (0.8 ms); two small queries cost a tenth.
    """
    ids = {getattr(obj, f.attname) for obj in rated for f in _rating_fields(type(obj))}
    ids = sorted(ids - {None})
    levels = {level.pk: level for level in prepared.run(("levels",), _levels_of, [ids], using)}
    for obj in rated:
        for field in _rating_fields(type(obj)):
            field.set_cached_value(obj, levels.get(getattr(obj, field.attname)))


@cache
def _rating_fields(model: type[Model]) -> tuple:
    """The model's foreign keys to a scale level (its ratings), looked up once."""
    from .scales import ScaleLevel

    return tuple(
        f for f in model._meta.concrete_fields if f.is_relation and f.related_model is ScaleLevel
    )


def load_page_content(versions: list, using: str = "default") -> None:
    """Everything a summary page shows of each version besides its own row, into the
    prefetch caches: sections, key figures, links, reviews and their breakdowns, outcome
    results (with their outcome and reviews), the ratings' levels and scales (the
    version's and its outcomes'), related summaries (with their target) and the
    taxonomy. Eleven queries at most, whatever the number of rows."""
    for related_name in ("sections", "key_figures", "external_links"):
        prefetch_children(versions, related_name, using)
    reviews = prefetch_children(versions, "reviews", using)
    prefetch_children(reviews, "breakdowns", using)
    results = prefetch_children(versions, "outcome_results", using, select_related=("outcome",))
    prefetch_outcome_reviews(results, reviews, using)
    prefetch_levels([*versions, *results], using)
    prefetch_children(versions, "related_summaries", using, select_related=("target",))
    prefetch_taxonomy(versions, using)


def _page_shape(names: tuple[str, ...], limit: int | None):
    def build(*values):
        from .versions import SummaryVersion

        queryset = SummaryVersion.objects.for_page().filter(**dict(zip(names, values, strict=True)))
        return queryset[:limit] if limit else queryset

    return build


def page_versions(lookups: dict, *, limit: int | None = None, using: str = "default") -> list:
    """``SummaryVersion.objects.for_page().filter(**lookups)[:limit]``, evaluated: the
    versions with everything their page shows, the main query compiled once per set of
    lookups (their names and the kinds of their values) rather than on every request."""
    names = tuple(lookups)
    versions = prepared.run(
        ("page versions", names, limit), _page_shape(names, limit), list(lookups.values()), using
    )
    load_page_content(versions, using)
    return versions
