"""Masking made cheaper for the reports' free-text pass (issue 19: a province masks 800,000 distinct answers): the
prechecks that let a text skip a pattern (ASCII text has no Chinese name, no number without three digits just
after a place that is not a letter, digit or underscore) and the per-field :func:`~evalkit.reports.masking.masker`
must give exactly what the plain functions gave, kept here as the reference, for every text — hand-made (the
edge cases of ``tests/test_reports.py``), generated from the pieces numbers and names are written with, and
drawn by hypothesis."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.reports import masking


def reference_mask_numbers(value: str) -> str:
    """mask_numbers before any precheck: every number pattern tried on every text."""
    value = masking.ID_CARD_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + "*" * 8 + m.group(4) + m.group(5), value)
    value = masking.OLD_ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 6 + m.group(3), value)
    value = masking.MOBILE_IN_TEXT.sub(masking._mobile, value)
    return masking.LANDLINE_IN_TEXT.sub(masking._landline, value)


def reference_trie(names: tuple[str, ...]) -> re.Pattern | None:
    trie: dict = {}
    for name in {n.strip() for n in names if n and len(n.strip()) >= 2}:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(masking._trie_pattern(trie)) if trie else None


def reference_mask_names(value: str, names=()) -> str:
    """mask_names before any precheck: the known names, the cue and the form-of-address patterns on every text."""
    pattern = reference_trie(tuple(names))
    if pattern is not None:
        value = pattern.sub(lambda m: masking.mask_name(m.group()), value)
    value = masking.NAME_AFTER_CUE.sub(lambda m: m.group(1) + m.group(2) + "*" * len(m.group(3)), value)
    return masking.NAME_BEFORE_TITLE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), value)


def reference_mask_value(kind, value: str, names=()) -> str:
    if kind == "phone":
        return masking.mask_phone(value)
    if kind == "name":
        return masking.mask_name(value)
    if kind == "official":
        return value
    return reference_mask_numbers(reference_mask_names(value, names))


NAMES = ("李四", "李四光", "王五", "欧阳修文", "赵铁柱", " 张建国 ", "王", "", "刘芳")
ASCII_NAMES = (*NAMES, "Li Si", "Tom")
HAND_MADE = [
    "电话13812345678，身份证220202199001011234", "办件 2018-001 用时 12 天", "请拨 +86 138 1234 5678 或 (0432)6234 5678",
    "工单 JL2018-11-0237，记录 a13812345678b", "张建国师傅很耐心，王先生也是", "赵铁柱反映排队久",
    "李四光和王五说李四来过，欧阳修文也在", "窗口服务很好", "李", "", " ", "无", "C2-12-X02200", "Q005890",
    "+8613812340001", "138-1234-0002", "138 1234 0003", "0432-62340004", "220202199001011234", "220202900101123",
    "220202 19900101 123X", "(86)13812345678", "+86)13812345678", "0086-138-1234-5678", "138.1234.5678",
    "010 1234 5678", "(0432)62345678", "x(0432)62345678", "_13812345678", "１３８１２３４５６７８", "٠٤٣٢-٦٢٣٤٥٦٧٨",
    "联系人：王小明，电话13812345678", "办事人李建国", "我叫张伟", "刘芳女士", "欧阳娜娜老师", "Tom said 13812345678",
    "Li Si called", "Li Sixx", "联系人: Tom", "市民 是王小明", "C2-12-X02200 李四", "a-138 1234 5678", "1-3-8",
]


def _pieces_text(rng: random.Random, pieces: list[str]) -> str:
    return "".join(rng.choices(pieces, k=rng.randrange(0, 30)))


def generated_texts(n: int = 30000) -> list[str]:
    """Texts put together from what numbers, names, cues, ids and separators are made of."""
    rng = random.Random(19)
    pieces = ["1", "3", "8", "0", "4", "2", "9", "X", "x", "１", "٣", " ", "-", ".", "(", ")", "+", "86", "00", "_",
              "a", "Q", "C2-", "电话", "号", "李四", "四光", "王", "欧阳", "修文", "张建国", "师傅", "先生", "联系人：",
              "我叫", "是", "市民", "Tom", "Li Si", "，", "\n", "\t", "138", "1234", "5678", "0432", "220202", "19900101"]
    return [_pieces_text(rng, pieces) for _ in range(n)]


def test_the_number_precheck_never_skips_a_number():
    for s in HAND_MADE + generated_texts():
        assert masking.mask_numbers(s) == reference_mask_numbers(s), s


def test_the_name_prechecks_never_skip_a_name():
    for names in ((), NAMES, ASCII_NAMES):
        for s in HAND_MADE + generated_texts(10000):
            assert masking.mask_names(s, names) == reference_mask_names(s, names), (s, names)


def test_a_masker_masks_as_mask_value_did_for_every_kind():
    texts = HAND_MADE + generated_texts()
    for names in ((), NAMES, ASCII_NAMES, list(ASCII_NAMES)):
        for kind in (None, "phone", "name", "official"):
            mask = masking.masker(kind, names)
            for s in texts:
                if kind == "name" and not s.strip():
                    continue
                expected = reference_mask_value(kind, s, names)
                assert mask(s) == expected, (kind, s, names)
                assert masking.mask_value(kind, s, names) == expected, (kind, s, names)
                if kind is None:
                    assert masking.mask_free_text(s, names) == expected, (s, names)


def test_the_masking_rules_of_the_reports_hold_through_a_masker():
    mask = masking.masker(None, ("李四", "李四光", "王五", "欧阳修文"))
    assert mask("李四光和王五说李四来过，欧阳修文也在") == "李**和王*说李*来过，欧阳**也在"
    assert mask("请拨 +86 138 1234 5678 或 (0432)6234 5678") == "请拨 +86 138 **** 5678 或 (0432)**** 5678"
    assert mask("工单 JL2018-11-0237，记录 a13812345678b") == "工单 JL2018-11-0237，记录 a13812345678b"
    assert mask("C2-12-X02200") == "C2-12-X02200"
    assert masking.masker(None, ("Li Si",))("Li Si called 13812345678") == "L**** called 138****5678"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789１٣ -.()+_aX李四王五光张师傅先生联系人：我叫是Tom")), max_size=40))
def test_drawn_texts_are_masked_as_before(text):
    for names in ((), ASCII_NAMES):
        assert masking.masker(None, names)(text) == reference_mask_value(None, text, names)
    assert masking.mask_numbers(text) == reference_mask_numbers(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_masked_as_before(text):
    assert masking.masker(None, ASCII_NAMES)(text) == reference_mask_value(None, text, ASCII_NAMES)
