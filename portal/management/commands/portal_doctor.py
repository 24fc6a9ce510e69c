"""`manage.py portal_doctor`: one line per check, in plain words; exit 1 when one fails."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from portal.observability.doctor import run_checks


class Command(BaseCommand):
    help = ("Check the database, migrations, the broker, the CAIO core, a worker and beat; "
            "exit 1 when something is wrong.")

    def add_arguments(self, parser):
        parser.add_argument("--worker-timeout", type=float, default=10.0,
                            help="seconds to wait for a worker to answer a ping (default 10)")

    def handle(self, *args, worker_timeout: float, **options):
        findings = run_checks(worker_timeout=worker_timeout)
        for finding in findings:
            mark = self.style.SUCCESS("ok  ") if finding.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {finding.name}: {finding.message}")
        failed = [f.name for f in findings if not f.ok]
        if failed:
            self.stdout.write(self.style.ERROR(f"Something is wrong: {', '.join(failed)}."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Everything the portal needs is working."))
