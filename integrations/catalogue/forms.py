"""The catalogue's GET filter form (its state lives in the URL) and the owner's status form."""

from __future__ import annotations

import re
from decimal import Decimal

from caio_integration.contracts import CAPABILITIES, LANGUAGES
from django import forms
from django.core.validators import MaxLengthValidator

from integrations.catalogue.discovery import MAX_VALUES, DiscoveryQuery
from integrations.catalogue.selectors import CATALOGUE_SORTS, SORT_RELEVANCE, Listing

CAPABILITY_CHOICES = [(c, c.replace("_", " ")) for c in CAPABILITIES]
LANGUAGE_CHOICES = sorted(LANGUAGES.items(), key=lambda kv: kv[1])
# Discovery takes at most MAX_VALUES of each (more would be its DiscoveryQueryError: a 500).
AT_MOST_VALUES = MaxLengthValidator(MAX_VALUES, f"Choose at most {MAX_VALUES}.")
CURRENCY_CHOICES = [(c, c) for c in ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR")]


class PlainDecimalField(forms.DecimalField):
    """A decimal written plainly: digits, then a point and decimals (no exponent, sign or
    spaces), at most max_digits and decimal_places. ``pattern`` says it (the API documents it)."""

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        whole = max_digits - decimal_places
        self.pattern = rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{decimal_places}}})?$"

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(self.pattern, str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class ConstantChoicesField(forms.MultipleChoiceField):
    """A multiple-choice field whose choices never change: each form gets its own copy of the
    field, but shares the choices. Django deep-copies them on every form (183 languages), which
    was a tenth of the catalogue list's own CPU before its counts were cached."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200,
                        widget=forms.SearchInput(attrs={"placeholder": "name, id, description, tag, owner"}))
    capability = ConstantChoicesField(
        label="Capabilities (all of)", required=False, choices=CAPABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple, validators=[AT_MOST_VALUES])
    language = ConstantChoicesField(
        label="Languages (all of)", required=False, choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple, validators=[AT_MOST_VALUES])
    max_p95 = forms.IntegerField(label="Max p95 latency (ms)", required=False, min_value=0,
                                 max_value=10_000_000)
    min_accuracy = forms.FloatField(label="Min accuracy (0–1)", required=False, min_value=0,
                                    max_value=1)
    min_availability = forms.FloatField(label="Min availability (%)", required=False,
                                        min_value=0, max_value=100)
    max_price = PlainDecimalField(label="Max price per request", required=False,
                                  min_value=Decimal(0), max_digits=18, decimal_places=8)
    currency = forms.ChoiceField(label="Currency", required=False, choices=CURRENCY_CHOICES,
                                 initial="USD")
    owner = forms.CharField(label="Owner (any part of the name)", required=False, max_length=60)
    sort = forms.ChoiceField(label="Sort by", required=False,
                             choices=list(CATALOGUE_SORTS.items()), initial=SORT_RELEVANCE)

    def listing(self) -> Listing:
        """The listing for the fields that are valid (invalid ones are reported, not applied)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        query = DiscoveryQuery(
            capabilities=tuple(data.get("capability") or ()),
            languages=tuple(data.get("language") or ()),
            max_p95_ms=data.get("max_p95"),
            min_accuracy=data.get("min_accuracy"),
            min_availability=data.get("min_availability"),
            max_cost_per_request=data.get("max_price"),
            currency=data.get("currency") or "USD",
            include_deprecated=True,
        )
        return Listing(query=query, text=data.get("q") or "", owner=data.get("owner") or "",
                       sort=data.get("sort") or SORT_RELEVANCE)

    def active_filters(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) not in (None, "", []) for k in self.fields if k != "sort")
