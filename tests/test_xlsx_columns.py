"""The 文字记录 sheet's fast paths in ``evalkit.io.xlsx_rows.add_columns`` (issue 19): columns given as
:class:`~evalkit.io.xlsx_rows.Runs` (a record's id, unit and instrument once per record), a column of answers
escaped all together (``distinct``), and each cell's tail carrying what follows it in the row.  The reference is
``Sheet.add`` cell by cell (what wrote every row before the sheet came in blocks) and ``cell_tail`` per value:
awkward texts drawn by hypothesis — XML specials, control characters, NUL, lone surrogates, non-characters, line
breaks and tabs, spaces around, formula starts, texts past Excel's 32,767 characters, numbers and None."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.io.xlsx_rows import Runs, _plain_column, add_columns, cell_tail
from evalkit.io.xlsx_stream import SHORT_TEXT, Sheet, stream_workbook

HEADERS = ["记录编号", "单位编号", "调查工具", "字段", "行", "内容"]
WIDTHS = [34, 10, 20, 26, 5, 80]
WRAP = {2, 3, 5}
AWKWARD = ["无", "", " ", "  前后有空格  ", "a & b < c > d", "&amp;已转义&lt;", "<t>标记</t>", "]]>", "第一行\n第二行",
           "回车\r\n换行", "\t制表符开头", "中间\t制表符", "=1+1", "+86 138 1234 5678", "-3 分", "@某人", "含\x00空字符",
           "换页\x0c符", "非字符\ufffe\uffff", "孤立代理\ud800项", "😀 𠀀𠀁 表情与扩展 B", "很长的意见" * 20, "w" * 200,
           "超长" * 17000, "词" * SHORT_TEXT, "x" * (SHORT_TEXT + 1), "\u3000全角空格", "\u2028行分隔", "ascii only text"]
TEXT = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=60),
                 st.text(alphabet=st.characters(codec="utf-8"), max_size=30),  # printable or not, no surrogates
                 st.builds("".join, st.lists(st.sampled_from(AWKWARD + ["文字", "x"]), max_size=5)))
# printable text (what most answers are), XML specials and formula starts among it
PLAIN = st.one_of(st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S"], include_characters=" &<>"),
                          min_size=1, max_size=50),
                  st.sampled_from(["无", "a & b < c > d", "&amp;已转义", "]]>", "很长的意见" * 20, "w" * 200, "=1+1",
                                   "前后有空格 ", " 前后有空格", "😀 𠀀", "词" * SHORT_TEXT]))


def _sheet(wb, every_row: bool = False) -> Sheet:
    return Sheet(wb, "文字记录", HEADERS, WIDTHS, heading="测试 & 文字", wrap=WRAP, every_row=every_row)


def _bytes(path, rows, blocks=None, *, distinct=(5,), every_row=False) -> bytes:
    """The workbook of one sheet: ``rows`` by ``Sheet.add`` one by one (the reference) or ``blocks`` by add_columns."""
    def sheets(wb):
        sheet = _sheet(wb, every_row)
        if blocks is None:
            for r in rows:
                sheet.add(r)
        else:
            add_columns(sheet, blocks, distinct=distinct)
        sheet.finish()
        yield sheet
    return stream_workbook(path, sheets).read_bytes()


def _records(rng: random.Random, texts: list, n_records: int) -> list[tuple[str, str, str, list]]:
    """Records like the free-text pass gives: an id, a unit, an instrument title and its answers (field, row, text)."""
    titles = ["服务对象抽查（service_user_check）", "问卷调查（questionnaire）", "=公式样的标题", "短"]
    fields = ["意见（comment）", "办事事项名称（item_name）", "备注（notes）", "=说明（note）", "很长的字段标签" * 4]
    out, at = [], 0
    for k in range(n_records):
        answers = []
        for _ in range(rng.choice([1, 1, 2, 5, 12])):
            answers.append((rng.choice(fields), rng.choice([None, 1, 2, 12]), texts[at % len(texts)] if texts else "无"))
            at += 1
        out.append((f"{rng.randrange(16 ** 8):08x}-{k:04d}", f"c{k % 7}", rng.choice(titles), answers))
    return out


def _as_rows(records) -> list[list]:
    return [[rid, unit, title, f, row, text] for rid, unit, title, answers in records for f, row, text in answers]


def _as_blocks(records, sizes) -> list[list]:
    """Blocks of whole records, the per-record columns as Runs."""
    blocks, at = [], 0
    for size in [*sizes, len(records)]:
        part = records[at:at + size]
        at += size
        if part:
            counts = [len(r[3]) for r in part]
            blocks.append([Runs([r[0] for r in part], counts), Runs([r[1] for r in part], counts),
                           Runs([r[2] for r in part], counts), [a[0] for r in part for a in r[3]],
                           [a[1] for r in part for a in r[3]], [a[2] for r in part for a in r[3]]])
    return blocks


# the first block makes the styles of every kind of cell (row by row, as Sheet.add makes them), so that the blocks
# after it take the column paths
WARM_UP = [("r0", "u", "t", [("f", None, "文字"), ("=f", 1, "=公式"), ("", None, "")]),
           ("r1", "", "=t", [("f", 2, "x")])]


@settings(max_examples=60, deadline=None)
@given(texts=st.one_of(st.lists(TEXT, min_size=1, max_size=300), st.lists(PLAIN, min_size=1, max_size=300)),
       seed=st.integers(0, 2 ** 16), every_row=st.booleans(), sizes=st.lists(st.integers(1, 40), max_size=6))
def test_answers_in_runs_and_escaped_together_have_the_bytes_of_one_cell_at_a_time(tmp_path_factory, texts, seed,
                                                                                   every_row, sizes):
    rng = random.Random(seed)
    records = WARM_UP + _records(rng, texts, max(1, len(texts) // 3))
    rows = _as_rows(records)
    folder = tmp_path_factory.mktemp("columns")
    reference = _bytes(folder / "one-by-one.xlsx", rows, every_row=every_row)
    assert _bytes(folder / "columns.xlsx", rows, _as_blocks(records, [len(WARM_UP), *sizes]),
                  every_row=every_row) == reference
    assert _bytes(folder / "looked-up.xlsx", rows, _as_blocks(records, [len(WARM_UP), *sizes]), distinct=(),
                  every_row=every_row) == reference


def test_a_province_like_sheet_in_blocks_of_2000_has_the_bytes_of_one_cell_at_a_time(tmp_path):
    """Many blocks of plain answers (the usual case: every block of the answers escaped together), some with a
    multi-line or formula-like answer among them (that block looked up as before), repeated answers and records."""
    rng = random.Random(5)
    common = ["无", "态度很好，一次办成。", "窗口人员说“材料不全”，让我 <下次> 再来 & 补交", "材料齐全" * 9]
    texts = []
    for i in range(30_000):
        texts.append(rng.choice(common) if rng.random() < 0.4 else f"C2-{i % 97:02d}-X{i:05d} 第 {i} 条 & 意见")
    for i in range(7, len(texts), 4999):
        texts[i] = rng.choice(["第一行\n第二行", "=HYPERLINK(\"http://x\")", "", "控制\x0b字符"])
    records = WARM_UP + _records(rng, texts, 6000)
    rows = _as_rows(records)
    sizes, total = [len(WARM_UP)], len(WARM_UP)
    while total < len(records):  # whole records of about 2000 answers, as the free-text pass makes them
        k, answers = 0, 0
        while total + k < len(records) and answers < 2000:
            answers += len(records[total + k][3])
            k += 1
        sizes.append(k)
        total += k
    assert _bytes(tmp_path / "columns.xlsx", rows, _as_blocks(records, sizes)) == _bytes(tmp_path / "ref.xlsx", rows)


@settings(max_examples=300, deadline=None)
@given(column=st.one_of(st.lists(TEXT, min_size=1, max_size=40), st.lists(PLAIN, min_size=1, max_size=40)),
       after=st.sampled_from([b'<c r="F', b"</row>"]), i=st.sampled_from([4, 5]))
def test_a_column_escaped_together_gives_each_cells_own_tail_or_declines(tmp_path_factory, column, after, i):
    """``_plain_column`` either declines (a text not plain: it goes the way it went before) or gives each cell the
    tail ``cell_tail`` gives it, followed by ``after``, and the lines of a wrapped column."""
    def sheets(wb):
        sheet = _sheet(wb)
        sheet.add(["r", "u", "t", "f", 1, "文字"])  # the plain text style of every column
        tails_lines = _plain_column(sheet, i, column, {}, after)
        if tails_lines is not None:
            tails, lines = tails_lines
            made = [cell_tail(sheet, i, v, create=False) for v in column]
            assert None not in made
            assert tails == [t.encode("utf-8") + after for t, _ in made]
            assert (lines or [1] * len(column)) == [n for _, n in made]
            assert i in WRAP or lines is None
        else:
            assert not all(v and v.isprintable() and len(v) <= SHORT_TEXT and v[0] not in "=+-@" for v in column)
        yield sheet
    stream_workbook(tmp_path_factory.mktemp("plain") / "x.xlsx", sheets)


def test_runs_expand_and_count_as_their_rows():
    runs = Runs(["a", "b", None], [2, 1, 3])
    assert len(runs) == 6
    assert runs.expanded() == ["a", "a", "b", None, None, None]
    assert Runs([], []).expanded() == [] and len(Runs([], [])) == 0


def test_columns_given_as_runs_must_still_be_as_long_as_the_others(tmp_path):
    def bad(wb):
        sheet = _sheet(wb)
        add_columns(sheet, [[Runs(["a"], [2]), ["x"]]])
        yield sheet
    with pytest.raises(ValueError, match="differ in length"):
        stream_workbook(tmp_path / "bad.xlsx", bad)
