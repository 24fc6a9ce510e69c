"""The public catalogue over HTTP: list (same filters as /services/), one service, its versions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from integrations.api.errors import ApiError, Gone
from integrations.api.pagination import ApiPagination
from integrations.api.permissions import PublicEndpoint
from integrations.api.query import FormQuery
from integrations.api.serializers import (
    ServiceDetailSerializer,
    ServiceSummarySerializer,
    ServiceVersionSummarySerializer,
)
from integrations.api.views.base import ApiViewMixin, BaseApiView, errors, service_id_parameter
from integrations.catalogue.forms import CatalogueFilterForm
from integrations.catalogue.selectors import CataloguePage, catalogue_service, catalogue_versions
from integrations.models import RegisteredService, ServiceStatus

TAG = "services"
LIST_CAP = 2000  # counted exactly up to here (as the HTML catalogue)
SERVICE_ID = service_id_parameter("The service's id, e.g. my-summarizer.")
LIST_QUERY = FormQuery(CatalogueFilterForm, {
    "q": "Text search over name, id, description, tags and the owner's display name.",
    "capability": "Every one of these capabilities (repeat the parameter).",
    "language": "Every one of these languages (ISO 639-1).",
    "max_p95": "At most this p95 latency (ms).",
    "min_accuracy": "At least this accuracy (0-1).",
    "min_availability": "At least this availability (%).",
    "max_price": "At most this cost per request (a plain decimal).",
    "currency": "Currency of max_price (default USD).",
    "owner": "Any part of the owner's display name, ignoring case.",
    "sort": "The order (default: relevance).",
}, also=("limit", "offset", "format"))


def _service_or_gone(service_id: str) -> RegisteredService:
    service = catalogue_service(service_id)
    if service is None:
        raise NotFound(f"No registered service '{service_id[:100]}'.")
    if service.status == ServiceStatus.WITHDRAWN:
        raise Gone(f"The service '{service_id}' was withdrawn by its owner.",
                   details={"successor": service.successor.service_id
                            if service.successor_id else None})
    return service


class ServiceListView(ApiViewMixin, generics.ListAPIView):
    permission_classes = [PublicEndpoint]
    pagination_class = ApiPagination
    serializer_class = ServiceSummarySerializer

    def get_queryset(self):
        params = self.request.query_params
        LIST_QUERY.check(params)
        form = CatalogueFilterForm(params)
        if not form.is_valid():
            raise ApiError("Invalid filters: " + "; ".join(
                f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items()),
                code="invalid_input", details=form.errors)
        return CataloguePage(form.listing(), LIST_CAP)

    @extend_schema(tags=[TAG], operation_id="services_list",
                   summary="The public catalogue (active first, then deprecated)",
                   parameters=LIST_QUERY.parameters,
                   responses={200: ServiceSummarySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ServiceDetailView(BaseApiView):
    permission_classes = [PublicEndpoint]

    @extend_schema(tags=[TAG], operation_id="services_retrieve", parameters=[SERVICE_ID],
                   summary="One registered service at its current version",
                   responses={200: ServiceDetailSerializer, **errors(410)})
    def get(self, request, service_id: str):
        service = _service_or_gone(service_id)
        return Response(ServiceDetailSerializer(service).data)


class ServiceVersionsView(ApiViewMixin, generics.ListAPIView):
    permission_classes = [PublicEndpoint]
    pagination_class = ApiPagination
    serializer_class = ServiceVersionSummarySerializer

    def get_queryset(self):
        return catalogue_versions(_service_or_gone(self.kwargs["service_id"]))

    @extend_schema(tags=[TAG], operation_id="services_versions_list", parameters=[SERVICE_ID],
                   summary="Every registered version of a service, newest first",
                   responses={200: ServiceVersionSummarySerializer(many=True), **errors(410)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
