"""`manage.py docs_generate [--check]`: rewrite the generated parts of the user docs
(portal/docs_generate.py says which); with --check, change nothing and fail on a difference."""

from __future__ import annotations

import difflib

from django.core.management.base import BaseCommand, CommandError

from portal.docs_blocks import ROOT
from portal.docs_generate import regenerate


class Command(BaseCommand):
    help = ("Regenerate the SDK reference's signatures, the CLI's --help output and the API "
            "reference's endpoints and schemas in sdk/docs/ (between <!-- generated:... --> "
            "markers).")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Write nothing; exit 1 and show the difference when a part is "
                                 "out of date.")

    def handle(self, *args, check: bool, **options):
        stale = []
        for relative, (current, new) in regenerate().items():
            if current == new:
                continue
            stale.append(relative)
            if check:
                self.stdout.writelines(difflib.unified_diff(
                    current.splitlines(keepends=True), new.splitlines(keepends=True),
                    f"a/{relative}", f"b/{relative}"))
            else:
                (ROOT / relative).write_text(new, encoding="utf-8")
                self.stderr.write(f"Rewrote {relative}.")
        if check and stale:
            raise CommandError(f"Out of date: {', '.join(stale)}. Run: python manage.py "
                               "docs_generate")
        if not stale:
            self.stderr.write("The generated parts are up to date.")
