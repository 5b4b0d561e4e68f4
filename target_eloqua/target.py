"""target-eloqua: the Singer target that loads streams into Eloqua through the Bulk API 2.0."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from singer_sdk import Target
from singer_sdk.exceptions import ConfigValidationError

from target_eloqua.bulk import BulkClient, EloquaBasicAuth, discover_base_url
from target_eloqua.mapping import (
    MappingError,
    StreamMapping,
    import_definition_body,
    imports_path,
    parse_stream_mappings,
)
from target_eloqua.settings import CONFIG_SCHEMA
from target_eloqua.sink import EloquaSink


class TargetEloqua(Target):
    """Load Singer streams into Oracle Eloqua through the Bulk API 2.0."""

    name = "target-eloqua"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = EloquaSink

    def __init__(self, **kwargs: Any) -> None:
        """Hold what the stream sinks share: the pod's base URL (discovered once per run) and
        each stream's import definition (created once per run).
        """
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._base_url: str | None = self.config.get("base_url")
        self._import_uris: dict[str, str] = {}

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Check the settings beyond their JSON Schema: credentials and every stream mapping."""
        errors = super()._validate_config(raise_errors=raise_errors)
        if errors:
            return errors
        errors = self._credential_problems()
        try:
            parse_stream_mappings(self.config.get("streams") or {})
        except MappingError as error:
            errors += error.problems
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        return errors

    def _credential_problems(self) -> list[str]:
        missing = [key for key in ("company", "username", "password") if not self.config.get(key)]
        if missing:
            return [f"missing Eloqua credentials: set {', '.join(missing)}"]
        return []

    @cached_property
    def stream_mappings(self) -> dict[str, StreamMapping]:
        """Each mapped stream's parsed mapping (already checked by ``_validate_config``)."""
        return parse_stream_mappings(self.config["streams"])

    @cached_property
    def auth(self) -> EloquaBasicAuth:
        """Basic credentials, ``Company\\User:password``."""
        return EloquaBasicAuth(
            self.config["company"], self.config["username"], self.config["password"]
        )

    def base_url(self) -> str:
        """The pod's URL: ``base_url`` if set, else discovered through ``/id`` once per run."""
        with self._lock:
            if self._base_url is None:
                self._base_url = discover_base_url(self.config["login_url"], self.auth)
                self.logger.info("Eloqua instance found at %s", self._base_url)
            return self._base_url

    def import_definition_uri(self, mapping: StreamMapping, client: BulkClient) -> str:
        """The stream's import definition, created on its first drain and reused after."""
        with self._lock:
            if mapping.stream not in self._import_uris:
                definition = client.create_import(
                    imports_path(mapping.entity), import_definition_body(mapping)
                )
                self._import_uris[mapping.stream] = definition["uri"]
                self.logger.info(
                    "Created import definition %s for stream '%s'",
                    definition["uri"],
                    mapping.stream,
                )
            return self._import_uris[mapping.stream]

    def get_sink_class(self, stream_name: str) -> type[EloquaSink]:
        """Every mapped stream gets an EloquaSink; an unmapped one stops the run."""
        if stream_name not in self.stream_mappings:
            mapped = ", ".join(sorted(self.stream_mappings)) or "none"
            raise MappingError(
                [
                    f"stream '{stream_name}' has no mapping: add it under 'streams' in the "
                    f"config (mapped streams: {mapped})"
                ]
            )
        return EloquaSink
