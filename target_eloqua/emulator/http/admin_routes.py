"""The admin API under ``/_emulator``: a path Eloqua never uses, without auth, for tests and
demos to read what the emulator stored and to steer it. ``target_eloqua.emulator`` lists it."""

from __future__ import annotations

from typing import Any

from target_eloqua.emulator.http.traffic import Backend, Fault
from target_eloqua.emulator.http.wire import (
    VALIDATION_ERROR,
    BadRequestError,
    Request,
    Response,
    json_object,
    route,
)
from target_eloqua.emulator.model.catalog import CatalogError, parse_catalog
from target_eloqua.emulator.model.entities import Entity
from target_eloqua.emulator.model.errors import Failure, NotFoundError
from target_eloqua.emulator.model.instance import SyncPlan

FAULT_STATUSES = (401, 403, 404, 429, 500, 502, 503)


def _items(items: list[Any]) -> Response:
    return Response(200, {"items": items})


def _entity(request: Request) -> Entity:
    entity = Entity.parse(request.params[0])
    if entity is None:
        raise NotFoundError(request.params[0])
    return entity


def records(backend: Backend, request: Request) -> Response:
    return _items(backend.instance.records(_entity(request)))


def update_record(backend: Backend, request: Request) -> Response:
    """Change a stored record's fields, as someone editing it in Eloqua would."""
    body = json_object(request)
    record_id = int(request.params[1])
    return Response(
        200, backend.instance.update_record(_entity(request), record_id, body.get("fields"))
    )


def definitions(backend: Backend, request: Request) -> Response:
    """Each definition as Eloqua shows it, plus what is staged on it and not yet synced."""
    instance = backend.instance
    items = []
    for definition in instance.import_definitions():
        staged = instance.staged(definition.id)
        items.append(
            {
                **definition.to_json(),
                "stagedRowCount": sum(len(u.rows) for u in staged),
                "stagedUploads": len(staged),
            }
        )
    return _items(items)


def syncs(backend: Backend, request: Request) -> Response:
    """Each sync as Eloqua shows it, plus ``counts`` (null until it ends)."""
    items = [
        {**s.to_json(), "counts": s.outcome.counts.to_json() if s.outcome else None}
        for s in backend.instance.syncs()
    ]
    return _items(items)


def requests_received(backend: Backend, request: Request) -> Response:
    return _items(backend.journal.entries())


def reset(backend: Backend, request: Request) -> Response:
    backend.reset()
    return Response(204)


def list_faults(backend: Backend, request: Request) -> Response:
    return _items([fault.to_json() for fault in backend.faults.rules()])


def add_fault(backend: Backend, request: Request) -> Response:
    fault = _fault(json_object(request))
    backend.faults.add(fault)
    return Response(201, fault.to_json())


def clear_faults(backend: Backend, request: Request) -> Response:
    backend.faults.clear()
    return Response(204)


def plan_syncs(backend: Backend, request: Request) -> Response:
    """The next ``count`` syncs end ``error`` (``status``) and/or take ``seconds``."""
    body = json_object(request)
    count = _number(body, "count", 1, whole=True)
    status = body.get("status")
    if status not in (None, "error"):
        raise _invalid("status", status, 'Must be "error" or left out.')
    seconds = _number(body, "seconds", None)
    backend.instance.plan_syncs(int(count or 1), SyncPlan(status, seconds))
    return Response(204)


def issued_tokens(backend: Backend, request: Request) -> Response:
    """Every token response given so far, for tests to follow the target's tokens."""
    return _items(backend.instance.issued_tokens())


def expire_tokens(backend: Backend, request: Request) -> Response:
    """Expire every access token now, or the one named ``accessToken``."""
    body = json_object(request) if request.body else {}
    token = body.get("accessToken")
    if token is not None and not isinstance(token, str):
        raise _invalid("accessToken", token, "Must be a string.")
    return Response(200, {"expired": backend.instance.expire_tokens(token)})


def replace_catalog(backend: Backend, request: Request) -> Response:
    try:
        catalog = parse_catalog(json_object(request))
    except CatalogError as exc:
        raise _invalid("catalog", "", str(exc)) from None
    backend.instance.replace_catalog(catalog)
    return Response(204)


def read_catalog(backend: Backend, request: Request) -> Response:
    """The catalog as a catalog file's JSON, as it was given and extended."""
    return Response(200, dict(backend.instance.catalog.document))


def extend_catalog(backend: Backend, request: Request) -> Response:
    """Merge a partial catalog into the catalog (``Catalog.extended``); the whole catalog."""
    try:
        catalog = backend.instance.extend_catalog(json_object(request))
    except CatalogError as exc:
        raise _invalid("catalog", "", str(exc)) from None
    return Response(200, dict(catalog.document))


def _fault(body: dict[str, Any]) -> Fault:
    method, path = body.get("method", "*"), body.get("path")
    if not isinstance(method, str) or not isinstance(path, str):
        raise _invalid("path", path, "Must give a path pattern and a method (or *).")
    status, action = body.get("status"), body.get("action")
    if status is not None and status not in FAULT_STATUSES:
        raise _invalid("status", status, f"Must be one of {FAULT_STATUSES}.")
    if action not in (None, "drop"):
        raise _invalid("action", action, 'Must be "drop" or left out.')
    delay = _number(body, "delaySeconds", 0.0) or 0.0
    if status is None and action is None and not delay:
        raise _invalid("status", status, "Must give a status, action or delaySeconds.")
    when = body.get("when", "before")
    if when not in ("before", "after"):
        raise _invalid("when", when, 'Must be "before" or "after".')
    count = int(_number(body, "count", 1, whole=True) or 1)
    return Fault(
        method.upper(),
        path,
        count,
        status,
        action == "drop",
        delay,
        when == "after",
        _retry_after(body, status),
    )


def _retry_after(body: dict[str, Any], status: object) -> int | None:
    """The ``Retry-After`` seconds a fault's answer carries; only with a status."""
    value = body.get("retryAfter")
    if value is None:
        return None
    if status is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid("retryAfter", value, "Must be whole seconds (>= 0), with a status.")
    return value


def _number(
    body: dict[str, Any], name: str, default: float | None, whole: bool = False
) -> float | None:
    value = body.get(name, default)
    kinds = (int,) if whole else (int, float)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kinds) or value < (1 if whole else 0):
        raise _invalid(name, value, "Must be a positive integer." if whole else "Must be >= 0.")
    return float(value)


def _invalid(name: str, value: object, constraint: str) -> BadRequestError:
    return BadRequestError(Failure(name, str(value), constraint), VALIDATION_ERROR)


ROUTES = (
    route(
        "GET",
        r"/_emulator/records/(accounts|contacts|customObjects/\d+|events/\d+|activities"
        r"|opportunities|campaignResponses|emailAddresses)",
        records,
    ),
    route(
        "PATCH", r"/_emulator/records/(accounts|contacts|customObjects/\d+)/(\d+)", update_record
    ),
    route("GET", r"/_emulator/definitions", definitions),
    route("GET", r"/_emulator/syncs", syncs),
    route("GET", r"/_emulator/requests", requests_received),
    route("POST", r"/_emulator/reset", reset),
    route("GET", r"/_emulator/faults", list_faults),
    route("POST", r"/_emulator/faults", add_fault),
    route("DELETE", r"/_emulator/faults", clear_faults),
    route("POST", r"/_emulator/syncs/next", plan_syncs),
    route("GET", r"/_emulator/tokens", issued_tokens),
    route("POST", r"/_emulator/tokens/expire", expire_tokens),
    route("PUT", r"/_emulator/catalog", replace_catalog),
    route("GET", r"/_emulator/catalog", read_catalog),
    route("PATCH", r"/_emulator/catalog", extend_catalog),
)
