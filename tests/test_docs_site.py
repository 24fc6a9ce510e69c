"""The documentation site: table of contents, highlighted code with copy buttons, previous/next,
samples with the portal's own address, the token note, the search, and the user guides kept
apart from the design notes."""

import re
from pathlib import Path

import pytest
from caio_integration.contracts.code_docs import DOCS_PATH
from django.conf import settings
from django.urls import reverse

from portal import docs_search
from portal.docs import GUIDES_DIR, PAGES, render_markdown
from portal.docs_blocks import substitute_url
from portal.highlight import highlight_css
from portal.tokens import token_create

pytestmark = [pytest.mark.django_db]
ROOT = Path(settings.BASE_DIR)
MARKDOWN_PAGES = [page.slug for page in PAGES if page.file]


def get(client, slug: str) -> str:
    response = client.get(reverse("portal:docs_page", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("slug", MARKDOWN_PAGES)
def test_each_guide_has_a_table_of_contents_that_points_at_its_headings(anonymous, slug):
    body = get(anonymous, slug)
    toc = body[body.index('class="docs-toc"'):body.index("</nav>", body.index('class="docs-toc"'))]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in body


def test_code_is_highlighted_on_the_server_and_each_block_has_a_copy_button(anonymous):
    body = get(anonymous, "diagnostics")
    assert '<pre class="highlight" id="code-1"' in body
    assert '<span class="nt">service_id</span>' in body  # Pygments' YAML key token
    blocks = len(re.findall(r"<pre[ >]", body))
    assert blocks == body.count('class="copy-button" data-copy-target="code-') > 10
    assert 'src="/static/js/copy.js"' in body


def test_a_console_block_copies_its_commands_without_prompts():
    html = render_markdown("```console\n$ caio validate x.yaml\nx.yaml: ok\n```\n").html
    assert "data-copy-commands" in html


@pytest.mark.parametrize("slug", [page.slug for page in PAGES])
def test_docs_pages_carry_no_inline_script_no_handler_and_no_style_attribute(anonymous, slug):
    body = get(anonymous, slug)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert re.search(r"\son[a-z]+=", body) is None
    assert "javascript:" not in body
    article = body[body.index('<article class="docs-body">'):]
    assert ' style="' not in article


def test_the_generated_pygments_stylesheet_is_up_to_date():
    assert (ROOT / "static/css/pygments.css").read_text(encoding="utf-8") == highlight_css()


def test_previous_and_next_walk_the_guide_in_order(anonymous):
    for index, page in enumerate(PAGES):
        body = get(anonymous, page.slug)
        if index:
            previous = PAGES[index - 1].slug
            assert f'rel="prev" href="{reverse("portal:docs_page", args=[previous])}"' in body
        else:
            assert 'rel="prev"' not in body
        if index + 1 < len(PAGES):
            following = PAGES[index + 1].slug
            assert f'rel="next" href="{reverse("portal:docs_page", args=[following])}"' in body
        else:
            assert 'rel="next"' not in body


def test_samples_show_the_address_the_portal_is_read_at(anonymous):
    body = anonymous.get(reverse("portal:docs_page", args=["integration-guide"]),
                         HTTP_HOST="localhost:8341").content.decode()
    assert "http://localhost:8341/sdk/" in body
    assert "$CAIO_URL" not in body and "portal.example.com" not in body


def test_the_placeholder_and_the_legacy_address_both_become_the_base_url():
    text = "curl $CAIO_URL/api/ ${CAIO_URL}/x https://portal.example.com/docs/ $CAIO_URLS"
    assert substitute_url(text, "https://caio.test/") == (
        "curl https://caio.test/api/ https://caio.test/x https://caio.test/docs/ $CAIO_URLS")


def test_a_signed_in_reader_is_told_where_the_token_goes_but_never_shown_one(owner, owner_client):
    _, plaintext = token_create(user=owner, name="laptop")
    body = get(owner_client, "integration-guide")
    note = body[body.index('class="docs-note"'):body.index("</aside>")]
    assert f'href="{reverse("tokens:list")}"' in note and "CAIO_TOKEN" in note
    assert plaintext not in body and plaintext[:12] not in body


def test_an_anonymous_reader_is_offered_to_sign_in_for_a_token(anonymous):
    body = get(anonymous, "integration-guide")
    note = body[body.index('class="docs-note"'):body.index("</aside>")]
    assert reverse("accounts:login") in note


def test_search_finds_the_entry_of_a_diagnostic_code(anonymous):
    response = anonymous.get(reverse("portal:docs_search"), {"q": "unknown-key"})
    assert response.status_code == 200
    assert f'href="{DOCS_PATH}#unknown-key"' in response.content.decode()


def test_search_needs_every_word_and_reads_the_last_as_a_prefix():
    urls = {result.url for result in docs_search.search("latency ord")}
    assert f"{DOCS_PATH}#latency-order" in urls
    assert docs_search.search("latency zzzqqq") == []


def test_search_covers_every_page():
    pages = {section.page.slug for section in docs_search.index().sections}
    assert pages == {page.slug for page in PAGES}


def test_search_reads_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert docs_search.search("register wait")


@pytest.mark.parametrize("query", ["", " ", "a" * 5000, "<script>", "((*", "日本語", "é" * 300,
                                   "- _ . --", "a-b-c-d-e-f-g-h-i-j"])
def test_search_answers_any_query_with_a_page(anonymous, query):
    response = anonymous.get(reverse("portal:docs_search"), {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split('class="docs-main"')[1]


def test_search_refuses_a_nul_in_the_query_with_a_400(anonymous):
    assert anonymous.get(reverse("portal:docs_search"), {"q": "a\x00b"}).status_code == 400


def test_search_escapes_the_query_it_shows(anonymous):
    body = anonymous.get(reverse("portal:docs_search"), {"q": "<b>contract"}).content.decode()
    assert "<b>contract" not in body and "&lt;b&gt;contract" in body


def test_the_portal_serves_the_user_guides_and_not_the_design_notes(anonymous):
    served = {page.file for page in PAGES if page.file}
    assert served == {path.name for path in GUIDES_DIR.glob("*.md")}
    for note in (ROOT / "docs").glob("*.md"):
        response = anonymous.get(f"/docs/{note.stem}/")
        title = note.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert response.status_code == 404 or f">{title}</h1>" not in response.content.decode()
    nav = get(anonymous, "integration-guide")
    assert "pipeline" not in nav.split('class="docs-nav"')[1].split("</nav>")[0]


def test_the_sdk_links_diagnostics_to_the_portals_reference_page():
    assert reverse("portal:docs_page", args=["diagnostics"]) == DOCS_PATH
