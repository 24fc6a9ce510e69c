"""The versioned REST API, mounted at /api/v1/ (namespace "api"). Reference: /api/docs/."""

from django.urls import path

from integrations.api.views import (
    account,
    catalogue,
    contracts,
    integration,
    operations,
    submissions,
)

urlpatterns = [
    path("me/", account.MeView.as_view(), name="me"),
    path("integration/validate-contract", integration.ValidateContractView.as_view(),
         name="validate-contract"),
    path("integration/upload-contract", integration.UploadContractView.as_view(),
         name="upload-contract"),
    path("integration/register-service", integration.RegisterServiceView.as_view(),
         name="register-service"),
    path("integration/discover-services", integration.DiscoverServicesView.as_view(),
         name="discover-services"),
    path("services/", catalogue.ServiceListView.as_view(), name="service-list"),
    path("services/<str:service_id>/", catalogue.ServiceDetailView.as_view(),
         name="service-detail"),
    path("services/<str:service_id>/versions/", catalogue.ServiceVersionsView.as_view(),
         name="service-versions"),
    path("services/<str:service_id>/deprecate/", operations.ServiceDeprecateView.as_view(),
         name="service-deprecate"),
    path("services/<str:service_id>/withdraw/", operations.ServiceWithdrawView.as_view(),
         name="service-withdraw"),
    path("contracts/", contracts.ContractListView.as_view(), name="contract-list"),
    path("contracts/<str:service_id>/", contracts.ContractDetailView.as_view(),
         name="contract-detail"),
    path("contracts/<str:service_id>/revisions/", contracts.ContractRevisionsView.as_view(),
         name="contract-revisions"),
    path("submissions/", submissions.SubmissionListView.as_view(), name="submission-list"),
    path("submissions/<int:pk>/", submissions.SubmissionDetailView.as_view(),
         name="submission-detail"),
    path("submissions/<int:pk>/cancel/", submissions.SubmissionCancelView.as_view(),
         name="submission-cancel"),
]
