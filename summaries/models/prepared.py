"""Querysets compiled once per process, then run again with new parameters.

Profiling the public pages (``bench/README.md``) showed that building a query costs the
ORM far more than the database takes to answer it: compiling a ``select_related`` of a
dozen tables, or a prefetch with its ordering, is 1 to 3 ms of Python for SQL answered
in a tenth of that. A page asks the same few shapes of query again and again with other
values (a slug, a version's id), so ``run`` compiles each shape once and from then on
runs the same SQL with the caller's values. The rows become model instances exactly as
``ModelIterable`` makes them (``from_db``, the ``select_related`` populators, the
database converters), or stay rows for a ``values_list()`` queryset.

A shape is the caller's ``key`` plus the kind of each value: a string, an integer, or a
list of either of a given length. ``True``, ``False`` and ``None`` change the SQL itself
(``__isnull``), so they are part of the shape, not parameters.

To find where each value goes, the shape is compiled twice, with two sets of stand-in
values: a parameter that differs between the two is the caller's, one that does not is
the queryset's own (a state its filter names, say). A shape whose two compilations
differ in their SQL, or whose values do not all arrive as parameters unchanged (a value
the ORM would transform first), is refused when first met, never run with wrong
parameters.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

Value = str | int | bool | None | Sequence[str | int]

# Shapes are few (each page asks a handful); lists of ids make one per length. A bound
# all the same, so nothing can grow the table without limit.
MAX_STATEMENTS = 512

# Two sets of stand-ins, inside every integer field's range (a value out of a field's
# range compiles to nothing at all).
_STAND_IN_INTS = (20_001, 21_001)


class NotPreparable(ValueError):
    """A queryset whose parameters cannot be told apart from its callers' values."""


def _plain(value: Value) -> Value:
    """Choices (``State.PUBLISHED``) as the plain strings the database driver binds."""
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]  # type: ignore[misc]
    return value


def _kind(value: Value) -> Hashable:
    if value is None or isinstance(value, bool):
        return ("literal", value)
    if isinstance(value, (int, str)):
        return type(value)
    if isinstance(value, (list, tuple)):
        kinds = {type(item) for item in value}
        if len(kinds) > 1 or not kinds <= {int, str}:
            raise TypeError(f"Cannot prepare a list of {sorted(k.__name__ for k in kinds)}")
        return (list, kinds.pop() if kinds else int, len(value))
    raise TypeError(f"Cannot prepare a value of type {type(value).__name__}")


def _stand_ins(kinds: tuple, which: int) -> tuple[list, dict]:
    """Stand-in arguments for ``kinds`` (set 0 or 1), and where each stand-in belongs:
    {stand-in: (argument position, index in a list or None)}."""
    where: dict[int | str, tuple[int, int | None]] = {}

    def one(kind: type, position: int, index: int | None) -> int | str:
        number = len(where)
        value: int | str = (
            _STAND_IN_INTS[which] + number if kind is int else f"\x00stand-in {which} {number}\x00"
        )
        where[value] = (position, index)
        return value

    arguments: list = []
    for position, kind in enumerate(kinds):
        if isinstance(kind, tuple) and kind[0] == "literal":
            arguments.append(kind[1])
        elif isinstance(kind, tuple):
            _, item_kind, length = kind
            arguments.append([one(item_kind, position, index) for index in range(length)])
        else:
            arguments.append(one(kind, position, None))
    return arguments, where


@dataclass(frozen=True)
class Statement:
    """A compiled queryset: its SQL, where each parameter comes from, and how its rows
    become objects."""

    sql: str
    # For each parameter, (argument position, index in a list argument or None), or
    # (None, the queryset's own constant).
    params: tuple[tuple[int | None, Any], ...]
    converters: tuple[tuple[int, tuple, Any], ...]
    model: Any = None  # None: a values_list() queryset, whose rows are returned as they are
    init_list: tuple[str, ...] = ()
    model_slice: tuple[int, int] = (0, 0)
    populators: tuple = ()

    @classmethod
    def compile(cls, build: Callable[..., QuerySet], kinds: tuple, using: str) -> "Statement":
        (args_a, where_a), (args_b, where_b) = _stand_ins(kinds, 0), _stand_ins(kinds, 1)
        queryset = build(*args_a)
        compiler = queryset.query.get_compiler(using)
        sql, params_a = compiler.as_sql()
        sql_b, params_b = build(*args_b).query.get_compiler(using).as_sql()
        if sql != sql_b or len(params_a) != len(params_b):
            raise NotPreparable(f"The SQL depends on the values, not only their kinds: {sql!r}")
        params: list[tuple[int | None, Any]] = []
        for a, b in zip(params_a, params_b, strict=True):
            if a == b and type(a) is type(b):
                params.append((None, a))
            elif (slot := _slot(a, where_a)) is not None and slot == _slot(b, where_b):
                params.append(slot)
            else:
                raise NotPreparable(f"A value is changed before it is bound in {sql!r}: {a!r}")
        if {slot for slot in params if slot[0] is not None} != set(where_a.values()):
            raise NotPreparable(f"Not every value is a parameter of {sql!r}")
        converters = converters_of(compiler)
        klass_info = compiler.klass_info
        if queryset._fields is not None or klass_info is None:  # values_list()
            return cls(sql, tuple(params), converters)
        select = compiler.select
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return cls(
            sql,
            tuple(params),
            converters,
            model=klass_info["model"],
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            model_slice=(start, end),
            populators=tuple(get_related_populators(klass_info, select, using)),
        )

    def execute(self, args: Sequence[Value], using: str) -> list:
        params = []
        for position, index in self.params:
            if position is None:
                params.append(index)  # the queryset's own constant
            elif index is None:
                params.append(args[position])
            else:
                params.append(args[position][index])  # type: ignore[index]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        rows = convert(rows, self.converters, connection)
        if self.model is None:
            return [tuple(row) for row in rows]
        start, end = self.model_slice
        objects = []
        for row in rows:
            obj = self.model.from_db(using, self.init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


def converters_of(compiler) -> tuple[tuple[int, tuple, Any], ...]:
    """What the ORM applies to each column a compiled query selects, as (position, the
    converter functions, the column's expression): SQLite's dates arrive as text, its
    decimals as floats."""
    fields = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    return tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )


def convert(rows: list, converters: tuple, connection) -> list:
    """``rows`` as the ORM would return them, each value through its column's converters."""
    if not converters:
        return rows
    converted = [list(row) for row in rows]
    for row in converted:
        for position, functions, expression in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
    return converted


def _slot(param: Any, where: dict) -> tuple[int, int | None] | None:
    if isinstance(param, bool) or not isinstance(param, (int, str)):
        return None
    return where.get(param)


_statements: dict[Hashable, Statement] = {}


def run(
    key: Hashable,
    build: Callable[..., QuerySet],
    args: Sequence[Value],
    using: str = "default",
) -> list:
    """``build(*args)`` evaluated: its model instances (or rows, for ``values_list()``),
    from SQL compiled the first time this ``key`` is run with values of these kinds.

    ``build`` must make the same SQL for every call with the same ``key`` and kinds of
    value; it is called only when the shape is first met, with stand-in values. An empty
    list of ids selects nothing and runs no query.
    """
    args = [_plain(value) for value in args]
    kinds = tuple(_kind(value) for value in args)
    if any(isinstance(kind, tuple) and kind[0] is list and kind[2] == 0 for kind in kinds):
        return []  # `pk__in=[]` is an empty result without a query, as in the ORM
    shape = (key, kinds, using, connections[using].vendor)
    statement = _statements.get(shape)
    if statement is None:
        statement = Statement.compile(build, kinds, using)
        if len(_statements) >= MAX_STATEMENTS:
            _statements.clear()
        _statements[shape] = statement
    return statement.execute(args, using)
