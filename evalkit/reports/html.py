"""The HTML reports: ``index.html``, the whole evaluation, by department, by region, and one page per unit.

Pages are made with jinja2 templates kept in this module (:data:`TEMPLATES`,
loaded with a ``DictLoader``, so they ship with the code and cannot go
missing from an install) in an environment with ``autoescape=True``: every
value put into a page is HTML-escaped unless it is :class:`markupsafe.Markup`,
which only :mod:`evalkit.reports.charts` builds (and which escapes its own labels).
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

from pathlib import Path

from jinja2 import DictLoader, Environment, StrictUndefined

from evalkit.reports.charts import bars_against_max, grade_distribution, ranking_bars
from evalkit.scoring import STATUS_ZH
from evalkit.reports.xlsx import _ties
from evalkit.problems import SEVERITY_ZH
from evalkit.reports.data import TEXT_LIMIT  # free-text answers per unit page
from evalkit.config import is_safe_id

PROBLEM_LIMIT = 500   # rows per page; the workbook's 问题 sheet has them all

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
 margin:0 auto;max-width:1100px;padding:16px 24px;color:#222;font-size:14px;line-height:1.5}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:24px 0 8px;border-bottom:2px solid #4a7fb5;
 padding-bottom:2px}h3{font-size:15px;margin:16px 0 6px}
nav{font-size:13px;margin-bottom:8px;color:#555}nav a{margin-right:12px}
.meta{color:#555;font-size:13px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #c8ced6;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#dde7f3}thead{display:table-header-group}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.node td{background:#f4f6f9;font-weight:bold}tr.l1 td{background:#e7e6f7}
tr.missing td{background:#fce4d6}
.g-优秀{background:#c6efce}.g-良好{background:#ddebf7}.g-达标{background:#fff2cc}.g-不达标{background:#ffc7ce}
.sev-error{color:#a4161a;font-weight:bold}.sev-warning{color:#8a6100}
.box{display:flex;flex-wrap:wrap;gap:8px 24px;background:#f4f6f9;padding:8px 12px;border:1px solid #c8ced6}
.box div b{font-size:18px}
.alert{border:1px solid #e0a07a;background:#fdf0e7;padding:8px 12px;margin:8px 0}
.note{color:#555;font-size:12px}
.text{white-space:pre-wrap;word-break:break-word}
svg{max-width:100%;height:auto;display:block;margin:6px 0}
ul.units{columns:2;padding-left:20px}
@page{size:A4;margin:14mm 12mm}
@media print{nav{display:none}body{max-width:none;padding:0;font-size:11px}
 table{font-size:10.5px}.break{break-before:page}tr,svg{break-inside:avoid}h2,h3{break-after:avoid}
 a{color:inherit;text-decoration:none}}
"""

TEMPLATES = {
    "base.html": """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — {{ project }}</title><style>{{ css }}</style></head>
<body>
<nav><a href="{{ up }}index.html">目录</a><a href="{{ up }}province.html">整体评估</a>\
<a href="{{ up }}departments.html">部门</a><a href="{{ up }}regions.html">地区</a>\
<a href="{{ up }}评估报告.xlsx">Excel 报告</a></nav>
<h1>{{ title }}</h1>
<p class="meta">{{ project }}{% if as_of %} · 截至 {{ as_of }}{% endif %} · 指标体系 {{ framework }}</p>
{% block body %}{% endblock %}
</body></html>
""",
    "macros.html": """
{% macro ranking(rows, up) %}
<table><thead><tr><th>名次</th><th>单位</th><th>类别</th><th>类型</th><th>总分</th><th>等级</th><th>名次区间</th>\
<th>等级变化</th><th>说明</th></tr></thead><tbody>
{% for u in rows %}<tr><td class="n">{{ u.rank or "-" }}{% if u.tied_with %}（并列）{% endif %}</td>
<td><a href="{{ up }}{{ u.href }}">{{ u.name }}</a>（{{ u.unit }}）</td><td>{{ u.category }}</td><td>{{ u.kind }}</td>
<td class="n">{{ u.total }}</td><td class="g-{{ u.grade }}">{{ u.grade }}</td><td class="n">{{ u.rank_range }}</td>
<td class="n">{{ u.grade_changes }}</td><td>{{ u.note }}</td></tr>
{% endfor %}</tbody></table>
{% endmacro %}
{% macro problems(rows, total, limit) %}
{% if rows %}
<table><thead><tr><th>严重程度</th><th>代码</th><th>说明</th><th>位置</th></tr></thead><tbody>
{% for p in rows %}<tr><td class="sev-{{ p.severity }}">{{ p.severity_zh }}</td><td>{{ p.code }}</td>\
<td>{{ p.message }}</td><td>{{ p.where }}</td></tr>
{% endfor %}</tbody></table>
{% if total > rows|length %}<p class="note">只列出前 {{ rows|length }} 条，共 {{ total }} 条；全部问题见 Excel 报告的「问题」工作表。</p>{% endif %}
{% else %}<p>没有问题。</p>{% endif %}
{% endmacro %}
{% macro method(rows) %}
<table><tbody>{% for label, text in rows %}<tr><th style="width:9em">{{ label }}</th><td>{{ text }}</td></tr>
{% endfor %}</tbody></table>
{% endmacro %}
{% macro missing(rows, show_unit=True) %}
{% if rows %}<div class="alert"><b>以下 {{ rows|length }} 个分数缺失</b>（该指标不计分，上级指标按 0 分汇总；补充证据或人工评分后重新生成报告）：
<table><thead><tr>{% if show_unit %}<th>单位</th>{% endif %}<th style="width:5em">指标</th><th>名称</th>\
<th style="width:10em">原因</th><th>计分依据</th></tr></thead><tbody>
{% for m in rows %}<tr>{% if show_unit %}<td>{{ m.unit }}</td>{% endif %}<td>{{ m.code }}</td><td>{{ m.name }}</td>\
<td>{{ m.reason }}</td><td>{{ m.figures }}</td></tr>{% endfor %}</tbody></table></div>{% endif %}
{% endmacro %}
""",
    "index.html": """{% extends "base.html" %}{% block body %}
<h2>报告</h2>
<ul><li><a href="province.html">整体评估报告</a>（全部 {{ count }} 个单位）</li>
<li><a href="departments.html">部门评估报告</a>（{{ departments }} 个部门）</li>
<li><a href="regions.html">地区评估报告</a>（{{ regions }} 个地区）</li>
<li><a href="评估报告.xlsx">Excel 报告 评估报告.xlsx</a>（汇总、评分表、证据、文字记录、问题、方法）</li></ul>
{% for cat in categories %}<h3>{{ cat.name }}（{{ cat.units|length }} 个单位{{ cat.note }}）</h3>
<ul class="units">{% for u in cat.units %}<li><a href="{{ u.href }}">{{ u.name }}</a>（{{ u.unit }}）{{ u.grade }}</li>{% endfor %}</ul>
{% endfor %}
<p class="note">问题：错误 {{ errors }} 条，警告 {{ warnings }} 条，提示 {{ infos }} 条。</p>
{% endblock %}""",
    "overview.html": """{% extends "base.html" %}{% import "macros.html" as m %}{% block body %}
{% if intro %}<p>{{ intro }}</p>{% endif %}
{% if charts %}{% for c in charts %}{{ c }}{% endfor %}{% endif %}
{% if missing %}<div class="alert"><b>{{ missing|length }} 个单位有分数缺失</b>（缺失的指标不计分，上级指标按 0 分汇总；\
明细见各单位报告和 Excel 报告的「评分表」）。</div>{% endif %}
{% for g in groups %}<section{% if not loop.first %} class="break"{% endif %}>
<h2>{{ g.title }}</h2>{% if g.note %}<p class="note">{{ g.note }}</p>{% endif %}
{% if g.chart %}{{ g.chart }}{% endif %}
{{ m.ranking(g.rows, "") }}</section>
{% else %}<p>没有单位。</p>{% endfor %}
{% if missing %}<section class="break"><h2>缺失的分数</h2>
<table><thead><tr><th>单位</th><th style="width:5em">缺失数</th><th>指标</th><th>原因</th></tr></thead><tbody>
{% for x in missing %}<tr><td><a href="{{ x.href }}">{{ x.name }}</a>（{{ x.unit }}）</td><td class="n">{{ x.count }}</td>\
<td>{{ x.codes }}</td><td>{{ x.reasons }}</td></tr>{% endfor %}</tbody></table></section>{% endif %}
<section class="break"><h2>问题</h2>{{ m.problems(problems, problem_total, limit) }}</section>
<section class="break"><h2>评估方法</h2>{{ m.method(method) }}</section>
{% endblock %}""",
    "unit.html": """{% extends "base.html" %}{% import "macros.html" as m %}{% block body %}
<div class="box"><div>类别<br>{{ u.category }}</div><div>类型<br>{{ u.kind }}</div>\
{% if u.parent %}<div>上级地区<br>{{ u.parent }}</div>{% endif %}
<div>总分<br><b>{{ u.total }}</b></div><div>等级<br><b class="g-{{ u.grade }}">{{ u.grade or "-" }}</b></div>
<div>名次<br><b>{{ u.rank or "-" }}</b> / {{ u.of }}{% if u.tied_with %}（{{ u.tied_with }}）{% endif %}</div>
<div>名次区间<br>{{ u.rank_range }}</div><div>等级变化比例<br>{{ u.grade_changes }}</div>
<div>绩效<br>{{ u.weight }}</div></div>
{{ chart }}
{{ m.missing(missing, False) }}
<h2>评分表</h2>
<table><colgroup><col style="width:6em"><col style="width:30%"><col style="width:4.5em"><col style="width:3.5em">\
<col style="width:9em"><col><col style="width:3.5em"></colgroup>
<thead><tr><th>编码</th><th>指标</th><th>得分</th><th>满分</th><th>状态</th><th>计分依据</th><th>证据数</th></tr></thead>
<tbody>{% for r in card %}<tr class="{{ r.cls }}"><td>{{ r.code }}</td><td style="padding-left:{{ r.indent }}em">{{ r.name }}</td>\
<td class="n">{{ r.score }}</td><td class="n">{{ r.points }}</td><td>{{ r.status }}</td><td>{{ r.figures }}</td>\
<td class="n">{{ r.n }}</td></tr>
{% endfor %}</tbody></table>
<table><tbody>{% for label, value in totals %}<tr><th style="width:16em">{{ label }}</th><td class="n">{{ value }}</td></tr>
{% endfor %}</tbody></table>
{% if events %}<h3>加减分事项</h3><table><thead><tr><th>编号</th><th>事项</th><th>分值</th><th>依据</th><th>说明</th></tr></thead>
<tbody>{% for e in events %}<tr><td>{{ e.id }}</td><td>{{ e.zh }}</td><td class="n">{{ e.points }}</td><td>{{ e.source }}</td>\
<td>{{ e.evidence }}</td></tr>{% endfor %}</tbody></table>{% endif %}
<section class="break"><h2>现场记录摘录</h2>
{% if texts %}<table><thead><tr><th>记录</th><th>调查工具</th><th>字段</th><th>内容</th></tr></thead><tbody>
{% for t in texts %}<tr><td>{{ t.record }}</td><td>{{ t.instrument }}</td><td>{{ t.label }}</td><td class="text">{{ t.text }}</td></tr>
{% endfor %}</tbody></table>{% if text_total > texts|length %}<p class="note">只列出前 {{ texts|length }} 条，共 {{ text_total }} 条；全部见 Excel 报告的「文字记录」工作表。</p>{% endif %}
{% else %}<p>没有文字记录。</p>{% endif %}
{% if masked %}<p class="note">服务对象的姓名和电话号码已做脱敏处理。</p>{% endif %}</section>
<section class="break"><h2>问题</h2>{{ m.problems(problems, problem_total, limit) }}</section>
<section><h2>评估方法</h2>{{ m.method(method) }}</section>
{% endblock %}""",
}

ENV = Environment(loader=DictLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                  lstrip_blocks=True, keep_trailing_newline=True)


def unit_href(unit_id: str, index: int) -> str:
    """A unit page's path: ``units/<id>.html`` (ids are safe file names; an unsafe one gets its position)."""
    return f"units/{unit_id if is_safe_id(unit_id) else f'unit-{index:04d}'}.html"


def _fmt(x) -> str:
    return "" if x is None else f"{x:.2f}"


def _where(data, p) -> str:
    from evalkit.reports.xlsx import _short_path

    parts = [_short_path(data, p.file)] if p.file else []
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
        note.append(_ties(u.tied_with))
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
    from evalkit.reports.xlsx import _category_key

    groups = []
    for category in sorted({u.category for u in units}, key=_category_key):
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
    from evalkit.reports.xlsx import method_rows

    # overview pages live in the output folder itself; unit links are relative to it
    return ENV.get_template("overview.html").render(
        **_common(data, title, ""), intro=intro, groups=groups, charts=charts, missing=_missing_by_unit(units, hrefs),
        problems=_problem_rows(data, problems), problem_total=len(problems), limit=PROBLEM_LIMIT,
        method=method_rows(data, method_units))


def _unit_page(data, u, hrefs) -> str:
    from evalkit.reports.xlsx import method_rows

    st = u.stability
    of = sum(1 for x in data.evaluation.units if x.category == u.category)
    parent = data.parent_of(u.unit)
    info = {"category": u.category_name or u.category, "kind": data.kind_zh(u.unit),
            "parent": f"{data.unit_name(parent)}（{parent}）" if parent else "", "total": _fmt(u.total),
            "grade": u.grade or "", "rank": u.rank, "of": of, "tied_with": _ties(u.tied_with) if u.tied_with else "",
            "rank_range": f"{st.rank_range[0]}–{st.rank_range[1]}（{st.draws} 次抽样）" if st else "-",
            "grade_changes": f"{st.grade_changes * 100:.0f} %" if st else "-",
            "weight": "仅通报" if u.published_only else f"权重 {u.weight:g}"}
    leaves = {s.indicator: s for s in u.leaves}
    nodes = {n.indicator: n for n in u.nodes}
    card = []
    for ind in data.indicators:
        indent = 0.2 + 1.2 * (ind.level - 1)
        if ind.code in leaves:
            s = leaves[ind.code]
            figures = s.figures if not data.mask_personal else _masked(s.figures)
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
        **_common(data, f"{u.name}（{u.unit}）评估报告", "../"), u=info, missing=_missing([u]), chart=chart,
        card=card, totals=totals, events=events,
        texts=[{"record": t.record, "instrument": data.instrument_title(t.instrument), "label": t.label,
                "text": t.text} for t in texts[:TEXT_LIMIT]], text_total=data.unit_text_count(u.unit),
        masked=data.mask_personal,
        problems=_problem_rows(data, problems), problem_total=len(problems), limit=PROBLEM_LIMIT,
        method=method_rows(data, [u.unit]))


def _masked(text: str) -> str:
    from evalkit.reports.data import mask_free_text

    return mask_free_text(text)


def write_html(data, out_dir: Path) -> list[Path]:
    """index.html, province.html, departments.html, regions.html and units/<id>.html; the paths in that order."""
    from evalkit.reports.data import write_text

    ev = data.evaluation
    units = list(ev.units)
    hrefs = {u.unit: unit_href(u.unit, i) for i, u in enumerate(units)}
    departments = [u for u in units if data.kind_of(u.unit) != "region"]
    regions = [u for u in units if data.kind_of(u.unit) == "region"]
    paths = []

    from evalkit.reports.xlsx import _category_key

    categories = []
    for category in sorted({u.category for u in units}, key=_category_key):
        members = ev.ranking(category)
        note = "，仅通报" if members[0].published_only else f"，绩效权重 {members[0].weight:g}"
        categories.append({"name": members[0].category_name or category, "note": note,
                           "units": [{"unit": u.unit, "name": u.name, "href": hrefs[u.unit], "grade": u.grade or ""}
                                     for u in members]})
    count = {s: sum(1 for p in data.problems if p.severity == s) for s in ("error", "warning", "info")}
    index = ENV.get_template("index.html").render(
        **_common(data, "评估报告目录", ""), count=len(units), departments=len(departments), regions=len(regions),
        categories=categories, errors=count["error"], warnings=count["warning"], infos=count["info"])
    paths.append(write_text(out_dir / "index.html", index))

    grades = []
    for category in sorted({u.category for u in units}, key=_category_key):
        members = [u for u in units if u.category == category]
        counts: dict[str, int] = {}
        for u in members:
            counts[u.grade or ""] = counts.get(u.grade or "", 0) + 1
        grades.append((members[0].category_name or category, counts))
    charts = [grade_distribution(grades, title="各类别等级分布")] if grades else []
    area = _area_chart(data, units, "各一级指标平均得分与满分（全部单位）")
    if area:
        charts.append(area)
    province = _overview(data, units, hrefs, title="整体评估报告", groups=_category_groups(data, units, hrefs),
                         intro=f"全部 {len(units)} 个被评估单位，按类别排名。", problems=data.problems,
                         method_units=None, charts=charts)
    paths.append(write_text(out_dir / "province.html", province))

    dept_ids = {u.unit for u in departments}
    dept_problems = _problems_of(data, dept_ids)
    dept_charts = [c for c in [_area_chart(data, departments, "各一级指标平均得分与满分（部门）")] if c]
    page = _overview(data, departments, hrefs, title="部门评估报告", groups=_category_groups(data, departments, hrefs),
                     intro=f"{len(departments)} 个部门（单位名单中类型为「部门」），按类别排名。", problems=dept_problems,
                     method_units=dept_ids, charts=dept_charts)
    paths.append(write_text(out_dir / "departments.html", page))

    groups = []
    by_parent: dict[str, list] = {}
    for u in regions:
        by_parent.setdefault(data.parent_of(u.unit), []).append(u)
    for parent in sorted(by_parent, key=lambda p: (p == "", p)):
        members = sorted(by_parent[parent], key=lambda u: (_category_key(u.category), u.rank or 0, u.unit))
        title = f"{data.unit_name(parent)}（{parent}）所辖地区" if parent else "未设上级地区的地区"
        groups.append({"title": f"{title}（{len(members)} 个）", "note": "名次为各自类别内的名次。",
                       "chart": ranking_bars([(u.name, u.total, u.grade or "") for u in members],
                                             title="总分与等级", maximum=100),
                       "rows": [_unit_row(data, u, hrefs) for u in members]})
    region_ids = {u.unit for u in regions}
    region_charts = [c for c in [_area_chart(data, regions, "各一级指标平均得分与满分（地区）")] if c]
    page = _overview(data, regions, hrefs, title="地区评估报告", groups=groups,
                     intro=f"{len(regions)} 个地区（单位名单中类型为「地区」），按上级地区分组。",
                     problems=_problems_of(data, region_ids), method_units=region_ids, charts=region_charts)
    paths.append(write_text(out_dir / "regions.html", page))

    for u in units:
        paths.append(write_text(out_dir / hrefs[u.unit], _unit_page(data, u, hrefs)))
    return paths


def _problems_of(data, unit_ids: set[str]) -> list:
    """The problems naming any of these units, in the report's problem order."""
    return [p for p in data.problems if data.problem_units(p) & unit_ids]
