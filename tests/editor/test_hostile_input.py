"""Hostile or odd input never becomes a 500: the form layer and the endpoints answer in words."""

import pytest
from caio_integration.contracts import read_template
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts_app.yaml_form import YamlFormError, apply_values, form_fields, values_from_text
from tests.factories import ContractFactory

SIMPLE = read_template("simple_service")
FIELD_NAMES = [f.name for f in form_fields()]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_either_becomes_a_form_or_says_why_not(text):
    try:
        values = values_from_text(text)
    except YamlFormError as exc:
        assert exc.message
        return
    try:
        apply_values(text, values, force=True)
    except YamlFormError as exc:
        assert exc.message


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES),
                       st.one_of(st.text(max_size=40), st.lists(st.text(max_size=12), max_size=4)),
                       max_size=6))
def test_any_form_values_write_yaml_the_validator_can_read(values):
    from caio_integration.contracts import validate_text

    out = apply_values(SIMPLE, values)
    result = validate_text(out)
    assert result.data is not None, [d.message for d in result.diagnostics]
    assert "# What the service promises." in out


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_the_live_endpoints_answer_any_text_without_an_error(owner_client, owner, text):
    contract = ContractFactory(owner=owner, service_id="fuzz-target") \
        if not owner.contracts.exists() else owner.contracts.get()
    kwargs = {"service_id": contract.service_id}
    for mode in ("yaml", "form"):
        response = owner_client.post(reverse("contracts:validate", kwargs=kwargs),
                                     {"mode": mode, "text": text, "name": "x"})
        assert response.status_code in (200, 429)
    response = owner_client.post(reverse("contracts:convert", kwargs=kwargs),
                                 {"to": "form", "text": text})
    assert response.status_code in (200, 422)


@pytest.mark.django_db
def test_a_contract_without_revisions_opens_in_the_editor_and_saves_revision_one(owner,
                                                                                 owner_client):
    contract = ContractFactory(owner=owner, service_id="empty-one")
    kwargs = {"service_id": contract.service_id}
    assert owner_client.get(reverse("contracts:edit", kwargs=kwargs)).status_code == 200
    assert owner_client.get(reverse("contracts:detail", kwargs=kwargs)).status_code == 200
    response = owner_client.post(reverse("contracts:edit", kwargs=kwargs),
                                 {"action": "save:form", "text": "", "name": "First",
                                  "service_id": "empty-one"})
    assert response.status_code == 302
    revision = contract.revisions.get()
    assert revision.number == 1 and revision.data == {"service_id": "empty-one", "name": "First"}


@pytest.mark.django_db
def test_a_form_save_on_broken_yaml_keeps_the_text_and_says_why(owner, owner_client):
    contract = ContractFactory(owner=owner, service_id="broken-one")
    kwargs = {"service_id": contract.service_id}
    response = owner_client.post(reverse("contracts:edit", kwargs=kwargs),
                                 {"action": "save:form", "text": "name: [oops\n", "name": "X"})
    body = response.content.decode()
    assert response.status_code == 400 and "line 2" in body and "name: [oops" in body
    assert not contract.revisions.exists()


@pytest.mark.django_db
def test_a_non_numeric_base_revision_is_treated_as_none(owner, owner_client):
    contract = ContractFactory(owner=owner, service_id="base-odd")
    response = owner_client.post(reverse("contracts:edit", kwargs={"service_id": "base-odd"}),
                                 {"action": "save:yaml", "text": "service_id: base-odd\n",
                                  "base_number": "'; DROP TABLE"})
    assert response.status_code == 302 and contract.revisions.count() == 1


@pytest.mark.parametrize("value", ["0\n\x1b", "tab\there", "bell\x07", "line\nbreak \x00"])
def test_form_values_with_control_characters_are_written_escaped(value):
    from caio_integration.contracts import validate_text

    out = apply_values(SIMPLE, {"name": value})
    assert validate_text(out).data["name"] == value
