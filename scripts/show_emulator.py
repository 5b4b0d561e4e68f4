"""Print a run's summary from a running emulator: each sync with its counts, and what it stored.

Usage: python scripts/show_emulator.py http://127.0.0.1:PORT
It reads the emulator's admin API (``/_emulator/...``), which the target itself never uses.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from typing import Any

# The entity of an import definition, from its uri: /accounts/imports/1, /customObjects/9/imports/2
DEFINITION_URI = re.compile(r"^/(?P<entity>.+)/imports/\d+$")


def admin(base_url: str, path: str) -> list[Any]:
    """The items of one of the emulator's admin endpoints."""
    with urllib.request.urlopen(f"{base_url}/_emulator/{path}", timeout=10) as response:  # noqa: S310
        items: list[Any] = json.load(response)["items"]
        return items


def print_syncs(base_url: str) -> None:
    syncs = admin(base_url, "syncs")
    print(f"\nRun summary: {len(syncs)} sync(s)")
    header = ("sync", "status", "created", "updated", "rejected")
    print("  {:<10} {:<8} {:>8} {:>8} {:>8}  imported into".format(*header))
    totals = {"created": 0, "updated": 0, "rejected": 0}
    for sync in syncs:
        counts = sync.get("counts") or {}
        for key in totals:
            totals[key] += counts.get(key, 0)
        created, updated, rejected = (counts.get(key, "-") for key in totals)
        print(
            f"  {sync['uri']:<10} {sync['status']:<8} {created:>8} {updated:>8} {rejected:>8}"
            f"  {sync['syncedInstanceUri']}"
        )
        if counts.get("rejected"):
            print(f"    rejected records: {base_url}/api/bulk/2.0{sync['uri']}/rejects")
    print(
        f"  total: {totals['created']} created, {totals['updated']} updated, "
        f"{totals['rejected']} rejected"
    )


def describe(entity: str, record: dict[str, Any]) -> str:
    fields = record.get("fields", {})
    if entity == "accounts":
        users = ", ".join(user["fields"]["CRMOSCUserId"] for user in record.get("linkedUsers", []))
        return f"{fields.get('M_CompanyName', '?'):<24} linked users: {users or '-'}"
    return json.dumps(fields, ensure_ascii=False)


def print_records(base_url: str) -> None:
    entities = {
        match["entity"]
        for definition in admin(base_url, "definitions")
        if (match := DEFINITION_URI.match(definition["uri"]))
    }
    for entity in sorted(entities):
        try:
            records = admin(base_url, f"records/{entity}")
        except urllib.error.HTTPError as error:
            print(f"\n{entity}: the emulator does not list them ({error.code} {error.reason})")
            continue
        print(f"\n{entity} stored in the emulator: {len(records)}")
        for record in records:
            print(f"  {describe(entity, record)}")


def main(base_url: str) -> None:
    print_syncs(base_url)
    print_records(base_url)


if __name__ == "__main__":
    main(sys.argv[1])
