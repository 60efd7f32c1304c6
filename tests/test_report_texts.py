"""The reports' free-text pass (``evalkit.reports.data._texts``, 1.5 million answers at province scale) made
faster: the answers, their masking and their order must be those of the first, plainer pass, kept here as the
reference; and the digit check that lets most answers skip the number patterns must never skip a number."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from evalkit.forms import iter_fields
from evalkit.io.xlsx import plain_text
from evalkit.project import evaluate, open_project
from evalkit.reports import masking
from evalkit.reports.data import MASKED_KEPT, TextAnswer, _scopes, report_data

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def reference_texts(data):
    """The pass as it was before it was made faster (issue 19): one TextAnswer per answer, fields looked up per
    record."""
    fields = {k: [(path, f, masking.personal_kind(f.name, f.label, f.role)) for path, f in iter_fields(inst)
                  if f.type == "text" and f.role not in ("unit", "assessor")] for k, inst in data.instruments.items()}
    done: dict = {}
    for view in data.records.values():
        if view.deleted or view.instrument_id not in fields or not isinstance(view.answers, dict):
            continue
        scopes: dict = {}
        for path, f, kind in fields[view.instrument_id]:
            seen = done.setdefault(kind, {})
            found = scopes.get(path)
            if found is None:
                found = scopes[path] = _scopes(view.answers, path)
            for row, scope in found:
                value = scope.get(f.name)
                if value is None:
                    continue
                raw = value if type(value) is str else str(value)
                text = seen.get(raw)
                if text is None:
                    if raw.strip() == "":
                        continue
                    text = plain_text(raw)
                    if data.mask_personal:
                        text = reference_mask_value(kind, text, data.names)
                    if len(seen) >= MASKED_KEPT:
                        seen.clear()
                    seen[raw] = text
                yield TextAnswer(view.instance_id, view.unit, view.instrument_id, f.name, f.label, row, text, kind)


def reference_mask_numbers(value: str) -> str:
    """Every number pattern tried on every text, as before the three-digit check."""
    value = masking.ID_CARD_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + "*" * 8 + m.group(4) + m.group(5), value)
    value = masking.OLD_ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 6 + m.group(3), value)
    value = masking.MOBILE_IN_TEXT.sub(masking._mobile, value)
    return masking.LANDLINE_IN_TEXT.sub(masking._landline, value)


def reference_mask_value(kind, value, names):
    if kind in ("phone", "name", "official"):
        return masking.mask_value(kind, value, names)
    return reference_mask_numbers(masking.mask_names(value, names))


@pytest.fixture(scope="module")
def demo():
    project = open_project(DEMO)
    evaluation, problems = evaluate(project)
    return project, evaluation, problems


@pytest.mark.parametrize("mask", [True, False])
def test_the_free_text_pass_gives_what_the_plain_pass_gave(demo, mask):
    project, evaluation, problems = demo
    data = report_data(project, evaluation, problems, mask_personal=mask)
    expected = list(reference_texts(data))
    got = list(data.iter_texts())
    assert len(got) > 100
    assert got == expected
    assert all(type(t) is TextAnswer for t in got)
    assert data.unit_text_count(got[0].unit) == sum(t.unit == got[0].unit for t in expected)


def test_the_digit_check_never_skips_a_number():
    """Written as people write numbers: prefixes, separators, brackets, full-width and other Unicode digits (which
    ``\\d`` takes too), short runs that are no number, and random mixes."""
    samples = ["电话13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "(0432)6234 5678", "010 1234 5678",
               "0432-62345678", "220202199001011234", "220202 19900101 123X", "220202900101123", "办件 2018-001 用时 12 天",
               "１３８１２３４５６７８", "٠٤٣٢-٦٢٣٤٥٦٧٨", "12 34 56", "无", "", "13", "1-3-8", "(04)12"]
    rng = random.Random(19)
    pieces = ["1", "3", "8", "0", "4", "2", "9", "１", "٣", " ", "-", ".", "(", ")", "+", "86", "电话", "号", "x"]
    samples += ["".join(rng.choices(pieces, k=rng.randrange(1, 30))) for _ in range(20000)]
    for s in samples:
        assert masking.mask_numbers(s) == reference_mask_numbers(s), s

