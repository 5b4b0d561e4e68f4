"""What the imports that are not upserts share (activities, links of opportunities to contacts):
each row checked, then stored or rejected, and the sync's outcome from what they did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from target_eloqua.emulator.model.catalog import Catalog
from target_eloqua.emulator.model.checks import BLANK_IDENTIFIER, BLANK_REQUIRED, Problem
from target_eloqua.emulator.model.definitions import ImportDefinition
from target_eloqua.emulator.model.importer import (
    Row,
    RowChecks,
    Upload,
    reject_of,
    run_rows,
    sync_outcome,
)
from target_eloqua.emulator.model.records import RecordStores
from target_eloqua.emulator.model.syncs import LogEntry, Outcome, Reject, SyncCounts


class RowImport:
    """One sync of such an import: ``process`` takes each row (a subclass's), ``outcome`` says
    how the sync ended."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        self.definition = definition
        self.keys = tuple(definition.targets)
        self.checks = RowChecks(definition, catalog)
        self.stores = stores
        self.store = stores.of(definition.entity)
        """The records of the definition's entity."""
        self.rejects: list[Reject] = []
        self.stored = 0
        """Rows taken: activities created, links made, addresses stored, records acted on."""

    @classmethod
    def run(
        cls,
        definition: ImportDefinition,
        uploads: Sequence[Upload],
        stores: RecordStores,
        catalog: Catalog,
        sync_id: int,
    ) -> Outcome:
        """Process every row of ``uploads`` and say how the sync ended."""
        return run_rows(cls(definition, stores, catalog), definition, uploads, sync_id)

    def process(self, index: int, row: Row) -> None:
        raise NotImplementedError

    def problems(self, row: Row, required: Sequence[str]) -> dict[str, Problem]:
        """What is wrong with the row's values, and which of the ``required`` keys are blank."""
        problems = self.checks.problems(row, "")
        blank = [key for key in required if not row.get(key, "").strip()]
        return problems | dict.fromkeys(blank, BLANK_REQUIRED)

    def identified(self, index: int, row: Row, key: str) -> str | None:
        """The row's value of ``key``, the one it is matched on; None, and the row rejected,
        when a value does not fit or that one is blank (ELQ-00061)."""
        value = row.get(key, "")
        problems = self.checks.problems(row, value)
        if not value.strip():
            problems.setdefault(key, BLANK_IDENTIFIER)
        if problems:
            self.reject(index, row, problems)
            return None
        return value

    def reject(self, index: int, row: Row, problems: Mapping[str, Problem]) -> None:
        """Reject the row for its problems, the first key's problem first."""
        self.rejects.append(reject_of(index, row, self.keys, problems))

    def notes(self) -> list[LogEntry]:
        """Log entries about the definition, before the rejects'."""
        return []

    def counters(self) -> list[LogEntry]:
        """Log entries counting what the sync stored, after the rejects'."""
        return []

    def counts(self, processed: int) -> SyncCounts:
        """The emulator's own counts of the sync (its admin API shows them)."""
        return SyncCounts(processed, self.stored, 0, len(self.rejects))

    def outcome(self, processed: int, file_logs: list[LogEntry], sync_id: int) -> Outcome:
        return sync_outcome(
            processed,
            file_logs,
            notes=self.notes(),
            rejects=self.rejects,
            counters=self.counters(),
            counts=self.counts(processed),
            sync_id=sync_id,
        )
