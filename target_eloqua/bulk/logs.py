"""What a sync's logs (``GET /syncs/{id}/logs``) say it did, from their ELQ status codes.

The codes are Oracle's: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm
Oracle documents no code of its own for the rows an ``importRule`` of ``updateOnly`` or
``createOnly`` leaves alone; they are read from ELQ-00034 ("Total unmatched records."), the
one counter of its list for them, as are the rows of a sync-action sync that match no record.
Its sync actions are counted by the codes that name them: members added to and removed from
contact and account lists, subscriptions to email groups and the global subscription set, and
contacts' email marked as bounced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COUNTERS = {
    "ELQ-00001": "processed",
    "ELQ-00004": "created",  # contacts
    "ELQ-00005": "created",  # accounts
    "ELQ-00007": "created",  # custom object records
    "ELQ-00069": "created",  # activities
    "ELQ-00077": "created",  # event records
    "ELQ-00022": "updated",
    "ELQ-00023": "updated",
    "ELQ-00012": "updated",
    "ELQ-00079": "updated",  # event records
    "ELQ-00049": "new",  # "Total new records."
    "ELQ-00060": "rejected",
    "ELQ-00034": "unmatched",
    "ELQ-00025": "linked",  # custom object records linked to a contact or account
    "ELQ-00033": "created",  # email addresses
    "ELQ-00035": "updated",  # email addresses
    "ELQ-00119": "list_added",  # to a contact list
    "ELQ-00114": "list_added",  # to an account list
    "ELQ-00118": "list_removed",  # from a contact list
    "ELQ-00117": "list_removed",  # from an account list
    "ELQ-00115": "subscriptions_changed",  # subscribed to an email group
    "ELQ-00116": "subscriptions_changed",  # unsubscribed from an email group
    "ELQ-00138": "subscriptions_changed",  # globally subscribed
    "ELQ-00017": "subscriptions_changed",  # globally unsubscribed
    "ELQ-00016": "marked_bounced",
}
"""Which of a sync's counters each counting ELQ code adds to."""


@dataclass(frozen=True)
class SyncCounts:
    """The records a sync processed, created, updated and rejected; the rows its import rule
    left alone, or that matched no record to act on (unmatched); the custom object records it
    linked; what its sync actions did; the records it counted as new without saying what they
    are (ELQ-00049).
    """

    processed: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    unmatched: int = 0
    linked: int = 0
    list_added: int = 0
    list_removed: int = 0
    subscriptions_changed: int = 0
    marked_bounced: int = 0
    new: int = 0

    def by_totals(self) -> SyncCounts:
        """These counts for an entity whose logs count nothing created or updated: the records
        processed and neither rejected nor unmatched were loaded, "Total new records" of them
        created and the rest updated.
        """
        loaded = max(0, self.processed - self.rejected - self.unmatched)
        created = min(self.new, loaded)
        return dataclasses.replace(self, created=created, updated=loaded - created)


def count_sync_logs(logs: Iterable[Mapping[str, Any]]) -> SyncCounts:
    """Add up the counters of a sync's log items."""
    totals = dict.fromkeys((field.name for field in dataclasses.fields(SyncCounts)), 0)
    for item in logs:
        counter = COUNTERS.get(str(item.get("statusCode")))
        if counter is not None:
            totals[counter] += int(item.get("count") or 0)
    return SyncCounts(**totals)


def problem_messages(logs: Iterable[Mapping[str, Any]]) -> list[str]:
    """Eloqua's warning and error lines of a sync, as ``ELQ-xxxxx: message (count)``."""
    return [
        f"{item.get('statusCode')}: {item.get('message')} ({item.get('count')})"
        for item in logs
        if item.get("severity") in ("warning", "error")
    ]
