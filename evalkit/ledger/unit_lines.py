"""The 填报单位 line of a table as offices write it, and the unit it names.

Above a 任务分解表 or a 联络信息表 (and sometimes in the signature rows under it) the office
writes its name: 「填报单位：吉林市发展和改革委员会（盖章）」, 「填报单位（盖章）：吉林市发展和改革委员会」,
「单位（公章）：市发改委」, the name in the next cell after the label, or the label and name followed
on the same line by 「填报时间：2018年3月12日」.  :func:`written_unit` takes the name out of such a
line — the seal marks 「（盖章）」「（公章）」「（印章）」 removed, cut before the next label — and
:func:`unit_check` says whether it is the unit being imported, another unit of the list (by id,
name, 全称 or 别名: :meth:`evalkit.config.UnitList.find`), or a name the list does not know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evalkit.config import Unit, UnitList

_SEAL = r"[（(]\s*(?:盖\s*章|公\s*章|印\s*章|签\s*章|章|盖公章|签字)\s*[）)]"
_LABEL = re.compile(r"^\s*(?:填报|报送|填表|责任)?单\s*位(?:名\s*称)?\s*(?:" + _SEAL + r")?\s*(?:[:：]|$)")
_NEXT_LABEL = re.compile(r"(?:填报|报送|填表|制表)?(?:时\s*间|日\s*期)\s*[:：]|填报人|填表人|联系人|联系电话|"
                         r"审核人|负责人|电\s*话\s*[:：]")
_MARKS = re.compile(_SEAL + r"|\s*盖\s*章\s*$")


def written_unit(cells: Sequence[object]) -> str | None:
    """The unit named on a 填报单位 line, "" for a label left blank, None when the row is no such line.

    The label must open the row's first filled cell; the name follows in the same cell or in the
    next filled cells (up to another label such as 填报时间 or 联系电话)."""
    texts = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not texts:
        return None
    label = _LABEL.match(texts[0])
    if label is None:
        return None
    parts = [texts[0][label.end():], *texts[1:]]
    name = ""
    for part in parts:
        cut = _NEXT_LABEL.search(part)
        name += part[:cut.start()] if cut else part
        if cut or name.strip():
            break
    name = _MARKS.sub("", name)
    return re.sub(r"^[\s:：]+|[\s,，;；。]+$", "", name)


def _candidates(name: str) -> list[str]:
    """The name, and for 「名称（编号）」 the name and the part in brackets."""
    found = [name]
    bracket = re.fullmatch(r"(.+?)\s*[（(]\s*([^（）()]+?)\s*[）)]", name)
    if bracket:
        found += [bracket.group(2), bracket.group(1)]
    return found


def unit_check(name: str, unit: str, units: UnitList | None, unit_name: str = "") -> tuple[bool, str]:
    """Whether ``name`` (as written on the line) is the unit ``unit``, and if not, what it is instead:
    ``(True, "")`` or ``(False, detail)`` with the end of the Chinese message.

    Without a unit list, the name must equal ``unit`` or ``unit_name``."""
    if not name:
        return True, ""
    if units is None:
        same = any(c in (unit, unit_name) for c in _candidates(name)) or bool(unit_name and unit_name in name)
        return same, "" if same else "：请确认没有拿错表"
    found: list[Unit] = [u for u in (units.find(c) for c in _candidates(name)) if u is not None]
    if any(u.id == unit for u in found):
        return True, ""
    if found:
        return False, f"：「{name}」是单位名单中的 {found[0].id}（{found[0].name}），请确认没有拿错表"
    return False, (f"：单位名单中没有「{name}」这个名称（编号、名称、全称、别名都不符）。若它就是 {unit}，"
                   "请在单位名单的「全称」或「别名」列中补上；否则请确认没有拿错表")
