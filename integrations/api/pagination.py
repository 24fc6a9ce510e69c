"""Limit/offset pages with bounds: at most 200 rows a page, offsets clamped (never an overflow).

``limit`` and ``offset`` are whole numbers as the schema says (limit 1 or more, offset 0 or more);
anything else (``offset=null``, ``limit=true``, ``limit=-1``) is a 400, not silently the default.
"""

from __future__ import annotations

import re

from rest_framework.pagination import LimitOffsetPagination

from integrations.api.errors import ApiError

MAX_OFFSET = 1_000_000
_WHOLE = re.compile(r"[0-9]+")
_BIG = 10**18  # longer digit strings are clamped before int() reads them


class ApiPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def _whole(self, request, name: str, minimum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not _WHOLE.fullmatch(raw) or (len(raw) <= 18 and int(raw) < minimum):
            message = f"{name} must be a whole number of {minimum} or more."
            raise ApiError(f"Invalid {name}: {message}", code="invalid_input",
                           details={name: [message]})
        return int(raw) if len(raw) <= 18 else _BIG

    def get_limit(self, request) -> int:
        limit = self._whole(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request) -> int:
        return min(self._whole(request, self.offset_query_param, 0) or 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (f"Rows per page: {self.default_limit} by default, "
                                            f"at most {self.max_limit} (more is read as "
                                            f"{self.max_limit}).")
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"]["minimum"] = 0
                parameter["description"] = ("The first row's position (0 by default; past "
                                            f"{MAX_OFFSET:,} is read as {MAX_OFFSET:,}).")
        return parameters
