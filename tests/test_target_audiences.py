"""End to end: audiences and consent through the installed target against the emulator: list
membership by name, email groups, the global subscription, bounces, the same actions inside an
import, ``mirror`` at ACTIVATE_VERSION, and the config errors of sync actions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from target_eloqua.emulator import EmulatorServer
from tests.support import (
    CONTACTS_BY_EMAIL,
    PURCHASES_MAPPING,
    TargetRun,
    admin,
    data_uploads,
    emulator_config,
    plan_next_syncs,
    record_message,
    rejects_in,
    run_target,
    schema_message,
    summary_in,
)

EMAIL = {"email": {"type": "string"}}
PEOPLE = ["ann@x.com", "bob@x.com", "cy@x.com", "dee@x.com"]
NEWSLETTER = 101
"""The contact list "Newsletter" of the emulator's default catalog."""


def audience(*actions: dict[str, Any], **options: Any) -> dict[str, Any]:
    """A stream of email addresses whose contacts the ``actions`` act on, and nothing else."""
    return {
        "entity": "contacts",
        "identifier": "email",
        "fields": {"email": "C_EmailAddress"},
        "actions_only": True,
        "sync_actions": list(actions),
        **options,
    }


ADD_TO_NEWSLETTER = {"action": "add", "destination": "Newsletter"}


def emails(stream: str, *addresses: str, version: int | None = None) -> list[dict[str, Any]]:
    """The stream's SCHEMA and a RECORD per address."""
    records = [record_message(stream, email=address) for address in addresses]
    if version is not None:
        for record in records:
            record["version"] = version
    return [schema_message(stream, EMAIL, ["email"]), *records]


def activate(stream: str, version: int) -> dict[str, Any]:
    return {"type": "ACTIVATE_VERSION", "stream": stream, "version": version}


def state(value: int) -> dict[str, Any]:
    return {"type": "STATE", "value": {"position": value}}


def load_people(emulator: EmulatorServer, tmp_path: Path, *addresses: str) -> None:
    """Import contacts with these email addresses."""
    config = emulator_config(emulator, streams={"people": CONTACTS_BY_EMAIL})
    run = run_target(config, emails("people", *addresses), tmp_path)
    assert run.returncode == 0, run.stderr


def contacts(emulator: EmulatorServer) -> dict[str, dict[str, Any]]:
    """The contacts the emulator stored, by email address."""
    return {c["fields"]["C_EmailAddress"]: c for c in admin(emulator, "records/contacts")}


def members(emulator: EmulatorServer, list_id: int = NEWSLETTER) -> list[str]:
    """The email addresses of the list's members, as the emulator keeps them."""
    return sorted(email for email, c in contacts(emulator).items() if list_id in c["lists"])


def summary_of(tmp_path: Path, stream: str) -> dict[str, Any]:
    streams: dict[str, dict[str, Any]] = summary_in(tmp_path / "summary.json")["streams"]
    return streams[stream]


def run_audience(
    emulator: EmulatorServer, tmp_path: Path, mapping: dict[str, Any], messages: list[Any]
) -> TargetRun:
    config = emulator_config(
        emulator, streams={"audience": mapping}, summary_path=str(tmp_path / "summary.json")
    )
    return run_target(config, messages, tmp_path)


def test_contacts_are_added_to_a_list_named_by_name_and_removed_from_it(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    load_people(emulator, tmp_path, *PEOPLE)
    remove = {"action": "remove", "destination": "Newsletter"}

    added = run_audience(
        emulator,
        tmp_path,
        audience(ADD_TO_NEWSLETTER),
        emails("audience", *PEOPLE[:3], "nobody@x.com"),
    )
    added_counts = summary_of(tmp_path, "audience")
    removed = run_audience(emulator, tmp_path, audience(remove), emails("audience", "BOB@x.com"))

    assert (added.returncode, removed.returncode) == (0, 0), added.stderr + removed.stderr
    assert members(emulator) == ["ann@x.com", "cy@x.com"]
    assert {
        name: added_counts[name] for name in ("read", "matched", "unmatched", "list_added")
    } == {
        "read": 4,
        "matched": 3,
        "unmatched": 1,
        "list_added": 3,
    }
    assert (added_counts["created"], added_counts["updated"]) == (0, 0)
    assert summary_of(tmp_path, "audience")["list_removed"] == 1
    assert [c["fields"] for c in contacts(emulator).values()] == [
        {"C_EmailAddress": e} for e in PEOPLE
    ]
    syncs = [sync["syncedInstanceUri"] for sync in admin(emulator, "syncs")]
    assert any(uri.startswith("/contacts/syncActions/") for uri in syncs)
    assert not any("/syncActions/" in d["uri"] for d in admin(emulator, "definitions"))


def test_email_groups_are_subscribed_and_unsubscribed_by_name(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    load_people(emulator, tmp_path, *PEOPLE)
    subscribe = {"action": "setStatus", "destination": "Product news", "status": "subscribed"}
    unsubscribe = {**subscribe, "status": "unsubscribed"}

    first = run_audience(emulator, tmp_path, audience(subscribe), emails("audience", *PEOPLE[:2]))
    second = run_audience(emulator, tmp_path, audience(unsubscribe), emails("audience", PEOPLE[1]))

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    groups = {email: c["emailGroups"] for email, c in contacts(emulator).items()}
    assert groups == {
        "ann@x.com": {"301": "subscribed"},
        "bob@x.com": {"301": "unsubscribed"},
        "cy@x.com": {},
        "dee@x.com": {},
    }
    assert summary_of(tmp_path, "audience")["subscriptions_changed"] == 1


def test_contacts_are_globally_unsubscribed(emulator: EmulatorServer, tmp_path: Path) -> None:
    load_people(emulator, tmp_path, *PEOPLE)
    unsubscribe = {
        "action": "setStatus",
        "destination": "{{GlobalSubscribe}}",
        "status": "unsubscribed",
    }

    run = run_audience(emulator, tmp_path, audience(unsubscribe), emails("audience", PEOPLE[0]))

    assert run.returncode == 0, run.stderr
    subscriptions = {email: c["globalSubscription"] for email, c in contacts(emulator).items()}
    assert subscriptions == {
        "ann@x.com": "unsubscribed",
        "bob@x.com": None,
        "cy@x.com": None,
        "dee@x.com": None,
    }


EMAIL_ADDRESSES = {
    "entity": "emailAddresses",
    "identifier": "email",
    "fields": {"email": "EmailAddress"},
    "actions_only": True,
}


@pytest.mark.parametrize(
    ("status", "counter", "outcome"),
    [
        ("unsubscribed", "subscriptions_changed", ("globalSubscription", "unsubscribed")),
        ("bounced", "marked_bounced", ("bounced", True)),
    ],
)
def test_email_addresses_are_globally_unsubscribed_or_marked_as_bounced(
    emulator: EmulatorServer,
    tmp_path: Path,
    status: str,
    counter: str,
    outcome: tuple[str, Any],
) -> None:
    load_people(emulator, tmp_path, *PEOPLE[:2])
    action = {"action": "setStatus", "destination": "{{GlobalSubscribe}}", "status": status}
    mapping = {**EMAIL_ADDRESSES, "sync_actions": [action]}

    run = run_audience(emulator, tmp_path, mapping, emails("audience", "Ann@x.com", "new@x.com"))

    assert run.returncode == 0, run.stderr
    key, value = outcome
    assert {email: c[key] for email, c in contacts(emulator).items()} == {
        "ann@x.com": value,
        "bob@x.com": not value if isinstance(value, bool) else None,
    }
    stored = admin(emulator, "records/emailAddresses")
    assert [(a["fields"]["EmailAddress"], a[key]) for a in stored] == [
        ("Ann@x.com", value),
        ("new@x.com", value),
    ]
    counts = summary_of(tmp_path, "audience")
    assert (counts["read"], counts["created"], counts[counter]) == (2, 2, 2)
    uploads = [upload["path"] for upload in data_uploads(emulator)]
    assert uploads[-1].startswith("/api/bulk/2.0/emailAddresses/imports/")


def test_the_same_actions_work_inside_an_ordinary_import(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    mapping = {
        **CONTACTS_BY_EMAIL,
        "sync_actions": [
            ADD_TO_NEWSLETTER,
            {"action": "setStatus", "destination": "Product news", "status": "subscribed"},
        ],
    }
    config = emulator_config(
        emulator, streams={"people": mapping}, summary_path=str(tmp_path / "summary.json")
    )

    run = run_target(config, emails("people", *PEOPLE[:2]), tmp_path)

    assert run.returncode == 0, run.stderr
    assert members(emulator) == ["ann@x.com", "bob@x.com"]
    assert all(c["emailGroups"] == {"301": "subscribed"} for c in contacts(emulator).values())
    counts = summary_of(tmp_path, "people")
    assert (counts["created"], counts["list_added"], counts["subscriptions_changed"]) == (2, 2, 2)


def mirrored(**options: Any) -> dict[str, Any]:
    return audience(ADD_TO_NEWSLETTER, mirror=True, **options)


def fill_newsletter(emulator: EmulatorServer, tmp_path: Path) -> None:
    """Every person a member of the Newsletter list."""
    load_people(emulator, tmp_path, *PEOPLE)
    run = run_audience(emulator, tmp_path, audience(ADD_TO_NEWSLETTER), emails("audience", *PEOPLE))
    assert run.returncode == 0, run.stderr
    assert members(emulator) == PEOPLE


def test_mirror_removes_at_activate_version_exactly_the_members_not_sent(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter(emulator, tmp_path)
    messages = [
        *emails("audience", "BOB@x.com", "dee@x.com", version=2),
        state(1),
        activate("audience", 2),
        state(2),
    ]

    run = run_audience(emulator, tmp_path, mirrored(), messages)

    assert run.returncode == 0, run.stderr
    assert members(emulator) == ["bob@x.com", "dee@x.com"]
    assert run.states[-1] == {"position": 2}
    counts = summary_of(tmp_path, "audience")
    assert (counts["read"], counts["matched"], counts["list_added"]) == (2, 2, 2)
    assert counts["list_removed"] == 2
    assert [sync["mirror"] for sync in counts["syncs"]] == [False, True]


def test_with_a_change_store_the_unchanged_members_of_a_version_stay(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter(emulator, tmp_path)
    store = str(tmp_path / "changes.sqlite")
    version = [*emails("audience", "bob@x.com", "dee@x.com", version=2), activate("audience", 2)]
    config = emulator_config(
        emulator,
        streams={"audience": mirrored()},
        summary_path=str(tmp_path / "summary.json"),
        change_store=store,
    )
    recorded = run_target(config, version, tmp_path)  # mirrored, and recorded in the store

    again = run_target(config, version, tmp_path)  # the same version: nothing to send

    assert (recorded.returncode, again.returncode) == (0, 0), again.stderr
    counts = summary_of(tmp_path, "audience")
    assert (counts["read"], counts["unchanged"], counts["uploaded"]) == (2, 2, 0)
    assert members(emulator) == ["bob@x.com", "dee@x.com"]


def test_with_a_change_store_a_member_mirror_removed_is_added_again_when_sent_again(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    load_people(emulator, tmp_path, *PEOPLE)
    config = emulator_config(
        emulator,
        streams={"audience": mirrored()},
        change_store=str(tmp_path / "changes.sqlite"),
    )

    def version(number: int, *addresses: str) -> list[dict[str, Any]]:
        return [*emails("audience", *addresses, version=number), activate("audience", number)]

    runs = [
        run_target(config, version(1, "bob@x.com", "dee@x.com"), tmp_path),
        run_target(config, version(2, "bob@x.com"), tmp_path),  # dee@x.com leaves the list
        run_target(config, version(3, "bob@x.com", "dee@x.com"), tmp_path),  # and comes back
    ]

    assert [run.returncode for run in runs] == [0, 0, 0], runs[-1].stderr
    assert members(emulator) == ["bob@x.com", "dee@x.com"]


def test_mirror_removes_in_syncs_of_at_most_500_uploads(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    people = [f"m{n:05d}@x.co" for n in range(40_000)]  # 78 a part of 1024 bytes: 513 parts
    joined = {**CONTACTS_BY_EMAIL, "sync_actions": [ADD_TO_NEWSLETTER]}
    settings: dict[str, Any] = {"batch_size_rows": 100_000, "max_upload_bytes": 1024}
    loaded = run_target(
        emulator_config(emulator, streams={"people": joined}), emails("people", *people), tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr

    run = run_target(
        emulator_config(emulator, streams={"audience": mirrored()}, **settings),
        [*emails("audience", people[0], version=1), activate("audience", 1)],
        tmp_path,
    )

    assert run.returncode == 0, run.stderr
    assert members(emulator) == [people[0]]


def test_the_activate_version_a_tap_sends_before_a_version_does_not_remove_anything(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter(emulator, tmp_path)
    messages = [
        schema_message("audience", EMAIL, ["email"]),
        activate("audience", 3),  # tap-postgres's first FULL_TABLE sync opens the version too
        state(1),
        record_message("audience", email="ann@x.com"),
        activate("audience", 3),
        state(2),
    ]

    run = run_audience(emulator, tmp_path, mirrored(), messages)

    assert run.returncode == 0, run.stderr
    assert members(emulator) == ["ann@x.com"]
    assert run.states == [{"position": 1}, {"position": 2}]


def test_without_activate_version_mirror_removes_nothing(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter(emulator, tmp_path)

    run = run_audience(emulator, tmp_path, mirrored(), [*emails("audience", "ann@x.com"), state(1)])

    assert run.returncode == 0, run.stderr
    assert members(emulator) == PEOPLE
    assert run.states == [{"position": 1}]


def test_a_version_that_sent_no_record_empties_the_list_only_when_allowed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter(emulator, tmp_path)
    messages = [
        schema_message("audience", EMAIL, ["email"]),
        state(1),
        activate("audience", 4),
        state(2),
    ]

    refused = run_audience(emulator, tmp_path, mirrored(), messages)
    kept = members(emulator)
    allowed = run_audience(emulator, tmp_path, mirrored(mirror_allow_empty=True), messages)

    assert refused.returncode == 1
    assert (
        "stream 'audience': its ACTIVATE_VERSION ends a version that sent no record"
        in refused.stderr
    )
    assert "set mirror_allow_empty: true" in refused.stderr
    assert kept == PEOPLE
    assert refused.states == [{"position": 1}]
    assert allowed.returncode == 0, allowed.stderr
    assert members(emulator) == []
    assert allowed.states == [{"position": 1}, {"position": 2}]


def test_state_after_activate_version_waits_for_the_mirror_to_succeed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter(emulator, tmp_path)
    plan_next_syncs(emulator, count=1, seconds=0.2)  # the version's own sync
    plan_next_syncs(emulator, count=1, status="error")  # the export of the list's members
    messages = [
        *emails("audience", "ann@x.com", version=5),
        state(1),
        activate("audience", 5),
        state(2),
    ]

    run = run_audience(emulator, tmp_path, mirrored(), messages)

    assert run.returncode == 1
    assert "reading the members of {{ContactList[101]}}, ended 'error'" in run.stderr
    assert run.states == [{"position": 1}]
    assert members(emulator) == PEOPLE


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        (
            audience({"action": "add", "destination": "Newsleter"}),
            "stream 'audience', sync action add 'Newsleter': Eloqua has no contact list of that "
            "name",
        ),
        (
            {**audience(ADD_TO_NEWSLETTER), "fields": {"email": "C_FirstName"}},
            "stream 'audience', property 'email', field 'C_FirstName': cannot be the "
            "identifier: Eloqua's sync actions match contacts only on {{Contact.Id}} or "
            "{{Contact.Field(C_EmailAddress)}} or {{Contact.Field(ContactIDExt)}}",
        ),
        (
            audience(*[ADD_TO_NEWSLETTER] * 11),
            "stream 'audience': 11 sync_actions; Eloqua takes at most 10",
        ),
    ],
)
def test_sync_action_config_errors_stop_the_run_before_anything_is_sent(
    emulator: EmulatorServer, tmp_path: Path, mapping: dict[str, Any], problem: str
) -> None:
    run = run_audience(emulator, tmp_path, mapping, emails("audience", "ann@x.com"))

    assert run.returncode == 1
    assert problem in run.stderr
    assert data_uploads(emulator) == []


def test_a_record_eloqua_rejects_in_a_sync_of_actions_is_in_the_rejects_file(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    load_people(emulator, tmp_path, *PEOPLE[:1])
    rejects_path = tmp_path / "rejects.jsonl"
    config = emulator_config(
        emulator,
        streams={"audience": audience(ADD_TO_NEWSLETTER)},
        rejects_path=str(rejects_path),
        max_rejects=1,
    )

    run = run_target(config, emails("audience", "ann@x.com", "not an email"), tmp_path)

    assert run.returncode == 0, run.stderr
    [reject] = rejects_in(rejects_path)
    assert (reject["stream"], reject["status_code"]) == ("audience", "ELQ-00002")
    assert reject["record"] == {"email": "not an email"}
    assert members(emulator) == ["ann@x.com"]


def test_an_account_list_is_mirrored_by_name(emulator: EmulatorServer, tmp_path: Path) -> None:
    companies = {"identifier": "name", "fields": {"name": "M_CompanyName"}}
    key_accounts = {
        "entity": "accounts",
        "identifier": "name",
        "fields": {"name": "M_CompanyName"},
        "actions_only": True,
        "mirror": True,
        "sync_actions": [{"action": "add", "destination": "Key accounts"}],
    }
    schema = schema_message("key_accounts", {"name": {"type": "string"}}, ["name"])
    config = emulator_config(
        emulator, streams={"companies": companies, "key_accounts": key_accounts}
    )
    names = ["Acme", "Globex", "Initech"]
    first = [
        schema_message("companies", {"name": {"type": "string"}}, ["name"]),
        *(record_message("companies", name=name) for name in names),
        schema,
        *(record_message("key_accounts", name=name) for name in names),
        activate("key_accounts", 1),
    ]
    second = [schema, record_message("key_accounts", name="GLOBEX"), activate("key_accounts", 2)]

    runs = [run_target(config, messages, tmp_path) for messages in (first, second)]

    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    lists = {a["fields"]["M_CompanyName"]: a["lists"] for a in admin(emulator, "records/accounts")}
    assert lists == {"Acme": [], "Globex": [201], "Initech": []}


def test_the_actions_of_custom_object_records_reach_their_linked_contacts(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    load_people(emulator, tmp_path, *PEOPLE[:2])
    purchases = {
        **PURCHASES_MAPPING,
        "fields": {"order": "Order_Number1", "email": "Contact_Email1"},
    }
    buyers = {
        "entity": "customObjects/9",
        "identifier": "purchase_id",
        "fields": {"purchase_id": "{{CustomObject[9].Id}}"},
        "actions_only": True,
        "sync_actions": [{"action": "add", "destination": "Webinar attendees"}],
    }
    config = emulator_config(emulator, streams={"purchases": purchases, "buyers": buyers})
    messages = [
        schema_message("purchases", {"order": {"type": "string"}, "email": {"type": "string"}}),
        record_message("purchases", order="o-1", email="bob@x.com"),
        schema_message("buyers", {"purchase_id": {"type": "integer"}}),
        record_message("buyers", purchase_id=1),
    ]

    run = run_target(config, messages, tmp_path)

    assert run.returncode == 0, run.stderr
    assert members(emulator, 102) == ["bob@x.com"]


BY_CRM_ID = audience(
    ADD_TO_NEWSLETTER, mirror=True, identifier="crm_id", fields={"crm_id": "ContactIDExt"}
)
"""A mirror stream matching contacts on their ContactIDExt, not their email address."""


def fill_newsletter_with_crm_ids(
    emulator: EmulatorServer, tmp_path: Path, crm_ids: dict[str, str | None]
) -> None:
    """Contacts with these email addresses and ContactIDExt (None: none), in the Newsletter."""
    people = {
        "entity": "contacts",
        "identifier": "email",
        "fields": {"email": "C_EmailAddress", "crm_id": "ContactIDExt"},
        "sync_actions": [ADD_TO_NEWSLETTER],
    }
    messages = [
        schema_message("people", {**EMAIL, "crm_id": {"type": ["string", "null"]}}),
        *(record_message("people", email=e, crm_id=c) for e, c in crm_ids.items()),
    ]
    run = run_target(emulator_config(emulator, streams={"people": people}), messages, tmp_path)
    assert run.returncode == 0, run.stderr
    assert members(emulator) == sorted(crm_ids)


def crm_id_version(*crm_ids: str) -> list[dict[str, Any]]:
    """A version of the stream that sends these ContactIDExt, ACTIVATE_VERSION, then STATE."""
    return [
        schema_message("audience", {"crm_id": {"type": "string"}}, ["crm_id"]),
        *(record_message("audience", crm_id=crm_id) for crm_id in crm_ids),
        activate("audience", 1),
        state(1),
    ]


def test_mirror_removes_a_member_without_the_identifier_and_counts_what_eloqua_removed(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter_with_crm_ids(
        emulator, tmp_path, {"ann@x.com": "C1", "bob@x.com": None, "cy@x.com": "C3"}
    )

    run = run_audience(emulator, tmp_path, BY_CRM_ID, crm_id_version("C1"))

    assert run.returncode == 0, run.stderr
    assert members(emulator) == ["ann@x.com"]
    assert run.states == [{"position": 1}]
    assert (
        "Stream 'audience': {{ContactList[101]}} had 3 members, 1 of them sent by this "
        "version; 2 removed\n" in run.stderr
    )
    assert "were not removed" not in run.stderr
    counts = summary_of(tmp_path, "audience")
    assert (counts["list_removed"], counts["rejected"]) == (2, 0)


def test_mirror_removes_every_member_sharing_an_identifier_the_version_did_not_send(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    fill_newsletter_with_crm_ids(
        emulator, tmp_path, {"ann@x.com": "C1", "cy@x.com": "C3", "dee@x.com": "c3"}
    )

    run = run_audience(emulator, tmp_path, BY_CRM_ID, crm_id_version("C1"))

    assert run.returncode == 0, run.stderr
    assert members(emulator) == ["ann@x.com"]
    assert summary_of(tmp_path, "audience")["list_removed"] == 2
