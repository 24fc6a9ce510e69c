from django.urls import path

from portal.views import site

urlpatterns = [
    path("", site.home, name="home"),
    path("dashboard/", site.dashboard, name="dashboard"),
]
