"""Fragments and actions served by integrations (the submission panel lives here)."""

urlpatterns: list = []
