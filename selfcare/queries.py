"""Query helpers every layer uses the same way (Django only; no model of ours)."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model, QuerySet, signals
from django.db.models.query import get_related_populators  # type: ignore[attr-defined] # not in django-stubs
from django.db.models.sql import InsertQuery

_M = TypeVar("_M", bound=Model)


def one_or_none(queryset: QuerySet[_M]) -> _M | None:
    """The row of a query that matches at most one (a unique key, a constraint), or None. Unlike `.first()` it adds
    no ORDER BY: Django's compiler hashes every selected column of an ordered query, which on a read with joins is
    a measurable part of a page's CPU (docs/performance.md)."""
    return next(iter(queryset.order_by()[:1]), None)


# Markers for `Prepared`: values no real parameter of a statement has (ids are positive; no row is of a day in
# 2001, let alone at that microsecond; identities are random UUIDs), one of each kind a statement may take, two
# where a statement takes two values of a kind.
MARK_ID, MARK_OTHER_ID = -7_654_321, -7_654_322
MARK_MOMENT = datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
MARK_DAY, MARK_OTHER_DAY = datetime.date(2001, 2, 3), datetime.date(2001, 2, 4)
MARK_UUID = uuid.UUID("00000000-0000-4000-8000-000000765432")


@dataclass(frozen=True)
class Many:
    """A marker for a list of values (an `__in` of a varying count): the statement is compiled once per count, each
    value of the list standing for one `%s`. `kind` says which markers: ids (negative numbers far from MARK_ID's)
    or texts (with a control character no real value has)."""

    kind: type[int] | type[str]

    def markers(self, count: int, list_number: int) -> list[object]:
        """`count` markers for the statement's `list_number`-th list (each list's markers its own)."""
        if self.kind is int:
            return [-7_700_000 - 1_000 * list_number - index for index in range(count)]
        return [f"\x1emark-{list_number}-{index}" for index in range(count)]


MARK_IDS, MARK_TEXTS = Many(int), Many(str)


class Prepared(Generic[_M]):
    """A read whose SQL text is the same on every call but for some values: Django compiles it once per database,
    each call runs that text with its own values.

    Why: every page compiled each of its statements anew, and compiling is a large part of a page's CPU (a
    connection page's ten statements cost 0.4–1 ms each to compile, an aggregate or an EXISTS the most; the
    statements themselves take a fraction of that on the server; docs/performance.md). The statement is the one
    `build` makes, so its conditions are written once, with the ORM, where they were.

    `build(**markers)` returns the queryset; each marker stands for a value given per call (`rows(name=value)`). A
    marker must be a value no real parameter of the statement has (the MARK_ constants above) and must not change
    the statement's shape (no None, no lists: `IN` with a varying count is not a fixed text); the first compile
    checks that each marker is found among the parameters.
    A `Many` marker (MARK_IDS, MARK_TEXTS) stands for a list, given per call as a list: the statement is compiled
    once per length of it, so a list's length must be bounded (a person's codes or companies, a page's rows: at most
    a page of fifty). An empty list runs no statement and gives no rows, which is right for a filter's `__in` that
    every row must meet; a list on one side of an OR must never be empty (the caller checks).
    Moments, days and UUIDs are adapted for the database as Django adapts them. Rows come back converted as Django
    converts them (`rows`), or as model instances (`models`: extra columns become attributes, as with `raw`,
    converted as the queryset converts them; the instances of a `select_related` made and attached as the queryset
    makes them, with Django's own populators).

    `planned_with_values=True`: on PostgreSQL the statement is never prepared on the server; it is planned at every
    run with that run's values (why: the comment above `_not_prepared`). Its values are still bound on the server.
    """

    def __init__(
        self,
        model: type[_M],
        build: Callable[..., QuerySet[Any]],
        *,
        planned_with_values: bool = False,
        **markers: object,
    ) -> None:
        self.model = model
        self._build = build
        self._markers = markers
        self.planned_with_values = planned_with_values
        self._many = tuple(name for name, marker in markers.items() if isinstance(marker, Many))
        # By database alias and the lengths of the lists; each filled once (a race compiles twice, alike).
        self._compiled: dict[tuple[str, tuple[int, ...]], _Compiled] = {}

    def _statement(self, values: dict[str, Any]) -> tuple[str, str, list[Any], _Compiled] | None:
        """The statement for these values, or None when a list is empty (no rows)."""
        alias = router.db_for_read(self.model)
        lengths = tuple(len(values[name]) for name in self._many)
        if not all(lengths):
            return None
        compiled = self._compiled.get((alias, lengths)) or self._compile(alias, lengths)
        ops = connections[alias].ops
        params: list[Any] = list(compiled.params)
        for index, name, position in compiled.slots:
            params[index] = _adapted(ops, values[name] if position is None else values[name][position])
        return alias, compiled.sql, params, compiled

    def _compile(self, alias: str, lengths: tuple[int, ...]) -> _Compiled:
        count = dict(zip(self._many, lengths, strict=True))
        markers = {
            name: marker.markers(count[name], self._many.index(name)) if isinstance(marker, Many) else marker
            for name, marker in self._markers.items()
        }
        compiler = self._build(**markers).using(alias).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        ops = connections[alias].ops
        slots: list[tuple[int, str, int | None]] = []
        for name, marker in markers.items():
            for position, value in enumerate(marker) if isinstance(marker, list) else [(None, marker)]:
                found = [index for index, param in enumerate(params) if param == _adapted(ops, value)]
                if not found or any(index == taken for index in found for taken, _name, _position in slots):
                    raise RuntimeError(f"the marker of {name!r} is not found once among the statement's values: {sql}")
                slots += [(index, name, position) for index in found]
        selected = compiler.select[: compiler.col_count]
        fields = [column[0] for column in selected]
        converters = tuple(compiler.get_converters(fields).items())
        # For `models`: which columns are the model's own fields (in the model's field order, as `from_db` takes
        # them) and which are extras (an annotation's alias), worked out here once rather than by `raw` per call.
        # A select_related's columns follow the model's own (`klass_info` says which are whose, as the queryset's
        # iterator reads it); its populators make the related instances from a row, the same for every call.
        klass_info = compiler.klass_info
        mine = range(len(selected)) if klass_info is None else set(klass_info["select_fields"])
        populators = () if klass_info is None else tuple(get_related_populators(klass_info, compiler.select, alias))
        order = {field.attname: index for index, field in enumerate(self.model._meta.concrete_fields)}
        own = sorted(
            (order[expression.target.attname], position, expression.target.attname)
            for position, (expression, _sql, name) in enumerate(selected)
            if name is None
            and position in mine
            and getattr(expression, "target", None) is not None
            and expression.target.attname in order
        )
        extras = tuple(
            (position, name) for position, (_expression, _sql, name) in enumerate(selected) if name is not None
        )
        compiled = _Compiled(
            sql,
            tuple(params),
            tuple(slots),
            converters,
            tuple(name for _order, _position, name in own),
            tuple(position for _order, position, _name in own),
            extras,
            populators,
        )
        self._compiled[(alias, lengths)] = compiled
        return compiled

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The statement's rows as tuples in its select order, each column converted as Django converts it."""
        statement = self._statement(values)
        return [] if statement is None else self._run(statement)

    def _run(self, statement: tuple[str, str, list[Any], _Compiled]) -> list[tuple[Any, ...]]:
        alias, sql, params, compiled = statement
        database = connections[alias]
        with (
            database.cursor() as cursor,
            _not_prepared(database) if self.planned_with_values else contextlib.nullcontext(),
        ):
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        converters = compiled.converters
        if not converters:
            return [tuple(row) for row in rows]
        connection, converted = connections[alias], []
        for row in rows:  # what SQLCompiler.apply_converters does, with this thread's connection
            columns = list(row)
            for position, (functions, expression) in converters:
                for function in functions:
                    columns[position] = function(columns[position], expression, connection)
            converted.append(tuple(columns))
        return converted

    def models(self, **values: Any) -> list[_M]:
        """The statement's rows as model instances, made as `Model.objects.raw` makes them (`from_db` with the
        model's columns, each extra column an attribute) but with the columns matched to the fields once per
        statement: `raw` matched them on every call, a twelfth of a dashboard's CPU (docs/performance.md)."""
        statement = self._statement(values)
        if statement is None:
            return []
        alias, compiled = statement[0], statement[3]
        instances = []
        for row in self._run(statement):
            instance = self.model.from_db(alias, compiled.names, [row[position] for position in compiled.positions])
            for position, name in compiled.extras:
                setattr(instance, name, row[position])
            for populator in compiled.populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances


# Why some statements are planned with their values at every run (`Prepared(planned_with_values=True)`): with
# server-side binding (settings.py) PostgreSQL prepares a statement a connection has run five times and may then keep
# one generic plan, made without the values, until something invalidates it (an ANALYZE of a table it reads, a change
# of schema). One made while a table was nearly empty (a new database, a month's first minutes) goes on scanning the
# whole table after it has grown, and one made for an average value is wrong for a company of 10 or of 100,000
# numbers. The dashboard's buckets read (usage.selectors._DATA_BUCKETS) did exactly that in `make bench`: a
# sequential scan of 600,000 buckets for two numbers, 100-380 ms a dashboard (docs/performance.md, 2026-12-07).
# Planned at every run, such a statement costs the server a parse and a plan each time, as every statement did with
# client-side binding, and no generic plan can hurt it.
@contextlib.contextmanager
def _not_prepared(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Statements run inside are not prepared on PostgreSQL (psycopg's unnamed statement, planned with its values
    at every run); their values are still bound as the connection binds them. Elsewhere nothing changes."""
    raw = connection.connection if connection.vendor == "postgresql" else None
    threshold = getattr(raw, "prepare_threshold", None)
    if raw is None or threshold is None:
        yield
        return
    raw.prepare_threshold = None  # psycopg: "never prepare"
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[object, ...]
    # (position among the parameters, the value's name, the position in its list or None for a single value)
    slots: tuple[tuple[int, str, int | None], ...]
    converters: tuple[tuple[int, tuple[list[Any], Any]], ...]  # column → (Django's converters, its expression)
    names: tuple[str, ...]  # the model's fields selected, in the model's order (`from_db`'s field names)
    positions: tuple[int, ...]  # where each of them is in a row
    extras: tuple[tuple[int, str], ...]  # (position in a row, attribute name) of the other columns
    populators: tuple[Any, ...]  # a select_related's instances, made from a row and attached


def _adapted(ops: BaseDatabaseOperations, value: object) -> object:
    """A value as the compiler puts it among a statement's parameters (moments, days and UUIDs differ by database)."""
    if isinstance(value, uuid.UUID):
        return value if ops.connection.features.has_native_uuid_field else value.hex
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return value


class PreparedInsert(Generic[_M]):
    """An INSERT of one row of `model` whose SQL text is the same on every call (every concrete field but the primary
    key, the primary key returned): Django compiles it once per database, each call runs it with the new row's
    values, prepared for the database field by field as Django's insert prepares them (`pre_save`, so auto_now and
    defaults as with `save`, then `get_db_prep_save`).

    Why: `Model.objects.create` built and compiled the insert anew (the model's `save`, its signals, the compiler)
    on every request that writes an audit event, a connection page's largest write (docs/performance.md).
    What is not done: the model's `save` (an override of it is not called: use this only for models whose `save`
    adds nothing to an insert), `pre_save`/`post_save` signals (the model must have no receivers), field
    validation (as with `save`), expressions as values, the check that a related instance given is saved.
    """

    def __init__(self, model: type[_M]) -> None:
        self.model = model
        self._fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
        self._compiled: dict[str, str] = {}  # by database alias: the INSERT's text

    def _sql(self, alias: str, instance: _M) -> str:
        sql = self._compiled.get(alias)
        if sql is None:
            query = InsertQuery(self.model)
            query.insert_values(self._fields, [instance])
            compiler = query.get_compiler(alias)
            compiler.returning_fields = [self.model._meta.pk]
            statements = compiler.as_sql()
            if len(statements) != 1 or statements[0][0].count("%s") != len(self._fields):
                raise RuntimeError(f"not one plain INSERT of {self.model.__name__}: {statements}")
            sql = self._compiled[alias] = statements[0][0]
        return sql

    def create(self, **values: Any) -> _M:
        """The new row, saved, as `model.objects.create(**values)` gives it (its primary key set). Refused while a
        receiver listens to the model's `pre_save` or `post_save`: `save` would call it and this would not, so a
        receiver added later (say, one that forwards audit events) is never skipped without a word."""
        if signals.pre_save.has_listeners(self.model) or signals.post_save.has_listeners(self.model):
            raise RuntimeError(f"{self.model.__name__} has save signal receivers: PreparedInsert would skip them")
        instance = self.model(**values)
        alias = router.db_for_write(self.model, instance=instance)
        connection = connections[alias]
        sql = self._sql(alias, instance)
        params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in self._fields]
        # As `save` does: a failed insert inside an atomic block marks it for rollback.
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            if connection.features.can_return_columns_from_insert:
                returned = connection.ops.fetch_returned_insert_columns(cursor, ())
                pk = returned[0]
            else:
                pk = connection.ops.last_insert_id(cursor, self.model._meta.db_table, self.model._meta.pk.column)
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = alias
        return instance
