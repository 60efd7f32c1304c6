"""The lead evaluator's sampling and fieldwork page (``sampling.ipynb``).

Pick a frame in ``frames/``, see the sample-size calculation, draw with a seed
(the draw is recorded in ``draws/``; with any problem nothing is recorded),
download the sample for the phone team, and follow fieldwork per stratum:
done / refused / unreachable / reserve used, against the target.  All logic is
in :mod:`evalkit.sampling.designs`, :mod:`evalkit.sampling.draws`, :mod:`evalkit.sampling.estimate` and
:mod:`evalkit.sampling.fieldwork`; this module only wires widgets to it.
"""

from __future__ import annotations

import base64
from pathlib import Path

import ipywidgets as w

from evalkit.app.busy import busy
from evalkit.app.fields import esc, full
from evalkit.app.pages import _page, plain
from evalkit.app.record import TABLE_CSS
from evalkit.project import Project
from evalkit.sampling import (
    Design,
    SamplingError,
    export_sample_xlsx,
    fieldwork_status,
    list_draws,
    make_draw,
    read_draw,
    read_frame,
    record_contact,
    sample_size,
    statuses,
)

METHODS = [("简单随机抽样", "srs"), ("系统抽样", "systematic"), ("分层随机抽样", "stratified"), ("按规模成比例（PPS）", "pps")]
ALLOCATIONS = [("按比例", "proportional"), ("等量", "equal")]
STATUS_CHOICES = [("已完成", "done"), ("拒访", "refused"), ("无法联系", "unreachable")]


NO_COLUMN = ("（不用）", "")


def _problems_html(problems, root: Path | None = None) -> str:
    """Problems in Chinese, the files named from the project folder (no codes, no absolute paths)."""
    shown = (lambda text: plain(text, root)) if root is not None else str  # noqa: E731
    items = "".join(f"<li>{esc(shown(p.location()) + '：' if p.location() else '')}{esc(shown(p.message))}</li>"
                    for p in problems)
    return f"<ul class='ek-error ek-problems'>{items}</ul>" if items else ""


class SamplingView:
    def __init__(self, project: Project):
        self.project = project
        self.root = project.root
        self._frames: dict[str, tuple] = {}
        frames = sorted(p.name for p in (self.root / "frames").glob("*") if p.suffix.lower() in (".xlsx", ".csv")) \
            if (self.root / "frames").is_dir() else []
        self.frame = w.Dropdown(options=[("— 选择抽样框 —", "")] + [(f, f) for f in frames], description="抽样框")
        self.frame_info = w.HTML(layout=full())
        self.p = w.FloatText(value=0.5, description="预期比例")
        self.margin = w.FloatText(value=0.05, description="边际误差")
        self.confidence = w.FloatText(value=0.95, description="置信水平")
        self.deff = w.FloatText(value=1.0, description="设计效应")
        self.response = w.FloatText(value=0.8, description="应答率")
        self.size_info = w.HTML(layout=full())
        self.method = w.Dropdown(options=METHODS, value="srs", description="抽样方法")
        self.n = w.IntText(value=0, description="样本量")
        self.strata = w.Dropdown(options=[NO_COLUMN], description="分层列")
        self.allocation = w.Dropdown(options=ALLOCATIONS, description="分配方式")
        self.size_column = w.Dropdown(options=[NO_COLUMN], description="规模列")
        self.reserve = w.IntText(value=0, description="每层备用")
        self.seed = w.Text(value="", description="随机种子", placeholder="整数，如 20181120")
        self.draw_button = w.Button(description="抽样并记录", button_style="primary")
        self.draw_button.add_class("ek-draw")
        self.draw_info = w.HTML(layout=full())
        self.draw_pick = w.Dropdown(options=[], description="抽样记录")
        self.progress = w.HTML(layout=full())
        self.mark_id = w.Combobox(options=[], description="样本编号", placeholder="输入或选择样本编号",
                                  ensure_option=False)
        self.mark_status = w.Dropdown(options=STATUS_CHOICES, description="联系结果")
        self.mark_who = w.Text(description="记录人")
        self.mark_button = w.Button(description="记录联系结果")
        self.mark_info = w.HTML()
        for name in ("frame", "margin", "n", "strata", "size_column", "reserve", "seed", "draw_pick", "mark_id",
                     "mark_status", "mark_who"):
            getattr(self, name).add_class(f"ek-s-{name}")
        self.mark_button.add_class("ek-s-mark")
        for control in (self.frame, self.p, self.margin, self.confidence, self.deff, self.response):
            control.observe(lambda _: self.update_size(), names="value")
        self.frame.observe(lambda _: self._busy(self.frame_info, "正在读取抽样框……", self.show_frame, self.frame),
                           names="value")
        self.draw_button.on_click(lambda _: self.draw())
        self.draw_pick.observe(lambda _: self._busy(self.progress, "正在统计实地进度……", self.show_progress, self.draw_pick),
                               names="value")
        self.mark_button.on_click(lambda _: self._busy(self.mark_info, "正在记录联系结果……", self.mark, self.mark_button))
        self.widget = _page(
            w.HTML(TABLE_CSS + "<h3>抽样与实地进度</h3><h4>1. 抽样框</h4>"), self.frame, self.frame_info,
            w.HTML("<h4>2. 样本量</h4>"), w.HBox([self.p, self.margin, self.confidence]),
            w.HBox([self.deff, self.response]), self.size_info,
            w.HTML("<h4>3. 抽样</h4>"), w.HBox([self.method, self.n]), w.HBox([self.strata, self.allocation]),
            w.HBox([self.size_column, self.reserve]), w.HBox([self.seed, self.draw_button]), self.draw_info,
            w.HTML("<h4>4. 实地进度</h4>"), self.draw_pick, self.progress,
            w.HBox([self.mark_id, self.mark_status]), w.HBox([self.mark_who, self.mark_button]), self.mark_info)
        self.widget.add_class("ek-wide")
        self.refresh_draws()
        self.show_progress()

    @staticmethod
    def _busy(line: w.HTML, text: str, action, *controls: w.Widget) -> None:
        with busy(line, text, *controls):
            action()

    # ------------------------------------------------------------------ frame and size
    def _frame(self):
        """The chosen frame, read (and hashed) once per page: the size calculation asks on every keystroke."""
        if not self.frame.value:
            return None, []
        if self.frame.value not in self._frames:
            self._frames[self.frame.value] = read_frame(self.root / "frames" / self.frame.value, units=self.project.units)
        return self._frames[self.frame.value]

    def show_frame(self) -> None:
        frame, problems = self._frame()
        columns = [NO_COLUMN] + [(h, h) for h in (frame.headers if frame is not None else ()) if str(h).strip()]
        self.strata.options, self.size_column.options = columns, columns
        if frame is None and not problems:
            self.frame_info.value = ""
        elif frame is None:
            self.frame_info.value = _problems_html(problems, self.root)
        else:
            kind = "办件记录" if frame.kind == "cases" else "事项清单"
            self.frame_info.value = (f"<p>{esc(frame.name)}：{esc(kind)}，{len(frame.rows)} 行，"
                                     f"sha256 {esc(frame.sha256[:12])}…</p>" + _problems_html(problems, self.root))
        self.update_size()

    def update_size(self) -> None:
        frame, _ = self._frame()
        population = len(frame.rows) if frame is not None and frame.rows else None
        try:
            size = sample_size(p=self.p.value, margin=self.margin.value, confidence=self.confidence.value,
                               population=population, deff=self.deff.value, response_rate=self.response.value)
        except SamplingError as exc:
            self.size_info.value = _problems_html(exc.problems)
            return
        pop = f"，总体 {population}（有限总体校正后 {size.n_fpc:.1f}）" if population else "（无限总体）"
        self.size_info.value = (f"<p class='ek-size'>建议样本量 <b>{size.n_final}</b>：n0 = z²·p(1−p)/e² = {size.n0:.2f}"
                                f"{esc(pop)}，设计效应后 {size.n_deff:.1f}，按应答率 {self.response.value:g} 放大。</p>")
        if self.n.value <= 0:
            self.n.value = size.n_final

    # ------------------------------------------------------------------ drawing
    def draw(self) -> None:
        if not self.frame.value:
            self.draw_info.value = "<p class='ek-error'>请先选择抽样框。</p>"
            return
        if not self.seed.value.strip().isdigit():
            self.draw_info.value = "<p class='ek-error'>随机种子必须是非负整数（它会被记录，以便任何人复现抽样）。</p>"
            return
        design = Design(method=self.method.value, n=self.n.value, strata=self.strata.value or None,
                        allocation=self.allocation.value, size_column=self.size_column.value or None,
                        reserve=self.reserve.value)
        with busy(self.draw_info, "正在抽样并记录，请稍候……", self.draw_button):  # the last message goes at once
            self._draw(design)

    def _draw(self, design: Design) -> None:
        try:
            result = make_draw(self.root, self.root / "frames" / self.frame.value, design, int(self.seed.value))
        except SamplingError as exc:
            self.draw_info.value = "<p class='ek-error'>未记录抽样：</p>" + _problems_html(exc.problems, self.root)
            return
        draw = result.draw
        self.draw_info.value = (f"<p class='ek-drawn'>已记录抽样 <b>{esc(draw.draw_id)}</b>（{esc(result.path.name)}）："
                                f"样本 {len(draw.selected)} 个，备用 {len(draw.reserve)} 个，种子 {draw.seed}。</p>"
                                + self._download(draw) + _problems_html(result.problems, self.root))
        self.refresh_draws(select=draw.draw_id)

    def _download(self, draw) -> str:
        frame, _ = read_frame(self.root / draw.frame_file, units=self.project.units)
        if frame is None:
            return ""
        path = export_sample_xlsx(draw, frame, self.root / "out" / "samples" / f"{draw.draw_id}.xlsx")
        data = base64.b64encode(Path(path).read_bytes()).decode()
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return (f"<p><a download='{esc(path.name)}' href='data:{mime};base64,{data}'>下载样本表（给电话组）</a>"
                f" <span class='ek-hint'>也已保存到 out/samples/{esc(path.name)}</span></p>")

    # ------------------------------------------------------------------ fieldwork
    def refresh_draws(self, select: str | None = None) -> None:
        ids = [d for d in list_draws(self.root) if not d.startswith("assign-")]
        self.draw_pick.options = [("— 选择抽样记录 —", "")] + [(d, d) for d in ids]
        if select:
            self.draw_pick.value = select

    def show_progress(self) -> None:
        if not self.draw_pick.value:
            self.progress.value = "<p class='ek-hint'>选择一条抽样记录，查看各层完成情况。</p>"
            return
        draw = read_draw(self.root, self.draw_pick.value)
        self.mark_id.options = [*draw.ids(), *draw.reserve_ids()]  # the draw's ids to choose from
        work = fieldwork_status(draw, statuses(self.root, draw, self.project.store.records()))
        rows = "".join(
            f"<tr><td>{esc(p.key)}</td><td>{p.target}</td><td>{p.done}</td><td>{p.refused}</td><td>{p.unreachable}</td>"
            f"<td>{p.reserve_used}</td><td>{p.remaining}</td><td>{esc(' '.join(p.next_reserve[:3]))}</td></tr>"
            for p in (*work.strata, work.total))
        self.progress.value = (
            "<div class='ek-scroll'><table class='ek-table ek-progress'><tr><th>分层</th><th>目标</th><th>已完成</th><th>拒访</th>"
            f"<th>无法联系</th><th>已启用备用</th><th>尚差</th><th>下一个备用</th></tr>{rows}</table></div>"
            + _problems_html(work.problems, self.root))

    def mark(self) -> None:
        if not self.draw_pick.value:
            self.mark_info.value = "<span class='ek-error'>请先选择抽样记录。</span>"
            return
        try:
            record_contact(self.root, self.draw_pick.value, self.mark_id.value.strip(), self.mark_status.value,
                           self.mark_who.value)
        except ValueError as exc:
            self.mark_info.value = f"<span class='ek-error'>{esc(exc)}</span>"
            return
        self.mark_info.value = f"已记录：{esc(self.mark_id.value)} {esc(dict((v, k) for k, v in STATUS_CHOICES)[self.mark_status.value])}"
        self.show_progress()


def sampling_page(project: Project, params: dict[str, str]) -> w.Widget:
    return SamplingView(project).widget
