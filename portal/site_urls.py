from django.urls import path

from portal.views import dashboard, docs, sdk, site

urlpatterns = [
    path("", site.home, name="home"),
    path("favicon.ico", site.favicon, name="favicon"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("docs/", docs.index, name="docs"),
    path("docs/search/", docs.search_view, name="docs_search"),
    path("docs/<slug:slug>/", docs.page, name="docs_page"),
    path("schemas/contract/v1.json", docs.contract_schema, name="contract_schema"),
    path("sdk/", sdk.page, name="sdk"),
    path("sdk/<str:filename>", sdk.wheel, name="sdk_wheel"),
]
