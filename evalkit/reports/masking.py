"""Masking the personal details of members of the public in the reports.

Citizens' names and phone numbers are masked unless a report is asked for them
(``mask_personal=False``): a field is recognised as personal by its name or label
(:func:`personal_kind`) and masked by its kind (:func:`mask_value`).  Inside free text and
problem messages (:func:`mask_free_text`):

* mobile numbers however they are written — ``13812345678``, ``+8613812345678``,
  ``+86 138 1234 5678``, ``0086-138-1234-5678``, ``138.1234.5678`` — keep their first three and
  last four digits (138****5678) and their prefix and separators;
* landlines with an area code — ``0432-62345678``, ``(0432)6234 5678``, ``010 1234 5678`` — keep
  the area code and the last four digits (0432-****5678);
* ID card numbers (18 digits, or 15 with a valid birth date; spaces or dashes between the
  groups allowed) keep the first six and last four;
* names: every name recorded in a personal name field of any record (so 「王小明说…」 in a
  comment is masked once 王小明 is a respondent's name somewhere), a name after a cue word
  (「联系人：王小明」, 「办事人李建国」, 「我叫张伟」) and a full name before a form of address
  (「张建国师傅」, 「刘芳女士」) become 王** / 张**师傅.  A bare surname with a form of address
  (「王先生」) identifies no one and stays.

Digits inside longer runs of letters or digits (record ids, case numbers) are never taken for
a phone or ID number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

PUBLIC_WORDS = ("服务对象", "群众", "来电", "办事人", "市民", "申请人", "受访", "回访", "企业", "联系人",
                "citizen", "caller", "respondent", "applicant", "visitor")
NAME_FIELD_NAMES = re.compile(r"(citizen|caller|respondent|applicant|interviewee|contact|user)_?name$")
PHONE_FIELD_NAMES = re.compile(r"(phone|mobile|tel)(_?no|_?number)?$")
NOT_DIGIT = re.compile(r"\D")
OFFICIAL_PHONE = re.compile(r"(hotline|热线|咨询电话|服务电话)", re.IGNORECASE)

_EDGE_BEFORE = r"(?<![0-9A-Za-z_])"
_EDGE_AFTER = r"(?![0-9A-Za-z_])"
_SEP = r"[ \-.]?"
MOBILE_IN_TEXT = re.compile(_EDGE_BEFORE + r"(\(?(?:\+|00)?86\)?" + _SEP + r")?(1[3-9]\d)(" + _SEP + r")(\d{4})("
                            + _SEP + r")(\d{4})" + _EDGE_AFTER)
LANDLINE_IN_TEXT = re.compile(_EDGE_BEFORE + r"(\(0\d{2,3}\)|0\d{2,3})(" + _SEP + r")(\d{3,4})(" + _SEP + r")(\d{4})"
                              + _EDGE_AFTER)
ID_CARD_IN_TEXT = re.compile(_EDGE_BEFORE + r"(\d{6})([ \-]?)(\d{8})([ \-]?)(\d{3}[\dXx])" + _EDGE_AFTER)
# every number above has three digits in a row just after a place that is not a letter, digit or underscore (a
# mobile's 1[3-9]\d or its prefix's 86 / 0086, a landline's 0\d{2,3} or (0\d{2,3}), an ID's first six): a text
# without one has none of them, nor after one of them has been masked (tests/test_report_masking.py)
NUMBER_START = re.compile(_EDGE_BEFORE + r"\d{3}")
OLD_ID_IN_TEXT = re.compile(_EDGE_BEFORE + r"(\d{6})(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(\d{3})" + _EDGE_AFTER)

# the commonest surnames (about nine in ten Chinese people carry one of these) and a few double ones
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
            "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
            "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
            "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
DOUBLE_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯")
_SURNAME = "(?:" + "|".join(DOUBLE_SURNAMES) + "|[" + SURNAMES + "])"
_GIVEN = r"[\u4e00-\u9fff]{1,2}"
NAME_AFTER_CUE = re.compile(r"((?:姓名|名字|联系人|申请人|办事人|办事群众|受访者|受访人|来电人|来电群众|反映人|举报人|投诉人|"
                            r"当事人|我叫|本人叫|市民|群众)[：:\s]*(?:是|为|叫)?\s*)(" + _SURNAME + r")(" + _GIVEN + ")")
_TITLES = "先生|女士|小姐|师傅|同志|阿姨|大爷|大妈|大姐|大哥|老师"
NAME_BEFORE_TITLE = re.compile("(" + _SURNAME + ")(" + _GIVEN + ")(" + _TITLES + ")")
TITLE = re.compile(_TITLES)  # a text without a form of address has no name before one (a quarter of the pattern's cost)


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
    if OFFICIAL_PHONE.search(lname) or OFFICIAL_PHONE.search(text):
        return "official"
    if PHONE_FIELD_NAMES.search(lname) or any(w in text for w in ("手机", "联系电话", "回访电话", "联系方式")):
        return "phone"
    if NAME_FIELD_NAMES.search(lname) or ("姓名" in text and any(w in text for w in PUBLIC_WORDS)) \
            or text.strip() in ("姓名", "称呼"):
        return "name"
    return None


def mask_phone(value: str) -> str:
    """138****5678: the first three and last four digits stay; shorter numbers keep only the last two."""
    digits = value if value.isascii() and value.isdigit() else NOT_DIGIT.sub("", value)  # most are digits only
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
    if value[:2] in DOUBLE_SURNAMES and len(value) > 2:
        return value[:2] + "*" * (len(value) - 2)
    return value[:1] + "*" * max(len(value) - 1, 1) if value else value


def _mobile(m: re.Match) -> str:
    return f"{m.group(1) or ''}{m.group(2)}{m.group(3)}****{m.group(5)}{m.group(6)}"


def _landline(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}{'*' * len(m.group(3))}{m.group(4)}{m.group(5)}"


def mask_numbers(value: str) -> str:
    """Mobile, landline and ID card numbers inside free text, masked."""
    if NUMBER_START.search(value) is None:  # none of them can be there (most answers, and ids such as C2-12-X02200)
        return value
    return _masked_numbers(value)


def _masked_numbers(value: str) -> str:
    """The number patterns, for a text with a :data:`NUMBER_START`: ID cards first, so their digits are no phone."""
    value = OLD_ID_IN_TEXT.sub(_masked_old_id, ID_CARD_IN_TEXT.sub(_masked_id, value))
    return LANDLINE_IN_TEXT.sub(_landline, MOBILE_IN_TEXT.sub(_mobile, value))


def _trie_pattern(node: dict) -> str:
    """The regular expression of a trie of names (``""`` in a node marks that a name ends there): one branch
    per next character, longer names before the shorter one they extend, so a match is the longest name."""
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    core = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{core})?" if "" in node else core


_PATTERNS: list[tuple[tuple[str, ...], tuple]] = []   # the last few lists of names, by identity


def _name_pattern(names: tuple[str, ...]) -> tuple[re.Pattern | None, bool]:
    """One pattern matching any known name (two characters or more), longest first — built once per list (a
    province has tens of thousands of names and a million and a half free-text answers; the regular
    expression engine walks the names as a trie, character by character).  A list is known again by
    identity: hashing a tuple of a hundred thousand names for each answer would cost more than masking.  With the
    pattern, whether a name of ASCII characters only is among them (else text of ASCII only holds none)."""
    for known, found in _PATTERNS:
        if known is names:
            return found
    found = _compile_names(names)
    _PATTERNS[:] = [(names, found), *_PATTERNS[:3]]
    return found


@lru_cache(maxsize=4)
def _compile_names(names: tuple[str, ...]) -> tuple[re.Pattern | None, bool]:
    trie: dict = {}
    kept = {n.strip() for n in names if n and len(n.strip()) >= 2}
    for name in kept:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}
    return (re.compile(_trie_pattern(trie)) if trie else None), any(map(str.isascii, kept))


def _masked_name(m: re.Match) -> str:
    return mask_name(m.group())


def _masked_after_cue(m: re.Match) -> str:
    return m.group(1) + m.group(2) + "*" * len(m.group(3))


def _masked_before_title(m: re.Match) -> str:
    return m.group(1) + "*" * len(m.group(2)) + m.group(3)


def _masked_id(m: re.Match) -> str:
    return m.group(1) + m.group(2) + "*" * 8 + m.group(4) + m.group(5)


def _masked_old_id(m: re.Match) -> str:
    return m.group(1) + "*" * 6 + m.group(3)


def mask_names(value: str, names: Iterable[str] = ()) -> str:
    """Known names anywhere, names after a cue word and full names before a form of address, masked (the cues,
    forms of address and surnames are Chinese: text of ASCII only skips those two patterns)."""
    return _text_masker(names if isinstance(names, tuple) else tuple(names), numbers=False)(value)


def mask_free_text(value: str, names: Iterable[str] = ()) -> str:
    """Names (:func:`mask_names`) and phone and ID numbers (:func:`mask_numbers`) inside free text, masked."""
    return _text_masker(names if isinstance(names, tuple) else tuple(names), numbers=True)(value)


def mask_value(kind: str | None, value: str, names: Iterable[str] = ()) -> str:
    """A field's value masked as its :func:`personal_kind` says; free text has its names and numbers masked;
    the unit's own published hotline stays."""
    return masker(kind, names if isinstance(names, tuple) else tuple(names))(value)


def _same(value: str) -> str:
    return value


def masker(kind: str | None, names: tuple[str, ...] = ()) -> Callable[[str], str]:
    """:func:`mask_value` for one kind of field and one list of names, made once for many values (a province's
    free-text pass masks 800,000 distinct answers; a report's problem messages tens of thousands)."""
    if kind == "phone":
        return mask_phone
    if kind == "name":
        return mask_name
    if kind == "official":
        return _same
    return _text_masker(names if isinstance(names, tuple) else tuple(names), numbers=True)


def _text_masker(names: tuple[str, ...], numbers: bool) -> Callable[[str], str]:
    """The masking of free text — every known name (left to right, the longest name that starts at each place),
    names after a cue word, full names before a form of address and, with ``numbers``, phone and ID numbers —
    with the names' pattern looked up once and each pattern's precheck inline: the cues, forms of address and
    surnames are Chinese (text of ASCII only skips them, and the known names too unless one is ASCII), a form of
    address is looked for before the pattern that needs one, and a number's three first digits before the
    number patterns."""
    known, ascii_names = _name_pattern(names)
    sub_known = known.sub if known is not None else None
    sub_ascii = sub_known if ascii_names else None
    sub_cue, sub_title, title, number_start = NAME_AFTER_CUE.sub, NAME_BEFORE_TITLE.sub, TITLE.search, NUMBER_START.search

    def mask(value: str) -> str:
        if value.isascii():
            if sub_ascii is not None:
                value = sub_ascii(_masked_name, value)
        else:
            if sub_known is not None:
                value = sub_known(_masked_name, value)
            value = sub_cue(_masked_after_cue, value)
            if title(value) is not None:
                value = sub_title(_masked_before_title, value)
        if not numbers or number_start(value) is None:
            return value
        return _masked_numbers(value)

    return mask
