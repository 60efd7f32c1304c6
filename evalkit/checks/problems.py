"""The problems of :mod:`evalkit.checks`: every code it can raise, with its message template and when it is raised."""

from __future__ import annotations

from evalkit.problems import ERROR, INFO, WARNING, register

# consistency
DUPLICATE = register("record-duplicate", WARNING,
                     "记录 {record} 与记录 {other} 内容完全相同（同一调查工具、单位、评估员和回答）：疑似重复提交，"
                     "请在「记录审核」页打开这条记录，写明原因后作废。",
    "两条记录的调查工具、单位、评估员和全部回答完全相同。")
USER_TWICE = register("service-user-twice", WARNING,
                      "单位 {unit} 的服务对象（{what}「{value}」）在记录 {record} 和 {other} 中各计了一次："
                      "同一服务对象只能计入一次，请核实后删除重复的一条。",
    "同一单位的服务对象核查中，同一办件编号或回访手机号出现在两处。")
AGREEMENT_LOW = register("rater-agreement-low", WARNING,
                         "{instrument} 的 {field} 评分者间一致性 Krippendorff α = {value}（{level}尺度，{items} 个评议对象），"
                         "低于 0.667：请组织评估员对照评分标准复核。",
    "同一评分字段上多名评估员评分的 Krippendorff α 低于 0.667。")
KAPPA_LOW = register("rater-kappa-low", WARNING,
                     "{instrument} 的 {field} 分类评定一致性 Fleiss κ = {value}（标准误 {se}；{items} 个评议对象，每个由 {raters} 位评估员评定，"
                     "{categories} 个类别），低于 0.40：评估员对同一对象的归类分歧较大，请对照评分标准统一尺度后复核。",
    "同一分类评分字段上多名评估员的 Fleiss κ 低于 0.40。")
ICC_LOW = register("rater-icc-low", WARNING,
                   "{instrument} 的 {field} 组内相关系数 ICC(2,1) = {value}（{items} 个共同评议对象，{raters} 位评估员），"
                   "低于 0.5：评分一致性差，请复核。",
    "同一数值评分字段上多名评估员对共同评议对象评分的 ICC(2,1) 低于 0.5。")
RATER_DEVIATES = register("rater-deviates", WARNING,
                          "评估员「{assessor}」在 {instrument} 的 {field} 上与其他评估员平均相差 {value}（修正 z = {z}）："
                          "请复核其 {records} 条记录的评分（记录编号见位置）。",
    "某评估员的评分与其他评估员的平均偏差过大（修正 z 分数超过 3.5）。")
SELF_REPORT_OUTSIDE = register("self-report-outside-interval", WARNING,
                               "单位 {unit} 自报指标 {indicator} 为 {value}，在抽查结果 {share} 的 95% 区间 {low}–{high} 之外"
                               "（{source}）：请核实自报数据。",
    "单位自报的比例落在抽查结果的 95% 置信区间之外。")
SELF_SCORE_DIFFERS = register("self-score-differs", WARNING,
                              "单位 {unit} 指标 {indicator} 自评 {claimed} 分，评估得分 {scored} 分（满分 {points}），自评{direction} {gap} 分，"
                              "达到满分的 {threshold} 以上（{source}）：请核实该单位的自评依据。",
    "单位的自评分与评估得分相差达到该指标满分的 25% 以上。")
SELF_ASSESSMENT_MISSING = register("selfassess-not-submitted", WARNING,
                                   "单位 {unit} 没有提交自评表：请催报，收到后用 evalkit selfassess import 导入。",
    "已有单位导入了自评表，而这个单位还没有导入。")
SELF_ASSESSMENT_NONE = register("selfassess-none-imported", INFO,
                                "项目中还没有导入任何单位的自评表：自评与评估结果的比对未进行。",
    "项目中还没有导入任何单位的自评表，自评比对未进行。")
COVERAGE_MISSING = register("coverage-missing", WARNING,
                            "单位 {unit} 的指标 {indicator} 没有规则所需的证据（{detail}）：请安排调查。",
    "某单位某指标完全没有其评分规则所需的证据。")
COVERAGE_SHORT = register("coverage-short", WARNING,
                          "单位 {unit} 的指标 {indicator} 证据 {n} 份，少于规则要求的 {min_n} 份：请补充样本。",
    "某单位某指标有证据，但份数少于评分规则要求的最少份数。")
CONNECTED_EXCEEDS = register("logic-connected-exceeds-made", ERROR,
                             "记录 {record} 第 {call} 组测试的接通次数 {value} 大于拨打次数 {made}：请更正。",
    "热线测试记录中某组测试的接通次数大于拨打次数。")
DATE_OUTSIDE = register("logic-date-outside-period", WARNING,
                        "记录 {record} 的 {field} 为 {value}，不在评估期 {start} 至 {end} 之内：请核对日期。",
    "记录中的某个日期回答不在 evalkit.toml 设定的评估期内。")
ASSESSOR_UNKNOWN = register("record-assessor-unknown", WARNING,
                            "记录 {record} 的评估员「{value}」不在评估员名单中：请核对姓名或补充名单。",
    "记录的评估员不在评估员名单（编号或姓名）中。")
