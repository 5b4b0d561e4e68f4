"""A local, in-memory Eloqua Bulk API 2.0 for tests, demos and CI.

``model`` is Eloqua itself (catalog, import definitions, staged rows, syncs, stored accounts),
with no HTTP in it; ``routes`` gives each URL its meaning; ``server`` serves it over HTTP;
``catalog`` loads the field catalog and users. Run ``python -m target_eloqua.emulator --help``.
"""

from target_eloqua.emulator.catalog import Catalog, CatalogError, Field, User, load_catalog
from target_eloqua.emulator.model import (
    Account,
    EloquaInstance,
    Failure,
    ImportDefinition,
    NotFoundError,
    Sync,
    SyncCounts,
    ValidationError,
)
from target_eloqua.emulator.server import EmulatorServer

__all__ = [
    "Account",
    "Catalog",
    "CatalogError",
    "EloquaInstance",
    "EmulatorServer",
    "Failure",
    "Field",
    "ImportDefinition",
    "NotFoundError",
    "Sync",
    "SyncCounts",
    "User",
    "ValidationError",
    "load_catalog",
]
