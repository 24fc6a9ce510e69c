"""/accounts/tokens/: the signed-in developer's API tokens (namespace "tokens")."""

from django.urls import path

from portal.views import tokens

urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("<int:token_id>/revoke/", tokens.token_revoke_view, name="revoke"),
]
