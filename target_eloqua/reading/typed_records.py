"""Decode a stream's records straight from their JSON text into the values their rows are made of.

The SDK's path for a record decodes the whole message into a dict, validates the dict against
the schema, parses its date-like strings, and only then is the record mapped to a row: three
passes over every value, each in Python. For a stream whose schema is made of plain property
types, ``RecordDecoder`` does it in one: msgspec decodes the record's JSON into a struct built
once from the schema, checking the JSON type of every value in C as it goes; properties whose
schema says more than a type are checked by the compiled validation (``validation.py``); and
date-like values are parsed by the SDK's own parsers (``timestamps.py``).

The decoder vouches only for records the SDK's path accepts, and gives exactly the values that
path gives: msgspec's typed decoding yields the same ``str``, ``int``, ``bool``, ``list`` and
``None`` as its generic decoding, a float becomes a ``Decimal`` from its own text as in the
reader, and dates go through the same parsers. Any record it cannot vouch for gets ``None``, and
then takes the SDK's path, which accepts it or says why not, as before: a value of another JSON
type (jsonschema still takes ``1.0`` as an integer), a property the schema lacks (the SDK warns
about it), a missing key property, a date that does not parse, JSON msgspec refuses.

The decoder also knows the types its values can have, column by column, and gives each column a
formatter for just those types: the same text as ``values.format_value``, with less work. A
mapped date-time stays text until its formatter parses it (an error then also sends the record
the SDK's way), so that text already in UTC is cut to Eloqua's form rather than formatted.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import msgspec

from target_eloqua.mapping.streams import StreamMapping
from target_eloqua.mapping.values import (
    format_datetime_read_from,
    format_user_links,
    format_value,
    formatter_for,
)
from target_eloqua.reading.timestamps import PARSERS, DatelikeProperties
from target_eloqua.reading.validation import Check, RecordValidator

SDK_METADATA_PROPERTIES = frozenset(
    {
        "_sdc_extracted_at",
        "_sdc_received_at",
        "_sdc_batched_at",
        "_sdc_deleted_at",
        "_sdc_sequence",
        "_sdc_table_version",
        "_sdc_sync_started_at",
    }
)
"""What the SDK removes from each record before validating it (without
``add_record_metadata``): their values are accepted unchecked, and never sent.
"""

PLAIN_KEYWORDS = frozenset({"type", "items"})
"""What a property's schema may check for its values to be typed by msgspec alone."""

RECORD_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
"""What the schema of the record itself may check for the decoder to take the stream."""

_NULL = type(None)
_PLAIN_TYPES: dict[str, type] = {"null": _NULL, "string": str, "integer": int, "boolean": bool}
"""JSON Schema types whose values msgspec decodes exactly as jsonschema takes them (an
``integer`` is not a ``boolean``, as in jsonschema; ``1.0`` is refused, and left to it).
"""

_PARSED_TYPES: dict[Callable[[Any], Any], type] = {
    PARSERS["date-time"]: datetime.datetime,
    PARSERS["date"]: datetime.date,
    PARSERS["time"]: datetime.time,
}
_astuple = msgspec.structs.astuple
_parse_datetime = PARSERS["date-time"]


@dataclass(frozen=True)
class _Property:
    """How the decoder takes one property of the record."""

    name: str
    value_type: Any
    """The type msgspec decodes its values as."""
    kinds: frozenset[type] | None
    """The Python types of its values once decoded (``None``: any)."""
    check: Check | None = None
    """What is still to check of a value (``None``: its type says it all)."""
    parse: Callable[[Any], Any] | None = None
    """The SDK's parser of its values, for a date-like property."""

    @property
    def datetime_text(self) -> bool:
        """Whether its values are date-time text (left as text, for its formatter)."""
        return self.parse is _parse_datetime and self._text_only

    @property
    def _text_only(self) -> bool:
        return self.kinds is not None and self.kinds <= {str, _NULL}

    def parsed_kinds(self) -> frozenset[type] | None:
        """The Python types of its values once its date-like text is parsed (``None``: any)."""
        if self.parse is None or self.kinds is None:
            return self.kinds
        return (self.kinds - {str}) | {_PARSED_TYPES[self.parse]} if self._text_only else None


class RecordDecoder:
    """Decodes the records of one stream (one schema) into the values of its mapped properties,
    with the formatter of each (``formatters``).

    Build one with ``for_stream``; it is ``None`` when the schema is not plain enough.
    """

    def __init__(
        self,
        decoder: msgspec.json.Decoder[Any],
        properties: Sequence[_Property],
        mapping: StreamMapping,
    ) -> None:
        self._decode = decoder.decode
        self._mapped = len(mapping.columns)
        self._checks = tuple(
            (index, prop.check) for index, prop in enumerate(properties) if prop.check
        )
        self._parsers = tuple(
            (index, prop.parse)
            for index, prop in enumerate(properties)
            if prop.parse and not (index < self._mapped and prop.datetime_text)
        )
        self.formatters = tuple(
            _formatter(prop, column.user_link)
            for prop, column in zip(properties, mapping.columns, strict=False)
        )
        """Per column, the function that formats the values ``values`` gives."""

    @classmethod
    def for_stream(
        cls,
        schema: Mapping[str, Any],
        mapping: StreamMapping,
        key_properties: Collection[str],
        validator: RecordValidator | None,
        datelike: DatelikeProperties,
    ) -> RecordDecoder | None:
        """The decoder of the stream's records, or ``None`` if its records must take the SDK's
        path: a schema with more than properties, types and required ones at its top, with
        references, or whose required properties the SDK would remove.

        ``validator`` is the sink's (``None`` when records are not validated: types then only
        choose which records the decoder takes); ``datelike``, the schema's date-like
        properties.
        """
        properties = schema.get("properties")
        required = set(schema.get("required") or ()) | set(key_properties)
        if (
            not isinstance(properties, Mapping)
            or not _is_record_schema(schema, validator)
            or not required <= properties.keys()
            or required & SDK_METADATA_PROPERTIES
            or SDK_METADATA_PROPERTIES.intersection(mapping.properties)
        ):
            return None
        if datelike.parsers is None:
            return None
        parsers = dict(datelike.parsers)
        names = [*mapping.properties]
        names += [name for name in properties if name not in mapping.properties]
        names += sorted(SDK_METADATA_PROPERTIES - set(names))
        planned = [_plan(name, properties, validator, parsers, required) for name in names]
        try:
            decoder = msgspec.json.Decoder(_struct(planned, required), float_hook=decimal.Decimal)
        except TypeError:  # a union msgspec cannot tell apart: the SDK's path takes them all
            return None
        return cls(decoder, planned, mapping)

    def values(self, record_json: bytes) -> list[Any] | None:
        """The values of the mapped properties, in their order, as the SDK's path would have
        them (``None`` for one the record lacks), but date-times as text; ``None`` if the
        record must take that path.
        """
        try:
            values = list(_astuple(self._decode(record_json)))
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        for index, check in self._checks:
            value = values[index]
            if value is msgspec.UNSET:
                values[index] = None
            elif not check(value):
                return None
        try:
            for index, parse in self._parsers:
                value = values[index]
                if value is not None:
                    values[index] = parse(value)
        except Exception:  # the SDK's path says what is wrong with the date
            return None
        return values[: self._mapped]


def _struct(planned: Sequence[_Property], required: Collection[str]) -> type[msgspec.Struct]:
    """The struct a record is decoded into: one field per property, under a safe name."""
    fields: list[tuple[Any, ...]] = []
    for index, prop in enumerate(planned):
        # A missing value is not checked (UNSET), nor sent (None).
        default = () if prop.name in required else (msgspec.UNSET if prop.check else None,)
        fields.append((f"f{index}", prop.value_type, *default))
    return msgspec.defstruct(
        "Record",
        fields,
        kw_only=True,
        forbid_unknown_fields=True,
        gc=False,  # short-lived, and holding no cycles: not worth tracking
        rename={f"f{index}": prop.name for index, prop in enumerate(planned)},
    )


def _plan(
    name: str,
    properties: Mapping[str, Any],
    validator: RecordValidator | None,
    parsers: Mapping[str, Callable[[Any], Any]],
    required: Collection[str],
) -> _Property:
    """How the decoder takes the property ``name``."""
    if name in SDK_METADATA_PROPERTIES:  # removed by the SDK before it validates
        return _Property(name, Any, None)
    if name not in properties:  # mapped, not in the schema: only null is sent as the SDK would
        return _Property(name, None, frozenset({_NULL}))
    plain = _plain_type(properties[name], validator)
    parse = parsers.get(name)
    if plain is None:
        check = validator.check_of(properties[name]) if validator is not None else None
        return _Property(name, Any, None, check, parse)
    value_type, kinds = plain
    if name not in required:  # a missing value is None
        kinds |= {_NULL}
    return _Property(name, value_type, kinds, None, parse)


def _formatter(prop: _Property, user_link: bool) -> Callable[[Any], str]:
    """The formatter of a column's values, as the decoder gives them."""
    if user_link:
        return format_user_links
    if prop.datetime_text:
        return _datetime_text
    kinds = prop.parsed_kinds()
    return format_value if kinds is None else formatter_for(kinds)


def _datetime_text(text: str | None) -> str:
    """The Eloqua text of the date-time the SDK's parser reads in ``text`` (blank for null)."""
    return "" if text is None else format_datetime_read_from(text, _parse_datetime(text))


def _is_record_schema(schema: Mapping[str, Any], validator: RecordValidator | None) -> bool:
    """Whether the schema of the record says nothing the decoder does not check."""
    if validator is None:
        return True
    kind = schema.get("type", "object")
    return (
        validator.compiled
        and validator.keywords_checked(schema) <= RECORD_KEYWORDS
        and (kind == "object" or (isinstance(kind, list) and "object" in kind))
    )


def _plain_type(
    schema: Any, validator: RecordValidator | None
) -> tuple[Any, frozenset[type]] | None:
    """The msgspec type of exactly the values the schema takes, and the Python types of those
    values, if it has one, else ``None``: a schema that checks only ``type`` (of plain types,
    and arrays of them) and ``items``.
    """
    if not isinstance(schema, Mapping) or "type" not in schema:
        return None
    if validator is not None and not validator.keywords_checked(schema) <= PLAIN_KEYWORDS:
        return None
    names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
    if not isinstance(names, list) or not names:
        return None
    members: list[Any] = []
    for name in names:
        if name in _PLAIN_TYPES:
            members.append(_PLAIN_TYPES[name])
        elif name == "array":
            items = _plain_type(schema["items"], validator) if "items" in schema else (Any, None)
            if items is None:
                return None
            members.append(list.__class_getitem__(items[0]))
        else:
            return None
    kinds = frozenset(getattr(member, "__origin__", member) for member in members)
    return Union[tuple(members)], kinds  # noqa: UP007 (built at run time)
