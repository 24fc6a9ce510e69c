from django.urls import path

from integrations.catalogue import views

# "compare/" comes before "<service_id>/", so it can never be shadowed by a service id.
urlpatterns = [
    path("", views.service_list, name="list"),
    path("compare/", views.service_compare, name="compare"),
    path("<slug:service_id>/", views.service_detail, name="detail"),
    path("<slug:service_id>/<str:version>.yaml", views.version_yaml, name="yaml"),
]
