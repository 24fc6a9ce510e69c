"""Accounts: the custom user (email login, public display name), email confirmation links and
API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        extra.setdefault("display_name", email.split("@", 1)[0])
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A developer or reviewer. The email is the login and is never shown on public pages."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=60, help_text="Shown publicly, for example as a service's owner."
    )
    email_verified = models.BooleanField(default=False)
    is_staff = models.BooleanField(
        default=False, help_text="Reviewers: may sign in to the admin and review submissions."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class EmailConfirmation(models.Model):
    """One emailed confirmation link (portal/accounts/tokens.py). The link carries a random token
    that says nothing; only its SHA-256 is kept, with what it confirms: the address `email` for
    `user`, while the account's email is still `current` (its email when the link was sent)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(help_text="The address the link confirms.")
    current = models.EmailField(help_text="The account's email when the link was sent.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"confirmation for user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class TokenScope(models.TextChoices):
    READ_WRITE = "read-write", "Read and write"
    READ_ONLY = "read-only", "Read only"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Neither revoked nor expired: the tokens that authenticate."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now()))


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once.

    A read-only token may read, and ask the read-like endpoints (validate, discover); writing
    takes a read-write one (integrations/api/permissions.py). Past `expires_at` it is refused
    as an unknown token is.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16, help_text="The token's first characters, for display.")
    scope = models.CharField(max_length=10, choices=TokenScope.choices,
                             default=TokenScope.READ_WRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text="Refused from then on; empty: never expires.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def read_only(self) -> bool:
        return self.scope == TokenScope.READ_ONLY


class WorkerHeartbeat(models.Model):
    """Written by the `portal.ping` task: proof that a worker ran and reached the database."""

    marker = models.CharField(max_length=100, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.marker} at {self.at:%Y-%m-%d %H:%M:%S}"
