"""The worker's hot statements, built once per process, each with its ORM twin beside it.

Why this module exists: Django compiles a query every time it runs. On the benchmark host that
costs about 1 ms of CPU for a claim's conditional UPDATE, 1.4 ms for the registration check and
2 ms for the four-table `select_related(...).get()` of a claimed submission: more than the
database spends on them, for statements the worker runs once per registration with only their
parameters changing. Built once, they took the pipeline from 62.7-69.4 to 71.0-72.5
registrations/s in same-host interleaved runs (docs/pipeline.md, "Where the time goes").

So this is a second way to write a query, kept to these few statements. Every public function
`name` has a twin `name_orm` right below it: the same statement as an ordinary QuerySet, which
says what the fast one means. `tests/pipeline/test_hotpath.py` runs each pair on the same rows, on
SQLite and PostgreSQL, and compares what they return and what they leave in the database. No
other module holds SQL text or placeholder values: the job engine (jobs.py) and the submissions
service call these functions by name.

- `claim_job`: the conditional claim of a due job (submissions and service operations).
- `fenced_update`: an update that holds only while the job is still this attempt's.
- `load_claimed_submission`: a claimed submission with its contract, owner and revision.
- `registration_rows`: the registered services that share a contract or its service id.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import F, ForeignKey, Model, Q, QuerySet

from integrations.models import RegisteredService, Submission

# --- the statements ---------------------------------------------------------------------------


def claim_job(model: type[Model], *, pk: int, waiting: str, running: str, now: datetime,
              lease_until: datetime, due_by: datetime) -> int:
    """Claim job `pk` if it is `waiting` and due by `due_by`: it becomes `running`, its attempt
    count goes up by one and it is leased until `lease_until`. Returns the rows changed (0 or 1)."""
    return _update(model, where={"id": pk, "status": waiting}, due_by=due_by,
                   values={"status": running, "updated_at": now, "lease_until": lease_until},
                   increment=("attempts",))


def claim_job_orm(model: type[Model], *, pk: int, waiting: str, running: str, now: datetime,
                  lease_until: datetime, due_by: datetime) -> int:
    return (model.objects.filter(pk=pk, status=waiting)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=due_by))
            .update(status=running, attempts=F("attempts") + 1, updated_at=now,
                    lease_until=lease_until))


def fenced_update(model: type[Model], *, pk: int, running: str, attempt: int,
                  values: dict[str, Any]) -> bool:
    """Update job `pk` only if it is still `running` under attempt `attempt` (nobody took it
    back and claimed it again since). True when it did."""
    return _update(model, where={"id": pk, "status": running, "attempts": attempt},
                   values=values) == 1


def fenced_update_orm(model: type[Model], *, pk: int, running: str, attempt: int,
                      values: dict[str, Any]) -> bool:
    return model.objects.filter(pk=pk, status=running, attempts=attempt).update(**values) == 1


# The claimed row with its contract, owner and revision; not the revision's text or diagnostics,
# which are neither sent to the core nor shown in the email.
_CLAIMED_RELATED = ("contract__owner", "revision")
_CLAIMED_DEFERRED = {"revision": ("text", "diagnostics")}


def load_claimed_submission(pk: int) -> Submission:
    """Submission `pk` with `contract.owner` and `revision` loaded in one query."""
    return _claimed_submission_lookup().get(pk)


def load_claimed_submission_orm(pk: int) -> Submission:
    return (Submission.objects.select_related(*_CLAIMED_RELATED)
            .defer(*[f"{path}__{name}" for path, names in _CLAIMED_DEFERRED.items()
                     for name in names])
            .get(pk=pk))


@functools.cache
def _claimed_submission_lookup() -> _JoinedLookup:
    return _JoinedLookup(Submission, _CLAIMED_RELATED, defer=_CLAIMED_DEFERRED)


def registration_rows(contract_id: int, service_id: str) -> list[tuple]:
    """(contract id, owner id, current version) of each registered service that belongs to
    contract `contract_id` or uses `service_id`."""
    return _registration_rows(contract_id, service_id)


def registration_rows_orm(contract_id: int, service_id: str) -> list[tuple]:
    return list(_registration_query(contract_id, service_id))


def _registration_query(contract_id, service_id) -> QuerySet:
    return (RegisteredService.objects.filter(Q(contract_id=contract_id) | Q(service_id=service_id))
            .values_list("contract_id", "contract__owner_id", "current_version__version")
            .order_by())


# --- how they are built -----------------------------------------------------------------------


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


class _JoinedLookup:
    """`select_related` for one primary key, built once. Deferred fields stay deferred (reading
    one loads it, as with `.defer()`), and related instances are cached on their parents, so
    `submission.contract.owner` is no further query. Only forward, non-null foreign keys: an
    INNER JOIN then finds exactly one row. Values go through the ORM's own converters and
    `Model.from_db`."""

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
        connection = connections[using]
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
                    f"INNER JOIN {_quote(connection, target._meta.db_table)} {aliases[path]} ON "
                    f"{aliases[path]}.{_quote(connection, fk.target_field.column)} = "
                    f"{aliases[parent]}.{_quote(connection, fk.column)}"
                )
            else:
                parent, fk, target = None, None, model
            skipped = set(defer.get(path, ()))
            fields = [f for f in target._meta.concrete_fields if f.name not in skipped]
            if target._meta.pk not in fields:
                raise ValueError(f"{path or model.__name__}: the primary key cannot be deferred")
            self._nodes.append((path, target, aliases[path], fields, parent, fk))
        columns = ", ".join(f"{alias}.{_quote(connection, f.column)}"
                            for _, _, alias, fields, _, _ in self._nodes for f in fields)
        self.sql = (f"SELECT {columns} FROM {_quote(connection, model._meta.db_table)} t0 "
                    f"{' '.join(joins)} WHERE t0.{_quote(connection, model._meta.pk.column)} = %s")
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


class _CompiledValues:
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


# Values no real argument has, so the compiled statement's parameters can be found by value.
_registration_rows = _CompiledValues(_registration_query, -7_340_271, "\x00service-id\x00")


def _update(model: type[Model], *, where: dict[str, Any], values: dict[str, Any],
            increment: Sequence[str] = (), due_by: datetime | None = None,
            using: str = "default") -> int:
    """`model.objects.filter(**where).update(**values)` as one UPDATE built without the ORM's
    compiler; returns the number of rows changed.

    `where`: fields compared with `=` (None is refused: use the ORM for IS NULL). A model
    instance given for a foreign key stands for its primary key, in `where` and `values` alike,
    as in `.filter()` and `.update()`. `increment`: fields set to themselves + 1. `due_by`: the
    row's `next_attempt_at` is unset or not after it.
    """
    connection = connections[using]
    opts = model._meta

    def prepared(name: str, value: Any, *, save: bool) -> tuple[str, Any]:
        field = opts.get_field(name)
        if hasattr(value, "prepare_database_save"):  # a model instance, as .update() takes it
            if not field.remote_field:
                raise TypeError(f"{model.__name__}.{name} is not a foreign key; it cannot take "
                                f"the model instance {value!r}")
            value = value.prepare_database_save(field)
        column = _quote(connection, field.column)
        if save:
            return column, field.get_db_prep_save(value, connection)
        return column, field.get_db_prep_value(value, connection, prepared=False)

    sets, params = [], []
    for name, value in values.items():
        column, param = prepared(name, value, save=True)
        sets.append(f"{column} = %s")
        params.append(param)
    for name in increment:
        column = _quote(connection, opts.get_field(name).column)
        sets.append(f"{column} = {column} + 1")
    conditions = []
    for name, value in where.items():
        if value is None:
            raise ValueError(f"{name}: a None condition needs IS NULL; use the ORM")
        column, param = prepared(name, value, save=False)
        conditions.append(f"{column} = %s")
        params.append(param)
    if due_by is not None:
        column, param = prepared("next_attempt_at", due_by, save=False)
        conditions.append(f"({column} IS NULL OR {column} <= %s)")
        params.append(param)
    sql = (f"UPDATE {_quote(connection, opts.db_table)} SET {', '.join(sets)} "
           f"WHERE {' AND '.join(conditions)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
