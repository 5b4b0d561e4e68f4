"""HTTP requests and responses as the route handlers see them, how bodies are decoded, and Eloqua's
list envelope; no sockets here (``server`` has those)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from target_eloqua.emulator.model.coerce import as_text
from target_eloqua.emulator.model.errors import Failure
from target_eloqua.emulator.model.importer import Upload

if TYPE_CHECKING:
    from target_eloqua.emulator.http.traffic import Backend

VALIDATION_ERROR = "There was a validation error."
PARSING_ERROR = "There was a parsing error."
NOT_AUTHORIZED = "You are not authorized to make this request"
NOT_FOUND = "The requested resource was not found."
NOT_AUTHENTICATED = "Not authenticated."

REASONS: Mapping[int, str] = {
    201: "Success",
    204: "Success",
    400: VALIDATION_ERROR,
    401: NOT_AUTHORIZED,
    404: NOT_FOUND,
    409: "There was a conflict.",
    410: "The requested resource is no longer available.",
    413: "Storage space exceeded.",
    500: "The service has encountered an error.",
    503: "There was a timeout processing the request",
}

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000


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
    """Status, reason phrase, body (any JSON value; None for no body) and extra headers.

    ``drop`` means: answer nothing and close the connection (an injected fault).
    """

    status: int
    body: Any = None
    reason: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    drop: bool = False

    @property
    def phrase(self) -> str:
        """The reason phrase: Eloqua's own where it has one, else the standard one."""
        return self.reason or REASONS.get(self.status) or HTTPStatus(self.status).phrase


Handler = Callable[["Backend", Request], Response]


@dataclass(frozen=True)
class Route:
    """A method and a path pattern (matched whole, in any letter case) and what answers them."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method, re.compile(pattern, re.IGNORECASE), handler)


class BadRequestError(Exception):
    """The request could not be decoded (wrong media type, bad JSON or CSV, bad parameter)."""

    def __init__(self, failure: Failure, reason: str = PARSING_ERROR) -> None:
        super().__init__(failure.constraint)
        self.failure = failure
        self.reason = reason


def failures_response(failures: Sequence[Failure], reason: str = VALIDATION_ERROR) -> Response:
    """400 with Eloqua's ``{"failures": [...]}`` body."""
    return Response(400, {"failures": [f.to_json() for f in failures]}, reason)


def media_type(request: Request, accepted: Sequence[str]) -> str:
    """The request's media type if it is one of ``accepted`` (UTF-8 only), else BadRequestError."""
    raw = request.headers.get("content-type", "")
    kind, *parameters = raw.split(";")
    kind = kind.strip().lower()
    charset = next(
        (
            value.strip().strip('"').lower()
            for name, _, value in (p.partition("=") for p in parameters)
            if name.strip().lower() == "charset"
        ),
        "utf-8",
    )
    if kind not in accepted or charset not in ("utf-8", "utf8"):
        constraint = f"Must be {' or '.join(accepted)}, in UTF-8."
        raise BadRequestError(Failure("Content-Type", raw, constraint), VALIDATION_ERROR)
    return kind


def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object (Content-Type application/json)."""
    media_type(request, ["application/json"])
    value = _json(request)
    if not isinstance(value, dict):
        raise BadRequestError(Failure("body", type(value).__name__, "Must be a JSON object."))
    return value


def upload(request: Request) -> Upload:
    """Staged rows from a JSON array of objects or from CSV with a header row, values as text."""
    if media_type(request, ["application/json", "text/csv"]) == "text/csv":
        return _csv_upload(_text(request))
    value = _json(request)
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise BadRequestError(
            Failure("body", type(value).__name__, "Must be a JSON array of objects.")
        )
    for row in value:
        _as_text_row(row)
    return Upload(tuple(value))


def page(items: Sequence[Any], query: Mapping[str, str]) -> dict[str, Any]:
    """One page of ``items`` in Eloqua's list envelope, per the query's paging parameters:
    ``items``, ``totalResults`` (left out with ``totalResults=false``), ``limit`` (default 1000;
    more than 1000 is taken as 1000), ``offset``, ``count``, ``hasMore``."""
    limit, offset = paging(query)
    return envelope(list(items[offset : offset + limit]), len(items), limit, offset, query)


def paging(query: Mapping[str, str], max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    """The query's ``limit`` and ``offset``: a limit over ``max_limit`` is capped to it, as
    Eloqua does; a limit below 1, a negative offset or one that is not a number is refused."""
    limit = min(_int_parameter(query, "limit", DEFAULT_LIMIT, 1, None), max_limit)
    return limit, _int_parameter(query, "offset", 0, 0, None)


def envelope(
    chosen: list[Any], total: int, limit: int, offset: int, query: Mapping[str, str]
) -> dict[str, Any]:
    """Eloqua's list envelope around the ``chosen`` items, ``total`` in all."""
    body: dict[str, Any] = {"items": chosen, "totalResults": total}
    if query.get("totalResults", "true").lower() == "false":
        del body["totalResults"]
    body.update(limit=limit, offset=offset, count=len(chosen), hasMore=offset + len(chosen) < total)
    return body


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


def _as_text_row(row: dict[str, Any]) -> None:
    """Make every value of a decoded JSON row text, in place; objects and arrays are refused.
    Most values are strings already, and stay as they are."""
    for key, value in row.items():
        if value.__class__ is str:
            continue
        if isinstance(value, (dict, list)):
            failure = Failure(key, json.dumps(value), "Must be a string, number, boolean or null.")
            raise BadRequestError(failure, VALIDATION_ERROR)
        row[key] = as_text(value)


def _csv_upload(text: str) -> Upload:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        width = len(header)
        # Short rows are padded with ""; cells beyond the header belong to no column (zip stops
        # at the header's end: no strict=, which costs a keyword argument on every row).
        rows = [
            dict(zip(header, cells if len(cells) >= width else _padded(cells, width)))  # noqa: B905
            for cells in reader
            if cells
        ]
    except csv.Error as exc:
        raise BadRequestError(Failure("body", str(exc), "Must be CSV with a header row.")) from None
    return Upload(tuple(rows), tuple(header))


def _padded(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


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
