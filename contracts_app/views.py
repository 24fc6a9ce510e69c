from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from contracts_app.models import Contract


@login_required
def contract_detail(request, service_id: str):
    contract = get_object_or_404(Contract.objects.visible_to(request.user), service_id=service_id)
    return render(request, "contracts/detail.html", {"contract": contract,
                                                     "revision": contract.latest_revision})
