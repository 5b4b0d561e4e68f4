"""Sync actions as Oracle documents them: what each entity takes, and what they match on."""

from __future__ import annotations

import pytest

from target_eloqua.mapping.entities import ACCOUNTS, CONTACTS, Entity
from target_eloqua.mapping.sync_actions import (
    SyncAction,
    action_problems,
    identifier_problem,
    identifier_type,
    list_destinations,
    named_destinations,
    parse_destination,
)

EMAIL_ADDRESSES = Entity("emailAddresses")
ADD = SyncAction("add", "{{ContactList[101]}}")


def test_destinations_are_statements_or_names() -> None:
    assert parse_destination("{{ContactList[101]}}") == ("ContactList", 101)
    assert parse_destination(" {{AccountList[2]}} ") == ("AccountList", 2)
    assert parse_destination("{{GlobalSubscribe}}") == ("GlobalSubscribe", None)
    assert parse_destination("Newsletter") is None
    assert parse_destination("{{ContactList[x]}}") is None


@pytest.mark.parametrize(
    ("entity", "action"),
    [
        (CONTACTS, ADD),
        (CONTACTS, SyncAction("remove", "Newsletter")),
        (CONTACTS, SyncAction("setStatus", "Product news", "unsubscribed")),
        (CONTACTS, SyncAction("setStatus", "{{GlobalSubscribe}}", "subscribed")),
        (ACCOUNTS, SyncAction("remove", "{{AccountList[201]}}")),
        (Entity("customObjects/9"), SyncAction("setStatus", "{{EmailGroup[301]}}", "subscribed")),
        (EMAIL_ADDRESSES, SyncAction("setStatus", "{{GlobalSubscribe}}", "unsubscribed")),
        (EMAIL_ADDRESSES, SyncAction("setStatus", "{{GlobalSubscribe}}", "bounced")),
    ],
)
def test_every_documented_action_is_taken(entity: Entity, action: SyncAction) -> None:
    assert action_problems("s", entity, [action]) == []


@pytest.mark.parametrize(
    ("entity", "action", "problem"),
    [
        (ACCOUNTS, ADD, "accounts take sync actions on account list only"),
        (
            CONTACTS,
            SyncAction("setStatus", "{{ContactList[1]}}", "subscribed"),
            "takes the action add or remove",
        ),
        (
            CONTACTS,
            SyncAction("add", "{{EmailGroup[1]}}"),
            "email group takes the action setStatus",
        ),
        (
            CONTACTS,
            SyncAction("setStatus", "Product news"),
            "the status must be subscribed or unsubscribed, not None",
        ),
        (CONTACTS, SyncAction("add", "Newsletter", "subscribed"), "add takes no status"),
        (
            EMAIL_ADDRESSES,
            SyncAction("setStatus", "{{GlobalSubscribe}}", "subscribed"),
            "unsubscribed or bounced, not 'subscribed'",
        ),
        (
            EMAIL_ADDRESSES,
            SyncAction("add", "Newsletter"),
            "take sync actions on the global subscription only",
        ),
        (CONTACTS, SyncAction("add", " "), "the destination is blank"),
    ],
)
def test_an_action_the_entity_does_not_take_is_a_problem_naming_it(
    entity: Entity, action: SyncAction, problem: str
) -> None:
    [said] = action_problems("s", entity, [action])

    assert said.startswith(f"stream 's', sync action 1 ({action.action} {action.destination})")
    assert problem in said


def test_more_than_ten_actions_is_a_problem() -> None:
    assert action_problems("s", CONTACTS, [ADD] * 11) == [
        "stream 's': 11 sync_actions; Eloqua takes at most 10"
    ]


def test_an_email_address_is_unsubscribed_or_bounced_not_both() -> None:
    actions = [
        SyncAction("setStatus", "{{GlobalSubscribe}}", "unsubscribed"),
        SyncAction("setStatus", "{{GlobalSubscribe}}", "bounced"),
    ]

    [problem] = action_problems("s", EMAIL_ADDRESSES, actions)

    assert "unsubscribed or marked as bounced, not both" in problem


def test_names_are_looked_up_as_lists_or_email_groups_by_their_action() -> None:
    actions = [
        SyncAction("add", "Newsletter"),
        SyncAction("remove", "Newsletter"),
        SyncAction("setStatus", "Product news", "subscribed"),
        SyncAction("setStatus", "{{GlobalSubscribe}}", "subscribed"),
        ADD,
    ]

    assert named_destinations(CONTACTS, actions) == {
        ("ContactList", "Newsletter"),
        ("EmailGroup", "Product news"),
    }
    assert named_destinations(ACCOUNTS, [SyncAction("add", "Key accounts")]) == {
        ("AccountList", "Key accounts")
    }


@pytest.mark.parametrize(
    ("entity", "statement", "allowed"),
    [
        (CONTACTS, "{{Contact.Field(C_EmailAddress)}}", True),
        (CONTACTS, "{{Contact.Field(ContactIDExt)}}", True),
        (CONTACTS, "{{Contact.Id}}", True),
        (CONTACTS, "{{Contact.Field(C_FirstName)}}", False),
        (ACCOUNTS, "{{Account.Field(M_CompanyName)}}", True),
        (ACCOUNTS, "{{Account.Field(M_City)}}", False),
        (Entity("customObjects/9"), "{{CustomObject[9].ExternalId}}", True),
        (Entity("customObjects/9"), "{{CustomObject[9].Field[103]}}", False),
        (EMAIL_ADDRESSES, "{{EmailAddress.Field(EmailAddress)}}", True),
    ],
)
def test_sync_actions_match_only_on_the_fields_oracle_lists(
    entity: Entity, statement: str, allowed: bool
) -> None:
    problem = identifier_problem(entity, statement)

    assert (problem is None) is allowed
    if problem:
        assert problem.startswith(f"Eloqua's sync actions match {entity.path} only on")


def test_identifiers_are_compared_as_their_type() -> None:
    assert identifier_type("{{Contact.Id}}") == "number"
    assert identifier_type("{{Contact.Field(C_EmailAddress)}}") == "emailAddress"
    assert identifier_type("{{Account.Field(M_CompanyName)}}") == "string"


def test_the_lists_added_to_are_those_of_add_actions() -> None:
    actions = [
        ADD,
        SyncAction("remove", "{{ContactList[102]}}"),
        SyncAction("setStatus", "{{EmailGroup[301]}}", "subscribed"),
        SyncAction("add", "{{AccountList[201]}}"),
    ]

    assert list_destinations(actions) == ["{{ContactList[101]}}", "{{AccountList[201]}}"]
