"""Account pages: sign-up, verification, sign-in/out, profile, password change and reset."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts import services
from portal.accounts.forms import (
    EmailChangeForm,
    LoginForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    ProfileForm,
    SignupForm,
)
from portal.accounts.services import VerifyOutcome

SIGNUP_SESSION_KEY = "accounts_signup_email"


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- Sign in and out ------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out happens on POST only; a GET shows a page with the button (no dead end)."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/logout.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, status=200)

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are signed out.")
        return response


# --- Sign up and verification ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.signup_allowed(client_ip=getattr(request, "axes_ip_address", None)
                                       or request.META.get("REMOTE_ADDR")):
            form.add_error(None, "Too many sign-ups from your network in the last hour. "
                                 "Please try again later.")
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        services.user_signup(email=form.cleaned_data["email"],
                             password=form.cleaned_data["password"],
                             display_name=form.cleaned_data["display_name"])
        # Stored whether or not an account was created, so the response is the same either way.
        # Following the link in this same browser signs the new account in.
        request.session[SIGNUP_SESSION_KEY] = form.cleaned_data["email"]
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET"])
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@require_http_methods(["GET"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    result = services.email_verify(token=token)
    user = result.user
    if result.outcome in (VerifyOutcome.VERIFIED, VerifyOutcome.CHANGED, VerifyOutcome.ALREADY):
        signup_email = request.session.get(SIGNUP_SESSION_KEY)
        if (result.outcome == VerifyOutcome.VERIFIED and not request.user.is_authenticated
                and signup_email and signup_email == user.email.lower()):
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if request.user.is_authenticated and request.user.pk == user.pk:
            messages.success(request, _VERIFY_MESSAGES[result.outcome])
            return redirect(settings.LOGIN_REDIRECT_URL)
    status = 200 if result.outcome in _VERIFY_MESSAGES else 400
    return render(request, "accounts/verify.html",
                  {"outcome": result.outcome.value, "max_age_days":
                   services.link_lifetime_days()}, status=status)


_VERIFY_MESSAGES = {
    VerifyOutcome.VERIFIED: "Thank you: your email address is confirmed.",
    VerifyOutcome.CHANGED: "Your new email address is confirmed and is now your login.",
    VerifyOutcome.ALREADY: "Your email address was already confirmed.",
}


@login_required
@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    outcome = services.email_verification_resend(user=request.user)
    if request.htmx:  # 200 even when rate-limited: htmx swaps only successful responses
        return render(request, "accounts/_unverified_banner.html",
                      {"resend_outcome": outcome.value, "resend_message": outcome.message})
    level = messages.SUCCESS if outcome == services.ResendOutcome.SENT else messages.WARNING
    messages.add_message(request, level, outcome.message)
    return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))


# --- Profile --------------------------------------------------------------------------------


def _profile_page(request, *, profile_form=None, email_form=None, status=200) -> HttpResponse:
    return render(request, "accounts/profile.html", {
        "profile_form": profile_form or ProfileForm(instance=request.user),
        "email_form": email_form or EmailChangeForm(user=request.user, request=request),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _profile_page(request)
    form = ProfileForm(request.POST, instance=request.user)
    if not form.is_valid():
        request.user.refresh_from_db(fields=["display_name"])
        return _profile_page(request, profile_form=form, status=400)
    services.profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
    messages.success(request, "Your display name is saved.")
    return redirect("accounts:profile")


@login_required
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        return _profile_page(request, email_form=form, status=400)
    new_email = form.cleaned_data["new_email"]
    if not services.email_change(user=request.user, new_email=new_email):
        messages.warning(request, "You asked for a change less than a minute ago. Check your "
                                  "inbox, or try again in a minute.")
        return redirect("accounts:profile")
    messages.success(request, f"We sent a confirmation link to {new_email}. Your email stays "
                              "as it is until you follow that link.")
    return redirect("accounts:profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = services.password_changed(user=form.user,
                                            revoke_tokens=form.cleaned_data["revoke_tokens"])
        tokens = (f" {revoked} API token{'s' if revoked != 1 else ''} revoked."
                  if form.cleaned_data["revoke_tokens"] else "")
        messages.success(self.request,
                         f"Your password is changed. Other sessions are signed out.{tokens}")
        return response


# --- Password reset (Django's views, namespaced) --------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        """The same answer whoever asks: a worker looks the address up and emails the link."""
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_completed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
