"""Fragments and actions served by integrations (namespace "integrations"): the submission panel."""

from django.urls import path

from integrations.review import views

urlpatterns = [
    path("submissions/", views.summary, name="summary"),
    path("panel/<slug:service_id>/", views.panel, name="panel"),
    path("panel/<slug:service_id>/submit/", views.submit, name="submit"),
    path("panel/<slug:service_id>/cancel/", views.cancel, name="cancel"),
    path("panel/<slug:service_id>/deprecate/", views.deprecate, name="deprecate"),
    path("panel/<slug:service_id>/withdraw/", views.withdraw, name="withdraw"),
]
