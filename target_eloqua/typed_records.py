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
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Union

import msgspec

from target_eloqua.timestamps import DatelikeProperties
from target_eloqua.validation import Check, RecordValidator

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

_PLAIN_TYPES: dict[str, Any] = {"null": None, "string": str, "integer": int, "boolean": bool}
"""JSON Schema types whose values msgspec decodes exactly as jsonschema takes them (an
``integer`` is not a ``boolean``, as in jsonschema; ``1.0`` is refused, and left to it).
"""


class RecordDecoder:
    """Decodes the records of one stream (one schema) into the values of its mapped properties.

    Build one with ``for_stream``; it is ``None`` when the schema is not plain enough.
    """

    def __init__(
        self,
        decoder: msgspec.json.Decoder[Any],
        mapped: int,
        checks: Sequence[tuple[int, Check]],
        parsers: Sequence[tuple[int, Callable[[Any], Any]]],
    ) -> None:
        self._decode = decoder.decode
        self._mapped = mapped
        self._checks = tuple(checks)
        self._parsers = tuple(parsers)

    @classmethod
    def for_stream(
        cls,
        schema: Mapping[str, Any],
        mapped_properties: Sequence[str],
        key_properties: Collection[str],
        validator: RecordValidator | None,
    ) -> RecordDecoder | None:
        """The decoder of the stream's records, or ``None`` if its records must take the SDK's
        path: a schema with more than properties, types and required ones at its top, with
        references, or whose required properties the SDK would remove.

        ``validator`` is the sink's (``None`` when records are not validated: types then only
        choose which records the decoder takes).
        """
        properties = schema.get("properties")
        required = set(schema.get("required") or ()) | set(key_properties)
        if (
            not isinstance(properties, Mapping)
            or not _is_record_schema(schema, validator)
            or not required <= properties.keys()
            or required & SDK_METADATA_PROPERTIES
            or SDK_METADATA_PROPERTIES.intersection(mapped_properties)
        ):
            return None
        datelike = DatelikeProperties(schema)
        if datelike.parsers is None:
            return None
        names = [*mapped_properties]
        names += [name for name in properties if name not in mapped_properties]
        names += sorted(SDK_METADATA_PROPERTIES - set(names))
        fields: list[tuple[Any, ...]] = []
        checks: list[tuple[int, Check]] = []
        for index, name in enumerate(names):
            value_type, check = _property_type(name, properties, validator)
            # A missing value is not checked (UNSET), nor sent (None).
            default = () if name in required else (msgspec.UNSET if check else None,)
            fields.append((f"f{index}", value_type, *default))
            if check is not None:
                checks.append((index, check))
        position = {name: index for index, name in enumerate(names)}
        parsers = [
            (position[name], parse)
            for name, parse in datelike.parsers
            if name not in SDK_METADATA_PROPERTIES
        ]
        try:
            struct = msgspec.defstruct(
                "Record",
                fields,
                kw_only=True,
                forbid_unknown_fields=True,
                rename={f"f{index}": name for index, name in enumerate(names)},
            )
            decoder = msgspec.json.Decoder(struct, float_hook=decimal.Decimal)
        except TypeError:  # a union msgspec cannot tell apart: the SDK's path takes them all
            return None
        return cls(decoder, len(mapped_properties), checks, parsers)

    def values(self, record_json: bytes) -> list[Any] | None:
        """The values of the mapped properties, in their order, as the SDK's path would have
        them (``None`` for one the record lacks); ``None`` if the record must take that path.
        """
        try:
            values = list(msgspec.structs.astuple(self._decode(record_json)))
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


def _property_type(
    name: str, properties: Mapping[str, Any], validator: RecordValidator | None
) -> tuple[Any, Check | None]:
    """The type msgspec decodes a property's values as, and the check still to make of them
    (``None`` when the type says it all).
    """
    if name in SDK_METADATA_PROPERTIES:  # removed by the SDK before it validates
        return Any, None
    if name not in properties:  # mapped, not in the schema: only null is sent as the SDK would
        return None, None
    schema = properties[name]
    if validator is None:
        return _plain_type(schema, validator) or Any, None
    plain = _plain_type(schema, validator)
    if plain is None:
        return Any, validator.check_of(schema)
    return plain, None


def _plain_type(schema: Any, validator: RecordValidator | None) -> Any:
    """The msgspec type of exactly the values the schema takes, if it has one, else ``None``:
    a schema that checks only ``type`` (of plain types, and arrays of them) and ``items``.
    """
    if not isinstance(schema, Mapping) or "type" not in schema:
        return None
    if validator is not None and not validator.keywords_checked(schema) <= PLAIN_KEYWORDS:
        return None
    names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
    if not isinstance(names, list) or not names:
        return None
    members = []
    for name in names:
        if name in _PLAIN_TYPES:
            members.append(_PLAIN_TYPES[name])
        elif name == "array":
            items = _plain_type(schema["items"], validator) if "items" in schema else Any
            if items is None:
                return None
            members.append(list[items])  # type: ignore[valid-type]
        else:
            return None
    return Union[tuple(members)]  # noqa: UP007 (built at run time)
