"""The login side: ``GET /id`` (base URL discovery) and ``POST /auth/oauth2/token``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from target_eloqua.emulator.http.traffic import Backend
from target_eloqua.emulator.http.wire import (
    NOT_AUTHENTICATED,
    BadRequestError,
    Request,
    Response,
    json_object,
    route,
)
from target_eloqua.emulator.model.instance import EloquaInstance
from target_eloqua.emulator.model.logins import INVALID_CLIENT, INVALID_REQUEST, OAuthError

_NO_STORE = {"Pragma": "no-cache", "Expires": "-1"}
_UNAUTHORIZED = frozenset({"invalid_client", "invalid_grant"})
"""The OAuth errors the token endpoint answers with 401 (a bad client or grant); others are 400."""


def basic_login(request: Request) -> tuple[str, str] | None:
    """The ``(login, password)`` of an HTTP Basic Authorization header, or None."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, separator, password = decoded.partition(":")
    return (login, password) if separator else None


def authenticated(instance: EloquaInstance, request: Request) -> bool:
    """Whether the request carries Basic ``Company\\User:password`` or a valid bearer token."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return instance.authenticate_token(token.strip())
    login = basic_login(request)
    return login is not None and instance.authenticate(*login)


def identify(backend: Backend, request: Request) -> Response:
    """``GET /id``: who the caller is and where the APIs live; 200 "Not authenticated." if not."""
    instance = backend.instance
    if not authenticated(instance, request):
        return Response(200, NOT_AUTHENTICATED, headers=_NO_STORE)
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
    headers = {**_NO_STORE, "X-Frame-Options": "DENY"}
    return Response(200, {**instance.identity(), "urls": urls}, headers=headers)


def token(backend: Backend, request: Request) -> Response:
    """``POST /auth/oauth2/token``: the password and refresh_token grants."""
    try:
        client = basic_login(request)
        if client is None:
            raise OAuthError(*INVALID_CLIENT)
        body = _token_body(request)
        issued = backend.instance.issue_token(*client, body)
    except OAuthError as exc:
        status = 401 if exc.error in _UNAUTHORIZED else 400
        return Response(status, exc.body, headers=_NO_STORE)
    return Response(200, issued, headers=_NO_STORE)


def _token_body(request: Request) -> Mapping[str, Any]:
    """A JSON or form-encoded token request body."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(request.body.decode("utf-8")))
        except UnicodeDecodeError:
            raise OAuthError(*INVALID_REQUEST) from None
    try:
        return json_object(request)
    except BadRequestError:
        raise OAuthError(*INVALID_REQUEST) from None


ROUTES = (
    route("GET", r"/id", identify),
    route("POST", r"/auth/oauth2/token", token),
)
