"""Writing ``evalkit.toml``: only through tomlkit, so comments survive an update and no value is ever
pasted into TOML text by string formatting; nothing is written that would not read back."""

from __future__ import annotations

import os
import tomllib
import uuid
from pathlib import Path

import tomlkit

from evalkit.config.settings import CONFIG, ProjectConfig, load_config, parse_config
from evalkit.io.durable import fsync_dir, unlink_quietly


def new_config(name: str, framework_id: str, *, as_of: str = "", period: tuple[str, str] = ("", ""),
               year: int | None = None, note: str = "") -> tomlkit.TOMLDocument:
    """The ``evalkit.toml`` of a new project, with a comment on every setting a lead evaluator edits."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("evalkit 项目设置 (evaluation settings)"))
    ev = tomlkit.table()
    ev.add("name", name)
    ev.add("framework", "framework.xlsx")
    ev.add("units", "units.xlsx")
    ev.add(tomlkit.comment("评估截止日期：逾期判断与报告以此为准 (as-of date of the evaluation)"))
    ev.add("as_of", as_of)
    ev.add(tomlkit.comment("评估期：记录中的日期应在此范围内，如 2018-11-20 (evaluation period)"))
    ev.add("period_start", period[0])
    ev.add("period_end", period[1])
    if year is not None:
        ev.add(tomlkit.comment("评估年度：任务分解表中没有写年份的完成时限（如「6月底前」）按此年计 (evaluation year)"))
        ev.add("year", year)
    ev.add(tomlkit.comment(note or f"创建自标准框架 {framework_id}"))
    doc.add("evaluation", ev)
    return doc


def write_config(root: Path, doc: tomlkit.TOMLDocument, *, replace_existing: bool = False) -> Path:
    """Write ``doc`` to ``root/evalkit.toml`` atomically, after checking it reads back without problems.

    Never replaces an existing file unless ``replace_existing``; ValueError (Chinese) when the
    document would not read back (a value of the wrong kind).
    """
    root = Path(root)
    path = root / CONFIG
    text = tomlkit.dumps(doc)
    _, problems = parse_config(root, tomllib.loads(text), path)
    if problems:
        raise ValueError("项目设置无法写入：" + "；".join(p.message for p in problems))
    if path.exists() and not replace_existing:
        raise FileExistsError(f"{path} 已存在：不会覆盖。")
    tmp = root / f".{CONFIG}.{uuid.uuid4().hex}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        unlink_quietly(tmp)
    fsync_dir(root)
    return path


def update_config(root: Path, section: str, key: str, value: object, *, first: bool = False) -> ProjectConfig:
    """Set ``[section] key = value`` in ``root/evalkit.toml``, keeping every other line and comment.

    A new key goes at the end of its section, or with ``first`` right under the section's
    header (a new section goes at the end of the file).  Returns the configuration as read
    back; ValueError (Chinese) when the file cannot be read or the result would not read back
    correctly.
    """
    root = Path(root)
    path = root / CONFIG
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise ValueError(f"{path} 不存在或无法读取（{exc}）：请先用 evalkit init 创建项目，"
                         "或改正 evalkit.toml。") from None
    table = doc.get(section)
    if table is None:
        doc.add(section, tomlkit.table())
        table = doc[section]
    if first and isinstance(table, tomlkit.items.Table) and key not in table and table.value.body:
        # tomlkit has no public "insert at"; Container._insert_at keeps the lines and comments around it
        table.value._insert_at(0, key, tomlkit.item(value))
    else:
        table[key] = value
    write_config(root, doc, replace_existing=True)
    return load_config(root)[0]
