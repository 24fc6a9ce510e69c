"""Root URLconf. Each app owns its URL module; names are namespaced (contracts:edit).

Django's error answers (400, 403, 404, 500, and the CSRF failure view in settings) are
portal/views/errors.py: JSON in the API's one error shape under /api/, Django's pages elsewhere.
"""

from django.contrib import admin
from django.urls import include, path

from integrations.api.views.schema import RedocView, SchemaView, SwaggerView
from portal.views import site

urlpatterns = [
    path("", include(("portal.site_urls", "portal"))),
    path("accounts/tokens/", include(("portal.token_urls", "tokens"))),
    path("accounts/", include(("portal.accounts.urls", "accounts"))),
    path("contracts/", include(("contracts_app.urls", "contracts"))),
    path("services/", include(("integrations.catalogue.urls", "catalogue"))),
    path("integrations/", include(("integrations.review.urls", "integrations"))),
    path("api/v1/", include(("integrations.api.urls", "api"))),
    path("api/schema/", SchemaView.as_view(), name="openapi-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="openapi-schema"), name="api-redoc"),
    path("healthz", site.healthz, name="healthz"),
    path("readyz", site.readyz, name="readyz"),
    path("metrics", site.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.errors.bad_request"
handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"

admin.site.site_header = "CAIO Developer Portal: review"
admin.site.site_title = "CAIO review"
admin.site.index_title = "Submissions, services and accounts"
