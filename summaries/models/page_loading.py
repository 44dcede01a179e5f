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
"""

from collections.abc import Iterable
from functools import cache, lru_cache

from django.db import connections
from django.db.models import Model

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
        cache = version.__dict__.setdefault("_prefetched_objects_cache", {})
        for index, vocabulary in enumerate(TAXONOMY):
            queryset = getattr(version, vocabulary.field).get_queryset()
            queryset._result_cache = found.get((index, version.pk), [])
            queryset._prefetch_done = True
            cache[vocabulary.field] = queryset


@lru_cache(maxsize=64)  # pages load one or two versions: a few shapes in all
def _children_select(
    parent: type[Model], related_name: str, using: str, count: int
) -> tuple[str, tuple, tuple[str, ...], str]:
    """The compiled SELECT of ``parent.<related_name>`` rows for ``count`` parents (the ids
    its only parameters), its column expressions and their attribute names, and the
    foreign key's attribute name."""
    relation = parent._meta.get_field(related_name)
    foreign_key = relation.field
    sentinels = list(range(1, count + 1))
    queryset = relation.related_model._default_manager.using(using).filter(
        **{f"{foreign_key.name}__in": sentinels}
    )
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    if list(params) != sentinels:  # the ids must be the statement's only parameters
        raise AssertionError(f"Unexpected parameters loading {related_name}: {params!r}")
    columns = tuple(compiler.select[i][0] for i in compiler.klass_info["select_fields"])
    return sql, columns, tuple(c.target.attname for c in columns), foreign_key.attname


def prefetch_children(parents: Iterable[Model], related_name: str, using: str = "default") -> list:
    """Fill each parent's ``related_name`` prefetch cache (a reverse foreign key), as
    ``prefetch_related(related_name)`` would, from a statement compiled once; returns the
    children, so a caller can load theirs in turn."""
    parents = [parent for parent in parents if parent.pk is not None]
    if not parents:
        return []
    model = type(parents[0])
    sql, columns, attnames, fk_attname = _children_select(model, related_name, using, len(parents))
    relation = model._meta.get_field(related_name)
    child_model, foreign_key = relation.related_model, relation.field
    connection = connections[using]
    # What the ORM's compiler applies to each column (SQLite's decimals arrive as floats).
    converters = [
        (i, column, functions)
        for i, column in enumerate(columns)
        if (
            functions := connection.ops.get_db_converters(column)
            + column.get_db_converters(connection)
        )
    ]
    by_parent: dict[object, list] = {parent.pk: [] for parent in parents}
    children = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [parent.pk for parent in parents])
        for row in cursor.fetchall():
            if converters:
                row = list(row)
                for i, column, functions in converters:
                    for function in functions:
                        row[i] = function(row[i], column, connection)
            child = child_model.from_db(using, attnames, row)
            by_parent[getattr(child, fk_attname)].append(child)
            children.append(child)
    for parent in parents:
        rows = by_parent[parent.pk]
        for child in rows:
            foreign_key.set_cached_value(child, parent)  # child.version without a query
        queryset = getattr(parent, related_name).get_queryset()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        parent.__dict__.setdefault("_prefetched_objects_cache", {})[related_name] = queryset
    return children
