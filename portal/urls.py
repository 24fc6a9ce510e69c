"""Root URLconf. Each app owns its URL module; names are namespaced (contracts:edit)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal.views import site

urlpatterns = [
    path("", include(("portal.site_urls", "portal"))),
    path("accounts/tokens/", include(("portal.token_urls", "tokens"))),
    path("accounts/", include(("portal.accounts.urls", "accounts"))),
    path("contracts/", include(("contracts_app.urls", "contracts"))),
    path("services/", include(("integrations.catalogue.urls", "catalogue"))),
    path("integrations/", include(("integrations.review.urls", "integrations"))),
    path("api/v1/", include(("integrations.api.urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="openapi-schema"), name="api-redoc"),
    path("healthz", site.healthz, name="healthz"),
    path("readyz", site.readyz, name="readyz"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "CAIO Developer Portal: review"
admin.site.site_title = "CAIO review"
admin.site.index_title = "Submissions, services and accounts"
