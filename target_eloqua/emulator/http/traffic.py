"""What the HTTP side keeps besides the model: the requests received and the faults to inject."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from target_eloqua.emulator.model.instance import EloquaInstance


@dataclass
class Fault:
    """One injected fault rule; ``count`` is how many more requests it answers.

    It answers the next ``count`` requests whose method and path match (``*`` is any method; the
    path is a shell-style pattern such as ``/api/bulk/2.0/syncs/*``, matched in any letter case
    against the path with doubled slashes collapsed and no trailing slash). It waits
    ``delaySeconds`` first, then answers ``status`` (with a ``Retry-After: retryAfter`` header if
    given) or drops the connection (``action: "drop"``) instead of handling the request; with
    ``"when": "after"`` the request is handled first (so Eloqua did act on it) and only the answer
    is replaced. A rule with only a delay handles the request normally after the wait.
    """

    method: str
    path: str
    count: int = 1
    status: int | None = None
    drop: bool = False
    delay_seconds: float = 0.0
    after: bool = False
    retry_after: int | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method.upper()) and fnmatch.fnmatchcase(
            path.lower(), self.path.lower()
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"method": self.method, "path": self.path, "count": self.count}
        if self.status is not None:
            body["status"] = self.status
        if self.drop:
            body["action"] = "drop"
        if self.delay_seconds:
            body["delaySeconds"] = self.delay_seconds
        if self.retry_after is not None:
            body["retryAfter"] = self.retry_after
        body["when"] = "after" if self.after else "before"
        return body


class Faults:
    """The fault rules, first added first used. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._rules.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first rule matching the request, counted as used once; None if none."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                    return rule
            return None

    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


class Journal:
    """Every non-admin request received, in order, with the status it got and the size of its
    body. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def record(
        self, method: str, path: str, query: Mapping[str, str], status: int | None, size: int
    ) -> None:
        entry = {
            "method": method,
            "path": path,
            "query": dict(query),
            "status": status,
            "bytes": size,
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Backend:
    """What the route handlers work on: the model, and the HTTP side's journal and faults."""

    instance: EloquaInstance
    faults: Faults = field(default_factory=Faults)
    journal: Journal = field(default_factory=Journal)

    def reset(self) -> None:
        self.instance.reset()
        self.faults.clear()
        self.journal.clear()
