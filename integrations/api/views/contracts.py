"""The caller's contracts and their revisions. Others' contracts answer 404 (visible_to); staff
may read any, and writing into one that is not theirs answers 403."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from contracts_app.models import Contract, ContractRevision
from contracts_app.services import (
    ContractError,
    RevisionConflict,
    ServiceIdTaken,
    contract_save_revision,
    contract_write_check,
)
from integrations.api.errors import Conflict, Unprocessable
from integrations.api.pagination import ApiPagination
from integrations.api.permissions import SignedInDeveloper
from integrations.api.serializers import (
    ContractCreateRequestSerializer,
    ContractDetailSerializer,
    ContractSummarySerializer,
    RevisionCreateRequestSerializer,
    RevisionSavedSerializer,
    RevisionSummarySerializer,
)
from integrations.api.services import contract_create_from_text, ensure_storable
from integrations.api.views.base import (
    ApiViewMixin,
    BaseApiView,
    errors,
    service_id_parameter,
)

TAG = "contracts"
UNSAVABLE = ("The text cannot be saved: it is over 256 KiB, has NUL characters or an infinite "
             "number, or (creating) the service id is reserved.")
SERVICE_ID = service_id_parameter("The contract's service id.")


def _contract(request, service_id: str) -> Contract:
    contract = Contract.objects.visible_to(request.user).filter(service_id=service_id).first()
    if contract is None:
        raise NotFound(f"You have no contract '{service_id[:63]}'.")
    return contract


class ContractListView(ApiViewMixin, generics.ListAPIView):
    permission_classes = [SignedInDeveloper]
    pagination_class = ApiPagination
    serializer_class = ContractSummarySerializer

    def get_queryset(self):
        latest = (ContractRevision.objects.filter(contract=OuterRef("pk"))
                  .order_by("-number").values("pk")[:1])
        return (Contract.objects.visible_to(self.request.user)
                .annotate(latest_id=Subquery(latest)).order_by("-updated_at", "pk"))

    def paginate_queryset(self, queryset):
        """The page's latest revisions in one query (not one per contract)."""
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        revisions = (ContractRevision.objects.select_related("author")
                     .defer("text", "diagnostics").in_bulk([c.latest_id for c in rows]))
        for contract in rows:
            contract.latest = revisions.get(contract.latest_id)
        return page

    @extend_schema(tags=[TAG], operation_id="contracts_list", summary="Your contracts",
                   responses={200: ContractSummarySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=[TAG], operation_id="contracts_create",
                   summary="Create a contract from its text (revision 1)",
                   description="Saved even when the text has errors (see the diagnostics); "
                               "the text's service_id must equal `service_id`.",
                   request=ContractCreateRequestSerializer,
                   responses={201: ContractDetailSerializer, **errors(409, 422, e422=UNSAVABLE)})
    def post(self, request):
        serializer = ContractCreateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            contract, _saved = contract_create_from_text(owner=request.user, **{
                "service_id": serializer.validated_data["service_id"],
                "text": serializer.validated_data["text"]})
        except ServiceIdTaken as exc:
            raise Conflict(exc.message, code="service_id_taken") from None
        except ContractError as exc:
            raise Unprocessable(exc.message, code="invalid_input") from None
        return Response(ContractDetailSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractDetailView(BaseApiView):
    permission_classes = [SignedInDeveloper]

    @extend_schema(tags=[TAG], operation_id="contracts_retrieve", parameters=[SERVICE_ID],
                   summary="One of your contracts, with its latest revision and diagnostics",
                   responses={200: ContractDetailSerializer})
    def get(self, request, service_id: str):
        return Response(ContractDetailSerializer(_contract(request, service_id)).data)


class ContractRevisionsView(ApiViewMixin, generics.ListAPIView):
    permission_classes = [SignedInDeveloper]
    pagination_class = ApiPagination
    serializer_class = RevisionSummarySerializer

    def get_queryset(self):
        contract = _contract(self.request, self.kwargs["service_id"])
        return (ContractRevision.objects.filter(contract=contract)
                .select_related("author").order_by("-number"))

    @extend_schema(tags=[TAG], operation_id="contracts_revisions_list", parameters=[SERVICE_ID],
                   summary="A contract's revisions, newest first",
                   responses={200: RevisionSummarySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=[TAG], operation_id="contracts_revisions_create", parameters=[SERVICE_ID],
                   summary="Save a new revision",
                   description="`base_number` is the revision you edited. If a newer one was "
                               "saved since, nothing is written and the answer is 409 with "
                               "`details.current_revision`. The same text as the latest "
                               "revision saves nothing (200, `created: false`).",
                   request=RevisionCreateRequestSerializer,
                   responses={201: RevisionSavedSerializer, 200: RevisionSavedSerializer,
                              **errors(409, 422, e422=UNSAVABLE)})
    def post(self, request, service_id: str):
        contract = _contract(request, service_id)
        contract_write_check(contract=contract, user=request.user)  # staff read others', 403
        serializer = RevisionCreateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            ensure_storable(serializer.validated_data["text"])
            saved = contract_save_revision(contract=contract, text=serializer.validated_data["text"],
                                           author=request.user,
                                           base_number=serializer.validated_data["base_number"])
        except RevisionConflict as exc:
            raise Conflict(exc.message, code="revision_conflict", details={
                "current_revision": exc.latest.number if exc.latest else 0}) from None
        except ContractError as exc:
            raise Unprocessable(exc.message, code="invalid_input") from None
        body = RevisionSavedSerializer({"created": saved.created, "revision": saved.revision}).data
        return Response(body, status=status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK)
