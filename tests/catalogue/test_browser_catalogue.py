"""The catalogue in a browser: compare keeps its ticks, the skip link, names that do not wrap
at 1280 px, results before the filters on a phone."""

import pytest
from playwright.sync_api import expect

from tests.catalogue.factories import make_owner, publish
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPS = ["chat_completion", "text_generation", "function_calling", "structured_output",
        "summarization"]


def seed(n: int = 6) -> list[str]:
    """Services shaped like seed_demo's: long ids, several capabilities."""
    owner = make_owner("lab@example.com", "Meridian Research Labs")
    ids = []
    for i in range(n):
        service_id = f"meridian-chat-{i:06d}"
        publish(service_id, owner=owner, name=f"Meridian Chat Assistant {i} Pro",
                capabilities=CAPS, languages=["en", "de"], p95_ms=100 + i, accuracy=0.9,
                per_request=0.0012345 + i / 10_000)
        ids.append(service_id)
    return ids


def name_lines(page) -> list[int]:
    """How many lines each service name takes in the list."""
    return page.eval_on_selector_all(
        ".catalogue-table tbody td:nth-child(2) > a",
        "links => links.map(a => a.getClientRects().length)")


def test_service_names_do_not_wrap_at_1280_px(page):
    seed(4)
    page.goto("/services/")
    lines = name_lines(page)
    print("name lines at 1280 px:", lines)
    assert len(lines) == 4 and max(lines) <= 2, lines
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("""() => { const s = document.querySelector('.table-scroll');
                                    return s.scrollWidth <= s.clientWidth; }"""), "table scrolls"


def compare_box(page, name: str):
    return page.get_by_role("checkbox", name=f"Compare {name}")


def test_compare_keeps_the_ticks_when_too_few_or_too_many_and_across_pages(page):
    ids = seed(22)  # two pages
    names = [f"Meridian Chat Assistant {i} Pro" for i in range(22)]
    page.goto("/services/?sort=fastest")
    compare = page.get_by_role("button", name="Compare ticked (2–4)")

    compare_box(page, names[0]).check()
    compare.click()
    page.wait_for_url("**/services/?*ids=*")
    expect(page.locator("#compare-message")).to_contain_text("1 service ticked")
    expect(compare_box(page, names[0])).to_be_checked()
    assert "sort=fastest" in page.url

    for name in names[1:5]:
        compare_box(page, name).check()
    compare.click()
    page.wait_for_url("**ids=meridian-chat-000000%2C*")
    expect(page.locator("#compare-message")).to_contain_text("5 services ticked")
    for name in names[:5]:
        expect(compare_box(page, name)).to_be_checked()

    for name in names[2:5]:
        compare_box(page, name).uncheck()
    page.get_by_role("link", name="Next").click()  # the ticks follow (static/js/compare.js)
    page.wait_for_url("**page=2*")
    elsewhere = page.get_by_role("group", name="Also ticked, not on this page")
    expect(elsewhere.get_by_role("checkbox")).to_have_count(2)
    compare_box(page, names[21]).check()
    elsewhere.get_by_role("checkbox", name=names[1]).uncheck()
    compare.click()
    page.wait_for_url("**/services/compare/*")
    headers = page.locator(".compare-table thead th a")
    expect(headers).to_have_text([names[0], names[21]])

    page.get_by_role("link", name="Change the selection").click()
    page.wait_for_url("**/services/?*page=2*")  # back where the Compare button was pressed
    expect(compare_box(page, names[21])).to_be_checked()
    expect(page.get_by_role("group", name="Also ticked, not on this page")
           .get_by_role("checkbox", name=names[0])).to_be_checked()
    assert set(page.url.split("ids=")[1].split("&")[0].split("%2C")) == {ids[0], ids[21]}


def test_compare_with_from_a_service_page_lands_with_it_ticked(page):
    seed(3)
    page.goto("/services/meridian-chat-000001/")
    page.get_by_role("link", name="Compare with…").click()
    page.wait_for_url("**/services/?ids=meridian-chat-000001")
    expect(compare_box(page, "Meridian Chat Assistant 1 Pro")).to_be_checked()
    expect(page.locator("#compare-message")).to_contain_text("tick 1 to 3 more")
    compare_box(page, "Meridian Chat Assistant 2 Pro").check()
    page.get_by_role("button", name="Compare ticked (2–4)").click()
    page.wait_for_url("**/services/compare/*")
    expect(page.locator(".compare-table thead th a")).to_have_count(2)


def test_the_first_tab_reaches_skip_to_results_which_moves_focus_to_the_results(page):
    seed(2)
    page.goto("/services/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('results').contains(document.activeElement)")
    expect(page.get_by_role("button", name="Compare ticked (2–4)")).to_be_focused()


def test_on_a_phone_the_results_come_before_the_filters(page):
    seed(2)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/services/")
    results = page.locator("#results").bounding_box()
    filters = page.locator("#filters").bounding_box()
    assert results["y"] < filters["y"], (results, filters)
    jump = page.get_by_role("link", name="Search and filters")
    expect(jump).to_be_visible()
    jump.click()
    expect(page.get_by_role("searchbox", name="Search")).to_be_in_viewport()
    widths = page.evaluate("""() => ({inner: window.innerWidth,
        catalogue: document.querySelector('.catalogue').getBoundingClientRect().right})""")
    print("375 px:", widths)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "services-375px.png"), full_page=True)
    assert widths["catalogue"] <= widths["inner"], widths
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("link", name="Search and filters")).to_be_hidden()


def test_the_new_parts_have_no_serious_axe_violation_at_either_width(page):
    from axe_playwright_python.sync_playwright import Axe

    seed(3)
    publish("meridian-chat-000000", version="1.1.0", name="Meridian Chat Assistant 0 Pro",
            capabilities=CAPS[:2], languages=["en"], p95_ms=200, per_request=0.01)
    urls = ["/services/?ids=meridian-chat-000000", "/services/?compare=none",
            "/services/compare/?ids=meridian-chat-000000,meridian-chat-000001",
            "/services/meridian-chat-000000/?from=1.0.0&to=1.1.0"]
    found = []
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(url)
            violations = Axe().run(page).response["violations"]
            found += [f"{width} {url} {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
                      for v in violations
                      if v["impact"] in ("serious", "critical")]
    assert found == []
