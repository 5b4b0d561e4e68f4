"""Print what a running emulator stored: its syncs and its accounts with their linked users."""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any


def admin(base_url: str, path: str) -> Any:
    """GET one of the emulator's admin endpoints (never used by the target)."""
    with urllib.request.urlopen(f"{base_url}/_emulator/{path}", timeout=10) as response:  # noqa: S310
        return json.load(response)


def main(base_url: str) -> None:
    """Print the summary."""
    syncs = admin(base_url, "syncs")["items"]
    accounts = admin(base_url, "records/accounts")["items"]
    print(f"\nSyncs: {len(syncs)}")
    for sync in syncs:
        print(f"  {sync['uri']}  {sync['status']}  {sync['syncedInstanceUri']}")
    print(f"Accounts stored in the emulator: {len(accounts)}")
    for account in accounts:
        users = ", ".join(user["fields"]["CRMOSCUserId"] for user in account["linkedUsers"])
        print(f"  {account['fields'].get('M_CompanyName', '?'):<24} linked users: {users or '-'}")


if __name__ == "__main__":
    main(sys.argv[1])
