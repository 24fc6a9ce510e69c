"""The OpenAPI schema and its two readers (Swagger UI, ReDoc), mounted at /api/schema/,
/api/docs/ and /api/redoc/ by portal/urls.py. drf-spectacular's views, except that their errors
(a 405, an unknown ?format=) are JSON in the API's one shape, not YAML or a text/html line."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from integrations.api.errors import JsonErrorsMixin


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class SwaggerView(JsonErrorsMixin, SpectacularSwaggerView):
    pass


class RedocView(JsonErrorsMixin, SpectacularRedocView):
    pass
