"""`manage.py create_api_token EMAIL --name NAME [--expires-days N] [--read-only]`: a new personal
API token, for scripts and CI.

Only the token is written to stdout, so `TOKEN=$(python manage.py create_api_token ...)` works;
what was done goes to stderr. The token is made by portal.tokens.token_create, as on the tokens
page: the same name, scope and expiry rules and the same limit of active tokens, and only its hash
is stored.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.models import TokenScope
from portal.tokens import MAX_EXPIRY_DAYS, TokenError, token_create, token_expiry


class Command(BaseCommand):
    help = ("Create a personal API token for the account with EMAIL and print only the token "
            "(messages go to stderr).")

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account's email address (any letter case).")
        parser.add_argument("--name", required=True,
                            help="What uses the token, such as the CI job (at most 80 characters).")
        parser.add_argument("--expires-days", type=int, default=None, metavar="N",
                            help=f"The token is refused after N days (1 to {MAX_EXPIRY_DAYS}); "
                                 "without it, it never expires.")
        parser.add_argument("--read-only", action="store_true",
                            help="A read-only token: it may read, validate and discover, but not "
                                 "save, register, deprecate or withdraw.")

    def handle(self, *args, email: str, name: str, expires_days: int | None, read_only: bool,
               **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email!r}; sign up first "
                               "(or create one with manage.py createsuperuser).")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is disabled; its tokens would be "
                               "refused.")
        scope = TokenScope.READ_ONLY if read_only else TokenScope.READ_WRITE
        try:
            token, plaintext = token_create(user=user, name=name, scope=scope,
                                            expires_at=token_expiry(days=expires_days))
        except TokenError as exc:
            raise CommandError(exc.message) from None
        expiry = (f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at
                  else "never expires")
        self.stdout.write(plaintext)
        self.stderr.write(f"Created the {token.scope} API token {token.name!r} ({token.prefix}...) "
                          f"for {user.email}; it {expiry}. It is shown only this once; revoke it "
                          "on /accounts/tokens/.", style_func=lambda text: text)
