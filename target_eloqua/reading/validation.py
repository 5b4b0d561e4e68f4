"""Record validation that costs little per record and is exactly as strict as the SDK's.

The SDK validates every record with jsonschema (Draft 2020-12), which walks the schema anew for
each record; that was most of a run's time. ``RecordValidator`` turns a stream's schema once into
plain Python checks of the keywords Singer schemas are made of (``type``, ``properties``,
``required``, ``additionalProperties``, ``items``, ``anyOf``, ``allOf``, ``oneOf``, ``not``),
with jsonschema's semantics. A record they pass is valid. A record they fail goes to the SDK's
own validator, which raises with its usual message, so the errors a user sees do not change.

A subschema with any other keyword that jsonschema knows (``enum``, ``maxLength``, ``pattern``,
...) is checked by jsonschema itself, as it would be within the whole schema. A schema with
references (``$ref``, ``$dynamicRef``) or with another dialect inside (``$schema`` below the
root) is left to jsonschema whole.
"""

from __future__ import annotations

import decimal
import functools
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from singer_sdk.sinks.core import BaseJSONSchemaValidator, JSONSchemaValidator

Check = Callable[[Any], bool]
"""Whether a value is valid against one (sub)schema."""

_COMPILED = frozenset(
    {"type", "properties", "required", "additionalProperties", "items"}
    | {"anyOf", "allOf", "oneOf", "not"}
)
_WHOLE_SCHEMA_ONLY = frozenset({"$ref", "$dynamicRef"})
"""Keywords that make sense only in the whole schema: it is then checked by jsonschema alone."""

_EXACT_TYPES: dict[str, frozenset[type]] = {
    "null": frozenset({type(None)}),
    "boolean": frozenset({bool}),
    "integer": frozenset({int}),
    "number": frozenset({int, float, decimal.Decimal}),
    "string": frozenset({str}),
    "array": frozenset({list}),
    "object": frozenset({dict}),
}
"""The types JSON decodes to, per JSON type: one set lookup decides most values."""


def _is_type(value: Any, name: str) -> bool:
    """jsonschema's Draft 2020-12 type checker, for values of other Python types."""
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):  # not a number nor an integer, though bool subclasses int
        return False
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, numbers.Number)
    kind = {"string": str, "array": list, "object": dict}[name]
    return isinstance(value, kind)


class RecordValidator(BaseJSONSchemaValidator):
    """The SDK's validator (``get_validator``), with the compiled checks in front of it."""

    def __init__(self, schema: dict[str, Any], *, validate_formats: bool = False) -> None:
        super().__init__(schema)
        self.reference = JSONSchemaValidator(schema, validate_formats=validate_formats)
        """The SDK's own validator: it checks the schema, and judges what the checks fail."""
        self._compiler = _SchemaCompiler(self.reference, validate_formats=validate_formats)
        self._check = self._compiler.compile()

    @property
    def compiled(self) -> bool:
        """Whether the compiled checks run first (else the SDK's validator does all the work)."""
        return self._check is not None

    def validate(self, record: dict[str, Any]) -> None:
        """Raise the SDK's ``InvalidRecord`` if the record does not match the schema."""
        if self._check is None or not self._check(record):
            self.reference.validate(record)

    def check_of(self, subschema: Any) -> Check:
        """The compiled check of a part of the schema (a property's schema, say)."""
        return self._compiler.check_of(subschema)

    def keywords_checked(self, subschema: Mapping[str, Any]) -> frozenset[str]:
        """The keywords of a part of the schema that validation checks: those jsonschema knows,
        ``format`` only when formats are validated.
        """
        return self._compiler.checked & subschema.keys()


class _SchemaCompiler:
    """Builds the checks of one schema, delegating what it does not compile to jsonschema."""

    def __init__(self, reference: JSONSchemaValidator, *, validate_formats: bool) -> None:
        self.reference = reference
        known: frozenset[str] = frozenset(reference.validator.VALIDATORS)
        ignored = set() if validate_formats else {"format"}  # formats unchecked: a no-op
        self.checked = known - ignored
        """The keywords validation checks."""
        self._delegated = self.checked - _COMPILED
        """Keywords jsonschema checks that the compiled checks leave to it (it ignores those it
        does not know, such as ``title`` and ``description``, and so do the checks).
        """

    def compile(self) -> Check | None:
        """The whole schema's check; ``None`` when the schema must go to jsonschema whole."""
        schema = self.reference.schema
        if any(_WHOLE_SCHEMA_ONLY & keys or "$schema" in keys for keys in _nested_keys(schema)):
            return None
        return self.check_of(schema)

    def check_of(self, schema: Any) -> Check:
        """The check of one subschema."""
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        if self._delegated & schema.keys():
            return self.reference.validator.evolve(schema=schema).is_valid  # type: ignore[no-any-return]
        checks = [check for check in self._keyword_checks(schema) if check is not _always]
        return functools.reduce(_both, checks) if checks else _always

    def _keyword_checks(self, schema: Mapping[str, Any]) -> Iterator[Check]:
        if "type" in schema:
            yield _type_check(schema["type"])
        if schema.keys() & {"properties", "required", "additionalProperties"}:
            yield self._object_check(schema)
        if "items" in schema:
            yield self._items_check(schema["items"])
        if "anyOf" in schema:
            any_of = [self.check_of(sub) for sub in schema["anyOf"]]
            yield lambda value: any(check(value) for check in any_of)
        if "allOf" in schema:
            all_of = [self.check_of(sub) for sub in schema["allOf"]]
            yield lambda value: all(check(value) for check in all_of)
        if "oneOf" in schema:
            one_of = [self.check_of(sub) for sub in schema["oneOf"]]
            yield lambda value: sum(1 for check in one_of if check(value)) == 1
        if "not" in schema:
            negated = self.check_of(schema["not"])
            yield lambda value: not negated(value)

    def _object_check(self, schema: Mapping[str, Any]) -> Check:
        """``properties``, ``required`` and ``additionalProperties``, in one pass over a dict."""
        property_checks = {
            name: self.check_of(sub) for name, sub in (schema.get("properties") or {}).items()
        }
        required = tuple(schema.get("required") or ())
        extra = self.check_of(schema.get("additionalProperties", True))

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, item in value.items():
                if not property_checks.get(name, extra)(item):
                    return False
            return all(name in value for name in required)

        return check

    def _items_check(self, items: Any) -> Check:
        item_check = self.check_of(items)
        if item_check is _always:
            return _always
        return lambda value: not isinstance(value, list) or all(map(item_check, value))


def _type_check(types: str | list[str]) -> Check:
    names = [types] if isinstance(types, str) else list(types)
    exact = frozenset().union(*(_EXACT_TYPES[name] for name in names))
    return lambda value: type(value) in exact or any(_is_type(value, name) for name in names)


def _both(first: Check, second: Check) -> Check:
    return lambda value: first(value) and second(value)


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _nested_keys(schema: Any, *, root: bool = True) -> Iterator[frozenset[str]]:
    """The keys of every object below the root of the schema (the root's, without
    ``$schema``, which the SDK's validator does not read).
    """
    if isinstance(schema, Mapping):
        keys = frozenset(schema) - {"$schema"} if root else frozenset(schema)
        yield keys
        for value in schema.values():
            yield from _nested_keys(value, root=False)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nested_keys(value, root=False)
