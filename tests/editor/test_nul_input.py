"""A NUL in the editor's forms, the new-contract form and the contract pages' query strings: a
plain 400 page naming the field, never a 500, and nothing saved (portal/nul_guard.py).

CI runs these on PostgreSQL too, where a NUL reaching a query or a write is a DataError.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts_app.models import Contract
from contracts_app.services import contract_save_revision
from tests.support.errors import nul_page

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def url(name: str, service_id: str = "acme-chat") -> str:
    return reverse(name, kwargs={"service_id": service_id})


def test_saving_a_text_with_a_nul_is_refused_and_saves_nothing(contract, owner_client,
                                                               latest_text):
    response = owner_client.post(url("contracts:edit"), {
        "action": "save:yaml", "text": latest_text + "description: a\x00b\n", "base_number": 1})
    nul_page(response, "text")
    assert contract.revisions.count() == 1


def test_saving_the_form_tab_with_a_nul_in_a_field_is_refused(contract, owner_client, latest_text):
    response = owner_client.post(url("contracts:edit"), {
        "action": "save:form", "text": latest_text, "name": "Acme\x00", "base_number": 1})
    nul_page(response, "name")
    assert contract.revisions.count() == 1


def test_a_new_contract_with_a_nul_in_its_id_is_refused(owner_client):
    response = owner_client.post(reverse("contracts:new"), {"service_id": "my-svc\x00",
                                                            "template": "simple_service"})
    nul_page(response, "service_id")
    assert not Contract.objects.exists()


@pytest.mark.parametrize("path", ["/contracts/check-id/?service_id=%00",
                                  "/contracts/acme-chat/diff/?a=1&b=%00",
                                  "/contracts/acme-chat/edit/?start=%00"])
def test_a_nul_in_a_contract_pages_query_string_is_a_400_page(contract, owner_client, path):
    nul_page(owner_client.get(path))


@pytest.mark.parametrize("path", ["/contracts/acme%00chat/", "/contracts/acme-chat/edit/%00"])
def test_a_nul_in_a_contract_pages_path_is_a_404(contract, owner_client, path):
    assert owner_client.get(path).status_code == 404


def test_an_upload_with_a_nul_in_a_form_field_is_refused(contract, owner_client, latest_text):
    response = owner_client.post(url("contracts:upload"), {
        "file": SimpleUploadedFile("c.yaml", latest_text.encode()), "base_number": "1\x00"})
    nul_page(response, "base_number")


def test_live_validation_still_names_the_line_of_a_nul(contract, owner_client):
    """Live validation saves nothing, so the validator's diagnostic is the answer."""
    response = owner_client.post(url("contracts:validate"), {"text": "a: 1\nb: \x00\n"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-character" in body and "line 2" in body
    assert contract.revisions.count() == 1


def test_switching_tabs_with_a_nul_gets_the_editors_own_answer(contract, owner_client):
    """Converting saves nothing: the YAML tab's text with a NUL cannot fill the form, says so."""
    response = owner_client.post(url("contracts:convert"), {"to": "form", "text": "a: \x00\n"})
    assert response.status_code == 422 and response.json()["ok"] is False
    other_field = owner_client.post(url("contracts:convert"), {"to": "yaml", "text": "a: 1\n",
                                                               "name": "x\x00"})
    nul_page(other_field, "name")


def test_a_nul_written_as_a_yaml_escape_saves_an_invalid_draft_without_the_nul(contract, owner,
                                                                                latest_text):
    """No NUL in the request, but "\\0" in a quoted string parses to one: the validator reports
    it and the draft's parsed data and diagnostics store U+FFFD instead (jsonb holds no NUL)."""
    text = latest_text + 'description: "a\\0b"\n"odd\\0key": 1\n'
    revision = contract_save_revision(contract=contract, text=text, author=owner,
                                      base_number=1).revision
    revision.refresh_from_db()
    assert not revision.is_valid and revision.text == text
    assert revision.data["description"] == "a\ufffdb" and "odd\ufffdkey" in revision.data
    codes = {(d["code"], d["path"]) for d in revision.diagnostics}
    assert {("invalid-character", "/description"), ("invalid-character", "/odd\ufffdkey"),
            ("unknown-key", "/odd\ufffdkey")} <= codes
