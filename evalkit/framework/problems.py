"""The problems of :mod:`evalkit.framework`: every code it can raise, with its message template and when it is raised."""

from __future__ import annotations

from evalkit.problems import ERROR, INFO, WARNING, register

# checks
CODE_DUPLICATE = register(
    "code-duplicate", ERROR,
    "指标编码 {indicator} 重复出现（第 {first_row} 行和第 {row} 行）：每个指标只能出现一次，请删除或改正其中一行。",
    "同一指标编码在框架中出现在多行。")
ORPHAN = register(
    "indicator-orphan", ERROR,
    "指标 {indicator} 的上级指标 {parent} 不存在{hint}请补上上级指标，或改正编码。",
    "指标编码去掉最后一段后得到的上级指标在框架中不存在。")
POINTS_MISSING = register(
    "points-missing", ERROR,
    "指标 {indicator} 没有分值，且无法唯一推断：请在「{column}」列填写分值。",
    "指标（扣分项除外）没有填写分值，也无法由上下级分值推断。")
POINTS_INFERRED = register(
    "points-inferred", WARNING,
    "指标 {indicator} 没有分值；上级 {parent} 为 {parent_points:g} 分，其余下级合计 {others:g} 分，"
    "已推断为 {value:g} 分。请确认后把分值填入「{column}」列。",
    "上级有分值而只有一个下级缺分值，已用上级分值减去其余下级推断。")
PARENT_POINTS_INFERRED = register(
    "points-inferred-parent", WARNING,
    "指标 {indicator} 没有分值，已按下级指标合计推断为 {value:g} 分。请确认后把分值填入「{column}」列。",
    "上级指标没有分值而其下级都有分值，已按下级合计推断。")
POINTS_SUM = register(
    "points-sum-mismatch", ERROR,
    "指标 {indicator} 为 {points:g} 分，但下级指标（{children}）合计 {total:g} 分：请调整下级分值使其合计为 "
    "{points:g}，或改正上级分值，并在「处理说明」列写明依据。",
    "子指标分值之和与上级指标的分值不一致。")
TOTAL_MISMATCH = register(
    "total-mismatch", ERROR,
    "一级指标（不含加分、扣分项）合计 {total:g} 分，与框架声明的总分 {declared:g} 分不符：请调整一级指标分值或「框架」表中的总分。",
    "一级计分指标的分值合计与「框架」表声明的总分不一致。")
TOTAL_MISSING = register(
    "total-missing", WARNING,
    "框架没有声明总分，按一级指标合计 {total:g} 分计：请在「框架」工作表填写「总分」。",
    "「框架」工作表没有声明总分（已按一级计分指标合计计算）。")
METHODS_MISSING = register(
    "methods-missing", WARNING,
    "末级指标 {indicator} 没有评分依据：请在「{column}」列填写评价方法，如 文件梳理、内部访谈、政务大厅调研。",
    "末级指标的评分依据（评价方法）一栏为空。")
RULE_MISSING = register(
    "rule-missing", WARNING,
    "末级指标 {indicator} 尚未设置评分规则：请在「{column}」列填写规则，否则该指标只能人工评分。",
    "末级指标的评分规则一栏为空。")
BONUS_CAP_MISSING = register(
    "bonus-cap-missing", ERROR,
    "加分项 {indicator} 没有上限：请在「{column}」列填写加分上限（如 10）。",
    "加分项没有填写上限，其上级加分项也都没有上限。")
RESOLUTION_NOTED = register(
    "resolution-noted", INFO,
    "指标 {indicator} 有处理说明：{value}",
    "指标的「处理说明」一栏有内容（提示，原样列出）。")

# govtable
GOV_HEADER_MISSING = register(
    "gov-header-missing", ERROR,
    "在工作簿 {file} 的前 15 行中找不到「一级指标」「二级指标」「三级指标」「评分依据」表头：请确认这是政府发布格式的指标体系表。",
    "导入政府表时，所有工作表的前 15 行中都没有含两个以上「一级指标」「二级指标」等的表头行。")
GOV_SHIFTED = register(
    "gov-cell-shifted", WARNING,
    "指标 {indicator} 出现在「{column}」列，但按编码它是{level}级指标（可能是合并单元格造成的错位）：已按编码归入{level}级。",
    "指标所在的列与其编码的层级不符（多为合并单元格错位），已按编码定级。")
GOV_POINTS_FROM_NAME = register(
    "gov-points-from-name", WARNING, "指标 {indicator} 的名称未写分值「（N分）」{detail}，分值留空。",
    "政府表中指标名称里没有写「（N分）」（有「分值」列时该列也是空的），分值留空。")
GOV_POINTS_DIFFER = register(
    "gov-points-differ", WARNING,
    "指标 {indicator} 的名称写「（{named}分）」，「{column}」列写 {listed} 分：已采用「{column}」列，请核对。",
    "政府表中指标名称里的「（N分）」与旁边「分值」列的数字不同，采用分值列。")
GOV_POINTS_UNREADABLE = register(
    "gov-points-unreadable", WARNING,
    "指标 {indicator} 的「{column}」列写的是「{value}」，不是分值：已忽略，请改为数字（如 4）。",
    "政府表「分值」列的单元格不是数字。")
GOV_NAME_MISSING = register(
    "gov-name-missing", WARNING,
    "单元格只写了编码「{value}」，没有指标名称：已按编码导入为指标 {indicator}，{used}；请在整理后的框架中为它命名。",
    "政府表中某个单元格只写了指标编码（如公布的表中四级指标只有「1.3.1.1」），该指标缺少名称。")
GOV_TABLE_EMPTY = register(
    "gov-table-empty", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行是表头，但下面没有任何以编码开头的指标（如「1.1 改革政策措施（12分）」）："
    "请确认表中已填好指标，或各指标名称前写有编码。",
    "政府格式的指标表只有表头，没有任何可识别的指标。")
GOV_NAME_IS_METHODS = register(
    "gov-name-is-methods", WARNING,
    "指标 {indicator} 的单元格只写了评价方法「{value}」，没有名称：已原样作为名称导入，请在整理后的框架中为它命名。",
    "指标单元格在编码后只写了评价方法而没有名称，已原样作为名称。")
GOV_METHODS_DIFFER = register(
    "gov-methods-differ", WARNING,
    "指标 {indicator} 所在行有两处不同的评价方法：指标单元格写「{named}」，评分依据列写「{listed}」。已采用评分依据列，请核对。",
    "同一行中指标单元格写的评价方法与评分依据列不同，已采用评分依据列。")
GOV_BONUS = register(
    "gov-kind-assumed", WARNING,
    "指标 {indicator}「{value}」的名称含「{word}」，已设为{kind}项{cap}请核对类型与上限。",
    "一级指标名称含「加分」或「扣分」，已据此设为加分项（上限取其分值）或扣分项。")
GOV_TOTAL = register(
    "gov-total-assumed", WARNING,
    "政府表未写总分，按一级计分指标合计 {total:g} 分作为总分：请核对「框架」工作表中的总分。",
    "政府表不写总分，导入时一律按一级计分指标合计作为总分。")
GOV_UNPARSED = register(
    "gov-cell-unparsed", WARNING,
    "单元格内容「{value}」不以指标编码开头，无法识别为指标，已忽略：若它是指标，请在名称前加上编码（如 2.4.2）。",
    "各级指标列中的单元格不以指标编码开头，无法识别为指标而被忽略。")
GOV_DUPLICATE = register(
    "gov-code-conflict", ERROR,
    "指标编码 {indicator} 在第 {first_row} 行和第 {row} 行的名称不同（「{first}」与「{value}」）：请确认编码是否写错。",
    "同一指标编码在政府表的不同行中名称不同。")

# model
CODE_MALFORMED = register(
    "code-malformed", ERROR,
    "指标编码「{value}」格式不正确：编码应为用点分隔的数字，如 1、1.2、1.3.1.2。请改正该单元格。",
    "指标编码不是用点分隔的数字（如 1.3.1.2）。")
CODE_MISSING = register("code-missing", ERROR, "这一行没有指标编码：请填写编码，或删除该行。",
    "「指标」工作表中某一行的编码单元格为空。")
CODE_NUMERIC = register(
    "code-numeric", WARNING,
    "指标编码 {indicator} 在单元格中是数字而不是文本：Excel 会把 1.10 存成 1.1。请把「{column}」列设为文本格式后重新输入。",
    "指标编码在单元格中存为数字而非文本，可能丢失末尾的 0（如 1.10）。")
NAME_MISSING = register("name-missing", ERROR, "指标 {indicator} 没有名称：请填写中文名称。",
    "指标的名称单元格为空。")
POINTS_NOT_NUMBER = register(
    "points-not-number", ERROR,
    "指标 {indicator} 的分值「{value}」不是数字：请只填写数字（如 4），不要填写文字。",
    "指标的分值单元格不是数字（也不是「4分」这样的写法）。")
POINTS_NEGATIVE = register("points-negative", ERROR, "指标 {indicator} 的分值 {value} 小于 0：分值应为 0 或正数（扣分项也填写正数）。",
    "指标的分值或上限为负数。")
CAP_NOT_NUMBER = register("cap-not-number", ERROR, "指标 {indicator} 的上限「{value}」不是数字：请填写数字。",
    "指标的上限单元格不是数字。")
KIND_UNKNOWN = register(
    "kind-unknown", ERROR,
    "指标 {indicator} 的类型「{value}」无法识别{hint}可用类型：计分、加分、扣分。",
    "指标的类型不是计分、加分、扣分之一。")
METHOD_UNKNOWN = register(
    "method-unknown", ERROR,
    "指标 {indicator} 的评分依据「{value}」不在方法词表中{hint}可用方法：{known}。",
    "指标的评分依据中有不在评价方法词表中的方法名称。")
META_UNKNOWN = register("meta-unknown", WARNING, "工作表「{sheet}」第 {row} 行的设置项「{value}」无法识别，已忽略{hint}",
    "「框架」工作表中某行的设置项名称无法识别，已忽略。")
META_BAD = register("meta-bad-value", ERROR, "工作表「{sheet}」第 {row} 行：设置「{key}」的值「{value}」无效，{fix}",
    "「框架」工作表中总分不是数字，或分值方式不是「固定」「按单位」。")
