"""What a sync does with the rows staged on an import definition: ``run_import`` and its rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from target_eloqua.emulator.model.catalog import Catalog, User
from target_eloqua.emulator.model.checks import (
    BLANK_IDENTIFIER,
    BLANK_REQUIRED,
    DUPLICATE_EMAIL,
    EMAIL_TAKEN,
    Check,
    Problem,
    check_for,
    check_record_id,
    opportunity_stage,
    text_length,
    too_long,
)
from target_eloqua.emulator.model.definitions import DataCardMapping, ImportDefinition, SyncAction
from target_eloqua.emulator.model.emails import EMAIL_FIELD, ContactEmails
from target_eloqua.emulator.model.entities import EMAIL_ADDRESSES
from target_eloqua.emulator.model.memberships import (
    action_log,
    apply_action,
    email_address_of,
    inherit_email_status,
)
from target_eloqua.emulator.model.records import MAPPED_ENTITY_TYPES, RecordStores, StoredRecord
from target_eloqua.emulator.model.syncs import (
    LogEntry,
    Outcome,
    Reject,
    SyncCounts,
    SyncStatus,
    summary_log,
)

Row = Mapping[str, str]
OPPORTUNITY_STAGE = "{{Opportunity.Field(Stage)}}"

_COUNT_LOGS: Mapping[str, tuple[tuple[str, str] | None, tuple[str, str] | None]] = {
    "accounts": (("ELQ-00005", "Accounts created."), ("ELQ-00023", "Accounts updated.")),
    "contacts": (("ELQ-00004", "Contacts created."), ("ELQ-00022", "Contacts updated.")),
    "customObjects": (
        ("ELQ-00007", "CustomObject data created."),
        ("ELQ-00012", "CustomObject data updated."),
    ),
    "events": (("ELQ-00077", "Event data created."), ("ELQ-00079", "Event data updated.")),
    "opportunities": (("ELQ-00049", "Total new records."), None),
    "campaignResponses": (None, None),
}
"""The counters a sync of each entity logs: records created, records updated. Oracle lists none
for opportunities but ELQ-00049 "Total new records.", and none for campaign responses."""
_LINKED_LOGS = {
    "customObjects": ("ELQ-00025", "CustomObject data linked."),
    "events": ("ELQ-00078", "Event data linked."),
}
_REJECT_LOGS = {
    "ELQ-00002": "Invalid email addresses.",
    "ELQ-00011": "Duplicate email addresses.",
    "ELQ-00039": "Invalid opportunity stage.",
    "ELQ-00040": "Invalid field values.",
    "ELQ-00048": "Contact already exists.",
    "ELQ-00055": "Campaign not found.",
    "ELQ-00061": "Rejected records (missing fields).",
    "ELQ-00070": "Activity Type not found.",
    "ELQ-00072": "Asset Type not found.",
    "ELQ-00084": "Opportunity does not exist.",
    "ELQ-00085": "Contact does not exist.",
}
_UNMAPPED_LOGS = {
    "ELQ-00126": "There are no fields to process in the file.",
    "ELQ-00127": "There are no mapped fields in the file.",
}


@dataclass(frozen=True)
class Upload:
    """One data POST: its rows as text, and its CSV header (None for JSON).

    ``wire`` gives the rows in a tuple: a tuple of dicts of strings is nothing Python's garbage
    collector walks, where a list of them would be walked on every full pass while it is staged.
    """

    rows: Sequence[Row]
    header: tuple[str, ...] | None = None

    def keys(self) -> set[str]:
        """Every key the upload carries."""
        if self.header is not None:
            return set(self.header)
        return set().union(*self.rows)


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
    """Process every row of ``uploads`` into ``stores`` and say how the sync ended.

    Each row is checked, and the good ones upserted; the outcome is the sync's status, counts, log
    entries and rejects. Rows are numbered from 1 across every upload of the sync (``recordIndex``)
    [choice: Oracle does not say whether the numbering restarts with each upload].

    Rules, as Oracle documents them (status codes and update rules, linked below) and, where it is
    silent, as the emulator picks:

    - A key absent from a row leaves the stored value unchanged; a blank value ("" or JSON null) is
      a blank under the update rules, so ``always`` clears the stored value [choice: Oracle does
      not say what a missing key or a blank does].
    - A row is rejected, whole, when a value does not fit its field (``checks``), when its
      identifier is blank (except ``Id``/``ExternalId`` identifiers, where blank means a new
      record), or when a not-null field the definition maps would end up blank.
    - Contacts' email addresses stay unique (``emails``): a later row of the sync with the same
      email is rejected as ELQ-00011, one that would give a contact another contact's email as
      ELQ-00048, and ``createOnly`` also skips rows whose email a stored contact has.
    - Keys not in the definition are ignored and logged as ELQ-00111; definition keys missing from a
      CSV header are logged as ELQ-00121, and a CSV file with no header (ELQ-00126) or none of the
      definition's keys (ELQ-00127) is logged once per file. Any of these, or any reject, ends the
      sync ``warning``.
    - A sync with no rows logs ELQ-00124 and ends ``success`` [choice: Oracle gives the code,
      not the status].
    - Event records go as custom object records do, counted in ELQ-00077 (created), ELQ-00079
      (updated), ELQ-00078 (linked) and ELQ-00081 (rejected). An opportunity's stage must be one
      of the catalog's (ELQ-00039); Oracle lists no code counting opportunities but ELQ-00049
      "Total new records.". Campaign responses are never created: a row that matches none is
      skipped, counted in ELQ-00034 [choice: Oracle documents no code for it].

    Oracle's status codes: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/GettingStarted/APIRequests/eloqua-status-codes.htm
    Its update rules: https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Reference/ImportParameters/update-rule-types.htm
    """
    return run_rows(_Importer(definition, stores, catalog), definition, uploads, sync_id)


class RowSync(Protocol):
    """One sync of an import definition's rows: ``process`` takes each row with its
    ``recordIndex``, ``outcome`` says how the sync ended."""

    def process(self, index: int, row: Row) -> None: ...
    def outcome(self, processed: int, file_logs: list[LogEntry], sync_id: int) -> Outcome: ...


def run_rows(
    sync: RowSync, definition: ImportDefinition, uploads: Sequence[Upload], sync_id: int
) -> Outcome:
    """Hand every row of the uploads to the sync with its ``recordIndex`` (from 1, across the
    uploads), then say how the sync ended."""
    processed = 0
    process = sync.process
    for upload in uploads:
        for row in upload.rows:
            processed += 1
            process(processed, row)
    return sync.outcome(processed, file_logs(definition, uploads), sync_id)


class _Importer:
    """One sync's import: each row is checked, matched on the identifier, and stored, skipped or
    rejected. What the definition asks of a row (``RowChecks``, ``_Writes``, ``_Relations``) is
    worked out once per sync, so that each row does only what applies to it."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        properties = definition.properties
        self.definition = definition
        self.entity = definition.entity
        self.store = stores.of(self.entity)
        self.keys = tuple(definition.targets)
        self.identifier_key = definition.identifier_field_name
        self.identifier_name = definition.targets[self.identifier_key].name
        self.import_rule = str(properties.get("importRule", "createAndUpdate"))
        self.update_all = bool(properties.get("isUpdatingMultipleMatchedRecords"))
        self.checks = RowChecks(definition, catalog)
        self.writes = _Writes(definition, self.update_all)
        self.relations = _Relations(definition, stores, catalog)
        self.required = [
            (key, target.name)
            for key, target in definition.targets.items()
            if target.kind == "field" and target.field is not None and target.field.not_null
        ]
        self.emails = ContactEmails.of(definition, self.store)
        self.tally = _Tally()
        self.identifiers_seen: set[str] = set()
        self.creates = self.entity.kind != "campaignResponses"
        """Campaign responses are Eloqua's own: an import writes to them, and a row that
        matches none is skipped (counted in ELQ-00034) [choice: Oracle documents no code]."""
        self.skipping = self.import_rule != "createAndUpdate" or not self.creates

    def process(self, index: int, row: Row) -> None:
        """Check, match and store one row, or count it rejected or skipped."""
        identifier = row.get(self.identifier_key, "")
        self._count_repeat(identifier)
        problems = self.checks.problems(row, identifier)
        if not problems and self.emails is not None and self.emails.repeated(row):
            problems = {self.emails.key: DUPLICATE_EMAIL}
        if problems:
            self._reject(index, row, problems)
            return
        matches = (
            self.store.matching(self.identifier_name, identifier) if identifier.strip() else []
        )
        if self.skipping and self._skips(row, matches):
            self.tally.skipped += 1
        elif matches:
            self._update(index, row, matches)
        else:
            self._create(index, row)

    def _count_repeat(self, identifier: str) -> None:
        """Count the row if an earlier row of the sync had its (non-blank) identifier, in any
        letter case; rejected rows count too.
        """
        key = identifier.strip().casefold()
        if key in self.identifiers_seen:
            self.tally.repeated += 1
        elif key:
            self.identifiers_seen.add(key)

    def _create(self, index: int, row: Row) -> None:
        """Store the row as a new record."""
        values = self.writes.new(row)
        problems = self._unfit([(None, values)])
        if problems:
            self._reject(index, row, problems)
            return
        record = self.store.create(values)
        self.tally.created += 1
        self.relations.apply(row, record, self.tally)

    def _update(self, index: int, row: Row, matches: list[StoredRecord]) -> None:
        """Write the row to the oldest record it matched, or to each with
        isUpdatingMultipleMatchedRecords."""
        records = matches if self.update_all else matches[:1]
        changes = [(record, self.writes.update(row, record)) for record in records]
        problems = self._unfit(changes)
        if problems:
            self._reject(index, row, problems)
            return
        for record, values in changes:
            self.store.write(record, values)
            self.tally.updated += 1
            self.relations.apply(row, record, self.tally)

    def _skips(self, row: Row, matches: Sequence[StoredRecord]) -> bool:
        """Whether the import rule leaves the row out (contacts' createOnly also on email), or
        it names a campaign response there is not."""
        if self.import_rule == "updateOnly" or not self.creates:
            return not matches
        if self.import_rule == "createOnly":
            return bool(matches) or (self.emails is not None and self.emails.stored(row))
        return False

    def _unfit(
        self, changes: Sequence[tuple[StoredRecord | None, Mapping[str, str]]]
    ) -> dict[str, Problem]:
        """Why the row's changes may not be stored: blank required fields, or a taken email."""
        blank = set()
        for record, values in changes:
            existing = record.fields if record is not None else {}
            for key, name in self.required:
                if not values.get(name, existing.get(name, "")).strip():
                    blank.add(key)
        if blank:
            return dict.fromkeys([key for key in self.keys if key in blank], BLANK_REQUIRED)
        if self.emails is not None and any(self.emails.taken(r, v) for r, v in changes):
            return {self.emails.key: EMAIL_TAKEN}
        return {}

    def _reject(self, index: int, row: Row, problems: Mapping[str, Problem]) -> None:
        self.tally.rejects.append(reject_of(index, row, self.keys, problems))

    def outcome(self, processed: int, file_logs: list[LogEntry], sync_id: int) -> Outcome:
        tally, kind = self.tally, self.entity.kind
        counts = SyncCounts(
            processed=processed,
            created=tally.created,
            updated=tally.updated,
            rejected=len(tally.rejects),
            repeated=tally.repeated,
        )
        counters = []
        if kind == "events" and tally.rejects:
            counters.append(
                LogEntry("ELQ-00081", "Event data rejected.", len(tally.rejects), "warning")
            )
        if tally.skipped:
            counters.append(LogEntry("ELQ-00034", "Total unmatched records.", tally.skipped))
        created, updated = _COUNT_LOGS[kind]
        counters += [LogEntry(*created, tally.created)] if created else []
        counters += [LogEntry(*updated, tally.updated)] if updated else []
        linked = _LINKED_LOGS.get(kind)
        if self.definition.accepted.data_cards is not None and linked is not None:
            counters.append(LogEntry(*linked, tally.linked))
        counters += [action_log(action, count) for action, count in tally.actions.items()]
        return sync_outcome(
            processed,
            file_logs,
            notes=[],
            rejects=tally.rejects,
            counters=counters,
            counts=counts,
            sync_id=sync_id,
        )


class RowChecks:
    """Whether a row's values fit their fields (an opportunity's stage also the catalog's
    stages), and its identifier is there."""

    def __init__(self, definition: ImportDefinition, catalog: Catalog) -> None:
        self.lengths: list[tuple[str, int, Problem]] = []
        """Text fields' length limits, checked inline for speed."""
        self.others: list[tuple[str, Check]] = []
        for key, target in definition.targets.items():
            field = target.field
            if field is None:
                if target.kind in ("id", "contact"):  # a record's id, or a contact's
                    self.others.append((key, check_record_id))
            elif target.kind == "user":
                continue
            elif (length := text_length(field)) is not None:
                self.lengths.append((key, length, too_long(length)))
            else:
                self.others.append((key, check_for(field)))
        if definition.entity.kind == "opportunities":
            stage = opportunity_stage(catalog.opportunity_stages)
            self.others += [
                (key, stage)
                for key, target in definition.targets.items()
                if target.field is not None and target.field.statement == OPPORTUNITY_STAGE
            ]
        self.identifier_key = definition.identifier_key or ""
        identifier = definition.targets.get(self.identifier_key)
        self.blank_identifier_allowed = (
            identifier is None
            or identifier.kind in ("id", "externalId")
            or definition.entity.kind in ("activities", "opportunityContacts")
        )
        """Whether a blank identifier is fine: a new record, or none is needed."""

    def problems(self, row: Row, identifier: str) -> dict[str, Problem]:
        """Key -> what is wrong with its value, for each key whose value does not fit."""
        problems = {}
        value_of = row.get
        for key, length, too_long_problem in self.lengths:
            if len(value_of(key, "")) > length:
                problems[key] = too_long_problem
        for key, check in self.others:
            value = value_of(key)
            if value:
                problem = check(value)
                if problem is not None:
                    problems[key] = problem
        if not identifier.strip() and not self.blank_identifier_allowed:
            problems.setdefault(self.identifier_key, BLANK_IDENTIFIER)
        return problems


class _Writes:
    """The field values a row writes: each value it has to a new record; to a matched record,
    what the update rules let through."""

    def __init__(self, definition: ImportDefinition, update_all: bool) -> None:
        rule = str(definition.properties.get("updateRule", "always"))
        by_field = definition.properties.get("updateRuleByField") or {}
        self.rules = [
            (key, target.name, str(by_field.get(key, rule)))
            for key, target in definition.targets.items()
            if target.kind in ("field", "externalId")
        ]
        """(key, internal name, update rule) for each key whose value is stored."""
        self.names = tuple((key, name) for key, name, _ in self.rules)
        """(key, internal name) for each key whose value is stored."""
        self.keeps_emails = update_all and definition.entity.kind == "contacts"
        """Eloqua changes contacts' emails only when it updates one record per row."""
        keeping_rules = any(r in ("ifNewIsNotNull", "ifExistingIsNull") for _, _, r in self.rules)
        self.updates_all_values = not keeping_rules and not (
            self.keeps_emails and any(name == EMAIL_FIELD for _, name in self.names)
        )

    def new(self, row: Row) -> dict[str, str]:
        """Internal name -> value, for each mapped key the row has."""
        values = {}
        try:  # the usual row, which has every key
            for key, name in self.names:
                values[name] = row[key]
        except KeyError:
            return {name: row[key] for key, name in self.names if key in row}
        return values

    def update(self, row: Row, record: StoredRecord) -> dict[str, str]:
        """Internal name -> value, for each value the row writes to a stored record."""
        if self.updates_all_values:
            return self.new(row)
        changes = {}
        for key, name, rule in self.rules:
            if key not in row:
                continue
            new = row[key]
            if rule == "ifNewIsNotNull" and not new.strip():
                continue
            if rule == "ifExistingIsNull" and record.fields.get(name, "").strip():
                continue
            if name == EMAIL_FIELD and self.keeps_emails:
                continue
            changes[name] = new
        return changes


class _Relations:
    """What a stored row links its record to (users of an account, a contact's account, a custom
    object record's contact or account), the definition's sync actions, and the subscription and
    bounce of a contact's email address that an email address import set."""

    def __init__(
        self, definition: ImportDefinition, stores: RecordStores, catalog: Catalog
    ) -> None:
        users = _user_index(catalog.users) if definition.properties.get("linkUsers") else {}
        self.user_links = [
            (key, _UserLinks(users.get(target.name, {})))
            for key, target in definition.targets.items()
            if target.kind == "user" and users
        ]
        self.account_links = [
            (key, target.name)
            for key, target in definition.targets.items()
            if target.kind == "account"
        ]
        self.data_cards = definition.accepted.data_cards
        self.sync_actions = definition.accepted.sync_actions
        self.entity = definition.entity
        self.stores = stores
        self.addresses = stores.of(EMAIL_ADDRESSES) if self.entity.kind == "contacts" else None
        """The email addresses that imports unsubscribed or bounced, which contacts inherit."""

    def apply(self, row: Row, record: StoredRecord, tally: _Tally) -> None:
        for key, links in self.user_links:
            value = row.get(key, "").strip()
            if value:
                _link_users(record, links.named(value))
        for key, name in self.account_links:
            value = row.get(key, "").strip()
            if value:
                accounts = self.stores.accounts.matching(name, value)
                if accounts:
                    record.account_id = accounts[0].id
        if self.data_cards is not None and self._map_data_card(row, record, self.data_cards):
            tally.linked += 1
        for action in self.sync_actions:
            if apply_action(action, record, self.entity, self.stores):
                tally.actions[action] += 1
        if self.addresses:
            address = email_address_of(record, self.addresses)
            if address is not None:
                inherit_email_status(record, address)

    def _map_data_card(self, row: Row, record: StoredRecord, cards: DataCardMapping) -> bool:
        """Link the custom object record to the contact or account its source value names;
        whether one was found."""
        value = row.get(cards.source_key, "")
        if not value.strip():
            return False
        store = self.stores.of(cards.entity)
        found = store.matching(cards.entity_target.name, value, cards.case_sensitive)
        if found:
            record.mapped_entity = (MAPPED_ENTITY_TYPES[cards.entity.kind], found[0].id)
        return bool(found)


def file_logs(definition: ImportDefinition, uploads: Sequence[Upload]) -> list[LogEntry]:
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


def reject_of(index: int, row: Row, keys: Sequence[str], problems: Mapping[str, Problem]) -> Reject:
    """The reject of a row for its problems (keys of ``keys``), which lists the row's values
    and the invalid keys in the order of ``keys``, and gives the first one's problem."""
    values = {key: row.get(key, "") for key in keys}
    invalid = [key for key in keys if key in problems]
    first = problems[invalid[0]]
    return Reject(index, values, invalid, first.code, first.message)


def sync_outcome(
    processed: int,
    file_logs: list[LogEntry],
    *,
    notes: list[LogEntry],
    rejects: Sequence[Reject],
    counters: list[LogEntry],
    counts: SyncCounts,
    sync_id: int,
) -> Outcome:
    """How a sync of ``processed`` rows ended: ``warning`` if any row was rejected or a file
    logged something, and its log: the rows processed, the files' entries, ``notes`` about the
    definition, the rejects by code, ``counters`` of what it stored, and its summary."""
    logs = [LogEntry("ELQ-00001", "Total records processed.", processed), *file_logs]
    if processed == 0:
        logs.append(LogEntry("ELQ-00124", "There was no data available to process."))
    logs += [*notes, *_reject_logs(rejects), *counters]
    status: SyncStatus = "warning" if rejects or file_logs else "success"
    logs.append(summary_log(sync_id, status))
    return Outcome(status, counts, tuple(logs), tuple(rejects))


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


def _user_index(users: Iterable[User]) -> dict[str, dict[str, list[User]]]:
    """User field name -> value -> users with that value."""
    index: dict[str, dict[str, list[User]]] = {}
    for user in users:
        for name, value in user.fields.items():
            if value:
                index.setdefault(name, {}).setdefault(value, []).append(user)
    return index


class _UserLinks:
    """The users that values of one user-link key name, worked out once per distinct value in a
    sync: records linked to the same users then share one tuple of them."""

    def __init__(self, by_value: Mapping[str, list[User]]) -> None:
        self.by_value = by_value
        """User field value -> users with that value."""
        self._named: dict[str, tuple[User, ...]] = {}

    def named(self, value: str) -> tuple[User, ...]:
        """The users a comma-separated list of user field values names, each once, in order."""
        users = self._named.get(value)
        if users is None:
            found: list[User] = []
            for part in value.split(","):
                for user in self.by_value.get(part.strip(), []):
                    if user not in found:
                        found.append(user)
            users = self._named[value] = tuple(found)
        return users


def _link_users(record: StoredRecord, users: tuple[User, ...]) -> None:
    """Link these users to the record, each once."""
    if not record.linked_users:
        record.linked_users = users
        return
    if record.linked_users == users:  # linked already, as a load of the same rows again finds
        return
    for user in users:
        if user not in record.linked_users:
            record.linked_users += (user,)
