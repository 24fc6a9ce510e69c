"""The request id: taken from X-Request-ID when it is plain, else made; in the answer, in the
log lines, and in the tasks the request sends."""

import io
import json
import logging
from datetime import datetime, timedelta

import pytest
from celery import current_app

from portal.observability.context import request_id_var
from portal.observability.logs import logging_config

pytestmark = pytest.mark.django_db


def test_a_plain_request_id_comes_back_in_the_answer(anonymous):
    response = anonymous.get("/healthz", HTTP_X_REQUEST_ID="abc-123.x:y")
    assert response["X-Request-ID"] == "abc-123.x:y"


@pytest.mark.parametrize("sent", ["", "a" * 65, "bad id", "<script>", "x\ny", "é"])
def test_an_unsafe_request_id_is_replaced_by_a_new_one(anonymous, sent):
    response = anonymous.get("/healthz", HTTP_X_REQUEST_ID=sent)
    made = response["X-Request-ID"]
    assert made != sent and len(made) == 32 and made.isalnum()


def test_each_request_without_an_id_gets_its_own(anonymous):
    first = anonymous.get("/healthz")["X-Request-ID"]
    assert first != anonymous.get("/healthz")["X-Request-ID"]


def _configured(fmt: str) -> tuple[logging.Logger, io.StringIO]:
    config = logging_config(fmt=fmt, level="INFO")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.config.dictConfigClass(config).configure_formatter(
        config["formatters"]["portal"]))
    handler.addFilter(logging.config.dictConfigClass(config).configure_filter(
        config["filters"]["context"]))
    logger = logging.getLogger("tests.observability.sample")
    logger.handlers = [handler]
    logger.propagate = False
    return logger, stream


def test_a_json_log_line_names_its_request_id():
    logger, stream = _configured("json")
    token = request_id_var.set("req-42")
    try:
        logger.warning("something %s", "happened", extra={"submission_id": 7})
    finally:
        request_id_var.reset(token)
    line = json.loads(stream.getvalue())
    assert line["message"] == "something happened" and line["level"] == "WARNING"
    assert line["request_id"] == "req-42" and line["submission_id"] == 7
    assert line["logger"] == "tests.observability.sample"
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)


def test_a_text_log_line_names_its_request_id():
    logger, stream = _configured("text")
    token = request_id_var.set("req-43")
    try:
        logger.info("plain")
    finally:
        request_id_var.reset(token)
    assert "INFO tests.observability.sample [req-43] plain" in stream.getvalue()


def test_a_task_sent_during_a_request_carries_its_request_id():
    published: list[dict] = []
    from celery.signals import before_task_publish

    def keep(headers=None, **_kwargs):
        published.append(dict(headers or {}))

    before_task_publish.connect(keep, weak=False)
    token = request_id_var.set("req-for-task")
    try:
        current_app.send_task("portal.ping", args=("request-id-test",))
    finally:
        request_id_var.reset(token)
        before_task_publish.disconnect(keep)
    assert published and published[-1]["request_id"] == "req-for-task"
