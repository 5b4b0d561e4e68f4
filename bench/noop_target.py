"""The yardstick of ``bench/throughput.py``: a singer-sdk target whose ``BatchSink`` does nothing.

Default settings: record validation on, the SDK's own message reader, batches of 10,000 records.
Run as ``python bench/noop_target.py --input FILE``.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.sinks import BatchSink


class NoopSink(BatchSink):
    """Buffers each batch as ``BatchSink`` does, then drops it."""

    def process_batch(self, context: dict[str, Any]) -> None:
        """Load nothing."""


class NoopTarget(Target):
    """A target that reads, validates and batches records, and loads nothing."""

    name = "target-noop"
    config_jsonschema = th.PropertiesList().to_dict()
    default_sink_class = NoopSink


if __name__ == "__main__":
    NoopTarget.cli()
