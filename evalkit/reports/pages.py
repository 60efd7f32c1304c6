"""The HTML reports: ``index.html``, the whole evaluation, by department, by region, and one page per unit.

Pages are made with the jinja2 templates in ``evalkit/reports/templates/``
(package data, loaded with a ``PackageLoader``; ``report.css`` is every page's
inline style) in an environment with ``autoescape=True``: every value put into
a page is HTML-escaped unless it is :class:`markupsafe.Markup`, which only
:mod:`evalkit.reports.charts` builds (and which escapes its own labels).
Autoescaping is the safe default: a forgotten ``escape()`` in hand-built HTML
is a script injection, a forgotten ``|safe`` in a template is only an ugly
page.  Each page also carries a Content-Security-Policy that allows no script
at all, as a second line of defence.

Every page is self-contained (inline CSS and SVG, no JavaScript, no external
link other than the other report pages) and prints to PDF from the browser:
A4 print CSS, page breaks before each section that should start a page, table
headers repeated on each printed page, navigation hidden.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from evalkit.config import is_safe_id
from evalkit.problems import SEVERITY_ZH
from evalkit.reports.charts import bars_against_max, grade_distribution, ranking_bars
from evalkit.reports.data import TEXT_LIMIT, ReportData, category_key, short_path, ties_note
from evalkit.reports.masking import mask_free_text
from evalkit.reports.method import method_rows
from evalkit.scoring import STATUS_ZH

PROBLEM_LIMIT = 500   # rows per page; the workbook's 问题 sheet has them all

ENV = Environment(loader=PackageLoader("evalkit.reports", "templates"), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
CSS = files("evalkit.reports").joinpath("templates", "report.css").read_text(encoding="utf-8")


def unit_href(unit_id: str, index: int) -> str:
    """A unit page's path: ``units/<id>.html`` (ids are safe file names; an unsafe one gets its position)."""
    return f"units/{unit_id if is_safe_id(unit_id) else f'unit-{index:04d}'}.html"


def _fmt(x) -> str:
    return "" if x is None else f"{x:.2f}"


def _where(data, p) -> str:
    parts = [short_path(data, p.file)] if p.file else []
    loc = p.location()
    return " ".join(parts + ([loc] if loc else []))


def _problem_rows(data, problems) -> list[dict]:
    return [{"severity": p.severity, "severity_zh": SEVERITY_ZH.get(p.severity, p.severity), "code": p.code,
             "message": p.message, "where": _where(data, p)} for p in problems[:PROBLEM_LIMIT]]


def _unit_row(data, u, hrefs) -> dict:
    st = u.stability
    missing = [s.indicator for s in u.leaves if s.score is None]
    note = []
    if u.tied_with:
        note.append(ties_note(u.tied_with))
    if missing:
        note.append(f"{len(missing)} 个指标未计分")
    if u.published_only:
        note.append("仅通报")
    return {"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "category": u.category_name or u.category,
            "kind": data.kind_zh(u.unit), "total": _fmt(u.total), "grade": u.grade or "", "rank": u.rank,
            "tied_with": "、".join(u.tied_with),
            "rank_range": f"{st.rank_range[0]}–{st.rank_range[1]}" if st else "",
            "grade_changes": f"{st.grade_changes * 100:.0f} %" if st else "", "note": "；".join(note)}


def _missing(units) -> list[dict]:
    return [{"unit": f"{u.name}（{u.unit}）", "code": s.indicator, "name": s.name,
             "reason": STATUS_ZH.get(s.status, s.status), "figures": s.figures}
            for u in units for s in u.leaves if s.score is None]


def _missing_by_unit(units, hrefs) -> list[dict]:
    """One row per unit with missing scores: how many, which, and the reasons with their counts."""
    out = []
    for u in units:
        gone = [s for s in u.leaves if s.score is None]
        if not gone:
            continue
        reasons: dict[str, int] = {}
        for s in gone:
            reasons[STATUS_ZH.get(s.status, s.status)] = reasons.get(STATUS_ZH.get(s.status, s.status), 0) + 1
        out.append({"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "count": len(gone),
                    "codes": "、".join(s.indicator for s in gone),
                    "reasons": "；".join(f"{k} {v} 个" for k, v in reasons.items())})
    return out


def _category_groups(data, units, hrefs, title_prefix="") -> list[dict]:
    groups = []
    for category in sorted({u.category for u in units}, key=category_key):
        members = sorted((u for u in units if u.category == category), key=lambda u: (u.rank or 0, u.unit))
        first = members[0]
        note = "仅通报，不纳入年度绩效考核" if first.published_only else f"绩效权重 {first.weight:g}"
        groups.append({"title": f"{title_prefix}{first.category_name or category}（{len(members)} 个单位）",
                       "note": note + "；名次为本类别内名次。",
                       "chart": ranking_bars([(u.name, u.total, u.grade or "") for u in members],
                                             title="总分与等级", maximum=100),
                       "rows": [_unit_row(data, u, hrefs) for u in members]})
    return groups


def _area_chart(data, units, title: str):
    """Average points per level-1 area over ``units`` against the area's maximum."""
    roots = [i for i in data.indicators if i.level == 1]
    if not roots or not units:
        return ""
    rows = []
    for r in roots:
        values = [n.score for u in units for n in u.nodes if n.indicator == r.code] or \
                 [s.score or 0.0 for u in units for s in u.leaves if s.indicator == r.code]
        maximum = r.points or 0.0
        rows.append((f"{r.code} {r.name}", sum(values) / len(units) if values else 0.0, maximum))
    return bars_against_max(rows, title=title)


def _common(data, title: str, up: str) -> dict:
    return {"title": title, "project": data.name, "as_of": data.as_of, "framework": data.evaluation.framework,
            "css": CSS, "up": up}


def _overview(data, units, hrefs, *, title, intro, groups, problems, method_units, charts) -> str:
    # overview pages live in the output folder itself; unit links are relative to it
    return ENV.get_template("overview.html").render(
        **_common(data, title, ""), intro=intro, groups=groups, charts=charts, missing=_missing_by_unit(units, hrefs),
        problems=_problem_rows(data, problems), problem_total=len(problems), limit=PROBLEM_LIMIT,
        method=method_rows(data, method_units))


def _unit_page(data, u, hrefs) -> str:
    """One unit's report: key figures, level-1 chart, scorecard, events, field notes, problems and method."""
    leaves = {s.indicator: s for s in u.leaves}
    nodes = {n.indicator: n for n in u.nodes}
    totals = [("计分项得分", _fmt(u.scored)), (f"加分（原始 {u.bonus_raw:g}，上限 {u.bonus_cap:g}）", _fmt(u.bonus)),
              ("扣分", _fmt(u.deductions)), ("加减分事项", _fmt(u.adjustments)), ("总分", _fmt(u.total))]
    events = [{"id": e.id, "zh": e.zh, "points": f"{e.points:+g}", "source": e.source,
               "evidence": "；".join(x for x in (e.evidence, e.note) if x)} for e in u.events]
    texts = data.unit_texts(u.unit)  # the first evalkit.reports.data.TEXT_LIMIT
    problems = data.unit_problems(u.unit)
    roots = [i for i in data.indicators if i.level == 1]
    chart = bars_against_max([(f"{r.code} {r.name}", nodes[r.code].score if r.code in nodes else
                               (leaves[r.code].score or 0.0 if r.code in leaves else 0.0), r.points or 0.0)
                              for r in roots], title="各一级指标得分与满分")
    return ENV.get_template("unit.html").render(
        **_common(data, f"{u.name}（{u.unit}）评估报告", "../"), u=_unit_info(data, u), missing=_missing([u]),
        chart=chart, card=_scorecard(data, leaves, nodes), totals=totals, events=events,
        texts=[{"record": t.record, "instrument": data.instrument_title(t.instrument), "label": t.label,
                "text": t.text} for t in texts[:TEXT_LIMIT]], text_total=data.unit_text_count(u.unit),
        masked=data.mask_personal,
        problems=_problem_rows(data, problems), problem_total=len(problems), limit=PROBLEM_LIMIT,
        method=method_rows(data, [u.unit]))


def _unit_info(data, u) -> dict:
    """The box at the top of a unit's page: category, kind, region, total, grade, rank and its stability."""
    st = u.stability
    of = sum(1 for x in data.evaluation.units if x.category == u.category)
    parent = data.parent_of(u.unit)
    return {"category": u.category_name or u.category, "kind": data.kind_zh(u.unit),
            "parent": f"{data.unit_name(parent)}（{parent}）" if parent else "", "total": _fmt(u.total),
            "grade": u.grade or "", "rank": u.rank, "of": of,
            "tied_with": ties_note(u.tied_with) if u.tied_with else "",
            "rank_range": f"{st.rank_range[0]}–{st.rank_range[1]}（{st.draws} 次抽样）" if st else "-",
            "grade_changes": f"{st.grade_changes * 100:.0f} %" if st else "-",
            "weight": "仅通报" if u.published_only else f"权重 {u.weight:g}"}


def _scorecard(data, leaves: dict, nodes: dict) -> list[dict]:
    """A unit's indicator tree as table rows: leaves with their figures (masked when asked), nodes in bold."""
    card = []
    for ind in data.indicators:
        indent = 0.2 + 1.2 * (ind.level - 1)
        if ind.code in leaves:
            s = leaves[ind.code]
            figures = s.figures if not data.mask_personal else mask_free_text(s.figures)
            card.append({"cls": "missing" if s.score is None else "", "code": ind.code, "name": ind.name,
                         "indent": f"{indent:.1f}", "score": _fmt(s.score) if s.score is not None else "缺",
                         "points": f"{s.points:g}", "status": STATUS_ZH.get(s.status, s.status), "figures": figures,
                         "n": s.n})
        elif ind.code in nodes:
            n = nodes[ind.code]
            status = f"含 {len(n.missing)} 个未计分指标" if n.missing else ("已封顶" if n.capped else "")
            card.append({"cls": "node l1" if ind.level == 1 else "node", "code": ind.code, "name": ind.name,
                         "indent": f"{indent:.1f}", "score": _fmt(n.score),
                         "points": "" if n.points is None else f"{n.points:g}", "status": status, "figures": "",
                         "n": ""})
    return card


def write_html(data: ReportData, out_dir: Path) -> list[Path]:
    """index.html, province.html, departments.html, regions.html and units/<id>.html; the paths in that order."""
    units = list(data.evaluation.units)
    hrefs = {u.unit: unit_href(u.unit, i) for i, u in enumerate(units)}
    departments = [u for u in units if data.kind_of(u.unit) != "region"]
    regions = [u for u in units if data.kind_of(u.unit) == "region"]
    paths = [write_text(out_dir / "index.html", _index_page(data, units, hrefs, len(departments), len(regions))),
             write_text(out_dir / "province.html", _province_page(data, units, hrefs)),
             write_text(out_dir / "departments.html", _departments_page(data, departments, hrefs)),
             write_text(out_dir / "regions.html", _regions_page(data, regions, hrefs))]
    for u in units:
        paths.append(write_text(out_dir / hrefs[u.unit], _unit_page(data, u, hrefs)))
    return paths


def _index_page(data, units, hrefs, departments: int, regions: int) -> str:
    """目录: every report, and the units of each category with their grade."""
    ev = data.evaluation
    categories = []
    for category in sorted({u.category for u in units}, key=category_key):
        members = ev.ranking(category)
        note = "，仅通报" if members[0].published_only else f"，绩效权重 {members[0].weight:g}"
        categories.append({"name": members[0].category_name or category, "note": note,
                           "units": [{"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "grade": u.grade or ""}
                                     for u in members]})
    count = {s: sum(1 for p in data.problems if p.severity == s) for s in ("error", "warning", "info")}
    return ENV.get_template("index.html").render(
        **_common(data, "评估报告目录", ""), count=len(units), departments=departments, regions=regions,
        categories=categories, errors=count["error"], warnings=count["warning"], infos=count["info"])


def _province_page(data, units, hrefs) -> str:
    """整体评估报告: every unit by category, the grade distribution and the level-1 averages."""
    grades = []
    for category in sorted({u.category for u in units}, key=category_key):
        members = [u for u in units if u.category == category]
        counts: dict[str, int] = {}
        for u in members:
            counts[u.grade or ""] = counts.get(u.grade or "", 0) + 1
        grades.append((members[0].category_name or category, counts))
    charts = [grade_distribution(grades, title="各类别等级分布")] if grades else []
    area = _area_chart(data, units, "各一级指标平均得分与满分（全部单位）")
    if area:
        charts.append(area)
    return _overview(data, units, hrefs, title="整体评估报告", groups=_category_groups(data, units, hrefs),
                     intro=f"全部 {len(units)} 个被评估单位，按类别排名。", problems=data.problems,
                     method_units=None, charts=charts)


def _departments_page(data, departments, hrefs) -> str:
    """部门评估报告: the departments by category."""
    dept_ids = {u.unit for u in departments}
    dept_charts = [c for c in [_area_chart(data, departments, "各一级指标平均得分与满分（部门）")] if c]
    return _overview(data, departments, hrefs, title="部门评估报告",
                     groups=_category_groups(data, departments, hrefs),
                     intro=f"{len(departments)} 个部门（单位名单中类型为「部门」），按类别排名。",
                     problems=_problems_of(data, dept_ids), method_units=dept_ids, charts=dept_charts)


def _regions_page(data, regions, hrefs) -> str:
    """地区评估报告: the regions grouped by their 上级地区."""
    groups = []
    by_parent: dict[str, list] = {}
    for u in regions:
        by_parent.setdefault(data.parent_of(u.unit), []).append(u)
    for parent in sorted(by_parent, key=lambda p: (p == "", p)):
        members = sorted(by_parent[parent], key=lambda u: (category_key(u.category), u.rank or 0, u.unit))
        title = f"{data.unit_name(parent)}（{parent}）所辖地区" if parent else "未设上级地区的地区"
        groups.append({"title": f"{title}（{len(members)} 个）", "note": "名次为各自类别内的名次。",
                       "chart": ranking_bars([(u.name, u.total, u.grade or "") for u in members],
                                             title="总分与等级", maximum=100),
                       "rows": [_unit_row(data, u, hrefs) for u in members]})
    region_ids = {u.unit for u in regions}
    region_charts = [c for c in [_area_chart(data, regions, "各一级指标平均得分与满分（地区）")] if c]
    return _overview(data, regions, hrefs, title="地区评估报告", groups=groups,
                     intro=f"{len(regions)} 个地区（单位名单中类型为「地区」），按上级地区分组。",
                     problems=_problems_of(data, region_ids), method_units=region_ids, charts=region_charts)


def _problems_of(data, unit_ids: set[str]) -> list:
    """The problems naming any of these units, in the report's problem order."""
    return [p for p in data.problems if data.problem_units(p) & unit_ids]


def write_text(path: Path, text: str) -> Path:
    """Write a report file atomically (temp file, then rename); the same text gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)
    return path
