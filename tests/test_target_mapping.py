"""End to end: stream mappings checked against the emulator's fields, and what they load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    PURCHASES_MAPPING,
    admin,
    data_uploads,
    emulator_config,
    run_target,
    summary_row,
)

STATE = {"bookmarks": {"companies": {"replication_key_value": 3}}}


def companies_mapping(**options: Any) -> dict[str, Any]:
    """Accounts identified by an external id, with fields given by internal name."""
    return {
        "entity": "accounts",
        "identifier": "id",
        "fields": {"id": "CompanyIDExt", "name": "M_CompanyName", "country": "M_Country"},
        **options,
    }


def schema(stream: str = "companies", *extra: str) -> dict[str, Any]:
    properties = {name: {"type": ["string", "null"]} for name in ("id", "name", "country", *extra)}
    return {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": ["id"],
        "schema": {"properties": properties},
    }


def record(stream: str = "companies", **values: Any) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": values}


def stored_accounts(emulator: EmulatorServer) -> dict[str, dict[str, str]]:
    """Stored accounts by external id: the fields the tests set."""
    return {
        account["fields"]["CompanyIDExt"]: {
            name: account["fields"].get(name, "") for name in ("M_CompanyName", "M_Country")
        }
        for account in admin(emulator, "records/accounts")
    }


def test_internal_names_are_expanded_and_unmapped_properties_are_not_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={"companies": companies_mapping()})
    messages = [
        schema("companies", "revenue", "_sdc_extracted_at"),
        record(id="A1", name="Acme", country="US", revenue="9", _sdc_extracted_at="2026-11-28"),
        {"type": "STATE", "value": STATE},
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert stored_accounts(emulator) == {"A1": {"M_CompanyName": "Acme", "M_Country": "US"}}
    [definition] = admin(emulator, "definitions")
    assert definition["fields"] == {
        "id": "{{Account.Field(CompanyIDExt)}}",
        "name": "{{Account.Field(M_CompanyName)}}",
        "country": "{{Account.Field(M_Country)}}",
    }
    assert definition["name"].startswith("target-eloqua companies ")
    assert definition["autoDeleteDuration"] == "P1D"
    assert run.stderr.count("properties not mapped, so not sent: revenue") == 1


def test_mapping_problems_are_all_reported_before_anything_is_staged(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = companies_mapping(identifier="seen")
    mapping["fields"] |= {"seen": "M_Last_Activity_Date1", "nation": "M_Countyr"}
    config = emulator_config(emulator, streams={"companies": mapping})

    run = run_target(config, [schema(), record(id="A1")], tmp_path)

    assert run.returncode == 1
    assert (
        "stream 'companies', property 'seen', field 'M_Last_Activity_Date1': cannot be"
        in run.stderr
    )
    assert (
        "stream 'companies', property 'nation', field 'M_Countyr': no field of accounts"
        in run.stderr
    )
    assert {request["method"] for request in admin(emulator, "requests")} == {"GET"}


def test_every_drain_reuses_the_streams_one_definition(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(
        emulator,
        streams={"companies": companies_mapping()},
        batch_size_rows=2,
        max_syncs_per_stream=1,
    )
    messages = [schema(), *(record(id=f"A{n}", name=f"Company {n}") for n in range(5))]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    [definition] = admin(emulator, "definitions")
    syncs = admin(emulator, "syncs")
    assert [sync["syncedInstanceUri"] for sync in syncs] == [definition["uri"]] * 3
    assert len(stored_accounts(emulator)) == 5


def test_the_last_of_several_records_with_one_identifier_wins_and_is_counted(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={"companies": companies_mapping()})
    messages = [
        schema(),
        record(id="A1", name="Old"),
        record(id="B2", name="Other"),
        record(id="a1", name="New"),  # Eloqua matches identifiers in any letter case
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert stored_accounts(emulator) == {
        "a1": {"M_CompanyName": "New", "M_Country": ""},
        "B2": {"M_CompanyName": "Other", "M_Country": ""},
    }
    [sync] = admin(emulator, "syncs")
    assert sync["counts"]["processed"] == 2
    row = summary_row(run.stderr, "companies")
    assert (row["read"], row["merged"], row["uploaded"], row["created"]) == (3, 1, 2, 2)


def test_a_new_schema_loads_the_records_buffered_under_the_old_one_first(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={"companies": companies_mapping()})
    messages = [
        schema(),
        record(id="A1", name="Before", country="US"),
        record(id="B2", name="Only before"),
        schema("companies", "segment"),
        record(id="A1", name="After", segment="x"),
        record(id="C3", name="Only after"),
        {"type": "STATE", "value": STATE},
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert stored_accounts(emulator) == {
        "A1": {"M_CompanyName": "After", "M_Country": ""},
        "B2": {"M_CompanyName": "Only before", "M_Country": ""},
        "C3": {"M_CompanyName": "Only after", "M_Country": ""},
    }
    assert [sync["counts"]["processed"] for sync in admin(emulator, "syncs")] == [2, 2]


def test_every_option_reaches_the_definition(emulator: EmulatorServer, tmp_path: Path) -> None:
    mapping = companies_mapping(
        update_rule="ifNewIsNotNull",
        update_rule_by_field={"country": "always"},
        import_priority="High",
        sync_actions=[{"action": "add", "destination": "{{AccountList[201]}}"}],
    )
    config = emulator_config(emulator, streams={"companies": mapping})

    run = run_target(config, [schema(), record(id="A1", name="Acme", country="US")], tmp_path)

    assert run.returncode == 0, run.stderr
    [definition] = admin(emulator, "definitions")
    assert definition["updateRule"] == "ifNewIsNotNull"
    assert definition["updateRuleByField"] == {"country": "always"}
    assert definition["importPriorityUri"].startswith("/imports/priorities/")
    assert definition["syncActions"] == [{"action": "add", "destination": "{{AccountList[201]}}"}]
    [account] = admin(emulator, "records/accounts")
    assert account["lists"] == [201]


@pytest.mark.parametrize("upload_format", ["csv", "json"])
def test_a_dry_run_writes_the_uploads_and_only_reads_from_eloqua(
    emulator: EmulatorServer, tmp_path: Path, upload_format: str
) -> None:
    out = tmp_path / "dry"
    config = emulator_config(
        emulator,
        streams={"companies": companies_mapping()},
        dry_run=True,
        dry_run_dir=str(out),
        upload_format=upload_format,
    )
    messages = [schema(), record(id="A1", name="Acme, Inc."), {"type": "STATE", "value": STATE}]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == []
    assert {request["method"] for request in admin(emulator, "requests")} == {"GET"}
    assert admin(emulator, "definitions") == []
    definition = json.loads((out / "companies.definition.json").read_text())
    assert definition["fields"]["name"] == "{{Account.Field(M_CompanyName)}}"
    upload = (out / f"companies.0001.{upload_format}").read_bytes().decode()
    if upload_format == "csv":
        assert upload == 'id,name,country\r\nA1,"Acme, Inc.",\r\n'
    else:
        assert json.loads(upload) == [{"id": "A1", "name": "Acme, Inc.", "country": ""}]
    assert str(out) in run.stderr


def test_a_dry_run_fails_on_mapping_problems_like_a_real_run(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = companies_mapping()
    mapping["fields"]["name"] = "M_Nope"
    config = emulator_config(emulator, streams={"companies": mapping}, dry_run=True)

    run = run_target(config, [schema(), record(id="A1")], tmp_path)

    assert run.returncode == 1
    assert "field 'M_Nope': no field of accounts matches" in run.stderr


def test_an_unmapped_stream_fails_with_how_to_map_it(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={"companies": companies_mapping()})

    run = run_target(config, [schema("orders"), record("orders", id="1")], tmp_path)

    assert run.returncode == 1
    assert "stream 'orders' has no mapping. Map it under 'streams'" in run.stderr
    assert "or set unmapped_streams: skip" in run.stderr
    assert data_uploads(emulator) == []
    assert admin(emulator, "syncs") == []


def test_an_unmapped_stream_can_be_skipped_with_one_warning(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(
        emulator, streams={"companies": companies_mapping()}, unmapped_streams="skip"
    )
    messages = [
        schema("orders"),
        record("orders", id="1"),
        record("orders", id="2"),
        schema(),
        record(id="A1", name="Acme"),
        {"type": "STATE", "value": STATE},
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert run.states == [STATE]
    assert run.stderr.count("Stream 'orders' has no mapping in 'streams'") == 1
    assert list(stored_accounts(emulator)) == ["A1"]
    assert len(admin(emulator, "definitions")) == 1


def test_a_definition_eloqua_refuses_stops_the_run_before_any_stream_is_staged(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    notes = companies_mapping(identifier="notes")
    notes["fields"]["notes"] = "M_Account_Notes1"  # large text: /fields cannot tell
    config = emulator_config(
        emulator, streams={"companies": companies_mapping(), "notes": notes}, batch_size_rows=2
    )
    messages = [
        schema(),
        *(record(id=f"A{n}", name="Acme") for n in range(3)),
        schema("notes", "notes"),
        record("notes", id="B1", name="Beta", notes="n"),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 1
    assert (
        "stream 'notes', property 'notes', field '{{Account.Field(M_Account_Notes1)}}': "
        "Eloqua refused it: identifierFieldName: Must not be a Large Text" in run.stderr
    )
    assert data_uploads(emulator) == []
    assert admin(emulator, "syncs") == []


CONTACTS_MAPPING: dict[str, Any] = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {
        "email": "C_EmailAddress",
        "first_name": "C_FirstName",
        "company": "{{Contact.Account.Field(M_CompanyName)}}",
    },
    "sync_actions": [
        {"action": "add", "destination": "{{ContactList[101]}}"},
        {"action": "setStatus", "destination": "{{EmailGroup[301]}}", "status": "subscribed"},
    ],
}


def people_schema() -> dict[str, Any]:
    properties = {name: {"type": "string"} for name in ("email", "first_name", "company")}
    return {
        "type": "SCHEMA",
        "stream": "people",
        "key_properties": ["email"],
        "schema": {"properties": properties},
    }


def test_contacts_load_with_their_sync_actions_and_account_links(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    streams = {"companies": companies_mapping(), "people": CONTACTS_MAPPING}
    config = emulator_config(emulator, streams=streams)
    run_target(config, [schema(), record(id="A1", name="Acme")], tmp_path)

    run = run_target(
        config,
        [
            people_schema(),
            record("people", email="ann@acme.test", first_name="Ann", company="Acme"),
        ],
        tmp_path,
    )

    assert run.returncode == 0, run.stderr
    [account] = admin(emulator, "records/accounts")
    [contact] = admin(emulator, "records/contacts")
    assert contact["fields"]["C_EmailAddress"] == "ann@acme.test"
    assert contact["fields"]["C_FirstName"] == "Ann"
    assert contact["accountId"] == account["id"]
    assert contact["lists"] == [101]
    assert contact["emailGroups"] == {"301": "subscribed"}


def test_custom_object_records_are_linked_to_contacts_through_data_cards(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    streams = {"people": CONTACTS_MAPPING, "purchases": PURCHASES_MAPPING}
    config = emulator_config(emulator, streams=streams)
    run_target(config, [people_schema(), record("people", email="ann@acme.test")], tmp_path)
    purchase_schema = {
        "type": "SCHEMA",
        "stream": "purchases",
        "key_properties": ["order"],
        "schema": {"properties": {p: {"type": "string"} for p in ("order", "email", "product")}},
    }

    run = run_target(
        config,
        [purchase_schema, record("purchases", order="O-1", email="ann@acme.test", product="Kit")],
        tmp_path,
    )

    assert run.returncode == 0, run.stderr
    [contact] = admin(emulator, "records/contacts")
    [purchase] = admin(emulator, "records/customObjects/9")
    assert purchase["fields"]["Order_Number1"] == "O-1"
    assert purchase["mappedEntity"] == {"type": "Contact", "id": contact["id"]}
    purchase_definitions = [d for d in admin(emulator, "definitions") if "purchases" in d["name"]]
    assert {d["mapDataCardsEntityField"] for d in purchase_definitions} == {
        "{{Contact.Field(C_EmailAddress)}}"
    }


def test_a_stream_dropped_by_stream_maps_needs_no_mapping(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(
        emulator, streams={"companies": companies_mapping()}, stream_maps={"orders": None}
    )
    messages = [schema("orders"), record("orders", id="1"), schema(), record(id="A1", name="Acme")]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert list(stored_accounts(emulator)) == ["A1"]
    assert "orders" not in json.dumps(admin(emulator, "definitions"))


def test_stream_maps_filter_change_and_copy_records_before_they_are_mapped(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    stream_maps = {
        "companies": {"__filter__": "country != 'FR'", "name": "name.upper()"},
        "copies": {"__source__": "companies", "id": "'copy-' + id"},
    }
    streams = {"companies": companies_mapping(), "copies": companies_mapping()}
    config = emulator_config(emulator, streams=streams, stream_maps=stream_maps)
    messages = [
        schema(),
        record(id="A1", name="Acme", country="US"),
        record(id="B2", name="Bolt", country="FR"),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert stored_accounts(emulator) == {
        "A1": {"M_CompanyName": "ACME", "M_Country": "US"},
        "copy-A1": {"M_CompanyName": "Acme", "M_Country": "US"},
        "copy-B2": {"M_CompanyName": "Bolt", "M_Country": "FR"},
    }


def test_a_custom_object_eloqua_does_not_have_is_named_with_its_stream(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = {"entity": "customObjects/99", "identifier": "id", "fields": {"id": "Order_Number1"}}
    config = emulator_config(emulator, streams={"orders": mapping})

    run = run_target(config, [], tmp_path)

    assert run.returncode == 1
    assert (
        "stream 'orders': Eloqua has no customObjects/99 "
        "(GET /api/bulk/2.0/customObjects/99/fields answered 404)" in run.stderr
    )
    assert "Traceback" not in run.stderr


def test_a_stream_whose_schema_lacks_the_identifier_stops_before_its_records(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={"companies": companies_mapping(identifier="name")})
    schema_without_name = schema()
    del schema_without_name["schema"]["properties"]["name"]

    run = run_target(config, [schema_without_name, record(id="A1")], tmp_path)

    assert run.returncode == 1
    assert (
        "stream 'companies', property 'name': the identifier is not in the stream's schema"
        in run.stderr
    )
    assert data_uploads(emulator) == []


def test_a_user_field_eloqua_does_not_have_stops_the_run_before_any_upload(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = companies_mapping(link_users=True)
    mapping["fields"]["owners"] = "{{Account.User.Field(NoSuchUserField)}}"
    config = emulator_config(emulator, streams={"companies": mapping})

    run = run_target(config, [schema("companies", "owners"), record(id="A1")], tmp_path)

    assert run.returncode == 1
    assert (
        "stream 'companies', property 'owners', field '{{Account.User.Field(NoSuchUserField)}}': "
        "Eloqua refused it" in run.stderr
    )
    assert data_uploads(emulator) == []


def without_country() -> dict[str, Any]:
    """The SCHEMA of companies without ``country``, which companies_mapping maps."""
    message = schema()
    del message["schema"]["properties"]["country"]
    return message


def test_a_mapped_property_the_schema_lacks_stops_the_run_before_any_upload(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    typo = companies_mapping()
    typo["fields"] |= {"titel": "M_Industry", "sektor": "M_City"}
    streams = {"companies": companies_mapping(), "typos": typo}
    config = emulator_config(emulator, streams=streams, summary_path=str(tmp_path / "s.json"))
    messages = [
        schema(),
        schema("typos", "title", "sector"),
        schema("orders"),
        record(id="A1", name="Acme"),
        record("typos", id="B1", title="CEO", sector="Retail"),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 1
    errors = [line.rsplit(" | ", 1)[-1] for line in run.stderr.splitlines() if "| ERROR" in line]
    assert errors[:3] == [
        "stream 'typos', property 'titel': mapped to {{Account.Field(M_Industry)}}, but not in "
        "the stream's schema (set missing_properties: skip to load the stream without it); its "
        "closest properties: title",
        "stream 'typos', property 'sektor': mapped to {{Account.Field(M_City)}}, but not in the "
        "stream's schema (set missing_properties: skip to load the stream without it); its "
        "closest properties: sector",
        errors[2],
    ]
    assert errors[2].startswith("stream 'orders' has no mapping.")
    assert data_uploads(emulator) == []
    assert admin(emulator, "syncs") == []
    error = json.loads((tmp_path / "s.json").read_text())["error"]
    assert "property 'titel'" in error
    assert "property 'sektor'" in error


@pytest.mark.parametrize("records", [1, 0], ids=["stops-at-the-first-record", "input-ends"])
def test_a_field_typo_a_property_typo_and_an_unmapped_stream_are_told_in_one_run(
    emulator: EmulatorServer, tmp_path: Path, records: int
) -> None:
    typos = companies_mapping()
    typos["fields"] |= {"city": "M_Ctiy", "titel": "M_Industry"}
    rejects, summary = tmp_path / "rejects.jsonl", tmp_path / "summary.json"
    rejects.write_text('{"stream": "companies", "status_code": "ELQ-00040"}\n')
    config = emulator_config(
        emulator,
        streams={"companies": typos},
        rejects_path=str(rejects),
        summary_path=str(summary),
    )
    messages = [
        {"type": "STATE", "value": STATE},
        schema("companies", "city", "title"),
        schema("orders"),
        *[record(id="A1", name="Acme", city="Paris", title="CEO")] * records,
        {"type": "STATE", "value": STATE},
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 1
    errors = [line.rsplit(" | ", 1)[-1] for line in run.stderr.splitlines() if "| ERROR" in line]
    assert errors == [
        "stream 'companies', property 'city', field 'M_Ctiy': no field of accounts matches (did "
        "you mean M_City or M_Country?); GET /api/bulk/2.0/accounts/fields lists their internal "
        "names and statements",
        "stream 'companies', property 'titel': mapped to M_Industry, but not in the stream's "
        "schema (set missing_properties: skip to load the stream without it); its closest "
        "properties: title",
        errors[2],
        "Config validation failed",
    ]
    assert errors[2].startswith("stream 'orders' has no mapping.")
    assert run.states == []
    assert admin(emulator, "definitions") == []
    assert admin(emulator, "syncs") == []
    assert {request["method"] for request in admin(emulator, "requests")} == {"GET"}
    assert rejects.read_text() == '{"stream": "companies", "status_code": "ELQ-00040"}\n'
    error = json.loads(summary.read_text())["error"]
    assert error.splitlines()[1:] == errors[:3]


def test_with_skip_a_field_the_schema_lacks_keeps_its_value_in_eloqua(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(
        emulator, streams={"companies": companies_mapping()}, missing_properties="skip"
    )
    run_target(config, [schema(), record(id="A1", name="Acme", country="US")], tmp_path)

    run = run_target(config, [without_country(), record(id="A1", name="Acme Inc.")], tmp_path)

    assert run.returncode == 0, run.stderr
    assert stored_accounts(emulator) == {"A1": {"M_CompanyName": "Acme Inc.", "M_Country": "US"}}
    assert run.stderr.count("mapped properties missing from the stream's schema are not") == 1
    assert [list(d["fields"]) for d in admin(emulator, "definitions")][-1] == ["id", "name"]


def test_a_later_schema_without_a_mapped_property_stops_the_run_before_its_records(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(
        emulator, streams={"companies": companies_mapping()}, batch_size_rows=1
    )
    first = record(id="A1", name="Acme", country="US")

    run = run_target(config, [schema(), first, without_country(), record(id="A2")], tmp_path)

    assert run.returncode == 1
    assert "stream 'companies', property 'country': mapped to" in run.stderr
    assert list(stored_accounts(emulator)) == ["A1"]


def test_with_skip_a_later_schema_without_a_column_loads_on_a_definition_without_it(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(
        emulator, streams={"companies": companies_mapping()}, missing_properties="skip"
    )
    run_target(config, [schema(), record(id="B2", name="Beta", country="FR")], tmp_path)
    first = record(id="A1", name="Acme", country="US")

    run = run_target(
        config, [schema(), first, without_country(), record(id="B2", name="Beta SA")], tmp_path
    )

    assert run.returncode == 0, run.stderr
    assert stored_accounts(emulator) == {
        "B2": {"M_CompanyName": "Beta SA", "M_Country": "FR"},
        "A1": {"M_CompanyName": "Acme", "M_Country": "US"},
    }
    field_sets = {tuple(definition["fields"]) for definition in admin(emulator, "definitions")}
    assert field_sets == {("id", "name", "country"), ("id", "name")}


def test_bad_input_after_a_schema_that_does_not_fit_loads_nothing_and_tells_both(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = emulator_config(emulator, streams={"companies": companies_mapping()})
    messages: list[dict[str, Any] | str] = [schema(), record(id="A1"), without_country(), "{"]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 1
    assert "input line 4: not JSON" in run.stderr
    assert "stream 'companies', property 'country': mapped to" in run.stderr
    assert data_uploads(emulator) == []
