"""Opportunities, upserted on their id, and their links to contacts, directly or through
accounts."""

from __future__ import annotations

from typing import Any

from target_eloqua.emulator import EmulatorServer
from tests.emulator.conftest import Bulk, admin
from tests.emulator.test_definitions import CONTACTS
from tests.emulator.test_definitions import OPPORTUNITY_LINKS as LINKS

OPPORTUNITIES: dict[str, Any] = {
    "name": "opportunities",
    "fields": {
        "id": "{{Opportunity.Id}}",
        "name": "{{Opportunity.Field(Name)}}",
        "stage": "{{Opportunity.Field(Stage)}}",
        "amount": "{{Opportunity.Field(Amount)}}",
    },
    "identifierFieldName": "id",
}


def deal(deal_id: str, stage: str = "Proposal", amount: str = "1000") -> dict[str, str]:
    return {"id": deal_id, "name": f"Deal {deal_id}", "stage": stage, "amount": amount}


def linked(server: EmulatorServer) -> dict[str, list[int]]:
    return {
        o["fields"]["RemoteOpportunityID"]: o["contactIds"]
        for o in admin(server, "records/opportunities")
    }


def test_opportunities_are_upserted_on_their_id_and_bad_stages_rejected(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load("opportunities", OPPORTUNITIES, [deal("OPP-1")])

    sync = bulk.load(
        "opportunities",
        OPPORTUNITIES,
        [
            deal("OPP-1", stage="closed won"),
            deal("OPP-2", stage="Dreaming"),
            deal("OPP-3", amount="lots"),
        ],
    )

    assert [o["fields"]["OpportunityStageID"] for o in admin(server, "records/opportunities")] == [
        "closed won"
    ]
    rejects = bulk.items(sync["uri"] + "/rejects")
    assert [(r["statusCode"], r["message"], r["invalidFields"]) for r in rejects] == [
        ("ELQ-00039", "Invalid opportunity stage.", ["stage"]),
        ("ELQ-00040", "Invalid field value: not a number.", ["amount"]),
    ]
    assert bulk.log_counts(sync)["ELQ-00049"] == 0  # Total new records.


def test_links_name_existing_opportunities_and_contacts(bulk: Bulk, server: EmulatorServer) -> None:
    bulk.load("contacts", CONTACTS, [{"email": "ann@example.com"}, {"email": "bob@example.com"}])
    bulk.load("opportunities", OPPORTUNITIES, [deal("OPP-1")])

    sync = bulk.load(
        "opportunities/contacts",
        LINKS,
        [
            {"id": "OPP-1", "email": "ann@example.com"},
            {"id": "opp-1", "email": "BOB@example.com"},
            {"id": "OPP-1", "email": "ann@example.com"},
            {"id": "OPP-9", "email": "ann@example.com"},
            {"id": "OPP-1", "email": "zed@example.com"},
            {"id": "", "email": "ann@example.com"},
        ],
    )

    assert linked(server) == {"OPP-1": [1, 2]}
    rejects = bulk.items(sync["uri"] + "/rejects")
    assert [(r["recordIndex"], r["statusCode"], r["invalidFields"]) for r in rejects] == [
        (4, "ELQ-00084", ["id"]),
        (5, "ELQ-00085", ["email"]),
        (6, "ELQ-00061", ["id"]),
    ]
    assert [r["message"] for r in rejects[:2]] == [
        "Opportunity does not exist.",
        "Contact does not exist.",
    ]


def test_a_link_through_an_account_reaches_every_contact_of_it(
    bulk: Bulk, server: EmulatorServer
) -> None:
    bulk.load(
        "accounts",
        {
            "name": "a",
            "fields": {
                "id": "{{Account.Field(CompanyIDExt)}}",
                "name": "{{Account.Field(M_CompanyName)}}",
            },
            "identifierFieldName": "id",
        },
        [{"id": "A-1", "name": "Acme"}],
    )
    bulk.load(
        "contacts",
        {
            "name": "c",
            "fields": {
                "email": "{{Contact.Field(C_EmailAddress)}}",
                "company": "{{Contact.Account.Field(CompanyIDExt)}}",
            },
            "identifierFieldName": "email",
        },
        [
            {"email": "ann@example.com", "company": "A-1"},
            {"email": "bob@example.com", "company": "A-1"},
        ],
    )
    bulk.load("opportunities", OPPORTUNITIES, [deal("OPP-1")])
    through_accounts = {
        **LINKS,
        "fields": {
            "id": "{{Opportunity.Id}}",
            "company": "{{Opportunity.Account.Field(CompanyIDExt)}}",
        },
        "linkOpportunitiesEntityType": "Account",
        "linkOpportunitiesSourceField": "company",
        "linkOpportunitiesMultipleSourceMatches": False,
    }

    bulk.load("opportunities/contacts", through_accounts, [{"id": "OPP-1", "company": "A-1"}])
    first_only = linked(server)
    bulk.load(
        "opportunities/contacts",
        {**through_accounts, "linkOpportunitiesMultipleSourceMatches": True},
        [{"id": "OPP-1", "company": "a-1"}],
    )

    assert first_only == {"OPP-1": [1]}
    assert linked(server) == {"OPP-1": [1, 2]}
