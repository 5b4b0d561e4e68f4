"""Export filters in Eloqua expression language: parsed, checked, and the records they select.

Oracle's syntax (https://docs.oracle.com/en/cloud/saas/marketing/eloqua-develop/Developers/BulkAPI/Tutorials/Filtering.htm
and https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAB/Developers/BulkAPI/Reference/BulkLanguages/eloqua-expression-language.htm):
a comparison is ``'{{statement}}' <operator> '<value>'``, field and value each in single quotes;
list membership is ``EXISTS('{{ContactList[12]}}')``; ``AND`` and ``OR`` join them, parentheses
group them; a filter has at most 1000 characters and one ``EXISTS``, which names a list of the
exported entity (contact lists for contacts, account lists for accounts).

The emulator takes the comparisons ``=`` and ``~`` (SQL Server's LIKE: ``%`` any text, ``_`` one
character, ``[...]`` one of a set), both in any letter case as Eloqua's database compares text,
on fields of the exported entity and its ``Id``; on date fields (the system timestamps among
them), ``=``, ``>``, ``>=``, ``<`` and ``<=``, which compare the moments the field and the value
name, the field as the export gives it (so a system timestamp in UTC when the definition has
``areSystemTimestampsInUTC: true``, else in the instance's time zone; see ``timestamps``) and a
value with an offset turned to that time zone; ``EXISTS`` on a contact or account list; ``AND``,
``OR`` and parentheses. Anything else Eloqua takes (``!=``, ``~`` on dates, ``<`` on other fields,
``NOT``, ``STATUS``, contact filters and segments) is refused with a failure that says so, rather
than read wrongly.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from target_eloqua.emulator.model.checks import read_date
from target_eloqua.emulator.model.records import ID, RecordStore, StoredRecord
from target_eloqua.emulator.model.timestamps import local_moment

MAX_FILTER_LENGTH = 1000

LENGTH_RULE = "Must be at most 1000 characters long."
SYNTAX_RULE = (
    "Must be comparisons '{{field statement}}' = 'value' or ~ 'pattern', or "
    "EXISTS('{{ContactList[id]}}'), joined by AND and OR, with parentheses."
)
UNSUPPORTED_RULE = (
    "The emulator supports only =, ~, EXISTS, AND, OR and parentheses, and >, >=, < and <= on "
    "date fields: not {what}."
)
DATE_RULE = "Must compare a date field with a date."
ONE_EXISTS_RULE = "Must use EXISTS at most once."
LIST_RULE = "Must name an existing {kind} of the exported entity."

_TOKEN = re.compile(r"\s*(?:(?P<quoted>'[^']*')|(?P<op><>|!=|<=|>=|[=~<>()])|(?P<word>[A-Za-z]+))")
_LIST = re.compile(r"\{\{(ContactList|AccountList|ContactFilter|ContactSegment)\[(\d+)\]\}\}")
_LIST_NAMES = {"ContactList": "contact list", "AccountList": "account list"}
_COMPARISONS: Mapping[str, Callable[[datetime, datetime], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


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
class Compares:
    """``'{{date statement}}' > 'value'`` (or ``>=``, ``<``, ``<=``, ``=``): ``moment`` reads a
    record's moment, ``value`` is the moment compared with (None: a blank value, which ``=``
    finds records without a moment by)."""

    moment: MomentOf
    operator: str
    value: datetime | None


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


Node = Equals | Like | Compares | InList | AllOf | AnyOf

MomentOf = Callable[[StoredRecord], datetime | None]
"""A record's moment in a date field, as a wall-clock time in the time zone the export shows it."""


@dataclass(frozen=True)
class Operand:
    """What a filter's field statement compares: the name under which records keep its value
    (``Id`` for the record id) and, for a date field, each record's moment, in ``zone``."""

    name: str
    moment: MomentOf | None = None
    zone: tzinfo = UTC


OperandOf = Callable[[str], Operand]
"""What a statement compares; raises ``FilterError`` for a statement a filter may not name."""

ListExists = Callable[[str, int], bool]
"""Whether a list of this kind (``ContactList``, ``AccountList``) with this id may be named."""


def parse_filter(text: str, operand_of: OperandOf, list_exists: ListExists) -> Node:
    """The filter ``text`` as a tree of nodes; FilterError says what is wrong with it."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(LENGTH_RULE)
    parser = _Parser(list(_tokens(text)), operand_of, list_exists)
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
    if isinstance(node, Like | Compares | InList):
        return {record.id for record in store if _selects(node, record)}
    sets = [_ids(part, store) for part in node.parts]
    if isinstance(node, AllOf):
        return set.intersection(*sets)
    return set.union(*sets)


def _selects(node: Like | Compares | InList, record: StoredRecord) -> bool:
    """Whether a comparison or a list selects the record."""
    if isinstance(node, Like):
        return node.pattern.fullmatch(_value(record, node.name)) is not None
    if isinstance(node, InList):
        return node.list_id in record.lists
    moment = node.moment(record)
    if node.value is None or moment is None:
        return node.value is moment
    return _COMPARISONS[node.operator](moment, node.value)


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


def _compares_dates(moment_of: MomentOf, zone: tzinfo, comparison: str, text: str) -> Compares:
    """A comparison of a date field with a value: a date (with an offset or ``Z``, turned to the
    field's time ``zone``), or a blank that ``=`` finds blank fields by."""
    if comparison == "=" and not text.strip():
        return Compares(moment_of, comparison, None)
    moment = read_date(text)
    if moment is None:
        raise FilterError(DATE_RULE)
    if moment.tzinfo is None and text.strip().upper().endswith("Z"):
        moment = moment.replace(tzinfo=UTC)
    if moment.tzinfo is not None:
        moment = local_moment(moment, zone)
    return Compares(moment_of, comparison, moment)


class _Parser:
    """Recursive descent over the tokens: OR binds loosest, then AND."""

    def __init__(self, tokens: list[str], operand_of: OperandOf, list_exists: ListExists) -> None:
        self.tokens = tokens
        self.position = 0
        self.operand_of = operand_of
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
        operand = self.operand_of(piece[1:-1])
        comparison = self._next()
        value = self._next()
        if not value.startswith("'"):
            raise FilterError(SYNTAX_RULE)
        if operand.moment is not None and comparison in _COMPARISONS:
            return _compares_dates(operand.moment, operand.zone, comparison, value[1:-1])
        if comparison == "=":
            return Equals(operand.name, value[1:-1])
        if comparison == "~" and operand.moment is None:
            return Like(operand.name, like_pattern(value[1:-1]))
        if comparison == "~":
            raise FilterError(UNSUPPORTED_RULE.format(what="~ on a date field"))
        if comparison in _COMPARISONS:
            raise FilterError(UNSUPPORTED_RULE.format(what=f"{comparison} on other fields"))
        raise FilterError(UNSUPPORTED_RULE.format(what=comparison))

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
