"""What each URL of the emulator does: decode the request, call the model, encode the answer.

This is the HTTP meaning of Eloqua's API, with no sockets in it (``server.py`` has those): a
``Request`` goes through ``dispatch`` and comes back as a ``Response`` carrying the status code,
Eloqua's reason phrase and a JSON body. Three route tables:

- ``ROOT_ROUTES``: the login side, ``GET /id``.
- ``BULK_ROUTES``: the Bulk API 2.0, below ``/api/bulk/2.0`` (any letter case), all behind HTTP
  Basic auth ``Company\\User:password``.
- ``ADMIN_ROUTES``: ``/_emulator/...``, a path Eloqua never uses, without auth, for tests to read
  what was stored and to reset the instance.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

from target_eloqua.emulator.model import EloquaInstance, Failure, NotFoundError, ValidationError

VALIDATION_ERROR = "There was a validation error."
PARSING_ERROR = "There was a parsing error."
NOT_AUTHORIZED = "You are not authorized to make this request"
NOT_FOUND = "The requested resource was not found."
NOT_AUTHENTICATED = "Not authenticated."

REASONS: Mapping[int, str] = {
    400: VALIDATION_ERROR,
    401: NOT_AUTHORIZED,
    404: NOT_FOUND,
    500: "The service has encountered an error.",
}

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000

_BULK_ROOT = re.compile(r"/api/bulk/2\.0(?=/|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    """A decoded HTTP request. ``path`` is normalised: no doubled slashes, no trailing slash."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes
    base_url: str
    """``http://host:port`` as the client addressed the server."""
    params: tuple[str, ...] = ()
    """The groups the route's pattern captured."""


@dataclass(frozen=True)
class Response:
    """Status, reason phrase and body (any JSON value; None for no body)."""

    status: int
    body: Any = None
    reason: str | None = None

    @property
    def phrase(self) -> str:
        """The reason phrase: Eloqua's own where it has one, else the standard one."""
        return self.reason or REASONS.get(self.status) or HTTPStatus(self.status).phrase


class BadRequestError(Exception):
    """The request could not be decoded (wrong media type, bad JSON or CSV, bad parameter)."""

    def __init__(self, failure: Failure, reason: str = PARSING_ERROR) -> None:
        super().__init__(failure.constraint)
        self.failure = failure
        self.reason = reason


Handler = Callable[[EloquaInstance, Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def normalise_path(path: str) -> str:
    """Collapse doubled slashes and drop a trailing slash: ``//a//b/`` -> ``/a/b``."""
    collapsed = re.sub(r"/{2,}", "/", "/" + path)
    return collapsed.rstrip("/") or "/"


def dispatch(instance: EloquaInstance, request: Request) -> Response:
    """Answer one request, translating model errors to Eloqua's status codes."""
    try:
        return _route(instance, request)
    except NotFoundError:
        return Response(404)
    except ValidationError as exc:
        return _failures(exc.failures, VALIDATION_ERROR)
    except BadRequestError as exc:
        return _failures([exc.failure], exc.reason)


def _route(instance: EloquaInstance, request: Request) -> Response:
    bulk_root = _BULK_ROOT.match(request.path)
    if bulk_root is None:
        return _call(ROOT_ROUTES + ADMIN_ROUTES, instance, request)
    if not _authenticated(instance, request):
        return Response(401)
    path = request.path[bulk_root.end() :] or "/"
    return _call(BULK_ROUTES, instance, replace(request, path=path))


def _call(routes: Sequence[Route], instance: EloquaInstance, request: Request) -> Response:
    for route in routes:
        match = route.pattern.fullmatch(request.path)
        if match is not None and route.method == request.method:
            return route.handler(instance, replace(request, params=match.groups()))
    return Response(404)


def _failures(failures: Sequence[Failure], reason: str) -> Response:
    return Response(400, {"failures": [f.to_json() for f in failures]}, reason)


def _authenticated(instance: EloquaInstance, request: Request) -> bool:
    """Whether the request carries HTTP Basic ``Company\\User:password`` the instance accepts."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    login, _, password = decoded.partition(":")
    company, separator, user = login.partition("\\")
    return bool(separator) and instance.authenticate(company, user, password)


# -- login side ------------------------------------------------------------------------------


def identify(instance: EloquaInstance, request: Request) -> Response:
    """``GET /id``: who the caller is and where the APIs live; 200 "Not authenticated." if not."""
    if not _authenticated(instance, request):
        return Response(200, NOT_AUTHENTICATED)
    base = request.base_url
    urls = {
        "base": base,
        "apis": {
            "soap": {
                "standard": f"{base}/API/{{version}}/Service.svc",
                "dataTransfer": f"{base}/API/{{version}}/DataTransferService.svc",
                "email": f"{base}/API/{{version}}/EmailService.svc",
                "externalAction": f"{base}/API/{{version}}/ExternalActionService.svc",
            },
            "rest": {
                "standard": f"{base}/API/REST/{{version}}/",
                "bulk": f"{base}/API/Bulk/{{version}}/",
            },
        },
    }
    return Response(200, {**instance.identity(), "urls": urls})


# -- Bulk API --------------------------------------------------------------------------------


def list_account_fields(instance: EloquaInstance, request: Request) -> Response:
    return Response(200, _page([f.item for f in instance.account_fields()], request.query))


def create_account_import(instance: EloquaInstance, request: Request) -> Response:
    definition = instance.create_account_import(_json_object(request))
    return Response(201, definition.to_json())


def get_account_import(instance: EloquaInstance, request: Request) -> Response:
    return Response(200, instance.account_import(int(request.params[0])).to_json())


def stage_account_data(instance: EloquaInstance, request: Request) -> Response:
    definition_id = int(request.params[0])
    instance.account_import(definition_id)  # an unknown definition is a 404 before any decoding
    instance.stage_rows(definition_id, _rows(request))
    return Response(204)


def create_sync(instance: EloquaInstance, request: Request) -> Response:
    return Response(201, instance.create_sync(_json_object(request)).to_json())


def get_sync(instance: EloquaInstance, request: Request) -> Response:
    return Response(200, instance.sync(int(request.params[0])).to_json())


# -- admin -----------------------------------------------------------------------------------


def admin_accounts(instance: EloquaInstance, request: Request) -> Response:
    return Response(200, {"items": [account.to_json() for account in instance.accounts()]})


def admin_definitions(instance: EloquaInstance, request: Request) -> Response:
    """Each definition as Eloqua shows it, plus ``stagedRowCount``: rows no sync took yet."""
    items = [
        {**d.to_json(), "stagedRowCount": len(instance.staged_rows(d.id))}
        for d in instance.account_imports()
    ]
    return Response(200, {"items": items})


def admin_syncs(instance: EloquaInstance, request: Request) -> Response:
    """Each sync as Eloqua shows it, plus ``counts`` (null until it ends)."""
    items = [
        {**s.to_json(), "counts": s.counts.to_json() if s.counts else None}
        for s in instance.syncs()
    ]
    return Response(200, {"items": items})


def admin_reset(instance: EloquaInstance, request: Request) -> Response:
    instance.reset()
    return Response(204)


# -- decoding --------------------------------------------------------------------------------


def _media_type(request: Request, accepted: Sequence[str]) -> str:
    """The request's media type if it is one of ``accepted`` (UTF-8 only), else BadRequestError."""
    media_type, *parameters = request.headers.get("content-type", "").split(";")
    media_type = media_type.strip().lower()
    charset = next(
        (
            value.strip().strip('"').lower()
            for name, _, value in (p.partition("=") for p in parameters)
            if name.strip().lower() == "charset"
        ),
        "utf-8",
    )
    if media_type not in accepted or charset not in ("utf-8", "utf8"):
        constraint = f"Must be {' or '.join(accepted)}, in UTF-8."
        raise BadRequestError(
            Failure("Content-Type", request.headers.get("content-type", ""), constraint)
        )
    return media_type


def _text(request: Request) -> str:
    try:
        return request.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequestError(Failure("body", str(exc), "Must be UTF-8 text.")) from None


def _json(request: Request) -> Any:
    try:
        return json.loads(_text(request))
    except json.JSONDecodeError as exc:
        raise BadRequestError(Failure("body", str(exc), "Must be valid JSON.")) from None


def _json_object(request: Request) -> dict[str, Any]:
    _media_type(request, ["application/json"])
    value = _json(request)
    if not isinstance(value, dict):
        raise BadRequestError(Failure("body", type(value).__name__, "Must be a JSON object."))
    return value


def _rows(request: Request) -> list[dict[str, Any]]:
    """Staged rows from a JSON array of objects or from CSV with a header row."""
    if _media_type(request, ["application/json", "text/csv"]) == "text/csv":
        return _csv_rows(_text(request))
    value = _json(request)
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise BadRequestError(
            Failure("body", type(value).__name__, "Must be a JSON array of objects.")
        )
    return value


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restval="")
    try:
        # Cells beyond the header row land under the key None: they belong to no column.
        return [{k: v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:
        raise BadRequestError(Failure("body", str(exc), "Must be CSV with a header row.")) from None


def _page(items: Sequence[Any], query: Mapping[str, str]) -> dict[str, Any]:
    """One page of ``items`` in Eloqua's list envelope, per the ``limit`` and ``offset`` query."""
    limit = _int_parameter(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_parameter(query, "offset", 0, 0, None)
    page = list(items[offset : offset + limit])
    return {
        "items": page,
        "totalResults": len(items),
        "limit": limit,
        "offset": offset,
        "count": len(page),
        "hasMore": offset + len(page) < len(items),
    }


def _int_parameter(
    query: Mapping[str, str], name: str, default: int, low: int, high: int | None
) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value: int | None = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        constraint = f"Must be an integer of at least {low}{upper}."
        raise BadRequestError(Failure(name, raw, constraint), VALIDATION_ERROR)
    return value


def _entry(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method, re.compile(pattern, re.IGNORECASE), handler)


ROOT_ROUTES = (_entry("GET", r"/id", identify),)

BULK_ROUTES = (
    _entry("GET", r"/accounts/fields", list_account_fields),
    _entry("POST", r"/accounts/imports", create_account_import),
    _entry("GET", r"/accounts/imports/(\d+)", get_account_import),
    _entry("POST", r"/accounts/imports/(\d+)/data", stage_account_data),
    _entry("POST", r"/syncs", create_sync),
    _entry("GET", r"/syncs/(\d+)", get_sync),
)

ADMIN_ROUTES = (
    _entry("GET", r"/_emulator/accounts", admin_accounts),
    _entry("GET", r"/_emulator/definitions", admin_definitions),
    _entry("GET", r"/_emulator/syncs", admin_syncs),
    _entry("POST", r"/_emulator/reset", admin_reset),
)
