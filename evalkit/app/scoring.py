"""The lead evaluator's scoring page (``scoring.ipynb``).

The ranking per category, a unit's scorecard as the indicator tree with points,
a drill-down from any leaf to the records used and left out (and from there to
the record itself), the problems with filters, and two charts drawn as inline
SVG (totals per category; a unit's profile across level-1 and level-2
indicators).  Scoring and the checks are :func:`evalkit.project.evaluate` and
:func:`evalkit.project.project_checks` — the calls of ``evalkit score`` and ``evalkit check`` —
so the page and the command line always agree.  The scores are computed while the kernel is
preheated (:func:`prepare`, the notebook's first cell) and used when the page opens unless an input
changed in between (:func:`evalkit.app.pages.fingerprint`), so the page opens at once.
"""

from __future__ import annotations

import logging

import ipywidgets as w

from evalkit.app.busy import busy
from evalkit.app.fields import esc, full
from evalkit.app.pages import ID, _page, fingerprint, link
from evalkit.app.record import TABLE_CSS, record_html
from evalkit.app.whatif import WhatIfPanel
from evalkit.project import Project, evaluate, open_project, project_checks
from evalkit.reports import bars_against_max, grade_text, pending_text, rank_text, total_text, uncertainty_texts


def _fmt(value) -> str:
    return "—" if value is None else f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def full_marks(evaluation) -> float:
    """The most a unit can get: the framework's level-1 计分 points plus the bonus cap (or a larger total)."""
    units = evaluation.units
    full = [sum(n.points or 0.0 for n in u.nodes if "." not in n.indicator and n.kind == "scored") + u.bonus_cap
            for u in units]
    return max(full + [u.total for u in units] + [0.0])


DRAWS = 200
log = logging.getLogger("evalkit.scoring_page")


def prepare(project: Project, draws: int = DRAWS) -> None:
    """Score while the kernel is preheated (the notebook's first cell), keyed by the inputs' fingerprint.

    Nothing here may fail the notebook's first cell: a project that cannot be scored is scored again
    when the page is asked for, where the failure becomes a Chinese page."""
    try:
        key = fingerprint(project)
        evaluation, inputs = evaluate(project, draws=draws, reuse=project.scored_units)
        project.page_cache = (key, draws, evaluation, inputs, project_checks(project, evaluation))
    except Exception:  # noqa: BLE001
        log.exception("scoring could not be prepared")
        project.page_cache = None


def scored(project: Project, draws: int = DRAWS) -> tuple[Project, tuple]:
    """The prepared scores when no input changed since, else a fresh project scored now — taking each unit whose
    tallies and draws are the ones ``project`` scored before (:attr:`~evalkit.project.Project.scored_units`: kept by
    the content they rest on, so a threshold or an adjustment changed in the folder scores no unit again)."""
    cached = getattr(project, "page_cache", None)
    if cached is None or cached[0] != fingerprint(project) or cached[1] != draws:
        project, before = open_project(project.root), project
        project.scored_units = before.scored_units
        key = fingerprint(project)  # before reading: a change while scoring shows on the next open
        evaluation, inputs = evaluate(project, draws=draws, reuse=project.scored_units)
        project.page_cache = (key, draws, evaluation, inputs, project_checks(project, evaluation))
    return project, project.page_cache


class ScoringView:
    def __init__(self, project: Project, draws: int = DRAWS, params: dict[str, str] | None = None):
        self.draws = draws
        self._score(project)
        cats = sorted({u.category for u in self.evaluation.units})
        self.category = w.Dropdown(options=[(self._cat_name(c), c) for c in cats], description="类别")
        self.ranking = w.HTML(layout=full())
        self.unit = w.Dropdown(options=[], description="单位")
        self.card = w.HTML(layout=full())
        self.leaf = w.Dropdown(options=[], description="下钻指标")
        self.trace = w.HTML(layout=full())
        self.record = w.Dropdown(options=[], description="记录")
        self.record_view = w.HTML(layout=full())
        codes = sorted({p.code for p in self.problems})
        self.severity = w.Dropdown(options=[("全部级别", ""), ("错误", "error"), ("警告", "warning")], description="级别")
        self.code = w.Dropdown(options=[("全部代码", "")] + [(c, c) for c in codes], description="代码")
        self.problem_list = w.HTML(layout=full())
        self.rescore_button = w.Button(description="重新计分", tooltip="按项目文件夹现在的记录和设置重新计分（如作废重复记录之后）")
        self.rescore_button.add_class("ek-p-rescore")
        self.waits = {name: w.HTML(layout=w.Layout(width="auto")) for name in
                      ("rescore", "category", "unit", "leaf", "record", "problems")}
        for name, wait in self.waits.items():
            wait.add_class("ek-wait")
            wait.add_class(f"ek-p-wait-{name}")
        for name in ("category", "unit", "leaf", "record", "severity", "code"):
            getattr(self, name).add_class(f"ek-p-{name}")
        self._watch(self.category, "category", "正在排名……", self.show_category)
        self._watch(self.unit, "unit", "正在读取计分卡……", self.show_unit)
        self._watch(self.leaf, "leaf", "正在读取计分依据……", self.show_leaf)
        self._watch(self.record, "record", "正在读取记录……", self.show_record)
        self._watch(self.severity, "problems", "正在筛选问题……", self.show_problems)
        self._watch(self.code, "problems", "正在筛选问题……", self.show_problems)
        self.rescore_button.on_click(lambda _: self.rescore())
        self.heading, self.chart = w.HTML(), w.HTML()
        self.what_if = WhatIfPanel(lambda: self.project, lambda: self.evaluation, lambda: self.category.value, draws)
        line = lambda *c: w.HBox(list(c), layout=w.Layout(flex_flow="row wrap", align_items="center"))  # noqa: E731
        self.widget = _page(
            self.heading, self.chart, line(self.rescore_button, self.waits["rescore"]),
            line(self.category, self.waits["category"]), self.ranking, line(self.unit, self.waits["unit"]), self.card,
            line(self.leaf, self.waits["leaf"]), self.trace, line(self.record, self.waits["record"]), self.record_view,
            self.what_if.widget, w.HTML("<h4>问题</h4>"), line(self.severity, self.code, self.waits["problems"]), self.problem_list)
        self._head()
        self.widget.add_class("ek-wide")
        self.show_category()
        self.show_problems()
        self.open(params or {})

    def _score(self, project: Project) -> None:
        """The scores, checks and problems of ``project`` (the prepared ones when no input changed)."""
        project, (_, _, self.evaluation, inputs, self.checks) = scored(project, self.draws)
        self.project = project  # the checks are exactly what `evalkit check` lists
        self.problems = list(inputs) + list(self.evaluation.problems) + self.checks

    def _head(self) -> None:
        seed = self.evaluation.settings.seed
        self.heading.value = (TABLE_CSS + f"<h3>计分与排名</h3><p class='ek-hint'>框架 {esc(self.evaluation.framework)}；"
                              f"总分区间与名次区间按抽样误差重抽样估计（随机种子 {seed}，{self.draws} 次）；"
                              "有指标未能计分的单位总分为「待定」，补齐证据后点「重新计分」。</p>")
        self.chart.value = self._category_chart()

    def _watch(self, control: w.Widget, wait: str, text: str, action) -> None:
        """Run ``action`` when ``control`` changes, with the busy line beside it."""
        control.observe(lambda _: self._busy(wait, text, action, control), names="value")

    def _busy(self, wait: str, text: str, action, *controls: w.Widget) -> None:
        with busy(self.waits[wait], text, *controls):
            action()

    def rescore(self) -> None:
        """Score again from the project folder as it is now (a record voided, an adjustment added …), keeping
        the unit and indicator shown."""
        unit, leaf = self.unit.value, self.leaf.value
        with busy(self.waits["rescore"], "正在重新计分，请稍候……", self.rescore_button):
            self.project.page_cache = None   # scored() opens the folder again, with the units scored so far
            self._score(self.project)
            self._head()
            codes = sorted({p.code for p in self.problems})
            self.code.options = [("全部代码", "")] + [(c, c) for c in codes]
            cats = sorted({u.category for u in self.evaluation.units})
            self.category.options = [(self._cat_name(c), c) for c in cats]
            self.show_category()
            self.show_problems()
            self.what_if.refresh()
            self.open({"unit": unit or "", "leaf": leaf or ""})
            self.waits["rescore"].value = (f"<span class='ek-done'>已按项目文件夹现在的内容重新计分（{len(self.evaluation.units)} 个单位，"
                                           f"{len(self.problems)} 条问题）。</span>")

    def open(self, params: dict[str, str]) -> None:
        """``?unit=`` opens a unit's scorecard, ``&leaf=`` its trace (the links of the ranking and the card)."""
        unit = self.evaluation.unit(params.get("unit", "")) if params.get("unit") else None
        if unit is None:
            return
        self.category.value = unit.category
        self.unit.value = unit.unit
        if params.get("leaf") in {k for _, k in self.leaf.options}:
            self.leaf.value = params["leaf"]

    def _cat_name(self, category: str) -> str:
        first = next((u for u in self.evaluation.units if u.category == category), None)
        return (first.category_name if first and first.category_name else f"类别 {category}")

    def _category_chart(self) -> str:
        full = full_marks(self.evaluation)
        items = []
        for c in sorted({u.category for u in self.evaluation.units}):
            totals = [u.total for u in self.evaluation.units if u.category == c]
            items.append((self._cat_name(c), sum(totals) / len(totals), full))
        return str(bars_against_max(items, title="各类别平均总分"))  # a str: Markup + str would escape the str

    def show_category(self) -> None:
        ranking = self.evaluation.ranking(self.category.value) if self.category.value else []
        rows = "".join(_ranking_row(u) for u in ranking)
        self.ranking.value = ("<div class='ek-scroll'><table class='ek-table ek-ranking'><tr><th>名次</th><th>单位</th>"
                              "<th>编号</th><th>总分</th><th>等级</th><th>总分区间</th><th>名次区间</th><th>基本分</th>"
                              "<th>加分</th><th>加减分</th><th>待定原因</th></tr>" + rows + "</table></div>")
        self.unit.options = [(f"{u.name}（{u.unit}）", u.unit) for u in ranking]
        self.show_unit()

    def show_unit(self) -> None:
        result = self.evaluation.unit(self.unit.value) if self.unit.value else None
        if result is None:
            self.card.value, self.leaf.options = "", []
            return
        nodes = {n.indicator: n for n in result.nodes}
        leaves = {s.indicator: s for s in result.leaves}
        rows = []
        for code in sorted(set(nodes) | set(leaves), key=lambda c: [int(p) for p in c.split(".")]):
            item = leaves.get(code) or nodes[code]
            depth = code.count(".")
            detail = esc(leaves[code].figures) if code in leaves else ("（已封顶）" if nodes[code].capped else "")
            name = (f"<a href='{esc(link('scoring.ipynb', unit=result.unit, leaf=code))}'>{esc(code)} {esc(item.name)}</a>"
                    if code in leaves else f"{esc(code)} {esc(item.name)}")
            rows.append(f"<tr><td style='padding-left:{6 + 14 * depth}px'>{name}</td>"
                        f"<td>{_fmt(item.score)}</td><td>{_fmt(item.points)}</td><td>{detail}</td></tr>")
        events = "".join(f"<li>{esc(e.id)}：{_fmt(e.points)} 分</li>" for e in result.events)
        profile = [(f"{n.indicator} {n.name}", n.score, n.points or 0) for n in result.nodes if n.indicator.count(".") <= 1]
        chart = bars_against_max(profile, title="一级、二级指标得分与满分")
        pending = f"<p class='ek-pending'>{esc(pending_text(result))}</p>" if result.provisional else ""
        self.card.value = (f"<h4>{esc(result.name)} 计分卡：总分 {esc(total_text(result))}，等级 {esc(grade_text(result))}，"
                           f"类别内名次 {esc(rank_text(result))}</h4>{pending}{chart}"
                           "<div class='ek-scroll'><table class='ek-table ek-card'><tr><th>指标</th><th>得分</th><th>满分</th>"
                           "<th>依据</th></tr>" + "".join(rows) + "</table></div>" + (f"<p>加减分事项：</p><ul>{events}</ul>" if events else ""))
        self.leaf.options = [("— 选择指标查看依据 —", "")] + [(f"{s.indicator} {s.name}", s.indicator) for s in result.leaves]
        self.show_leaf()

    def show_leaf(self) -> None:
        result = self.evaluation.unit(self.unit.value) if self.unit.value else None
        leaf = result.leaf(self.leaf.value) if result and self.leaf.value else None
        if leaf is None:
            self.trace.value, self.record.options = "", []
            return
        used = "".join(f"<li>{record_link(r)}</li>" for r in leaf.records) or "<li>无</li>"
        left = "".join(f"<li>{record_link(x.record)}：{esc(x.detail)}</li>" for x in leaf.left_out) or "<li>无</li>"
        interval = f"；区间 {_fmt(leaf.interval[0])}–{_fmt(leaf.interval[1])}" if leaf.interval else ""
        self.trace.value = (f"<div class='ek-trace'><p><b>{esc(leaf.indicator)} {esc(leaf.name)}</b>：{_fmt(leaf.score)} / "
                            f"{_fmt(leaf.points)}{interval}</p><p>规则：<code>{esc(leaf.rule)}</code></p>"
                            f"<p>输入：{esc(leaf.figures)}</p><p>使用的记录：</p><ul>{used}</ul>"
                            f"<p>未使用的记录及原因：</p><ul>{left}</ul></div>")
        ids = list(leaf.records) + [x.record for x in leaf.left_out]
        self.record.options = [("— 选择记录 —", "")] + [(i[:8], i) for i in dict.fromkeys(ids)]

    def show_record(self) -> None:
        self.record_view.value = TABLE_CSS + record_html(self.project, self.record.value) if self.record.value else ""

    def show_problems(self) -> None:
        shown = [p for p in self.problems if (not self.severity.value or p.severity == self.severity.value)
                 and (not self.code.value or p.code == self.code.value)]
        items = "".join(f"<li>{esc(p.location())}：{esc(p.message)}{problem_links(p)} <span class='ek-hint'>{esc(p.code)}</span>"
                        "</li>" for p in shown[:200])
        more = f"<p class='ek-hint'>另有 {len(shown) - 200} 条未显示，请用筛选缩小范围。</p>" if len(shown) > 200 else ""
        self.problem_list.value = f"<p>{len(shown)} 条</p><ul class='ek-problems'>{items}</ul>{more}"


def record_link(record: str) -> str:
    """A record id as a link to its review view (the id's first 8 characters shown)."""
    return f"<a class='ek-record-link' href='{esc(link('review.ipynb', record=record))}'>{esc(record[:8])}</a>"


def problem_links(p) -> str:
    """Where a problem is fixed: the record's review view (a duplicate is voided there)."""
    if not (p.record and ID.fullmatch(p.record)):
        return ""
    action = "打开记录并作废" if p.code == "record-duplicate" else "打开记录"
    return f" <a class='ek-problem-record' href='{esc(link('review.ipynb', record=p.record))}'>{action}</a>"


def scoring_page(project: Project, params: dict[str, str]) -> w.Widget:
    return ScoringView(project, params=params).widget


def _ranking_row(u) -> str:
    """One unit's row of the ranking, its texts as the reports print them (each worked out once)."""
    spread = uncertainty_texts(u)
    return (f"<tr class='ek-rank-{esc(u.unit)}'><td>{'=' if u.tied_with else ''}{esc(rank_text(u))}</td>"
            f"<td><a href='{esc(link('scoring.ipynb', unit=u.unit))}'>{esc(u.name)}</a></td>"
            f"<td>{esc(u.unit)}</td><td>{esc(total_text(u))}</td><td>{esc(grade_text(u))}</td>"
            f"<td>{esc(spread['interval'])}</td><td>{esc(spread['rank_interval'])}</td>"
            f"<td>{_fmt(u.scored)}</td><td>{_fmt(u.bonus)}</td><td>{_fmt(u.adjustments)}</td>"
            f"<td>{esc(pending_text(u))}</td></tr>")
