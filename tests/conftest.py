"""Fixtures every test module can use: people, clients, a real worker, a browser.

People: `owner` (a verified developer), `other_developer`, `reviewer` (staff) and `anonymous`
(a client with nobody signed in). Processes: `celery_worker` (a real worker subprocess on the
configured broker) and `start_worker` for tests that need their own. Browser: `page` (Chromium).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.support.processes import Worker
from tests.support.services import chromium_path, need, need_broker

# Playwright's sync API runs an event loop; Django refuses ORM calls from such a thread unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_broker(tmp_path_factory):
    """One queue (and, without Redis, one broker folder) per test session, shared with workers."""
    from portal.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    broker_dir = tmp_path_factory.mktemp("broker")
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CELERY_BROKER_DIR = broker_dir
    app.conf.task_default_queue = queue
    if not settings.REDIS_URL:
        from portal.settings import FILESYSTEM_BROKER_FOLDERS, filesystem_broker_options

        options = filesystem_broker_options(broker_dir)
        for key in FILESYSTEM_BROKER_FOLDERS:
            os.makedirs(options[key], exist_ok=True)
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
        app.conf.broker_transport_options = options
    # Tasks a request hands over with apply_async (the account emails: portal/accounts/mail.py)
    # run at once in this process, so mail.outbox has them. Tasks sent by name with send_task
    # (the pipeline's) still go through the broker to real workers.
    app.conf.task_always_eager = True
    # Forget any connection made with the old broker settings.
    app._pool = None
    app.amqp._producer_pool = None
    yield queue


@pytest.fixture(autouse=True)
def _fresh_cache_namespace(settings):
    """Each test sees an empty cache (rate limits, validation cache) on the real backend.

    On Redis a new key prefix per test, rather than FLUSHDB, which would also drop broker keys.
    """
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    for config in caches.values():
        config["KEY_PREFIX"] = f"t{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    yield


@pytest.fixture(autouse=True)
def _fresh_core_breaker():
    """Each test's pipeline reads the core breaker's row, not a copy an earlier test left in
    this process (integrations/pipeline/breaker.py keeps one for up to a second)."""
    from integrations.pipeline.breaker import breaker_forget

    breaker_forget()
    yield
    breaker_forget()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com", display_name="Olivia Owner")


@pytest.fixture
def other_developer(db):
    return UserFactory(email="other@example.com", display_name="Oscar Other")


@pytest.fixture
def reviewer(db):
    return StaffFactory(email="reviewer@example.com", display_name="Rita Reviewer")


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other_developer) -> Client:
    client = Client()
    client.force_login(other_developer)
    return client


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def broker_available() -> None:
    need_broker()


@pytest.fixture
def start_worker(transactional_db, broker_available, tmp_path):
    """Start real worker subprocesses: start_worker(concurrency=2). All are stopped afterwards."""
    workers: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(workers)}.log", **kwargs)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker(start_worker) -> Worker:
    return start_worker()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Module scope, not session: Playwright's sync API keeps an
    event loop running while it is open, and other modules' tests call asyncio.run()."""
    path = chromium_path()
    need(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


def browser_admin_login(page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the Django admin's own login page (a reviewer's way in)."""
    page.goto("/admin/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()


def browser_login(page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
