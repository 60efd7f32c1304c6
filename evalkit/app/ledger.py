"""The lead evaluator's task-ledger page (``ledger.ipynb``).

Pick a unit (or all units) and a cadence (日报告 / 周调度 / 月统筹 / 双月汇总) and a report
date; see the progress table — tasks due, done and overdue per unit and per area (一级指标),
each line with the responsible liaison from the unit's roster — and the task lines of the
period.  Mark a task's status with its completion date and closing materials (through
:func:`evalkit.ledger.record_status`: the problems are shown in Chinese beside the button and
nothing is written when there is any), and write / download the xlsx report
(:func:`evalkit.ledger.write_report_xlsx`, the same workbook as ``evalkit ledger report``).

The page works with the :class:`~evalkit.project.Project` it is given (its settings, framework and
unit list) but reads the ledger files afresh each time it shows them, so a task just marked is seen.
"""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

import ipywidgets as w

from evalkit.app.busy import busy
from evalkit.app.choices import NamedChoice
from evalkit.app.fields import esc, full
from evalkit.app.pages import _page, link
from evalkit.app.people import team_of
from evalkit.app.record import TABLE_CSS
from evalkit.app.sitemap import LEDGER_NOT_HERE, has_ledger, pages_of
from evalkit.ledger import (
    CADENCES,
    COUNT_HEADERS,
    EXACT,
    STATUSES,
    ProgressReport,
    load_ledger,
    load_rosters,
    parse_deadline,
    progress_report,
    record_status,
    write_report_xlsx,
)
from evalkit.project import Project

CADENCE_CHOICES = [(name, key) for key, name in CADENCES.items()]
REPORT_DIR = "out/ledger"
PAGE_CSS = ("<style>.ek-l-units td:nth-child(-n+2), .ek-l-areas td:first-child, .ek-l-tasks td:nth-child(-n+2),"
            " .ek-l-tasks td:nth-child(5), .ek-l-tasks td:nth-child(6), .ek-l-tasks td:nth-child(7)"
            " {white-space: nowrap}</style>")


def _problems_html(problems) -> str:
    items = "".join(f"<li><b>{esc(p.code)}</b> {esc(p.message)}</li>" for p in problems)
    return f"<ul class='ek-error ek-problems'>{items}</ul>" if items else ""


def parse_day(text: str) -> datetime.date | None:
    """A date typed by the user: 2018-11-20, 2018/11/20 or 2018年11月20日; None when empty; ValueError otherwise."""

    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        found = parse_deadline(text)
        if found.kind == EXACT and found.date:
            return found.date
    raise ValueError(f"「{text}」不是日期：请写成 2018-11-20。")


def _counts(values) -> str:
    return "".join(f"<td>{v}</td>" for v in values)


def report_html(report: ProgressReport, unit: str = "") -> str:
    """The period, the table by unit, by area and the task lines (the same figures as the workbook)."""
    return summary_html(report, unit) + tasks_html(report)


def summary_html(report: ProgressReport, unit: str = "") -> str:
    """The period and the tables by unit and by area."""
    p = report.period
    head = "".join(f"<th>{esc(h)}</th>" for h in COUNT_HEADERS)
    imported = [u for u in report.units if u.imported]
    rows = "".join(f"<tr class='ek-l-u-{esc(u.unit)}'><td>{esc(u.unit)}</td><td>{esc(u.name)}</td>"
                   f"{_counts(u.counts.values())}<td>{esc(u.liaison.text)}</td></tr>" for u in imported)
    missing = len(report.units) - len(imported)
    more = f"<p class='ek-hint'>另有 {missing} 个单位尚未导入任务分解表。</p>" if missing and not unit else ""
    areas = "".join(f"<tr><td>{esc(a.unit or '合计')}</td><td>{esc(a.area_code)} {esc(a.area)}</td>"
                    f"{_counts(a.counts.values())}<td>{esc(a.liaison.text if a.unit else '')}</td></tr>"
                    for a in report.areas)
    total = report.total()
    return (f"<p class='ek-period'><b>{esc(p.label)}</b>；报告日期 {p.day.isoformat()}"
            f"（完成情况以此日为准）。本期到期 {total.due} 项，本期完成 {total.done_in_period} 项，"
            f"逾期未完成 {total.overdue_open} 项。</p>"
            f"<h4>按单位</h4><table class='ek-table ek-l-units'><tr><th>编号</th><th>单位</th>{head}"
            f"<th>联络员</th></tr>{rows}</table>{more}"
            f"<h4>按领域（一级指标）</h4><table class='ek-table ek-l-areas'><tr><th>单位</th><th>一级指标</th>{head}"
            f"<th>联络员</th></tr>{areas}</table>")


def tasks_html(report: ProgressReport) -> str:
    """The task lines of the period: due or done in it, or overdue and still open."""
    shown = report.shown()
    tasks = "".join(
        f"<tr class='ek-l-t-{t.task_no}'><td>{esc(t.unit)}</td><td>{t.task_no}</td><td>{esc(t.area)}</td>"
        f"<td>{esc(t.title[:40])}{'…' if len(t.title) > 40 else ''}</td>"
        f"<td>{esc(t.deadline.isoformat() if t.deadline else '未定')}"
        f"{f'<br><span class=ek-hint>{esc(t.deadline_note)}</span>' if t.deadline_note else ''}</td><td>{esc(t.status)}</td>"
        f"<td>{esc(t.completed.isoformat() if t.completed else '')}</td><td>{esc(t.situation)}</td>"
        f"<td>{esc(t.liaison.text)}</td></tr>" for t in shown[:300])
    cut = (f"<p class='ek-hint'>只显示前 300 条，共 {len(shown)} 条；完整明细见 xlsx 报告。</p>"
           if len(shown) > 300 else "")
    return (f"<h4>本期任务（到期、完成或逾期未完成）</h4><table class='ek-table ek-l-tasks'><tr><th>单位</th>"
            f"<th>序号</th><th>一级指标</th><th>三级指标</th><th>完成时限</th><th>状态</th><th>完成日期</th><th>本期情况</th>"
            f"<th>联络员</th></tr>{tasks}</table>{cut}")


class LedgerView:
    def __init__(self, project: Project, params: dict[str, str] | None = None):
        params = params or {}
        self.project = project
        self.root = Path(project.root)
        ledger, problems = self.fresh_ledger()
        setup = (*project.config_problems, *project.framework_problems, *project.units_problems)
        self.setup_errors = [p for p in setup if p.is_error]
        self.load_problems = self.setup_errors + [p for p in problems if p.is_error]
        names = {u.id: u.name for u in project.units.units} if project.units else {}
        self.names = names
        units = [(f"{names.get(u, '')}（{u}）" if names.get(u) else u, u) for u in ledger.units]
        self.unit = w.Dropdown(options=[("全部单位", "")] + units, description="单位")
        if params.get("unit") in ledger.units:
            self.unit.value = params["unit"]
        self.cadence = w.Dropdown(options=CADENCE_CHOICES, value=params.get("cadence") if params.get("cadence") in
                                  CADENCES else "weekly", description="报告周期")
        self.day = w.Text(value=params.get("date") or (ledger.as_of.isoformat() if ledger.as_of else ""),
                          description="报告日期", placeholder="如 2018-11-20")
        self.day_info = w.HTML()
        self.table = w.HTML(layout=full())
        self.detail = w.HTML(layout=full())
        self.roster = w.HTML(layout=full())
        self.task = w.Dropdown(options=[], description="任务")
        self.status = w.Dropdown(options=list(STATUSES), value="已完成", description="状态")
        self.completed = w.Text(description="完成日期", placeholder="如 2018-06-28")
        self.materials = w.Textarea(description="销账材料", placeholder="每行一项：文号、结项总结、会议纪要……")
        team = team_of(project)
        self.who = NamedChoice([("评估组", "评估组"), *team.assessor_options()], value="评估组", strict=bool(team.assessors),
                               description="登记人")
        self.note = w.Text(description="说明")
        self.mark_button = w.Button(description="登记完成情况", button_style="primary")
        self.mark_info = w.HTML()
        self.report_button = w.Button(description="生成进度报告（xlsx）")
        self.report_info = w.HTML(layout=full())
        for name in ("unit", "cadence", "day", "task", "status", "completed", "materials", "who", "note"):
            getattr(self, name).add_class(f"ek-l-{name}")
        self.mark_button.add_class("ek-l-mark")
        self.report_button.add_class("ek-l-report")
        self.mark_info.add_class("ek-l-mark-info")
        self.wait = w.HTML(layout=w.Layout(width="auto"))
        self.wait.add_class("ek-wait")
        self.wait.add_class("ek-l-wait")
        for control in (self.unit, self.cadence, self.day):
            control.observe(lambda _, c=control: self._busy(self.wait, "正在统计进度……", lambda: self.changed(c), c), names="value")
        self.mark_button.on_click(lambda _: self._busy(self.mark_info, "正在登记……", self.mark, self.mark_button))
        self.report_button.on_click(lambda _: self._busy(self.report_info, "正在生成进度报告……", self.write_report,
                                                         self.report_button))
        load = _problems_html(self.load_problems[:10])
        self.widget = _page(
            w.HTML(TABLE_CSS + PAGE_CSS + "<h3>任务台账与进度报告</h3><p class='ek-hint'>日报告＝当日；"
                   "周调度＝报告日期所在周的周一至周日；月统筹＝所在自然月；"
                   "双月汇总＝1–2、3–4、5–6、7–8、9–10、11–12 月。完成情况以报告日期为准。</p>" + load),
            w.HBox([self.unit, self.cadence]), w.HBox([self.day, self.day_info, self.wait]), self.table,
            w.HTML("<h4>进度报告</h4>"), self.report_button, self.report_info,
            w.HTML("<h4>登记完成情况（只追加，不修改已有记录）</h4>"), self.task, w.HBox([self.status, self.completed]),
            self.materials, w.HBox([self.who, self.note]), w.HBox([self.mark_button, self.mark_info]),
            self.detail, self.roster)
        self.report: ProgressReport | None = None
        self.refresh_tasks()
        self.refresh()

    @staticmethod
    def _busy(line: w.HTML, text: str, action, *controls: w.Widget) -> None:
        with busy(line, text, *controls):
            action()

    def changed(self, control: w.Widget) -> None:
        """The unit, cadence or date changed: the tables, and, for another unit, its tasks to mark."""
        self.refresh()
        if control is self.unit:
            self.refresh_tasks()

    def fresh_ledger(self):
        """The ledger as it stands in the project folder now (read afresh: the page marks tasks)."""
        return load_ledger(self.root, self.project.config, self.project.framework, self.project.units)

    # ------------------------------------------------------------------ the table
    def _day(self) -> datetime.date | None:
        return parse_day(self.day.value)

    def refresh(self) -> None:
        try:
            day = self._day()
        except ValueError as exc:
            self.day_info.value = f"<span class='ek-error'>{esc(exc)}</span>"
            self.table.value, self.detail.value, self.report = "", "", None
            return
        self.day_info.value = ""
        project = self.project
        report, problems = progress_report(self.root, project.config, project.framework, project.units,
                                           self.cadence.value, day, self.unit.value or None)
        self.report = report
        if report is None:
            errors = self.setup_errors + [p for p in problems if p.is_error]
            self.table.value, self.detail.value = _problems_html(errors), ""
        else:
            self.table.value, self.detail.value = summary_html(report, self.unit.value), tasks_html(report)
        self.show_roster()

    def show_roster(self) -> None:
        unit = self.unit.value
        if not unit:
            self.roster.value = ""
            return
        roster = load_rosters(self.root)[0].get(unit)
        if roster is None:
            self.roster.value = (f"<p class='ek-hint ek-l-roster'>单位 {esc(unit)} 未报联络信息表：请用 evalkit ledger "
                                 f"template-roster 生成空白表，填好后用 evalkit ledger roster 导入。</p>")
            return
        rows = "".join(
            f"<tr><td>{esc(g.kind)}{('「' + esc(g.task) + '」') if g.task else ''}</td><td>{esc(m.role)}</td>"
            f"<td>{esc(m.name)}</td><td>{esc(m.title)}</td><td>{esc(m.phone)}</td><td>{esc(m.mobile)}</td>"
            f"<td>{esc(m.email)}</td></tr>" for g in roster.groups for m in g.members if m.name)
        self.roster.value = ("<h4>联络信息</h4><table class='ek-table ek-l-roster'><tr><th>小组</th>"
                             "<th>小组职务</th><th>姓名</th><th>职务</th><th>电话</th><th>手机</th><th>邮箱</th></tr>"
                             + rows + "</table>")

    def refresh_tasks(self) -> None:
        unit = self.unit.value
        if not unit:
            self.task.options = [("— 先选择单位 —", 0)]
            return
        ledger, _ = self.fresh_ledger()
        options = []
        for t in ledger.unit_tasks(unit):
            if not t.applicable:
                continue
            s = ledger.state(unit, t.task_no)
            title = t.title[:24] + ("…" if len(t.title) > 24 else "")
            options.append((f"{t.task_no}. {title}（{s.status}）", t.task_no))
        self.task.options = [("— 选择任务 —", 0)] + options

    # ------------------------------------------------------------------ marking a task
    def mark(self) -> None:
        unit, task_no = self.unit.value, self.task.value
        if not unit:
            self.mark_info.value = "<span class='ek-error'>请先选择单位。</span>"
            return
        if not task_no:
            self.mark_info.value = "<span class='ek-error'>请选择要登记的任务。</span>"
            return
        try:
            completed = parse_day(self.completed.value)
        except ValueError as exc:
            self.mark_info.value = f"<span class='ek-error'>完成日期{esc(exc)}</span>"
            return
        materials = [m.strip() for m in self.materials.value.splitlines() if m.strip()]
        project = self.project
        state, problems = record_status(self.root, project.config, project.framework, project.units, unit, task_no,
                                        status=self.status.value, completed=completed, materials=materials,
                                        who=self.who.code or "评估组", note=self.note.value.strip())
        if state is None:
            self.mark_info.value = "<div class='ek-error'>未登记：</div>" + _problems_html(problems)
            return
        done = f"，完成日期 {state.completed.isoformat()}" if state.completed else ""
        self.mark_info.value = (f"<span class='ek-marked'>已登记：{esc(unit)} 序号 {state.task_no} "
                                f"{esc(state.status)}{done}</span>")
        self.completed.value, self.materials.value, self.note.value = "", "", ""
        selected = self.task.value
        self.refresh_tasks()
        self.task.value = selected
        self.refresh()

    # ------------------------------------------------------------------ the workbook
    def report_path(self) -> Path:
        p = self.report.period
        return self.root / REPORT_DIR / f"progress-{p.cadence}-{p.day.isoformat()}-{self.unit.value or 'all'}.xlsx"

    def write_report(self) -> Path | None:
        if self.report is None:
            self.report_info.value = "<p class='ek-error'>请先改正报告日期或周期。</p>"
            return None
        path = write_report_xlsx(self.report, self.report_path())
        data = base64.b64encode(path.read_bytes()).decode()
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        self.report_info.value = (f"<p class='ek-l-written'><a download='{esc(path.name)}' "
                                  f"href='data:{mime};base64,{data}'>下载进度报告 {esc(path.name)}</a> "
                                  f"<span class='ek-hint'>也已保存到 {esc(REPORT_DIR)}/{esc(path.name)}</span></p>")
        return path


def ledger_page(project: Project, params: dict[str, str]) -> w.Widget:
    """The ledger page, or, on a project without a task ledger, one sentence saying so and the pages it has."""
    if not has_ledger(project):
        links = "".join(f"<li><a href='{esc(link(nb))}'>{esc(name)}</a></li>" for nb, name in pages_of(project))
        framework = project.framework.name if project.framework is not None else project.config.evaluation.framework
        return _page(w.HTML(f"<h3>任务台账</h3><p class='ek-notice ek-l-none'>{esc(LEDGER_NOT_HERE.format(framework=framework))}"
                            f"</p><ul class='ek-picker-list'>{links}</ul>", layout=full()))
    return LedgerView(project, params).widget
