"""The settings target-eloqua takes, as the SDK's config JSON Schema, and their checks beyond it.

Their descriptions are what ``target-eloqua --about`` prints and what the README's settings
table and meltano.yml repeat.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from singer_sdk import typing as th

from target_eloqua.credentials import CREDENTIAL_SETTINGS, credential_problems
from target_eloqua.errors import MappingError
from target_eloqua.mapping.definition import MAX_PARTS_PER_SYNC
from target_eloqua.mapping.entities import ENTITY_PATTERN
from target_eloqua.mapping.streams import MAX_FIELDS, parse_stream_mappings
from target_eloqua.mapping.sync_actions import MAX_SYNC_ACTIONS

MAX_UPLOAD_BYTES = 32_000_000
"""Eloqua answers 404 to a data upload over 32 MB."""

UPDATE_RULES = ["always", "ifNewIsNotNull", "ifExistingIsNull", "useFieldRule"]

SYNC_ACTION = th.ObjectType(
    th.Property(
        "action",
        th.StringType,
        required=True,
        allowed_values=["add", "remove", "setStatus"],
        description="What to do with each record: add to or remove from a list, or setStatus.",
    ),
    th.Property(
        "destination",
        th.StringType,
        required=True,
        description="A statement ({{ContactList[12]}}, {{AccountList[3]}}, {{EmailGroup[4]}}, "
        "{{GlobalSubscribe}}), or the name of a contact or account list (add, remove) or email "
        "group (setStatus), looked up before any input is read.",
    ),
    th.Property(
        "status",
        th.StringType,
        allowed_values=["subscribed", "unsubscribed", "bounced"],
        description="For setStatus: subscribed or unsubscribed; for emailAddresses unsubscribed "
        "or bounced.",
    ),
    additional_properties=False,
)

DATA_CARD_LINK = th.ObjectType(
    th.Property(
        "entity_type",
        th.StringType,
        required=True,
        allowed_values=["Contact", "Company"],
        description="Link each custom object record to a contact, or to an account (Company).",
    ),
    th.Property(
        "entity_field",
        th.StringType,
        required=True,
        description="The contact or account field matched, as a statement or internal name, "
        "e.g. C_EmailAddress or {{Account.Field(CompanyIDExt)}}.",
    ),
    th.Property(
        "source_property",
        th.StringType,
        required=True,
        description="The mapped stream property whose value is matched against entity_field.",
    ),
    th.Property(
        "case_sensitive",
        th.BooleanType,
        default=False,
        description="Whether the match is case-sensitive.",
    ),
    additional_properties=False,
)

STREAM_MAPPING = th.ObjectType(
    th.Property(
        "entity",
        th.StringType,
        default="accounts",
        pattern=ENTITY_PATTERN,
        description="What the stream imports into: accounts, contacts, customObjects/<id>, "
        "events/<id>, activities (external activities), opportunities, "
        "opportunities/contacts (opportunities linked to contacts), campaignResponses or "
        "emailAddresses (global unsubscribe and bounceback, with actions_only).",
    ),
    th.Property(
        "identifier",
        th.StringType,
        description="The stream property Eloqua matches existing records on "
        "(the definition's identifierFieldName). It must be one of `fields`. Required, but "
        "for activities and opportunities/contacts, which take none; opportunities match on "
        "{{Opportunity.Id}}.",
    ),
    th.Property(
        "fields",
        th.ObjectType(additional_properties=th.StringType),
        required=True,
        description="Stream property -> Eloqua field, as a statement "
        '("{{Account.Field(M_CompanyName)}}") or an internal name ("M_CompanyName"), '
        f"at most {MAX_FIELDS}.",
    ),
    th.Property(
        "link_users",
        th.BooleanType,
        default=False,
        description="Accounts only: link users to accounts through "
        "{{Account.User.Field(...)}} fields (Eloqua's linkUsers).",
    ),
    th.Property(
        "update_rule",
        th.StringType,
        allowed_values=UPDATE_RULES,
        description="Eloqua's updateRule for existing records; Eloqua's default is always.",
    ),
    th.Property(
        "update_rule_by_field",
        th.ObjectType(
            additional_properties=th.CustomType({"type": "string", "enum": UPDATE_RULES})
        ),
        description="Stream property -> update rule for that field (updateRuleByField).",
    ),
    th.Property(
        "update_multiple_matched_records",
        th.BooleanType,
        default=False,
        description="Update every record that matches the identifier, not just one "
        "(isUpdatingMultipleMatchedRecords). Must stay false to change contacts' emails.",
    ),
    th.Property(
        "import_rule",
        th.StringType,
        allowed_values=["createAndUpdate", "updateOnly", "createOnly"],
        description="Eloqua's importRule (accounts and contacts, Eloqua 26B and later).",
    ),
    th.Property(
        "sync_actions",
        th.ArrayType(SYNC_ACTION),
        description=f"At most {MAX_SYNC_ACTIONS} actions taken on each record (syncActions), "
        "e.g. adding contacts to a contact list.",
    ),
    th.Property(
        "actions_only",
        th.BooleanType,
        default=False,
        description="Write no field: the records only select Eloqua records by their "
        "identifier (the one property mapped), and sync_actions are taken on them "
        "(a sync-action definition).",
    ),
    th.Property(
        "mirror",
        th.BooleanType,
        default=False,
        description="With actions_only and an add to a list: when the stream's ACTIVATE_VERSION "
        "arrives, the members of the list that this version did not send are removed.",
    ),
    th.Property(
        "mirror_allow_empty",
        th.BooleanType,
        default=False,
        description="Let a version that sent no record empty the lists it mirrors; without it, "
        "such a version fails the run and removes nothing.",
    ),
    th.Property(
        "import_priority",
        th.StringType,
        description="Name or uri of an import priority (see /imports/priorities).",
    ),
    th.Property(
        "map_data_cards",
        DATA_CARD_LINK,
        description="Custom objects and events only: link records to contacts or accounts "
        "(mapDataCards).",
    ),
    additional_properties=False,
)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "company",
        th.StringType,
        description="Eloqua company (site) name, for Basic auth and the OAuth password grant.",
    ),
    th.Property("username", th.StringType, description="Eloqua user name."),
    th.Property("password", th.StringType, secret=True, description="That user's password."),
    th.Property(
        "client_id",
        th.StringType,
        secret=True,
        description="OAuth 2.0 app (Eloqua: Settings > AppCloud Developer); when set, OAuth is "
        "used: the refresh-token grant, else the password grant with company, username and "
        "password.",
    ),
    th.Property("client_secret", th.StringType, secret=True, description="The app's secret."),
    th.Property(
        "refresh_token",
        th.StringType,
        secret=True,
        description="OAuth refresh token. Eloqua's are single-use: each refresh issues a new "
        "one, kept for the rest of the run (and in token_file).",
    ),
    th.Property(
        "redirect_uri",
        th.StringType,
        description="The OAuth app's redirect URI, sent with the refresh-token grant when set "
        "(Eloqua's documented grant includes it).",
    ),
    th.Property(
        "token_file",
        th.StringType,
        description="JSON file where each new refresh token is saved (owner-only, replaced "
        "atomically) and read first by the next run, so that unattended runs keep working.",
    ),
    th.Property(
        "login_url",
        th.StringType,
        default="https://login.eloqua.com",
        description="Where base URL discovery (/id) and the OAuth token endpoint live; https "
        "unless on a loopback address.",
    ),
    th.Property(
        "base_url",
        th.StringType,
        description="Pod URL such as https://secure.p03.eloqua.com; skips discovery; https "
        "unless on a loopback address.",
    ),
    th.Property(
        "streams",
        th.ObjectType(additional_properties=STREAM_MAPPING),
        required=True,
        description="Stream name -> how its records map to Eloqua (entity, identifier, "
        "fields and the import options below).",
    ),
    th.Property(
        "unmapped_streams",
        th.StringType,
        default="fail",
        allowed_values=["fail", "skip"],
        description="A stream missing from `streams`: fail (stop before loading it) or skip "
        "(warn once and send nothing for it).",
    ),
    th.Property(
        "missing_properties",
        th.StringType,
        default="fail",
        allowed_values=["fail", "skip"],
        description="A mapped property that the stream's SCHEMA lacks: fail (stop before "
        "anything is uploaded, naming it and the schema's closest properties) or skip (warn "
        "and load the stream without that field). Never sent blank.",
    ),
    th.Property(
        "dry_run",
        th.BooleanType,
        default=False,
        description="Check the mapping against Eloqua's fields and format every record, but "
        "write the uploads to files instead of creating anything in Eloqua; no STATE is written.",
    ),
    th.Property(
        "dry_run_dir",
        th.StringType,
        description="Where a dry run writes what it would upload; default: a new temporary "
        "directory, named in the log.",
    ),
    th.Property(
        "load_method",
        th.StringType,
        default="upsert",
        allowed_values=["upsert"],
        description="Eloqua imports always upsert on each stream's identifier.",
    ),
    th.Property(
        "upload_format",
        th.StringType,
        default="csv",
        allowed_values=["csv", "json"],
        description="Body of the data uploads: CSV with a header row, or a JSON array.",
    ),
    th.Property(
        "poll_interval_seconds",
        th.NumberType,
        default=1,
        description="First wait between sync status checks; grows with backoff to 30 s.",
        exclusiveMinimum=0,
    ),
    th.Property(
        "sync_timeout_seconds",
        th.NumberType,
        default=3600,
        description="A sync not finished by then fails the run.",
        exclusiveMinimum=0,
    ),
    th.Property(
        "max_upload_bytes",
        th.IntegerType,
        default=30_000_000,
        description="Largest body of one data upload; a drain uploads as many as it needs "
        f"(at most {MAX_PARTS_PER_SYNC} per sync). Eloqua refuses bodies over 32 MB.",
        minimum=1024,
        maximum=MAX_UPLOAD_BYTES,
    ),
    th.Property(
        "max_sync_bytes",
        th.IntegerType,
        default=200_000_000,
        description="A stream's batch is loaded (one sync) once its staged rows reach this "
        "size, or batch_size_rows rows, whichever comes first.",
        minimum=1,
    ),
    th.Property(
        "max_syncs_per_stream",
        th.IntegerType,
        default=2,
        description="Syncs of one stream that may run at once, each on a definition of its "
        "own: the next batch is uploaded while earlier ones sync. 1 waits for each sync "
        "before the next upload.",
        minimum=1,
        maximum=10,
    ),
    th.Property(
        "callback_url",
        th.StringType,
        description="Passed to Eloqua with every sync (callbackUrl): Eloqua calls it when the "
        "sync ends.",
    ),
    th.Property(
        "max_rejects",
        th.IntegerType,
        default=0,
        description="Records a run may have rejected (by Eloqua, for lack of an identifier, "
        "or read back different under verify) before it fails (exit 1, no STATE for the "
        "records not loaded).",
        minimum=0,
    ),
    th.Property(
        "rejects_path",
        th.StringType,
        description="JSON Lines file of the run's records not loaded as sent: those rejected "
        "(Eloqua's status codes, NO_IDENTIFIER), merged (MERGED) and read back different "
        "(VERIFY), each with stream, identifier, status code, message, invalid fields and the "
        "record as the tap sent it.",
    ),
    th.Property(
        "verify",
        th.StringType,
        default="none",
        allowed_values=["none", "sample", "all"],
        description="After each sync, read back (Bulk exports) the records it loaded, a sample "
        "of each stream or all of them, and compare every mapped field with what was sent; a "
        "record that differs is a VERIFY line in rejects_path and counts against max_rejects. "
        "all costs about one export sync per 10 to 15 records (docs/verify.md).",
    ),
    th.Property(
        "verify_sample_size",
        th.IntegerType,
        default=1000,
        description="Records read back per stream with verify: sample.",
        minimum=1,
    ),
    th.Property(
        "change_store",
        th.StringType,
        description="Local SQLite file of what was last loaded per stream and identifier (a "
        "fingerprint of each row): a row identical to the one last loaded is not sent again, "
        "and counted as unchanged. Keep it between runs (docs/change-store.md).",
    ),
    th.Property(
        "change_store_refresh",
        th.BooleanType,
        default=False,
        description="Send every row once more, and rebuild the change store for the streams "
        "of the run.",
    ),
    th.Property(
        "summary_path",
        th.StringType,
        description="JSON file with the run's summary (per stream and per sync counts, "
        "statuses and durations, requests by endpoint, exit status), written however the run "
        "ends.",
    ),
).to_dict()

SECRET_SETTINGS = tuple(
    name for name, schema in CONFIG_SCHEMA["properties"].items() if schema.get("secret")
)
"""Settings whose values never appear in logs or errors."""

NUMBER_SETTINGS = tuple(
    name
    for name, schema in CONFIG_SCHEMA["properties"].items()
    if "number" in schema.get("type", [])
)
"""Settings whose value is a number, which may arrive as text from an environment variable."""


def read_number_text(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings, with the numeric text of a number setting (``"0.5"``) read as a number:
    environment variables and Meltano carry such numbers as text, and the SDK converts only
    integers.
    """
    result = dict(settings)
    for name in NUMBER_SETTINGS:
        value = result.get(name)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                result[name] = float(value)
    return result


def _batch_size_problems(config: Mapping[str, Any]) -> list[str]:
    batch_size = config.get("batch_size_rows")
    if batch_size is not None and batch_size < 1:
        return [f"batch_size_rows must be at least 1, not {batch_size}"]
    return []


def _report_file_problems(config: Mapping[str, Any]) -> list[str]:
    summary, rejects = config.get("summary_path"), config.get("rejects_path")
    if summary and rejects and Path(summary).resolve() == Path(rejects).resolve():
        return ["summary_path and rejects_path must be different files"]
    return []


def _change_store_problems(config: Mapping[str, Any]) -> list[str]:
    """A change store that is a file of its own; a refresh with a store to rebuild."""
    store = config.get("change_store")
    if not store:
        refresh = config.get("change_store_refresh")
        return ["change_store_refresh needs change_store, the file it rebuilds"] if refresh else []
    return [
        f"change_store and {other} must be different files"
        for other in ("summary_path", "rejects_path")
        if config.get(other) and Path(config[other]).resolve() == Path(store).resolve()
    ]


SETTING_CHECKS: tuple[tuple[tuple[str, ...], Callable[[Mapping[str, Any]], list[str]]], ...] = (
    (CREDENTIAL_SETTINGS, credential_problems),
    (("batch_size_rows",), _batch_size_problems),
    (("summary_path", "rejects_path"), _report_file_problems),
    (
        ("change_store", "change_store_refresh", "summary_path", "rejects_path"),
        _change_store_problems,
    ),
)
"""The checks beyond the schema, each with the settings it reads."""


def setting_problems(config: Mapping[str, Any], schema_errors: Sequence[str] = ()) -> list[str]:
    """What the schema cannot say: credentials that make a login and go only over https, a
    batch of one row or more, files that are not one another, a change store to refresh, stream
    mappings that can work.

    A check is left out when the schema refused a setting it reads, and so is a stream the
    schema refused (``schema_errors``): the schema's error says what is wrong with it, and the
    check could not read it. The others run, so that every problem is told in one round.
    """
    problems = [
        problem
        for settings, check in SETTING_CHECKS
        if not any(_schema_refused(schema_errors, name) for name in settings)
        for problem in check(config)
    ]
    streams = config.get("streams")
    if isinstance(streams, Mapping):  # anything else, the schema refused
        checked = {
            name: mapping
            for name, mapping in streams.items()
            if not _schema_refused(schema_errors, "streams", name)
        }
        try:
            parse_stream_mappings(checked)
        except MappingError as error:
            problems += error.problems
    return problems


def _schema_refused(schema_errors: Sequence[str], *path: str) -> bool:
    """Whether one of the SDK's schema errors is about the setting at ``path``, or something
    in it: the SDK ends each error with where it is, ``in config['streams']['crm']...``.
    """
    where = _in_config(path)
    return any(error.endswith(where) or f"{where}[" in error for error in schema_errors)


def shape_errors(
    value: Any, schema: Mapping[str, Any], path: tuple[str | int, ...] = ()
) -> list[str]:
    """Where the config has something else than the object its schema wants, worded as the
    SDK words schema errors: its validator fills in defaults, and fails on such a value.
    """
    if "properties" in schema or "additionalProperties" in schema:
        if not isinstance(value, Mapping):
            nullable = value is None and "null" in schema.get("type", ())
            if nullable or not path:
                return []
            return [f"{value!r} is not of type 'object' {_in_config(path)}"]
        errors = []
        for key, item in value.items():
            subschema = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
            if isinstance(subschema, dict):
                errors += shape_errors(item, subschema, (*path, key))
        return errors
    if isinstance(schema.get("items"), dict) and isinstance(value, list):
        return [
            error
            for index, item in enumerate(value)
            for error in shape_errors(item, schema["items"], (*path, index))
        ]
    return []


def _in_config(path: Sequence[str | int]) -> str:
    """Where a setting is, as the SDK ends its schema errors: ``in config['streams']['crm']``."""
    return "in config" + "".join(f"[{key!r}]" for key in path)
