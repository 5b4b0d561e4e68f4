"""When a request to Eloqua is sent again, and after how long.

429, 5xx and connection errors are transient: a request is tried up to ``max_tries`` times,
waiting ``factor * 2**n`` seconds with full jitter between tries, or what Eloqua's
``Retry-After`` says when it says it; either way never more than ``cap`` seconds. Other errors
(any other 4xx) are not retried.

A request that is not safe to repeat (a data upload, a sync creation: Eloqua has no idempotency
key) is sent again only when Eloqua certainly did not act on it: a 429, or a connection that was
never made. Any other failure of it (a dropped connection, a timeout waiting for the answer, a
5xx) leaves its outcome unknown, and ``OutcomeUnknownError`` tells the caller so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import backoff
import requests
from urllib3.exceptions import ConnectTimeoutError

from target_eloqua.bulk.errors import OutcomeUnknownError, RetriableAPIError, first_line

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (RetriableAPIError, requests.ConnectionError, requests.Timeout)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried; ``sleep`` and ``jitter`` can be
    replaced (tests do, to see the waits without waiting).
    """

    max_tries: int = 6
    factor: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[float], float] = backoff.full_jitter

    def __post_init__(self) -> None:
        if self.max_tries < 1:
            raise ValueError(f"max_tries must be at least 1, not {self.max_tries}")

    def wait(self, tries: int, error: Exception) -> float:
        """Seconds to wait after the ``tries``-th attempt failed with ``error``."""
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return float(min(retry_after, self.cap))
        return self.jitter(min(self.factor * 2 ** (tries - 1), self.cap))

    def call(
        self, send: Callable[[], T], *, repeatable: bool = True, request: tuple[str, str]
    ) -> T:
        """``send()``'s result, retrying transient failures; ``request`` (method, path) names
        the request in ``OutcomeUnknownError``. The last failure is raised as it is.
        """
        for tries in range(1, self.max_tries):
            try:
                return _attempt(send, repeatable, request)
            except TRANSIENT_ERRORS as error:
                if not transient(error):
                    raise
                seconds = self.wait(tries, error)
                logger.warning(
                    "Retrying in %.1f s after attempt %d failed: %s",
                    seconds,
                    tries,
                    first_line(error),
                )
                self.sleep(seconds)
        return _attempt(send, repeatable, request)


def _attempt(send: Callable[[], T], repeatable: bool, request: tuple[str, str]) -> T:
    """One try; a failure that leaves a non-repeatable request's outcome unknown is raised as
    ``OutcomeUnknownError``.
    """
    try:
        return send()
    except TRANSIENT_ERRORS as error:
        if repeatable or not_acted_on(error) or not transient(error):
            raise
        raise OutcomeUnknownError(*request, error) from error


def transient(error: Exception) -> bool:
    """Whether trying again may cure ``error``: not a certificate that failed verification (a
    connection error to requests), which is refused before any request is sent.
    """
    return not isinstance(error, requests.exceptions.SSLError)


def not_acted_on(error: Exception) -> bool:
    """Whether Eloqua certainly did not act on the request that failed with ``error``: it
    answered 429, or no connection was made (refused, or timed out connecting).
    """
    if isinstance(error, RetriableAPIError):
        return error.status == 429
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, ConnectTimeoutError)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """The wait a ``Retry-After`` header asks for: a number of seconds, or an HTTP date
    (counted from ``now``, when the answer was sent); None when absent or unreadable.
    """
    text = (value or "").strip()
    if text.isdigit():
        return float(text)
    when = http_date(text)
    return None if when is None else max(0.0, (when - now).total_seconds())


def http_date(text: str | None) -> datetime | None:
    """An HTTP date (``Wed, 21 Oct 2015 07:28:00 GMT``) as an aware datetime; None if it is not
    one.
    """
    try:
        when = parsedate_to_datetime(text or "")
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
