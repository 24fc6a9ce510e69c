"""Registration and the catalogue: submissions, operations, their timeline, registered services.

State machines are in docs/pipeline.md; the packages are pictured in docs/architecture.md. Transitions happen only in
integrations/pipeline (conditional UPDATEs); these models hold data and constraints.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from integrations.catalogue.fields import StringListField


class SubmissionStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "Pending review"
    APPROVED = "approved", "Approved"
    QUEUED = "queued", "Queued"
    REGISTERING = "registering", "Registering"
    REGISTERED = "registered", "Registered"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


OPEN_SUBMISSION_STATUSES = (
    SubmissionStatus.PENDING_REVIEW,
    SubmissionStatus.APPROVED,
    SubmissionStatus.QUEUED,
    SubmissionStatus.REGISTERING,
)


class LeasedJob(models.Model):
    """What every job a worker claims carries: submissions and service operations.

    A worker claims a job with a conditional UPDATE that moves it to its running status, adds one
    to `attempts` (the fencing token of every later update) and sets `lease_until`. A retry waits
    in `next_attempt_at`; the sweeper re-sends jobs whose message was lost and takes back those
    whose lease passed. The functions that do all this are in integrations/pipeline/jobs.py.
    """

    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Submission(LeasedJob):
    """A request to register one revision of a contract with the CAIO core."""

    contract = models.ForeignKey(
        "contracts_app.Contract", on_delete=models.PROTECT, related_name="submissions"
    )
    revision = models.ForeignKey(
        "contracts_app.ContractRevision", on_delete=models.PROTECT, related_name="submissions"
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING_REVIEW
    )
    core_reference = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_submissions",
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected, cancelled or failed.")
    key_refused = models.BooleanField(
        default=False,
        help_text="The core refused a request with this idempotency key (a 4xx), so a staff "
                  "retry takes a new key. Otherwise the key may have been applied (a timeout, a "
                  "connection error, a 5xx) and a retry sends the same key again.")
    decided_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's verdict, stored when they approve or reject: what the list and the detail
    # page show afterwards, whatever is registered since.
    breaking_at_review = models.BooleanField(
        null=True, blank=True,
        help_text="Whether it was a breaking change against the version registered when the "
                  "reviewer decided. Empty until decided (and when approved automatically).")
    compared_version = models.CharField(
        max_length=100, blank=True,
        help_text="The registered version it was compared with when the reviewer decided; empty "
                  "for a first registration.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status__in=[s.value for s in OPEN_SUBMISSION_STATUSES]),
                name="one_open_submission_per_contract",
                violation_error_message="This contract already has an open submission.",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="submission_due_idx")]

    def __str__(self) -> str:
        return f"{self.contract.service_id} r{self.revision.number} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SUBMISSION_STATUSES


class OperationKind(models.TextChoices):
    DEPRECATE = "deprecate", "Deprecate"
    WITHDRAW = "withdraw", "Withdraw"


class OperationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ServiceOperation(LeasedJob):
    """A deprecate or withdraw asked of a registered service, run by a worker."""

    service = models.ForeignKey(
        "integrations.RegisteredService", on_delete=models.CASCADE, related_name="operations"
    )
    kind = models.CharField(max_length=12, choices=OperationKind.choices)
    successor = models.ForeignKey(
        "integrations.RegisteredService",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_operations"
    )
    status = models.CharField(
        max_length=10, choices=OperationStatus.choices, default=OperationStatus.QUEUED
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status__in=["queued", "running"]),
                name="one_open_operation_per_service",
                violation_error_message="This service already has an operation in progress.",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="operation_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.service.service_id} ({self.status})"


class Event(models.Model):
    """One line of a contract's timeline: who did what, when, and why."""

    contract = models.ForeignKey(
        "contracts_app.Contract", on_delete=models.CASCADE, related_name="events"
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    operation = models.ForeignKey(
        ServiceOperation, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(
        max_length=20, default="user", help_text='"user", "worker", "sweeper" or "system".'
    )
    kind = models.CharField(max_length=40)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DEPRECATED = "deprecated", "Deprecated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RegisteredService(models.Model):
    """A contract that the CAIO core has registered: one per contract, public in the catalogue."""

    contract = models.OneToOneField(
        "contracts_app.Contract", on_delete=models.PROTECT, related_name="registered_service"
    )
    service_id = models.CharField(max_length=63, unique=True)
    status = models.CharField(
        max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE, db_index=True
    )
    successor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessors"
    )
    current_version = models.ForeignKey(
        "integrations.ServiceVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_id"]

    def __str__(self) -> str:
        return self.service_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalogue:detail", kwargs={"service_id": self.service_id})


class ServiceTerms(models.Model):
    """A contract's guarantees, constraints and prices as typed columns: what a registered
    version stores and what the catalogue's index copies of its current version (the mapping
    from a contract is `version_fields` in integrations/catalogue/publishing.py)."""

    p95_ms = models.PositiveIntegerField(null=True, blank=True)
    p99_ms = models.PositiveIntegerField(null=True, blank=True)
    accuracy_min = models.FloatField(null=True, blank=True)
    availability_target = models.FloatField(null=True, blank=True)
    max_tokens = models.PositiveIntegerField(null=True, blank=True)
    max_images = models.PositiveIntegerField(null=True, blank=True)
    cost_per_request = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    cost_per_token = models.DecimalField(max_digits=18, decimal_places=10, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        abstract = True


class ServiceVersion(ServiceTerms):
    """One registered version of a service, with the contract's fields as typed columns."""

    service = models.ForeignKey(RegisteredService, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=100)
    version_key = models.CharField(
        max_length=200, help_text="A string that sorts like the SemVer precedence of version."
    )
    revision = models.ForeignKey(
        "contracts_app.ContractRevision", on_delete=models.PROTECT, related_name="service_versions"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    capabilities = models.JSONField(default=list)
    languages = models.JSONField(default=list, blank=True)
    cost_per_image = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    endpoint = models.URLField(max_length=500, blank=True)
    documentation_url = models.URLField(max_length=500, blank=True)
    contact = models.EmailField(blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service", "-version_key"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="service_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.service_id} {self.version}"


class LocalCoreEntry(models.Model):
    """The embedded local core's own registry: a separate system from the catalogue.

    Used only when CAIO_CORE_URL is unset; behaves like the HTTP core (idempotency keys included).
    """

    service_id = models.CharField(max_length=63, db_index=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    operation = models.CharField(max_length=20, default="register")
    status = models.CharField(max_length=20, default="registered")
    contract = models.JSONField(default=dict)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "local core entry"
        verbose_name_plural = "local core entries"

    def __str__(self) -> str:
        return f"{self.operation} {self.service_id}"


class CoreBreakerReason(models.TextChoices):
    NONE = "", "Closed"
    FAILING = "failing", "The core is failing"
    CREDENTIALS = "credentials", "The core refuses the portal's credentials"


class CoreBreaker(models.Model):
    """The circuit breaker on the CAIO core: one row (pk 1) that every worker process shares.

    Closed while `open_until` is null. It opens after CORE_BREAKER_THRESHOLD timeouts or 5xx in a
    row, or at once on a 401/403 (`reason` says which); then no worker calls the core until
    `open_until`, and one probe call, taken under the lease `probe_until`, decides whether it
    closes. Every change is a conditional UPDATE in integrations/pipeline/breaker.py.
    """

    failures = models.PositiveIntegerField(default=0, help_text="Timeouts or 5xx in a row.")
    reason = models.CharField(max_length=12, choices=CoreBreakerReason.choices, blank=True,
                              default=CoreBreakerReason.NONE)
    opened_at = models.DateTimeField(null=True, blank=True)
    open_until = models.DateTimeField(null=True, blank=True,
                                      help_text="No call before this; then one probe call.")
    probe_until = models.DateTimeField(null=True, blank=True,
                                       help_text="The lease of the probe call in flight.")
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "core circuit breaker"

    def __str__(self) -> str:
        return self.get_reason_display() if self.open_until else "Closed"


class CatalogueEntry(ServiceTerms):
    """Discovery's index: one row per listed (active or deprecated) service at its current version.

    Denormalised from RegisteredService + its current ServiceVersion + the owner, and kept in step
    by integrations/catalogue/publishing.py (publish, set status). Withdrawn services have no row.
    On PostgreSQL the table also has a generated ``search_vector`` tsvector column (GIN) and GIN
    indexes on the two arrays; see migration catalogue_entry and integrations/catalogue/discovery.py.
    """

    registered_service = models.OneToOneField(
        RegisteredService, on_delete=models.CASCADE, primary_key=True,
        related_name="catalogue_entry",
    )
    version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE, related_name="+")
    service_id = models.CharField(max_length=63, unique=True)
    deprecated = models.BooleanField(default=False)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    version_label = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    owner_name = models.CharField(max_length=60)
    owner_key = models.CharField(max_length=60, db_index=True, help_text="lower(owner_name)")
    registered_at = models.DateTimeField()
    capabilities = StringListField()
    languages = StringListField()
    search_text = models.TextField(
        blank=True, help_text="Lowercased name, id, description, tags, owner display name.")

    class Meta:
        ordering = ["deprecated", "service_id"]
        indexes = [
            models.Index(fields=["deprecated", "p95_ms", "service_id"], name="catalogue_fastest_idx"),
            models.Index(fields=["deprecated", "-registered_at", "service_id"],
                         name="catalogue_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.service_id


class CatalogueTerm(models.Model):
    """Membership of a capability ("c") or language ("l") value, for set matching on any database."""

    entry = models.ForeignKey(CatalogueEntry, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(max_length=1)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value", "entry"], name="catalogue_term_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
