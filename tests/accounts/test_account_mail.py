"""Account emails leave the request: the request hands a task its ids, a worker sends the email
(tests/conftest.py runs such tasks eagerly, so these tests say where that is not enough)."""

import time

import pytest
from celery import current_app
from celery.signals import task_prerun
from django.urls import reverse

RESET = reverse("accounts:password_reset")
STRONG = "orbit-lantern-velvet-42"


@pytest.fixture
def tasks_run():
    seen: list[tuple[str, dict]] = []

    def keep(task=None, kwargs=None, **_kwargs):
        seen.append((task.name, dict(kwargs or {})))

    task_prerun.connect(keep, weak=False)
    yield seen
    task_prerun.disconnect(keep)


@pytest.mark.django_db
def test_the_reset_form_hands_every_address_to_the_worker_alike(anonymous, owner, mailoutbox,
                                                                tasks_run):
    assert anonymous.post(RESET, {"email": "nobody@example.com"}).status_code == 302
    assert anonymous.post(RESET, {"email": owner.email}).status_code == 302
    assert tasks_run == [
        ("portal.account_email", {"kind": "password_reset", "email": "nobody@example.com"}),
        ("portal.account_email", {"kind": "password_reset", "email": owner.email}),
    ]
    assert [m.to for m in mailoutbox] == [[owner.email]]


@pytest.mark.django_db
def test_a_sign_up_hands_the_worker_only_the_new_account_id(anonymous, tasks_run):
    anonymous.post(reverse("accounts:signup"), {
        "email": "fresh@example.com", "display_name": "Fresh", "password": STRONG})
    [(name, kwargs)] = tasks_run
    assert name == "portal.account_email" and set(kwargs) == {"kind", "user_id"}
    assert kwargs["kind"] == "verify"


@pytest.fixture
def through_the_broker():
    """This test's tasks go to the broker and a real worker, as in production."""
    current_app.conf.task_always_eager = False
    yield
    current_app.conf.task_always_eager = True


@pytest.mark.services
def test_a_real_worker_sends_the_verification_email(through_the_broker, start_worker, tmp_path,
                                                    client):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    # django-environ reads the path after "filemail://" as relative unless it starts with "/".
    worker = start_worker(extra_env={"EMAIL_URL": f"filemail:///{outbox}"})
    response = client.post(reverse("accounts:signup"), {
        "email": "by-worker@example.com", "display_name": "By Worker", "password": STRONG})
    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while not list(outbox.iterdir()):
        assert time.monotonic() < deadline, f"the worker sent nothing:\n{worker.log()}"
        time.sleep(0.2)
    time.sleep(0.5)  # the file backend writes the whole message before closing the file
    [sent] = list(outbox.iterdir())
    text = sent.read_text()
    assert "To: by-worker@example.com" in text
    assert "/accounts/verify/" in text
