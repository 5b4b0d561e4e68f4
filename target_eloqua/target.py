"""target-eloqua: the Singer target that loads streams into Eloqua through the Bulk API 2.0."""

from __future__ import annotations

import contextlib
import copy
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from functools import cached_property, partial
from pathlib import Path
from types import FrameType
from typing import IO, Any

import click
from singer_sdk import Target, metrics
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.mapper import RemoveRecordTransform, SameRecordTransform, StreamMap
from singer_sdk.metrics import Metric, Point, Tag
from singer_sdk.singerlib.json import serialize_json
from singer_sdk.sinks import Sink

from target_eloqua import run_files
from target_eloqua.bad_records import RECORD_PROBLEMS, bad_record_error
from target_eloqua.batch_job import SyncFailedError
from target_eloqua.bulk import BulkClient, EloquaAuth, EloquaError, discover_base_url
from target_eloqua.credentials import credential_problems, eloqua_auth
from target_eloqua.definitions import DefinitionRefusedError, ImportDefinitions
from target_eloqua.mapping import (
    MappingError,
    StreamMapping,
    parse_stream_mappings,
    unmapped_stream_error,
)
from target_eloqua.parallel import run_all
from target_eloqua.pipeline import SyncPipeline
from target_eloqua.preflight import create_definitions, resolve_with_eloqua
from target_eloqua.reader import BadInputError, MessageReader
from target_eloqua.report import RunReport, error_text, exit_code_of
from target_eloqua.settings import CONFIG_SCHEMA, NUMBER_SETTINGS, SECRET_SETTINGS
from target_eloqua.sink import (
    EloquaSink,
    SkippedStreamSink,
    TargetSink,
    UnloadableRecordError,
    UnsupportedMessageError,
)


class TooManyRejectsError(Exception):
    """The run's rejected records went over ``max_rejects``."""


class StoppedBySignal(SystemExit):
    """SIGTERM or SIGINT: the run stops at once, with the exit status ``128 + signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"stopped by signal {self.signum} ({signal.Signals(self.signum).name})"


EXPLAINED_FAILURES = (
    BadInputError,
    DefinitionRefusedError,
    EloquaError,
    SyncFailedError,
    TooManyRejectsError,
    UnloadableRecordError,
    UnsupportedMessageError,
)
"""Errors whose message says what went wrong and where, so a traceback would only bury it."""


class TargetEloqua(Target):
    """Load Singer streams into Oracle Eloqua through the Bulk API 2.0."""

    name = "target-eloqua"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = EloquaSink
    message_reader_class = MessageReader
    message_reader: MessageReader

    def __init__(self, **kwargs: Any) -> None:
        """Check every stream mapping against Eloqua before any input is read.

        The target also holds what the sinks share: the pod's base URL (discovered once per
        run), each stream's import definition and the run's report.
        """
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._base_url: str | None = self.config.get("base_url")
        self._notes: set[str] = set()
        self.stopping = threading.Event()
        """Set by a signal: drains end before their next request to Eloqua."""
        self.report = RunReport()
        self.summary_path = run_files.summary_path(self.config)
        self.dry_run = run_files.dry_run_writer(self.config)
        self.rejects = run_files.rejects_file(self.config)
        self.definitions = ImportDefinitions(per_stream=self.config["max_syncs_per_stream"])
        self.syncs = SyncPipeline(self._emit_state)
        self.stream_mappings = self._settle_with_eloqua()

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
        raw_config: dict[str, Any] = config.config if config else {}
        parse_env = bool(config and config.parse_env)
        try:
            try:
                target = cls(config=raw_config, validate_config=True, parse_env_config=parse_env)
            except BaseException as error:
                cls._write_failed_summary(raw_config, parse_env, error)
                raise
            target.load(file_input)
        except EXPLAINED_FAILURES as error:
            cls.logger.error("%s", error)
            sys.exit(1)

    @classmethod
    def _write_failed_summary(
        cls, raw_config: dict[str, Any], parse_env: bool, error: BaseException
    ) -> None:
        """The summary of a run that failed before it started (a config or mapping problem)."""
        path = raw_config.get("summary_path")
        if parse_env:
            path = cls._env_var_config.get("summary_path", path)
        if isinstance(path, str) and path:
            summary = RunReport().summary(exit_code=exit_code_of(error), error=error_text(error))
            run_files.write_summary_file(Path(path), summary)

    def load(self, file_input: IO[str] | None = None) -> None:
        """Read and load the input to its end, then report the run, also when it failed.

        A failed run first lets the syncs already started end (not after a signal): what they
        load is reported, and the STATE they cover is written.

        Bad input stops the run, but only after what was read before it is loaded, with the
        last STATE that came before it.
        """
        try:
            try:
                self.listen(file_input)
            except BadInputError as bad_input:
                self._load_what_came_before(bad_input)
                raise
        except BaseException as error:
            if not isinstance(error, StoppedBySignal):
                self.syncs.settle(self.stopping)
            self.finish(error)
            raise
        self.finish()

    def _load_what_came_before(self, bad_input: BadInputError) -> None:
        """Load every record read before the bad input, and write the last STATE read.

        Reading stopped at the bad line, so that STATE came before it and covers only records
        read before it, which are now loaded; the tap's next run starts from there. A failure
        of this load is the run's error, after the bad input is logged.
        """
        self.logger.info(
            "Bad input: loading the records read before it, with the STATE that came before it; "
            "then the run stops"
        )
        try:
            self.drain_all()
            self.syncs.wait(self.stopping)
        except BaseException:
            self.logger.error("%s", bad_input)
            raise

    def finish(self, error: BaseException | None = None) -> None:
        """End the run's log with its numbers; write the summary and close the rejects file."""
        for sink in [*self._sinks_active.values(), *self._sinks_to_clear]:
            if isinstance(sink, TargetSink):
                self.report.add(sink.stream_name, read=sink.unloaded_records())
        for line in self.report.reject_summary():
            self.logger.info(line)
        if self.report.streams:
            for line in self.report.table().splitlines():
                self.logger.info(line)
        if self.rejects is not None:
            self.rejects.close()
        if self.summary_path is not None:
            summary = self.report.summary(
                exit_code=0 if error is None else exit_code_of(error),
                error=None if error is None else error_text(error),
            )
            run_files.write_summary_file(self.summary_path, summary)

    def check_rejects(self) -> None:
        """Fail the run once its rejected records go over ``max_rejects``."""
        rejected, allowed = self.report.rejected(), self.config["max_rejects"]
        if rejected > allowed:
            where = self.config.get("rejects_path")
            raise TooManyRejectsError(
                f"Eloqua has rejected {rejected} record{'s' if rejected != 1 else ''} so far in "
                f"this run, more than max_rejects ({allowed}); "
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
        """Check the settings beyond their JSON Schema: credentials, the batch size, the output
        files and every stream mapping.

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
        """What the schema cannot say: credentials that make a login and go only over https, a
        batch of one row or more, two output files that are not one.
        """
        problems = credential_problems(self.config)
        batch_size = self.config.get("batch_size_rows")
        if batch_size is not None and batch_size < 1:
            problems.append(f"batch_size_rows must be at least 1, not {batch_size}")
        summary, rejects = self.config.get("summary_path"), self.config.get("rejects_path")
        if summary and rejects and Path(summary).resolve() == Path(rejects).resolve():
            problems.append("summary_path and rejects_path must be different files")
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
    def auth(self) -> EloquaAuth:
        """Basic ``Company\\User:password``, or OAuth tokens shared by every client (see
        ``credentials``).
        """
        return eloqua_auth(self.config, on_response=partial(self._log_request_metric, None))

    def base_url(self) -> str:
        """The pod's URL: ``base_url`` if set, else discovered through ``/id`` once per run."""
        with self._lock:
            if self._base_url is None:
                self._base_url = self._discover_base_url()
            return self._base_url

    def rediscover_base_url(self, refused_at: str) -> str:
        """Where the instance lives after a 401 at ``refused_at`` (it may have moved): asked of
        ``/id`` again, once for all the clients refused there at the same time.
        """
        with self._lock:
            if self._base_url == refused_at:
                self._base_url = self._discover_base_url()
            return self._base_url or refused_at

    def _discover_base_url(self) -> str:
        base_url = discover_base_url(
            self.config["login_url"],
            self.auth,
            on_response=partial(self._log_request_metric, None),
        )
        self.logger.info("Eloqua instance found at %s", base_url)
        return base_url

    def new_client(self, stream: str | None = None) -> BulkClient:
        """A Bulk API client of its own for the caller (clients are not shared by threads);
        its requests are metrics tagged with ``stream``, if given. Unless ``base_url`` is set,
        a 401 makes it ask ``/id`` where the instance lives now.
        """
        hook = partial(self._log_request_metric, stream)
        rediscover = None if self.config.get("base_url") else self.rediscover_base_url
        return BulkClient(self.base_url(), self.auth, on_response=hook, rediscover=rediscover)

    def _log_request_metric(
        self, stream: str | None, method: str, endpoint: str, status: int, seconds: float
    ) -> None:
        """Emit the SDK's request duration metric for one answer from Eloqua."""
        tags: dict[str, Any] = {Tag.ENDPOINT: f"{method} {endpoint}", Tag.HTTP_STATUS_CODE: status}
        if stream is not None:
            tags[Tag.STREAM] = stream
        point = Point("timer", Metric.HTTP_REQUEST_DURATION, seconds, tags)
        metrics.log(self.metrics_logger, point)

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

    def _process_schema_message(self, message_dict: dict[str, Any]) -> None:
        """The SDK's, then the stream's records go to its sink undecoded if they can."""
        super()._process_schema_message(message_dict)
        self._route_records(message_dict["stream"])

    def _route_records(self, stream_name: str) -> None:
        """Have the reader hand the stream's records to its sink undecoded (``load_json``),
        when the sink can decode them itself and they reach it as they are (the stream's only
        map is the SDK's identity map, without flattening); otherwise they take the SDK's path.
        """
        loaders = self.message_reader.record_loaders
        loaders.pop(stream_name, None)
        stream_maps = self.mapper.stream_maps.get(stream_name, [])
        sink = self._sinks_active.get(stream_name)
        if (
            len(stream_maps) == 1
            and _passes_records_as_they_are(stream_maps[0])
            and stream_maps[0].stream_alias == stream_name
            and isinstance(sink, EloquaSink)
            and sink.record_decoder is not None
        ):
            loaders[stream_name] = partial(self._load_json_record, sink)

    def _load_json_record(self, sink: EloquaSink, record_json: bytes) -> bool:
        """The SDK's steps for one record, given as JSON text, as ``_load_record`` does them;
        ``False`` if the sink cannot load it so, and the record must go the SDK's way.
        """
        if not sink.load_json(record_json):
            return False
        self._drain_if_full(sink)
        self._handle_max_record_age()
        return True

    def _process_record_message(self, message_dict: dict[str, Any]) -> None:
        """The SDK's, with a record it cannot load named by its stream and position."""
        try:
            self._load_record(message_dict)
        except RECORD_PROBLEMS as error:
            position = self.message_reader.record_position(message_dict["stream"])
            raise bad_record_error(error, position) from error

    def _load_record(self, message_dict: dict[str, Any]) -> None:
        """The SDK's ``Target._process_record_message``, step by step, minus work that changes
        nothing: a stream whose only map is the SDK's identity map, without flattening, gets
        the record itself (that map returns it as it is, and no other map shares it), not a
        copy; the sink is taken from the active sinks, as the SDK's ``get_sink`` does without a
        schema; and the message's ``stream`` and ``record`` are not checked again, as the reader
        has checked them.
        """
        stream_name = message_dict["stream"]
        if stream_name not in self.mapper.stream_maps:
            self._assert_sink_exists(stream_name)
        stream_maps = self.mapper.stream_maps[stream_name]
        as_is = len(stream_maps) == 1 and _passes_records_as_they_are(stream_maps[0])
        for stream_map in stream_maps:
            raw_record = message_dict["record"]
            record = raw_record if as_is else stream_map.transform(copy.copy(raw_record))
            if record is None:  # filtered out by the map
                continue
            if stream_map.stream_alias not in self._sinks_active:
                self._assert_sink_exists(stream_map.stream_alias)
            sink = self._sinks_active[stream_map.stream_alias]
            self._load_into(sink, record, message_dict)
        self._handle_max_record_age()

    def _load_into(self, sink: Sink, record: dict[str, Any], message_dict: dict[str, Any]) -> None:
        """The SDK's steps for one record in one sink, in its order."""
        context = sink._get_context(record)
        if sink.include_sdc_metadata_properties:
            sink._add_sdc_metadata_to_record(record, message_dict, context)
        else:
            sink._remove_sdc_metadata_from_record(record)
        sink._validate_and_parse(record)
        record = sink.preprocess_record(record, context)
        sink._singer_validate_message(record)
        sink.tally_record_read()
        sink.process_record(record, context)
        sink.record_counter_metric.increment()
        sink._after_process_record(context)
        self._drain_if_full(sink)

    def _drain_if_full(self, sink: Sink) -> None:
        """The SDK's drain of a full sink, after a record."""
        if sink.is_full:
            self.logger.info(
                "Target sink for '%s' is full. Current size is '%s'. Draining...",
                sink.stream_name,
                sink.current_size,
            )
            self.drain_one(sink)

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
        """Hold STATE back until the syncs of every record read before it have succeeded.

        A dry run loads nothing, so it writes no STATE: an orchestrator must not take it for a
        load.
        """
        if self.dry_run:
            self.logger.info("Dry run: STATE not written")
            return
        self.syncs.hold_state(state)

    @staticmethod
    def _emit_state(state: dict[str, Any]) -> None:
        """Write STATE as the tap sent it: its decimals too (the SDK reads them as ``Decimal``,
        which its own writer cannot serialize, meltano/sdk#3787).
        """
        sys.stdout.write(serialize_json(state) + "\n")
        sys.stdout.flush()

    def _drain_all(self, sink_list: Iterable[Sink], parallelism: int) -> None:
        """Drain the sinks entity by entity (accounts, contacts, custom objects), those of one
        entity in parallel; only then raise the first failure, so that a sink still uploading
        when another fails finishes, and is reported.
        """
        sinks = list(sink_list)
        for order in sorted({_load_order(sink) for sink in sinks}):
            drains = [partial(self.drain_one, s) for s in sinks if _load_order(s) == order]
            run_all(drains, parallelism, self.stopping)

    def drain_earlier_entities(self, sink: EloquaSink) -> None:
        """Drain the sinks of entities that load before the sink's, so that what its records
        link to is synced first, also when the sink is drained alone because it is full.
        """
        for other in list(self._sinks_active.values()):
            if _load_order(other) < _load_order(sink):
                self.drain_one(other)

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        """Stop at once on SIGTERM or SIGINT, without draining or writing STATE.

        The SDK's handler would drain again and write STATE for a batch whose sync has not
        ended (meltano/sdk#3775). Stopping is safe: the next run sends that batch again.
        """
        for handled in (signal.SIGINT, signal.SIGTERM):  # a second signal must not cut the report
            signal.signal(handled, signal.SIG_IGN)
        self.stopping.set()
        self.logger.warning(
            "Signal %d received: stopping without loading what is buffered; no STATE is "
            "written for it",
            signum,
        )
        raise StoppedBySignal(signum)


def _passes_records_as_they_are(stream_map: StreamMap) -> bool:
    """Whether the map is the SDK's identity map without flattening: it returns the record."""
    return type(stream_map) is SameRecordTransform and not stream_map.flattening_enabled


def _load_order(sink: Sink) -> int:
    """Where the sink's entity comes in the load order; streams not loaded come first."""
    return sink.mapping.entity.load_order if isinstance(sink, EloquaSink) else -1
