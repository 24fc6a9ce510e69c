"""The SDK's wheel, served by the portal itself: `pip install http://<portal>/sdk/<wheel>`.

`make install` builds the wheel from sdk/ into settings.SDK_WHEEL_DIR; these views only read that
folder (never build: several web processes would race). /sdk/ shows the wheel of the SDK this
portal runs, its sha256 and the pip line; without a wheel it says how to build one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from caio_integration import __version__ as sdk_version
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

# Names pip gives the SDK's wheels: no separator, so a name can only mean a file in the folder.
WHEEL_NAME = re.compile(r"caio_integration_sdk-[0-9A-Za-z.+!]+-py3-none-any\.whl")
WHEEL_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Wheel:
    filename: str
    version: str
    size: int
    sha256: str


def wheel_filename(version: str = sdk_version) -> str:
    return f"caio_integration_sdk-{version}-py3-none-any.whl"


def _wheel_path(filename: str) -> Path | None:
    if not WHEEL_NAME.fullmatch(filename):
        return None
    path = Path(settings.SDK_WHEEL_DIR) / filename
    return path if path.is_file() else None


def current_wheel() -> Wheel | None:
    """The built wheel of the SDK version this portal runs, or None when it was not built."""
    path = _wheel_path(wheel_filename())
    if path is None:
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return Wheel(filename=path.name, version=sdk_version, size=path.stat().st_size,
                 sha256=digest.hexdigest())


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    wheel = current_wheel()
    url = None
    if wheel is not None:
        url = request.build_absolute_uri(reverse("portal:sdk_wheel", args=[wheel.filename]))
    return render(request, "portal/sdk.html", {
        "wheel": wheel, "wheel_url": url, "version": sdk_version,
        "expected_filename": wheel_filename(),
    })


@require_safe
def wheel(request: HttpRequest, filename: str) -> FileResponse:
    path = _wheel_path(filename)
    if path is None:
        raise Http404("No such SDK wheel on this portal.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename,
                            content_type=WHEEL_CONTENT_TYPE)
    response["Cache-Control"] = "no-cache"  # rebuilt in place when the SDK changes
    return response
