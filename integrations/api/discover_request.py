"""The discover-services request: capabilities, guarantees, constraints, a budget, paging.

Apart from integrations/api/serializers.py (the other shapes) to keep both modules short.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from rest_framework import serializers

from integrations.api.fields import (
    AmountField,
    StrictBooleanField,
    StrictFloatField,
    StrictIntegerField,
    StringField,
    contract_string,
)
from integrations.api.serializers import StrictSerializer
from integrations.catalogue import discovery

_BIG = 1e12


class DiscoverLatencySerializer(StrictSerializer):
    p95_ms = StrictFloatField(required=False, min_value=0, max_value=_BIG,
                              help_text="At most this p95 latency.")
    p99_ms = StrictFloatField(required=False, min_value=0, max_value=_BIG,
                              help_text="At most this p99 latency.")


class DiscoverAccuracySerializer(StrictSerializer):
    min = StrictFloatField(required=False, min_value=0, max_value=1,
                           help_text="At least this accuracy (0-1).")


class DiscoverAvailabilitySerializer(StrictSerializer):
    target = StrictFloatField(required=False, min_value=0, max_value=100,
                              help_text="At least this availability target (%).")


class DiscoverGuaranteesSerializer(StrictSerializer):
    latency = DiscoverLatencySerializer(required=False)
    accuracy = DiscoverAccuracySerializer(required=False)
    availability = DiscoverAvailabilitySerializer(required=False)


class DiscoverConstraintsSerializer(StrictSerializer):
    max_tokens = StrictIntegerField(required=False, min_value=0, max_value=2_147_483_647,
                                    help_text="The service accepts at least this many.")
    max_images = StrictIntegerField(required=False, min_value=0, max_value=2_147_483_647,
                                    help_text="The service accepts at least this many.")
    supported_languages = serializers.ListField(
        child=contract_string("constraints", "supported_languages", "items"), required=False,
        max_length=discovery.MAX_VALUES, help_text="Every one of these (ISO 639-1).")


class DiscoverBudgetSerializer(StrictSerializer):
    per_request = AmountField(required=False, help_text="At most this cost per request.")
    per_token = AmountField(required=False, help_text="At most this cost per token.")
    currency = contract_string("cost", "currency", required=False)


class DiscoverRequestSerializer(StrictSerializer):
    capabilities = serializers.ListField(
        child=contract_string("capabilities", "items"), required=False, default=list,
        max_length=discovery.MAX_VALUES, help_text="Every one of these capabilities.")
    guarantees = DiscoverGuaranteesSerializer(required=False)
    constraints = DiscoverConstraintsSerializer(required=False)
    budget = DiscoverBudgetSerializer(required=False, help_text="Cost bounds, compared only "
                                      "within the currency (USD by default).")
    include_deprecated = StrictBooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=list(discovery.SORTS), required=False,
                                   default=discovery.SORT_COST)
    limit = StrictIntegerField(required=False, min_value=1, max_value=discovery.MAX_LIMIT,
                               default=discovery.DEFAULT_LIMIT)
    cursor = StringField(
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", "Not a cursor.")], required=False,
        allow_null=True, max_length=200,
        help_text="The `next` of the previous answer, with the same query: the page after it. "
                  "Absent or null: the first page.")

    def to_query(self) -> discovery.DiscoveryQuery:
        """The validated body as discovery's query (the matching rules live there only)."""
        data = self.validated_data
        guarantees = data.get("guarantees") or {}
        constraints = data.get("constraints") or {}
        budget = data.get("budget") or {}
        return discovery.DiscoveryQuery(
            capabilities=tuple(data.get("capabilities") or ()),
            languages=tuple(constraints.get("supported_languages") or ()),
            max_p95_ms=(guarantees.get("latency") or {}).get("p95_ms"),
            max_p99_ms=(guarantees.get("latency") or {}).get("p99_ms"),
            min_accuracy=(guarantees.get("accuracy") or {}).get("min"),
            min_availability=(guarantees.get("availability") or {}).get("target"),
            min_max_tokens=constraints.get("max_tokens"),
            min_max_images=constraints.get("max_images"),
            max_cost_per_request=budget.get("per_request"),
            max_cost_per_token=budget.get("per_token"),
            currency=budget.get("currency") or discovery.DEFAULT_CURRENCY,
            include_deprecated=data["include_deprecated"],
            sort=data["sort"],
            limit=data["limit"],
        )
