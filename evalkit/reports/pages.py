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
from itertools import chain
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from evalkit.config import is_safe_id
from evalkit.problems import SEVERITY_ZH
from evalkit.reports.charts import bars_against_max, grade_distribution, ranking_bars
from evalkit.reports.data import TEXT_LIMIT, ReportData, category_key, short_path, ties_note
from evalkit.reports.method import method_rows
from evalkit.reports.scorecard import card_rows, grade_text, pending_text, rank_text, total_text, uncertainty_texts

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


# the large tables' rows, made here rather than by a loop in the template (a province's unit pages have 45,000
# free-text rows): each value HTML-escaped as autoescaping does (markupsafe.escape), one row a line
CARD_ROW = ('<tr class="{}"><td>{}</td><td style="padding-left:{}em">{}</td><td class="n">{}</td><td class="n">{}</td>'
            '<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td></tr>\n')
TEXT_ROW = '<tr><td>{}</td><td>{}</td><td>{}</td><td class="text">{}</td></tr>\n'
PROBLEM_ROW = '<tr><td class="sev-{}">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n'


_PLAIN = {str, int, float, type(None)}  # escaped as their str(); no __html__ of their own


def table_rows(row: str, rows) -> Markup:
    """``rows`` (tuples of values) put into ``row`` (a ``str.format`` pattern with ``{}`` for each value), each
    value HTML-escaped: the markup a template's ``{% for %}`` loop with ``{{ value }}`` cells gives under autoescape.
    Rows of equal length of plain values (str, int, float, None) are escaped together — joined by NUL, which escaping
    leaves alone, in one call — unless a value holds a NUL; others one value at a time (:func:`markupsafe.escape`)."""
    rows = list(rows)
    width = len(rows[0]) if rows else 0
    cells = list(chain.from_iterable(rows))
    if rows and len(cells) == width * len(rows) and set(map(type, cells)) <= _PLAIN:
        text = "\x00".join(map(str, cells))
        if text.count("\x00") == len(cells) - 1:
            escaped = str(escape(text)).split("\x00")
            return Markup("".join(map(row.format, *[escaped[k::width] for k in range(width)])))
    fmt = row.format
    return Markup("".join([fmt(*map(escape, values)) for values in rows]))


def _problem_rows(data, problems) -> list[tuple]:
    """The first :data:`PROBLEM_LIMIT` problems as table cells: severity (class), severity, code, message, where."""
    return [(p.severity, SEVERITY_ZH.get(p.severity, p.severity), p.code, p.message, _where(data, p))
            for p in problems[:PROBLEM_LIMIT]]


def _problem_table(data, problems) -> dict:
    """The problems macro's arguments: the rows' markup, how many are shown, how many there are, the limit."""
    rows = _problem_rows(data, problems)
    return {"problems": table_rows(PROBLEM_ROW, rows), "problem_shown": len(rows), "problem_total": len(problems),
            "limit": PROBLEM_LIMIT}


def _unit_row(data, u, hrefs) -> dict:
    unc = uncertainty_texts(u)
    note = []
    if u.provisional:
        note.append("总分待定：" + "、".join(p.code for p in u.pending) + " 未能计分")
    if u.tied_with:
        note.append(ties_note(u.tied_with))
    if u.published_only:
        note.append("仅通报")
    return {"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "category": u.category_name or u.category,
            "kind": data.kind_zh(u.unit), "total": total_text(u), "grade": grade_text(u), "grade_class": u.grade or "",
            "rank": rank_text(u), "tied_with": "、".join(u.tied_with), "provisional": u.provisional,
            "interval": unc["interval"], "rank_interval": unc["rank_interval"], "grade_changes": unc["grade_changes"],
            "note": "；".join(note)}


def _pending(u) -> list[dict]:
    return [{"code": p.code, "name": p.name, "reason": p.reason,
             "figures": next((s.figures for s in u.leaves if s.indicator == p.code), "") if p.kind == "leaf" else "加减分事项"}
            for p in u.pending]


def _missing_by_unit(units, hrefs) -> list[dict]:
    """One row per unit whose total is provisional: how many items, which, and the reasons with their counts."""
    out = []
    for u in units:
        if not u.provisional:
            continue
        reasons: dict[str, int] = {}
        for p in u.pending:
            reasons[p.reason] = reasons.get(p.reason, 0) + 1
        span = f"{u.total_range[0]:.2f}–{u.total_range[1]:.2f}" if u.total_range else ""
        out.append({"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "count": len(u.pending),
                    "codes": "、".join(p.code for p in u.pending), "total": f"{u.total:.2f}", "range": span,
                    "reasons": "；".join(f"{k} {v} 个" for k, v in reasons.items())})
    return out


def _rank_key(u) -> tuple:
    """Ranked units by rank; units without a rank (provisional) after them, by what is scored."""
    return (u.rank is None, u.rank or 0, -u.total if u.rank is None else 0, u.unit)


def _category_groups(data, units, hrefs, title_prefix="") -> list[dict]:
    groups = []
    for category in sorted({u.category for u in units}, key=category_key):
        members = sorted((u for u in units if u.category == category), key=_rank_key)
        first = members[0]
        note = "仅通报，不纳入年度绩效考核" if first.published_only else f"绩效权重 {first.weight:g}"
        groups.append({"title": f"{title_prefix}{first.category_name or category}（{len(members)} 个单位）",
                       "note": note + "；名次为本类别内名次。",
                       "chart": ranking_bars([(u.name, u.total, u.grade or "") for u in members],
                                             title="总分与等级", maximum=100),
                       "rows": [_unit_row(data, u, hrefs) for u in members], "level": _level(data)})
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


def _level(data) -> str:
    return f"{data.evaluation.settings.confidence * 100:g} %"


def _common(data, title: str, up: str) -> dict:
    return {"title": title, "project": data.name, "as_of": data.as_of, "framework": data.evaluation.framework,
            "css": CSS, "up": up}


def _overview(data, units, hrefs, *, title, intro, groups, problems, method_units, charts) -> str:
    # overview pages live in the output folder itself; unit links are relative to it
    return ENV.get_template("overview.html").render(
        **_common(data, title, ""), intro=intro, groups=groups, charts=charts, missing=_missing_by_unit(units, hrefs),
        ranked_anyway=data.evaluation.settings.rank_provisional, level=_level(data),
        **_problem_table(data, problems), method=method_rows(data, method_units))


def _unit_page(data, u, hrefs) -> str:
    """One unit's report: key figures, level-1 chart, scorecard, events, field notes, problems and method."""
    nodes = {n.indicator: n for n in u.nodes}
    leaves = {s.indicator: s for s in u.leaves}
    totals = [("计分项得分", _fmt(u.scored)), (f"加分（原始 {u.bonus_raw:g}，上限 {u.bonus_cap:g}）", _fmt(u.bonus)),
              ("扣分", _fmt(u.deductions)), ("加减分事项", _fmt(u.adjustments)), ("总分", total_text(u))]
    events = [{"id": e.id, "zh": e.zh, "points": f"{e.points:+g}", "source": e.source,
               "evidence": "；".join(x for x in (e.evidence, e.note) if x)} for e in u.events]
    titles: dict[str, str] = {}
    texts = [(t.record, titles.get(t.instrument) or titles.setdefault(t.instrument, data.instrument_title(t.instrument)),
              t.label, t.text) for t in data.unit_texts(u.unit)[:TEXT_LIMIT]]  # the first evalkit.reports.data.TEXT_LIMIT
    problems = data.unit_problems(u.unit)
    roots = [i for i in data.indicators if i.level == 1]
    chart = bars_against_max([(f"{r.code} {r.name}", nodes[r.code].score if r.code in nodes else
                               (leaves[r.code].score or 0.0 if r.code in leaves else 0.0), r.points or 0.0)
                              for r in roots], title="各一级指标得分与满分")
    return ENV.get_template("unit.html").render(
        **_common(data, f"{u.name}（{u.unit}）评估报告", "../"), u=_unit_info(data, u), pending=_pending(u),
        pending_text=pending_text(u), chart=chart, card=table_rows(CARD_ROW, _scorecard(data, u)), totals=totals,
        events=events, texts=table_rows(TEXT_ROW, texts), text_shown=len(texts), text_total=data.unit_text_count(u.unit),
        masked=data.mask_personal, **_problem_table(data, problems), method=method_rows(data, [u.unit]))


def _unit_info(data, u) -> dict:
    """The box at the top of a unit's page: category, kind, region, total, grade, rank and their uncertainty."""
    unc = uncertainty_texts(u)
    of = sum(1 for x in data.evaluation.units if x.category == u.category and x.rank is not None)
    parent = data.parent_of(u.unit)
    return {"category": u.category_name or u.category, "kind": data.kind_zh(u.unit),
            "parent": f"{data.unit_name(parent)}（{parent}）" if parent else "", "total": total_text(u),
            "provisional": u.provisional, "grade": grade_text(u), "grade_class": u.grade or "", "rank": rank_text(u),
            "of": of, "tied_with": ties_note(u.tied_with) if u.tied_with else "", "level": unc["level"],
            "interval": unc["interval"] or "-", "rank_interval": unc["rank_interval"] or "-",
            "grade_changes": unc["grade_changes"] or "-",
            "draws": u.stability.draws if u.stability else 0,
            "weight": "仅通报" if u.published_only else f"权重 {u.weight:g}"}


def _scorecard(data, u) -> list[tuple]:
    """A unit's indicator tree as table rows (:data:`CARD_ROW`: class, code, indent, name, score, points, share,
    status, rule, figures, evidence count): leaves with their share, rule and figures, nodes in bold."""
    card = []
    for row in card_rows(data, u):
        indent = 0.2 + 1.2 * (row.level - 1)
        if row.leaf:
            card.append(("missing" if row.missing else "", row.code, f"{indent:.1f}", row.name,
                         _fmt(row.score) if row.score is not None else "缺", f"{row.points:g}", row.share, row.status,
                         row.rule, row.observed, row.n))
        else:
            card.append(("node l1" if row.level == 1 else "node", row.code, f"{indent:.1f}", row.name, _fmt(row.score),
                         "" if row.points is None else f"{row.points:g}", "", row.status, "", "", ""))
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
                           "units": [{"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "grade": grade_text(u)}
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
        members = sorted(by_parent[parent], key=lambda u: (category_key(u.category), *_rank_key(u)))
        title = f"{data.unit_name(parent)}（{parent}）所辖地区" if parent else "未设上级地区的地区"
        groups.append({"title": f"{title}（{len(members)} 个）", "note": "名次为各自类别内的名次。",
                       "chart": ranking_bars([(u.name, u.total, u.grade or "") for u in members],
                                             title="总分与等级", maximum=100),
                       "rows": [_unit_row(data, u, hrefs) for u in members], "level": _level(data)})
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
