from django.urls import path

from integrations.catalogue import views

urlpatterns = [
    path("", views.service_list, name="list"),
    path("<slug:service_id>/", views.service_detail, name="detail"),
]
