"""The errors the model raises; the HTTP side's ``routes`` turns each into Eloqua's status code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ModelError(Exception):
    """Base of the errors the model raises."""


class NotFoundError(ModelError):
    """The named definition, sync or other resource does not exist (404)."""


class ConflictError(ModelError):
    """The resource is busy, e.g. staged data a sync is using (409)."""


@dataclass(frozen=True)
class Failure:
    """One broken rule, as Eloqua lists it in a 400 body."""

    field: str
    value: str
    constraint: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value, "constraint": self.constraint}


class ValidationError(ModelError):
    """A request broke one or more of Eloqua's rules; nothing was changed (400)."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        super().__init__("; ".join(f"{f.field}: {f.constraint}" for f in failures))
        self.failures = list(failures)
