"""The editor in real Chromium: create, fix errors live, switch tabs, upload, save, diff; axe-core."""


import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P95 = "#id_guarantees__latency__p95_ms"
P99 = "#id_guarantees__latency__p99_ms"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"), full_page=True)


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def create_contract(page, service_id: str) -> None:
    page.goto("/contracts/new/")
    page.get_by_label("Service ID").fill(service_id)
    expect(page.locator("#id-check")).to_contain_text("is available")
    page.get_by_label("Simple service").check()
    page.get_by_role("button", name="Create contract").click()
    page.wait_for_url(f"**/contracts/{service_id}/edit/")


def test_developer_writes_fixes_uploads_saves_and_diffs_a_contract(page, owner, tmp_path):
    browser_login(page, owner.email)
    create_contract(page, "browser-svc")
    expect(page.get_by_role("tab", name="Form")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Service ID")).to_have_value("browser-svc")

    # p99 below p95: the error appears beside the field, without submitting.
    page.get_by_label("Latency p99 (ms)").fill("50")
    error = page.locator("#err-guarantees__latency__p95_ms")
    expect(error).to_contain_text("cannot exceed the 99th")
    expect(page.locator(P95)).to_have_attribute("aria-invalid", "true")
    shot(page, "form-error")
    # Clicking the diagnostic focuses the field.
    page.locator(".diag-jump", has_text="latency-order").click()
    expect(page.locator(P95)).to_be_focused()

    # Fix it; the error goes away.
    page.get_by_label("Latency p99 (ms)").fill("250")
    expect(error).to_be_empty()
    expect(page.locator("#diagnostics .diag-summary")).to_contain_text("No errors")

    # Switch to YAML and back: the form's value is in the YAML, comments kept.
    page.get_by_role("tab", name="YAML").click()
    textarea = page.get_by_label("Contract YAML")
    expect(textarea).to_be_visible()
    text = textarea.input_value()
    # The changed value's comment described the old value and is gone; the others stay.
    assert "p99_ms: 250\n" in text and "# 95% of requests answer within this many ms" in text
    textarea.fill(text.replace("name: My AI Service", "name: Browser Service"))
    page.get_by_role("tab", name="Form").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Browser Service")
    expect(page.locator(P99)).to_have_value("250")

    # Upload a file with a syntax error: it fills the YAML tab and the line is shown.
    broken = tmp_path / "broken.yaml"
    broken.write_text("service_id: browser-svc\nname: ok\ncapabilities: [oops\n")
    page.get_by_label("Contract file (.yaml or .yml)").set_input_files(str(broken))
    expect(page.locator("#diagnostics")).to_contain_text("syntax")
    expect(page.locator("#diagnostics .diag-line").first).to_have_text("line 4")
    expect(page.get_by_role("tab", name="YAML")).to_have_attribute("aria-selected", "true")
    assert "capabilities: [oops" in textarea.input_value()
    # Choosing the file was the one action: no Upload button to press, a count said right.
    expect(page.locator("#upload-button")).to_be_hidden()
    expect(page.locator("#upload-status")).to_contain_text("broken.yaml into the YAML tab: 1 error")
    expect(page.locator("#upload-status")).not_to_contain_text("error(s)")
    shot(page, "upload-syntax-error")
    # Clicking the diagnostic puts the cursor on that line of the YAML.
    page.locator(".diag-jump", has_text="syntax").click()
    expect(textarea).to_be_focused()
    cursor_line = page.evaluate(
        "() => { const t = document.getElementById('yaml-text');"
        " return t.value.slice(0, t.selectionStart).split('\\n').length; }")
    assert cursor_line in (3, 4)

    # Fix the YAML and save: revision 2.
    textarea.fill(text.replace("name: My AI Service", "name: Browser Service"))
    page.locator("#panel-yaml").get_by_role("button", name="Save revision").click()
    page.wait_for_url("**/edit/?saved=2*")
    expect(page.locator(".messages")).to_contain_text("Saved revision 2")

    # History and the diff between revisions 1 and 2.
    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Show diff").click()
    expect(page.get_by_role("heading", name="Changes from revision 1 to revision 2")).to_be_visible()
    expect(page.locator("tr.diff-add")).to_contain_text(["name: Browser Service"])
    expect(page.locator("tr.diff-del")).to_contain_text(["name: My AI Service"])
    shot(page, "diff")


def test_unsaved_changes_survive_a_reload_through_the_local_draft(page, owner):
    browser_login(page, owner.email)
    create_contract(page, "draft-svc")
    page.get_by_label("Name", exact=True).fill("Typed but not saved")
    page.wait_for_timeout(600)  # the draft is written 300 ms after typing stops
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(page.locator("#draft-banner")).to_be_visible()
    page.get_by_role("button", name="Restore them").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Typed but not saved")


def test_editor_pages_have_no_serious_accessibility_violations(page, owner):
    browser_login(page, owner.email)
    page.goto("/dashboard/")
    assert serious(page) == [], "dashboard"
    page.goto("/contracts/new/")
    assert serious(page) == [], "new contract"
    create_contract(page, "axe-svc")
    page.locator("#editor-form").wait_for()
    assert serious(page) == [], "editor, form tab"
    shot(page, "form-tab")
    page.get_by_role("tab", name="YAML").click()
    assert serious(page) == [], "editor, YAML tab"
    shot(page, "yaml-tab")
    page.goto("/contracts/axe-svc/")
    assert serious(page) == [], "contract page"
    page.goto("/dashboard/")
    assert serious(page) == [], "dashboard with a contract"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/contracts/axe-svc/edit/")
    shot(page, "mobile")




def test_tabs_work_from_the_keyboard_and_unsaved_changes_warn_before_leaving(page, owner):
    browser_login(page, owner.email)
    create_contract(page, "keys-svc")
    leaving = ("() => { const e = new Event('beforeunload', {cancelable: true});"
               " window.dispatchEvent(e); return e.defaultPrevented; }")
    assert page.evaluate(leaving) is False
    page.get_by_role("tab", name="Form").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="YAML")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="YAML")).to_be_focused()
    expect(page.get_by_label("Contract YAML")).to_be_visible()
    expect(page.locator("#panel-form")).to_be_hidden()
    page.get_by_label("Contract YAML").press("End")
    page.keyboard.type("\n# a note")
    assert page.evaluate(leaving) is True


def test_a_file_dropped_on_the_upload_box_fills_the_yaml_tab(page, owner):
    browser_login(page, owner.email)
    create_contract(page, "drop-svc")
    page.evaluate("""() => {
        const data = new DataTransfer();
        data.items.add(new File(["service_id: drop-svc\\nname: Dropped\\nversion: '1.0.0'\\n"
                                 + "capabilities: [ocr]\\n"], "dropped.yml", {type: "text/yaml"}));
        const zone = document.getElementById("dropzone");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""")
    expect(page.locator("#upload-status")).to_contain_text("Loaded dropped.yml")
    assert "name: Dropped" in page.get_by_label("Contract YAML").input_value()
    expect(page.locator("#diagnostics .diag-summary")).to_contain_text("No errors")
    page.evaluate("""() => {
        const data = new DataTransfer();
        data.items.add(new File(["x"], "notes.txt", {type: "text/plain"}));
        document.getElementById("dropzone").dispatchEvent(
            new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""")
    expect(page.locator("#upload-status")).to_contain_text("Only .yaml or .yml")
    assert "name: Dropped" in page.get_by_label("Contract YAML").input_value()


def test_a_save_from_a_stale_tab_is_a_conflict_shown_with_a_diff(page, owner):
    browser_login(page, owner.email)
    create_contract(page, "tabs-svc")
    other = page.context.new_page()
    other.goto("/contracts/tabs-svc/edit/?mode=yaml")
    other.get_by_role("tab", name="YAML").click()
    other_text = other.get_by_label("Contract YAML")
    other_text.fill(other_text.input_value().replace("name: My AI Service", "name: From tab two"))
    other.locator("#panel-yaml").get_by_role("button", name="Save revision").click()
    other.wait_for_url("**saved=2*")
    other.close()

    page.get_by_label("Name", exact=True).fill("From tab one")
    page.locator("#panel-form").get_by_role("button", name="Save revision").click()
    expect(page.get_by_role("heading", name="Not saved: someone saved revision 2 meanwhile")) \
        .to_be_visible()
    expect(page.locator(".conflict tr.diff-del")).to_contain_text(["name: From tab two"])
    expect(page.locator(".conflict tr.diff-add")).to_contain_text(["name: From tab one"])
    page.get_by_role("tab", name="YAML").click()
    assert "name: From tab one" in page.get_by_label("Contract YAML").input_value()
    shot(page, "conflict")


def test_without_javascript_check_shows_the_diagnostics_on_submit(browser, live_server, owner):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_login(page, owner.email)
        page.goto("/contracts/new/")
        page.get_by_label("Service ID").fill("nojs-svc")
        page.get_by_role("button", name="Create contract").click()
        page.wait_for_url("**/contracts/nojs-svc/edit/")
        expect(page.get_by_label("Contract YAML")).to_be_visible()  # both panels show
        page.get_by_label("Latency p99 (ms)").fill("50")
        page.locator("#panel-form").get_by_role("button", name="Check").click()
        expect(page.locator("#err-guarantees__latency__p95_ms")).to_contain_text("cannot exceed")
        expect(page.locator("#diagnostics")).to_contain_text("latency-order")
        page.locator("#panel-form").get_by_role("button", name="Save revision").click()
        expect(page.locator(".messages")).to_contain_text("Saved revision 2 as a draft with 1 error")
        page.screenshot(path=str(ARTIFACTS / "editor-no-javascript.png"), full_page=True)
    finally:
        context.close()
