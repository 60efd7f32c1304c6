"""The values of :mod:`evalkit.forms.columns`: answer columns typed once per distinct value, keys that are
equal exactly when two values are checked or read alike, and what each expression reads.

A key stands for a value in the dictionaries that share one check or one evaluation between rows: two
values get equal keys only when the form engine would treat them the same way.  Python's own equality
is not enough — ``1 == True == 1.0`` and ``0.0 == -0.0`` — so a column's values are their own keys only
when its types cannot meet that way (:data:`RAW_SAFE`, or floats and None with no zero among them);
otherwise each value gets a key with its type (made without a call per row for None and lists of codes).
The key of a raw answer also keys what an expression reads of it (equal raw answers are read alike).
``constraint_test`` turns the common constraints that read only ``.`` of a text answer
(``regex(., '…')``, ``string-length(.) <= n``) into a plain test of the text; a value that fails it
is checked again by the engine, which gives the message.
"""

from __future__ import annotations

from itertools import chain, compress, cycle, filterfalse, repeat
from operator import le, lt
from typing import NamedTuple

from evalkit.forms.expression_functions import compile_regex
from evalkit.forms.expression_syntax import Call, Chain, Current, Literal, Ref, parse, walk_nodes
from evalkit.forms.expression_values import RELATIONAL, from_python
from evalkit.forms.responses import coerce_given, expression_value_kind, is_empty

NONE = type(None)
RAW_SAFE = (frozenset({str, NONE, int}), frozenset({str, NONE, bool}))  # raw answers that are their own keys
FALSY_EMPTY = frozenset({str, NONE, list})  # types whose values are empty exactly when they are falsy
NEVER_EMPTY = frozenset({NONE, int, bool, dict})  # types whose values are empty exactly when they are None
AS_GIVEN = ("text", "select_one")  # kinds whose str answers are stored as given, without a type error
_FLOATS, _LISTS, _STR = frozenset({NONE, float}), frozenset({NONE, list}), frozenset({str})


def safe(types: set, kinds: tuple[frozenset, frozenset]) -> bool:
    """Whether values of these types may be their own keys."""
    return types <= kinds[0] or types <= kinds[1]


class Answers(NamedTuple):
    """One field's answers over the rows of a level.

    ``given``: the raw answers by row (None where absent; a list, or a tuple); ``types``: their types; ``keys``: by row, equal for
    answers typed alike; ``outcome``: key → (typed value, type error or None, expression value), or None
    when each answer is its own typed and expression value (text as given).
    """

    given: list | tuple
    types: set
    keys: list
    outcome: dict | None

    def typed(self, key: object) -> object:
        """The typed value of the rows with this key."""
        return key if self.outcome is None else self.outcome[key][0]

    def rows_where(self, keys: set) -> list[int]:
        """The rows (ascending) whose key is in ``keys``."""
        return list(compress(range(len(self.keys)), map(keys.__contains__, self.keys))) if keys else []

    def read(self) -> tuple[list, dict | None]:
        """(keys by row, key → value as an expression reads it; None: each key is that value)."""
        if self.outcome is None:  # str or None: read as they are ("" for None)
            return self.given, None
        return self.keys, {k: from_python(o[2]) for k, o in self.outcome.items()}  # from_python: idempotent


def table(raws: list, names: list[str]) -> dict[str, list]:
    """The answers to each name by row (None where absent): every cell read in one pass over the rows, into one
    flat list that each name's column is a slice of (a tuple per row made and transposed, or a pass over the
    rows per name, are slower: the first makes objects per row, the second walks every row's dict again)."""
    if not names:
        return {}
    width = len(names)
    cells = list(map(dict.get, chain.from_iterable(map(repeat, raws, repeat(width))), cycle(names)))
    return {name: cells[at::width] for at, name in enumerate(names)}


def answers(given: list | tuple, kind: str) -> Answers:
    """The answers ``given`` by row to a field of base type ``kind``."""
    types = set(map(type, given))
    if kind in AS_GIVEN and types <= FALSY_EMPTY and list not in types:
        return Answers(given, types, given, None)
    if safe(types, RAW_SAFE):
        return Answers(given, types, given, {v: coerce(kind, v) for v in dict.fromkeys(given)})
    if types <= _FLOATS:  # floats are their own keys unless a zero is among them (0.0 == -0.0)
        distinct = dict.fromkeys(given)
        if 0.0 not in distinct:
            return Answers(given, types, given, {v: coerce(kind, v) for v in distinct})
    if types <= _LISTS and set(map(type, chain.from_iterable(filter(None, given)))) <= _STR:
        return _lists(given, types, kind)
    keys, outcome = [], {}
    for i, value in enumerate(given):
        key = raw_key(value, kind, i)
        keys.append(key)
        if key not in outcome:
            outcome[key] = coerce(kind, value)
    return Answers(given, types, keys, outcome)


def _lists(given: list | tuple, types: set, kind: str) -> Answers:
    """:func:`answers` of a column of None and lists of str only, keyed without a call per row: an empty
    answer by one shared tuple, a list by the tuple of its codes (they cannot meet: the shared one holds a
    type); only the filled rows are visited."""
    empty = (NONE, kind)
    keys = [empty] * len(given)
    filled = list(compress(range(len(given)), given))
    codes = list(map(tuple, map(given.__getitem__, filled)))
    for i, key in zip(filled, codes):
        keys[i] = key
    outcome = {empty: coerce(kind, None)} if len(filled) < len(given) else {}
    outcome.update((key, coerce(kind, list(key))) for key in dict.fromkeys(codes))
    return Answers(given, types, keys, outcome)


def coerce(kind: str, value: object) -> tuple[object, str | None, object]:
    """(typed value, type error, expression value) of one raw answer of a field of base type ``kind``, as the
    engine's first pass works them out."""
    if is_empty(value):
        return ([] if kind == "select_multiple" else None), None, ""
    result, error = coerce_given(kind, value)
    return result, error, "" if is_empty(result) else expression_value_kind(kind, result)


def raw_key(value: object, kind: str, row: int) -> object:
    """A key for a raw answer: equal only for answers typed alike (an unhashable one is keyed by its row)."""
    if is_empty(value):
        return NONE, kind
    t = type(value)
    if t is str:
        return value
    if t is int or t is float or t is bool:
        return t, repr(value)
    if t is list and all(type(v) is str for v in value):
        return list, tuple(value)
    return NONE, row


_READS: dict[str, tuple[tuple[str, ...], bool]] = {}


def reads(text: str) -> tuple[tuple[str, ...], bool]:
    """(the names an expression references, sorted; whether it calls ``today()``), once per text."""
    try:
        return _READS[text]
    except KeyError:
        nodes = list(walk_nodes(parse(text)))
        names = tuple(sorted({n.name for n in nodes if isinstance(n, Ref)}))
        found = _READS[text] = (names, any(isinstance(n, Call) and n.name == "today" for n in nodes))
        return found


class TextTest:
    """A plain test of a ``str`` current value that holds exactly when a constraint does (:func:`constraint_test`):
    called on one value, or :meth:`failing` on many at once."""

    __slots__ = ("pattern", "compare", "bound")

    def __init__(self, pattern=None, compare=None, bound: float = 0.0):
        self.pattern, self.compare, self.bound = pattern, compare, bound  # pattern None and no compare: fails

    def __call__(self, value: str) -> bool:
        if self.compare is not None:
            return self.compare(float(len(value)), self.bound)
        return self.pattern is not None and self.pattern.fullmatch(value) is not None

    def failing(self, values) -> list[str]:
        """The values (non-empty ``str``, in their order) that fail the test, without a Python call per value
        where it can: a regex matched by the pattern's own method, a length bound checked on the longest (for
        ``<``, ``<=``) or shortest (``>``, ``>=``) value first — when that one passes, every one does."""
        if self.compare is None:
            return list(values) if self.pattern is None else list(filterfalse(self.pattern.fullmatch, values))
        values = values if type(values) is list else list(values)
        if values:
            extreme = max if self.compare in (lt, le) else min
            if self.compare(float(extreme(map(len, values))), self.bound):
                return []
        return list(filterfalse(self, values))


_TESTS: dict[str, TextTest | None] = {}


def constraint_test(text: str) -> TextTest | None:
    """A test of a ``str`` current value that holds exactly when the constraint does, for the forms
    ``regex(., 'pattern')`` and ``string-length(.) <op> number``; None for any other constraint."""
    try:
        return _TESTS[text]
    except KeyError:
        test = _TESTS[text] = _test_of(parse(text))
        return test


def _test_of(expr) -> TextTest | None:
    if (isinstance(expr, Call) and expr.name == "regex" and len(expr.args) == 2
            and isinstance(expr.args[0], Current) and isinstance(expr.args[1], Literal)
            and isinstance(expr.args[1].value, str)):
        return TextTest(pattern=compile_regex(expr.args[1].value))
    if (isinstance(expr, Chain) and len(expr.rest) == 1 and expr.rest[0][0] in RELATIONAL
            and isinstance(expr.first, Call) and expr.first.name == "string-length"
            and len(expr.first.args) <= 1 and all(isinstance(a, Current) for a in expr.first.args)
            and isinstance(expr.rest[0][1], Literal) and type(expr.rest[0][1].value) is float):
        return TextTest(compare=RELATIONAL[expr.rest[0][0]], bound=expr.rest[0][1].value)
    return None
