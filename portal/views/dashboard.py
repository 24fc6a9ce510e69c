"""The signed-in developer's dashboard: their contracts and each one's latest revision."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contracts_app.selectors import contracts_for_dashboard


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    contracts = list(contracts_for_dashboard(user=request.user)[:200])
    for contract in contracts:
        diagnostics = contract.latest_diagnostics or []
        contract.error_count = sum(1 for d in diagnostics if d.get("severity") == "error")
        contract.warning_count = sum(1 for d in diagnostics if d.get("severity") == "warning")
    return render(request, "portal/dashboard.html", {"contracts": contracts})
