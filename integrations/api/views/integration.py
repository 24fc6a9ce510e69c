"""The SDK's integration endpoints: validate, upload, register, discover."""

from __future__ import annotations

import hashlib

from caio_integration.contracts import MAX_BYTES, read_template, validate_text
from django.core.cache import cache
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from contracts_app.models import Contract
from contracts_app.services import (
    ContractError,
    RevisionConflict,
    ServiceIdTaken,
    UploadError,
    contract_save_revision,
    contract_write_check,
    json_safe,
    upload_check,
    upload_decode,
    upload_read,
)
from integrations.api import parsers
from integrations.api.diagnostic_links import with_docs_urls
from integrations.api.discover_request import DiscoverRequestSerializer
from integrations.api.errors import (
    ApiError,
    Conflict,
    InvalidContract,
    PayloadTooLarge,
    Unprocessable,
)
from integrations.api.permissions import PublicEndpoint, SignedInDeveloper
from integrations.api.serializers import (
    ContractInvalidErrorSerializer,
    ContractTextRequestSerializer,
    ContractUploadRequestSerializer,
    ContractUploadResultSerializer,
    DiscoveryResultSerializer,
    RegistrationSerializer,
    ServiceSummarySerializer,
    ValidationResultSerializer,
)
from integrations.api.services import (
    ContractInvalid,
    ensure_storable,
    register_from_text,
)
from integrations.api.views.base import MULTIPART_PARSERS, BaseApiView, errors
from integrations.catalogue import discovery
from integrations.models import Submission
from integrations.pipeline.errors import PipelineError
from integrations.review.services import submission_diff

TAG = "integration"
RAW_YAML_PARSERS = [parsers.YAMLTextParser, parsers.XYAMLTextParser, parsers.XYAMLLegacyParser,
                    parsers.PlainTextParser]
RAW_YAML_TYPES = {parser.media_type for parser in RAW_YAML_PARSERS}
# Any bytes are a text to validate: the verdict, not a 400, says what is wrong with them.
RAW_YAML_BODY = {"description": "The contract's YAML text, as the body (any bytes: the verdict "
                                "says what is wrong)."}
IDEMPOTENCY_SECONDS = 24 * 3600
# The request example in the OpenAPI schema: a contract the SDK ships, so it cannot drift from
# what the validator accepts (tests/api/test_openapi_examples.py validates every one).
EXAMPLE_CONTRACT = read_template("embedding_service")


def _result(text: str | bytes, request) -> dict:
    """The verdict as the API answers it: ours (`valid`, `diagnostics`, each with the `docs_url`
    of its code, `data`) and the plan's (`is_valid`, the same boolean; `errors`, the error
    diagnostics' messages in their order)."""
    result = validate_text(text)
    body = result.to_dict()
    body["diagnostics"] = with_docs_urls(body["diagnostics"], request)
    body["data"] = json_safe(result.data) if isinstance(result.data, dict) else None
    body["is_valid"] = body["valid"]
    body["errors"] = [diagnostic.message for diagnostic in result.errors]
    return body


class ValidateContractView(BaseApiView):
    permission_classes = [PublicEndpoint]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contract-validate"
    read_like = True  # a read-only token may validate
    parser_classes = [parsers.SafeJSONParser, *RAW_YAML_PARSERS]

    @extend_schema(
        tags=[TAG], operation_id="integration_validate_contract",
        summary="Validate a contract's YAML text",
        description="The portal's verdict on a contract, from the same validator as the editor "
                    "and the `caio` CLI. A raw YAML body (`Content-Type: text/yaml`) works too. "
                    "Anonymous requests are allowed and throttled. `is_valid` and `errors` give "
                    "the Phase 16 plan's shape beside `valid` and `diagnostics`.",
        request={"application/json": ContractTextRequestSerializer,
                 **{media_type: RAW_YAML_BODY for media_type in RAW_YAML_TYPES}},
        responses={200: ValidationResultSerializer},
        examples=[OpenApiExample("contract", value={"contract": EXAMPLE_CONTRACT},
                                 request_only=True)],
    )
    def post(self, request):
        if request.content_type.split(";")[0].strip().lower() in RAW_YAML_TYPES:
            # A raw YAML body, as bytes (an empty body is an empty contract).
            return Response(_result(request.data.get("contract", b""), request))
        data = _as_dict(request.data)
        serializer = ContractTextRequestSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return Response(_result(serializer.validated_data["contract"], request))


def _as_dict(data):
    if isinstance(data, dict):
        return data
    raise ApiError("Send a JSON object such as {\"contract\": \"<YAML text>\"}.",
                   code="invalid_input")


class UploadContractView(BaseApiView):
    permission_classes = [SignedInDeveloper]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "contract-upload"
    parser_classes = MULTIPART_PARSERS

    @extend_schema(
        tags=[TAG], operation_id="integration_upload_contract",
        summary="Upload a contract file and validate it (optionally save it)",
        description="A multipart upload of one `.yaml`/`.yml` file (UTF-8, at most 256 KiB). "
                    "With `save=true` the file becomes the next revision of your contract with "
                    "the file's `service_id` (it must exist and be yours).",
        request={"multipart/form-data": ContractUploadRequestSerializer},
        responses={200: ContractUploadResultSerializer, **errors(
            404, 409, 422,
            e404="With save: you have no contract with the file's service_id.",
            e422="`invalid_file_type`: the file is not a .yaml or .yml file; or, with save, "
                 "`invalid_contract`: the file has no readable service_id or is not UTF-8.")},
    )
    def post(self, request):
        serializer = ContractUploadRequestSerializer(data=request.data)
        upload = request.data.get("file") if hasattr(request.data, "get") else None
        if upload is not None and getattr(upload, "size", 0) > MAX_BYTES:
            _refuse_upload(upload)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        name = _refuse_upload(upload)
        raw = upload_read(upload)
        body = _result(raw, request)
        body["saved_revision"] = None
        body["contract_url"] = None
        if serializer.validated_data["save"]:
            revision = _save_upload(request, raw, name, body,
                                    serializer.validated_data.get("base_number"))
            body["saved_revision"] = revision.number
            body["contract_url"] = revision.contract.get_absolute_url()
        return Response(body)


def _refuse_upload(upload) -> str:
    """The file's name, unless contracts_app refuses its size (413) or suffix (422)."""
    try:
        return upload_check(upload)
    except UploadError as exc:
        if exc.code == "too_large":
            raise PayloadTooLarge(exc.message, details={"limit": MAX_BYTES}) from None
        raise Unprocessable(exc.message, code="invalid_file_type") from None


def _save_upload(request, raw: bytes, name: str, body: dict, base_number: int | None):
    data = body.get("data") or {}
    service_id = data.get("service_id") if isinstance(data, dict) else None
    if not isinstance(service_id, str) or not service_id:
        raise InvalidContract("The file has no readable service_id, so it cannot be saved.",
                              diagnostics=body["diagnostics"])
    try:
        text = upload_decode(raw, name=name)
    except UploadError as exc:
        if exc.code != "not_utf8":
            raise ApiError(exc.message) from None
        raise InvalidContract(f"{exc.message} Nothing was saved.",
                              diagnostics=body["diagnostics"]) from None
    contract = Contract.objects.visible_to(request.user).filter(service_id=service_id).first()
    if contract is None:
        raise NotFound(f"You have no contract '{service_id[:63]}' to save the file into; "
                       "create it first (POST /api/v1/contracts/ or /contracts/new/).")
    contract_write_check(contract=contract, user=request.user)  # staff read others', 403
    if base_number is None:
        latest = contract.latest_revision
        base_number = latest.number if latest else None
    try:
        ensure_storable(text)
        saved = contract_save_revision(contract=contract, text=text, author=request.user,
                                       base_number=base_number)
    except RevisionConflict as exc:
        raise Conflict(exc.message, code="revision_conflict",
                       details={"current_revision": exc.latest.number if exc.latest else 0}
                       ) from None
    except ContractError as exc:
        raise Unprocessable(exc.message, code="invalid_contract") from None
    return saved.revision


class RegisterServiceView(BaseApiView):
    permission_classes = [SignedInDeveloper]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "service-register"

    @extend_schema(
        tags=[TAG], operation_id="integration_register_service",
        summary="Save a contract and submit it for registration",
        description="Creates your contract for the text's `service_id` when the id is free, or "
                    "saves the text as the next revision of your existing contract, then submits "
                    "that revision (review, then a worker registers it with the CAIO core). "
                    "Send an `Idempotency-Key` header to make a retry safe: the same key returns "
                    "the same submission. The very same text as your contract's latest revision "
                    "saves and submits nothing: the answer (200) is that revision's open "
                    "submission, or the submission that registered it while the service stands "
                    "at it. The body is the text, never a path to a file on the server (an unknown "
                    "field is a 400). The answer lists what the submission changes against the "
                    "version registered now (`changes`, breaking ones first; `breaking`; "
                    "`compared_version`), as the reviewer reads them.",
        parameters=[OpenApiParameter("Idempotency-Key", {"type": "string", "maxLength": 200},
                                     OpenApiParameter.HEADER, required=False,
                                     description="Any unique string (a UUID).")],
        request=ContractTextRequestSerializer,
        responses={
            201: RegistrationSerializer,
            200: OpenApiResponse(RegistrationSerializer, description="Nothing new: a replay "
                                 "of an earlier request with the same Idempotency-Key, or the "
                                 "very same text again (the submission it already led to)."),
            422: OpenApiResponse(ContractInvalidErrorSerializer, description="The contract is "
                                 "invalid (see diagnostics), or cannot be stored."),
            **errors(409),
        },
    )
    def post(self, request):
        serializer = ContractTextRequestSerializer(data=_as_dict(request.data))
        serializer.is_valid(raise_exception=True)
        key = _idempotency_cache_key(request)
        if key:
            replay = _replay(request, key)
            if replay is not None:
                return Response(_registration(replay), status=status.HTTP_200_OK,
                                headers={"Idempotent-Replayed": "true"})
        try:
            registration = register_from_text(user=request.user,
                                              text=serializer.validated_data["contract"])
        except ContractInvalid as exc:
            raise InvalidContract(exc.message,
                                  diagnostics=with_docs_urls(exc.diagnostics, request)) from None
        except ServiceIdTaken as exc:
            # 409, not 403: the caller is authenticated; the id is what conflicts (and the SDK
            # reads 401/403 as bad credentials).
            raise Conflict(exc.message, code="service_id_taken") from None
        except RevisionConflict as exc:
            raise Conflict(exc.message, code="revision_conflict") from None
        except ContractError as exc:
            raise InvalidContract(exc.message, diagnostics=[]) from None
        except PipelineError as exc:
            raise Conflict(exc.message, code="submission_refused") from None
        if key:
            cache.set(key, registration.submission.pk, IDEMPOTENCY_SECONDS)
        return Response(_registration(registration.submission),
                        status=status.HTTP_201_CREATED if registration.created
                        else status.HTTP_200_OK)


def _registration(submission: Submission) -> dict:
    """The answer: the submission with its changes against the registered version."""
    diff = submission_diff(submission=submission, text=False)
    return RegistrationSerializer(submission, context={"diff": diff}).data


def _idempotency_cache_key(request) -> str | None:
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return None
    if len(raw) > 200:
        raise ApiError("The Idempotency-Key header is longer than 200 characters.",
                       code="invalid_input")
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return f"api:register:idem:{request.user.pk}:{digest}"


def _replay(request, key: str) -> Submission | None:
    pk = cache.get(key)
    if pk is None:
        return None
    return (Submission.objects.select_related("contract", "revision")
            .filter(pk=pk, submitter=request.user).first())


class DiscoverServicesView(BaseApiView):
    permission_classes = [PublicEndpoint]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "service-discover"
    read_like = True  # a read-only token may discover

    @extend_schema(
        tags=[TAG], operation_id="integration_discover_services",
        summary="Find services that meet capabilities, guarantees, constraints and a budget",
        description="Every requested capability and language must be declared; every bound "
                    "needs a declared value that satisfies it; cost bounds compare only within "
                    "the budget's currency. Each result says why it matched (`why`). "
                    "Deprecated services only with `include_deprecated`, always after active "
                    "ones. Public and throttled. `count` is how many this answer holds, `total` "
                    "how many match in all; `next` is a cursor: send the same query with "
                    "`cursor` set to it for the next page.",
        request=DiscoverRequestSerializer,
        responses={200: DiscoveryResultSerializer, **errors(
            422, e422="`invalid_cursor`: the cursor is not one the portal gave, or it belongs to "
                      "another query (send the same query with it; only `limit` may change).")},
        examples=[OpenApiExample("query", request_only=True, value={
            "capabilities": ["text_generation"],
            "guarantees": {"latency": {"p95_ms": 500}, "accuracy": {"min": 0.9}},
            "constraints": {"supported_languages": ["en"]},
            "budget": {"per_request": "0.01", "currency": "USD"},
            "sort": "cost", "limit": 10})],
    )
    def post(self, request):
        serializer = DiscoverRequestSerializer(data=_as_dict(request.data))
        serializer.is_valid(raise_exception=True)
        try:
            query = serializer.to_query()
        except discovery.DiscoveryQueryError as exc:
            raise ApiError(f"{exc.field}: {exc.message}", code="invalid_input",
                           details={exc.field: [exc.message]}) from None
        try:
            page = discovery.discover_page(query, serializer.validated_data.get("cursor"))
        except discovery.DiscoveryQueryError as exc:  # a cursor it did not give, or another query's
            raise Unprocessable(f"{exc.field}: {exc.message}", code="invalid_cursor",
                                details={exc.field: [exc.message]}) from None
        matches = page.matches
        # One list serializer (its fields are built once, not once per row).
        rows = ServiceSummarySerializer([m.entry for m in matches], many=True).data
        services = []
        for item, match in zip(rows, matches, strict=True):
            item = dict(item)
            item["why"] = [reason.as_dict() for reason in match.reasons]
            services.append(item)
        return Response({"services": services, "count": len(services), "total": page.total,
                         "total_is_estimate": page.total_is_estimate, "next": page.next})
