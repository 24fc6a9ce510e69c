"""Reading the portal's mail in tests that run real processes (the live server in this process,
workers in others): Django's file email backend, one folder that every process writes to.

The locmem outbox is per process, so a mail a worker sends (a Celery task) would never reach
`mail.outbox`. `MailDrop.configure` points this process at the folder and returns the
environment a worker needs (`EMAIL_URL=filemail://<folder>`), so a message is found wherever it
is sent. The one place a test reads mail from other processes: adapt it here if mail moves.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

_SEPARATOR = "\n" + "-" * 79 + "\n"  # between messages in one of the file backend's files


class MailDrop:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def configure(self, settings) -> dict[str, str]:
        """Send this process's mail to the folder (pytest-django's `settings` fixture); the
        environment for worker processes to do the same."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.EMAIL_FILE_PATH = str(self.folder)
        # django-environ reads the path after "filemail://"; an absolute one needs its own "/".
        return {"EMAIL_URL": f"filemail:///{self.folder.resolve()}"}

    def messages(self) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_text(encoding="utf-8").split(_SEPARATOR):
                if chunk.strip():
                    found.append(email.message_from_string(chunk.lstrip("\n"),
                                                           policy=email.policy.default))
        return found

    def wait_for_link(self, *, to: str, subject: str, timeout: float = 30.0) -> str:
        """The first http(s) link in the newest message to `to` whose subject holds `subject`,
        exactly as sent. Raises AssertionError when none arrives within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages()):
                if to in str(message["To"]) and subject in str(message["Subject"]):
                    body = message.get_body(preferencelist=("plain",)).get_content()
                    link = re.search(r"https?://\S+", body)
                    assert link, f"no link in the mail {message['Subject']!r}:\n{body}"
                    return link[0]
            if time.monotonic() > deadline:
                subjects = [str(m["Subject"]) for m in self.messages()]
                raise AssertionError(f"no mail {subject!r} to {to} within {timeout:g} s; "
                                     f"mail seen: {subjects}")
            time.sleep(0.1)
