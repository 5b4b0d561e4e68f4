"""A small client for Eloqua's Bulk API 2.0: discovery, requests with retries, syncs.

It knows Eloqua and HTTP, and nothing of Singer. Every call has a timeout. 429, 5xx and
connection errors are retried with capped, jittered exponential backoff (``retries``); any other
4xx fails at once with Eloqua's own message. A request that is not safe to repeat (a data upload,
a sync creation) is only retried when Eloqua cannot have acted on it; otherwise
``OutcomeUnknownError`` leaves it to the caller to find out (``new_syncs``) or undo
(``clear_staged``) what Eloqua did.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests
from requests.auth import AuthBase

from target_eloqua.bulk.errors import (
    EloquaAPIError,
    EloquaConnectionError,
    EloquaError,
    NotAuthenticatedError,
    RetriableAPIError,
    SyncTimeoutError,
)
from target_eloqua.bulk.retries import RetryPolicy, http_date, retry_after_seconds

BULK_ROOT = "/api/bulk/2.0"
TERMINAL_SYNC_STATUSES = frozenset({"success", "warning", "error"})
DEFAULT_TIMEOUT = (10.0, 300.0)  # seconds to connect, seconds to wait for an answer
PAGE_SIZE = 1000  # the most Eloqua returns per page
MAX_PAGES = 10_000

ResponseHook = Callable[[str, str, int, float], None]
"""Hears of every HTTP answer: method, endpoint (ids as ``{id}``), status code, seconds."""


def discover_base_url(
    login_url: str,
    auth: AuthBase,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    on_response: ResponseHook | None = None,
) -> str:
    """Ask ``{login_url}/id`` which pod the instance lives on, e.g. ``https://secure.p03...``.

    Eloqua refuses bad credentials with HTTP 200 and the body ``"Not authenticated."``.
    """
    url = login_url.rstrip("/") + "/id"

    def send() -> requests.Response:
        started = time.monotonic()
        response = requests.get(url, auth=auth, timeout=timeout)
        if on_response is not None:
            on_response("GET", "/id", response.status_code, time.monotonic() - started)
        return _checked(response)

    response = _with_retries(send, RetryPolicy(), ("GET", "/id"))
    body = response.json()
    if not isinstance(body, dict):
        raise NotAuthenticatedError(login_url.rstrip("/"))
    base_url: str = body["urls"]["base"]
    return base_url.rstrip("/")


class BulkClient:
    """Bulk API 2.0 calls against one pod. One instance per thread: it owns a session."""

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: RetryPolicy | None = None,
        on_response: ResponseHook | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries or RetryPolicy()
        self.on_response = on_response
        self.session = requests.Session()
        self.session.auth = auth
        self.answered_at: datetime | None = None
        """Eloqua's clock (its ``Date`` header, to the second) at its latest answer."""
        self._syncs_returned: set[str] = set()

    def create_import(self, imports_path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create an import definition; returns it with its ``uri``.

        Repeating this after a lost answer at worst leaves an unused definition behind.
        """
        return self._json("POST", imports_path, json_body=body)

    def upload(self, import_uri: str, payload: bytes, content_type: str) -> None:
        """Stage one part of data on the import definition at ``import_uri``.

        Raises ``OutcomeUnknownError`` when the part may or may not have been staged.
        """
        self.request(
            "POST", f"{import_uri}/data", data=payload, content_type=content_type, repeatable=False
        )

    def clear_staged(self, import_uri: str) -> None:
        """Drop whatever is staged on the import definition at ``import_uri``."""
        self.request("DELETE", f"{import_uri}/data")

    def list_items(self, path: str, *, page_size: int = PAGE_SIZE) -> list[dict[str, Any]]:
        """Every item of a list endpoint (``/accounts/fields``, ``/syncs/1/logs``, ...)."""
        return [item for page in self.pages(path, page_size=page_size) for item in page]

    def pages(self, path: str, *, page_size: int = PAGE_SIZE) -> Iterator[list[dict[str, Any]]]:
        """The items of a list endpoint one page at a time, for lists too long to hold at once
        (``/syncs/1/rejects``). Pages through Eloqua's ``{items, hasMore, ...}`` envelope with
        ``limit`` and ``offset``.
        """
        offset = 0
        separator = "&" if "?" in path else "?"
        for _ in range(MAX_PAGES):
            page = self._json("GET", f"{path}{separator}limit={page_size}&offset={offset}")
            items = page.get("items") or []
            if items:
                yield items
            offset += len(items)
            if not page.get("hasMore") or not items:
                return
        raise EloquaError(f"{path} lists more than {MAX_PAGES * page_size} items")

    def create_sync(
        self, synced_instance_uri: str, *, callback_url: str | None = None
    ) -> dict[str, Any]:
        """Start a sync of what is staged on a definition; returns the sync (``uri``, status).

        Eloqua calls ``callback_url``, when given, once the sync has ended. Raises
        ``OutcomeUnknownError`` when the sync may or may not have been created: ``new_syncs``
        finds it if it was.
        """
        body = {"syncedInstanceUri": synced_instance_uri}
        if callback_url:
            body["callbackUrl"] = callback_url
        sync = self._json("POST", "/syncs", json_body=body, repeatable=False)
        self._syncs_returned.add(sync["uri"])
        return sync

    def new_syncs(self, synced_instance_uri: str, since: datetime | None) -> list[dict[str, Any]]:
        """The syncs of the definition at ``synced_instance_uri`` created at or after ``since``
        (Eloqua's clock) that this client has not returned before, oldest first.

        Eloqua lists the definition's syncs newest first; the listing stops at the first one
        older than ``since``. ``since`` is to the second (an HTTP date), so the syncs this
        client created or found before are left out by their uri. The definition is checked on
        each sync as well, in case Eloqua reads ``q`` otherwise.
        """
        query = urlencode(
            {"q": f'"syncedInstanceUri={synced_instance_uri}"', "orderBy": "createdAt DESC"}
        )
        found: list[dict[str, Any]] = []
        for page in self.pages(f"/syncs?{query}"):
            for sync in page:
                created_at = _eloqua_time(sync.get("createdAt"))
                if since is not None and created_at is not None and created_at < since:
                    return self._returned(found[::-1])
                if (
                    sync.get("syncedInstanceUri") == synced_instance_uri
                    and sync.get("uri") not in self._syncs_returned
                ):
                    found.append(sync)
        return self._returned(found[::-1])

    def _returned(self, syncs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self._syncs_returned.update(sync["uri"] for sync in syncs)
        return syncs

    def get_sync(self, sync_uri: str) -> dict[str, Any]:
        """The sync as Eloqua reports it now."""
        return self._json("GET", sync_uri)

    def wait_for_sync(
        self,
        sync_uri: str,
        *,
        timeout: float,
        first_interval: float = 1.0,
        max_interval: float = 30.0,
        on_change: Callable[[dict[str, Any], float], None] | None = None,
    ) -> dict[str, Any]:
        """Poll until the sync ends, waiting longer between checks up to ``max_interval``.

        ``on_change(sync, seconds)`` hears of each new status and how long the wait has lasted.
        """
        started = time.monotonic()
        deadline = started + timeout
        interval = first_interval
        status = None
        while time.monotonic() < deadline:
            sync = self.get_sync(sync_uri)
            if sync["status"] != status:
                status = sync["status"]
                if on_change is not None:
                    on_change(sync, time.monotonic() - started)
            if status in TERMINAL_SYNC_STATUSES:
                return sync
            time.sleep(max(0.0, min(interval, deadline - time.monotonic())))
            interval = min(interval * 1.5, max_interval)
        raise SyncTimeoutError(
            f"sync {sync_uri} did not end within {timeout:g} s (last status: {status})"
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        repeatable: bool = True,
    ) -> requests.Response:
        """Send one Bulk API request, retrying as the module docstring says."""
        headers = {"Accept": "application/json"}
        if json_body is not None:
            content_type = content_type or "application/json"
        if content_type:  # Eloqua refuses a POST or PUT without one
            headers["Content-Type"] = content_type
        url = self.base_url + BULK_ROOT + path

        def send() -> requests.Response:
            started = time.monotonic()
            response = self.session.request(
                method, url, json=json_body, data=data, headers=headers, timeout=self.timeout
            )
            if self.on_response is not None:
                seconds = time.monotonic() - started
                self.on_response(method, endpoint_of(path), response.status_code, seconds)
            self.answered_at = http_date(response.headers.get("Date")) or self.answered_at
            return _checked(response, method=method, path=path)

        return _with_retries(send, self.retries, (method, path), repeatable=repeatable)

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.request(method, path, **kwargs).json()
        return body

    def close(self) -> None:
        """Release the connections of the session."""
        self.session.close()


def endpoint_of(path: str) -> str:
    """The endpoint a path calls, without ids or query: ``/syncs/12/logs?offset=0`` is
    ``/syncs/{id}/logs``.
    """
    return re.sub(r"/\d+(?=/|$)", "/{id}", path.split("?", 1)[0])


def _checked(
    response: requests.Response, *, method: str | None = None, path: str | None = None
) -> requests.Response:
    """Return a 2xx response; raise the matching error for anything else."""
    if response.ok:
        return response
    method = method or response.request.method or "?"
    path = path or response.request.path_url
    status, reason, body = response.status_code, response.reason, _body(response)
    if status == 429 or status >= 500:
        sent_at = http_date(response.headers.get("Date")) or datetime.now(UTC)
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), sent_at)
        raise RetriableAPIError(method, path, status, reason, body, retry_after=retry_after)
    raise EloquaAPIError(method, path, status, reason, body)


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _eloqua_time(text: object) -> datetime | None:
    """A timestamp as Eloqua writes them (``2021-07-09T01:40:11.9471264Z``), or None."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _with_retries(
    send: Callable[[], requests.Response],
    retries: RetryPolicy,
    request: tuple[str, str],
    *,
    repeatable: bool = True,
) -> requests.Response:
    """``send()``'s answer, retried as ``retries`` says; a connection that never answered is an
    ``EloquaConnectionError``.
    """
    try:
        return retries.call(send, repeatable=repeatable, request=request)
    except requests.RequestException as error:
        raise EloquaConnectionError(f"Eloqua did not answer: {error}") from error
