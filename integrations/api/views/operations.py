"""The owner's actions on a registered service, as the service page has them: deprecate (with an
optional successor) and withdraw. The pipeline's `operation_request` decides and records; a worker
does the operation. A service the caller may not see answers 404, as an unknown one does; staff
looking at another owner's service get 403 (they act from the admin, with a reason)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from contracts_app.models import Contract
from integrations.api.errors import Conflict, Unprocessable
from integrations.api.permissions import SignedInDeveloper
from integrations.api.serializers import (
    DeprecateRequestSerializer,
    ServiceOperationSerializer,
    WithdrawRequestSerializer,
)
from integrations.api.views.base import BaseApiView, errors, service_id_parameter
from integrations.models import OperationKind, RegisteredService
from integrations.pipeline.errors import PipelineError
from integrations.pipeline.operations import operation_request
from integrations.review.selectors import contract_service, successor_for

TAG = "services"
SERVICE_ID = service_id_parameter("Your registered service's id.")


def _managed_service(request, service_id: str) -> RegisteredService:
    """The registered service of a contract the caller may see (theirs; staff: any), else 404:
    another developer's service answers as an unknown one does (contracts_app's visible_to).
    Staff may see others' but not act on them here: 403 (they use the admin, with a reason)."""
    contract = Contract.objects.visible_to(request.user).filter(service_id=service_id).first()
    service = contract_service(contract=contract) if contract is not None else None
    if service is None:
        raise NotFound(f"You have no registered service '{service_id[:63]}'.")
    if not contract.is_editable_by(request.user):
        raise PermissionDenied("Only the service's owner can deprecate or withdraw it here; "
                               "staff do it from the admin, with a reason for the owner.")
    return service


def _request(request, service: RegisteredService, kind: str,
             successor: RegisteredService | None = None) -> Response:
    try:
        operation = operation_request(service=service, kind=kind, user=request.user,
                                      successor=successor)
    except PipelineError as exc:
        raise Conflict(exc.message, code="operation_refused") from None
    return Response(ServiceOperationSerializer(operation).data, status=status.HTTP_202_ACCEPTED)


_REFUSALS = ("`409` (`operation_refused`) when the service is already withdrawn (or, to "
             "deprecate, already deprecated) or has an operation in progress.")


class _ServiceOperationView(BaseApiView):
    permission_classes = [SignedInDeveloper]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "service-operation"  # API_RATE_OPERATION


class ServiceDeprecateView(_ServiceOperationView):
    @extend_schema(
        tags=[TAG], operation_id="services_deprecate", parameters=[SERVICE_ID],
        summary="Deprecate your service, optionally naming its successor",
        description="The service stays registered and callable; the catalogue marks it "
                    "deprecated and points to the successor. Answers `202` with the queued "
                    "operation: a worker does it in a moment (read the service to see it done). "
                    "`successor` must be another registered service that is not withdrawn "
                    "(`422`, `invalid_successor`, otherwise). " + _REFUSALS,
        request=DeprecateRequestSerializer,
        responses={202: ServiceOperationSerializer, **errors(
            409, 422, e422="`invalid_successor`: no other registered service that is not "
                           "withdrawn has the successor's id.")},
        examples=[OpenApiExample("successor", value={"successor": "my-summarizer-v2"},
                                 request_only=True)],
    )
    def post(self, request, service_id: str):
        service = _managed_service(request, service_id)
        serializer = DeprecateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        successor_id = serializer.validated_data.get("successor") or None
        successor = None
        if successor_id is not None:
            successor = successor_for(service=service, service_id=successor_id)
            if successor is None:
                message = (f"No other registered service has the ID {successor_id!r}: name an "
                           "active or deprecated service, or send null.")
                raise Unprocessable(message, code="invalid_successor",
                                    details={"successor": [message]})
        return _request(request, service, OperationKind.DEPRECATE, successor)


class ServiceWithdrawView(_ServiceOperationView):
    @extend_schema(
        tags=[TAG], operation_id="services_withdraw", parameters=[SERVICE_ID],
        summary="Withdraw your service",
        description="The service is deregistered at the CAIO core and leaves the catalogue "
                    "(its page then answers `410`). Answers `202` with the queued operation; a "
                    "worker does it. The body is `{}` (or empty). " + _REFUSALS,
        request=WithdrawRequestSerializer,
        responses={202: ServiceOperationSerializer, **errors(409)},
    )
    def post(self, request, service_id: str):
        service = _managed_service(request, service_id)
        WithdrawRequestSerializer(data=request.data).is_valid(raise_exception=True)
        return _request(request, service, OperationKind.WITHDRAW)
