"""Authoring: a contract (one per service id) and its immutable revisions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

SERVICE_ID_RE = r"^[a-z][a-z0-9-]{2,62}$"
service_id_validator = RegexValidator(
    SERVICE_ID_RE,
    "3 to 63 characters: lowercase letters, digits and hyphens, starting with a letter.",
)


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContractQuerySet:
        """Drafts are private: their owner and staff see them, nobody else."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(owner=user)

    def editable_by(self, user) -> ContractQuerySet:
        """Only the owner writes: staff review others' contracts, they never change them."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class Contract(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts"
    )
    service_id = models.CharField(
        "Service ID", max_length=63, unique=True, validators=[service_id_validator]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.service_id

    def is_editable_by(self, user) -> bool:
        """The one write rule (as `editable_by`): the owner, and nobody else, staff included."""
        return bool(user is not None and user.is_authenticated and user.pk == self.owner_id)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("contracts:detail", kwargs={"service_id": self.service_id})

    @property
    def latest_revision(self) -> ContractRevision | None:
        """The revision with the highest number, or None before the first save.

        Uses a prefetch of `revisions` when there is one (no query), otherwise one query.
        """
        cached = getattr(self, "_prefetched_objects_cache", {}).get("revisions")
        if cached is not None:
            return max(cached, key=lambda revision: revision.number, default=None)
        return self.revisions.order_by("-number").first()


class ContractRevision(models.Model):
    """An immutable snapshot of the contract text, with the validator's verdict on it."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    data = models.JSONField(null=True, blank=True, help_text="The parsed contract, when it parsed.")
    is_valid = models.BooleanField(default=False)
    diagnostics = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    base_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The revision this one was edited from."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="revision_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.service_id} r{self.number}"

    @property
    def version(self) -> str | None:
        if isinstance(self.data, dict):
            value = self.data.get("version")
            return value if isinstance(value, str) else None
        return None
