"""Eloqua Bulk API 2.0 client: HTTP, auth, discovery and syncs; no Singer."""

from target_eloqua.bulk.auth import (
    EloquaAuth,
    EloquaBasicAuth,
    EloquaBearerAuth,
    OAuthTokens,
    UserLogin,
)
from target_eloqua.bulk.client import (
    BulkClient,
    Identity,
    Site,
    identify,
    request_token,
)
from target_eloqua.bulk.errors import (
    EloquaAPIError,
    EloquaConnectionError,
    EloquaError,
    NotAuthenticatedError,
    OutcomeUnknownError,
    RetriableAPIError,
    SyncTimeoutError,
    TokenRefusedError,
    UnauthorizedError,
)
from target_eloqua.bulk.retries import RetryPolicy

__all__ = [
    "BulkClient",
    "EloquaAPIError",
    "EloquaAuth",
    "EloquaBasicAuth",
    "EloquaBearerAuth",
    "EloquaConnectionError",
    "EloquaError",
    "Identity",
    "NotAuthenticatedError",
    "OAuthTokens",
    "OutcomeUnknownError",
    "RetriableAPIError",
    "RetryPolicy",
    "Site",
    "SyncTimeoutError",
    "TokenRefusedError",
    "UnauthorizedError",
    "UserLogin",
    "identify",
    "request_token",
]
