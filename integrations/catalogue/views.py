from django.http import Http404
from django.shortcuts import get_object_or_404, render

from integrations.models import RegisteredService, ServiceStatus


def service_list(request):
    services = (
        RegisteredService.objects.exclude(status=ServiceStatus.WITHDRAWN)
        .select_related("current_version", "contract__owner")
        .order_by("service_id")[:50]
    )
    return render(request, "catalogue/list.html", {"services": services})


def service_detail(request, service_id: str):
    service = get_object_or_404(
        RegisteredService.objects.select_related("current_version", "contract__owner"),
        service_id=service_id,
    )
    if service.status == ServiceStatus.WITHDRAWN:
        raise Http404("This service was withdrawn.")
    return render(request, "catalogue/detail.html", {"service": service})
