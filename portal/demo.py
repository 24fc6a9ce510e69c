"""Demo accounts for the default run. Created only when asked for (make run, `demo_accounts`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    is_staff: bool


DEMO_ACCOUNTS = (
    DemoAccount("developer@demo.caio.local", "demo-developer-2026", "Demo Developer", False),
    DemoAccount("reviewer@demo.caio.local", "demo-reviewer-2026", "Demo Reviewer", True),
)


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo developer and reviewer when missing (verified). Never changes a password."""
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        if not User.objects.filter(email__iexact=account.email).exists():
            User.objects.create_user(
                account.email,
                account.password,
                display_name=account.display_name,
                is_staff=account.is_staff,
                email_verified=True,
            )
    return list(DEMO_ACCOUNTS)
