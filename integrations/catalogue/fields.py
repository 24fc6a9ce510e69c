"""A list-of-strings column that works on both databases.

PostgreSQL: a native ``text[]`` (GIN-indexable; ``has_all`` compiles to ``@>``).
SQLite: the list as JSON text, only for display; discovery matches membership through the
``CatalogueTerm`` child table there instead (see integrations/catalogue/discovery.py).
"""

from __future__ import annotations

import json

from django.db import models


class StringListField(models.Field):
    description = "A list of strings (text[] on PostgreSQL, JSON text elsewhere)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        value = [str(v) for v in value]
        return value if connection.vendor == "postgresql" else json.dumps(value)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value


@StringListField.register_lookup
class HasAll(models.Lookup):
    """``field__has_all=[a, b]``: every listed value is present (PostgreSQL only, GIN-indexed)."""

    lookup_name = "has_all"

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotImplementedError("has_all is PostgreSQL-only; use CatalogueTerm elsewhere")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> {rhs}::text[]", [*lhs_params, *rhs_params]
