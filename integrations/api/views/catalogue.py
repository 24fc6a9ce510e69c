"""The public catalogue over HTTP: list (same filters as /services/), one service, its versions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from integrations.api.errors import ApiError, Gone
from integrations.api.pagination import ApiPagination
from integrations.api.permissions import PublicEndpoint
from integrations.api.serializers import (
    ServiceDetailSerializer,
    ServiceSummarySerializer,
    ServiceVersionSummarySerializer,
)
from integrations.api.views.base import ApiViewMixin, BaseApiView, errors
from integrations.catalogue.forms import CatalogueFilterForm
from integrations.catalogue.selectors import CataloguePage, catalogue_service, catalogue_versions
from integrations.models import RegisteredService, ServiceStatus

TAG = "services"
LIST_CAP = 2000  # counted exactly up to here (as the HTML catalogue)
SERVICE_ID = OpenApiParameter("service_id", str, OpenApiParameter.PATH,
                              description="The service's id, e.g. my-summarizer.")
_LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Text search over name, id, description and tags."),
    OpenApiParameter("capability", str, many=True, explode=True,
                     description="Every one of these capabilities (repeat the parameter)."),
    OpenApiParameter("language", str, many=True, explode=True,
                     description="Every one of these languages (ISO 639-1)."),
    OpenApiParameter("max_p95", int, description="At most this p95 latency (ms)."),
    OpenApiParameter("min_accuracy", float, description="At least this accuracy (0-1)."),
    OpenApiParameter("min_availability", float, description="At least this availability (%)."),
    OpenApiParameter("max_price", str, description="At most this cost per request (decimal)."),
    OpenApiParameter("currency", str, description="Currency of max_price (default USD)."),
    OpenApiParameter("owner", str, description="The owner's display name."),
    OpenApiParameter("sort", str, enum=["relevance", "cheapest", "fastest", "newest"]),
]
_QUERY_KEYS = {"limit", "offset", "format"}


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
        unknown = sorted(set(params) - set(CatalogueFilterForm.base_fields) - _QUERY_KEYS)
        if unknown:
            raise ApiError(f"Unknown query parameter(s): {', '.join(unknown[:10])}.",
                           code="invalid_input")
        form = CatalogueFilterForm(params)
        if not form.is_valid():
            raise ApiError("Invalid filters: " + "; ".join(
                f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items()),
                code="invalid_input", details=form.errors)
        return CataloguePage(form.listing(), LIST_CAP)

    @extend_schema(tags=[TAG], operation_id="services_list",
                   summary="The public catalogue (active first, then deprecated)",
                   parameters=_LIST_PARAMETERS, responses={**errors(400, 429)} | {
                       200: ServiceSummarySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ServiceDetailView(BaseApiView):
    permission_classes = [PublicEndpoint]

    @extend_schema(tags=[TAG], operation_id="services_retrieve", parameters=[SERVICE_ID],
                   summary="One registered service at its current version",
                   responses={200: ServiceDetailSerializer, **errors(404, 410, 429)})
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
                   responses={**errors(404, 410, 429)} | {
                       200: ServiceVersionSummarySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
