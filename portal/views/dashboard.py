"""The signed-in developer's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    contracts = request.user.contracts.order_by("-updated_at").prefetch_related("revisions")[:100]
    return render(request, "portal/dashboard.html", {"contracts": contracts})
