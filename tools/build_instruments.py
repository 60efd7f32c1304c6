"""Build the standard XLSForm instruments in ``instruments/``.

Each instrument is kept here as Python literals (a list of survey-row dicts),
so a change is a reviewable diff; the workbooks are generated from them with
openpyxl and then checked with pyxform (pure Python, no ODK Validate)::

    .venv/bin/python tools/build_instruments.py            # writes instruments/*.xlsx
    .venv/bin/python tools/build_instruments.py --check    # build into a temp dir and compare

Survey-row keys are short names for the XLSForm columns (see ``COLUMNS``):
``label`` is ``label::中文 (zh)``, ``label_en`` is ``label::English (en)`` and so on.
``required=True`` becomes ``yes``; a required row without ``required_message``
gets 「请填写…」/「请选择…」.  Choice lists live in ``CHOICES`` and each
workbook carries only the lists its survey uses.

evalkit conventions carried by the extra columns
------------------------------------------------
``evalkit::role``
    ``unit`` and ``assessor`` mark the assessed-unit and assessor fields that
    every instrument starts with (the form renderer prefills them from the
    page's query string and shows the units as a dropdown).  ``indicator``
    marks the ``select_one indicator`` field with which an assessor picks the
    indicator being rated, and ``rating`` the field holding the rating.
``evalkit::indicator``
    The province indicator code(s), comma separated, that the field's answer
    serves as evidence for.  The value ``*`` means "the indicator chosen in
    this form": the indicator is the answer of the ``role=indicator`` field in
    the same repeat (or group, or the form), so one rating field can serve any
    indicator.  Interview and document review rate with rubric levels
    (``select_one level``: full 完全 / basic 基本 / partial 部分 / none 未);
    the expert review scores 1–5 (5 = fully met with highlights, 1 = not met;
    converting the score to the indicator's points is the scoring rules' job).
``evalkit::max_mb``
    Size limit of a photo (``image``) in megabytes; every photo here is 10 and
    its hint says so.
``evalkit::min_repeats``
    On a ``begin_repeat`` row, the least number of entries: a hotline test needs
    at least one test call, a spot check one citizen, an online check one item,
    an expert review one scored indicator.

Settings carry ``form_title`` (Chinese), ``form_id``, ``version``,
``default_language`` = ``中文 (zh)`` and ``evalkit::title_en`` (English title;
pyxform's ``form_title::English (en)`` would break its XML output).
Expressions use only the subset evalkit evaluates (see evalkit/expressions.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evalkit.io.xlsx import new_workbook, save, write_table  # noqa: E402

ZH, EN = "中文 (zh)", "English (en)"
VERSION = "2018.1"
COLUMNS: dict[str, str] = {
    "type": "type", "name": "name", "label": f"label::{ZH}", "label_en": f"label::{EN}",
    "hint": f"hint::{ZH}", "hint_en": f"hint::{EN}", "required": "required",
    "required_message": f"required_message::{ZH}", "constraint": "constraint",
    "constraint_message": f"constraint_message::{ZH}", "constraint_message_en": f"constraint_message::{EN}",
    "relevant": "relevant", "default": "default", "calculation": "calculation", "appearance": "appearance",
    "indicator": "evalkit::indicator", "role": "evalkit::role", "max_mb": "evalkit::max_mb",
    "min_repeats": "evalkit::min_repeats",
}
CHOICE_COLUMNS = ("list_name", "name", f"label::{ZH}", f"label::{EN}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "evalkit::title_en")

PHOTO = {"hint": "照片不超过 10 MB；拍摄时避免拍到群众面部和证件号码", "max_mb": 10,
         "hint_en": "Photo of at most 10 MB; avoid faces and ID numbers of citizens"}
NOT_FUTURE = {"constraint": ". <= today()", "constraint_message": "日期不能晚于今天",
              "constraint_message_en": "The date cannot be later than today"}
NOTES = {"type": "text", "name": "notes", "label": "其他说明", "label_en": "Other remarks",
         "appearance": "multiline", "hint": "记录上面各项没有覆盖、但对评分有影响的情况",
         "hint_en": "Anything not covered above that matters for scoring"}


def _range(low: int, high: int, what: str, what_en: str) -> dict:
    """A numeric range constraint with its Chinese and English messages."""
    return {"constraint": f". >= {low} and . <= {high}",
            "constraint_message": f"{what}应在 {low} 到 {high} 之间",
            "constraint_message_en": f"{what_en} must be between {low} and {high}"}


def _at_most(field: str, what: str, whole: str, what_en: str, whole_en: str) -> dict:
    """``0 <= . <= ${field}`` with messages naming both quantities."""
    return {"constraint": f". >= 0 and . <= ${{{field}}}",
            "constraint_message": f"{what}不能超过{whole}，也不能为负数",
            "constraint_message_en": f"{what_en} cannot exceed {whole_en} or be negative"}


def _share(part: str, whole: str) -> str:
    """Percentage of ``part`` in ``whole``, one decimal, empty when the whole is 0."""
    return f"if(${{{whole}}} > 0, round(${{{part}}} * 100 div ${{{whole}}}, 1), '')"


PREAMBLE: list[dict] = [
    {"type": "text", "name": "unit", "label": "被评估单位", "label_en": "Assessed unit", "required": True,
     "role": "unit", "hint": "从名单中选择被评估单位", "hint_en": "Pick the assessed unit from the list"},
    {"type": "text", "name": "assessor", "label": "评估员", "label_en": "Assessor", "required": True,
     "role": "assessor", "hint": "填写本人姓名或评估员编号", "hint_en": "Your name or assessor id"},
    {"type": "date", "name": "visit_date", "label": "评估日期", "label_en": "Date of assessment",
     "required": True, "default": "today()", **NOT_FUTURE},
]

# ---------------------------------------------------------------- choices

INDICATORS: list[tuple[str, str, str]] = [
    ("1.1.1", "1.1.1 省政府2018年“只跑一次”改革实施方案的贯彻落实情况", "1.1.1 Implementation of the province's 2018 reform plan"),
    ("1.1.2", "1.1.2 改革政策措施的可行性分析", "1.1.2 Feasibility analysis of the reform measures"),
    ("1.1.3", "1.1.3 改革政策措施的对外公布情况", "1.1.3 Publication of the reform measures"),
    ("1.2.1", "1.2.1 梳理“只跑一次”办事事项“全覆盖”情况", "1.2.1 Full coverage of the sorted service items"),
    ("1.2.2", "1.2.2 公布的“只跑一次”事项所占比例情况", "1.2.2 Share of published run-once items"),
    ("1.2.3", "1.2.3 已公布“只跑一次”事项的实际操作情况", "1.2.3 Practice of the published run-once items"),
    ("1.3.1.1", "1.3.1.1 “一把手”工程情况（文件梳理、内部访谈）", "1.3.1.1 Top-leader project (documents, interviews)"),
    ("1.3.1.2", "1.3.1.2 “一把手”工程情况（内部访谈、政务大厅调研）", "1.3.1.2 Top-leader project (interviews, hall visit)"),
    ("1.3.2.1", "1.3.2.1 改革的基础设施保障（文件梳理、内部访谈、政务大厅调研）", "1.3.2.1 Infrastructure (documents, interviews, hall visit)"),
    ("1.3.2.2", "1.3.2.2 改革的基础设施保障（内部访谈、政务大厅调研）", "1.3.2.2 Infrastructure (interviews, hall visit)"),
    ("2.1.1.1", "2.1.1.1 事项流程规范化情况（文件梳理、内部访谈、专家论证）", "2.1.1.1 Standardised procedures (documents, interviews, experts)"),
    ("2.1.1.2", "2.1.1.2 事项流程规范化情况（内部访谈、专家论证）", "2.1.1.2 Standardised procedures (interviews, experts)"),
    ("2.1.2.1", "2.1.2.1 事项流程简化情况（文件梳理、内部访谈、专家论证）", "2.1.2.1 Simplified procedures (documents, interviews, experts)"),
    ("2.1.2.2", "2.1.2.2 事项流程简化情况（内部访谈、专家论证）", "2.1.2.2 Simplified procedures (interviews, experts)"),
    ("2.2.1", "2.2.1 即办件的即办比率", "2.2.1 On-the-spot cases handled on the spot"),
    ("2.2.2", "2.2.2 承诺件的依承诺实现度", "2.2.2 Promised-time cases done within the promise"),
    ("2.2.3", "2.2.3 “只跑一次”事项的电话咨询接通率", "2.2.3 Phone inquiry connection rate"),
    ("2.2.4", "2.2.4 “只跑一次”改革事项办事指南公开情况", "2.2.4 Publication of service guides"),
    ("2.2.5", "2.2.5 “只跑一次”改革事项进入政务大厅情况", "2.2.5 Service items in the service hall"),
    ("2.2.6", "2.2.6 “只跑一次”改革事项办事办成情况", "2.2.6 Matters actually done"),
    ("2.3.1", "2.3.1 政府“一张网”网上办事事项覆盖率", "2.3.1 Coverage of online service items"),
    ("2.3.2", "2.3.2 企业和群众办事事项网上咨询渠道", "2.3.2 Online consultation channels"),
    ("2.3.3", "2.3.3 企业和群众办事事项全流程网上办理实现率", "2.3.3 Whole-process online handling"),
    ("2.3.4", "2.3.4 网上办事事项的实时跟进情况", "2.3.4 Real-time tracking of online cases"),
    ("2.3.5", "2.3.5 电话、网络、微信等投诉举报通道畅通度", "2.3.5 Complaint channels (phone, web, WeChat)"),
    ("2.4.1", "2.4.1 本部门针对“只跑一次”事项是否真正实现的自我排查", "2.4.1 Self-check of whether run-once is real"),
    ("2.4.2", "2.4.2 各部门推进改革协调性", "2.4.2 Coordination between departments"),
    ("3.1", "3.1 省规定改革举措外本部门的创新举措（加分项）", "3.1 Innovations beyond the province's measures (bonus)"),
]

CHOICES: dict[str, list[tuple[str, str, str]]] = {
    "indicator": INDICATORS,
    "yn": [("yes", "是", "Yes"), ("no", "否", "No")],
    "ynp": [("yes", "是", "Yes"), ("partly", "部分", "Partly"), ("no", "否", "No")],
    "level": [("full", "完全达到", "Fully met"), ("basic", "基本达到", "Basically met"),
              ("partial", "部分达到", "Partly met"), ("none", "未达到", "Not met")],
    "satisfaction": [("5", "非常满意", "Very satisfied"), ("4", "满意", "Satisfied"), ("3", "一般", "Neutral"),
                     ("2", "不满意", "Dissatisfied"), ("1", "非常不满意", "Very dissatisfied"),
                     ("na", "不了解/未接触", "Don't know / not used")],
    "hall_level": [("province", "省级政务大厅", "Provincial hall"), ("city", "市（州）级政务大厅", "City hall"),
                   ("county", "县（市、区）级政务大厅", "County hall"),
                   ("township", "乡镇（街道）便民服务中心", "Township service centre"),
                   ("branch", "部门分厅（单独办事大厅）", "Departmental branch hall")],
    "facilities": [("queue", "叫号排队系统", "Queue-number system"), ("kiosk", "自助服务终端", "Self-service kiosk"),
                   ("guide_desk", "咨询导办台", "Help desk"), ("screen", "电子显示屏（事项、指南公开）", "Display screens"),
                   ("rating", "服务评价器或评价二维码", "Service rating device or QR code"),
                   ("waiting", "休息等候区", "Waiting area"), ("copy", "免费复印打印", "Free copying and printing"),
                   ("accessible", "无障碍设施", "Barrier-free access"), ("mail", "证照邮寄送达", "Mail delivery of results")],
    "complaint_channels": [("box", "意见箱", "Suggestion box"), ("phone", "公示投诉电话", "Published complaint phone"),
                           ("hotline", "公示 12345 热线", "Published 12345 hotline"),
                           ("web", "网上投诉网址或二维码", "Online complaint URL or QR code"),
                           ("wechat", "微信公众号投诉入口", "WeChat complaint entry"),
                           ("desk", "现场投诉受理台", "On-site complaint desk"), ("none", "以上都没有", "None of these")],
    "interview_form": [("individual", "个别谈话", "Individual interview"), ("group", "座谈会", "Group discussion")],
    "interviewee_role": [("leader", "单位主要负责同志", "Head of the unit"), ("deputy", "分管负责同志", "Deputy in charge"),
                         ("division", "处（科）室负责人", "Head of a division"), ("window", "窗口工作人员", "Window staff"),
                         ("liaison", "改革联络员", "Reform liaison"), ("other", "其他", "Other")],
    "expert_field": [("law", "法律", "Law"), ("admin", "公共管理", "Public administration"),
                     ("egov", "电子政务与信息化", "E-government and IT"), ("sector", "行业业务", "Sector practice"),
                     ("other", "其他", "Other")],
    "materials": [("plan", "实施方案", "Implementation plan"), ("item_list", "事项清单", "List of service items"),
                  ("guides", "办事指南", "Service guides"), ("flowcharts", "办事流程图", "Flow charts"),
                  ("self_report", "自评报告", "Self-assessment report"), ("ledger", "工作台账", "Task ledger"),
                  ("field_records", "调研与访谈记录", "Visit and interview records"), ("other", "其他", "Other")],
    "material_source": [("submitted", "被评估单位报送", "Submitted by the unit"),
                        ("website", "门户网站下载", "Downloaded from the website"), ("onsite", "现场调阅", "Read on site")],
    "doc_kind": [("plan", "实施方案或工作方案", "Implementation or work plan"), ("item_list", "事项清单", "List of service items"),
                 ("guide", "办事指南", "Service guide"), ("rules", "制度规范", "Rules and standards"),
                 ("minutes", "会议纪要", "Meeting minutes"), ("ledger", "工作台账", "Task ledger"),
                 ("report", "总结或自查报告", "Summary or self-check report"), ("other", "其他", "Other")],
    "publication": [("website", "在本单位门户网站公开", "Published on the unit's website"),
                    ("portal", "在吉林省政务服务网公开", "Published on the province's service portal"),
                    ("hall", "在政务大厅公示", "Posted in the service hall"),
                    ("internal", "仅内部印发", "Issued internally only"), ("draft", "尚未印发", "Not issued yet")],
    "check_mode": [("in_hall", "大厅现场拦访", "Met in the service hall"), ("callback", "电话回访", "Phone call-back")],
    "user_type": [("person", "个人", "Individual"), ("enterprise", "企业", "Enterprise"),
                  ("organisation", "其他组织", "Other organisation")],
    "case_kind": [("instant", "即办件", "On-the-spot case"), ("promised", "承诺件", "Promised-time case"),
                  ("unknown", "不清楚", "Not known")],
    "trip_reason": [("notice", "一次性告知不清，材料不全", "Requirements not told at once"),
                    ("extra_material", "窗口要求补交指南以外的材料", "Asked for materials not in the guide"),
                    ("multi_dept", "需要到多个部门分别办理", "Had to visit several departments"),
                    ("system", "系统故障或网络中断", "System or network failure"),
                    ("queue", "排队太久当天未办上", "Queue too long that day"),
                    ("pickup", "需再来领取结果", "Had to come back for the result"),
                    ("own", "本人原因（材料忘带等）", "Own reason (forgot papers, etc.)"), ("other", "其他", "Other")],
    "promise_status": [("yes", "已在承诺时限内办结", "Done within the promised time"),
                       ("late", "超过承诺时限才办结", "Done after the promised time"),
                       ("pending", "尚未办结", "Not done yet")],
    "done_status": [("done", "已办成", "Done"), ("in_progress", "正在办理", "In progress"), ("not_done", "未办成", "Not done")],
    "online_use": [("full", "全程网上办理", "Fully online"), ("partly", "网上申请、现场办理", "Applied online, handled on site"),
                   ("none", "没有使用网上办理", "Did not use online service"),
                   ("unavailable", "该事项不能网上办理", "Not available online")],
    "number_source": [("guide", "办事指南", "Service guide"), ("website", "门户网站", "Website"),
                      ("hall", "政务大厅公示", "Posted in the hall"), ("hotline", "12345 热线转告", "From the 12345 hotline")],
    "answer_quality": [("correct", "准确完整", "Correct and complete"), ("partial", "基本准确但不完整", "Mostly correct, incomplete"),
                       ("wrong", "不准确", "Wrong"), ("deflected", "推诿或无法答复", "Deflected or could not answer")],
    "no_answer": [("no_answer", "无人接听", "No answer"), ("busy", "占线", "Busy"),
                  ("invalid", "空号或停机", "Number not in service"), ("voicemail", "转语音信箱或自动挂断", "Voicemail or cut off")],
    "attitude": [("good", "热情耐心", "Friendly and patient"), ("fair", "一般", "Fair"), ("poor", "冷漠或不耐烦", "Cold or impatient")],
    "portal": [("province", "吉林省政务服务网", "Jilin government service portal"),
               ("dept_site", "本单位门户网站", "The unit's website"), ("app", "移动端 APP", "Mobile app"),
               ("wechat", "微信公众号或小程序", "WeChat account or mini program")],
    "online_depth": [("info", "仅公开办事指南", "Guide published only"), ("download", "可下载申请表格", "Forms downloadable"),
                     ("apply", "可网上申报或预审", "Online application or pre-check"),
                     ("full", "全流程网上办理（申请、受理、审批、送达均在线）", "Whole process online")],
    "track_channels": [("web", "网站查询", "Website lookup"), ("sms", "短信推送", "SMS"),
                       ("app", "微信或 APP 推送", "WeChat or app push"), ("phone", "电话查询", "Phone lookup")],
    "consult_channels": [("web_form", "网上咨询栏目", "Online inquiry form"), ("live_chat", "在线客服", "Live chat"),
                         ("message", "留言板或电子邮箱", "Message board or e-mail"), ("wechat", "微信公众号", "WeChat"),
                         ("none", "没有网上咨询渠道", "No online channel")],
    "consult_result": [("answered", "已答复", "Answered"), ("no_reply", "未答复", "No reply"),
                       ("not_tested", "未提交测试咨询", "Not tested")],
    "scenario": [("consult", "咨询办事要求", "Ask about requirements"), ("submit", "递交申请材料", "Submit an application"),
                 ("collect", "领取办理结果", "Collect a result")],
    "window_type": [("comprehensive", "综合受理窗口", "Comprehensive window"), ("dept", "部门专窗", "Department window"),
                    ("instant", "即来即办窗口", "On-the-spot window"), ("unclear", "无法确定", "Cannot tell")],
    "mystery_outcome": [("done", "当场受理或办结", "Accepted or done on the spot"),
                        ("told_once", "一次性告知，补齐材料后可一次办成", "Told everything at once"),
                        ("another_trip", "需要再跑一次以上", "Needs another trip"), ("refused", "无法办理或被推诿", "Refused or deflected")],
}

# ---------------------------------------------------------------- instruments

SITE_VISIT: list[dict] = [
    *PREAMBLE,
    {"type": "time", "name": "arrival_time", "label": "到达大厅时间", "label_en": "Time of arrival", "required": True},
    {"type": "text", "name": "hall_name", "label": "政务大厅（服务中心）名称", "label_en": "Name of the service hall",
     "required": True, "hint": "按大厅门牌填写全称", "hint_en": "Full name as on the sign"},
    {"type": "select_one hall_level", "name": "hall_level", "label": "大厅层级", "label_en": "Level of the hall", "required": True},
    {"type": "begin_group", "name": "windows", "label": "一、窗口设置与设施", "label_en": "1. Windows and facilities"},
    {"type": "integer", "name": "windows_total", "label": "服务窗口总数", "label_en": "Service windows in total",
     "required": True, "indicator": "1.3.2.2", **_range(0, 500, "窗口数", "The number of windows")},
    {"type": "integer", "name": "windows_open", "label": "调研时有人在岗的窗口数", "label_en": "Windows staffed during the visit",
     "required": True, "indicator": "1.3.2.2",
     **_at_most("windows_total", "在岗窗口数", "窗口总数", "Staffed windows", "windows in total")},
    {"type": "integer", "name": "windows_comprehensive", "label": "综合服务窗口数", "label_en": "Comprehensive service windows",
     "required": True, "indicator": "2.2.5", "hint": "实行“一窗受理”的综合受理窗口，不含部门专窗和即来即办窗口",
     "hint_en": "One-window intake windows, not department or on-the-spot windows",
     **_at_most("windows_total", "综合窗口数", "窗口总数", "Comprehensive windows", "windows in total")},
    {"type": "select_one ynp", "name": "one_window_mode", "required": True, "indicator": "2.2.5",
     "label": "是否实行“前台综合受理、后台分类办理、统一窗口出件”",
     "label_en": "Front-desk intake, back-office handling, one window for results?"},
    {"type": "select_multiple facilities", "name": "facilities", "label": "大厅配备的设施", "label_en": "Facilities in the hall",
     "indicator": "1.3.2.2", "hint": "现场逐项查看后勾选", "hint_en": "Tick each one you saw"},
    {"type": "calculate", "name": "facilities_count", "label": "设施项数", "label_en": "Number of facilities",
     "calculation": "count-selected(${facilities})", "indicator": "1.3.2.2"},
    {"type": "image", "name": "photo_hall", "label": "大厅全景及窗口设置照片", "label_en": "Photo of the hall and windows", **PHOTO},
    {"type": "end_group"},
    {"type": "begin_group", "name": "items", "label": "二、事项进驻大厅", "label_en": "2. Service items in the hall"},
    {"type": "integer", "name": "items_listed", "label": "本单位公布的“只跑一次”事项数", "label_en": "Published run-once items",
     "required": True, "indicator": "2.2.5", "hint": "以公布的事项清单为准", "hint_en": "As in the published list",
     **_range(0, 5000, "事项数", "The number of items")},
    {"type": "integer", "name": "items_in_hall", "label": "其中已进入大厅办理的事项数", "label_en": "Of which handled in the hall",
     "required": True, "indicator": "2.2.5",
     **_at_most("items_listed", "进驻事项数", "公布的事项数", "Items in the hall", "published items")},
    {"type": "calculate", "name": "items_in_hall_pct", "label": "事项进驻比例（%）", "label_en": "Share of items in the hall (%)",
     "calculation": _share("items_in_hall", "items_listed"), "indicator": "2.2.5"},
    {"type": "text", "name": "items_outside_reason", "label": "未进驻大厅的主要事项及原因", "label_en": "Items outside the hall and why",
     "relevant": "${items_in_hall} < ${items_listed}", "required": True, "appearance": "multiline"},
    {"type": "end_group"},
    {"type": "begin_group", "name": "guides", "label": "三、办事指南现场抽查", "label_en": "3. Service guides in the hall"},
    {"type": "integer", "name": "guides_checked", "label": "抽查的办事指南份数", "label_en": "Guides checked", "required": True,
     "indicator": "2.2.4", "hint": "每个大厅建议随机抽查不少于 10 份", "hint_en": "Pick at least 10 at random",
     **_range(0, 200, "抽查份数", "The number of guides checked")},
    {"type": "integer", "name": "guides_available", "label": "现场可取阅或可在查询机查到的份数", "label_en": "Available on paper or kiosk",
     "required": True, "indicator": "2.2.4",
     **_at_most("guides_checked", "可取阅份数", "抽查份数", "Available guides", "guides checked")},
    {"type": "integer", "name": "guides_complete", "label": "要素齐全的份数", "label_en": "Guides with every element",
     "required": True, "indicator": "2.2.4,2.1.1.1",
     "hint": "名称、设定依据、申请条件、申请材料、办理流程、办理时限、收费标准、咨询电话齐全",
     "hint_en": "Name, legal basis, conditions, materials, procedure, time limit, fees, phone",
     **_at_most("guides_checked", "要素齐全份数", "抽查份数", "Complete guides", "guides checked")},
    {"type": "integer", "name": "guides_vague", "label": "含“等”“其他”“相关”等模糊表述或兜底条款的份数",
     "label_en": "Guides with vague words (etc., other, related)", "required": True, "indicator": "2.2.4,2.1.1.1",
     **_at_most("guides_checked", "含模糊表述份数", "抽查份数", "Vague guides", "guides checked")},
    {"type": "text", "name": "guides_vague_examples", "label": "模糊表述摘录", "label_en": "Vague wording quoted",
     "relevant": "${guides_vague} > 0", "required": True, "appearance": "multiline",
     "hint": "写明事项名称和原文，例如：“营业执照及其他相关材料”", "hint_en": "Item name and the exact wording"},
    {"type": "image", "name": "photo_guide", "label": "办事指南照片", "label_en": "Photo of a service guide", **PHOTO},
    {"type": "end_group"},
    {"type": "begin_group", "name": "cases", "label": "四、办件情况（调取大厅办件系统或台账）",
     "label_en": "4. Cases (from the hall's case system or ledger)"},
    {"type": "date", "name": "period_start", "label": "统计起始日期", "label_en": "Start of the period", "required": True, **NOT_FUTURE},
    {"type": "date", "name": "period_end", "label": "统计截止日期", "label_en": "End of the period", "required": True,
     "constraint": ". >= ${period_start} and . <= today()",
     "constraint_message": "截止日期不能早于起始日期，也不能晚于今天",
     "constraint_message_en": "The end must not be before the start nor after today"},
    {"type": "integer", "name": "cases_total", "label": "统计期内办件总数", "label_en": "Cases in the period", "required": True,
     "indicator": "2.2.1,2.2.2", **_range(0, 1000000, "办件总数", "The number of cases")},
    {"type": "integer", "name": "cases_instant", "label": "其中即办件数", "label_en": "Of which on-the-spot cases",
     "required": True, "indicator": "2.2.1",
     **_at_most("cases_total", "即办件数", "办件总数", "On-the-spot cases", "cases in total")},
    {"type": "integer", "name": "cases_instant_done", "label": "即办件中当场办结数", "label_en": "On-the-spot cases done on the spot",
     "required": True, "indicator": "2.2.1",
     **_at_most("cases_instant", "当场办结数", "即办件数", "Cases done on the spot", "on-the-spot cases")},
    {"type": "calculate", "name": "instant_share", "label": "即来即办办件比例（%）", "label_en": "Share of on-the-spot cases (%)",
     "calculation": _share("cases_instant", "cases_total"), "indicator": "2.2.1"},
    {"type": "note", "name": "instant_share_low", "label": "即来即办办件比例低于省定 70% 的目标，请在“主要问题”中说明原因。",
     "label_en": "The on-the-spot share is below the province's 70 % target: explain under main problems.",
     "relevant": "${cases_total} > 0 and ${instant_share} < 70"},
    {"type": "integer", "name": "cases_promised", "label": "其中承诺件数", "label_en": "Of which promised-time cases",
     "required": True, "indicator": "2.2.2", "constraint": ". >= 0 and . + ${cases_instant} <= ${cases_total}",
     "constraint_message": "即办件与承诺件之和不能超过办件总数", "constraint_message_en": "On-the-spot plus promised cases cannot exceed the total"},
    {"type": "integer", "name": "cases_promised_on_time", "label": "承诺件中在承诺时限内办结数",
     "label_en": "Promised cases done within the promise", "required": True, "indicator": "2.2.2",
     **_at_most("cases_promised", "按时办结数", "承诺件数", "Cases done in time", "promised cases")},
    {"type": "calculate", "name": "promise_rate", "label": "承诺件按时办结率（%）", "label_en": "Promised cases done in time (%)",
     "calculation": _share("cases_promised_on_time", "cases_promised"), "indicator": "2.2.2"},
    {"type": "end_group"},
    {"type": "begin_group", "name": "queue", "label": "五、现场等候与引导", "label_en": "5. Waiting and guidance"},
    {"type": "integer", "name": "waiting_people", "label": "调研时取号等候人数", "label_en": "People waiting during the visit",
     **_range(0, 500, "等候人数", "The number of people waiting")},
    {"type": "integer", "name": "waiting_minutes", "label": "实测等候时间（分钟）", "label_en": "Measured waiting time (minutes)",
     "indicator": "1.3.2.2", "hint": "评估员现场取号，记录从取号到窗口受理的分钟数",
     "hint_en": "Take a number yourself; minutes from ticket to the window", **_range(0, 600, "等候时间", "Waiting time")},
    {"type": "select_one yn", "name": "guide_desk_staffed", "label": "咨询导办台有人值守", "label_en": "Help desk staffed",
     "required": True, "indicator": "1.3.2.2"},
    {"type": "end_group"},
    {"type": "begin_group", "name": "oversight", "label": "六、领导带班与投诉渠道", "label_en": "6. Leadership on duty and complaints"},
    {"type": "select_one yn", "name": "leader_roster_public", "label": "大厅公示了改革领导小组及领导带班（值班）安排",
     "label_en": "Leading group and leaders' duty roster posted", "required": True, "indicator": "1.3.1.2"},
    {"type": "select_one yn", "name": "leader_on_duty", "label": "调研时有单位负责同志在大厅带班或值守",
     "label_en": "A unit leader on duty in the hall during the visit", "required": True, "indicator": "1.3.1.2"},
    {"type": "select_multiple complaint_channels", "name": "complaint_channels", "label": "现场公示的投诉举报渠道",
     "label_en": "Complaint channels posted in the hall", "required": True, "indicator": "2.3.5",
     "constraint": "not(selected(., 'none') and count-selected(.) > 1)",
     "constraint_message": "选了“以上都没有”就不能再选其他渠道", "constraint_message_en": "'None of these' excludes the other options"},
    {"type": "end_group"},
    {"type": "text", "name": "findings", "label": "主要问题", "label_en": "Main problems", "required": True,
     "appearance": "multiline", "hint": "逐条写明问题、位置和涉及的事项", "hint_en": "One problem per line, with place and item"},
    {"type": "text", "name": "innovations", "label": "创新举措（加分项线索）", "label_en": "Innovations (bonus leads)",
     "indicator": "3.1", "appearance": "multiline", "hint": "省规定举措以外的做法：名称、开始时间、佐证材料",
     "hint_en": "Practices beyond the province's measures: name, since when, evidence"},
    {"type": "image", "name": "photo_other", "label": "其他佐证照片", "label_en": "Other evidence photo", **PHOTO},
]

RATING_HINT = ("完全达到：有制度、有落实、有佐证；基本达到：已落实但佐证不全；"
               "部分达到：只落实了一部分；未达到：未开展或说不清")
RATING_HINT_EN = "Full: rules, practice and evidence; basic: practice, weak evidence; partial: part done; none: not done"

INTERNAL_INTERVIEW: list[dict] = [
    *PREAMBLE,
    {"type": "select_one interview_form", "name": "interview_form", "label": "访谈形式", "label_en": "Form of interview", "required": True},
    {"type": "integer", "name": "participants", "label": "座谈会参加人数", "label_en": "Participants in the discussion",
     "relevant": "${interview_form} = 'group'", "required": True, **_range(2, 50, "参加人数", "The number of participants")},
    {"type": "select_one interviewee_role", "name": "interviewee_role", "label": "受访者岗位（座谈会填主持人岗位）",
     "label_en": "Interviewee's post (chair's post for a discussion)", "required": True},
    {"type": "text", "name": "interviewee_dept", "label": "受访者所在处（科）室", "label_en": "Interviewee's division"},
    {"type": "select_one yn", "name": "anonymous", "label": "受访者要求匿名", "label_en": "Interviewee asks for anonymity",
     "required": True, "default": "no"},
    {"type": "text", "name": "interviewee_name", "label": "受访者姓名", "label_en": "Interviewee's name",
     "relevant": "${anonymous} = 'no'"},
    {"type": "integer", "name": "duration_minutes", "label": "访谈时长（分钟）", "label_en": "Duration (minutes)",
     "required": True, **_range(5, 480, "访谈时长", "The duration")},
    {"type": "begin_group", "name": "facts", "label": "一、基本情况核实", "label_en": "1. Facts to verify"},
    {"type": "select_one yn", "name": "leading_group", "label": "成立了由主要负责同志任组长的“只跑一次”改革领导小组",
     "label_en": "A reform leading group headed by the unit's head exists", "required": True, "indicator": "1.3.1.1"},
    {"type": "integer", "name": "leader_meetings", "label": "2018 年以来主要负责同志主持研究改革的会议次数",
     "label_en": "Meetings on the reform chaired by the head since 2018", "indicator": "1.3.1.1",
     "hint": "以会议纪要为准，访谈时请对方说明出处", "hint_en": "As in the minutes; ask for the source",
     **_range(0, 100, "会议次数", "The number of meetings")},
    {"type": "select_one yn", "name": "self_check_done", "label": "对已公布的“只跑一次”事项逐项开展了自我排查（回头看）",
     "label_en": "Each published item was self-checked", "required": True, "indicator": "2.4.1"},
    {"type": "integer", "name": "self_check_issues", "label": "自我排查发现的问题数", "label_en": "Problems found by the self-check",
     "relevant": "${self_check_done} = 'yes'", "required": True, "indicator": "2.4.1",
     **_range(0, 1000, "问题数", "The number of problems")},
    {"type": "integer", "name": "self_check_fixed", "label": "其中已整改到位的问题数", "label_en": "Of which fixed",
     "relevant": "${self_check_done} = 'yes'", "required": True, "indicator": "2.4.1",
     **_at_most("self_check_issues", "已整改数", "发现的问题数", "Fixed problems", "problems found")},
    {"type": "select_one ynp", "name": "cross_dept_mechanism", "label": "涉及多个部门的事项建立了联办或协调机制",
     "label_en": "Joint handling or coordination for multi-department items", "required": True, "indicator": "2.4.2"},
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "ratings", "label": "二、逐项指标评议", "label_en": "2. Rating per indicator"},
    {"type": "select_one indicator", "name": "indicator", "label": "评议的指标", "label_en": "Indicator rated",
     "required": True, "role": "indicator"},
    {"type": "select_one level", "name": "level", "label": "达标程度", "label_en": "Level reached", "required": True,
     "indicator": "*", "role": "rating", "hint": RATING_HINT, "hint_en": RATING_HINT_EN},
    {"type": "text", "name": "statement", "label": "访谈要点", "label_en": "Key statements", "required": True,
     "appearance": "multiline", "hint": "记录受访者的原话要点和举出的事例", "hint_en": "What was said and the examples given",
     "constraint": "string-length(.) >= 10", "constraint_message": "访谈要点至少写 10 个字",
     "constraint_message_en": "Write at least 10 characters"},
    {"type": "text", "name": "evidence_named", "label": "受访者提及的佐证材料", "label_en": "Evidence the interviewee named",
     "hint": "文件名称、文号或台账名称，便于文件梳理时核实", "hint_en": "Titles, document numbers or ledgers to verify"},
    {"type": "select_one yn", "name": "needs_verification", "label": "需要调阅材料核实", "label_en": "Needs checking against documents",
     "required": True, "default": "no"},
    {"type": "end_repeat"},
    {"type": "text", "name": "suggestions", "label": "受访者对改革的意见建议", "label_en": "Interviewee's suggestions",
     "appearance": "multiline"},
    {"type": "image", "name": "photo_signin", "label": "座谈会签到表照片", "label_en": "Photo of the sign-in sheet",
     "relevant": "${interview_form} = 'group'", **PHOTO},
    NOTES,
]

EXPERT_REVIEW: list[dict] = [
    *PREAMBLE,
    {"type": "text", "name": "expert_name", "label": "论证专家姓名", "label_en": "Expert's name", "required": True},
    {"type": "select_one expert_field", "name": "expert_field", "label": "专家专业领域", "label_en": "Expert's field", "required": True},
    {"type": "select_one yn", "name": "conflict", "label": "专家与被评估单位存在利益关系（任职、亲属、合作项目等）",
     "label_en": "Conflict of interest with the unit (post, relatives, projects)", "required": True,
     "constraint": ". = 'no'", "constraint_message": "存在利益关系的专家应当回避，请更换专家后再评议",
     "constraint_message_en": "An expert with a conflict of interest must step aside"},
    {"type": "select_multiple materials", "name": "materials", "label": "论证所依据的材料", "label_en": "Materials reviewed",
     "required": True},
    {"type": "text", "name": "materials_other", "label": "其他材料名称", "label_en": "Other materials",
     "relevant": "selected(${materials}, 'other')", "required": True},
    {"type": "begin_repeat", "name": "scores", "min_repeats": 1, "label": "逐项指标评分", "label_en": "Score per indicator"},
    {"type": "select_one indicator", "name": "indicator", "label": "评分的指标", "label_en": "Indicator scored",
     "required": True, "role": "indicator"},
    {"type": "integer", "name": "score", "label": "评分（1–5 分）", "label_en": "Score (1–5)", "required": True,
     "indicator": "*", "role": "rating",
     "hint": "5 分制：5=完全达到且有亮点，4=较好达到，3=基本达到，2=差距较大，1=未达到；折算为指标分值由评分规则完成",
     "hint_en": "5 = fully met with highlights, 4 = well met, 3 = basically met, 2 = far from it, 1 = not met",
     **_range(1, 5, "评分", "The score")},
    {"type": "text", "name": "rationale", "label": "评分理由", "label_en": "Reasons", "required": True, "appearance": "multiline",
     "constraint": "string-length(.) >= 10", "constraint_message": "评分理由至少写 10 个字",
     "constraint_message_en": "Write at least 10 characters"},
    {"type": "text", "name": "improvement", "label": "改进建议", "label_en": "Suggested improvement",
     "relevant": "${score} <= 2", "required": True, "appearance": "multiline",
     "hint": "评分 2 分及以下时必须给出改进建议", "hint_en": "Required for a score of 2 or less"},
    {"type": "end_repeat"},
    {"type": "text", "name": "overall_opinion", "label": "总体论证意见", "label_en": "Overall opinion", "required": True,
     "appearance": "multiline"},
    {"type": "image", "name": "photo_signed", "label": "专家签字的论证意见表照片", "label_en": "Photo of the signed opinion",
     "required": True, **PHOTO},
]

DOCUMENT_REVIEW: list[dict] = [
    *PREAMBLE,
    {"type": "select_one material_source", "name": "material_source", "label": "材料来源", "label_en": "Source of materials",
     "required": True},
    {"type": "begin_repeat", "name": "documents", "label": "一、文件登记", "label_en": "1. Documents"},
    {"type": "text", "name": "doc_title", "label": "文件名称", "label_en": "Title", "required": True},
    {"type": "text", "name": "doc_number", "label": "文号", "label_en": "Document number",
     "hint": "例如：吉政办函〔2018〕52号；没有文号可不填", "hint_en": "E.g. 吉政办函〔2018〕52号; leave empty if none",
     "constraint": "regex(., '^.*(19|20)[0-9]{2}.*[0-9]+号$')",
     "constraint_message": "文号应包含年份和序号，并以“号”结尾，例如 吉政办函〔2018〕52号",
     "constraint_message_en": "Must contain a year and a number and end with 号"},
    {"type": "date", "name": "doc_date", "label": "印发日期", "label_en": "Date issued", **NOT_FUTURE},
    {"type": "select_one doc_kind", "name": "doc_kind", "label": "文件类别", "label_en": "Kind of document", "required": True},
    {"type": "select_one publication", "name": "doc_published", "label": "公开方式", "label_en": "How it is published",
     "required": True, "indicator": "1.1.3"},
    {"type": "text", "name": "doc_url", "label": "公开网址", "label_en": "Web address",
     "relevant": "${doc_published} = 'website' or ${doc_published} = 'portal'", "required": True,
     "constraint": "regex(., '^https?://.+')", "constraint_message": "网址应以 http:// 或 https:// 开头",
     "constraint_message_en": "The address must start with http:// or https://"},
    {"type": "image", "name": "doc_photo", "label": "首页或关键页照片（截图）", "label_en": "Photo of the first or key page", **PHOTO},
    {"type": "end_repeat"},
    {"type": "begin_group", "name": "item_list", "label": "二、事项清单核查", "label_en": "2. List of service items"},
    {"type": "integer", "name": "items_total", "label": "本单位对外办事事项总数（行政权力与公共服务事项）",
     "label_en": "Service items of the unit (powers and public services)", "required": True, "indicator": "1.2.1,1.2.2",
     **_range(0, 5000, "事项总数", "The number of items")},
    {"type": "integer", "name": "items_reviewed", "label": "已逐项梳理是否可“只跑一次”的事项数",
     "label_en": "Items reviewed one by one for run-once", "required": True, "indicator": "1.2.1",
     **_at_most("items_total", "已梳理事项数", "事项总数", "Reviewed items", "items in total")},
    {"type": "integer", "name": "items_run_once", "label": "公布为“只跑一次”的事项数", "label_en": "Items published as run-once",
     "required": True, "indicator": "1.2.2",
     **_at_most("items_total", "“只跑一次”事项数", "事项总数", "Run-once items", "items in total")},
    {"type": "calculate", "name": "run_once_share", "label": "“只跑一次”事项占比（%）", "label_en": "Share of run-once items (%)",
     "calculation": _share("items_run_once", "items_total"), "indicator": "1.2.2"},
    {"type": "select_one yn", "name": "list_dynamic", "label": "事项清单有动态调整机制并按期更新",
     "label_en": "The list is updated under a set procedure", "required": True, "indicator": "1.2.1"},
    {"type": "end_group"},
    {"type": "begin_group", "name": "guide_text", "label": "三、办事指南文本核查", "label_en": "3. Text of the service guides"},
    {"type": "integer", "name": "guides_sampled", "label": "抽查的办事指南份数", "label_en": "Guides sampled", "required": True,
     "indicator": "2.1.1.1", **_range(0, 200, "抽查份数", "The number of guides")},
    {"type": "integer", "name": "guides_standard", "label": "要素齐全、格式统一的份数", "label_en": "Complete, uniform guides",
     "required": True, "indicator": "2.1.1.1",
     **_at_most("guides_sampled", "规范份数", "抽查份数", "Uniform guides", "guides sampled")},
    {"type": "integer", "name": "guides_vague_text", "label": "含“等”“其他”“相关”模糊表述或兜底条款的份数",
     "label_en": "Guides with vague words or catch-all clauses", "required": True, "indicator": "2.1.1.1",
     **_at_most("guides_sampled", "含模糊表述份数", "抽查份数", "Vague guides", "guides sampled")},
    {"type": "select_one ynp", "name": "materials_reduced", "label": "与改革前相比申请材料、环节或时限有精简（有对照依据）",
     "label_en": "Materials, steps or time limits cut compared with before (documented)", "required": True,
     "indicator": "2.1.2.1"},
    {"type": "select_one yn", "name": "self_check_ledger", "label": "有自查自纠台账或整改报告", "label_en": "Self-check ledger or report exists",
     "required": True, "indicator": "2.4.1"},
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "ratings", "label": "四、逐项指标评定", "label_en": "4. Rating per indicator"},
    {"type": "select_one indicator", "name": "indicator", "label": "评定的指标", "label_en": "Indicator rated",
     "required": True, "role": "indicator"},
    {"type": "select_one level", "name": "level", "label": "达标程度", "label_en": "Level reached", "required": True,
     "indicator": "*", "role": "rating", "hint": RATING_HINT, "hint_en": RATING_HINT_EN},
    {"type": "text", "name": "basis", "label": "评定依据", "label_en": "Basis", "required": True, "appearance": "multiline",
     "hint": "引用文件名称、文号及条款", "hint_en": "Cite the document, its number and the clause"},
    {"type": "end_repeat"},
    NOTES,
]

PHONE_HINT = {"hint": "仅用于复核，不对外公开；受访者不愿留可不填", "hint_en": "Only for re-checking; optional",
              "constraint": "regex(., '^1[3-9][0-9]{9}$')", "constraint_message": "请填写 11 位手机号码，例如 13912345678",
              "constraint_message_en": "Enter an 11-digit mobile number"}

SERVICE_USER_CHECK: list[dict] = [
    *PREAMBLE,
    {"type": "select_one check_mode", "name": "check_mode", "label": "抽查方式", "label_en": "How users were reached", "required": True},
    {"type": "begin_repeat", "name": "citizens", "min_repeats": 1, "label": "服务对象", "label_en": "Service users"},
    {"type": "select_one user_type", "name": "user_type", "label": "服务对象类型", "label_en": "Kind of user", "required": True},
    {"type": "text", "name": "item_name", "label": "办理的事项", "label_en": "Service item", "required": True,
     "hint": "按事项清单的名称填写", "hint_en": "As named in the list of items"},
    {"type": "text", "name": "case_id", "label": "办件编号", "label_en": "Case id",
     "hint": "从受理通知书或办件系统抄录；电话回访时必须核对", "hint_en": "From the receipt or the case system",
     "constraint": "string-length(.) <= 40", "constraint_message": "办件编号不超过 40 个字符",
     "constraint_message_en": "At most 40 characters"},
    {"type": "select_one case_kind", "name": "case_kind", "label": "办件类型", "label_en": "Kind of case", "required": True,
     "indicator": "2.2.1,2.2.2"},
    {"type": "integer", "name": "trips", "label": "为办成此事共跑了几次（含本次）", "label_en": "Trips made for this matter (incl. this one)",
     "required": True, "indicator": "1.2.3,2.2.6", **_range(0, 20, "跑动次数", "The number of trips")},
    {"type": "select_multiple trip_reason", "name": "trip_reason", "label": "多跑的原因", "label_en": "Why more than one trip",
     "relevant": "${trips} > 1", "required": True, "indicator": "2.4.2"},
    {"type": "text", "name": "trip_reason_other", "label": "其他原因说明", "label_en": "Other reason",
     "relevant": "selected(${trip_reason}, 'other')", "required": True},
    {"type": "select_one yn", "name": "instant_done", "label": "是否当场办结", "label_en": "Done on the spot",
     "relevant": "${case_kind} = 'instant'", "required": True, "indicator": "2.2.1"},
    {"type": "integer", "name": "promised_days", "label": "承诺时限（工作日）", "label_en": "Promised time (working days)",
     "relevant": "${case_kind} = 'promised'", "required": True, **_range(1, 365, "承诺时限", "The promised time")},
    {"type": "select_one promise_status", "name": "promise_status", "label": "是否在承诺时限内办结", "label_en": "Done within the promise",
     "relevant": "${case_kind} = 'promised'", "required": True, "indicator": "2.2.2"},
    {"type": "integer", "name": "actual_days", "label": "实际办结用时（工作日）", "label_en": "Actual time (working days)",
     "relevant": "${promise_status} = 'yes' or ${promise_status} = 'late'", "required": True,
     "constraint": (". >= 0 and . <= 365 and (${promise_status} != 'yes' or . <= ${promised_days})"
                    " and (${promise_status} != 'late' or . > ${promised_days})"),
     "constraint_message": "用时应在 0 到 365 之间，并与上一题一致：按时办结的不能超过承诺时限，超时办结的应超过承诺时限",
     "constraint_message_en": "0–365 and consistent with the previous answer: in time means at most the promised days"},
    {"type": "select_one done_status", "name": "done_status", "label": "事情是否办成", "label_en": "Was the matter done",
     "required": True, "indicator": "2.2.6"},
    {"type": "text", "name": "not_done_reason", "label": "未办成的原因", "label_en": "Why not done",
     "relevant": "${done_status} = 'not_done'", "required": True},
    {"type": "select_one online_use", "name": "online_use", "label": "是否通过网上办理", "label_en": "Used online service",
     "required": True, "indicator": "2.3.3"},
    {"type": "select_one yn", "name": "progress_visible", "label": "能否随时查询办理进度", "label_en": "Could follow the progress",
     "required": True, "indicator": "2.3.4"},
    {"type": "select_one satisfaction", "name": "satisfaction", "label": "对本次办事的满意程度", "label_en": "Satisfaction with this matter",
     "required": True, "indicator": "1.1.2", "appearance": "likert"},
    {"type": "text", "name": "comment", "label": "意见建议（尽量记录原话）", "label_en": "Comments (in their words)", "appearance": "multiline"},
    {"type": "text", "name": "callback_phone", "label": "回访手机号码", "label_en": "Mobile number for a call-back", **PHONE_HINT},
    {"type": "end_repeat"},
    NOTES,
]

HOTLINE_TEST: list[dict] = [
    *PREAMBLE,
    {"type": "text", "name": "hotline_number", "label": "被测咨询电话", "label_en": "Phone number tested", "required": True,
     "hint": "办事指南或网站公布的号码，含区号，例如 0432-62012345", "hint_en": "As published, with the area code",
     "constraint": "regex(., '^[0-9][0-9-]{4,19}$')", "constraint_message": "电话号码只能包含数字和“-”，5 到 20 位",
     "constraint_message_en": "Digits and '-' only, 5 to 20 characters"},
    {"type": "select_one number_source", "name": "number_source", "label": "号码来源", "label_en": "Where the number was published",
     "required": True},
    {"type": "begin_repeat", "name": "calls", "min_repeats": 1, "label": "测试电话", "label_en": "Test calls"},
    {"type": "time", "name": "call_time", "label": "拨打时间", "label_en": "Time of the call", "required": True,
     "hint": "应在公布的工作时间内拨打", "hint_en": "Call within the published office hours"},
    {"type": "text", "name": "item_asked", "label": "咨询的事项", "label_en": "Service item asked about", "required": True},
    {"type": "integer", "name": "calls_made", "label": "拨打次数", "label_en": "Calls made", "required": True, "indicator": "2.2.3",
     "hint": "为这一咨询连续拨打的次数，每次间隔不少于 1 分钟，最多 5 次", "hint_en": "Dials for this question, a minute apart, at most 5",
     **_range(1, 5, "拨打次数", "Calls made")},
    {"type": "integer", "name": "calls_connected", "label": "接通次数", "label_en": "Calls connected", "required": True,
     "indicator": "2.2.3", **_at_most("calls_made", "接通次数", "拨打次数", "Connected calls", "calls made")},
    {"type": "select_one no_answer", "name": "no_answer_reason", "label": "未接通的情况", "label_en": "What happened when not connected",
     "relevant": "${calls_connected} < ${calls_made}", "required": True},
    {"type": "integer", "name": "answer_seconds", "label": "接通前等待（秒）", "label_en": "Seconds until answered",
     "relevant": "${calls_connected} > 0", **_range(0, 600, "等待秒数", "Waiting seconds")},
    {"type": "select_one answer_quality", "name": "answer_correct", "label": "答复是否准确", "label_en": "Was the answer correct",
     "relevant": "${calls_connected} > 0", "required": True, "indicator": "2.2.3",
     "hint": "对照办事指南核对申请条件、材料、时限、地点", "hint_en": "Compare with the guide: conditions, materials, time, place"},
    {"type": "select_one yn", "name": "told_all_materials", "label": "一次性告知了全部申请材料",
     "label_en": "All required materials told at once", "relevant": "${calls_connected} > 0", "required": True,
     "indicator": "2.1.1.2"},
    {"type": "select_one attitude", "name": "attitude", "label": "接听人员态度", "label_en": "Attitude of the person answering",
     "relevant": "${calls_connected} > 0", "required": True},
    {"type": "text", "name": "answer_summary", "label": "答复要点", "label_en": "Summary of the answer",
     "relevant": "${calls_connected} > 0", "appearance": "multiline"},
    {"type": "end_repeat"},
    NOTES,
]

ONLINE_CHECK: list[dict] = [
    *PREAMBLE,
    {"type": "select_one portal", "name": "portal", "label": "核查的网上平台", "label_en": "Online platform checked", "required": True},
    {"type": "text", "name": "portal_url", "label": "平台网址", "label_en": "Web address",
     "relevant": "${portal} = 'province' or ${portal} = 'dept_site'", "required": True,
     "constraint": "regex(., '^https?://.+')", "constraint_message": "网址应以 http:// 或 https:// 开头",
     "constraint_message_en": "The address must start with http:// or https://"},
    {"type": "begin_repeat", "name": "online_items", "min_repeats": 1, "label": "抽查事项", "label_en": "Items checked"},
    {"type": "text", "name": "item_name", "label": "事项名称", "label_en": "Service item", "required": True},
    {"type": "text", "name": "item_code", "label": "事项编码", "label_en": "Item code", "hint": "平台上显示的事项编码，没有可不填",
     "hint_en": "As shown on the platform; optional"},
    {"type": "select_one yn", "name": "item_online", "label": "事项在平台上可以查到", "label_en": "The item can be found online",
     "required": True, "indicator": "2.3.1"},
    {"type": "select_one yn", "name": "guide_online_complete", "label": "网上办事指南要素齐全，与大厅版本一致",
     "label_en": "Online guide complete and same as in the hall", "relevant": "${item_online} = 'yes'", "required": True,
     "indicator": "2.2.4"},
    {"type": "select_one online_depth", "name": "online_depth", "label": "网上办理深度", "label_en": "How far it can be done online",
     "relevant": "${item_online} = 'yes'", "required": True, "indicator": "2.3.1,2.3.3",
     "hint": "评估员实际点击操作到能到达的最后一步", "hint_en": "Click through as far as it goes"},
    {"type": "select_one yn", "name": "realtime_tracking", "label": "可实时查询办理进度（当前环节、办理人、时限）",
     "label_en": "Real-time progress (step, handler, deadline)", "required": True, "indicator": "2.3.4",
     "relevant": "${online_depth} = 'apply' or ${online_depth} = 'full'"},
    {"type": "select_multiple track_channels", "name": "tracking_channels", "label": "进度查询方式", "label_en": "Ways to follow progress",
     "relevant": "${realtime_tracking} = 'yes'", "required": True, "indicator": "2.3.4"},
    {"type": "select_multiple consult_channels", "name": "consult_channels", "label": "网上咨询渠道", "label_en": "Online consultation channels",
     "required": True, "indicator": "2.3.2", "constraint": "not(selected(., 'none') and count-selected(.) > 1)",
     "constraint_message": "选了“没有网上咨询渠道”就不能再选其他渠道",
     "constraint_message_en": "'No online channel' excludes the other options"},
    {"type": "select_one consult_result", "name": "consult_test", "label": "测试咨询结果", "label_en": "Result of a test question",
     "relevant": "not(selected(${consult_channels}, 'none'))", "required": True, "indicator": "2.3.2",
     "hint": "以普通群众身份提交一个办事咨询，3 个工作日后查看", "hint_en": "Ask as a citizen; look again after 3 working days"},
    {"type": "decimal", "name": "reply_hours", "label": "答复用时（小时）", "label_en": "Hours until the reply",
     "relevant": "${consult_test} = 'answered'", "required": True, "indicator": "2.3.2",
     **_range(0, 720, "答复用时", "Hours until the reply")},
    {"type": "image", "name": "screenshot", "label": "页面截图", "label_en": "Screenshot", **PHOTO},
    {"type": "end_repeat"},
    {"type": "select_one yn", "name": "complaint_entry", "label": "平台有可用的投诉举报入口", "label_en": "A working complaint entry",
     "required": True, "indicator": "2.3.5"},
    {"type": "select_one yn", "name": "complaint_reply", "label": "投诉举报提交后有受理回执或编号", "label_en": "A receipt or number after filing",
     "relevant": "${complaint_entry} = 'yes'", "required": True, "indicator": "2.3.5"},
    NOTES,
]

MYSTERY_VISIT: list[dict] = [
    *PREAMBLE,
    {"type": "time", "name": "arrival_time", "label": "到达时间", "label_en": "Time of arrival", "required": True},
    {"type": "integer", "name": "duration_minutes", "label": "在大厅停留时间（分钟）", "label_en": "Minutes in the hall",
     "required": True, **_range(1, 600, "停留时间", "Minutes in the hall")},
    {"type": "text", "name": "item_attempted", "label": "暗访办理或咨询的事项", "label_en": "Service item tried", "required": True},
    {"type": "select_one scenario", "name": "scenario", "label": "暗访情景", "label_en": "Scenario", "required": True},
    {"type": "select_one yn", "name": "guided", "label": "进门后有导办人员主动引导", "label_en": "Greeted and guided at the entrance",
     "required": True, "indicator": "1.3.2.2"},
    {"type": "integer", "name": "queue_minutes", "label": "等候时间（分钟）", "label_en": "Waiting time (minutes)", "required": True,
     "indicator": "1.3.2.2", **_range(0, 600, "等候时间", "Waiting time")},
    {"type": "select_one window_type", "name": "window_type", "label": "受理窗口类型", "label_en": "Kind of window", "required": True,
     "indicator": "2.2.5"},
    {"type": "select_one yn", "name": "staff_on_post", "label": "窗口人员在岗、未做与工作无关的事", "label_en": "Staff at the window and on task",
     "required": True, "indicator": "1.3.2.2"},
    {"type": "select_one attitude", "name": "attitude", "label": "窗口人员态度", "label_en": "Attitude of the staff", "required": True},
    {"type": "select_one yn", "name": "told_at_once", "label": "一次性告知了所需全部材料", "label_en": "All materials told at once",
     "required": True, "indicator": "2.1.1.2"},
    {"type": "select_one yn", "name": "extra_materials", "label": "要求提供办事指南以外的材料", "label_en": "Asked for materials not in the guide",
     "required": True, "indicator": "2.1.2.2"},
    {"type": "text", "name": "extra_materials_detail", "label": "指南以外材料的名称", "label_en": "Which extra materials",
     "relevant": "${extra_materials} = 'yes'", "required": True},
    {"type": "select_one yn", "name": "referred_elsewhere", "label": "被推到其他部门或窗口（“半扇门”）",
     "label_en": "Sent on to another department or window", "required": True, "indicator": "2.4.2"},
    {"type": "select_one mystery_outcome", "name": "outcome", "label": "暗访结果", "label_en": "Outcome", "required": True,
     "indicator": "2.2.6,1.2.3"},
    {"type": "text", "name": "outcome_reason", "label": "需再跑或无法办理的原因", "label_en": "Why another trip or refused",
     "relevant": "${outcome} = 'another_trip' or ${outcome} = 'refused'", "required": True},
    {"type": "select_one yn", "name": "improper_conduct", "label": "发现违规收费、索要好处或“吃拿卡要”",
     "label_en": "Improper fees, favours asked or obstruction", "required": True},
    {"type": "text", "name": "narrative", "label": "暗访经过", "label_en": "What happened", "required": True, "appearance": "multiline",
     "hint": "按时间顺序写明经过和对方原话", "hint_en": "In order of time, with what was said",
     "constraint": "string-length(.) >= 20", "constraint_message": "暗访经过至少写 20 个字",
     "constraint_message_en": "Write at least 20 characters"},
    {"type": "image", "name": "photo", "label": "暗访照片", "label_en": "Photo", **PHOTO,
     "hint": "照片不超过 10 MB；隐蔽拍摄，不要暴露评估员身份，避免拍到群众面部",
     "hint_en": "Photo of at most 10 MB; take it discreetly, avoid citizens' faces"},
]

LIKERT = {"type": "select_one satisfaction", "required": True, "appearance": "likert"}

QUESTIONNAIRE: list[dict] = [
    *PREAMBLE,
    {"type": "text", "name": "questionnaire_no", "label": "问卷编号", "label_en": "Questionnaire number", "required": True,
     "hint": "纸质问卷右上角的编号", "hint_en": "Number in the top right corner of the paper form",
     "constraint": "regex(., '^[A-Za-z0-9-]{1,20}$')", "constraint_message": "问卷编号只能包含字母、数字和“-”，不超过 20 位",
     "constraint_message_en": "Letters, digits and '-' only, at most 20"},
    {"type": "select_one user_type", "name": "respondent_type", "label": "受访者类型", "label_en": "Respondent", "required": True},
    {"type": "integer", "name": "visits_last_year", "label": "过去一年到该单位办事的次数", "label_en": "Visits in the past year",
     "required": True, **_range(0, 100, "办事次数", "The number of visits")},
    {"type": "text", "name": "last_item", "label": "最近一次办理的事项", "label_en": "Most recent service item"},
    {"type": "integer", "name": "last_trips", "label": "最近一次办事跑了几次", "label_en": "Trips for the most recent matter",
     "relevant": "${visits_last_year} > 0", "required": True, "indicator": "1.2.3,2.2.6",
     **_range(0, 20, "跑动次数", "The number of trips")},
    {"type": "begin_group", "name": "likert_items", "label": "请对以下各项打分", "label_en": "Please rate",
     "appearance": "field-list"},
    {**LIKERT, "name": "q_guide", "label": "办事指南清楚明白，照着准备一次就能备齐材料",
     "label_en": "The guide is clear enough to prepare everything at once", "indicator": "2.2.4"},
    {**LIKERT, "name": "q_one_window", "label": "在大厅一个窗口就能办完", "label_en": "One window in the hall was enough",
     "indicator": "2.2.5"},
    {**LIKERT, "name": "q_waiting", "label": "等候和办理时间", "label_en": "Waiting and handling time", "indicator": "2.2.1"},
    {**LIKERT, "name": "q_promise", "label": "承诺办结时限的兑现", "label_en": "Keeping the promised time", "indicator": "2.2.2"},
    {**LIKERT, "name": "q_phone", "label": "电话咨询容易打通、答复准确", "label_en": "Phone inquiries get through and answers are right",
     "indicator": "2.2.3"},
    {**LIKERT, "name": "q_online", "label": "网上办事的方便程度", "label_en": "Convenience of online services", "indicator": "2.3.1,2.3.3"},
    {**LIKERT, "name": "q_progress", "label": "查询办理进度的方便程度", "label_en": "Ease of following progress", "indicator": "2.3.4"},
    {**LIKERT, "name": "q_complaint", "label": "投诉举报渠道畅通、有回音", "label_en": "Complaints get through and get answers",
     "indicator": "2.3.5"},
    {**LIKERT, "name": "q_staff", "label": "工作人员的服务态度", "label_en": "Attitude of the staff", "indicator": "1.1.2"},
    {**LIKERT, "name": "q_overall", "label": "对“只跑一次”改革的总体满意度", "label_en": "Overall satisfaction with the reform",
     "indicator": "1.1.2"},
    {"type": "end_group"},
    {"type": "text", "name": "suggestions", "label": "意见和建议", "label_en": "Suggestions", "appearance": "multiline"},
    {"type": "text", "name": "respondent_phone", "label": "联系电话（自愿填写）", "label_en": "Mobile number (optional)", **PHONE_HINT},
]

INSTRUMENTS: dict[str, tuple[str, str, list[dict]]] = {
    "site_visit": ("政务大厅调研", "Service-hall site visit", SITE_VISIT),
    "internal_interview": ("内部访谈", "Internal interview", INTERNAL_INTERVIEW),
    "expert_review": ("专家论证", "Expert review", EXPERT_REVIEW),
    "document_review": ("文件梳理", "Document review", DOCUMENT_REVIEW),
    "service_user_check": ("服务对象抽查", "Service-user spot check", SERVICE_USER_CHECK),
    "hotline_test": ("电话咨询测试", "Hotline test", HOTLINE_TEST),
    "online_check": ("网上办事核查", "Online-service check", ONLINE_CHECK),
    "mystery_visit": ("暗访", "Mystery visit", MYSTERY_VISIT),
    "questionnaire": ("问卷调查", "Questionnaire", QUESTIONNAIRE),
}

# ---------------------------------------------------------------- writing

STRUCTURE = ("begin_group", "end_group", "begin_repeat", "end_repeat")


def survey_row(row: dict) -> list[object]:
    """One survey row in ``COLUMNS`` order, with defaults filled in."""
    row = dict(row)
    if row.get("required") is True:
        verb = "请选择" if row["type"].startswith("select") else "请填写"
        row["required"] = "yes"
        row.setdefault("required_message", f"{verb}「{row['label']}」")
    return [row.get(key, "") for key in COLUMNS]


def used_lists(rows: list[dict]) -> list[str]:
    """Choice-list names the survey refers to, in order of first use."""
    names: list[str] = []
    for row in rows:
        parts = row["type"].split()
        if parts[0] in ("select_one", "select_multiple") and parts[1] not in names:
            names.append(parts[1])
    return names


def self_check(form_id: str, rows: list[dict]) -> list[str]:
    """Mistakes in the literals that pyxform would not catch."""
    found, names = [], set()
    for row in rows:
        name = row.get("name", "")
        if name and name in names:
            found.append(f"{form_id}: duplicate name {name}")
        names.add(name)
        if row.get("constraint") and not (row.get("constraint_message") and row.get("constraint_message_en")):
            found.append(f"{form_id}.{name}: constraint without both messages")
        if row["type"] == "image" and (row.get("max_mb") != 10 or "10 MB" not in row.get("hint", "")):
            found.append(f"{form_id}.{name}: photo without the 10 MB limit")
        if row["type"] not in STRUCTURE and row["type"] != "calculate" and not row.get("label_en"):
            found.append(f"{form_id}.{name}: no English label")
    return found


def write_instrument(form_id: str, title: str, title_en: str, rows: list[dict], folder: Path) -> Path:
    """Write one XLSForm workbook (survey, choices, settings) deterministically."""
    wb = new_workbook()
    write_table(wb.create_sheet("survey"), list(COLUMNS.values()), [survey_row(r) for r in rows],
                wrap_columns=(2, 3))
    choices = [(name, *choice) for name in used_lists(rows) for choice in CHOICES[name]]
    write_table(wb.create_sheet("choices"), CHOICE_COLUMNS, choices, text_columns=(1,))
    write_table(wb.create_sheet("settings"), SETTINGS_COLUMNS, [(title, form_id, VERSION, ZH, title_en)],
                text_columns=(2,))
    path = save(wb, folder / f"{form_id}.xlsx")
    normalise_zip(path)
    return path


def normalise_zip(path: Path) -> None:
    """Rewrite the xlsx with fixed timestamps so equal content gives equal bytes."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    stamp = b"2018-01-01T00:00:00Z"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _fix_core_dates(data, stamp)
            info = zipfile.ZipInfo(name, date_time=(2018, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def _fix_core_dates(data: bytes, stamp: bytes) -> bytes:
    """Replace dcterms:created/modified values (openpyxl stamps the save time)."""
    import re

    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                  lambda m: m.group(1) + stamp + m.group(3), data)


# ---------------------------------------------------------------- checking and summary

def pyxform_check(path: Path) -> list[str]:
    """Convert with pyxform (no external validator) and parse to JSON; return errors."""
    from pyxform.xls2json import parse_file_to_json
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=str(path), validate=False)
        parse_file_to_json(str(path))
    except Exception as exc:  # noqa: BLE001 - report every pyxform failure
        return [f"{path.name}: {type(exc).__name__}: {exc}"]
    return []


def code_key(code: str) -> tuple[int, ...]:
    """Sort key: 2.2.10 after 2.2.9."""
    return tuple(int(p) for p in code.split("."))


def summary(form_id: str, rows: list[dict]) -> tuple[str, int, int, str]:
    """(form id, fields, repeats, indicator codes) for the table printed after a build."""
    fields = [r for r in rows if r["type"] not in STRUCTURE and r["type"] != "note"]
    repeats = sum(r["type"] == "begin_repeat" for r in rows)
    codes = {c.strip() for r in rows for c in str(r.get("indicator", "")).split(",") if c.strip()}
    named = sorted((c for c in codes if c != "*"), key=code_key)
    return form_id, len(fields), repeats, ", ".join(named + (["*"] if "*" in codes else []))


def build(folder: Path) -> list[str]:
    """Write every instrument into ``folder``; return the problems found."""
    problems: list[str] = []
    for form_id, (title, title_en, rows) in INSTRUMENTS.items():
        problems += self_check(form_id, rows)
        problems += pyxform_check(write_instrument(form_id, title, title_en, rows, folder))
    return problems


def stale(built: Path, shipped: Path) -> list[str]:
    """Instruments whose shipped workbook differs from a fresh build."""
    return [f"{f}.xlsx is out of date: rerun tools/build_instruments.py" for f in INSTRUMENTS
            if not (shipped / f"{f}.xlsx").exists()
            or (built / f"{f}.xlsx").read_bytes() != (shipped / f"{f}.xlsx").read_bytes()]


def main(argv: list[str] | None = None) -> int:
    """Build (or with --check, compare), print the summary table; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description="生成标准 XLSForm 评估工具 / build the XLSForm instruments")
    parser.add_argument("--out", type=Path, default=ROOT / "instruments", help="output folder")
    parser.add_argument("--check", action="store_true", help="build into a temp folder and compare with --out")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            problems = build(Path(tmp))
            problems += stale(Path(tmp), args.out)
    else:
        problems = build(args.out)
    print(f"{'form_id':<20}{'fields':>7}{'repeats':>8}  indicator codes")
    for form_id, (_, _, rows) in INSTRUMENTS.items():
        fid, n, reps, codes = summary(form_id, rows)
        print(f"{fid:<20}{n:>7}{reps:>8}  {codes}")
    for line in problems:
        print("PROBLEM", line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
