"""The HTML reports' large tables (a unit's scorecard and free-text answers, every page's problems) made in Python
(``pages.table_rows``, issue 19) give the markup the templates' ``{% for %}`` loops gave: the loops are kept here
as the reference, put back into the package's templates, and whole pages compared byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup

from evalkit.problems import Problem
from evalkit.project import evaluate, open_project
from evalkit.reports import data as report_data_module
from evalkit.reports import pages
from evalkit.reports.data import report_data

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
TEMPLATES = Path(pages.__file__).resolve().parent / "templates"

# the loops as the templates had them, and what stands in their place now
CARD_LOOP = ('{% for r in card %}<tr class="{{ r.cls }}"><td>{{ r.code }}</td><td style="padding-left:{{ r.indent }}em">'
             '{{ r.name }}</td><td class="n">{{ r.score }}</td><td class="n">{{ r.points }}</td><td>{{ r.share }}</td>'
             '<td>{{ r.status }}</td><td>{{ r.rule }}</td><td>{{ r.figures }}</td><td class="n">{{ r.n }}</td></tr>\n'
             '{% endfor %}')
CARD_KEYS = ("cls", "code", "indent", "name", "score", "points", "share", "status", "rule", "figures", "n")
TEXT_LOOP = ('{% for t in texts %}<tr><td>{{ t.record }}</td><td>{{ t.instrument }}</td><td>{{ t.label }}</td>'
             '<td class="text">{{ t.text }}</td></tr>\n{% endfor %}')
TEXT_KEYS = ("record", "instrument", "label", "text")
PROBLEM_LOOP = ('{% for p in rows %}<tr><td class="sev-{{ p.severity }}">{{ p.severity_zh }}</td><td>{{ p.code }}</td>'
                '<td>{{ p.message }}</td><td>{{ p.where }}</td></tr>\n{% endfor %}')
PROBLEM_KEYS = ("severity", "severity_zh", "code", "message", "where")
OLD = {
    "unit.html": [("{{ card }}", CARD_LOOP), ("{% if text_shown %}", "{% if texts %}"), ("{{ texts }}", TEXT_LOOP),
                  ("text_total > text_shown", "text_total > texts|length"), ("前 {{ text_shown }} 条", "前 {{ texts|length }} 条"),
                  ("m.problems(problems, problem_shown, problem_total, limit)", "m.problems(problems, problem_total, limit)")],
    "overview.html": [("m.problems(problems, problem_shown, problem_total, limit)",
                       "m.problems(problems, problem_total, limit)")],
    "macros.html": [("problems(rows, shown, total, limit)", "problems(rows, total, limit)"),
                    ("{% if shown %}", "{% if rows %}"), ("{{ rows }}", PROBLEM_LOOP),
                    ("total > shown", "total > rows|length"), ("前 {{ shown }} 条", "前 {{ rows|length }} 条")],
}


def old_templates() -> dict[str, str]:
    out = {p.name: p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.html")}
    for name, swaps in OLD.items():
        for new, old in swaps:
            assert out[name].count(new) == 1, (name, new)
            out[name] = out[name].replace(new, old)
    return out


def old_env() -> Environment:
    return Environment(loader=DictLoader(old_templates()), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def loop(snippet: str, name: str, rows: list[dict]) -> str:
    return old_env().from_string(snippet).render(**{name: rows})


TEXT = st.lists(st.sampled_from(list("ab 中文&<>\"'\x00\n\t") + ["&amp;", "<b>"]), max_size=8).map("".join)
VALUE = st.one_of(TEXT, st.integers(-5, 10**6), st.floats(allow_nan=True), st.none(), TEXT.map(Markup), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*[VALUE] * 11), max_size=6), st.lists(st.tuples(*[VALUE] * 4), max_size=6),
       st.lists(st.tuples(*[VALUE] * 5), max_size=6))
def test_the_rows_made_in_python_are_the_loops_markup(card, texts, problems):
    """Text with markup characters and NULs, numbers, None, Markup and booleans: the same markup as each loop."""
    assert pages.table_rows(pages.CARD_ROW, card) == loop(CARD_LOOP, "card", [dict(zip(CARD_KEYS, r)) for r in card])
    assert pages.table_rows(pages.TEXT_ROW, texts) == loop(TEXT_LOOP, "texts", [dict(zip(TEXT_KEYS, r)) for r in texts])
    assert pages.table_rows(pages.PROBLEM_ROW, problems) == loop(PROBLEM_LOOP, "rows",
                                                                  [dict(zip(PROBLEM_KEYS, r)) for r in problems])


class Rows(Markup):
    """What ``table_rows`` made, with the rows it was given (to hand the old templates their loops' rows)."""

    rows: list


def old_context(ctx: dict) -> dict:
    """A page's context as the old templates took it: the rows as dicts, no counts of what is shown."""
    ctx = dict(ctx)
    for name, keys in (("card", CARD_KEYS), ("texts", TEXT_KEYS), ("problems", PROBLEM_KEYS)):
        if name in ctx:
            ctx[name] = [dict(zip(keys, r)) for r in ctx[name].rows]
    ctx.pop("text_shown", None)
    ctx.pop("problem_shown", None)
    return ctx


@pytest.fixture(scope="module")
def demo():
    project = open_project(DEMO)
    evaluation, problems = evaluate(project)
    return project, evaluation, problems


@pytest.mark.parametrize("limit", [300, 3])
def test_every_page_is_what_the_old_templates_made(demo, limit, tmp_path, monkeypatch):
    """The demo's pages (masked; a unit page's texts and a page's problems cut at a limit or not) byte for byte."""
    project, evaluation, problems = demo
    monkeypatch.setattr(report_data_module, "TEXT_LIMIT", limit)
    monkeypatch.setattr(pages, "TEXT_LIMIT", limit)
    monkeypatch.setattr(pages, "PROBLEM_LIMIT", limit)
    unit = evaluation.units[0].unit
    ours = [Problem("X-TEST", "warning", f'单位 {unit} 的 "<数据>" & \'说明\' 第 {k} 条', file=str(DEMO / "records" / "a&b.xlsx"),
                    sheet="表<1>", row=k) for k in range(5)]
    data = report_data(project, evaluation, [*problems, *ours], mask_personal=True)
    written = {p: p.read_bytes() for p in pages.write_html(data, tmp_path / "new")}

    made = pages.table_rows
    old = old_env()
    contexts = []

    def spy(row, rows):
        rows = list(rows)
        out = Rows(made(row, rows))
        out.rows = rows
        return out

    class Spy:
        def __init__(self, name):
            self.name = name

        def render(self, **ctx):
            contexts.append(ctx)
            return old.get_template(self.name).render(**old_context(ctx))

    monkeypatch.setattr(pages, "table_rows", spy)
    monkeypatch.setattr(pages, "ENV", type("SpyEnv", (), {"get_template": staticmethod(Spy)})())
    reference = {p: p.read_bytes() for p in pages.write_html(data, tmp_path / "old")}
    assert len(written) == len(reference) > 4
    for (p, got), (q, expected) in zip(written.items(), reference.items()):
        assert p.relative_to(tmp_path / "new") == q.relative_to(tmp_path / "old")
        assert got == expected, p.name
    assert any(len(c["card"].rows) > 10 for c in contexts if "card" in c)
    assert any(c["text_total"] > c["text_shown"] > 0 for c in contexts if "texts" in c) == (limit == 3)
    with_problems = [c for c in contexts if "problems" in c]
    assert len(with_problems) == len(written) - 1  # all but the index
    if limit == 3:
        assert sum(c["problem_total"] > c["problem_shown"] == 3 for c in with_problems) >= 3  # province, one more, unit
    assert {x for c in with_problems for x in ("&lt;", "&gt;", "&amp;", "&#34;", "&#39;") if x in c["problems"]} == \
        {"&lt;", "&gt;", "&amp;", "&#34;", "&#39;"}
