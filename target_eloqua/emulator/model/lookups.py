"""What clients look up by name: contact and account lists, email groups and custom objects, as
the Bulk API lists them (``GET /contacts/lists``, ``/accounts/lists``, ``/emailGroups``,
``/customObjects``, each also by id).

Items carry what Oracle's op pages list and the catalog knows: ``name``, ``statement`` (what
sync actions and filters name them by), ``uri``; lists also ``count``, their members now;
custom objects also ``fields``, their ``/fields`` items.
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-contacts-lists-get.html
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-emailgroups-get.html
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-customobjects-get.html
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from target_eloqua.emulator.model.catalog import Catalog, Named
from target_eloqua.emulator.model.records import RecordStore

LookupKind = Literal["contactLists", "accountLists", "emailGroups", "customObjects"]

_LISTS = {
    "contactLists": ("ContactList", "/contacts/lists"),
    "accountLists": ("AccountList", "/accounts/lists"),
    "emailGroups": ("EmailGroup", "/emailGroups"),
}


def lookup_items(kind: LookupKind, catalog: Catalog, members: RecordStore) -> list[dict[str, Any]]:
    """Every item of one lookup, in the catalog's order; ``members`` are the records a list's
    ``count`` counts (contacts for contact lists, accounts for account lists)."""
    if kind == "customObjects":
        return [
            {
                "name": custom_object.name,
                "uri": f"/customObjects/{custom_object.id}",
                "fields": [dict(field.item) for field in custom_object.fields.fields],
            }
            for custom_object in catalog.custom_objects
        ]
    markup, path = _LISTS[kind]
    pools = {
        "contactLists": catalog.contact_lists,
        "accountLists": catalog.account_lists,
        "emailGroups": catalog.email_groups,
    }
    counts = _member_counts(members) if kind != "emailGroups" else None
    return [_named(item, markup, path, counts) for item in pools[kind]]


def _named(item: Named, markup: str, path: str, counts: Counter[int] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": item.name}
    if counts is not None:
        body["count"] = counts[item.id]
    body.update(statement=f"{{{{{markup}[{item.id}]}}}}", uri=f"{path}/{item.id}")
    return body


def _member_counts(records: Iterable[Any]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for record in records:
        counts.update(record.lists)
    return counts
