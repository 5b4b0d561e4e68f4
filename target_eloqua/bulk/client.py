"""A small client for Eloqua's Bulk API 2.0: discovery, requests with retries, syncs.

It knows Eloqua and HTTP, and nothing of Singer. Every call has a timeout. 429, 5xx and
connection errors are retried with capped, jittered exponential backoff (``retries``); any other
4xx fails at once with Eloqua's own message. A request that is not safe to repeat (a data upload,
an import sync's creation) is only retried when Eloqua cannot have acted on it; otherwise
``OutcomeUnknownError`` leaves it to the caller to find out what Eloqua did (``new_syncs``),
or to stage the data again elsewhere. Exports only read, so every request of one (the definition,
its sync, its data) is safe to repeat. A 401, which Eloqua never acts on, is tried again with
renewed credentials, then on the pod ``/id`` names, then it fails.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import requests
from requests.auth import AuthBase

from target_eloqua.bulk.auth import EloquaAuth
from target_eloqua.bulk.errors import (
    EloquaAPIError,
    EloquaConnectionError,
    EloquaError,
    NotAuthenticatedError,
    RetriableAPIError,
    SyncTimeoutError,
    TokenRefusedError,
    UnauthorizedError,
)
from target_eloqua.bulk.retries import RetryPolicy, http_date, retry_after_seconds

BULK_ROOT = "/api/bulk/2.0"
TERMINAL_SYNC_STATUSES = frozenset({"success", "warning", "error"})
DEFAULT_TIMEOUT = (10.0, 300.0)  # seconds to connect, seconds to wait for an answer
MAX_POLL_INTERVAL = 30.0  # seconds between two checks of a sync, at the most
PAGE_SIZE = 1000  # the most Eloqua returns per page
EXPORT_PAGE_SIZE = 50_000  # the most an export sync's data returns per page
MAX_PAGES = 10_000

logger = logging.getLogger(__name__)

ResponseHook = Callable[[str, str, int, float], None]
"""Hears of every HTTP answer: method, endpoint (ids as ``{id}``), status code, seconds."""


@dataclass(frozen=True)
class Site:
    """An Eloqua instance as ``/id`` names it: its site id, and its name (a login's company)."""

    id: int
    name: str


@dataclass(frozen=True)
class Identity:
    """What ``/id`` tells of a login: the instance (site) it is on, and the pod that serves it."""

    site: Site
    base_url: str


def identify(
    login_url: str,
    auth: EloquaAuth,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    on_response: ResponseHook | None = None,
) -> Identity:
    """Ask ``{login_url}/id`` which instance the login is on, and which pod serves it, e.g.
    ``https://secure.p03...``
    (https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/DeterminingBaseURL.html).

    Eloqua refuses bad credentials with HTTP 200 and the body ``"Not authenticated."``.
    """
    url = login_url.rstrip("/") + "/id"

    def send() -> requests.Response:
        get = partial(requests.get, url, auth=auth, timeout=timeout)
        return _checked(_timed(get, "GET", "/id", on_response))

    response = _with_retries(send, RetryPolicy(), ("GET", "/id"))
    body = response.json()
    if not isinstance(body, dict):
        raise NotAuthenticatedError(login_url.rstrip("/"), auth.credentials)
    site = Site(int(body["site"]["id"]), str(body["site"].get("name") or ""))
    base_url: str = body["urls"]["base"]
    return Identity(site, base_url.rstrip("/"))


def request_token(
    login_url: str,
    client_auth: AuthBase,
    grant: Mapping[str, str],
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    on_response: ResponseHook | None = None,
) -> dict[str, Any]:
    """Send an OAuth grant to ``{login_url}/auth/oauth2/token``, the app authenticated with
    ``client_auth`` (Basic ``client_id:client_secret``); Eloqua's answer.

    A refresh token is single-use: a refresh grant Eloqua may have acted on is not sent again,
    as the used token would only hide the first failure.
    """
    url = login_url.rstrip("/") + "/auth/oauth2/token"
    grant_type = grant.get("grant_type", "?")

    def send() -> requests.Response:
        post = partial(requests.post, url, json=grant, auth=client_auth, timeout=timeout)
        response = _timed(post, "POST", "/auth/oauth2/token", on_response)
        if response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED):
            raise TokenRefusedError(grant_type, response.status_code, _body(response))
        return _checked(response)

    request = ("POST", "/auth/oauth2/token")
    response = _with_retries(send, RetryPolicy(), request, repeatable=grant_type != "refresh_token")
    answer: dict[str, Any] = response.json()
    return answer


class BulkClient:
    """Bulk API 2.0 calls against one pod. One instance per thread: it owns a session.

    ``rediscover(base_url)``, when given, is asked after a 401 where the instance lives now.
    """

    def __init__(
        self,
        base_url: str,
        auth: EloquaAuth,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: RetryPolicy | None = None,
        on_response: ResponseHook | None = None,
        rediscover: Callable[[str], str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.retries = retries or RetryPolicy()
        self.on_response = on_response
        self.rediscover = rediscover
        self.session = requests.Session()
        self.session.auth = auth

    def create_import(self, imports_path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create an import definition (or a sync-action definition, at ``/contacts/syncActions``
        and the like); returns it with its ``uri``.

        Repeating this after a lost answer at worst leaves an unused definition behind.
        """
        return self._json("POST", imports_path, json_body=body)

    def delete(self, uri: str) -> None:
        """Delete a definition (``DELETE /contacts/syncActions/7``, ...)."""
        self.request("DELETE", uri)

    def upload(self, import_uri: str, payload: bytes, content_type: str) -> None:
        """Stage one part of data on the import definition at ``import_uri``.

        Raises ``OutcomeUnknownError`` when the part may or may not have been staged.
        """
        self.request(
            "POST", f"{import_uri}/data", data=payload, content_type=content_type, repeatable=False
        )

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
        body = _sync_body(synced_instance_uri, callback_url)
        return self._json("POST", "/syncs", json_body=body, repeatable=False)

    def create_export(self, exports_path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create an export definition (``/contacts/exports``, ...); returns it with its
        ``uri``. Repeated after a lost answer, it at worst leaves an unused definition behind.
        """
        return self._json("POST", exports_path, json_body=body)

    def sync_export(self, export_uri: str, *, callback_url: str | None = None) -> dict[str, Any]:
        """Start a sync of an export definition; returns the sync. Safe to repeat: a sync
        created twice after a lost answer only exports the same records twice.
        """
        body = _sync_body(export_uri, callback_url)
        return self._json("POST", "/syncs", json_body=body)

    def export_pages(
        self, sync_uri: str, *, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[list[dict[str, Any]]]:
        """The rows an ended export sync read (``GET /syncs/{id}/data``), a page at a time of up
        to 50,000 rows, each row its definition's keys and their values as text.
        """
        return self.pages(f"{sync_uri}/data", page_size=page_size)

    def find_named(self, path: str, name: str) -> list[dict[str, Any]]:
        """The items of a list endpoint (``/contacts/lists``, ``/accounts/lists``,
        ``/emailGroups``, ``/customObjects``, ...) whose ``name`` is ``name``, exactly.

        Eloqua's ``q`` finds them (a quote in the name becomes the ``*`` wildcard, as ``q`` has
        no escape); the names found are then compared exactly.
        """
        pattern = name.replace("'", "*")
        query = urlencode({"q": f"name='{pattern}'"})
        return [
            item
            for page in self.pages(f"{path}?{query}")
            for item in page
            if item.get("name") == name
        ]

    def new_syncs(self, synced_instance_uri: str, known: Collection[str]) -> list[dict[str, Any]]:
        """The syncs of the definition at ``synced_instance_uri`` that are not ``known``,
        oldest first: after a sync's creation whose answer was lost, the one it created, if any.

        ``known`` are the syncs of the definition that the caller has created or found before;
        a definition used by one run only has no others. The definition is checked on each
        sync as well, in case Eloqua reads ``q`` otherwise.
        """
        query = urlencode(
            {"q": f'"syncedInstanceUri={synced_instance_uri}"', "orderBy": "createdAt DESC"}
        )
        found = [
            sync
            for page in self.pages(f"/syncs?{query}")
            for sync in page
            if sync.get("syncedInstanceUri") == synced_instance_uri and sync.get("uri") not in known
        ]
        return found[::-1]

    def get_sync(self, sync_uri: str) -> dict[str, Any]:
        """The sync as Eloqua reports it now."""
        return self._json("GET", sync_uri)

    def wait_for_sync(
        self,
        sync_uri: str,
        *,
        timeout: float,
        first_interval: float = 1.0,
        on_poll: Callable[[dict[str, Any], float], None] | None = None,
    ) -> dict[str, Any]:
        """Poll until the sync ends, waiting longer between checks up to ``MAX_POLL_INTERVAL``.

        ``on_poll(sync, seconds)`` hears of each status read and how long the wait has lasted.
        """
        started = time.monotonic()
        deadline = started + timeout
        interval = first_interval
        status = None
        while time.monotonic() < deadline:
            sync = self.get_sync(sync_uri)
            status = sync["status"]
            if on_poll is not None:
                on_poll(sync, time.monotonic() - started)
            if status in TERMINAL_SYNC_STATUSES:
                return sync
            time.sleep(max(0.0, min(interval, deadline - time.monotonic())))
            interval = min(interval * 1.5, MAX_POLL_INTERVAL)
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

        def send() -> requests.Response:
            url = self.base_url + BULK_ROOT + path  # read now: a 401 may move it
            call = partial(
                self.session.request,
                method,
                url,
                json=json_body,
                data=data,
                headers=headers,
                timeout=self.timeout,
            )
            response = _timed(call, method, endpoint_of(path), self.on_response)
            return _checked(response, method=method, path=path)

        def attempt() -> requests.Response:
            return _with_retries(send, self.retries, (method, path), repeatable=repeatable)

        try:
            return attempt()
        except EloquaAPIError as refused:
            if refused.status != HTTPStatus.UNAUTHORIZED:
                raise
            return self._attempt_after_401(attempt, refused)

    def _attempt_after_401(
        self, attempt: Callable[[], requests.Response], refused: EloquaAPIError
    ) -> requests.Response:
        """Try a refused request again: with renewed credentials (a new OAuth access token),
        then on the pod ``/id`` names now (the instance may have moved); then give up.
        """
        tried: list[str] = []
        for recover in (self._renew_credentials, self._find_pod_again):
            recovery = recover(refused)
            if recovery is None:
                continue
            tried.append(recovery)
            try:
                return attempt()
            except EloquaAPIError as error:
                if error.status != HTTPStatus.UNAUTHORIZED:
                    raise
                refused = error
        causes = [f"wrong {self.auth.credentials}"]
        if self.rediscover is None:
            causes.append("the instance moved to another pod than base_url")
        raise UnauthorizedError(refused, tried, causes) from refused

    def _renew_credentials(self, refused: EloquaAPIError) -> str | None:
        if not self.auth.renew():
            return None
        logger.info(
            "Eloqua refused the access token (401) to %s %s: trying a new one",
            refused.method,
            endpoint_of(refused.path),
        )
        return "with a new access token"

    def _find_pod_again(self, refused: EloquaAPIError) -> str | None:
        if self.rediscover is None:
            return None
        logger.warning(
            "Eloqua answered 401 to %s %s: asking /id where the instance lives, then trying again",
            refused.method,
            endpoint_of(refused.path),
        )
        self.base_url = self.rediscover(self.base_url)
        return f"on the pod /id names ({self.base_url})"

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.request(method, path, **kwargs).json()
        return body

    def close(self) -> None:
        """Release the connections of the session."""
        self.session.close()


def _sync_body(synced_instance_uri: str, callback_url: str | None) -> dict[str, str]:
    body = {"syncedInstanceUri": synced_instance_uri}
    if callback_url:
        body["callbackUrl"] = callback_url
    return body


def endpoint_of(path: str) -> str:
    """The endpoint a path calls, without ids or query: ``/syncs/12/logs?offset=0`` is
    ``/syncs/{id}/logs``.
    """
    return re.sub(r"/\d+(?=/|$)", "/{id}", path.split("?", 1)[0])


def _timed(
    call: Callable[[], requests.Response],
    method: str,
    endpoint: str,
    on_response: ResponseHook | None,
) -> requests.Response:
    """``call()``'s answer, its status and duration told to ``on_response``."""
    started = time.monotonic()
    response = call()
    if on_response is not None:
        on_response(method, endpoint, response.status_code, time.monotonic() - started)
    return response


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
