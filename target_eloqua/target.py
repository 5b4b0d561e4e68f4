"""target-eloqua: the Singer target that loads streams into Eloqua through the Bulk API 2.0."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import click
from singer_sdk import Target
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.sinks import Sink

from target_eloqua.bulk import (
    BulkClient,
    EloquaBasicAuth,
    EloquaError,
    discover_base_url,
)
from target_eloqua.bulk.client import ResponseHook
from target_eloqua.definitions import DefinitionRefusedError, ImportDefinitions
from target_eloqua.dry_run import DryRunWriter
from target_eloqua.mapping import (
    MappingError,
    StreamMapping,
    parse_stream_mappings,
    unmapped_stream_error,
)
from target_eloqua.preflight import create_definitions, resolve_with_eloqua
from target_eloqua.rejects import RejectsFile
from target_eloqua.report import RunReport, write_summary
from target_eloqua.settings import CONFIG_SCHEMA, NUMBER_SETTINGS, SECRET_SETTINGS
from target_eloqua.sink import (
    EloquaSink,
    SkippedStreamSink,
    SyncFailedError,
    UnloadableRecordError,
    UnsupportedMessageError,
)
from target_eloqua.values import UnformattableValueError


class TooManyRejectsError(Exception):
    """The run's rejected records went over ``max_rejects``."""


EXPLAINED_FAILURES = (
    DefinitionRefusedError,
    EloquaError,
    SyncFailedError,
    TooManyRejectsError,
    UnformattableValueError,
    UnloadableRecordError,
    UnsupportedMessageError,
)
"""Errors whose message says what went wrong and where, so a traceback would only bury it."""


class TargetEloqua(Target):
    """Load Singer streams into Oracle Eloqua through the Bulk API 2.0."""

    name = "target-eloqua"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = EloquaSink

    def __init__(self, **kwargs: Any) -> None:
        """Check every stream mapping against Eloqua before any input is read.

        The target also holds what the sinks share: the pod's base URL (discovered once per
        run), each stream's import definition and the run's report.
        """
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._base_url: str | None = self.config.get("base_url")
        self._notes: set[str] = set()
        self.report = RunReport()
        try:
            self.dry_run = self._dry_run_writer()
            self.rejects = self._rejects_file()
            self.definitions = ImportDefinitions()
            self.stream_mappings = self._settle_with_eloqua()
        except BaseException as error:
            self.finish(error)
            raise

    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: Any = None,
        file_input: IO[str] | None = None,
    ) -> None:
        """Run the target: the SDK's ``Target.invoke``, with the run's report written however
        the run ends. A failure the target can explain ends the log in its own words, not with
        a traceback: the message is what an operator reading a CI log needs.
        """
        if about:
            super().invoke(about=about, about_format=about_format)
        cls.print_version(print_fn=cls.logger.info)
        try:
            target = cls(
                config=config.config if config else {},
                validate_config=True,
                parse_env_config=config.parse_env if config else False,
            )
            target.load(file_input)
        except EXPLAINED_FAILURES as error:
            cls.logger.error("%s", error)
            sys.exit(1)

    def load(self, file_input: IO[str] | None = None) -> None:
        """Read and load the input to its end, then report the run, also when it failed."""
        try:
            self.listen(file_input)
        except BaseException as error:
            self.finish(error)
            raise
        self.finish()

    def finish(self, error: BaseException | None = None) -> None:
        """End the run's log with its numbers, and write the summary and the rejects file."""
        if self.report.streams:
            for line in self.report.table().splitlines():
                self.logger.info(line)
        rejects: RejectsFile | None = getattr(self, "rejects", None)  # None if __init__ failed
        if rejects is not None:
            rejects.close()
        path = self.config.get("summary_path")
        if not path:
            return
        exit_code = 0 if error is None else _exit_code(error)
        summary = self.report.summary(
            exit_code=exit_code, error=None if error is None else _error_text(error)
        )
        write_summary(Path(path), summary)
        self.logger.info("Run summary written to %s", path)

    def check_rejects(self) -> None:
        """Fail the run once its rejected records go over ``max_rejects``."""
        rejected, allowed = self.report.rejected(), self.config["max_rejects"]
        if rejected > allowed:
            where = self.config.get("rejects_path")
            raise TooManyRejectsError(
                f"Eloqua rejected {rejected} records in this run, more than max_rejects "
                f"({allowed}); "
                + (f"they are listed in {where}" if where else "set rejects_path to list them")
            )

    @classmethod
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """Read the config files, reporting one that cannot be read in one line (exit 1)."""
        try:
            return super().cb_config(ctx, param, value)
        except (OSError, ValueError) as error:
            cls.logger.error("Cannot read the config file %s: %s", " and ".join(value), error)
            ctx.exit(1)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Check the settings beyond their JSON Schema: credentials and every stream mapping.

        A schema error about a secret setting would quote its value; that value is hidden.
        """
        self._read_numeric_text()
        try:
            errors = super()._validate_config(raise_errors=True)
        except ConfigValidationError as error:
            errors = [self._without_secrets(message) for message in error.errors]
        if not errors:
            errors = self._setting_problems()
            try:
                parse_stream_mappings(self.config.get("streams") or {})
            except MappingError as error:
                errors += error.problems
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        return errors

    def _read_numeric_text(self) -> None:
        """Take ``"0.5"`` for a number setting: environment variables (``--config ENV``, or
        Meltano's) carry every number as text, and the SDK converts only integers.
        """
        for name in NUMBER_SETTINGS:
            value = self._config.get(name)
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    self._config[name] = float(value)

    def _without_secrets(self, message: str) -> str:
        for name in SECRET_SETTINGS:
            value = self.config.get(name)
            if value not in (None, "") and f"in config[{name!r}]" in message:
                message = message.replace(str(value), "<hidden>")
        return message

    def _setting_problems(self) -> list[str]:
        """What the schema cannot say: credentials given together, a batch of one row or more."""
        problems = []
        missing = [key for key in ("company", "username", "password") if not self.config.get(key)]
        if missing:
            problems.append(f"missing Eloqua credentials: set {', '.join(missing)}")
        batch_size = self.config.get("batch_size_rows")
        if batch_size is not None and batch_size < 1:
            problems.append(f"batch_size_rows must be at least 1, not {batch_size}")
        return problems

    def _settle_with_eloqua(self) -> dict[str, StreamMapping]:
        """The stream mappings, checked against Eloqua before any input is read; in a real run,
        each stream's import definition is created too (see ``preflight``).
        """
        client = self.new_client()
        try:
            mappings = resolve_with_eloqua(parse_stream_mappings(self.config["streams"]), client)
            if not self.dry_run:
                create_definitions(mappings, self.definitions, client)
        except MappingError as error:
            raise ConfigValidationError(
                "The stream mappings do not work with this Eloqua", errors=error.problems
            ) from error
        finally:
            client.close()
        return mappings

    @cached_property
    def auth(self) -> EloquaBasicAuth:
        """Basic credentials, ``Company\\User:password``."""
        return EloquaBasicAuth(
            self.config["company"], self.config["username"], self.config["password"]
        )

    def _dry_run_writer(self) -> DryRunWriter | None:
        """Where a dry run writes its uploads; ``None`` when the run really loads."""
        if not self.config.get("dry_run"):
            return None
        configured = self.config.get("dry_run_dir")
        if not configured:
            directory = Path(tempfile.mkdtemp(prefix="target-eloqua-dry-run-"))
        else:
            directory = Path(configured)
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ConfigValidationError(
                    "Config validation failed",
                    errors=[f"dry_run_dir: cannot make the directory {directory}: {error}"],
                ) from error
        self.logger.info("Dry run: what would be uploaded is written to %s", directory)
        return DryRunWriter(directory)

    def _rejects_file(self) -> RejectsFile | None:
        """The run's rejects file, emptied; ``None`` when ``rejects_path`` is not set."""
        configured = self.config.get("rejects_path")
        if not configured:
            return None
        try:
            return RejectsFile(Path(configured))
        except OSError as error:
            raise ConfigValidationError(
                "Config validation failed",
                errors=[f"rejects_path: cannot write {configured}: {error}"],
            ) from error

    def base_url(self) -> str:
        """The pod's URL: ``base_url`` if set, else discovered through ``/id`` once per run."""
        with self._lock:
            if self._base_url is None:
                self._base_url = discover_base_url(self.config["login_url"], self.auth)
                self.logger.info("Eloqua instance found at %s", self._base_url)
            return self._base_url

    def new_client(self, on_response: ResponseHook | None = None) -> BulkClient:
        """A Bulk API client of its own for the caller (clients are not shared by threads)."""
        return BulkClient(self.base_url(), self.auth, on_response=on_response)

    def log_once(self, message: str, *args: Any, warning: bool = False) -> None:
        """Log a note about a stream once per run, however many sinks the stream gets."""
        text = message % args
        with self._lock:
            if text in self._notes:
                return
            self._notes.add(text)
        (self.logger.warning if warning else self.logger.info)(text)

    def get_sink(
        self,
        stream_name: str,
        *,
        record: dict[str, Any] | None = None,
        schema: dict[str, Any] | None = None,
        key_properties: Sequence[str] | None = None,
    ) -> Sink:
        """The stream's sink; on a new SCHEMA, what the old sink holds is loaded first.

        The SDK would load the old sink's records only at the next full drain, possibly after
        newer records of the same stream, which an upsert would then overwrite with older
        values (meltano/sdk#3237).
        """
        if (
            schema is not None
            and stream_name not in self.stream_mappings
            and not self._dropped_by_stream_maps(stream_name)
        ):
            self._check_unmapped_stream(stream_name, schema, key_properties)
        sink = super().get_sink(
            stream_name, record=record, schema=schema, key_properties=key_properties
        )
        if schema is not None:
            for replaced in [s for s in self._sinks_to_clear if s.stream_name == stream_name]:
                self.drain_one(replaced)
        return sink

    def _dropped_by_stream_maps(self, stream_name: str) -> bool:
        """Whether ``stream_maps`` drops the stream (``"stream": null``): nothing to map then."""
        maps = self.mapper.stream_maps.get(stream_name, [])
        return bool(maps) and all(isinstance(m, RemoveRecordTransform) for m in maps)

    def _check_unmapped_stream(
        self, stream_name: str, schema: dict[str, Any], key_properties: Sequence[str] | None
    ) -> None:
        if self.config["unmapped_streams"] == "skip":
            self.log_once(
                "Stream '%s' has no mapping in 'streams': its records are skipped",
                stream_name,
                warning=True,
            )
            return
        raise ConfigValidationError(
            f"Stream '{stream_name}' has no mapping",
            errors=[unmapped_stream_error(stream_name, schema, key_properties)],
        )

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """Mapped streams load into Eloqua; unmapped ones (with ``skip``) are dropped."""
        if stream_name in self.stream_mappings:
            return EloquaSink
        return SkippedStreamSink

    def _write_state_message(self, state: dict[str, Any]) -> None:
        """A dry run loads nothing, so it must not tell the orchestrator that anything is done."""
        if self.dry_run:
            self.logger.info("Dry run: STATE not written")
            return
        super()._write_state_message(state)


def _error_text(error: BaseException) -> str:
    """What the summary says went wrong: the message, with each problem of a config error."""
    if isinstance(error, ConfigValidationError):
        return "\n".join([str(error), *error.errors])
    return str(error) or type(error).__name__


def _exit_code(error: BaseException) -> int:
    """The exit status a failure ends the run with."""
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, int) else 1
    return 1
