"""The signed-in developer's dashboard: their contracts and each one's latest revision."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contracts_app.diagnostics import severity_counts
from contracts_app.selectors import contracts_for_dashboard


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    contracts = list(contracts_for_dashboard(user=request.user)[:200])
    for contract in contracts:
        counts = severity_counts(contract.latest_diagnostics)
        contract.error_count, contract.warning_count = counts["error"], counts["warning"]
    return render(request, "portal/dashboard.html", {"contracts": contracts})
