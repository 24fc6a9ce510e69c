"""`JoinedLookup`: a primary-key look-up of a model with some of its foreign keys, as one
statement built once per process. For the registration worker's hot path only.

Django compiles a query every time it runs; for a four-table `select_related(...).get(pk=...)`
that is about 2 ms of CPU on the benchmark host, more than the database spends on it, and the
worker does one per registration. This builds the same join once, then each look-up runs it with
the ORM's own per-column conversions (`get_db_converters`) and builds the instances with
`Model.from_db`, as a QuerySet would: about 0.4 ms. Deferred fields stay deferred (reading one
loads it, as with `.defer()`), and related instances are cached on their parents, so
`submission.contract.owner` is no further query.

Only forward, non-null foreign keys are supported: an INNER JOIN then finds exactly one row.
`tests/pipeline/test_joined.py` compares every field with `select_related` on both databases.
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import ForeignKey, Model


class JoinedLookup:
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
