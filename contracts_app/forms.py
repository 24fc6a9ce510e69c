"""Forms: choosing a service id and starting point, and the contract form (from the schema)."""

from __future__ import annotations

from typing import Any

from django import forms

from contracts_app.selectors import starters
from contracts_app.services import service_id_problem
from contracts_app.yaml_form import FormField, field_for_pointer, form_fields

OTHER_CAPABILITIES = "capabilities__other"
SECTION_TITLES = {"": "Service", "Guarantees": "Guarantees", "Constraints": "Constraints",
                  "Cost": "Cost"}
_LINK_KEYS = ("endpoint", "documentation_url", "contact", "tags")


class NewContractForm(forms.Form):
    service_id = forms.CharField(
        label="Service ID", max_length=63,
        help_text="3 to 63 lowercase letters, digits and hyphens, starting with a letter. "
                  "It is fixed once the contract exists.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "none", "autofocus": True}))
    template = forms.ChoiceField(label="Start from", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            (s.name, f"{s.title} ({s.kind})") for s in starters()]
        self.fields["template"].initial = "simple_service"

    def clean_service_id(self) -> str:
        value = self.cleaned_data["service_id"].strip()
        problem = service_id_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


def _widget(field: FormField) -> forms.Widget:
    spec = field.spec
    attrs: dict[str, Any] = {"aria-describedby": f"help-{field.name} err-{field.name}",
                             "data-pointer": spec.path}
    if field.multiline:
        return forms.Textarea(attrs={**attrs, "rows": 4})
    if field.is_number:
        attrs["inputmode"] = "numeric" if spec.type == "integer" else "decimal"
    elif spec.format == "uri":
        attrs.update(inputmode="url", spellcheck="false")
    elif spec.format == "email":
        attrs.update(inputmode="email", spellcheck="false")
    if spec.key == "currency":
        attrs["list"] = "currency-options"
    if spec.key == "service_id":
        attrs["readonly"] = True
    if spec.example is not None and not field.is_list:
        attrs["placeholder"] = f"e.g. {spec.example}"
    return forms.TextInput(attrs=attrs)


def _help(field: FormField) -> str:
    text = field.spec.description
    if field.is_list and field.spec.key != "capabilities":
        text += " Separate entries with commas."
    return text


class ContractForm(forms.Form):
    """One input per leaf of the contract schema (via yaml_form.form_fields()).

    Nothing here is required or type-checked: the SDK's validator judges the contract, and a
    draft is never blocked. ``diagnostics`` (from the validator) mark fields inline.
    """

    def __init__(self, *args, diagnostics: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_map: dict[str, FormField] = {}
        for field in form_fields():
            self.field_map[field.name] = field
            spec = field.spec
            if spec.key == "capabilities":
                self.fields[field.name] = forms.MultipleChoiceField(
                    label=spec.title, required=False, help_text=spec.description,
                    choices=[(c, c) for c in spec.vocabulary or ()],
                    widget=forms.CheckboxSelectMultiple(attrs={"data-pointer": spec.path}))
                self.fields[OTHER_CAPABILITIES] = forms.CharField(
                    label="Other capabilities", required=False,
                    help_text="Capabilities not in the list: snake_case names separated by commas.",
                    widget=forms.TextInput(attrs={
                        "aria-describedby": f"help-{OTHER_CAPABILITIES} err-{field.name}",
                        "spellcheck": "false"}))
                continue
            self.fields[field.name] = forms.CharField(
                label=spec.title, required=False, help_text=_help(field), strip=False,
                widget=_widget(field))
        self.messages: dict[str, list[dict]] = {}
        self.set_diagnostics(diagnostics or [])

    @classmethod
    def from_values(cls, values: dict[str, Any], **kwargs) -> ContractForm:
        """An unbound form showing ``values`` (from yaml_form.values_from_text)."""
        initial = dict(values)
        caps = list(values.get("capabilities") or [])
        field = next(f for f in form_fields() if f.spec.key == "capabilities")
        vocabulary = set(field.spec.vocabulary or ())
        initial["capabilities"] = [c for c in caps if c in vocabulary]
        initial[OTHER_CAPABILITIES] = ", ".join(c for c in caps if c not in vocabulary)
        for f in form_fields():
            if f.is_list and f.spec.key != "capabilities":
                initial[f.name] = ", ".join(values.get(f.name) or [])
        form = cls(initial=initial, **kwargs)
        form.shown_capabilities = caps
        return form

    def set_diagnostics(self, diagnostics: list[dict]) -> None:
        self.messages = {}
        for diagnostic in diagnostics:
            field = field_for_pointer(diagnostic.get("path"))
            if field is not None:
                self.messages.setdefault(field.name, []).append(diagnostic)

    def values(self, *, shown_capabilities: list[str] | None = None) -> dict[str, Any]:
        """The submitted values, as yaml_form.apply_values takes them."""
        data = self.data
        values: dict[str, Any] = {}
        for field in form_fields():
            if field.name not in data and not (field.is_list and field.spec.key == "capabilities"):
                continue
            if field.spec.key == "capabilities":
                picked = list(data.getlist(field.name)) if hasattr(data, "getlist") \
                    else list(data.get(field.name) or [])
                other = [c.strip() for c in str(data.get(OTHER_CAPABILITIES, "")).split(",")]
                wanted = picked + [c for c in other if c and c not in picked]
                # Keep the order the YAML had; new entries go at the end.
                order = [c for c in (shown_capabilities or []) if c in wanted]
                values[field.name] = order + [c for c in wanted if c not in order]
            else:
                values[field.name] = data.get(field.name, "")
        return values

    def sections(self) -> list[dict[str, Any]]:
        """Fields grouped as the contract docs group them, each with its inline messages."""
        groups: list[dict[str, Any]] = []
        for field in form_fields():
            spec = field.spec
            title = "Links and contact" if spec.key in _LINK_KEYS else \
                SECTION_TITLES.get(spec.section[0] if spec.section else "", "Service")
            if not groups or groups[-1]["title"] != title:
                groups.append({"title": title, "fields": []})
            entry = {"field": field, "bound": self[field.name],
                     "messages": self.messages.get(field.name, []),
                     "is_capabilities": spec.key == "capabilities"}
            if entry["is_capabilities"]:
                entry["other"] = self[OTHER_CAPABILITIES]
            groups[-1]["fields"].append(entry)
        return groups

    def error_slots(self) -> list[tuple[str, list[dict]]]:
        """Every field's inline messages (empty lists too, to clear old ones on a live check)."""
        return [(f.name, self.messages.get(f.name, [])) for f in form_fields()]
