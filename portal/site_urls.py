from django.urls import path

from portal.views import dashboard, site

urlpatterns = [
    path("", site.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
