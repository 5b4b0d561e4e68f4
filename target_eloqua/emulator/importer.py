"""What a sync does with the rows staged on an import definition.

``run_import`` takes the definition, its uploads and the record stores, checks each row, upserts
the good ones and returns the sync's outcome: status, counts, log entries and rejects. Rows are
numbered from 1 across every upload of the sync (``recordIndex``).

Rules, where Eloqua documents them and where the emulator picks (reference section 13):

- A key absent from a row leaves the stored value unchanged; a blank value ("" or JSON null) is a
  blank under the update rules, so ``always`` clears the stored value.
- A row is rejected, whole, when a value does not fit its field (``checks``), when its identifier
  is blank (except ``Id``/``ExternalId`` identifiers, where blank means a new record), or when a
  not-null field the definition maps would end up blank.
- Contacts' email addresses stay unique (``emails``): a later row of the sync with the same email
  is rejected as ELQ-00011, one that would give a contact another contact's email as ELQ-00048,
  and ``createOnly`` also skips rows whose email a stored contact has.
- Keys not in the definition are ignored and logged as ELQ-00111; definition keys missing from a
  CSV header are logged as ELQ-00121, and a CSV file with no header (ELQ-00126) or none of the
  definition's keys (ELQ-00127) is logged once per file. Any of these, or any reject, ends the
  sync ``warning``.
- A sync with no rows logs ELQ-00124 and ends ``success``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from target_eloqua.emulator.catalog import Catalog, User
from target_eloqua.emulator.checks import (
    BLANK_IDENTIFIER,
    BLANK_REQUIRED,
    DUPLICATE_EMAIL,
    EMAIL_TAKEN,
    Check,
    Problem,
    check_for,
    check_record_id,
    text_length,
    too_long,
)
from target_eloqua.emulator.definitions import ImportDefinition, SyncAction
from target_eloqua.emulator.emails import EMAIL_FIELD, ContactEmails
from target_eloqua.emulator.records import MAPPED_ENTITY_TYPES, RecordStores, StoredRecord
from target_eloqua.emulator.syncs import (
    LogEntry,
    Outcome,
    Reject,
    Severity,
    SyncCounts,
    SyncStatus,
)

Row = Mapping[str, str]

_CREATED = {"accounts": "ELQ-00005", "contacts": "ELQ-00004", "customObjects": "ELQ-00007"}
_UPDATED = {"accounts": "ELQ-00023", "contacts": "ELQ-00022", "customObjects": "ELQ-00012"}
_NOUNS = {"accounts": "Accounts", "contacts": "Contacts", "customObjects": "CustomObject data"}
_REJECT_LOGS = {
    "ELQ-00002": "Invalid email addresses.",
    "ELQ-00011": "Duplicate email addresses.",
    "ELQ-00040": "Invalid field values.",
    "ELQ-00048": "Contact already exists.",
    "ELQ-00061": "Rejected records (missing fields).",
}
_UNMAPPED_LOGS = {
    "ELQ-00126": "There are no fields to process in the file.",
    "ELQ-00127": "There are no mapped fields in the file.",
}
_ACTION_LOGS = {
    ("ContactList", "add"): ("ELQ-00119", "Added members to Contact List {id}."),
    ("ContactList", "remove"): ("ELQ-00118", "Removed members from Contact List {id}."),
    ("AccountList", "add"): ("ELQ-00114", "Added members to Account List {id}."),
    ("AccountList", "remove"): ("ELQ-00117", "Removed members from Account List {id}."),
    ("EmailGroup", "subscribed"): ("ELQ-00115", "Subscribed members to Email Group {id}."),
    ("EmailGroup", "unsubscribed"): ("ELQ-00116", "Unsubscribed members from Email Group {id}."),
    ("GlobalSubscribe", "subscribed"): ("ELQ-00138", "Contacts email marked as subscribed."),
    ("GlobalSubscribe", "unsubscribed"): ("ELQ-00017", "Contacts email marked as unsubscribed."),
}
_SEVERITIES: Mapping[SyncStatus, Severity] = {
    "success": "information",
    "warning": "warning",
    "error": "error",
}


@dataclass(frozen=True)
class Upload:
    """One data POST: its rows as text, and its CSV header (None for JSON)."""

    rows: Sequence[Row]
    header: tuple[str, ...] | None = None

    def keys(self) -> set[str]:
        """Every key the upload carries."""
        if self.header is not None:
            return set(self.header)
        keys: set[str] = set()
        for row in self.rows:
            keys.update(row)
        return keys


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    linked: int = 0
    repeated: int = 0
    rejects: list[Reject] = field(default_factory=list)
    actions: Counter[SyncAction] = field(default_factory=Counter)


def run_import(
    definition: ImportDefinition,
    uploads: Sequence[Upload],
    stores: RecordStores,
    catalog: Catalog,
    sync_id: int,
) -> Outcome:
    """Process every row of ``uploads`` into ``stores`` and say how the sync ended."""
    importer = _Importer(definition, stores, catalog)
    index = 0
    for upload in uploads:
        for row in upload.rows:
            index += 1
            importer.count_repeat(row)
            importer.process(index, row)
    file_logs = _file_logs(definition, uploads)
    return importer.outcome(index, file_logs, sync_id)


def failed(code: str, message: str, sync_id: int) -> Outcome:
    """The outcome of a sync that ends ``error`` without processing anything."""
    logs = (LogEntry(code, message, 0, "error"), _summary(sync_id, "error"))
    return Outcome("error", SyncCounts(), logs)


class _Importer:
    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        self.definition = definition
        self.entity = definition.entity
        self.stores = stores
        self.store = stores.of(self.entity)
        self.keys = tuple(definition.targets)
        self.identifier_key = definition.identifier_field_name
        self.identifier = definition.targets[self.identifier_key]
        self.tally = _Tally()
        self.lengths, self.checks = self._checks()
        self.writes = self._writes()
        self.required = [
            (key, target.name)
            for key, target in definition.targets.items()
            if target.kind == "field" and target.field is not None and target.field.not_null
        ]
        self.relations = [
            (key, target)
            for key, target in definition.targets.items()
            if target.kind in ("user", "account")
        ]
        self.users = _user_index(catalog.users) if definition.properties.get("linkUsers") else {}
        properties = definition.properties
        self.import_rule = str(properties.get("importRule", "createAndUpdate"))
        self.update_all = bool(properties.get("isUpdatingMultipleMatchedRecords"))
        self.emails = ContactEmails.of(definition, self.store)
        self.identifiers_seen: set[str] = set()

    def count_repeat(self, row: Row) -> None:
        """Count the row if an earlier row of the sync had its (non-blank) identifier."""
        identifier = row.get(self.identifier_key, "").strip().casefold()
        if identifier in self.identifiers_seen:
            self.tally.repeated += 1
        elif identifier:
            self.identifiers_seen.add(identifier)

    def _checks(self) -> tuple[list[tuple[str, int, Problem]], list[tuple[str, Check]]]:
        """Text length limits, checked inline for speed, and the checks of other values."""
        lengths: list[tuple[str, int, Problem]] = []
        checks: list[tuple[str, Check]] = []
        for key, target in self.definition.targets.items():
            length = text_length(target.field) if target.field is not None else None
            if target.kind == "id":
                checks.append((key, check_record_id))
            elif target.kind not in ("field", "account") or target.field is None:
                continue
            elif length is not None:
                lengths.append((key, length, too_long(length)))
            else:
                checks.append((key, check_for(target.field)))
        return lengths, checks

    def _writes(self) -> list[tuple[str, str, str]]:
        """(key, internal name, update rule) for each key whose value is stored on the record."""
        rule = str(self.definition.properties.get("updateRule", "always"))
        by_field = self.definition.properties.get("updateRuleByField") or {}
        return [
            (key, target.name, str(by_field.get(key, rule)))
            for key, target in self.definition.targets.items()
            if target.kind in ("field", "externalId")
        ]

    def process(self, index: int, row: Row) -> None:
        problems = self._problems(row) or self._repeated_email(row)
        if problems:
            self._reject(index, row, problems)
            return
        matches = self._matches(row.get(self.identifier_key, ""))
        if self._skips(row, matches):
            self.tally.skipped += 1
            return
        targets = matches if self.update_all else matches[:1]
        changes: list[tuple[StoredRecord | None, dict[str, str]]] = [
            (record, self._changes(row, record)) for record in targets
        ] or [(None, self._changes(row, None))]
        problems = self._unfit(changes)
        if problems:
            self._reject(index, row, problems)
            return
        for record, values in changes:
            self._store(row, record, values)

    def _problems(self, row: Row) -> dict[str, Problem]:
        problems = {}
        for key, length, too_long_problem in self.lengths:
            if len(row.get(key, "")) > length:
                problems[key] = too_long_problem
        for key, check in self.checks:
            value = row.get(key)
            if value:
                problem = check(value)
                if problem is not None:
                    problems[key] = problem
        identifier = row.get(self.identifier_key, "")
        if not identifier.strip() and self.identifier.kind not in ("id", "externalId"):
            problems.setdefault(self.identifier_key, BLANK_IDENTIFIER)
        return problems

    def _repeated_email(self, row: Row) -> dict[str, Problem]:
        if self.emails is None or not self.emails.repeated(row):
            return {}
        return {self.emails.key: DUPLICATE_EMAIL}

    def _skips(self, row: Row, matches: Sequence[StoredRecord]) -> bool:
        """Whether the import rule leaves the row out (contacts' createOnly also on email)."""
        if self.import_rule == "updateOnly":
            return not matches
        if self.import_rule == "createOnly":
            return bool(matches) or (self.emails is not None and self.emails.stored(row))
        return False

    def _unfit(
        self, changes: Sequence[tuple[StoredRecord | None, Mapping[str, str]]]
    ) -> dict[str, Problem]:
        """Why the row's changes may not be stored: blank required fields, or a taken email."""
        blank = self._blank_required(changes) if self.required else []
        if blank:
            return dict.fromkeys(blank, BLANK_REQUIRED)
        if self.emails is not None and any(self.emails.taken(r, v) for r, v in changes):
            return {self.emails.key: EMAIL_TAKEN}
        return {}

    def _matches(self, identifier: str) -> list[StoredRecord]:
        if not identifier.strip():
            return []
        return self.store.matching(self.identifier.name, identifier)

    def _changes(self, row: Row, record: StoredRecord | None) -> dict[str, str]:
        """The field values the row writes to ``record`` (None: a new record)."""
        changes = {}
        for key, name, rule in self.writes:
            if key not in row:
                continue
            new = row[key]
            if record is not None:
                if rule == "ifNewIsNotNull" and not new.strip():
                    continue
                if rule == "ifExistingIsNull" and record.fields.get(name, "").strip():
                    continue
                if name == EMAIL_FIELD and self.update_all and self.entity.kind == "contacts":
                    continue  # Eloqua changes emails only when updating one record per row
            changes[name] = new
        return changes

    def _blank_required(
        self, changes: Iterable[tuple[StoredRecord | None, Mapping[str, str]]]
    ) -> list[str]:
        blank = []
        for record, values in changes:
            existing = record.fields if record is not None else {}
            blank += [
                key
                for key, name in self.required
                if not values.get(name, existing.get(name, "")).strip()
            ]
        return sorted(set(blank), key=self.keys.index)

    def _store(self, row: Row, record: StoredRecord | None, values: dict[str, str]) -> None:
        if record is None:
            record = self.store.create()
            self.tally.created += 1
        else:
            self.tally.updated += 1
        self.store.write(record, values)
        self._relate(row, record)
        for action in self.definition.accepted.sync_actions:
            _apply(action, record)
            self.tally.actions[action] += 1

    def _relate(self, row: Row, record: StoredRecord) -> None:
        """Link users, the contact's account, or the custom object record's data card entity."""
        for key, target in self.relations:
            value = row.get(key, "").strip()
            if not value:
                continue
            if target.kind == "user" and self.users:
                _link_users(record, self.users.get(target.name, {}), value)
            elif target.kind == "account":
                accounts = self.stores.accounts.matching(target.name, value)
                if accounts:
                    record.account_id = accounts[0].id
        cards = self.definition.accepted.data_cards
        if cards is not None:
            value = row.get(cards.source_key, "")
            store = self.stores.of(cards.entity)
            found = store.matching(cards.entity_target.name, value, cards.case_sensitive)
            if value.strip() and found:
                record.mapped_entity = (MAPPED_ENTITY_TYPES[cards.entity.kind], found[0].id)
                self.tally.linked += 1

    def _reject(self, index: int, row: Row, problems: Mapping[str, Problem]) -> None:
        values = {key: row.get(key, "") for key in self.keys}
        invalid = sorted(problems, key=self.keys.index)
        first = problems[invalid[0]]
        reject = Reject(index, values, invalid, first.code, first.message)
        self.tally.rejects.append(reject)

    def outcome(self, processed: int, file_logs: list[LogEntry], sync_id: int) -> Outcome:
        tally, kind = self.tally, self.entity.kind
        counts = SyncCounts(
            processed=processed,
            created=tally.created,
            updated=tally.updated,
            rejected=len(tally.rejects),
            repeated=tally.repeated,
        )
        logs = [LogEntry("ELQ-00001", "Total records processed.", processed), *file_logs]
        if processed == 0:
            logs.append(LogEntry("ELQ-00124", "There was no data available to process."))
        logs += _reject_logs(tally.rejects)
        if tally.skipped:
            logs.append(LogEntry("ELQ-00034", "Total unmatched records.", tally.skipped))
        logs.append(LogEntry(_CREATED[kind], f"{_NOUNS[kind]} created.", tally.created))
        logs.append(LogEntry(_UPDATED[kind], f"{_NOUNS[kind]} updated.", tally.updated))
        if self.definition.accepted.data_cards is not None:
            logs.append(LogEntry("ELQ-00025", "CustomObject data linked.", tally.linked))
        logs += [_action_log(action, count) for action, count in tally.actions.items()]
        status: SyncStatus = "warning" if tally.rejects or file_logs else "success"
        logs.append(_summary(sync_id, status))
        return Outcome(status, counts, tuple(logs), tuple(tally.rejects))


def _file_logs(definition: ImportDefinition, uploads: Sequence[Upload]) -> list[LogEntry]:
    """ELQ-00111 for each key no definition field has; for CSV files, ELQ-00121 for each
    definition key a header lacks, or ELQ-00126 (empty header) / ELQ-00127 (no key of the
    definition) per file instead."""
    known = set(definition.targets)
    extra: set[str] = set()
    missing: set[str] = set()
    unmapped: Counter[str] = Counter()
    for upload in uploads:
        keys = upload.keys()
        extra |= keys - known
        if upload.header is None:
            continue
        if keys & known:
            missing |= known - keys
        else:
            unmapped["ELQ-00127" if keys else "ELQ-00126"] += 1
    message = "Field {key} is not part of import definition, and will be ignored."
    logs = [LogEntry("ELQ-00111", message.format(key=k), 1, "warning") for k in sorted(extra)]
    message = "Field {key} is part of import definition, but not included in file."
    logs += [LogEntry("ELQ-00121", message.format(key=k), 1, "warning") for k in sorted(missing)]
    logs += [
        LogEntry(code, _UNMAPPED_LOGS[code], count, "warning")
        for code, count in sorted(unmapped.items())
    ]
    return logs


def _reject_logs(rejects: Sequence[Reject]) -> list[LogEntry]:
    if not rejects:
        return []
    by_code = Counter(reject.status_code for reject in rejects)
    logs = [
        LogEntry(code, _REJECT_LOGS.get(code, "Rejected records."), count, "warning")
        for code, count in sorted(by_code.items())
    ]
    logs.append(LogEntry("ELQ-00060", "Total rejected records.", len(rejects), "warning"))
    return logs


def _action_log(action: SyncAction, count: int) -> LogEntry:
    code, message = _ACTION_LOGS[(action.kind, action.status or action.action)]
    return LogEntry(code, message.format(id=action.target_id), count)


def _summary(sync_id: int, status: SyncStatus) -> LogEntry:
    message = f"Sync processed for sync {sync_id}, resulting in {status} status."
    return LogEntry("ELQ-00101", message, 0, _SEVERITIES[status])


def _apply(action: SyncAction, record: StoredRecord) -> None:
    if action.kind in ("ContactList", "AccountList") and action.target_id is not None:
        if action.action == "add" and action.target_id not in record.lists:
            record.lists.append(action.target_id)
        elif action.action == "remove" and action.target_id in record.lists:
            record.lists.remove(action.target_id)
    elif action.kind == "EmailGroup":
        record.email_groups[str(action.target_id)] = str(action.status)
    else:
        record.global_subscription = action.status


def _user_index(users: Iterable[User]) -> dict[str, dict[str, list[User]]]:
    """User field name -> value -> users with that value."""
    index: dict[str, dict[str, list[User]]] = {}
    for user in users:
        for name, value in user.fields.items():
            if value:
                index.setdefault(name, {}).setdefault(value, []).append(user)
    return index


def _link_users(record: StoredRecord, by_value: Mapping[str, list[User]], value: str) -> None:
    """Link the users named by a comma-separated list of user field values."""
    for part in value.split(","):
        for user in by_value.get(part.strip(), []):
            if user not in record.linked_users:
                record.linked_users.append(user)
