"""Sync callbacks: when a sync with a ``callbackUrl`` ends, the emulator POSTs to that URL."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


def post_in_background(url: str, payload: Mapping[str, Any]) -> None:
    """POST ``payload`` as JSON to ``url`` from a daemon thread.

    Eloqua documents neither the method nor the payload. The emulator sends ``POST callbackUrl``
    with ``Content-Type: application/json`` and the sync as ``GET /syncs/{id}`` shows it, once, from
    a daemon thread, with a 10 s timeout; failures are logged and not retried.
    """
    thread = threading.Thread(
        target=_post, args=(url, dict(payload)), name="eloqua-emulator-callback", daemon=True
    )
    thread.start()


def _post(url: str, payload: dict[str, Any]) -> None:
    if not url.lower().startswith(("http://", "https://")):
        logger.warning("sync callback to %s skipped: not an http(s) URL", url)
        return
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
            pass
    except OSError as exc:
        logger.warning("sync callback to %s failed: %s", url, exc)
