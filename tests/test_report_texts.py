"""The reports' free-text pass (``evalkit.reports.texts.text_blocks``, 1.5 million answers at province scale) made
faster: the answers, their masking and their order must be those of the first, plainer pass, kept here as the
reference; and the digit check that lets most answers skip the number patterns must never skip a number."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from evalkit.forms import iter_fields
from evalkit.io.xlsx import plain_text
from evalkit.io.xlsx_rows import Runs
from evalkit.project import evaluate, open_project
from evalkit.reports import data as report_data_module
from evalkit.reports import masking, workbook
from evalkit.reports.data import report_data
from evalkit.reports.texts import MASKED_KEPT, TextAnswer, scopes_at, text_blocks

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
                found = scopes[path] = scopes_at(view.answers, path)
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


def reference_text_rows(data):
    """The 文字记录 sheet's rows as they were made before they came column by column (issue 19): one list per answer."""
    for record, unit, instrument, name, label, row, text, _ in reference_texts(data):
        yield [record, unit, data.instrument_title(instrument), f"{label}（{name}）", row, text]


@pytest.mark.parametrize("mask", [True, False])
def test_the_text_sheet_columns_and_the_unit_pages_texts_are_those_of_the_plain_pass(demo, mask, monkeypatch):
    """Blocks of whole records, however small, give the rows of the plain pass; a unit page keeps its first answers
    (the limit crossed inside a record) and counts them all."""
    project, evaluation, problems = demo
    data = report_data(project, evaluation, problems, mask_personal=mask)
    expected = list(reference_texts(data))
    rows = [list(r) for block in workbook._text_columns(data)
            for r in zip(*(c.expanded() if isinstance(c, Runs) else c for c in block))]
    assert rows == list(reference_text_rows(data))
    for size in (1, 7, 2000):
        blocks = list(text_blocks(data.records.values(), data.instruments, mask=mask, names=data.names, block=size))
        assert [t for b in blocks for t in b.answers()] == expected
        assert all(sum(b.counts) == len(b.texts) >= min(size, len(b.texts)) for b in blocks)
    monkeypatch.setattr(report_data_module, "TEXT_LIMIT", 5)
    data = report_data(project, evaluation, problems, mask_personal=mask)
    units = list(dict.fromkeys(t.unit for t in expected))
    for unit in units:
        theirs = [t for t in expected if t.unit == unit]
        assert data.unit_texts(unit) == theirs[:5]
        assert data.unit_text_count(unit) == len(theirs)
    assert any(data.unit_text_count(u) > 5 for u in units)


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




def reference_mask_phone(value: str) -> str:
    """mask_phone as it was before values of digits only skipped the pattern (issue 19)."""
    digits = masking.NOT_DIGIT.sub("", value)
    if not digits:
        return "*" * min(len(value), 4) if value else value
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
    return "*" * (len(digits) - 2) + digits[-2:] if len(digits) > 2 else "**"


def test_a_phone_number_of_digits_only_is_masked_as_before():
    """Values of ASCII digits only (most phone answers) are their own digits; other digits (full-width,
    Arabic-Indic, superscripts) and separators still go through the pattern."""
    rng = random.Random(5)
    samples = ["".join(rng.choices("0123456789", k=n)) for n in range(0, 25) for _ in range(20)]
    samples += ["１３８１２３４５６７８", "٠٤٣٢٦٢٣٤٥٦٧٨", "138²1234", "²³", "138 1234 5678", "+8613812345678", "无", ""]
    samples += ["".join(rng.choices("0123456789１٣² -+", k=rng.randrange(0, 20))) for _ in range(5000)]
    for s in samples:
        assert masking.mask_phone(s) == reference_mask_phone(s), s
