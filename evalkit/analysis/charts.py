"""Charts for the analysis notebooks (matplotlib), labelled in Chinese.

:func:`use_chinese_font` makes matplotlib draw Chinese: it picks the first installed CJK font
(Noto Sans CJK SC, Debian's ``fonts-noto-cjk``, then other common ones) and keeps the minus sign
drawable.  Each chart function takes a table of :class:`evalkit.analysis.Tables` and returns the
matplotlib ``Figure`` (shown by Jupyter once ``%matplotlib inline`` is on, saved with ``fig.savefig``);
pyplot is not imported, so importing evalkit never chooses a plotting backend.
"""

from __future__ import annotations

import contextlib

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
             "SimHei", "PingFang SC", "Heiti SC")
GRADE_COLOURS = {"优秀": "#2e7d32", "良好": "#1565c0", "达标": "#f9a825", "不达标": "#c62828"}


def use_chinese_font() -> str:
    """Set matplotlib's sans-serif font to an installed CJK font; returns its name ('' when none is installed).

    matplotlib lists the system's fonts once and keeps the list in its cache: a CJK font installed since (Debian's
    ``fonts-noto-cjk`` after the first chart) is not in it, and every Chinese label came out as empty boxes.  When
    none of :data:`CJK_FONTS` is listed, the font files not in the list are added to it (``addfont``) first."""
    name = _cjk_font()
    if not name:
        known = {f.fname for f in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with contextlib.suppress(Exception):  # a file FreeType cannot read is no font to use
                    font_manager.fontManager.addfont(path)
        name = _cjk_font()
    if name:
        matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
        matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def _cjk_font() -> str:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in installed), "")


def bump_chart(compared: pd.DataFrame, category: str, *, title: str = "", before: str = "原方案",
               after: str = "假设方案"):
    """Ranks before and after within one category, one line per unit; units whose grade changed in colour."""
    rows = compared[compared["category"] == category].dropna(subset=["rank_before", "rank_after"])
    height = max(4.0, 0.32 * len(rows) + 1.5)
    fig = Figure(figsize=(8, height), layout="constrained")
    ax = fig.add_subplot()
    for r in rows.itertuples():
        changed = bool(r.grade_changed)
        colour = GRADE_COLOURS.get(r.grade_after, "#555555") if changed else "#b0b0b0"
        ax.plot([0, 1], [r.rank_before, r.rank_after], color=colour, linewidth=2.2 if changed else 1.0,
                marker="o", markersize=4, zorder=3 if changed else 2)
        ax.text(-0.03, r.rank_before, f"{r.name} {r.total_before:.1f}（{r.grade_before}）", ha="right", va="center",
                fontsize=8)
        ax.text(1.03, r.rank_after, f"{r.total_after:.1f}（{r.grade_after}） {r.name}", ha="left", va="center",
                fontsize=8, color=colour if changed else "#333333")
    ax.set_xlim(-0.9, 1.9)
    last = int(max(rows["rank_before"].max(), rows["rank_after"].max())) if len(rows) else 1
    ax.set_ylim(last + 0.7, 0.3)
    ax.set_yticks([1, *range(5, last + 1, 5)])
    ax.set_xticks([0, 1], [before, after])
    ax.set_ylabel("类别内名次")
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.set_title(title or f"第 {category} 类单位名次变化（彩色：等级改变）")
    return fig


def agreement_chart(agreement: pd.DataFrame, *, title: str = "评估员评分一致性"):
    """Krippendorff's α (bars) and the ICC with its interval (points) per rating field and indicator."""
    rows = agreement.dropna(subset=["alpha"]).reset_index(drop=True)
    fig = Figure(figsize=(8, max(3.0, 0.45 * len(rows) + 1.2)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    labels = [f"{r.instrument} · {r.indicator}" for r in rows.itertuples()]
    ax.barh(y, rows["alpha"], color=["#1565c0" if a >= 0.667 else "#c62828" for a in rows["alpha"]], alpha=0.75,
            label="Krippendorff α")
    icc = rows.dropna(subset=["icc"])
    ax.errorbar(icc["icc"], icc.index, xerr=[icc["icc"] - icc["icc_low"], icc["icc_high"] - icc["icc"]], fmt="o",
                color="#333333", capsize=3, label="ICC 及 95% 区间")
    ax.axvline(0.667, color="#888888", linestyle="--", linewidth=1)
    ax.text(0.667, -0.9, " α = 0.667", color="#666666", fontsize=8, va="bottom")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, float(rows["alpha"].min()) if len(rows) else 0.0), 1.0)
    ax.set_xlabel("一致性系数")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    ax.set_title(title)
    return fig


def estimates_chart(estimates: pd.DataFrame, *, title: str = "", limit: int = 40):
    """Each stratum's share with its interval (the first ``limit`` strata) and the weighted total."""
    rows = estimates.head(limit) if len(estimates) <= limit + 1 else pd.concat([estimates.head(limit),
                                                                                estimates.tail(1)])
    rows = rows.reset_index(drop=True)
    fig = Figure(figsize=(8, max(3.0, 0.28 * len(rows) + 1.2)), layout="constrained")
    ax = fig.add_subplot()
    labels = [(r.name or r.stratum) for r in rows.itertuples()]
    total = rows["stratum"] == "合计"
    err = [(rows["p"] - rows["lower"]).clip(lower=0).fillna(0), (rows["upper"] - rows["p"]).clip(lower=0).fillna(0)]
    ax.errorbar(rows["p"], rows.index, xerr=err, fmt="o", color="#1565c0", ecolor="#90a4ae", capsize=2)
    ax.scatter(rows.loc[total, "p"], rows.index[total], color="#c62828", zorder=4, s=50, label="合计（按设计加权）")
    ax.set_yticks(rows.index, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(title or "分层估计及其区间")
    return fig


def profile_chart(scores: pd.DataFrame, unit: str, *, level: int = 2):
    """A unit's score against the maximum for each indicator of one level (default the second)."""
    rows = scores[(scores["unit"] == unit) & (scores["level"] == level)]
    fig = Figure(figsize=(8, max(3.0, 0.4 * len(rows) + 1.2)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    ax.barh(y, rows["points"], color="#e0e0e0", label="分值")
    ax.barh(y, rows["score"].fillna(0), color="#1565c0", label="得分")
    for i, r in enumerate(rows.itertuples()):
        ax.text(r.points, i, f" {0 if pd.isna(r.score) else r.score:.1f}/{r.points:g}", va="center", fontsize=8)
    ax.set_yticks(y, [f"{r.indicator} {r.name[:14]}" for r in rows.itertuples()], fontsize=8)
    ax.invert_yaxis()
    name = rows["unit_name"].iloc[0] if len(rows) else unit
    ax.set_title(f"{name}（{unit}）各{['一', '二', '三', '四'][min(level, 4) - 1]}级指标得分")
    ax.legend(loc="lower right", fontsize=8)
    return fig
