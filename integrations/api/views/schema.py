"""The OpenAPI schema and its two readers (Swagger UI, ReDoc), mounted at /api/schema/,
/api/docs/ and /api/redoc/ by portal/urls.py. drf-spectacular's views, except that their errors
(a 405, an unknown ?format=) are JSON in the API's one shape, not YAML or a text/html line.

Both readers run under the site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY):
Swagger UI is the split view, whose set-up script is a file (`/api/docs/?script=`), not an inline
`<script>`; ReDoc needs no set-up script. Their pages (templates/drf_spectacular/) load the
bundles from drf-spectacular-sidecar's static files and no web font. ReDoc styles itself with
`<style>` elements it writes at run time (styled-components, which takes no nonce), so its view
alone allows inline styles, `blob:` workers for its search index and the image of its
"API docs by Redocly" link. Scripts stay strict.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from integrations.api.errors import JsonErrorsMixin

REDOC_CSP = {
    "style-src": ["'unsafe-inline'"],
    "worker-src": ["'self'", "blob:"],
    # The "API docs by Redocly" logo at the foot of its menu.
    "img-src": ["https://cdn.redoc.ly"],
}


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class SwaggerView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    pass


@method_decorator(csp_update(REDOC_CSP), name="dispatch")
class RedocView(JsonErrorsMixin, SpectacularRedocView):
    pass
