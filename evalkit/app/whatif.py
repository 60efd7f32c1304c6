"""假设情形 on the scoring page: the ranking of one category scored again in memory with one threshold of
a leaf's rule changed, records not yet reviewed counted, or provisional units ranked — and nothing
written.  The what-if itself is :func:`evalkit.project.evaluate` with ``overrides`` (the call of
``evalkit score --what-if``); a mistake in it is its Chinese message (:class:`OverrideError`).

The leaf and the parameter are chosen from the framework (「2.2.1 即办件的即办比率」, 「full（现为 0.95）」);
only the new value is typed.  The comparison shows, per unit of the category, the total and rank now
and in the what-if, and the change.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from evalkit.app.busy import busy
from evalkit.app.html import esc, full
from evalkit.project import OverrideError, Project, evaluate
from evalkit.reports import rank_text, total_text
from evalkit.scoring import RuleSyntaxError, parse_rule

NONE = ("— 不改阈值 —", "")


def rule_numbers(rule: str) -> list[tuple[str, float]]:
    """The numeric parameters of a rule (its thresholds: full, zero, min_n …), in the rule's order."""
    try:
        params = parse_rule(rule).params
    except (RuleSyntaxError, ValueError):
        return []
    return [(k, v) for k, v in params if isinstance(v, int | float) and not isinstance(v, bool)]


class WhatIfPanel:
    """The controls, the 「计算假设情形」 button with its busy line, and the comparison."""

    def __init__(self, project: Callable[[], Project], evaluation: Callable[[], object],
                 category: Callable[[], str], draws: int):
        self._project, self._evaluation, self._category, self.draws = project, evaluation, category, draws
        self.leaf = w.Dropdown(options=[NONE], description="指标")
        self.param = w.Dropdown(options=[NONE], description="参数")
        self.value = w.Text(description="新值", placeholder="如 0.9 或 90%")
        self.received = w.Checkbox(description="计入未审核的记录", indent=False)
        self.provisional = w.Checkbox(description="待定单位也排名", indent=False)
        self.button = w.Button(description="计算假设情形", button_style="info")
        self.message = w.HTML(layout=full())
        self.table = w.HTML(layout=full())
        for name in ("leaf", "param", "value", "received", "provisional", "button", "message", "table"):
            getattr(self, name).add_class(f"ek-w-{name}")
        self.leaf.observe(lambda _: self._params(), names="value")
        self.button.on_click(lambda _: self.run())
        row = lambda *c: w.HBox(list(c), layout=w.Layout(flex_flow="row wrap", align_items="center"))  # noqa: E731
        self.widget = w.VBox([
            w.HTML("<h4>假设情形（只在内存中计算，不写入任何文件）</h4><p class='ek-hint'>改一个末级指标的阈值，或计入未审核的记录、"
                   "让待定单位也排名，看本类别的总分和名次会怎样变化。</p>"),
            row(self.leaf, self.param, self.value), row(self.received, self.provisional, self.button),
            self.message, self.table], layout=full())
        self.refresh()

    def refresh(self) -> None:
        """The leaves with thresholds, from the project's framework (after 重新计分 too)."""
        framework = self._project().framework
        leaves = framework.leaves() if framework is not None else []
        self.leaf.options = [NONE] + [(f"{leaf.code} {leaf.name}", leaf.code) for leaf in leaves
                                      if leaf.rule and rule_numbers(leaf.rule)]
        self._params()

    def _params(self) -> None:
        framework = self._project().framework
        leaf = framework.get(self.leaf.value) if framework is not None and self.leaf.value else None
        numbers = rule_numbers(leaf.rule) if leaf is not None else []
        self.param.options = [NONE] + [(f"{k}（现为 {v:g}）", k) for k, v in numbers] if numbers else [NONE]

    def overrides(self) -> dict:
        """The what-if as ``evaluate`` takes it (empty: nothing changed)."""
        changed: dict = {}
        if self.leaf.value and self.param.value and self.value.value.strip():
            changed["thresholds"] = {self.leaf.value: {self.param.value: self.value.value.strip()}}
        if self.received.value:
            changed["include_received"] = True
        if self.provisional.value:
            changed["rank_provisional"] = True
        return changed

    def run(self) -> None:
        with busy(self.message, "正在计算假设情形，请稍候……", self.button):
            self._run()

    def _run(self) -> None:
        changed = self.overrides()
        if not changed:
            self.message.value = "<p class='ek-error'>请先选择要改的指标、参数并填写新值，或勾选一项。</p>"
            self.table.value = ""
            return
        try:
            project = self._project()   # each unit the page scored is taken when the what-if changes nothing it counts
            what_if, _ = evaluate(project, draws=self.draws, overrides=changed, reuse=project.scored_units)
        except OverrideError as refused:
            self.message.value = f"<p class='ek-error'>{esc(refused)}</p>"
            self.table.value = ""
            return
        self.table.value = comparison_html(self._evaluation(), what_if, self._category())
        self.message.value = f"<p class='ek-done'>假设情形：{esc(describe(changed))}。</p>"


def describe(changed: dict) -> str:
    """The what-if in one Chinese line."""
    parts = [f"指标 {leaf} 的 {k} 改为 {v}" for leaf, params in changed.get("thresholds", {}).items()
             for k, v in params.items()]
    parts += ["计入未审核的记录"] * bool(changed.get("include_received"))
    parts += ["待定单位也排名"] * bool(changed.get("rank_provisional"))
    return "；".join(parts)


def comparison_html(now, what_if, category: str) -> str:
    """Per unit of the category: total and rank now and in the what-if, and the change of the total."""
    after = {u.unit: u for u in what_if.units}
    rows = []
    for u in now.ranking(category):
        v = after.get(u.unit)
        delta = None if v is None or u.total is None or v.total is None else v.total - u.total
        change = "" if delta is None else "0" if abs(delta) < 0.005 else f"{delta:+.2f}"
        moved = " class='ek-w-moved'" if v is not None and (rank_text(v) != rank_text(u) or change not in ("", "0")) else ""
        rows.append(f"<tr{moved}><td>{esc(u.name)}（{esc(u.unit)}）</td><td>{esc(total_text(u))}</td>"
                    f"<td>{esc(total_text(v) if v else '—')}</td><td>{esc(change)}</td><td>{esc(rank_text(u))}</td>"
                    f"<td>{esc(rank_text(v) if v else '—')}</td></tr>")
    return ("<div class='ek-scroll'><table class='ek-table ek-w-compare'><tr><th>单位</th><th>现总分</th><th>假设总分</th>"
            "<th>变化</th><th>现名次</th><th>假设名次</th></tr>" + "".join(rows) + "</table></div>")
