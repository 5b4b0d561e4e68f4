"""Where an Eloqua instance lives, found once, and Bulk API clients that reach it.

Eloqua's instances live on pods (``https://secure.p03.eloqua.com``); ``{login_url}/id`` says which
one, and which instance (site) the login is on, and is to be asked again after a 401, since an
instance may move
(https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/DeterminingBaseURL.html). A
``Connection`` asks once for all the threads of a run.
"""

from __future__ import annotations

import logging
import threading

from target_eloqua.bulk.auth import EloquaAuth
from target_eloqua.bulk.client import BulkClient, ResponseHook, Site, identify

logger = logging.getLogger(__name__)


class Connection:
    """The pod of one Eloqua instance, shared by threads: each gets a client of its own.

    With ``base_url`` set, that pod is used as it is; otherwise it is discovered through
    ``login_url`` on first use, and again when a client is refused with a 401 there.
    """

    def __init__(
        self,
        login_url: str,
        auth: EloquaAuth,
        *,
        base_url: str | None = None,
        on_response: ResponseHook | None = None,
    ) -> None:
        self.login_url = login_url
        self.auth = auth
        self.fixed_base_url = base_url
        self.on_response = on_response
        """Told of each answer to a discovery request."""
        self._lock = threading.Lock()
        self._base_url = base_url
        self._site: Site | None = None

    def base_url(self) -> str:
        """The pod's URL, discovered on first use unless it was given."""
        with self._lock:
            if self._base_url is None:
                self._base_url = self._discover()
            return self._base_url

    def site(self) -> Site:
        """The instance the login is on, as ``/id`` names it: asked once, also when
        ``base_url`` was given (discovery tells it too).
        """
        with self._lock:
            if self._site is None:
                self._site = identify(self.login_url, self.auth, on_response=self.on_response).site
            return self._site

    def rediscover_base_url(self, refused_at: str) -> str:
        """Where the instance lives after a 401 at ``refused_at`` (it may have moved): asked of
        ``/id`` again, once for all the clients refused there at the same time.
        """
        with self._lock:
            if self._base_url == refused_at:
                self._base_url = self._discover()
            return self._base_url or refused_at

    def new_client(self, on_response: ResponseHook | None = None) -> BulkClient:
        """A client of the caller's own (clients are not shared by threads); its answers go to
        ``on_response``.
        """
        rediscover = None if self.fixed_base_url else self.rediscover_base_url
        return BulkClient(
            self.base_url(), self.auth, on_response=on_response, rediscover=rediscover
        )

    def _discover(self) -> str:
        identity = identify(self.login_url, self.auth, on_response=self.on_response)
        self._site = identity.site
        logger.info(
            "Eloqua instance %r (site id %d) found at %s",
            identity.site.name,
            identity.site.id,
            identity.base_url,
        )
        return identity.base_url
