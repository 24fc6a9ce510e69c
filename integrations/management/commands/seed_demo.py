"""`manage.py seed_demo [--services N] [--if-empty] [--seed S]`: a living catalogue for demos.

Writes the SDK's example contracts (validated with the SDK's validator, published through
catalogue_publish_revision) and N generated services straight into the catalogue tables with
bulk inserts, never through a CAIO core. Refuses to run when CAIO_CORE_URL is set: a real core's
catalogue must only hold what that core registered.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from datetime import timedelta

from caio_integration.contracts import examples, read_template, validate_text
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from contracts_app.models import Contract, ContractRevision
from integrations.catalogue import demo
from integrations.catalogue.publishing import (
    catalogue_entry_terms,
    catalogue_entry_values,
    catalogue_publish_revision,
    version_fields,
)
from integrations.models import (
    CatalogueEntry,
    CatalogueTerm,
    RegisteredService,
    ServiceStatus,
    ServiceVersion,
)

CHUNK = 5000
BATCH = 2000


@contextlib.contextmanager
def _explicit_timestamps(*fields):
    """Let bulk_create keep the timestamps we set instead of auto_now_add's 'now'."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


class Command(BaseCommand):
    help = "Load the SDK examples and a generated catalogue (bulk inserts; never via a core)."

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, default=250,
                            help="How many generated services to add (default 250).")
        parser.add_argument("--if-empty", action="store_true", dest="if_empty",
                            help="Do nothing when the catalogue already has services.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (deterministic).")
        parser.add_argument("--no-examples", action="store_true", dest="no_examples")

    def handle(self, *args, services: int, if_empty: bool, seed: int, no_examples: bool,
               **options):
        if settings.CAIO_CORE_URL:
            raise CommandError(
                "seed_demo refuses to run with CAIO_CORE_URL set: the catalogue must only hold "
                "services the real core registered. Unset CAIO_CORE_URL to seed a local portal."
            )
        if services < 0:
            raise CommandError("--services must be zero or more.")
        if if_empty and RegisteredService.objects.exists():
            self.stdout.write("The catalogue already has services; seed_demo left it alone.")
            return
        started = time.monotonic()
        added = 0 if no_examples else self._examples()
        rng = random.Random(seed)
        start = RegisteredService.objects.count()
        done = 0
        while done < services:
            size = min(CHUNK, services - done)
            self._generated(rng, start + done, size)
            done += size
            if services >= 20000:
                self.stdout.write(f"  {done}/{services} services…")
        self._after_bulk_load()
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {added} example and {services} generated services "
            f"in {time.monotonic() - started:.1f}s."
        ))

    def _after_bulk_load(self) -> None:
        """Fresh planner statistics, a clean GIN pending list and visibility map on PostgreSQL
        (index-only scans need it), and no stale catalogue-wide counts in the cache."""
        from django.core.cache import cache
        from django.db import connection

        from integrations.catalogue.discovery import TERM_COUNTS_CACHE_KEY
        from integrations.catalogue.publishing import catalogue_changed

        cache.delete(TERM_COUNTS_CACHE_KEY)
        catalogue_changed()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                for table in ("integrations_catalogueentry", "integrations_catalogueterm"):
                    cursor.execute(f"VACUUM ANALYZE {table}")

    # --- The SDK's examples, through the normal publishing function -------------------------
    def _examples(self) -> int:
        User = get_user_model()
        added = 0
        for name in examples():
            text = read_template(name)
            result = validate_text(text)
            if not result.valid:
                self.stderr.write(f"Skipped example {name}: it does not validate.")
                continue
            data = result.data
            if Contract.objects.filter(service_id=data["service_id"]).exists():
                continue
            org = data["service_id"].split("-")[0].title()
            owner, _ = User.objects.get_or_create(
                email=f"examples+{data['service_id']}@seed.caio.local",
                defaults={"display_name": f"{org} (example)", "password": make_password(None)},
            )
            with transaction.atomic():
                contract = Contract.objects.create(owner=owner, service_id=data["service_id"])
                revision = ContractRevision.objects.create(
                    contract=contract, number=1, text=text, data=data, is_valid=True,
                    diagnostics=[], author=owner,
                )
                catalogue_publish_revision(contract=contract, revision=revision)
            added += 1
        return added

    # --- Generated services, bulk inserted chunk by chunk -----------------------------------
    @transaction.atomic
    def _generated(self, rng: random.Random, offset: int, count: int) -> None:
        User = get_user_model()
        batch = uuid.uuid4().hex[:8]
        unusable = make_password(None)
        names = demo.owner_names(rng, max(3, count // 40))
        owners = User.objects.bulk_create(
            [User(email=f"seed-{batch}-{i}@seed.caio.local", display_name=name, password=unusable)
             for i, name in enumerate(names)],
            batch_size=BATCH,
        )
        now = timezone.now()
        rows = []  # (data, owner, status, versions [(data, when)])
        for i in range(count):
            data = demo.contract_data(rng, offset + i)
            owner = rng.choice(owners)
            roll = rng.random()
            status = (ServiceStatus.WITHDRAWN if roll < 0.01 else
                      ServiceStatus.DEPRECATED if roll < 0.03 else ServiceStatus.ACTIVE)
            created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 700))
            history = [(data, created)]
            extra = 2 if roll > 0.95 else 1 if roll > 0.85 else 0
            major, minor, patch = (int(p) for p in data["version"].split("."))
            for n in range(extra):
                later = dict(data, version=f"{major}.{minor + n + 1}.{patch}")
                when = created + timedelta(minutes=rng.randint(1, 60 * 24 * 30) * (n + 1))
                history.append((later, min(when, now - timedelta(seconds=n + 1))))
            rows.append((data, owner, status, history))

        contracts = Contract.objects.bulk_create(
            [Contract(owner=owner, service_id=data["service_id"]) for data, owner, _, _ in rows],
            batch_size=BATCH,
        )
        revisions = []
        for contract, (_, owner, _, history) in zip(contracts, rows, strict=True):
            for number, (data, _when) in enumerate(history, start=1):
                revisions.append(ContractRevision(
                    contract=contract, number=number, text=demo.contract_yaml(data),
                    data=demo.json_ready(data), is_valid=True, diagnostics=[], author=owner,
                ))
        revisions = ContractRevision.objects.bulk_create(revisions, batch_size=BATCH)
        with _explicit_timestamps(RegisteredService._meta.get_field("created_at"),
                                  ServiceVersion._meta.get_field("registered_at")):
            services = RegisteredService.objects.bulk_create(
                [RegisteredService(contract=c, service_id=c.service_id, status=status,
                                   created_at=history[0][1])
                 for c, (_, _, status, history) in zip(contracts, rows, strict=True)],
                batch_size=BATCH,
            )
            versions, rev_iter = [], iter(revisions)
            for service, (_, _, _, history) in zip(services, rows, strict=True):
                for data, when in history:
                    versions.append(ServiceVersion(
                        service=service, revision=next(rev_iter), registered_at=when,
                        **version_fields(demo.json_ready(data)),
                    ))
            versions = ServiceVersion.objects.bulk_create(versions, batch_size=BATCH)
        ids = [s.pk for s in services]
        RegisteredService.objects.filter(pk__in=ids).update(current_version=Subquery(
            ServiceVersion.objects.filter(service=OuterRef("pk")).order_by("-version_key")
            .values("pk")[:1]
        ))
        current = {}
        for v in versions:  # the last (highest) version of each service
            current[v.service_id] = v
        entries, terms = [], []
        for service, (_, owner, status, _) in zip(services, rows, strict=True):
            if status == ServiceStatus.WITHDRAWN:
                continue
            version = current[service.pk]
            values = catalogue_entry_values(service=service, version=version, owner=owner)
            entries.append(CatalogueEntry(registered_service_id=service.pk, **values))
            terms += catalogue_entry_terms(entry_pk=service.pk, capabilities=values["capabilities"],
                                           languages=values["languages"])
        CatalogueEntry.objects.bulk_create(entries, batch_size=BATCH)
        CatalogueTerm.objects.bulk_create(terms, batch_size=BATCH * 2)
