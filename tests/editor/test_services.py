"""contracts_app.services: creating contracts, saving revisions, conflicts, deleting, reassigning."""

import pytest
from caio_integration.contracts import MAX_BYTES
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts_app.models import Contract
from contracts_app.services import (
    ContractError,
    RevisionConflict,
    ServiceIdTaken,
    UploadError,
    check_text,
    contract_create,
    contract_create_from_text,
    contract_delete,
    contract_reassign,
    contract_save_revision,
    service_id_problem,
    upload_text,
)

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_a_new_contract_starts_from_the_template_carrying_its_service_id(contract):
    revision = contract.revisions.get()
    assert revision.number == 1
    assert "service_id: acme-chat\n" in revision.text
    assert "# A stable id" in revision.text  # the template's comments came along
    assert revision.is_valid and revision.data["service_id"] == "acme-chat"


def test_a_taken_service_id_cannot_be_created_again(contract, other_developer):
    with pytest.raises(ServiceIdTaken, match="already taken"):
        contract_create(owner=other_developer, service_id="acme-chat", template="simple_service")
    assert Contract.objects.count() == 1


def test_a_text_becomes_revision_1_of_a_new_contract_even_with_errors(owner):
    contract, saved = contract_create_from_text(owner=owner, service_id=" from-text ",
                                                text="service_id: from-text\r\n")
    assert contract.service_id == "from-text" and saved.created
    assert saved.revision.number == 1 and saved.revision.text == "service_id: from-text\n"
    assert not saved.revision.is_valid


def test_an_uploaded_file_is_read_as_text_without_bom_and_with_newline_endings():
    upload = SimpleUploadedFile("dir/c.YML", "\ufeffname: café\r\n".encode())
    assert upload_text(upload) == "name: café\n"


@pytest.mark.parametrize(("name", "content", "code"), [
    ("c.txt", b"a: 1", "wrong_type"),
    ("c.yaml", b"#" * (MAX_BYTES + 1), "too_large"),
    ("c.yaml", "café".encode("latin-1"), "not_utf8"),
    ("c.yaml", b"a: 1\x00", "nul"),
])
def test_an_unreadable_upload_is_refused_with_its_reason(name, content, code):
    with pytest.raises(UploadError) as refused:
        upload_text(SimpleUploadedFile(name, content))
    assert refused.value.code == code and "c." in refused.value.message


@pytest.mark.parametrize("bad", ["", "ab", "Upper", "1abc", "has_underscore", "new", "compare", "x" * 64])
def test_malformed_or_reserved_service_ids_are_refused_with_a_reason(bad):
    assert service_id_problem(bad)


def test_an_unknown_template_is_refused(owner):
    with pytest.raises(ContractError, match="no template"):
        contract_create(owner=owner, service_id="some-id", template="../../etc/passwd")


@pytest.mark.smoke
def test_saving_changed_text_creates_the_next_revision_and_same_text_creates_none(contract, owner,
                                                                                latest_text):
    result = contract_save_revision(contract=contract, text=latest_text + "tags: [llm]\n",
                                    author=owner, base_number=1)
    assert result.created and result.revision.number == 2 and result.revision.base_number == 1
    again = contract_save_revision(contract=contract, text=latest_text + "tags: [llm]\n",
                                   author=owner, base_number=2)
    assert not again.created and again.revision.number == 2
    assert contract.revisions.count() == 2


def test_an_invalid_draft_is_saved_and_marked_invalid(contract, owner, latest_text):
    text = latest_text.replace("p99_ms: 200", "p99_ms: 50")
    revision = contract_save_revision(contract=contract, text=text, author=owner,
                                      base_number=1).revision
    assert not revision.is_valid
    assert [d["code"] for d in revision.diagnostics if d["severity"] == "error"] == [
        "latency-order"]
    assert revision.text == text


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1.0e+400"])
def test_a_draft_with_a_non_finite_number_is_saved_with_the_problem_reported(contract, owner,
                                                                             latest_text, number):
    text = latest_text.replace("p99_ms: 200", f"p99_ms: {number}")
    revision = contract_save_revision(contract=contract, text=text, author=owner,
                                      base_number=1).revision
    revision.refresh_from_db()
    assert not revision.is_valid and revision.text == text
    assert "not-finite" in [d["code"] for d in revision.diagnostics]
    assert revision.data["guarantees"]["latency"]["p99_ms"] is None


def test_a_save_from_an_older_revision_is_refused_as_a_conflict(contract, owner, latest_text):
    contract_save_revision(contract=contract, text=latest_text + "tags: [a]\n", author=owner,
                           base_number=1)
    with pytest.raises(RevisionConflict) as info:
        contract_save_revision(contract=contract, text=latest_text + "tags: [b]\n", author=owner,
                               base_number=1)
    assert info.value.latest.number == 2
    assert contract.revisions.count() == 2
    assert "tags: [a]" in contract.latest_revision.text


def test_changing_the_service_id_in_the_yaml_is_a_diagnostic_saying_it_is_fixed(contract,
                                                                                latest_text):
    verdict = check_text(text=latest_text.replace("service_id: acme-chat", "service_id: other-id"),
                         service_id="acme-chat")
    fixed = [d for d in verdict.diagnostics if d["code"] == "service-id-fixed"]
    assert fixed and "fixed" in fixed[0]["message"] and fixed[0]["line"] == 7
    assert not verdict.valid


def test_a_text_over_the_sdk_size_limit_is_not_saved(contract, owner):
    with pytest.raises(ContractError, match="limit"):
        contract_save_revision(contract=contract, text="#" * (MAX_BYTES + 1), author=owner,
                               base_number=1)
    assert contract.revisions.count() == 1


def test_windows_line_endings_are_saved_as_unix_ones(contract, owner, latest_text):
    revision = contract_save_revision(contract=contract, text=latest_text.replace("\n", "\r\n")
                                      + "tags: [x]\r\n", author=owner, base_number=1).revision
    assert "\r" not in revision.text


def test_only_the_owner_deletes_a_contract(contract, owner, other_developer):
    with pytest.raises(PermissionDenied):
        contract_delete(contract=contract, user=other_developer)
    contract_delete(contract=contract, user=owner)
    assert not Contract.objects.exists()


def test_a_submitted_contract_cannot_be_deleted(contract, owner):
    from integrations.models import Submission

    Submission.objects.create(contract=contract, revision=contract.latest_revision, submitter=owner)
    with pytest.raises(ContractError, match="submitted"):
        contract_delete(contract=contract, user=owner)
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_staff_can_reassign_a_contract_to_another_owner(contract, other_developer, reviewer):
    contract_reassign(contract=contract, new_owner=other_developer, by=reviewer)
    contract.refresh_from_db()
    assert contract.owner == other_developer


def test_verdicts_are_cached_by_the_hash_of_the_text(latest_text, monkeypatch):
    first = check_text(text=latest_text, service_id="acme-chat")
    import contracts_app.services as services

    def boom(*args, **kwargs):
        raise AssertionError("validated twice")

    monkeypatch.setattr(services, "validate_text", boom)
    assert check_text(text=latest_text, service_id="acme-chat") == first


@pytest.mark.parametrize("who", ["reviewer", "other_developer"])
def test_only_the_owner_can_save_a_revision_staff_included(contract, latest_text, who, request):
    with pytest.raises(PermissionDenied, match="Only the contract's owner"):
        contract_save_revision(contract=contract, text=latest_text + "\n# theirs\n",
                               author=request.getfixturevalue(who), base_number=1)
    assert contract.revisions.count() == 1


def test_after_a_reassignment_the_new_owner_saves_and_the_old_one_cannot(
        contract, latest_text, owner, other_developer, reviewer):
    contract_reassign(contract=contract, new_owner=other_developer, by=reviewer)
    saved = contract_save_revision(contract=contract, text=latest_text + "\n# new owner\n",
                                   author=other_developer, base_number=1)
    assert saved.created and saved.revision.author == other_developer
    with pytest.raises(PermissionDenied):
        contract_save_revision(contract=contract, text=latest_text, author=owner, base_number=2)


def test_staff_see_every_contract_but_may_edit_only_their_own(contract, reviewer, owner):
    assert Contract.objects.visible_to(reviewer).filter(pk=contract.pk).exists()
    assert not Contract.objects.editable_by(reviewer).filter(pk=contract.pk).exists()
    assert Contract.objects.editable_by(owner).filter(pk=contract.pk).exists()
    assert (contract.is_editable_by(reviewer), contract.is_editable_by(owner)) == (False, True)
