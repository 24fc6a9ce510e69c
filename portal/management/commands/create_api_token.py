"""`manage.py create_api_token EMAIL --name NAME`: a new personal API token, for scripts and CI.

Only the token is written to stdout, so `TOKEN=$(python manage.py create_api_token ...)` works;
what was done goes to stderr. The token is made by portal.tokens.token_create, as on the tokens
page: the same name rules and the same limit of active tokens, and only its hash is stored.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.tokens import TokenError, token_create


class Command(BaseCommand):
    help = ("Create a personal API token for the account with EMAIL and print only the token "
            "(messages go to stderr).")

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account's email address (any letter case).")
        parser.add_argument("--name", required=True,
                            help="What uses the token, such as the CI job (at most 80 characters).")

    def handle(self, *args, email: str, name: str, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email!r}; sign up first "
                               "(or create one with manage.py createsuperuser).")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is disabled; its tokens would be "
                               "refused.")
        try:
            token, plaintext = token_create(user=user, name=name)
        except TokenError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(plaintext)
        self.stderr.write(f"Created the API token {token.name!r} ({token.prefix}...) for "
                          f"{user.email}. It is shown only this once; revoke it on "
                          "/accounts/tokens/.", style_func=lambda text: text)
