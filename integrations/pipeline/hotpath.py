"""Statements built once per process, for the registration worker's hot path only.

Django compiles a query every time it runs. On the benchmark host that costs about 1 ms of CPU
for the claim's conditional UPDATE, 1.4 ms for the registration check and 2 ms for a
four-table `select_related(...).get()`: more than the database spends on them, for statements
the worker runs once per registration with only their parameters changing. So:

- `JoinedLookup`: a primary-key look-up with some foreign keys, like `select_related`, as one
  join built once; the values go through the ORM's own converters and `Model.from_db`.
- `CompiledValues`: a `values_list` QuerySet compiled by the ORM once, then run with new
  arguments.
- `update_where`: `Model.objects.filter(a=..., b=...).update(...)` for equality filters, as one
  UPDATE whose values the fields themselves prepare (`get_db_prep_save`).
- `insert_instance`: `instance.save()` for a new row, as one INSERT the same way (it falls back
  to `save()` when a pre_save or post_save receiver is connected for the model).

Everything else stays ordinary ORM code. `tests/pipeline/test_prebuilt.py` checks each against
the ORM on both databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import ForeignKey, Model, QuerySet
from django.db.models.signals import post_save, pre_save


class JoinedLookup:
    """`select_related` for one primary key, built once. Deferred fields stay deferred (reading
    one loads it, as with `.defer()`), and related instances are cached on their parents, so
    `submission.contract.owner` is no further query. Only forward, non-null foreign keys: an
    INNER JOIN then finds exactly one row."""

    def __init__(self, model: type[Model], related: tuple[str, ...] = (),
                 defer: dict[str, tuple[str, ...]] | None = None, using: str = "default"):
        """`related`: paths as in select_related ("contract__owner", "revision"); each prefix is
        joined too. `defer`: field names to leave out, per path ("" is the model itself)."""
        self.model = model
        self.using = using
        defer = defer or {}
        paths = [""]
        for path in related:
            parts = path.split("__")
            for depth in range(1, len(parts) + 1):
                prefix = "__".join(parts[:depth])
                if prefix not in paths:
                    paths.append(prefix)
        # One entry per joined model: (path, model, alias, fields, parent path, fk field).
        self._nodes: list[tuple[str, type[Model], str, list, str | None, ForeignKey | None]] = []
        models = {"": model}
        aliases = {"": "t0"}
        joins = []
        for index, path in enumerate(paths):
            if path:
                parent, _, name = path.rpartition("__")
                fk = models[parent]._meta.get_field(name)
                if not isinstance(fk, ForeignKey) or fk.null:
                    raise ValueError(f"{path}: only non-null forward foreign keys can be joined")
                target = fk.related_model
                models[path] = target
                aliases[path] = f"t{index}"
                joins.append(
                    f'INNER JOIN "{target._meta.db_table}" {aliases[path]} ON '
                    f'{aliases[path]}."{fk.target_field.column}" = {aliases[parent]}."{fk.column}"'
                )
            else:
                parent, fk, target = None, None, model
            skipped = set(defer.get(path, ()))
            fields = [f for f in target._meta.concrete_fields if f.name not in skipped]
            if target._meta.pk not in fields:
                raise ValueError(f"{path or model.__name__}: the primary key cannot be deferred")
            self._nodes.append((path, target, aliases[path], fields, parent, fk))
        columns = ", ".join(f'{alias}."{f.column}"' for _, _, alias, fields, _, _ in self._nodes
                            for f in fields)
        self.sql = (f'SELECT {columns} FROM "{model._meta.db_table}" t0 {" ".join(joins)} '
                    f'WHERE t0."{model._meta.pk.column}" = %s')
        self._converters: WeakKeyDictionary = WeakKeyDictionary()
        self._lock = threading.Lock()

    def _converters_for(self, connection) -> list[list]:
        """Per column, the converters the ORM would apply on this connection (built once)."""
        with self._lock:
            found = self._converters.get(connection)
            if found is None:
                found = []
                for _, _, alias, fields, _, _ in self._nodes:
                    for field in fields:
                        col = field.get_col(alias)
                        found.append([(c, col) for c in
                                      connection.ops.get_db_converters(col)
                                      + col.get_db_converters(connection)])
                self._converters[connection] = found
            return found

    def get(self, pk):
        """The instance with its related ones attached; `model.DoesNotExist` when there is none."""
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist(f"{self.model.__name__} {pk} does not exist")
        converters = self._converters_for(connection)
        values = list(row)
        for index, chain in enumerate(converters):
            for convert, col in chain:
                values[index] = convert(values[index], col, connection)
        instances: dict[str, Model] = {}
        start = 0
        for path, target, _, fields, parent, fk in self._nodes:
            end = start + len(fields)
            instance = target.from_db(self.using, [f.attname for f in fields], values[start:end])
            start = end
            instances[path] = instance
            if fk is not None:
                fk.set_cached_value(instances[parent], instance)
        return instances[""]


class CompiledValues:
    """A `values_list` QuerySet compiled by the ORM once, then run with new arguments.

    `factory(*sentinels)` builds the QuerySet; each sentinel must be a value that appears exactly
    once among the compiled parameters, which is how the arguments find their places. The rows
    come back as the database driver returns them, so use it only for columns that need no
    conversion (integers, strings).
    """

    def __init__(self, factory: Callable[..., QuerySet], *sentinels: Any, using: str = "default"):
        self.factory = factory
        self.sentinels = sentinels
        self.using = using
        self._compiled: tuple[str, list, list[int]] | None = None
        self._lock = threading.Lock()

    def _compile(self) -> tuple[str, list, list[int]]:
        with self._lock:
            if self._compiled is None:
                sql, params = self.factory(*self.sentinels).query.sql_with_params()
                params = list(params)
                places = []
                for sentinel in self.sentinels:
                    found = [i for i, value in enumerate(params) if value == sentinel]
                    if len(found) != 1:
                        raise ValueError(f"sentinel {sentinel!r} appears {len(found)} times in "
                                         f"the compiled parameters {params!r}")
                    places.append(found[0])
                self._compiled = sql, params, places
            return self._compiled

    def __call__(self, *args: Any) -> list[tuple]:
        sql, params, places = self._compile()
        params = list(params)
        for place, value in zip(places, args, strict=True):
            params[place] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def update_where(model: type[Model], *, where: dict[str, Any], values: dict[str, Any],
                 increment: Sequence[str] = (), extra: str = "", extra_values: Sequence = (),
                 using: str = "default") -> int:
    """`model.objects.filter(**where).update(**values)` as one UPDATE built without the ORM's
    compiler; returns the number of rows changed.

    `where`: field names and values compared with `=` (not None). `increment`: fields set to
    themselves + 1. `extra`: one more SQL condition, ANDed, written with column names and `%s`
    placeholders, and its values as (field name, value) pairs so each field prepares its own.
    """
    connection = connections[using]
    opts = model._meta

    def prepared(name: str, value: Any, *, save: bool) -> Any:
        field = opts.get_field(name)
        if save:
            return field.get_db_prep_save(value, connection)
        return field.get_db_prep_value(value, connection, prepared=False)

    quote = connection.ops.quote_name
    sets, params = [], []
    for name, value in values.items():
        sets.append(f"{quote(opts.get_field(name).column)} = %s")
        params.append(prepared(name, value, save=True))
    for name in increment:
        column = quote(opts.get_field(name).column)
        sets.append(f"{column} = {column} + 1")
    conditions = []
    for name, value in where.items():
        if value is None:
            raise ValueError(f"{name}: use `extra` for IS NULL conditions")
        conditions.append(f"{quote(opts.get_field(name).column)} = %s")
        params.append(prepared(name, value, save=False))
    if extra:
        conditions.append(f"({extra})")
        params.extend(prepared(name, value, save=False) for name, value in extra_values)
    sql = (f"UPDATE {quote(opts.db_table)} SET {', '.join(sets)} "
           f"WHERE {' AND '.join(conditions)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_instance(instance: Model, *, using: str = "default") -> Model:
    """`instance.save()` for a new row, as one INSERT built without the ORM's compiler.

    Each field prepares its own value as the ORM does (`pre_save`, so auto_now_add is set, then
    `get_db_prep_save`), the primary key comes back with RETURNING (or lastrowid), and the
    instance is marked saved. No signals are sent, so a model with pre_save or post_save
    receivers goes through `save()` instead.
    """
    model = type(instance)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        instance.save(force_insert=True, using=using)
        return instance
    connection = connections[using]
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.concrete_fields if not getattr(f, "generated", False)
              and not (f is pk and getattr(instance, pk.attname) is None)]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    needs_pk = getattr(instance, pk.attname) is None
    returning = needs_pk and connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {quote(pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if needs_pk:
            new_pk = (cursor.fetchone()[0] if returning
                      else connection.ops.last_insert_id(cursor, opts.db_table, pk.column))
            setattr(instance, pk.attname, new_pk)
    instance._state.adding = False
    instance._state.db = using
    return instance
