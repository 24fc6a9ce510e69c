"""The caller's submissions, their timelines, and cancelling one. Others' answer 404."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from contracts_app.models import Contract
from integrations.api.errors import Conflict
from integrations.api.pagination import ApiPagination
from integrations.api.permissions import SignedInDeveloper
from integrations.api.serializers import SubmissionDetailSerializer, SubmissionSerializer
from integrations.api.views.base import ApiViewMixin, BaseApiView, errors
from integrations.models import Event, Submission
from integrations.pipeline.errors import PipelineError
from integrations.pipeline.submissions import submission_cancel

TAG = "submissions"
SUBMISSION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Submission id.")


def submissions_visible_to(user):
    """Submissions of the contracts ``user`` may see (their own; staff: all)."""
    return (Submission.objects.filter(contract__in=Contract.objects.visible_to(user))
            .select_related("contract", "revision"))


def _submission(request, pk: int) -> Submission:
    events = Prefetch("events", queryset=Event.objects.order_by("at", "id"))
    found = submissions_visible_to(request.user).prefetch_related(events).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"You have no submission {pk}.")
    return found


class SubmissionListView(ApiViewMixin, generics.ListAPIView):
    permission_classes = [SignedInDeveloper]
    pagination_class = ApiPagination
    serializer_class = SubmissionSerializer

    def get_queryset(self):
        return submissions_visible_to(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(tags=[TAG], operation_id="submissions_list", summary="Your submissions",
                   responses={200: SubmissionSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SubmissionDetailView(BaseApiView):
    permission_classes = [SignedInDeveloper]

    @extend_schema(tags=[TAG], operation_id="submissions_retrieve", parameters=[SUBMISSION_ID],
                   summary="One submission with its timeline",
                   responses={200: SubmissionDetailSerializer})
    def get(self, request, pk: int):
        return Response(SubmissionDetailSerializer(_submission(request, pk)).data)


class SubmissionCancelView(BaseApiView):
    permission_classes = [SignedInDeveloper]

    @extend_schema(tags=[TAG], operation_id="submissions_cancel", parameters=[SUBMISSION_ID],
                   summary="Cancel a submission that no worker has claimed yet",
                   request=None,
                   responses={200: SubmissionDetailSerializer, **errors(409)})
    def post(self, request, pk: int):
        submission = _submission(request, pk)
        try:
            submission_cancel(submission=submission, user=request.user)
        except PipelineError as exc:
            raise Conflict(exc.message, code="cancel_refused") from None
        return Response(SubmissionDetailSerializer(_submission(request, pk)).data)
