"""Publishing a registered contract revision into the catalogue tables.

Called by the pipeline in the same transaction as the submission's move to `registered`, and by
`seed_demo`. It is the one place that maps a contract's fields to the catalogue's typed columns.
"""

from __future__ import annotations

import uuid
from typing import Any

from caio_integration.contracts import semver_key
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from contracts_app.offer import offer_fields
from integrations.models import (
    CatalogueEntry,
    CatalogueTerm,
    RegisteredService,
    ServiceStatus,
    ServiceVersion,
)


def version_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The typed catalogue columns for a valid contract's parsed data."""
    return {
        "version": data["version"],
        "version_key": semver_key(data["version"]),
        "name": data.get("name", data["service_id"]),
        "description": data.get("description") or "",
        "tags": list(data.get("tags") or []),
        "capabilities": sorted(set(data.get("capabilities") or [])),
        **offer_fields(data),  # guarantees, constraints, cost: contracts_app's one mapping
        "endpoint": data.get("endpoint") or "",
        "documentation_url": data.get("documentation_url") or "",
        "contact": data.get("contact") or "",
    }


def catalogue_publish_revision(
    *, contract, revision, new_service: bool = False
) -> tuple[RegisteredService, ServiceVersion]:
    """Record `revision` as a registered version and make it the service's current one.

    Call inside the transaction that marks the submission registered. Creates the
    RegisteredService on first registration; a withdrawn service becomes active again.
    `new_service=True`: the caller knows the contract has no service yet, so it is created
    without a look-up (if one appeared after all, the unique constraint fails the transaction).
    """
    data = revision.data
    if new_service:
        service = RegisteredService.objects.create(contract=contract,
                                                   service_id=contract.service_id)
        created = True
    else:
        service, created = RegisteredService.objects.select_for_update().get_or_create(
            contract=contract, defaults={"service_id": contract.service_id}
        )
    service.contract = contract  # the caller's row (and its loaded owner), not a reload
    # The service row is locked, so a plain look-up then insert or update is safe (no savepoints).
    fields = {"revision": revision,
              **{k: v for k, v in version_fields(data).items() if k != "version"}}
    version = None
    if not created:
        try:
            version = ServiceVersion.objects.get(service=service, version=data["version"])
        except ServiceVersion.DoesNotExist:
            pass
    if version is None:
        version = ServiceVersion.objects.create(service=service, version=data["version"], **fields)
    else:
        for name, value in fields.items():
            setattr(version, name, value)
        version.save(update_fields=list(fields))
    service.current_version = version
    if service.status == ServiceStatus.WITHDRAWN:
        service.status = ServiceStatus.ACTIVE
    service.updated_at = timezone.now()
    RegisteredService.objects.filter(pk=service.pk).update(
        current_version=version, status=service.status, updated_at=service.updated_at)
    catalogue_refresh_entry(service=service, new=created)
    return service, version


def catalogue_set_status(
    *, service: RegisteredService, status: str, successor: RegisteredService | None = None
) -> RegisteredService:
    """Mark a service active, deprecated or withdrawn in the catalogue (with an optional successor).

    Called by the pipeline when a deprecate or withdraw operation completes.
    """
    if status not in ServiceStatus.values:
        raise ValueError(f"unknown service status {status!r}")
    if successor is not None and successor.pk == service.pk:
        raise ValueError("a service cannot be its own successor")
    service.status = status
    if successor is not None or status == ServiceStatus.ACTIVE:
        service.successor = successor
    service.save(update_fields=["status", "successor", "updated_at"])
    catalogue_refresh_entry(service=service)
    return service


# --- Discovery's index (CatalogueEntry / CatalogueTerm) -------------------------------------

CAPABILITY = "c"
LANGUAGE = "l"


def owner_key(name: str) -> str:
    """How an owner's display name is matched: lowercased (the owner filter and text search)."""
    return name.lower()


def search_text(*, version: ServiceVersion, service_id: str, owner_name: str) -> str:
    """What text search reads: name, service id, description, tags and the owner's display name
    (as the catalogue shows it; never an email), lowercased. On PostgreSQL the generated
    tsvector is built from it (migration catalogue_entry)."""
    words = [version.name, service_id, version.description, *[str(t) for t in version.tags],
             owner_name]
    return owner_key(" ".join(words))


def catalogue_entry_values(*, service: RegisteredService, version: ServiceVersion, owner) -> dict:
    """The CatalogueEntry columns for `service` at `version` (also used by seed_demo's bulk path)."""
    owner_name = owner.display_name or "unknown"
    return {
        "version_id": version.pk,
        "service_id": service.service_id,
        "deprecated": service.status == ServiceStatus.DEPRECATED,
        "name": version.name,
        "description": version.description,
        "version_label": version.version,
        "owner_id": owner.pk,
        "owner_name": owner_name,
        "owner_key": owner_key(owner_name),
        "p95_ms": version.p95_ms,
        "p99_ms": version.p99_ms,
        "accuracy_min": version.accuracy_min,
        "availability_target": version.availability_target,
        "max_tokens": version.max_tokens,
        "max_images": version.max_images,
        "cost_per_request": version.cost_per_request,
        "cost_per_token": version.cost_per_token,
        "currency": version.currency,
        "registered_at": version.registered_at,
        "capabilities": sorted(set(version.capabilities)),
        "languages": sorted(set(version.languages)),
        "search_text": search_text(version=version, service_id=service.service_id,
                                   owner_name=owner_name),
    }


def catalogue_entry_terms(*, entry_pk: int, capabilities, languages) -> list[CatalogueTerm]:
    return [CatalogueTerm(entry_id=entry_pk, kind=CAPABILITY, value=v) for v in sorted(set(capabilities))] + [
        CatalogueTerm(entry_id=entry_pk, kind=LANGUAGE, value=v) for v in sorted(set(languages))
    ]


def catalogue_refresh_entry(*, service: RegisteredService, new: bool = False) -> CatalogueEntry | None:
    """Bring the service's CatalogueEntry (and its terms) in line with the service.

    Listed services (active, deprecated) with a current version have exactly one entry; withdrawn
    ones have none, so discovery can never return them. `new=True` (a service created in this
    transaction, so it has no entry yet) skips the look-ups. Unchanged terms are left alone.
    """
    catalogue_changed()
    version = service.current_version
    if service.status == ServiceStatus.WITHDRAWN or version is None:
        CatalogueEntry.objects.filter(registered_service=service).delete()
        return None
    owner = service.contract.owner
    values = catalogue_entry_values(service=service, version=version, owner=owner)
    terms = catalogue_entry_terms(
        entry_pk=service.pk, capabilities=values["capabilities"], languages=values["languages"]
    )
    if new:
        entry = CatalogueEntry.objects.create(registered_service=service, **values)
        CatalogueTerm.objects.bulk_create(terms)
        return entry
    entry, created = CatalogueEntry.objects.update_or_create(
        registered_service=service, defaults=values)
    if not created:
        have = set(CatalogueTerm.objects.filter(entry=entry).values_list("kind", "value"))
        if have == {(t.kind, t.value) for t in terms}:
            return entry
        CatalogueTerm.objects.filter(entry=entry).delete()
    CatalogueTerm.objects.bulk_create(terms)
    return entry


def catalogue_refresh_owner(*, user) -> int:
    """Copy a user's new display name into their catalogue entries (call after a rename): the
    name shown, the owner filter's key and the text search's words."""
    name = user.display_name or "unknown"
    entries = list(CatalogueEntry.objects.filter(owner=user).select_related("version"))
    for entry in entries:
        entry.owner_name, entry.owner_key = name, owner_key(name)
        entry.search_text = search_text(version=entry.version, service_id=entry.service_id,
                                        owner_name=name)
    CatalogueEntry.objects.bulk_update(entries, ["owner_name", "owner_key", "search_text"])
    if entries:
        catalogue_changed()
    return len(entries)


# --- The list's cached counts (integrations/catalogue/selectors.py, catalogue_counts) --------

COUNTS_GENERATION_KEY = "catalogue:counts-generation:v1"


def catalogue_changed() -> None:
    """Drop every cached list count: call after any change to the catalogue's rows.

    The generation the count keys carry is replaced at once (so this transaction's own reads,
    and a test's, see fresh counts) and again after the commit, so that a reader which counted
    the old rows between the first replacement and the commit cannot keep its answer. A no-op
    when the counts are not cached (CATALOGUE_COUNTS_CACHE_SECONDS=0).
    """
    if not settings.CATALOGUE_COUNTS_CACHE_SECONDS:
        return
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(COUNTS_GENERATION_KEY, uuid.uuid4().hex, None)


def catalogue_generation() -> str:
    """The current generation of the catalogue's rows, as `catalogue_changed` last set it."""
    generation = cache.get(COUNTS_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(COUNTS_GENERATION_KEY, generation, None):
            generation = cache.get(COUNTS_GENERATION_KEY) or generation
    return generation
