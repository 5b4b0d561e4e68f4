"""Which handler answers a request, and what Eloqua does around every answer."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace

from target_eloqua.emulator.http import admin_routes, bulk_routes, login_routes
from target_eloqua.emulator.http.traffic import Backend, Fault
from target_eloqua.emulator.http.wire import (
    BadRequestError,
    Request,
    Response,
    Route,
    failures_response,
)
from target_eloqua.emulator.model.errors import ConflictError, NotFoundError, ValidationError

ADMIN_PREFIX = "/_emulator/"
_BULK_ROOT = re.compile(r"/api/bulk/2\.0(?=/|$)", re.IGNORECASE)
_OVERRIDABLE = ("GET", "POST")


def normalise_path(path: str) -> str:
    """Collapse doubled slashes and drop a trailing slash: ``//a//b/`` -> ``/a/b``."""
    collapsed = re.sub(r"/{2,}", "/", "/" + path)
    return collapsed.rstrip("/") or "/"


def dispatch(backend: Backend, request: Request) -> Response:
    """Answer one request as Eloqua would (or as an injected fault says).

    There are three route tables: ``login_routes`` (``/id``, ``/auth/oauth2/token``),
    ``bulk_routes`` (below ``/api/bulk/2.0`` in any letter case, each behind Basic or bearer auth:
    401 without) and ``admin_routes`` (``/_emulator/...``, no auth, not journaled, no faults).
    Around the handler: ``X-HTTP-Method-Override`` turns a GET or POST into another verb; injected
    faults apply; ``X-HTTP-Status-Code-Override: 200`` answers 200 with the real status in
    ``X-HTTP-Original-Status-Code``; model errors become Eloqua's status codes; every non-admin
    request goes to the journal.
    """
    request = _overridden_method(request)
    if request.path.lower().startswith(ADMIN_PREFIX):
        return _answer(admin_routes.ROUTES, backend, request)
    fault = backend.faults.take(request.method, request.path)
    if fault is not None and fault.delay_seconds:
        time.sleep(fault.delay_seconds)
    if fault is not None and not fault.after and _replaces(fault):
        response = _fault_response(fault)
    else:
        response = _status_override(request, _api(backend, request))
        if fault is not None and fault.after and _replaces(fault):
            response = _fault_response(fault)
    backend.journal.record(
        request.method,
        request.path,
        request.query,
        None if response.drop else response.status,
        len(request.body),
    )
    return response


def _api(backend: Backend, request: Request) -> Response:
    bulk_root = _BULK_ROOT.match(request.path)
    if bulk_root is None:
        return _answer(login_routes.ROUTES, backend, request)
    if not login_routes.authenticated(backend.instance, request):
        return Response(401)
    path = request.path[bulk_root.end() :] or "/"
    return _answer(bulk_routes.ROUTES, backend, replace(request, path=path))


def _answer(routes: Sequence[Route], backend: Backend, request: Request) -> Response:
    """The matching route's answer, with model errors as Eloqua's status codes."""
    try:
        for route in routes:
            match = route.pattern.fullmatch(request.path)
            if match is not None and route.method == request.method:
                return route.handler(backend, replace(request, params=match.groups()))
    except NotFoundError:
        return Response(404)
    except ConflictError:
        return Response(409)
    except ValidationError as exc:
        return failures_response(exc.failures)
    except BadRequestError as exc:
        return failures_response([exc.failure], exc.reason)
    return Response(404)


def _overridden_method(request: Request) -> Request:
    override = request.headers.get("x-http-method-override", "").strip().upper()
    if override and request.method in _OVERRIDABLE:
        return replace(request, method=override)
    return request


def _status_override(request: Request, response: Response) -> Response:
    if request.headers.get("x-http-status-code-override", "").strip() != "200":
        return response
    headers = {**response.headers, "X-HTTP-Original-Status-Code": str(response.status)}
    return replace(response, status=200, reason="OK", headers=headers)


def _replaces(fault: Fault) -> bool:
    return fault.drop or fault.status is not None


def _fault_response(fault: Fault) -> Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return Response(fault.status or 500, headers=headers, drop=fault.drop)
