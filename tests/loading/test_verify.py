"""What ``verify`` keeps per stream: the sample left, shared by the stream's batches."""

from __future__ import annotations

from target_eloqua.loading.verify import Verification, read_back_columns
from target_eloqua.mapping.streams import parse_stream_mapping

MAPPING = parse_stream_mapping(
    "people",
    {
        "entity": "accounts",
        "identifier": "name",
        "fields": {"name": "M_CompanyName", "owners": "{{Account.User.Field(CRMOSCUserId)}}"},
        "link_users": True,
    },
)


def test_none_reads_nothing_back() -> None:
    assert not Verification("none", 1000).enabled
    assert Verification("sample", 1000).enabled


def test_a_streams_batches_share_its_sample_first_come_first_served() -> None:
    verification = Verification("sample", 10)
    checks = verification.of(MAPPING)

    assert [checks.claim(6), checks.claim(6), checks.claim(6)] == [6, 4, 0]
    assert verification.of(MAPPING) is checks


def test_all_reads_back_every_record_of_every_batch() -> None:
    checks = Verification("all", 10).of(MAPPING)
    assert [checks.claim(600), checks.claim(600)] == [600, 600]


def test_users_linked_to_accounts_are_not_read_back() -> None:
    assert [column.property for column in read_back_columns(MAPPING)] == ["name"]
