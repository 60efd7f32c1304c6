"""The problems of :mod:`evalkit.scoring`: every code it can raise, with its message template and when it is raised."""

from __future__ import annotations

from evalkit.problems import ERROR, WARNING, register

# adjustments
BAD_NUMBER = register(
    "adjustment-not-number", ERROR, "工作表「{sheet}」第 {row} 行「{column}」的值「{value}」不是数字：请只填写数字。",
    "adjustments.xlsx 中加减分事项的分值或人工评分的分数不是数字。")

# events
EVENT_KIND_UNKNOWN = register(
    "event-kind-unknown", ERROR, "加减分事项 {record}（单位 {unit}）的类型「{value}」无法识别{hint}可用类型：{known}。",
    "加减分事项的类型不是考核办法规定的事项类型之一。")
EVENT_EVIDENCE_MISSING = register(
    "event-evidence-missing", ERROR,
    "加减分事项 {record}（单位 {unit}，{kind}）没有佐证：请填写文件文号、记录编号或台账条目，否则不计入。",
    "加减分事项没有填写佐证依据，也没有关联记录。")
EVENT_UNIT_UNKNOWN = register(
    "event-unit-unknown", ERROR, "加减分事项 {record} 的单位「{unit}」不在单位名单中：请改正单位编号。",
    "加减分事项的单位不在单位名单中。")
EVENT_DUPLICATE = register(
    "event-duplicate", ERROR, "加减分事项编号 {record} 出现了 {count} 次：同一事项只能记录一次，请删除重复的一条。",
    "同一加减分事项编号出现了不止一次。")
EVENT_POINTS_INVALID = register(
    "event-points-invalid", ERROR,
    "加减分事项 {record}（单位 {unit}，{kind}）的分值「{value}」无效：{fix}",
    "创新加分没有填写或不是大于 0 的数，或固定分值事项填了与考核办法不同的分值。")
EVENT_POINTS_CAPPED = register(
    "event-points-capped", WARNING,
    "加减分事项 {record}（单位 {unit}，{kind}）填写的分值 {value} 超过上限 {cap}（{source}）：已按 {cap} 分计入。"
    "如分值有误，请在 adjustments.xlsx 中改正。",
    "创新加分超过考核办法规定的上限（10 分），按上限计入。")
BONUS_CAPPED = register(
    "bonus-capped", WARNING,
    "单位 {unit} 的加分合计 {value}（{parts}）超过上限 {cap}：按 {cap} 分计入总分。",
    "单位的加分项得分与创新加分合计超过加分上限，按上限计入。")
INDICATOR_CAPPED = register(
    "indicator-capped", WARNING,
    "单位 {unit} 的指标 {indicator}「{name}」下级合计 {value} 分，超过其{what} {cap} 分：按 {cap} 分计入。",
    "某指标的下级得分合计超过该指标的分值或上限，按上限计入。")

# rule_checks
_CELL = "指标 {indicator} 的评分规则"
RULE_SYNTAX = register("rule-syntax", ERROR, _CELL + "「{value}」无法解析：{detail}。写法见 docs/rules.md，例如 "
                       "rate(where=service_user_check.citizens.trips <= 1, full=90%, zero=50%)。",
    "指标的评分规则文本无法解析。")
RULE_UNKNOWN = register("rule-unknown", ERROR, _CELL + "类型「{value}」不存在{hint}可用类型：{known}。",
    "评分规则的类型不是 rate、checklist、rubric、mean、penalty、manual 之一。")
RULE_PARAM_MISSING = register("rule-param-missing", ERROR, _CELL + " {kind}(…) 缺少参数 {missing}：请补上。{usage}",
    "评分规则缺少该类型必需的参数。")
RULE_PARAM_UNKNOWN = register("rule-param-unknown", ERROR, _CELL + " {kind}(…) 不认识参数「{value}」{hint}可用参数：{known}。",
    "评分规则中有该类型不接受的参数名。")
RULE_PARAM_INVALID = register("rule-param-invalid", ERROR, _CELL + "的参数 {param}={value} 无效：{fix}",
    "评分规则某个参数的值类型或取值不对（如比例、条件、字段、范围写错）。")
RULE_INSTRUMENT_UNKNOWN = register(
    "rule-instrument-unknown", ERROR, _CELL + "引用的调查工具「{value}」不存在{hint}项目中的调查工具：{known}。",
    "评分规则引用的调查工具不在项目中。")
RULE_FIELD_UNKNOWN = register(
    "rule-field-unknown", ERROR, _CELL + "引用的字段 {value} 在调查工具 {instrument} 中不存在{hint}请改正字段名。",
    "评分规则引用的字段在所指的调查工具中不存在。")
RULE_FIELD_OTHER_INDICATOR = register(
    "rule-field-other-indicator", WARNING,
    _CELL + "引用的字段 {value} 在调查工具中标注为服务指标 {codes}，不包括本指标：请确认字段选对了，或在工具的 evalkit::indicator 列补上本指标。",
    "评分规则引用的字段在调查工具中标注为服务其他指标，不含本指标。")
RULE_THRESHOLD_ABOVE_100 = register(
    "rule-threshold-above-100", ERROR, _CELL + "的阈值 {param}={value} 超过 100%：比例阈值应在 0% 到 100% 之间（写成 70% 或 0.7）。",
    "评分规则的满分、零分阈值或分档中的比例不在 0% 到 100% 之间。")
RULE_THRESHOLDS_EQUAL = register(
    "rule-thresholds-equal", ERROR, _CELL + "的满分阈值 full 与零分阈值 zero 相同（{value}）：请拉开两者，或改用分档 bands。",
    "评分规则的满分阈值 full 与零分阈值 zero 相同。")
RULE_BANDS_OVERLAP = register(
    "rule-bands-overlap", ERROR, _CELL + "的分档 {first} 与 {second} 重叠：同一比例只能落在一个档内，请调整档的上下限。",
    "评分规则的两个分档区间相互重叠。")
RULE_BANDS_GAP = register(
    "rule-bands-gap", ERROR, _CELL + "的分档没有覆盖 {low} 到 {high}：请补上这一段，使各档从 0% 连续覆盖到 100%。",
    "评分规则的分档没有连续覆盖 0% 到 100%，中间或两端有空缺。")
RULE_MANUAL_ABOVE_MAX = register(
    "rule-manual-above-max", ERROR, _CELL + "的人工评分上限 max={value} 超过该指标的分值 {points}：请改为不超过 {points}。",
    "人工评分规则的上限 max 大于该指标的分值。")
RULE_ON_PARENT = register(
    "rule-on-parent", WARNING, _CELL + "写在有下级的指标上，不会被使用：上级指标的得分由下级合计，请把规则写到末级指标。",
    "评分规则写在有下级的指标上（不会被使用）。")

# score
SCORE_INSUFFICIENT = register(
    "score-insufficient-evidence", WARNING,
    "单位 {unit} 的指标 {indicator}：{detail}。请补充调查，或确认按规则处理。",
    "某单位某指标的证据份数少于规则要求或无法算出得分比例。")
SCORE_NO_RULE = register(
    "score-no-rule", WARNING, "单位 {unit} 的指标 {indicator} 没有可用的评分规则，也没有人工评分：该指标暂不计分，单位总分待定。",
    "末级指标没有可用的评分规则，也没有写明理由的人工评分。")
MANUAL_MISSING = register(
    "manual-score-missing", WARNING, "单位 {unit} 的指标 {indicator} 规定由评估组长人工评分，尚未评分：该指标暂不计分，单位总分待定。",
    "规则规定人工评分的指标，该单位尚无写明理由的人工评分。")
MANUAL_ABOVE_MAX = register(
    "manual-score-above-max", WARNING,
    "单位 {unit} 的指标 {indicator} 人工评分 {value} 超过上限 {limit}：已按 {limit} 分计入。如分数有误，请在 adjustments.xlsx 中改正。",
    "人工评分超过该指标的分值或规则上限，按上限计入。")
MANUAL_INVALID = register(
    "manual-score-invalid", ERROR,
    "单位 {unit} 的指标 {indicator} 人工评分「{value}」不是不小于 0 的数：该评分不计入，单位总分待定；请在 adjustments.xlsx 中改正。",
    "人工评分为负数或不是有限的数。")
MANUAL_NO_JUSTIFICATION = register(
    "manual-score-unjustified", ERROR,
    "单位 {unit} 的指标 {indicator} 人工评分 {value} 没有写明理由：人工评分必须写明依据，否则不计入（单位总分待定）。",
    "人工评分没有填写理由。")
SCORE_PROVISIONAL = register(
    "score-provisional", WARNING,
    "单位 {unit} 的总分待定（已计 {total} 分{range}）：{pending} 未能计分。{ranked}补充证据、人工评分或改正后重新计分。",
    "单位有末级指标因证据不足、缺少规则或输入错误未能计分（或加减分事项有错误未能计入），总分待定。")
RECORD_UNIT_UNLISTED = register(
    "score-record-unit-unlisted", WARNING, "记录 {record} 的被评估单位「{unit}」不在单位名单中：该记录不参与任何单位的计分。",
    "计分时记录的被评估单位不在单位名单中，该记录不参与计分。")

# tree
GRADE_BANDS_GAP = register(
    "grade-bands-gap", ERROR,
    "类别 {value} 的等级分档没有覆盖 {low} 到 {high} 分：请调整分档，使各等级首尾相接（下限含、上限不含）。",
    "某类别的等级分档之间有空档，部分分数无法定级。")
GRADE_BANDS_OVERLAP = register(
    "grade-bands-overlap", ERROR, "类别 {value} 的等级「{first}」与「{second}」分数段重叠：同一分数只能对应一个等级。",
    "某类别的两个等级分档的分数段重叠。")
GRADE_BANDS_OPEN = register(
    "grade-bands-open", ERROR, "类别 {value} 的等级分档{where}没有开放：最高档应不设上限、最低档应不设下限，否则有分数无法定级。",
    "某类别的最低档设了下限或最高档设了上限（分档两端未开放）。")
