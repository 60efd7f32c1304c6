"""Checks of single contact values in a liaison roster, and the hints when one is wrong.

Fixed lines 电话 / 传真 ``[区号 + 连接号] 7–8 位号码`` (0431—88904981, 0431-88904981,
（0431）88904981, 88904981; several numbers separated by 、，；/ and an extension 转 123
allowed), 手机 11 digits ``1[3-9]xxxxxxxxx`` (spaces or dashes between groups allowed, +86
prefix allowed), 邮箱 ``name@domain.tld`` in half-width characters.

What offices write for "none" in a contact cell — 「/」, 「无」, 「—」, 「暂无」 … — is no value
(:func:`is_none`), the same as a blank cell.
"""

from __future__ import annotations

import re

_DASHES = "—–－―‐-"
_PHONE = re.compile(r"(?:(?:0\d{2,3})[" + _DASHES + r"]?|[(（]0\d{2,3}[)）])?[2-9]\d{6,7}(?:(?:转|[" + _DASHES +
                    r"]|分机)\d{1,6})?")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*"
                    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,}")


NONE_WORDS = frozenset({"/", "／", "\\", "无", "暂无", "没有", "空", "无传真", "无手机", "无邮箱", "未配备", "未设",
                        "—", "——", "-", "--", "–", "－", "―", "─", "×", "none", "n/a", "na", "nil", "null"})


def is_none(text: str) -> bool:
    """A cell that says "none": 「/」, 「无」, 「—」, 「暂无」 … (see :data:`NONE_WORDS`)."""
    return re.sub(r"\s+", "", str(text or "")).lower() in NONE_WORDS


def valid_phone(text: str) -> bool:
    """A fixed-line number (or several, separated by 、，,；;/)."""
    parts = [p.strip().replace(" ", "") for p in re.split(r"[、，,；;/]", text)]
    return bool(parts) and all(p and _PHONE.fullmatch(p) for p in parts)


def normal_mobile(text: str) -> str:
    """A mobile number without spaces, dashes and the +86 prefix."""
    digits = re.sub(r"[\s" + _DASHES + r"]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def valid_mobile(text: str) -> bool:
    return bool(_MOBILE.fullmatch(normal_mobile(text)))


def valid_email(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text.strip()))


def phone_hint(text: str) -> str:
    """Why a 电话 / 传真 value is probably wrong (the end of the message)."""
    if "＠" in text or "@" in text:
        return "（这像是邮箱，是否填错了列？）"
    digits = re.sub(r"\D", "", text)
    if valid_mobile(text):
        return "（这是手机号，请填在「手机」列）"
    if digits and not digits.startswith("0") and len(digits) in (10, 11):
        return "（区号开头的 0 可能被 Excel 当作数字去掉了：请把单元格设为文本格式后重填）"
    return "。"


def mobile_hint(text: str) -> str:
    """Why a 手机 value is probably wrong."""
    digits = re.sub(r"\D", "", normal_mobile(text))
    if valid_phone(text):
        return "（这像是固定电话，请填在「电话」列）"
    if digits and len(digits) != 11:
        return f"（有 {len(digits)} 位数字）。"
    return "。"


def email_hint(text: str) -> str:
    """Why a 邮箱 value is probably wrong."""
    if "＠" in text or "。" in text or "．" in text:
        return "（含全角字符「＠」「。」或「．」：请改用半角 @ 和 .）。"
    if "@" not in text:
        return "（缺少 @）。"
    return "。"
