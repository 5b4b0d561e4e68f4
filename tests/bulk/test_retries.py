"""How long the client waits between tries, with the sleep and the jitter replaced: nothing here
really waits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
import requests

from target_eloqua.bulk import EloquaAPIError, OutcomeUnknownError, RetriableAPIError, RetryPolicy
from target_eloqua.bulk.retries import retry_after_seconds

NOW = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)


def overloaded(status: int = 503, retry_after: float | None = None) -> RetriableAPIError:
    return RetriableAPIError("GET", "/syncs/7", status, "Busy", retry_after=retry_after)


def policy(waits: list[float], max_tries: int = 10) -> RetryPolicy:
    """A policy that records its waits instead of sleeping, with no jitter."""
    return RetryPolicy(max_tries=max_tries, sleep=waits.append, jitter=lambda seconds: seconds)


def failing(*failures: Exception, result: str = "done") -> mock.Mock:
    return mock.Mock(side_effect=[*failures, result])


def test_waits_double_from_the_factor_up_to_the_cap() -> None:
    waits: list[float] = []

    assert policy(waits).call(failing(*[overloaded()] * 8), request=("GET", "/x")) == "done"

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]


def test_each_wait_is_jittered_below_its_backoff() -> None:
    waits: list[float] = []
    jitter = mock.Mock(side_effect=lambda seconds: seconds / 4)
    retries = RetryPolicy(factor=0.5, sleep=waits.append, jitter=jitter)

    retries.call(failing(overloaded(), overloaded(), overloaded()), request=("GET", "/x"))

    assert [call.args[0] for call in jitter.call_args_list] == [0.5, 1.0, 2.0]
    assert waits == [0.125, 0.25, 0.5]


def test_retry_after_is_the_wait_when_eloqua_gives_one_and_is_still_capped() -> None:
    waits: list[float] = []
    answers = failing(overloaded(429, retry_after=0), overloaded(503, 7), overloaded(429, 3600))

    policy(waits).call(answers, request=("GET", "/x"))

    assert waits == [0, 7, 60]


def test_tries_stop_at_max_tries_with_the_last_failure() -> None:
    waits: list[float] = []
    send = failing(*[overloaded()] * 3)

    with pytest.raises(RetriableAPIError):
        policy(waits, max_tries=3).call(send, request=("GET", "/x"))

    assert send.call_count == 3
    assert waits == [1, 2]


def test_other_errors_are_not_retried() -> None:
    waits: list[float] = []
    send = failing(EloquaAPIError("POST", "/syncs", 400, "There was a validation error."))

    with pytest.raises(EloquaAPIError):
        policy(waits).call(send, request=("POST", "/syncs"))

    assert (send.call_count, waits) == (1, [])


def test_a_certificate_that_fails_verification_is_not_retried() -> None:
    waits: list[float] = []
    send = failing(requests.exceptions.SSLError("certificate verify failed"))

    with pytest.raises(requests.exceptions.SSLError):
        policy(waits).call(send, request=("GET", "/syncs/7"))

    assert (send.call_count, waits) == (1, [])


def test_a_request_not_safe_to_repeat_is_retried_only_after_429() -> None:
    waits: list[float] = []
    send = failing(overloaded(429, retry_after=1), requests.ConnectionError("reset"))

    with pytest.raises(OutcomeUnknownError, match="acted on POST /syncs: reset"):
        policy(waits).call(send, repeatable=False, request=("POST", "/syncs"))

    assert (send.call_count, waits) == (2, [1])


def test_max_tries_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_tries=0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Sat, 28 Nov 2026 10:00:30 GMT", 30.0),
        ("Sat, 28 Nov 2026 09:59:00 GMT", 0.0),  # already past
        (None, None),
        ("", None),
        ("soon", None),
        ("-3", None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def test_a_certificate_failure_on_a_request_not_safe_to_repeat_is_raised_as_it_is() -> None:
    send = failing(requests.exceptions.SSLError("certificate verify failed"))

    with pytest.raises(requests.exceptions.SSLError):
        policy([]).call(send, repeatable=False, request=("POST", "/syncs"))

    assert send.call_count == 1
