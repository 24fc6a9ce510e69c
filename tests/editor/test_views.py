"""Contract pages and editor endpoints: behaviour, permissions (owner / other / anonymous), escaping."""


import pytest
from caio_integration.contracts import MAX_BYTES
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from contracts_app.models import Contract
from contracts_app.services import contract_save_revision

pytestmark = pytest.mark.django_db

SID = "acme-chat"
READS = [  # (url name, kwargs, method)
    ("contracts:detail", {}, "get"),
    ("contracts:edit", {}, "get"),
    ("contracts:edit", {}, "post"),
    ("contracts:history", {}, "get"),
    ("contracts:diff", {}, "get"),
    ("contracts:revision_yaml", {"number": 1}, "get"),
    ("contracts:validate", {}, "post"),
    ("contracts:convert", {}, "post"),
    ("contracts:upload", {}, "post"),
    ("contracts:delete", {}, "get"),
    ("contracts:delete", {}, "post"),
]


def url(name, **kwargs):
    return reverse(name, kwargs={"service_id": SID, **kwargs})


@pytest.mark.smoke
@pytest.mark.parametrize(("name", "extra", "method"), READS)
def test_another_developer_gets_404_on_every_contract_endpoint(contract, other_client, name,
                                                               extra, method):
    response = getattr(other_client, method)(url(name, **extra), {"text": "x"})
    assert response.status_code == 404
    assert Contract.objects.filter(service_id=SID).exists()


@pytest.mark.parametrize(("name", "extra", "method"), READS)
def test_anonymous_visitors_are_sent_to_sign_in_on_every_contract_endpoint(contract, anonymous,
                                                                           name, extra, method):
    response = getattr(anonymous, method)(url(name, **extra))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("path", ["/contracts/new/", "/contracts/check-id/?service_id=abc",
                                  "/dashboard/"])
def test_anonymous_visitors_are_sent_to_sign_in_on_personal_pages(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "extra"), [("contracts:detail", {}), ("contracts:history", {}),
                                             ("contracts:diff", {}),
                                             ("contracts:revision_yaml", {"number": 1})])
def test_staff_can_see_any_contract(contract, reviewer_client, name, extra):
    assert reviewer_client.get(url(name, **extra)).status_code == 200


EDITOR = [(name, method) for name, _extra, method in READS
          if name in ("contracts:edit", "contracts:validate", "contracts:convert",
                      "contracts:upload")]


@pytest.mark.parametrize(("name", "method"), EDITOR)
def test_staff_cannot_open_or_use_the_editor_of_someone_elses_contract(contract, reviewer_client,
                                                                       latest_text, name, method):
    response = getattr(reviewer_client, method)(url(name), {
        "text": latest_text.replace("1.0.0", "9.9.9"), "action": "save:yaml", "base_number": "1",
        "file": SimpleUploadedFile("c.yaml", latest_text.encode())})
    assert response.status_code == 403
    assert contract.revisions.count() == 1


def test_staff_see_a_read_only_contract_page_without_edit_links(contract, reviewer_client):
    page = reviewer_client.get(url("contracts:detail")).content.decode()
    assert url("contracts:edit") not in page
    assert "only its owner can change or submit it" in page
    history = reviewer_client.get(url("contracts:history")).content.decode()
    assert url("contracts:edit") not in history


def test_the_owner_still_sees_the_edit_links_and_no_reviewing_note(contract, owner_client):
    page = owner_client.get(url("contracts:detail")).content.decode()
    assert url("contracts:edit") in page
    assert "only its owner can change" not in page


def test_staff_cannot_delete_someone_elses_contract_from_the_site(contract, reviewer_client):
    assert reviewer_client.post(url("contracts:delete")).status_code == 403
    assert Contract.objects.filter(service_id=SID).exists()


@pytest.mark.smoke
def test_creating_a_contract_leads_to_the_editor(owner_client):
    response = owner_client.post("/contracts/new/", {"service_id": "my-svc",
                                                     "template": "simple_service"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:edit", kwargs={"service_id": "my-svc"})
    page = owner_client.get(response["Location"]).content.decode()
    assert "service_id: my-svc" in page


def test_a_taken_service_id_is_a_clear_form_error(contract, other_client):
    response = other_client.post("/contracts/new/", {"service_id": SID,
                                                     "template": "simple_service"})
    assert response.status_code == 400
    assert "already taken" in response.content.decode()
    assert Contract.objects.count() == 1


def test_the_id_check_says_free_taken_or_malformed(contract, other_client):
    check = "/contracts/check-id/?service_id="
    assert "is available" in other_client.get(check + "free-one").content.decode()
    assert "already taken" in other_client.get(check + SID).content.decode()
    assert "lowercase" in other_client.get(check + "Bad_Id").content.decode()


def test_the_new_contract_page_lists_every_template_and_example(owner_client):
    from caio_integration.contracts import examples, templates

    page = owner_client.get("/contracts/new/").content.decode()
    for name in templates() + examples():
        assert f'value="{name}"' in page
    assert "OpenAI-compatible chat" in page and "simple service template." not in page
    assert "Openai compatible chat" not in page


def test_the_editor_warns_about_the_templates_placeholder_text_on_its_line(owner_client):
    owner_client.post("/contracts/new/", {"service_id": "my-svc", "template": "simple_service"})
    text = Contract.objects.get(service_id="my-svc").latest_revision.text
    body = owner_client.post(url("contracts:validate", service_id="my-svc"),
                             {"mode": "yaml", "text": text}).content.decode()
    assert body.count("placeholder-text") >= 2 and "My AI Service" in body
    assert "line 8" in body and "No errors" in body


@pytest.mark.smoke
def test_the_editor_labels_every_field_as_the_contract_docs_name_it(contract, owner_client):
    page = owner_client.get(url("contracts:edit")).content.decode()
    for label in ("Service ID", "Latency p95 (ms)", "Latency p99 (ms)", "Capabilities",
                  "Other capabilities", "Supported languages", "Contract YAML"):
        assert f">{label}</label>" in page or f">{label}</legend>" in page


def test_live_validation_returns_the_diagnostics_with_inline_field_slots(contract, owner_client,
                                                                         latest_text):
    text = latest_text.replace("p99_ms: 200", "p99_ms: 50")
    response = owner_client.post(url("contracts:validate"), {"mode": "yaml", "text": text})
    body = response.content.decode()
    assert response.status_code == 200
    assert "latency-order" in body and "line 21" in body
    form_values = {"mode": "form", "text": latest_text, "guarantees__latency__p99_ms": "50",
                   "guarantees__latency__p95_ms": "100"}
    body = owner_client.post(url("contracts:validate"), form_values).content.decode()
    assert 'id="err-guarantees__latency__p95_ms" class="field-error" hx-swap-oob="true"><p>' in body


def test_live_validation_answers_the_htmx_fragment_whatever_the_accept_header(contract,
                                                                              owner_client):
    response = owner_client.post(url("contracts:validate"), {"mode": "yaml", "text": "a: [\n"},
                                 HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("text/html")
    assert 'id="diagnostics"' in response.content.decode() and "syntax" in response.content.decode()


@override_settings(EDITOR_VALIDATE_RATE=(3, 60))
def test_live_validation_is_rate_limited_per_session(contract, owner_client, latest_text):
    codes = [owner_client.post(url("contracts:validate"), {"text": latest_text}).status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert "paused" in owner_client.post(url("contracts:validate"), {"text": "x"}).content.decode()


def test_without_javascript_check_shows_the_same_diagnostics_and_saves_nothing(contract,
                                                                               owner_client,
                                                                               latest_text):
    text = latest_text.replace("p99_ms: 200", "p99_ms: 50")
    response = owner_client.post(url("contracts:edit"), {"action": "check:yaml", "text": text,
                                                         "base_number": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and "latency-order" in body
    assert "p99_ms: 50" in body  # the typed text stays in the textarea
    assert contract.revisions.count() == 1


def test_saving_from_the_form_applies_the_fields_to_the_yaml(contract, owner_client, latest_text):
    post = {"action": "save:form", "text": latest_text, "base_number": "1",
            "name": "Renamed", "capabilities": ["text_generation", "translation"],
            "capabilities__other": "my_custom_skill", "tags": "llm, chat"}
    response = owner_client.post(url("contracts:edit"), post)
    assert response.status_code == 302
    revision = contract.latest_revision
    assert revision.number == 2
    assert revision.data["name"] == "Renamed"
    assert revision.data["capabilities"] == ["text_generation", "translation", "my_custom_skill"]
    assert revision.data["tags"] == ["llm", "chat"]
    assert "# What the service promises." in revision.text


def test_a_conflicting_save_shows_a_diff_and_keeps_the_typed_text(contract, owner, owner_client,
                                                                  latest_text):
    contract_save_revision(contract=contract, text=latest_text + "tags: [theirs]\n", author=owner,
                           base_number=1)
    mine = latest_text + "tags: [mine]\n"
    response = owner_client.post(url("contracts:edit"), {"action": "save:yaml", "text": mine,
                                                         "base_number": "1"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Not saved" in body and "tags: [theirs]" in body and "diff-add" in body
    assert "tags: [mine]\n</textarea>" in body
    assert contract.revisions.count() == 2
    # Saving again is deliberate: it puts the text after revision 2.
    assert 'name="base_number" value="2"' in body
    response = owner_client.post(url("contracts:edit"), {"action": "save:yaml", "text": mine,
                                                         "base_number": "2"})
    assert response.status_code == 302 and contract.revisions.count() == 3


def test_tab_switching_converts_form_to_yaml_and_back(contract, owner_client, latest_text):
    answer = owner_client.post(url("contracts:convert"), {
        "to": "yaml", "text": latest_text, "name": "Switched", "guarantees__latency__p95_ms": "100",
        "capabilities": ["text_generation", "text_embedding"]}).json()
    assert answer["ok"] and "name: Switched" in answer["text"]
    answer = owner_client.post(url("contracts:convert"), {"to": "form",
                                                          "text": answer["text"]}).json()
    assert answer["ok"] and 'value="Switched"' in answer["html"]
    broken = owner_client.post(url("contracts:convert"), {"to": "form", "text": "a: [\n"})
    assert broken.status_code == 422 and "line 2" in broken.json()["error"]


def upload(client, name, content, json_answer=True):
    headers = {"HTTP_ACCEPT": "application/json"} if json_answer else {}
    return client.post(url("contracts:upload"), {"file": SimpleUploadedFile(name, content)},
                       **headers)


@pytest.mark.smoke
def test_an_uploaded_file_fills_the_yaml_tab_and_its_syntax_error_names_the_line(contract,
                                                                               owner_client):
    answer = upload(owner_client, "broken.yaml", b"service_id: acme-chat\nname: [oops\n").json()
    assert answer["ok"] and answer["text"].startswith("service_id: acme-chat")
    assert "syntax" in answer["diagnostics_html"] and "line 3" in answer["diagnostics_html"]
    assert contract.revisions.count() == 1  # nothing saved


@pytest.mark.parametrize(("name", "content", "message"), [
    ("contract.txt", b"service_id: x\n", "Only .yaml or .yml"),
    ("big.yaml", b"#" * (MAX_BYTES + 1), "the limit is 262,144 bytes"),
    ("latin1.yml", "name: caf\u00e9\n".encode("latin-1"), "not UTF-8"),
    ("nul.yaml", b"a: 1\x00\n", "NUL"),
])
def test_a_bad_upload_gets_a_clear_message(contract, owner_client, name, content, message):
    response = upload(owner_client, name, content)
    assert response.status_code == 400 and message in response.json()["error"]
    page = upload(owner_client, name, content, json_answer=False)
    assert page.status_code == 400 and message in page.content.decode()


def test_an_upload_without_javascript_renders_the_editor_with_the_file(contract, owner_client):
    page = upload(owner_client, "c.yml", b"service_id: acme-chat\nname: From file\n",
                  json_answer=False).content.decode()
    assert "name: From file" in page and "Loaded c.yml" in page


def test_starting_from_another_template_loads_it_with_this_id(contract, owner_client):
    page = owner_client.get(url("contracts:edit") + "?start=advanced_service").content.decode()
    assert "service_id: acme-chat" in page and "max_images" in page
    assert contract.revisions.count() == 1


def test_download_is_an_attachment_of_yaml(contract, owner_client):
    response = owner_client.get(url("contracts:revision_yaml", number=1))
    assert response["Content-Type"].startswith("text/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="acme-chat-r1.yaml"'
    assert b"service_id: acme-chat" in response.content


def test_history_and_diff_between_two_revisions(contract, owner, owner_client, latest_text):
    contract_save_revision(contract=contract, text=latest_text.replace("name: My AI Service",
                                                                      "name: Better"),
                           author=owner, base_number=1)
    history = owner_client.get(url("contracts:history")).content.decode()
    assert "r2" in history and "r1" in history
    diff = owner_client.get(url("contracts:diff") + "?a=1&b=2").content.decode()
    assert "name: My AI Service" in diff and "name: Better" in diff
    assert owner_client.get(url("contracts:diff") + "?a=1&b=9").status_code == 404


def test_the_owner_deletes_a_never_submitted_contract(contract, owner_client):
    response = owner_client.post(url("contracts:delete"))
    assert response.status_code == 302 and not Contract.objects.exists()


def test_a_submitted_contract_offers_no_delete_and_refuses_one(contract, owner, owner_client):
    from integrations.models import Submission

    Submission.objects.create(contract=contract, revision=contract.latest_revision, submitter=owner)
    assert url("contracts:delete") not in owner_client.get(url("contracts:detail")).content.decode()
    assert owner_client.post(url("contracts:delete")).status_code == 409
    assert Contract.objects.exists()


def test_the_dashboard_lists_my_contracts_with_their_validation_state(contract, owner,
                                                                     owner_client, latest_text,
                                                                     other_developer):
    from contracts_app.services import contract_create

    contract_create(owner=other_developer, service_id="not-mine", template="simple_service")
    contract_save_revision(contract=contract, text=latest_text.replace("p99_ms: 200", "p99_ms: 5"),
                           author=owner, base_number=1)
    page = owner_client.get("/dashboard/").content.decode()
    assert SID in page and "not-mine" not in page
    assert "invalid" in page and "1 error" in page
    assert 'id="submission-panel"' in page


HOSTILE = '<script>alert("x")</script>'


def test_every_text_field_is_escaped_wherever_it_is_shown(contract, owner, owner_client):
    text = (
        f"service_id: acme-chat\n"
        f"name: '{HOSTILE}'\n"
        f"version: '{HOSTILE}'\n"
        f"description: '{HOSTILE}'\n"
        f"capabilities: ['{HOSTILE}']\n"
        f"cost: {{currency: '{HOSTILE}'}}\n"
        f"endpoint: 'javascript:{HOSTILE}'\n"
        f"documentation_url: 'http://{HOSTILE}'\n"
        f"contact: '{HOSTILE}'\n"
        f"tags: ['{HOSTILE}']\n"
        f"constraints: {{supported_languages: ['{HOSTILE}']}}\n"
    )
    contract_save_revision(contract=contract, text=text, author=owner, base_number=1)
    pages = [url("contracts:detail"), url("contracts:edit"), url("contracts:history"),
             url("contracts:diff"), "/dashboard/"]
    for page in pages:
        body = owner_client.get(page).content.decode()
        assert "<script>alert" not in body, page
    body = owner_client.get(url("contracts:detail")).content.decode()
    assert "&lt;script&gt;alert" in body
    assert 'href="javascript:' not in body and 'href="http://' not in body
    validate = owner_client.post(url("contracts:validate"), {"text": text, "mode": "form"})
    assert "<script>alert" not in validate.content.decode()


def test_https_links_render_with_nofollow_noopener_ugc(contract, owner_client):
    body = owner_client.get(url("contracts:detail")).content.decode()
    assert "https://" not in body.split("<main", 1)[1] or 'rel="nofollow noopener ugc"' in body
    from contracts_app.templatetags.contract_tags import https_link

    assert https_link("https://docs.example.com/x") == (
        '<a href="https://docs.example.com/x" rel="nofollow noopener ugc">'
        "https://docs.example.com/x</a>")
    assert "<a" not in https_link("http://docs.example.com")
    assert "<a" not in https_link('https://x.example/"onmouseover="alert(1)')




def test_the_contract_page_summarises_guarantees_constraints_and_cost(contract, owner_client):
    page = owner_client.get(url("contracts:detail")).content.decode()
    data = contract.latest_revision.data
    for heading in ("<h2>Guarantees</h2>", "<h2>Constraints</h2>", "<h2>Cost</h2>"):
        assert heading in page
    assert f"{data['guarantees']['latency']['p95_ms']} ms" in page
    assert f"<code>{data['constraints']['supported_languages'][0]}</code>" in page
    assert f"{data['cost']['per_token']} {data['cost']['currency']}" in page


def test_a_draft_with_wrong_types_still_shows_its_contract_page(contract, owner_client,
                                                                latest_text):
    text = latest_text.replace("p95_ms: 100", "p95_ms: [1, 2]").replace(
        "max_tokens: 4096", "max_tokens: lots")
    contract_save_revision(contract=contract, text=text, author=contract.owner, base_number=1)
    page = owner_client.get(url("contracts:detail"))
    assert page.status_code == 200 and "<h2>Guarantees</h2>" in page.content.decode()


def test_after_saving_the_editor_offers_submit_through_the_contract_pages_panel(contract,
                                                                               owner_client):
    page = owner_client.get(url("contracts:edit") + "?saved=1&mode=form").content.decode()
    assert f'hx-get="{reverse("integrations:panel", kwargs={"service_id": SID})}"' in page
    panel = owner_client.get(reverse("integrations:panel", kwargs={"service_id": SID}),
                             HTTP_HX_REQUEST="true",
                             HTTP_HX_CURRENT_URL="http://testserver" + url("contracts:edit"))
    assert "Submit for registration" in panel.content.decode()
    assert f'name="next" value="{url("contracts:edit")}"' in panel.content.decode()
