from django.urls import path

from contracts_app import views

urlpatterns = [
    path("<slug:service_id>/", views.contract_detail, name="detail"),
]
