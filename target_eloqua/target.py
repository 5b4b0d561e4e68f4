"""target-eloqua: the Singer target that loads streams into Eloqua through the Bulk API 2.0.

``TargetEloqua`` reads its settings, builds the run (``loading.run.Run``: report, definitions,
sync pipeline, checkpoints, rejects file, clients) and settles every stream mapping with Eloqua
before any input is read; then it reads the input, hands the run to its sinks with their classes,
each STATE to the run's checkpoints and each ACTIVATE_VERSION to its stream's sinks as they
arrive, and reports the run however it ends.

This module and ``sinks.py`` are the SDK seam: the only files that use singer-sdk's private
names, each beside its reason. Here, four hooks of the SDK's target are overridden
(``_validate_config``, ``_process_record_message``, ``_drain_all``, ``_handle_termination``)
and one class property is read (``_env_var_config``).
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from types import FrameType
from typing import IO, Any, ClassVar

import click
from singer_sdk import Target
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.mapper import RemoveRecordTransform, SameRecordTransform, StreamMap
from singer_sdk.singerlib.json import serialize_json
from singer_sdk.sinks import Sink

from target_eloqua.bulk.connection import Connection
from target_eloqua.credentials import eloqua_auth
from target_eloqua.errors import (
    EXPLAINED_FAILURES,
    BadInputError,
    RecordBeforeSchemaError,
    StateNotWrittenError,
    StoppedBySignal,
)
from target_eloqua.loading import run_files
from target_eloqua.loading.github_actions import annotate_log, append_step_summary
from target_eloqua.loading.metrics import RequestStats
from target_eloqua.loading.parallel import run_all
from target_eloqua.loading.report import RunReport, error_text, exit_code_of
from target_eloqua.loading.run import Run
from target_eloqua.loading.sdk_log import SDK_FULL_SINK_LINE, demote_sdk_drain_lines
from target_eloqua.mapping.streams import parse_stream_mappings, unmapped_stream_error
from target_eloqua.reading.bad_records import RECORD_PROBLEMS, bad_record_error
from target_eloqua.reading.reader import MessageReader
from target_eloqua.settings import (
    CONFIG_SCHEMA,
    SECRET_SETTINGS,
    read_number_text,
    setting_problems,
    shape_errors,
)
from target_eloqua.sinks import EloquaSink, SkippedStreamSink, TargetSink

MAX_RECORD_AGE_SECONDS = 5 * 60
"""After this long without a full drain, every sink is drained, as the SDK does (5 minutes)."""


class TargetEloqua(Target):
    """Load Singer streams into Oracle Eloqua through the Bulk API 2.0."""

    name = "target-eloqua"
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        *Target.capabilities,
        PluginCapabilities.ACTIVATE_VERSION,
    ]
    """The SDK's, and ACTIVATE_VERSION: ``mirror`` streams act on it (see ``_activate_version``)."""
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = EloquaSink
    message_reader_class = MessageReader
    message_reader: MessageReader

    def __init__(
        self, *, config: dict[str, Any] | None = None, parse_env_config: bool = False, **kwargs: Any
    ) -> None:
        """Read the settings, open the change store (with ``change_store``), then check every
        stream mapping against Eloqua (and create each stream's import definition) before any
        input is read; a mapping that does not work refuses the run (``Run.refused``).
        """
        settings = self.settings_from(config or {}, parse_env=parse_env_config)
        super().__init__(config=settings, parse_env_config=False, **kwargs)
        demote_sdk_drain_lines(self.logger, self.metrics_logger)
        requests = RequestStats(self.logger)
        on_response = requests.hook()
        connection = Connection(
            self.config["login_url"],
            eloqua_auth(self.config, on_response=on_response),
            base_url=self.config.get("base_url"),
            on_response=on_response,
        )
        self.run = Run(
            self.config,
            connection,
            write_state=write_state,
            flush_earlier_entities=self._flush_earlier_entities,
            logger=self.logger,
            metrics_logger=self.metrics_logger,
            requests=requests,
        )
        self.sinks: list[TargetSink] = []
        """Every sink of the run, in the order they were made (a stream's newest last)."""
        self._sink_classes = {cls: cls.of_run(self.run) for cls in (EloquaSink, SkippedStreamSink)}
        self._drained_all_at = time.monotonic()
        self.message_reader.state_handler = self._hold_state
        self.message_reader.activate_version_handler = self._activate_version
        self.run.open_change_store()
        self.run.settle_mappings(parse_stream_mappings(self.config["streams"]))
        if self.run.mapping_problems:
            self.logger.info(
                "The stream mappings do not work with this Eloqua: the run loads nothing, and "
                "stops at the first RECORD (or the end of the input) with their problems and "
                "those of the SCHEMAs before it"
            )
        else:
            self.run.open_rejects_file()

    @classmethod
    def settings_from(cls, config: dict[str, Any], *, parse_env: bool) -> dict[str, Any]:
        """The settings: ``config``, under the ``TARGET_ELOQUA_*`` environment variables if
        ``parse_env``, with number settings given as text read as numbers.
        """
        settings = dict(config)
        if parse_env:
            # SDK class property (PluginBase._env_var_config): the variables as the SDK reads
            # them (a .env file too); read here, so that numeric text is read before the
            # settings are checked.
            settings.update(cls._env_var_config)
        return read_number_text(settings)

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command; in GitHub Actions, each warning and error it logs is an annotation."""
        annotate_log()
        return super().get_singer_command()

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
                cls._write_failed_summary(cls.settings_from(raw_config, parse_env=parse_env), error)
                raise
            target.process_input(file_input)
        except EXPLAINED_FAILURES as error:
            cls.logger.error("%s", error)
            sys.exit(1)

    @classmethod
    def _write_failed_summary(cls, settings: dict[str, Any], error: BaseException) -> None:
        """The summary of a run that failed before it started (a config or mapping problem), in
        its file and, in GitHub Actions, in the job summary.
        """
        summary = RunReport().summary(exit_code=exit_code_of(error), error=error_text(error))
        path = settings.get("summary_path")
        if isinstance(path, str) and path:
            run_files.write_summary_file(Path(path), summary)
        append_step_summary(summary, rejects={})

    def process_input(self, file_input: IO[str] | None = None) -> None:
        """Read and load the input to its end, then report the run, also when it failed.

        A failed run first lets the syncs already started end (not after a signal): what they
        load is reported, and the STATE they cover is written. Either way, the last STATE that
        ended syncs cover is written before the run ends.

        Bad input stops the run, but only after what was read before it is loaded, with the
        last STATE that came before it.
        """
        try:
            try:
                self.listen(file_input)
            except BadInputError as bad_input:
                self._load_before_bad_input(bad_input)
                raise
        except BaseException as error:
            if not isinstance(error, StoppedBySignal):
                self.run.syncs.settle(self.run.stopping, error)
            ending = self.run.ending_error(error)
            self.finish(ending)
            if ending is error:
                raise
            raise ending from error
        self.finish()

    def process_endofpipe(self) -> None:
        """At the end of the input, load what is buffered (unless the run is refused) and wait
        for every sync (the SDK's end of input), then write the last STATE.
        """
        self._stop_if_refused()
        super().process_endofpipe()
        self.run.versions.end_of_input()  # held versions: emptied as allowed, or refused
        self.run.syncs.wait(self.run.stopping)
        self.run.checkpoints.close()
        error = self.run.checkpoints.write_error
        if error is not None:
            raise StateNotWrittenError(f"STATE could not be written to standard output: {error}")

    def _load_before_bad_input(self, bad_input: BadInputError) -> None:
        """Load every record read before the bad input; the STATE read before it then follows.

        Reading stopped at the bad line, so that STATE came before it and covers only records
        read before it, which are now loaded; the tap's next run starts from there. A failure
        of this load is logged; the bad input stays the run's error, its first cause, unless
        the run was refused before it (its mappings, a SCHEMA read before it): that came
        first, and is the run's error then.
        """
        if self.run.refused:
            self.logger.error("%s", bad_input)
            self._stop_if_refused()
        self.logger.info(
            "Bad input: loading the records read before it, with the STATE that came before it; "
            "then the run stops"
        )
        try:
            self.drain_all()
            self.run.syncs.wait(self.run.stopping)
        except Exception as error:
            self.logger.error(
                "Loading the records read before the bad input failed: %s",
                self.run.ending_error(error),
            )

    def finish(self, error: BaseException | None = None) -> None:
        """Count what the sinks read and did not load, then end the run's report."""
        for sink in self.sinks:
            self.run.report.add(sink.stream_name, read=sink.unloaded_records())
        self.run.finish(error)

    @classmethod
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """Read the config files, reporting one that cannot be read in one line (exit 1)."""
        try:
            return super().cb_config(ctx, param, value)
        except (OSError, ValueError) as error:
            cls.logger.error("Cannot read the config file %s: %s", " and ".join(value), error)
            ctx.exit(1)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Check the settings against their JSON Schema and beyond it (``setting_problems``),
        every problem told at once.
        """
        # SDK hook (PluginBase._validate_config): the SDK's checks are those of the schema
        # alone, and an error about a secret setting would quote its value, which is hidden.
        errors = shape_errors(self.config, self.config_jsonschema)
        try:
            if not errors:  # the SDK's validator fails on them
                errors = super()._validate_config(raise_errors=True)
        except ConfigValidationError as error:
            errors = [self._without_secrets(message) for message in error.errors]
        errors += setting_problems(self.config, schema_errors=errors)
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        return errors

    def _without_secrets(self, message: str) -> str:
        for name in SECRET_SETTINGS:
            value = self.config.get(name)
            if value not in (None, "") and f"in config[{name!r}]" in message:
                message = message.replace(str(value), "<hidden>")
        return message

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """Mapped streams load into Eloqua; unmapped ones (with ``skip``) are dropped. Either
        way, the class hands the sink its run.
        """
        if stream_name in self.run.mappings:
            return self._sink_classes[EloquaSink]
        return self._sink_classes[SkippedStreamSink]

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

        A SCHEMA that does not fit the config (a mapped property missing, no mapping) refuses
        the run: it loads nothing more, and stops before its next record, or at the end of the
        input, with the problems of every SCHEMA read until then (and of the mappings).
        """
        if schema is None:
            return super().get_sink(stream_name, record=record)
        if stream_name not in self.run.mappings and not self._dropped_by_stream_maps(stream_name):
            self._check_unmapped_stream(stream_name, schema, key_properties)
        replaced = super().get_sink(stream_name) if self.sink_exists(stream_name) else None
        sink = super().get_sink(
            stream_name, record=record, schema=schema, key_properties=key_properties
        )
        if sink is not replaced:
            assert isinstance(sink, TargetSink)  # the classes get_sink_class gives
            self.sinks.append(sink)
            if replaced is not None and not self.run.refused:
                self.drain_one(replaced)
        self._route_raw_records(stream_name, sink)
        if self.run.refused:  # every record takes the SDK's way, which stops the run
            self.message_reader.raw_record_handlers.clear()
        return sink

    def _stop_if_refused(self) -> None:
        """Stop the run if it is refused (its mappings do not work with Eloqua, or the SCHEMAs
        read so far do not fit them), with every problem, one line each.
        """
        if not self.run.refused:
            return
        causes = []
        if self.run.mapping_problems:
            causes.append("The stream mappings do not work with this Eloqua")
        if self.run.schema_problems:
            causes.append("SCHEMAs that do not fit the config")
        raise ConfigValidationError("; ".join(causes), errors=self.run.problems())

    def _route_raw_records(self, stream_name: str, sink: Sink) -> None:
        """Have the reader hand the stream's records to its sink undecoded
        (``add_record_json``), when the sink can decode them itself and they reach it as they
        are (the stream's only map is the SDK's identity map, without flattening); otherwise
        they take the SDK's path.
        """
        handlers = self.message_reader.raw_record_handlers
        handlers.pop(stream_name, None)
        stream_maps = self.mapper.stream_maps.get(stream_name, [])
        if (
            len(stream_maps) == 1
            and _passes_records_as_they_are(stream_maps[0])
            and stream_maps[0].stream_alias == stream_name
            and isinstance(sink, EloquaSink)
            and sink.record_decoder is not None
        ):
            handlers[stream_name] = partial(self._add_record_json, sink)

    def _add_record_json(self, sink: EloquaSink, record_json: bytes) -> bool:
        """What the SDK does after one record, for a record given as JSON text; ``False`` if
        the sink cannot take it so, and the record must go the SDK's way.
        """
        if not sink.add_record_json(record_json):
            return False
        self._drain_if_full(sink)
        if time.monotonic() - self._drained_all_at > MAX_RECORD_AGE_SECONDS:
            self.logger.info(
                "Records have waited %d s or more: draining all sinks", MAX_RECORD_AGE_SECONDS
            )
            self.drain_all()
        return True

    def _drain_if_full(self, sink: Sink) -> None:
        """The SDK's drain of a full sink, after a record, with the SDK's line at DEBUG."""
        if sink.is_full:
            self.logger.debug(SDK_FULL_SINK_LINE, sink.stream_name, sink.current_size)
            self.drain_one(sink)

    def _process_record_message(self, message_dict: dict[str, Any]) -> None:
        """The SDK's handling of a record, with a record it cannot load named by its place."""
        # SDK hook (Target._process_record_message): the SDK's errors about a bad record do not
        # say where in the input it is.
        self._stop_if_refused()
        try:
            super()._process_record_message(message_dict)
        except RECORD_PROBLEMS as error:
            position = self.message_reader.record_position(message_dict["stream"])
            raise bad_record_error(error, position) from error

    def _dropped_by_stream_maps(self, stream_name: str) -> bool:
        """Whether ``stream_maps`` drops the stream (``"stream": null``): nothing to map then."""
        maps = self.mapper.stream_maps.get(stream_name, [])
        return bool(maps) and all(isinstance(m, RemoveRecordTransform) for m in maps)

    def _check_unmapped_stream(
        self, stream_name: str, schema: dict[str, Any], key_properties: Sequence[str] | None
    ) -> None:
        if self.config["unmapped_streams"] == "skip":
            self.run.note_once(
                "Stream '%s' has no mapping in 'streams': its records are skipped",
                stream_name,
                warning=True,
            )
            return
        self.run.schema_problems.append(unmapped_stream_error(stream_name, schema, key_properties))

    def _drain_all(self, sink_list: Iterable[Sink], parallelism: int) -> None:
        """Drain the sinks entity by entity, in their load order (accounts, contacts, ...,
        opportunity links), those of one entity in parallel; only then raise the first failure.
        """
        # SDK hook (Target._drain_all): the SDK drains all sinks at once, in joblib threads that
        # re-raise the first failure while other drains still run, unreported.
        self._drained_all_at = time.monotonic()
        sinks = list(sink_list)
        for load_rank in sorted({_load_rank(sink) for sink in sinks}):
            drains = [partial(self.drain_one, s) for s in sinks if _load_rank(s) == load_rank]
            run_all(drains, parallelism, self.run.stopping)

    def _flush_earlier_entities(self, load_rank: int) -> None:
        """Drain the sinks of entities that load before ``load_rank``, so that what a sink's
        records link to is synced first, also when the sink is drained alone because it is full.
        """
        for sink in list(self.sinks):
            if _load_rank(sink) < load_rank:
                self.drain_one(sink)

    def _activate_version(self, message: dict[str, Any]) -> None:
        """Hand an ACTIVATE_VERSION to the sinks of its stream, once what they buffered of the
        version is drained, as the SDK's callback would, without its warning about
        ``_sdc_deleted_at`` (a column this target never loads); ``process_activate_version_messages:
        false`` ignores them.
        """
        self._stop_if_refused()
        stream = message["stream"]
        if not self.config.get("process_activate_version_messages", True):
            self.run.note_once("ACTIVATE_VERSION ignored (process_activate_version_messages)")
            return
        if stream not in self.mapper.stream_maps:
            position = f"input line {self.message_reader.line}"
            raise RecordBeforeSchemaError(
                f"stream '{stream}' ({position}): an ACTIVATE_VERSION before any SCHEMA of its "
                "stream"
            )
        for stream_map in self.mapper.stream_maps[stream]:
            if isinstance(stream_map, RemoveRecordTransform):
                continue
            sink = self.get_sink(stream_map.stream_alias)
            if isinstance(sink, EloquaSink) and sink.mapping.mirror:
                self.drain_one(sink)
            sink.activate_version(message["version"])

    def _hold_state(self, state: Any) -> None:
        """Hold a STATE, as it arrives, until every record read before it is loaded (see
        ``loading.checkpoints``); the SDK would write it only once every sink has drained,
        before their syncs have ended.

        A dry run loads nothing, so it writes no STATE: an orchestrator must not take it for a
        load; nor does a refused run, from the moment it is refused.
        """
        if self.run.dry_run:
            self.run.note_once("Dry run: STATE not written")
        elif self.run.refused:
            self.run.note_once("STATE not written: the run stops on the problems of its config")
        elif state:  # an empty STATE says nothing: the SDK writes none either
            self.run.checkpoints.hold(state)

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        """Stop at once on SIGTERM or SIGINT, without draining: the last STATE that ended
        syncs cover is written as the run ends, and none after it.
        """
        # SDK hook (PluginBase._handle_termination): the SDK's handler would drain again and
        # write STATE for a batch whose sync has not ended (meltano/sdk#3775). Stopping is
        # safe: the next run sends that batch again.
        for handled in (signal.SIGINT, signal.SIGTERM):  # a second signal must not cut the report
            signal.signal(handled, signal.SIG_IGN)
        self.run.stopping.set()
        self.logger.warning(
            "Signal %d received: stopping without loading what is buffered, nor waiting for the "
            "syncs in progress; only STATE that syncs already ended cover is written",
            signum,
        )
        raise StoppedBySignal(signum)


def write_state(state: dict[str, Any]) -> None:
    """Write STATE as the tap sent it: its decimals too (the SDK reads them as ``Decimal``,
    which its own writer cannot serialize, meltano/sdk#3787).
    """
    sys.stdout.write(serialize_json(state) + "\n")
    sys.stdout.flush()


def _passes_records_as_they_are(stream_map: StreamMap) -> bool:
    """Whether the map is the SDK's identity map without flattening: it returns the record."""
    return type(stream_map) is SameRecordTransform and not stream_map.flattening_enabled


def _load_rank(sink: Sink) -> int:
    """Where the sink's entity comes in the load order; streams not loaded come first."""
    return sink.mapping.load_rank if isinstance(sink, EloquaSink) else -1
