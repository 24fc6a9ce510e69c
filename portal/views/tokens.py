"""The API tokens page (/accounts/tokens/): list, create (shown once, with a scope and an optional
expiry), revoke with confirmation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from portal.models import ApiToken, TokenScope
from portal.tokens import TokenError, token_create, token_expiry, token_revoke

EXPIRY_CHOICES = [("", "Never"), ("7", "In 7 days"), ("30", "In 30 days"), ("90", "In 90 days"),
                  ("365", "In a year")]


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=80,
                           help_text="Where you will use it, for example 'laptop' or 'CI'.")
    scope = forms.ChoiceField(
        label="Scope", choices=TokenScope.choices, initial=TokenScope.READ_WRITE, required=False,
        widget=forms.RadioSelect,
        help_text="Read only: it may read, validate and discover, but not save, register, "
                  "deprecate or withdraw.")
    expires = forms.TypedChoiceField(label="Expires", choices=EXPIRY_CHOICES, required=False,
                                     coerce=int, empty_value=None,
                                     help_text="After this, requests with the token are refused.")

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or TokenScope.READ_WRITE


def _page(request: HttpRequest, form: TokenCreateForm, *, new_token: str | None = None,
          new_name: str = "", status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(request, "portal/tokens.html", {
        "form": form, "tokens": tokens, "new_token": new_token, "new_name": new_name,
    }, status=status)
    add_never_cache_headers(response)  # the one response that carries a token is never cached
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, plaintext = token_create(
            user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
            expires_at=token_expiry(days=form.cleaned_data["expires"]))
    except TokenError as exc:
        form.add_error("name", exc.message)
        return _page(request, form, status=400)
    # Rendered, not redirected: the plaintext is never stored, not even in the session.
    return _page(request, TokenCreateForm(), new_token=plaintext, new_name=token.name,
                 status=201)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method == "GET":
        return render(request, "portal/token_revoke.html", {"token": token})
    token_revoke(token=token, user=request.user)
    messages.success(request, f"The token “{token.name}” was revoked; requests using it are "
                              "now refused.")
    return redirect("tokens:list")
