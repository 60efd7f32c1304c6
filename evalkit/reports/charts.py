"""Inline SVG charts for the HTML reports: no JavaScript, no external files.

Each function returns a :class:`markupsafe.Markup` string of one ``<svg>``
element.  Every label is escaped here (:func:`markupsafe.escape`), so a chart
can be put into a page as is; numbers are formatted with fixed precision, so
the same figures always give the same bytes.  Colours are chosen to stay
readable when printed in black and white (values are written beside the bars).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from evalkit.io.xlsx import display_width

GRADE_COLOURS = {"优秀": "#4e9a5b", "良好": "#4a7fb5", "达标": "#d9a630", "不达标": "#c8553d", "": "#999999"}
BAR = "#4a7fb5"
MAX_BAR = "#dfe6ee"
FONT = "font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;font-size:12px"


def _f(x: float) -> str:
    return f"{x:.1f}"


def _label(text: str, limit: int) -> str:
    """Cut a label to ``limit`` display columns (CJK counts two) with an ellipsis."""
    out, width = "", 0
    for ch in text:
        w = display_width(ch)
        if width + w > limit:
            return out + "…"
        out, width = out + ch, width + w
    return out


def bars_against_max(rows: Sequence[tuple[str, float, float]], *, title: str, width: int = 720) -> Markup:
    """Horizontal bars: points earned against the maximum, one row per (label, value, maximum)."""
    label_w, bar_h, gap, top = 320, 18, 8, 28
    plot_w = width - label_w - 90
    height = top + len(rows) * (bar_h + gap) + 10
    scale = max([m for _, _, m in rows] + [v for _, v, _ in rows] + [1e-9])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" style="{FONT}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, value, maximum) in enumerate(rows):
        y = top + i * (bar_h + gap)
        mw, vw = plot_w * max(maximum, 0) / scale, plot_w * max(value, 0) / scale
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(_label(label, 50))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{_f(mw)}" height="{bar_h}" fill="{MAX_BAR}" '
                     f'stroke="#aab7c4"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{_f(vw)}" height="{bar_h - 6}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + max(mw, vw) + 6:.1f}" y="{y + 13}">{value:.2f} / {maximum:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def ranking_bars(rows: Sequence[tuple[str, float, str]], *, title: str, maximum: float | None = None,
                 width: int = 720) -> Markup:
    """Horizontal bars of totals, coloured by grade: one row per (label, total, grade)."""
    label_w, bar_h, gap, top = 230, 14, 5, 28
    plot_w = width - label_w - 110
    height = top + len(rows) * (bar_h + gap) + 28
    scale = max([maximum or 0] + [v for _, v, _ in rows] + [1e-9])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" style="{FONT}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, value, grade) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = plot_w * max(value, 0) / scale
        colour = GRADE_COLOURS.get(grade, GRADE_COLOURS[""])
        parts.append(f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end">{escape(_label(label, 34))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{_f(w)}" height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 11}">{value:.2f} {escape(grade)}</text>')
    y = top + len(rows) * (bar_h + gap) + 14
    x = label_w
    for grade, colour in GRADE_COLOURS.items():
        if grade:
            parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                         f'<text x="{x + 16}" y="{y}">{escape(grade)}</text>')
            x += 80
    parts.append("</svg>")
    return Markup("".join(parts))


def grade_distribution(rows: Sequence[tuple[str, dict[str, int]]], *, title: str, width: int = 720) -> Markup:
    """One stacked bar per category: how many units got each grade."""
    label_w, bar_h, gap, top = 170, 20, 8, 28
    plot_w = width - label_w - 60
    height = top + len(rows) * (bar_h + gap) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" style="{FONT}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = sum(counts.values()) or 1
        x = float(label_w)
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(_label(label, 26))}</text>')
        for grade, colour in GRADE_COLOURS.items():
            n = counts.get(grade, 0)
            if not n:
                continue
            w = plot_w * n / total
            parts.append(f'<rect x="{_f(x)}" y="{y}" width="{_f(w)}" height="{bar_h}" fill="{colour}"/>')
            if w > 18:
                parts.append(f'<text x="{_f(x + w / 2)}" y="{y + 14}" text-anchor="middle" fill="#fff">{n}</text>')
            x += w
        parts.append(f'<text x="{_f(x + 6)}" y="{y + 14}">{sum(counts.values())}</text>')
    y = top + len(rows) * (bar_h + gap) + 16
    x = label_w
    for grade, colour in GRADE_COLOURS.items():
        label = grade or "待定"  # no grade: a provisional total (or a faulty band table)
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y}">{escape(label)}</text>')
        x += 80
    parts.append("</svg>")
    return Markup("".join(parts))
