"""Where ``caio`` finds the portal and the token: flags, then CAIO_URL/CAIO_TOKEN, then the
config file that ``caio login`` writes (mode 0600).

The file is ``$CAIO_CONFIG``, else ``$XDG_CONFIG_HOME/caio/config.json``, else
``~/.config/caio/config.json``: ``{"url": ..., "token": ..., "email": ...}``. Its token is used
only for its own URL, so ``--url`` pointing elsewhere never carries the saved token there.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._http import ENV_TOKEN, ENV_URL


def config_path() -> Path:
    override = os.environ.get("CAIO_CONFIG")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "caio" / "config.json"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The saved settings, or {} when there is no (readable, well-formed) file."""
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_config(data: dict[str, Any], path: Path | None = None) -> Path:
    """Write the settings readable by their owner only (0600), atomically."""
    path = path or config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _same_url(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a.rstrip("/") == b.rstrip("/")


@dataclass(frozen=True)
class Settings:
    url: str | None
    token: str | None
    url_from: str   # "--url", "CAIO_URL", "config" or "" (none)


def resolve(url_flag: str | None, token_flag: str | None) -> Settings:
    """The portal URL and token to use: flags, then the environment, then the config file."""
    saved = load_config()
    if url_flag:
        url, url_from = url_flag, "--url"
    elif os.environ.get(ENV_URL, "").strip():
        url, url_from = os.environ[ENV_URL].strip(), ENV_URL
    elif isinstance(saved.get("url"), str) and saved["url"]:
        url, url_from = saved["url"], "config"
    else:
        url, url_from = None, ""
    token = token_flag or os.environ.get(ENV_TOKEN, "").strip() or None
    if token is None and _same_url(saved.get("url"), url) and isinstance(saved.get("token"), str):
        token = saved["token"] or None
    return Settings(url=url, token=token, url_from=url_from)
