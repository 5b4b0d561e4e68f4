"""Export filters in Eloqua expression language: parsed, checked, and the records they select.

Oracle's syntax (https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/Filtering.htm
and https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/BulkLanguages/eloqua-expression-language.htm):
a comparison is ``'{{statement}}' <operator> '<value>'``, field and value each in single quotes;
list membership is ``EXISTS('{{ContactList[12]}}')``; ``AND`` and ``OR`` join them, parentheses
group them; a filter has at most 1000 characters and one ``EXISTS``, which names a list of the
exported entity (contact lists for contacts, account lists for accounts).

The emulator takes the comparisons ``=`` and ``~`` (SQL Server's LIKE: ``%`` any text, ``_`` one
character, ``[...]`` one of a set), both in any letter case as Eloqua's database compares text,
on fields of the exported entity and its ``Id``; ``EXISTS`` on a contact or account list;
``AND``, ``OR`` and parentheses. Anything else Eloqua takes (``!=``, ``<``, ``NOT``, ``STATUS``,
contact filters and segments) is refused with a failure that says so, rather than read wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from target_eloqua.emulator.model.records import ID, RecordStore, StoredRecord

MAX_FILTER_LENGTH = 1000

LENGTH_RULE = "Must be at most 1000 characters long."
SYNTAX_RULE = (
    "Must be comparisons '{{field statement}}' = 'value' or ~ 'pattern', or "
    "EXISTS('{{ContactList[id]}}'), joined by AND and OR, with parentheses."
)
UNSUPPORTED_RULE = "The emulator supports only =, ~, EXISTS, AND, OR and parentheses: not {what}."
ONE_EXISTS_RULE = "Must use EXISTS at most once."
LIST_RULE = "Must name an existing {kind} of the exported entity."

_TOKEN = re.compile(r"\s*(?:(?P<quoted>'[^']*')|(?P<op><>|!=|<=|>=|[=~<>()])|(?P<word>[A-Za-z]+))")
_LIST = re.compile(r"\{\{(ContactList|AccountList|ContactFilter|ContactSegment)\[(\d+)\]\}\}")
_LIST_NAMES = {"ContactList": "contact list", "AccountList": "account list"}


class FilterError(ValueError):
    """A filter Eloqua (or the emulator) does not take; the message is the failure's constraint."""


@dataclass(frozen=True)
class Equals:
    """``'{{statement}}' = 'value'``: ``name`` is where records keep the statement's value."""

    name: str
    value: str


@dataclass(frozen=True)
class Like:
    """``'{{statement}}' ~ 'pattern'``."""

    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class InList:
    """``EXISTS('{{ContactList[id]}}')`` or an account list."""

    list_id: int


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


Node = Equals | Like | InList | AllOf | AnyOf

FieldName = Callable[[str], str]
"""The name under which records keep a statement's value (``Id`` for the record id); raises
``FilterError`` for a statement a filter may not name."""

ListExists = Callable[[str, int], bool]
"""Whether a list of this kind (``ContactList``, ``AccountList``) with this id may be named."""


def parse_filter(text: str, field_name: FieldName, list_exists: ListExists) -> Node:
    """The filter ``text`` as a tree of nodes; FilterError says what is wrong with it."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(LENGTH_RULE)
    parser = _Parser(list(_tokens(text)), field_name, list_exists)
    node = parser.any_of()
    if parser.position != len(parser.tokens):
        raise FilterError(SYNTAX_RULE)
    return node


def select(node: Node | None, store: RecordStore) -> list[StoredRecord]:
    """The records of ``store`` the filter selects (every record without one), oldest first.

    Equalities go through the store's indexes, so that a filter of a few identifiers costs as
    much as their look-ups, whatever the store holds.
    """
    if node is None:
        return list(store)
    ids = _ids(node, store)
    return [record for record_id in sorted(ids) if (record := store.get(record_id)) is not None]


def like_pattern(pattern: str) -> re.Pattern[str]:
    """SQL Server's LIKE pattern as a regular expression, in any letter case."""
    parts = []
    for piece in re.finditer(r"%|_|\[\^?[^\]]*\]|[^%_\[]+|\[", pattern):
        text = piece.group()
        if text == "%":
            parts.append(".*")
        elif text == "_":
            parts.append(".")
        elif text.startswith("[") and len(text) > 1:
            negated = text.startswith("[^")
            members = text[2 if negated else 1 : -1]
            escaped = "".join("-" if c == "-" else re.escape(c) for c in members)
            parts.append(f"[{'^' if negated else ''}{escaped}]")
        else:
            parts.append(re.escape(text))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _ids(node: Node, store: RecordStore) -> set[int]:
    if isinstance(node, Equals):
        if node.value.strip():
            return {record.id for record in store.matching(node.name, node.value)}
        return {r.id for r in store if node.name != ID and not r.fields.get(node.name, "").strip()}
    if isinstance(node, Like):
        return {r.id for r in store if node.pattern.fullmatch(_value(r, node.name))}
    if isinstance(node, InList):
        return {record.id for record in store if node.list_id in record.lists}
    sets = [_ids(part, store) for part in node.parts]
    if isinstance(node, AllOf):
        return set.intersection(*sets)
    return set.union(*sets)


def _value(record: StoredRecord, name: str) -> str:
    return str(record.id) if name == ID else record.fields.get(name, "")


def _tokens(text: str) -> Iterator[str]:
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip():
                raise FilterError(SYNTAX_RULE)
            return
        position = match.end()
        yield match.group(match.lastgroup or "word")


class _Parser:
    """Recursive descent over the tokens: OR binds loosest, then AND."""

    def __init__(self, tokens: list[str], field_name: FieldName, list_exists: ListExists) -> None:
        self.tokens = tokens
        self.position = 0
        self.field_name = field_name
        self.list_exists = list_exists
        self.exists_seen = False

    def any_of(self) -> Node:
        parts = [self.all_of()]
        while self._accept_word("OR"):
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def all_of(self) -> Node:
        parts = [self.single()]
        while self._accept_word("AND"):
            parts.append(self.single())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def single(self) -> Node:
        piece = self._next()
        if piece == "(":
            node = self.any_of()
            self._expect(")")
            return node
        if piece.upper() == "EXISTS":
            return self._exists()
        if piece.upper() in ("NOT", "STATUS"):
            raise FilterError(UNSUPPORTED_RULE.format(what=piece.upper()))
        if not piece.startswith("'"):
            raise FilterError(SYNTAX_RULE)
        name = self.field_name(piece[1:-1])
        operator = self._next()
        value = self._next()
        if not value.startswith("'"):
            raise FilterError(SYNTAX_RULE)
        if operator == "=":
            return Equals(name, value[1:-1])
        if operator == "~":
            return Like(name, like_pattern(value[1:-1]))
        raise FilterError(UNSUPPORTED_RULE.format(what=operator))

    def _exists(self) -> Node:
        if self.exists_seen:
            raise FilterError(ONE_EXISTS_RULE)
        self.exists_seen = True
        self._expect("(")
        piece = self._next()
        self._expect(")")
        match = _LIST.fullmatch(piece[1:-1]) if piece.startswith("'") else None
        if match is None:
            raise FilterError(SYNTAX_RULE)
        kind, list_id = match.group(1), int(match.group(2))
        if kind not in _LIST_NAMES:
            raise FilterError(UNSUPPORTED_RULE.format(what=kind))
        if not self.list_exists(kind, list_id):
            raise FilterError(LIST_RULE.format(kind=_LIST_NAMES[kind]))
        return InList(list_id)

    def _next(self) -> str:
        if self.position >= len(self.tokens):
            raise FilterError(SYNTAX_RULE)
        piece = self.tokens[self.position]
        self.position += 1
        return piece

    def _expect(self, expected: str) -> None:
        if self._next() != expected:
            raise FilterError(SYNTAX_RULE)

    def _accept_word(self, word: str) -> bool:
        if self.position < len(self.tokens) and self.tokens[self.position].upper() == word:
            self.position += 1
            return True
        return False
