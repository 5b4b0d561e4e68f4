"""Eloqua Bulk API 2.0 client: HTTP, auth, discovery and syncs; no Singer."""

from target_eloqua.bulk.auth import EloquaBasicAuth
from target_eloqua.bulk.client import TERMINAL_SYNC_STATUSES, BulkClient, discover_base_url
from target_eloqua.bulk.errors import (
    EloquaAPIError,
    EloquaConnectionError,
    EloquaError,
    NotAuthenticatedError,
    OutcomeUnknownError,
    RetriableAPIError,
    SyncTimeoutError,
)
from target_eloqua.bulk.retries import RetryPolicy

__all__ = [
    "TERMINAL_SYNC_STATUSES",
    "BulkClient",
    "EloquaAPIError",
    "EloquaBasicAuth",
    "EloquaConnectionError",
    "EloquaError",
    "NotAuthenticatedError",
    "OutcomeUnknownError",
    "RetriableAPIError",
    "RetryPolicy",
    "SyncTimeoutError",
    "discover_base_url",
]
