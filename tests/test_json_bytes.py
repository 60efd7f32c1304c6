"""``pipeline.manifest.json_bytes`` (the rerun's JSON files) gives the bytes ``json.dumps(indent=2)`` gives.

The fast path encodes on one line in C and lets ``msgspec.json.format`` add the indentation; these tests
keep the plain ``json`` layout as the reference and compare bytes over generated documents: every kind of
text (quotes, backslashes, control characters, CJK, U+2028, astral characters), ints past 64 bits,
floats at the edges of their range, NaN and infinities (which only ``json`` writes), tuples, empty and
deeply nested containers, and keys that are not text."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.pipeline.manifest import json_bytes


def reference(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8") + b"\n"


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = (st.none() | st.booleans() | st.integers(min_value=-(10 ** 30), max_value=10 ** 30)
           | st.floats(allow_nan=True, allow_infinity=True) | texts)
keys = texts | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                         | st.dictionaries(keys, inner, max_size=4), max_leaves=30)


@settings(max_examples=600, deadline=None)
@given(documents)
def test_the_same_bytes_as_json_for_any_document(data):
    assert json_bytes(data) == reference(data)


@pytest.mark.parametrize("data", [
    {}, [], {"a": {}, "b": [], "c": [[], {}, [[{}]]]},
    {"说明": "引号\" 反斜杠\\ 换行\n 制表\t 退格\b \x00\x1f\x7f \u2028\u2029 😀", "分": 9.5},
    [1e16, 1e-07, -0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 10 ** 40, -(2 ** 63)],
    {"nan": math.nan, "inf": [math.inf, -math.inf]},
    {3: "int key", 2.5: "float key", True: "bool key", None: "null key"},
    ("a", ("b", ()), {"t": (1, 2)}),
])
def test_the_same_bytes_for_hand_made_documents(data):
    assert json_bytes(data) == reference(data)


def test_a_lone_surrogate_fails_as_before():
    with pytest.raises(UnicodeEncodeError):
        reference(["\ud800"])
    with pytest.raises(UnicodeEncodeError):
        json_bytes(["\ud800"])


def test_a_document_json_cannot_write_fails_as_before():
    with pytest.raises(TypeError, match="set"):
        reference({"a": {1}})
    with pytest.raises(TypeError, match="set"):
        json_bytes({"a": {1}})
