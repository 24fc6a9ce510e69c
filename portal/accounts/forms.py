"""Account forms. Validation only; the work happens in portal.accounts.services."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from portal.accounts.services import normalise_email

DISPLAY_NAME_MAX = 60


def clean_display_name(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise forms.ValidationError("Enter a display name.")
    if len(value) > DISPLAY_NAME_MAX:
        raise forms.ValidationError(f"Keep the display name to {DISPLAY_NAME_MAX} characters.")
    if "@" in value:
        raise forms.ValidationError(
            "A display name is shown publicly, so it cannot contain “@” (no email addresses)."
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise forms.ValidationError("The display name contains invisible control characters.")
    return value


class NoColonMixin:
    """Labels read "Email", not "Email:" (screen readers and tests find fields by label)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _password_by_authentication(request, user, password: str) -> bool:
    """Check a password through the authentication backends, so django-axes counts failures
    on the profile forms as it does on the sign-in form."""
    return authenticate(request, username=user.email, password=password) is not None


class LoginForm(NoColonMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": ("That email and password do not match an account. Check both, or "
                          "reset your password."),
        "inactive": "This account is disabled.",
    }


class SignupForm(NoColonMixin, forms.Form):
    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        label="Display name", max_length=DISPLAY_NAME_MAX * 2,
        help_text="Shown publicly, for example as a service's owner. Not your email.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = get_user_model()(email=cleaned.get("email") or "",
                                     display_name=cleaned.get("display_name") or "")
            try:
                password_validation.validate_password(password, user=probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class ProfileForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["display_name"]
        labels = {"display_name": "Display name"}
        help_texts = {"display_name": "Shown publicly. Your email never is."}

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])


class EmailChangeForm(NoColonMixin, forms.Form):
    new_email = forms.EmailField(label="New email", max_length=254,
                                 widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    current_password = forms.CharField(
        label="Current password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_new_email(self) -> str:
        email = normalise_email(self.cleaned_data["new_email"])
        if email == self.user.email.lower():
            raise forms.ValidationError("That is already your email address.")
        return email

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not _password_by_authentication(self.request, self.user, password):
            raise forms.ValidationError("Your current password is not correct.")
        return password


class PortalPasswordChangeForm(NoColonMixin, PasswordChangeForm):
    # Offered, never forced: a CI job's token would stop working (a reset always revokes them).
    revoke_tokens = forms.BooleanField(
        label="Also revoke my API tokens", required=False,
        help_text="Tick it if someone else may know your old password: scripts and CI jobs "
                  "using your tokens then need new ones.")

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not _password_by_authentication(self.request, self.user, old_password):
            raise forms.ValidationError(self.error_messages["password_incorrect"],
                                        code="password_incorrect")
        return old_password


class PortalPasswordResetForm(NoColonMixin, PasswordResetForm):
    """Django's reset form, for the address only: the view hands it to a worker, which sends
    at most one email a minute per account (portal/accounts/mail.py)."""

    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class PortalSetPasswordForm(NoColonMixin, SetPasswordForm):
    pass
