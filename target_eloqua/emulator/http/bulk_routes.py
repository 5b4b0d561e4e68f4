"""The Bulk API 2.0 below ``/api/bulk/2.0``: fields, priorities, import, sync-action and export
definitions, staged data, syncs and the data of export syncs, and the lookups (lists, email
groups, custom objects). Every route here is behind authentication (``routes`` checks it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from target_eloqua.emulator.http.search import search
from target_eloqua.emulator.http.traffic import Backend
from target_eloqua.emulator.http.wire import (
    Request,
    Response,
    envelope,
    json_object,
    page,
    paging,
    route,
    upload,
)
from target_eloqua.emulator.model.definitions import DefinitionKind
from target_eloqua.emulator.model.entities import Entity
from target_eloqua.emulator.model.errors import NotFoundError
from target_eloqua.emulator.model.lookups import LookupKind

MAX_UPLOAD_BYTES = 32_000_000
"""Eloqua refuses data uploads over 32 MB with 404; the emulator reads MB as 10^6 bytes, the
stricter reading."""

MAX_DATA_LIMIT = 50_000
"""The most rows one page of an export sync's data holds (Oracle's op page of
``GET /syncs/{id}/data``:
https://docs.oracle.com/en/cloud/saas/marketing/eloqua-rest-api/op-api-bulk-2.0-syncs-id-data-get.html)."""

_ENTITY = (
    r"/(accounts|contacts|customObjects/\d+|events/\d+|activities|opportunities/contacts"
    r"|opportunities|campaignResponses|emailAddresses)"
)
_IMPORTS = _ENTITY + r"/(imports)"
_SYNC_ACTIONS = r"/(accounts|contacts|customObjects/\d+)/(syncActions)"
"""Sync-action definitions, of the entities that have them (email addresses have imports that
take only sync actions)."""
_EXPORTED = r"/(accounts|contacts|activities|customObjects/\d+|events/\d+|campaignResponses)"
_LOOKUPS: dict[str, LookupKind] = {
    "contacts/lists": "contactLists",
    "accounts/lists": "accountLists",
    "emailgroups": "emailGroups",
    "customobjects": "customObjects",
}
_LOOKUP = r"/(contacts/lists|accounts/lists|emailGroups|customObjects)"


def _entity(request: Request) -> Entity:
    entity = Entity.parse(request.params[0])
    if entity is None:  # the route patterns only let entity paths through
        raise NotFoundError(request.params[0])
    return entity


def _id(request: Request, position: int = 2) -> int:
    return int(request.params[position])


def _kind(request: Request) -> DefinitionKind:
    """``imports`` or ``syncActions``, as the route's path has it (in any letter case)."""
    return "syncActions" if request.params[1].lower() == "syncactions" else "imports"


def _listed(items: Sequence[Any], request: Request) -> Response:
    """200 with one page of the ``items`` the query's ``q`` picks, in its ``orderBy`` order, in
    Eloqua's list envelope.
    """
    return Response(200, page(search(items, request.query), request.query))


def list_fields(backend: Backend, request: Request) -> Response:
    fields = backend.instance.fields(_entity(request))
    return _listed([f.item for f in fields], request)


def get_field(backend: Backend, request: Request) -> Response:
    return Response(200, dict(backend.instance.field(_entity(request), _id(request, 1)).item))


def list_priorities(backend: Backend, request: Request) -> Response:
    items = [p.to_json() for p in backend.instance.priorities()]
    return _listed(items, request)


def get_priority(backend: Backend, request: Request) -> Response:
    return Response(200, backend.instance.priority(_id(request, 0)).to_json())


def list_all_imports(backend: Backend, request: Request) -> Response:
    items = [d.to_json() for d in backend.instance.import_definitions(kind="imports")]
    return _listed(items, request)


def list_all_sync_actions(backend: Backend, request: Request) -> Response:
    items = [d.to_json() for d in backend.instance.import_definitions(kind="syncActions")]
    return _listed(items, request)


def list_imports(backend: Backend, request: Request) -> Response:
    definitions = backend.instance.import_definitions(_entity(request), _kind(request))
    return _listed([d.to_json() for d in definitions], request)


def create_import(backend: Backend, request: Request) -> Response:
    entity = _entity(request)
    backend.instance.require(entity)  # an unknown custom object is a 404 before any decoding
    definition = backend.instance.create_import(entity, json_object(request), _kind(request))
    return Response(201, definition.to_json())


def get_import(backend: Backend, request: Request) -> Response:
    definition = backend.instance.import_definition(_entity(request), _id(request), _kind(request))
    return Response(200, definition.to_json())


def update_import(backend: Backend, request: Request) -> Response:
    entity, definition_id = _entity(request), _id(request)
    backend.instance.import_definition(entity, definition_id)
    definition = backend.instance.update_import(entity, definition_id, json_object(request))
    return Response(200, definition.to_json())


def delete_import(backend: Backend, request: Request) -> Response:
    backend.instance.delete_import(_entity(request), _id(request), _kind(request))
    return Response(204)


def stage_data(backend: Backend, request: Request) -> Response:
    """Stage rows; 404 for bodies over 32 MB, as Eloqua; 201 and a sync if it syncs on import."""
    entity, definition_id, kind = _entity(request), _id(request), _kind(request)
    backend.instance.import_definition(entity, definition_id, kind)
    if len(request.body) > MAX_UPLOAD_BYTES:
        return Response(404)
    sync = backend.instance.stage(entity, definition_id, upload(request), kind)
    return Response(204) if sync is None else Response(201, sync.to_json())


def clear_data(backend: Backend, request: Request) -> Response:
    backend.instance.clear_staged(_entity(request), _id(request), _kind(request))
    return Response(204)


def create_sync(backend: Backend, request: Request) -> Response:
    return Response(201, backend.instance.create_sync(json_object(request)).to_json())


def list_syncs(backend: Backend, request: Request) -> Response:
    items = [s.to_json() for s in backend.instance.syncs()]
    return _listed(items, request)


def get_sync(backend: Backend, request: Request) -> Response:
    return Response(200, backend.instance.sync(_id(request, 0)).to_json())


def sync_logs(backend: Backend, request: Request) -> Response:
    return _listed(backend.instance.sync_logs(_id(request, 0)), request)


def sync_rejects(backend: Backend, request: Request) -> Response:
    rejects = backend.instance.sync_rejects(_id(request, 0))
    return _listed([r.to_json() for r in rejects], request)


def create_export(backend: Backend, request: Request) -> Response:
    entity = _entity(request)
    if entity.kind != "activities":
        backend.instance.fields(entity)  # an unknown custom object is a 404 before any decoding
    definition = backend.instance.create_export(entity, json_object(request))
    return Response(201, definition.to_json())


def list_exports(backend: Backend, request: Request) -> Response:
    items = [d.to_json() for d in backend.instance.export_definitions(_entity(request))]
    return _listed(items, request)


def get_export(backend: Backend, request: Request) -> Response:
    definition = backend.instance.export_definition(_entity(request), _id(request, 1))
    return Response(200, definition.to_json())


def delete_export(backend: Backend, request: Request) -> Response:
    backend.instance.delete_export(_entity(request), _id(request, 1))
    return Response(204)


def sync_data(backend: Backend, request: Request) -> Response:
    """One page of an export sync's rows; ``limit`` goes up to 50,000 here."""
    exported = backend.instance.sync_data(_id(request, 0))
    limit, offset = paging(request.query, MAX_DATA_LIMIT)
    chosen = exported.items(offset, limit)
    return Response(200, envelope(chosen, len(exported.rows), limit, offset, request.query))


def list_lookups(backend: Backend, request: Request) -> Response:
    return _listed(backend.instance.lookups(_LOOKUPS[request.params[0].lower()]), request)


def get_lookup(backend: Backend, request: Request) -> Response:
    kind = _LOOKUPS[request.params[0].lower()]
    return Response(200, backend.instance.lookup(kind, _id(request, 1)))


ROUTES = (
    route("GET", _ENTITY + r"/fields", list_fields),
    route("GET", _ENTITY + r"/fields/(\d+)", get_field),
    route("GET", r"/imports/priorities", list_priorities),
    route("GET", r"/imports/priorities/(\d+)", get_priority),
    route("GET", r"/imports", list_all_imports),
    route("GET", r"/syncActions", list_all_sync_actions),
    *(
        route(method, definitions + path, handler)
        for definitions in (_IMPORTS, _SYNC_ACTIONS)
        for method, path, handler in (
            ("GET", "", list_imports),
            ("POST", "", create_import),
            ("GET", r"/(\d+)", get_import),
            ("DELETE", r"/(\d+)", delete_import),
            ("POST", r"/(\d+)/data", stage_data),
            ("DELETE", r"/(\d+)/data", clear_data),
        )
    ),
    route("PUT", _IMPORTS + r"/(\d+)", update_import),
    route("POST", r"/syncs", create_sync),
    route("GET", r"/syncs", list_syncs),
    route("GET", r"/syncs/(\d+)", get_sync),
    route("GET", r"/syncs/(\d+)/logs", sync_logs),
    route("GET", r"/syncs/(\d+)/rejects", sync_rejects),
    route("GET", r"/syncs/(\d+)/data", sync_data),
    route("POST", _EXPORTED + r"/exports", create_export),
    route("GET", _EXPORTED + r"/exports", list_exports),
    route("GET", _EXPORTED + r"/exports/(\d+)", get_export),
    route("DELETE", _EXPORTED + r"/exports/(\d+)", delete_export),
    route("GET", _LOOKUP, list_lookups),
    route("GET", _LOOKUP + r"/(\d+)", get_lookup),
)
