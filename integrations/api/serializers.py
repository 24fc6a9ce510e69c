"""Request and response shapes of the REST API (documented in /api/schema/)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts_app.services import json_safe
from integrations.api.diagnostic_links import docs_url
from integrations.api.fields import (
    PlainDecimalField,
    StrictIntegerField,
    UploadedFileField,
    YamlTextField,
    contract_string,
)
from integrations.catalogue import discovery
from integrations.catalogue.links import service_links
from integrations.models import OperationKind, OperationStatus


class StrictSerializer(serializers.Serializer):
    """Unknown keys are an error, so a typo never silently widens a query or drops a value
    (the schema says ``additionalProperties: false``: integrations.api.schema)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                allowed = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {k: [f"Unknown field. Allowed: {allowed}."] for k in unknown[:20]})
        return super().to_internal_value(data)


# --- errors ---------------------------------------------------------------------------------

class ApiErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(allow_null=True)


class ApiErrorSerializer(serializers.Serializer):
    error = ApiErrorDetailSerializer()


# --- account --------------------------------------------------------------------------------

class TokenSummarySerializer(serializers.Serializer):
    """A personal API token as its owner sees it in a list: never the token itself."""

    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The token's first characters, to tell it apart.")
    scope = serializers.ChoiceField(
        choices=["read-write", "read-only"],
        help_text="read-only: reads, and POST validate-contract and discover-services only.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True,
                                           help_text="Refused from then on; null: never expires.")
    last_used_at = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    """Built from ``{"user": request.user, "token": request.auth}``."""

    id = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    display_name = serializers.CharField(source="user.display_name")
    is_staff = serializers.BooleanField(source="user.is_staff")
    email_verified = serializers.BooleanField(source="user.email_verified")
    token = TokenSummarySerializer(allow_null=True, help_text="The bearer token of this request; "
                                   "null for a signed-in session.")


# --- contracts and validation ---------------------------------------------------------------

class DiagnosticSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
    code = serializers.CharField()
    message = serializers.CharField()
    path = serializers.CharField(help_text="A JSON pointer into the contract.")
    line = serializers.IntegerField(allow_null=True, help_text="1-based.")
    column = serializers.IntegerField(allow_null=True, help_text="1-based.")
    hint = serializers.CharField(allow_null=True, allow_blank=True)
    docs_url = serializers.SerializerMethodField(
        help_text="The code's entry in the diagnostics reference: what it means, an example, "
                  "the fix (/docs/diagnostics/#CODE).")

    @extend_schema_field(OpenApiTypes.URI)
    def get_docs_url(self, obj) -> str:
        return obj.get("docs_url") or docs_url(str(obj.get("code", "")), self.context.get("request"))


class ContractInvalidErrorSerializer(ApiErrorSerializer):
    diagnostics = DiagnosticSerializer(many=True)


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="True when no diagnostic is an error.")
    diagnostics = DiagnosticSerializer(many=True)
    data = serializers.JSONField(allow_null=True, help_text="The parsed contract, when it parsed.")
    is_valid = serializers.BooleanField(help_text="The same as `valid` (the plan's name).")
    errors = serializers.ListField(
        child=serializers.CharField(),
        help_text="The messages of the error diagnostics, in their order (the plan's shape); "
                  "empty when valid.")


class ContractTextRequestSerializer(StrictSerializer):
    contract = YamlTextField(
        allow_blank=True, allow_null_characters=True,
        help_text="The contract's YAML text (at most 256 KiB). Never a file path.")


class ContractUploadRequestSerializer(StrictSerializer):
    file = UploadedFileField(help_text="A .yaml or .yml file of at most 256 KiB, UTF-8.")
    save = serializers.BooleanField(
        default=False, help_text="Also save it as a new revision of your contract with the "
                                 "file's service_id.")
    base_number = serializers.IntegerField(
        required=False, min_value=0, max_value=2_147_483_647,
        help_text="With save: the revision the file was edited from (409 if a newer one exists). "
                  "Default: the latest revision.")


class ContractUploadResultSerializer(ValidationResultSerializer):
    saved_revision = serializers.IntegerField(allow_null=True)
    contract_url = serializers.CharField(allow_null=True)


class RevisionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    version = serializers.CharField(allow_null=True)
    is_valid = serializers.BooleanField()
    base_number = serializers.IntegerField(allow_null=True)
    author = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, obj) -> str | None:
        return obj.author.display_name if obj.author_id and obj.author else None


class RevisionDetailSerializer(RevisionSummarySerializer):
    text = serializers.CharField()
    diagnostics = DiagnosticSerializer(many=True)
    data = serializers.SerializerMethodField()

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_data(self, obj):
        return json_safe(obj.data)


class ContractSummarySerializer(serializers.Serializer):
    service_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    latest_revision = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(RevisionSummarySerializer(allow_null=True))
    def get_latest_revision(self, obj):
        revision = getattr(obj, "latest", None) or obj.latest_revision
        if revision is None:
            return None
        if not hasattr(self, "_revision_serializer"):  # built once per list, not once per row
            self._revision_serializer = RevisionSummarySerializer()
        return self._revision_serializer.to_representation(revision)

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, obj) -> str:
        return reverse("api:contract-detail", kwargs={"service_id": obj.service_id})


class ContractDetailSerializer(ContractSummarySerializer):
    latest_revision = serializers.SerializerMethodField()
    revisions_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(RevisionDetailSerializer(allow_null=True))
    def get_latest_revision(self, obj):
        revision = obj.latest_revision
        return RevisionDetailSerializer(revision).data if revision else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_revisions_url(self, obj) -> str:
        return reverse("api:contract-revisions", kwargs={"service_id": obj.service_id})

    @extend_schema_field(OpenApiTypes.STR)
    def get_html_url(self, obj) -> str:
        return obj.get_absolute_url()


class ContractCreateRequestSerializer(StrictSerializer):
    service_id = contract_string("service_id")
    text = YamlTextField(help_text="The contract's YAML text.")


class RevisionCreateRequestSerializer(StrictSerializer):
    text = YamlTextField(help_text="The contract's YAML text.")
    base_number = StrictIntegerField(
        min_value=0, max_value=2_147_483_647, allow_null=True,
        help_text="The revision number this text was edited from (0 or null: none).")


class RevisionSavedSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False when the text equals the latest revision.")
    revision = RevisionDetailSerializer()


# --- submissions ----------------------------------------------------------------------------

class SubmissionEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service_id = serializers.CharField(source="contract.service_id")
    revision = serializers.IntegerField(source="revision.number")
    version = serializers.CharField(source="revision.version", allow_null=True)
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    links = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_links(self, obj) -> dict[str, str]:
        links = {
            "self": reverse("api:submission-detail", kwargs={"pk": obj.pk}),
            "contract": reverse("api:contract-detail",
                                kwargs={"service_id": obj.contract.service_id}),
            "html": obj.contract.get_absolute_url(),
        }
        if obj.is_open:
            links["cancel"] = reverse("api:submission-cancel", kwargs={"pk": obj.pk})
        return links


class ChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="e.g. price_raised, capability_removed, "
                                           "guarantee_improved")
    path = serializers.CharField(help_text="A JSON pointer into the contract.")
    breaking = serializers.BooleanField()
    message = serializers.CharField()


class RegistrationSerializer(SubmissionSerializer):
    """The register-service answer: the submission, and what it changes against the version
    registered now, as the reviewer reads it (context ``diff``: review's SubmissionDiff)."""

    compared_version = serializers.SerializerMethodField(
        help_text="The registered version the changes are against; null for a first "
                  "registration.")
    breaking = serializers.SerializerMethodField(
        help_text="True when a change may break the service's consumers (a reviewer reads "
                  "these before approving).")
    changes = serializers.SerializerMethodField()

    def get_compared_version(self, obj) -> str | None:
        registered = self.context["diff"].registered
        return registered.version if registered else None

    def get_breaking(self, obj) -> bool:
        return self.context["diff"].breaking

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, obj) -> list[dict]:
        return ChangeSerializer(self.context["diff"].changes, many=True).data


class SubmissionDetailSerializer(SubmissionSerializer):
    events = SubmissionEventSerializer(many=True)


# --- service operations ---------------------------------------------------------------------

class DeprecateRequestSerializer(StrictSerializer):
    successor = contract_string(
        "service_id", required=False, allow_null=True, allow_blank=True, default=None,
        help_text="The service_id of the service that replaces it (null, empty or absent: none).")


class WithdrawRequestSerializer(StrictSerializer):
    """No fields: send ``{}`` or no body."""


class ServiceOperationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OperationKind.choices)
    status = serializers.ChoiceField(choices=OperationStatus.choices)
    service_id = serializers.CharField(source="service.service_id")
    successor = serializers.CharField(source="successor.service_id", allow_null=True,
                                      default=None)
    created_at = serializers.DateTimeField()


# --- catalogue and discovery ----------------------------------------------------------------

def guarantee_fields() -> tuple[serializers.Field, ...]:
    """The guarantee, constraint and price fields that a listed service (CatalogueEntry) and a
    registered version (ServiceVersion) both have, in their order in the answers:
    p95_ms, p99_ms, accuracy_min, availability_target, max_tokens, max_images,
    cost_per_request, cost_per_token. Unpack it in the class body, where the fields stand."""
    return (serializers.IntegerField(allow_null=True), serializers.IntegerField(allow_null=True),
            serializers.FloatField(allow_null=True), serializers.FloatField(allow_null=True),
            serializers.IntegerField(allow_null=True), serializers.IntegerField(allow_null=True),
            PlainDecimalField(), PlainDecimalField())


class ServiceSummarySerializer(serializers.Serializer):
    """One listed service at its current version (a CatalogueEntry)."""

    service_id = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField(source="version_label")
    description = serializers.CharField()
    owner = serializers.CharField(source="owner_name", help_text="The owner's display name.")
    status = serializers.SerializerMethodField()
    capabilities = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    (p95_ms, p99_ms, accuracy_min, availability_target, max_tokens, max_images,
     cost_per_request, cost_per_token) = guarantee_fields()
    currency = serializers.CharField()
    registered_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["active", "deprecated"]))
    def get_status(self, obj) -> str:
        return "deprecated" if obj.deprecated else "active"

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, obj) -> str:
        return self._link("api:service-detail", obj.service_id)

    @extend_schema_field(OpenApiTypes.STR)
    def get_html_url(self, obj) -> str:
        return self._link("catalogue:detail", obj.service_id)

    def _link(self, view_name: str, service_id: str) -> str:
        """One reverse() per answer for each kind of link (catalogue/links.py)."""
        links = self.__dict__.setdefault("_service_links", {})
        if view_name not in links:
            links[view_name] = service_links(view_name)
        return links[view_name](service_id)


class MatchReasonSerializer(serializers.Serializer):
    field = serializers.CharField()
    op = serializers.CharField()
    requested = serializers.JSONField()
    declared = serializers.JSONField()


class DiscoveredServiceSerializer(ServiceSummarySerializer):
    why = MatchReasonSerializer(many=True, help_text="Each requested bound beside the declared value.")


class DiscoveryResultSerializer(serializers.Serializer):
    services = DiscoveredServiceSerializer(many=True)
    count = serializers.IntegerField(help_text="How many services this answer holds.")
    total = serializers.IntegerField(
        help_text=f"How many services match in all: exact up to {discovery.TOTAL_CAP:,}; beyond, "
                  f"{discovery.TOTAL_CAP:,} with `total_is_estimate` true (at least that many).")
    total_is_estimate = serializers.BooleanField(
        help_text=f"True when more than {discovery.TOTAL_CAP:,} services match (`total` is then "
                  "a lower bound; narrow the query to see the rest).")
    next = serializers.CharField(
        allow_null=True, help_text="The cursor of the next page: send the same query with "
        "`cursor` set to it. Null on the last page (discovery pages through the first "
        f"{discovery.TOTAL_CAP:,} matches).")


class ServiceVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    capabilities = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    (p95_ms, p99_ms, accuracy_min, availability_target, max_tokens, max_images,
     cost_per_request, cost_per_token) = guarantee_fields()
    cost_per_image = PlainDecimalField()
    currency = serializers.CharField()
    endpoint = serializers.CharField()
    documentation_url = serializers.CharField()
    contact = serializers.CharField(help_text="The service's public support email (may be empty).")
    registered_at = serializers.DateTimeField()


class ServiceVersionSummarySerializer(serializers.Serializer):
    version = serializers.CharField()
    name = serializers.CharField()
    registered_at = serializers.DateTimeField()


class ServiceDetailSerializer(serializers.Serializer):
    service_id = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="contract.owner.display_name")
    successor = serializers.CharField(source="successor.service_id", allow_null=True,
                                      default=None)
    current_version = ServiceVersionSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    versions_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_versions_url(self, obj) -> str:
        return reverse("api:service-versions", kwargs={"service_id": obj.service_id})

    @extend_schema_field(OpenApiTypes.STR)
    def get_html_url(self, obj) -> str:
        return obj.get_absolute_url()
