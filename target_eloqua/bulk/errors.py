"""What can go wrong when talking to Eloqua, as exceptions that read well in a log."""

from __future__ import annotations

from typing import Any


class EloquaError(Exception):
    """Base class of every error raised by the Bulk API client."""


ACCESS_CAUSES = (
    "this machine's IP is not on the instance's allow-list; the user is disabled; or the user "
    "lacks API access (the 'Advanced Users - Marketing' permission)"
)
"""What else makes Eloqua refuse credentials that are right, whatever the kind of login."""


class NotAuthenticatedError(EloquaError):
    """``/id`` answered ``"Not authenticated."``: Eloqua refused the credentials."""

    def __init__(self, login_url: str, credentials: str) -> None:
        super().__init__(
            f"Eloqua answered 'Not authenticated.' at {login_url}/id. Likely causes: wrong "
            f"{credentials}; {ACCESS_CAUSES}."
        )


class EloquaAPIError(EloquaError):
    """Eloqua answered with an HTTP error; its own message and ``failures`` are kept."""

    def __init__(self, method: str, path: str, status: int, reason: str, body: Any = None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.failures = _failures(body)
        lines = [f"Eloqua answered {status} {reason} to {method} {path}"]
        lines += [
            f"  {failure.get('field', '?')}: {failure.get('constraint', '')} "
            f"(value: {failure.get('value', '')!r})"
            for failure in self.failures
        ]
        super().__init__("\n".join(lines))


class EloquaConnectionError(EloquaError):
    """Eloqua could not be reached, or did not answer in time, even after retries."""


class UnauthorizedError(EloquaError):
    """Eloqua kept answering 401 to a request after everything worth trying again was tried."""

    def __init__(self, refused: EloquaAPIError, tried: list[str], causes: list[str]) -> None:
        after = f", also after trying again {' and '.join(tried)}" if tried else ""
        super().__init__(
            f"Eloqua answered {refused.status} {refused.reason} to {refused.method} "
            f"{refused.path}{after}. Likely causes: {'; '.join(causes)}; the user lacks "
            f"permission for this entity; {ACCESS_CAUSES}."
        )


class TokenRefusedError(EloquaError):
    """Eloqua's token endpoint refused a grant; its ``error``, ``error_code`` and
    ``error_description`` are kept, with the likely causes of that error.
    """

    def __init__(self, grant_type: str, status: int, body: Any) -> None:
        details = body if isinstance(body, dict) else {}
        error = str(details.get("error") or status)
        code = details.get("error_code")
        description = str(details.get("error_description") or "").rstrip(".")
        said = error + (f" ({code})" if code is not None else "")
        super().__init__(
            f"Eloqua's OAuth token endpoint refused the {grant_type} grant: {said}"
            + (f": {description}" if description else "")
            + f". Likely causes: {_token_causes(error, grant_type)}."
        )


class RetriableAPIError(EloquaAPIError):
    """A 429 or 5xx answer: worth trying again after a pause, ``retry_after`` seconds when
    Eloqua said how long (its ``Retry-After`` header).
    """

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        reason: str,
        body: Any = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(method, path, status, reason, body)
        self.retry_after = retry_after


class OutcomeUnknownError(EloquaError):
    """A request that is not safe to repeat (a data upload, a sync creation) got no answer, or
    a 5xx: Eloqua may or may not have acted on it. The client does not send it again; the
    caller finds out what Eloqua did, or undoes it, before going on.
    """

    def __init__(self, method: str, path: str, cause: Exception) -> None:
        self.method = method
        self.path = path
        super().__init__(
            f"Eloqua may or may not have acted on {method} {path}: {first_line(cause)}"
        )


def first_line(error: BaseException) -> str:
    """The first line of an error's text, or its class name when it has none."""
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


class SyncTimeoutError(EloquaError):
    """A sync did not end within the time the target allows it."""


def _token_causes(error: str, grant_type: str) -> str:
    if error == "invalid_client":
        return "wrong client_id or client_secret, or the app was deleted or disabled"
    if grant_type == "refresh_token":
        return (
            "the refresh token was already used (Eloqua's refresh tokens are single-use and each "
            "refresh issues a new one: keep it with token_file), has expired (after 12 months) "
            "or was revoked; authorize the app again and set the new refresh_token"
        )
    return f"wrong company, username or password; {ACCESS_CAUSES}"


def _failures(body: Any) -> list[dict[str, Any]]:
    """The ``failures`` of a Bulk API validation error body, if it is one."""
    if isinstance(body, dict) and isinstance(body.get("failures"), list):
        return [item for item in body["failures"] if isinstance(item, dict)]
    return []
