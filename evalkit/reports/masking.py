"""Masking the personal details of members of the public in the reports.

Citizens' names and phone numbers are masked unless a report is asked for them
(``mask_personal=False``): a field is recognised as personal by its name or label
(:func:`personal_kind`) and masked by its kind (:func:`mask_value`); mobile and ID
card numbers inside free text are masked wherever they appear (:func:`mask_free_text`).
"""

from __future__ import annotations

import re

PUBLIC_WORDS = ("服务对象", "群众", "来电", "办事人", "市民", "申请人", "受访", "回访", "企业", "联系人",
                "citizen", "caller", "respondent", "applicant", "visitor")
NAME_FIELD_NAMES = re.compile(r"(citizen|caller|respondent|applicant|interviewee|contact|user)_?name$")
PHONE_FIELD_NAMES = re.compile(r"(phone|mobile|tel)(_?no|_?number)?$")
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_CARD_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def personal_kind(name: str, label: str, role: str = "") -> str | None:
    """``"phone"`` or ``"name"`` when a field holds a member of the public's phone number or name.

    Shipped instruments: 服务对象抽查 ``citizens/callback_phone`` (回访手机号码), 问卷调查
    ``respondent_phone`` (联系电话), 内部访谈 ``interviewee_name`` (受访者姓名).  Other
    instruments are recognised by the field name (``*_phone``, ``citizen_name`` …) or the
    label (手机 / 联系电话 / 回访电话; 姓名 of 服务对象、群众、受访者 …).  The assessor's own
    name (role ``assessor``) and the unit's published hotline (被测咨询电话) are not personal.
    """
    if role in ("assessor", "unit"):
        return None
    lname, text = name.lower(), label or ""
    if PHONE_FIELD_NAMES.search(lname) or any(w in text for w in ("手机", "联系电话", "回访电话", "联系方式")):
        return "phone"
    if NAME_FIELD_NAMES.search(lname) or ("姓名" in text and any(w in text for w in PUBLIC_WORDS)) \
            or text.strip() in ("姓名", "称呼"):
        return "name"
    return None


def mask_phone(value: str) -> str:
    """138****5678: the first three and last four digits stay; shorter numbers keep only the last two."""
    digits = re.sub(r"\D", "", value)
    if not digits:
        return "*" * min(len(value), 4) if value else value
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
    return "*" * (len(digits) - 2) + digits[-2:] if len(digits) > 2 else "**"


def mask_name(value: str) -> str:
    """张** : the first character stays (the surname), the rest becomes ``*``."""
    value = value.strip()
    return value[:1] + "*" * max(len(value) - 1, 1) if value else value


def mask_free_text(value: str) -> str:
    """Mobile numbers (11 digits, 1[3-9]…) and ID card numbers inside free text, masked."""
    value = MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", value)
    return ID_CARD_IN_TEXT.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), value)


def mask_value(kind: str | None, value: str) -> str:
    """A field's value masked as its :func:`personal_kind` says; free text has its numbers masked."""
    if kind == "phone":
        return mask_phone(value)
    if kind == "name":
        return mask_name(value)
    return mask_free_text(value)
