"""Read-side queries for the portal's own pages."""

from __future__ import annotations

from django.db.models import Count, Q


def home_stats() -> dict[str, int]:
    """Counts shown on the home page: public services, and developers who publish them."""
    from integrations.models import RegisteredService

    row = RegisteredService.objects.aggregate(
        services=Count("id", filter=~Q(status="withdrawn")),
        owners=Count("contract__owner", distinct=True, filter=~Q(status="withdrawn")),
    )
    return {"services": row["services"] or 0, "owners": row["owners"] or 0}
