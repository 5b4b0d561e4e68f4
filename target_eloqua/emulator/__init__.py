"""A local, in-memory Eloqua Bulk API 2.0 for tests, demos and CI.

Two subpackages, and the model never imports the HTTP side:

- ``model``, Eloqua with no HTTP in it: ``instance`` (``EloquaInstance``: definitions, staging,
  syncs, records, logins), ``catalog`` (fields, users, priorities, lists; ``default_catalog.json``
  is the packaged one), ``entities`` and ``statements`` (what a field statement writes to),
  ``definitions`` (definition rules), ``checks`` (value rules), ``importer`` (what a sync does with
  its rows: upserts), ``row_imports``, ``activities``, ``opportunity_links`` and
  ``email_addresses`` (imports that are not upserts), ``sync_actions`` (sync-action definitions
  and their syncs), ``memberships`` (what sync actions do: lists, email groups, subscription,
  bounces), ``exports`` (export definitions and what an export sync reads), ``filters`` (export
  filters), ``lookups`` (lists, email groups, custom objects), ``emails`` (contacts' unique email
  addresses), ``records``, ``syncs``, ``logins``, ``coerce`` (JSON values as Eloqua's text) and
  ``errors``.
- ``http``, the HTTP side: ``wire`` (requests, responses, decoding, list envelope), ``routes``
  (dispatch), ``login_routes``, ``bulk_routes``, ``search`` (``q`` and ``orderBy`` on lists),
  ``admin_routes``, ``traffic`` (request journal, faults), ``callbacks`` (POSTs to a sync's
  ``callbackUrl``) and ``server`` (sockets).

Run ``python -m target_eloqua.emulator --help``.

Admin API (no auth; JSON; lists are ``{"items": [...]}``):

- ``GET /_emulator/records/accounts``, ``/_emulator/records/contacts``,
  ``/_emulator/records/customObjects/{id}``: stored records, ``{"id", "fields": {internalName:
  text}}`` plus ``linkedUsers`` and ``lists`` (accounts); ``lists``, ``emailGroups``
  (``{"<groupId>": "subscribed"|"unsubscribed"}``), ``globalSubscription``, ``bounced`` and
  ``accountId`` (contacts); ``mappedEntity`` (``{"type": "Contact"|"Company", "id"}`` or null;
  custom objects).
- ``GET /_emulator/records/events/{id}`` (as custom objects), ``/_emulator/records/activities``
  (plus ``contactId``), ``/_emulator/records/opportunities`` (plus ``contactIds``, the contacts
  linked), ``/_emulator/records/campaignResponses`` and ``/_emulator/records/emailAddresses``
  (plus ``globalSubscription`` and ``bounced``).
- ``GET /_emulator/definitions``: every definition as the API shows it, plus ``stagedRowCount``
  and ``stagedUploads``.
- ``GET /_emulator/syncs``: every sync as the API shows it, plus ``counts`` (``processed``,
  ``created``, ``updated``, ``rejected``, and ``repeated``: rows whose identifier an earlier row
  of the sync had; null until it ends; the logs have the rest).
- ``GET /_emulator/requests``: every non-admin request in order, ``{method, path, query,
  status, bytes}`` (status null for a dropped connection; bytes: the body's size).
- ``POST /_emulator/reset``: forget definitions, staged data, syncs, records, tokens, requests and
  faults (204).
- ``POST /_emulator/faults`` ``{"method": "POST"|"*", "path": "/api/bulk/2.0/syncs*", "count": 1,
  "status": 401|403|404|429|500|502|503 | "action": "drop", "retryAfter": 0, "delaySeconds": 0,
  "when": "before"|"after"}`` (201); ``GET`` lists the rules left, ``DELETE`` clears them. See
  ``http.traffic``.
- ``POST /_emulator/syncs/next`` ``{"count": 1, "status": "error", "seconds": 5}``: the next
  ``count`` syncs end ``error`` (ELQ-00146; their data stays staged) and/or take ``seconds``.
- ``GET /_emulator/tokens``: every token response the token endpoint gave, in order, plus its
  ``grant_type``.
- ``POST /_emulator/tokens/expire`` ``{"accessToken": "..."}`` (or no body: all): expire access
  tokens now; answers ``{"expired": n}``.
- ``PATCH /_emulator/records/{entity}/{id}`` ``{"fields": {internalName: text}}``: change a
  stored account's, contact's or custom object record's fields; answers the record.
- ``PUT /_emulator/catalog``: replace the catalog (the catalog file's JSON) (204); ``GET`` reads
  it back; ``PATCH`` merges a partial catalog in (``Catalog.extended``) and answers the whole.
"""

from target_eloqua.emulator.http.server import EmulatorServer
from target_eloqua.emulator.model.catalog import Catalog, CatalogError, Field, User, load_catalog
from target_eloqua.emulator.model.definitions import ImportDefinition
from target_eloqua.emulator.model.errors import (
    ConflictError,
    Failure,
    NotFoundError,
    ValidationError,
)
from target_eloqua.emulator.model.instance import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    EloquaInstance,
    SyncPlan,
)
from target_eloqua.emulator.model.syncs import Sync, SyncCounts

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_PASSWORD",
    "Catalog",
    "CatalogError",
    "ConflictError",
    "EloquaInstance",
    "EmulatorServer",
    "Failure",
    "Field",
    "ImportDefinition",
    "NotFoundError",
    "Sync",
    "SyncCounts",
    "SyncPlan",
    "User",
    "ValidationError",
    "load_catalog",
]
