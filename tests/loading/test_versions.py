"""The versions of mirror streams: the identifiers each sends, kept on disk, and its
ACTIVATE_VERSION: a mirror job in the pipeline that STATE waits for, or a version that sent
nothing, held until the input says which it is.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from target_eloqua.errors import EmptyVersionError
from target_eloqua.loading.checkpoints import Checkpoints
from target_eloqua.loading.pipeline import SyncPipeline
from target_eloqua.loading.versions import SentIdentifiers, Versions
from target_eloqua.mapping.streams import StreamMapping, parse_stream_mapping

NEVER = threading.Event()
AUDIENCE = {
    "entity": "contacts",
    "identifier": "email",
    "fields": {"email": "{{Contact.Field(C_EmailAddress)}}"},
    "actions_only": True,
    "mirror": True,
    "sync_actions": [{"action": "add", "destination": "{{ContactList[101]}}"}],
}


def audience(**changes: Any) -> StreamMapping:
    return parse_stream_mapping("audience", {**AUDIENCE, **changes})


def test_identifiers_are_compared_as_eloqua_compares_them() -> None:
    emails = SentIdentifiers("{{Contact.Field(C_EmailAddress)}}")
    ids = SentIdentifiers("{{Contact.Id}}")
    emails.add(["ann@x.com", "BOB@x.com", "ann@x.com"])
    ids.add(["7", "12"])

    assert emails.count == 2
    assert emails.missing(["Ann@X.com ", "bob@x.com", "cy@x.com"]) == ["cy@x.com"]
    assert emails.missing(["", "ann@x.com"]) == [""]  # a member without one was not sent
    assert ids.missing(["7.0", "012", "13"]) == ["13"]
    emails.close()
    ids.close()


class Mirrors:
    """Versions on a real pipeline and checkpoints, whose mirror jobs note what they were given."""

    def __init__(self) -> None:
        self.states: list[dict[str, Any]] = []
        self.checkpoints = Checkpoints(self.states.append)
        self.pipeline = SyncPipeline(self.checkpoints.batch_loaded)
        self.versions = Versions(self.checkpoints, self.pipeline)
        self.jobs: list[int] = []
        """For each mirror job run, how many identifiers its version sent."""
        self.release = threading.Event()
        """Mirror jobs end once it is set."""

    def start(self, sent: SentIdentifiers) -> Any:
        mirrors = self

        class Job:
            def run_job(self) -> None:
                assert mirrors.release.wait(5)
                mirrors.jobs.append(sent.count)
                sent.close()

            def skip(self, reason: BaseException) -> None:
                sent.close()

        return Job()

    def batch(self, mapping: StreamMapping, *identifiers: str) -> None:
        """A batch of the stream, drained: its identifiers noted, its sync run."""
        number = self.checkpoints.open_batch()
        self.versions.sent(mapping, identifiers)
        self.pipeline.submit(
            mapping.stream, 2, frozenset(identifiers), batch=number, run=lambda: None, skip=print
        )

    def written_so_far(self) -> list[dict[str, Any]]:
        time.sleep(0.2)  # for the writer to write what is due
        return list(self.states)

    def written(self) -> list[dict[str, Any]]:
        self.release.set()
        self.pipeline.wait(NEVER)
        self.checkpoints.close()
        return self.states


def test_at_activate_version_the_mirror_job_runs_and_state_after_it_waits_for_it() -> None:
    mirrors, mapping = Mirrors(), audience()
    mirrors.batch(mapping, "a@x.com", "b@x.com")
    mirrors.batch(mapping, "c@x.com")

    mirrors.versions.activate(mapping, mirrors.start)
    mirrors.checkpoints.hold({"version": 1})
    mirrors.batch(mapping, "a@x.com")
    mirrors.versions.activate(mapping, mirrors.start)

    assert mirrors.written_so_far() == []  # the mirror job has not ended
    assert mirrors.written() == [{"version": 1}]
    assert mirrors.jobs == [3, 1]


def test_an_activate_version_before_the_records_of_a_version_opens_it() -> None:
    mirrors, mapping = Mirrors(), audience()
    mirrors.versions.activate(mapping, mirrors.start)  # as tap-postgres sends one first
    mirrors.checkpoints.hold({"started": True})
    assert mirrors.written_so_far() == []  # not known yet: the opening of a version, or its end
    mirrors.batch(mapping, "a@x.com")
    assert mirrors.written_so_far() == [{"started": True}]
    mirrors.versions.activate(mapping, mirrors.start)
    mirrors.versions.end_of_input()

    assert mirrors.written() == [{"started": True}]
    assert mirrors.jobs == [1]


def test_a_version_that_sent_nothing_fails_the_run_and_holds_its_state() -> None:
    mirrors, mapping = Mirrors(), audience()
    mirrors.checkpoints.hold({"before": True})
    mirrors.versions.activate(mapping, mirrors.start)
    mirrors.checkpoints.hold({"after": True})

    with pytest.raises(EmptyVersionError, match="stream 'audience': its ACTIVATE_VERSION"):
        mirrors.versions.end_of_input()

    assert mirrors.written() == [{"before": True}]
    assert mirrors.jobs == []


def test_a_version_that_sent_nothing_empties_the_lists_when_allowed() -> None:
    mirrors, mapping = Mirrors(), audience(mirror_allow_empty=True)
    mirrors.versions.activate(mapping, mirrors.start)
    mirrors.checkpoints.hold({"after": True})

    mirrors.versions.end_of_input()

    assert mirrors.written_so_far() == []
    assert mirrors.written() == [{"after": True}]
    assert mirrors.jobs == [0]
