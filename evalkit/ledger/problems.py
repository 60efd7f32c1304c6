"""The problem codes of the task ledger, the liaison rosters and the progress reports.

The one place where :mod:`evalkit.ledger` registers its codes (see :mod:`evalkit.problems`):
each with its severity, the Chinese message saying how to fix it, and one line saying when it
is raised.
"""

from evalkit.problems import ERROR, INFO, WARNING, register

# ------------------------------------------------------------------ the task ledger (任务分解表, 台账)

LEDGER_NOT_PER_UNIT = register(
    "ledger-framework-not-per-unit", ERROR,
    "项目框架 {file} 的分值方式不是「按单位」，或没有带序号的任务：台账只用于吉林市考核办法（jilin-city-2018）框架。",
    "使用台账功能的项目，其框架的分值方式不是「按单位」或没有带序号的任务。")
LEDGER_UNIT_UNKNOWN = register(
    "ledger-unit-unknown", ERROR, "单位「{record}」不在单位名单中{hint}请使用单位名单中的单位编号。",
    "导入任务分解表时指定的单位不是单位名单中的单位编号。")
LEDGER_TASK_NO_INVALID = register(
    "ledger-task-no-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」的值「{value}」不是任务序号：应为 1–{last} 的整数。"
    "若整行错位，请检查各列是否与表头对齐。",
    "任务分解表某行的「序号」不是整数。")
LEDGER_TASK_UNKNOWN = register(
    "ledger-task-unknown", ERROR,
    "{place}：序号 {value} 不在任务分解表中（共 {last} 项）：请改正序号。",
    "任务分解表某行的序号（或登记完成情况时给出的序号）不在框架的任务中。")
LEDGER_NOTE_ROW = register(
    "ledger-note-row", INFO,
    "{file} 工作表「{sheet}」第 {row} 行「{value}」{why}，不是任务行，已略过（最后一项任务在第 {last} 行）。",
    "任务分解表中的表注（注、说明）、签字栏（填报人、审核人）、跨列的说明行或最后一项任务之后的行，"
    "按表格的一部分略过而不作为任务读取。")
LEDGER_TASK_CONTINUED = register(
    "ledger-task-continued", INFO,
    "{file} 工作表「{sheet}」第 {rows} 行没有自己的序号，接在第 {first} 行序号 {value} 之下"
    "（合并的「序号」单元格或续写的行）：其内容已并入序号 {value}。",
    "一项任务写成了几行（序号单元格合并，或下一行没有序号和三级指标、只续写了措施、时限或备注），各行合为一项任务。")
LEDGER_MERGED_SPAN = register(
    "ledger-merged-span", INFO,
    "{file} 工作表「{sheet}」第 {first}–{last} 行「{column}」是一个合并单元格「{value}」：已按序号 {tasks} "
    "每项都填了该值读取；如不是这个意思，请取消合并后逐行填写。",
    "任务分解表中备注、完成时限、工作措施等列的一个合并单元格跨了几项任务，其值用于每一项。")
LEDGER_NOT_APPLICABLE_ELSEWHERE = register(
    "ledger-not-applicable-elsewhere", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」写的是「{value}」：已按「{word}」把该任务作为不涉及处理"
    "（不计分）。按吉市办发〔2018〕15号第十条，不涉及的指标应在「备注」栏注明，请移到备注栏。",
    "「不涉及」（或不适用、无此项等）写在了工作措施或完成时限栏而不是备注栏，仍按不涉及处理。")
LEDGER_TASK_DUPLICATE = register(
    "ledger-task-duplicate", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 与第 {first} 行重复："
    "每项任务只能填写一行，请删除或改正其中一行。",
    "任务分解表中同一序号填写了不止一行。")
LEDGER_TASK_MISSING = register(
    "ledger-task-missing", ERROR,
    "{file} 工作表「{sheet}」缺少序号 {value} 的任务：请用 evalkit ledger template 生成的表填写全部任务，"
    "不涉及的任务在「备注」栏注明「不涉及」。",
    "任务分解表缺少框架中某一序号的任务行。")
LEDGER_ROW_SHIFTED = register(
    "ledger-row-shifted", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 的三级指标内容出现在「{column}」列，而不在「三级指标」列："
    "这一行的单元格错位了，请把各单元格移回对应的列。",
    "任务分解表某行的三级指标内容出现在其他列，该行单元格错位。")
LEDGER_TITLE_DIFFERS = register(
    "ledger-title-differs", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 的三级指标「{found}」与框架不一致{hint}"
    "已按序号对应框架任务「{expected}」；若序号填错，请改正序号。",
    "任务分解表某行的三级指标文字与框架中同一序号的任务不一致。")
LEDGER_DEADLINE_INVALID = register(
    "ledger-deadline-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：完成时限「{value}」不是有效日期（{detail}）："
    "请改正，如 2018年6月30日。",
    "任务分解表的完成时限写的是不存在的日期（如 2018年13月、2018年2月30日）。")
LEDGER_DEADLINE_UNREADABLE = register(
    "ledger-deadline-unreadable", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：单位 {record} 序号 {value} 的完成时限「{text}」读不出日期"
    "（{detail}）：该任务暂不判断逾期。请评估组在 ledger/时限认定.xlsx 中写明该任务的完成时限"
    "（单位、序号、完成时限、说明）。",
    "任务分解表的完成时限写法无法解读为日期。")
LEDGER_DEADLINE_FROM_TEXT = register(
    "ledger-deadline-from-text", INFO,
    "{file} 工作表「{sheet}」第 {row} 行：单位 {record} 序号 {value} 的完成时限「{text}」按 {date} 计（{detail}）；"
    "如不妥，请在 ledger/时限认定.xlsx 中另行认定。",
    "完成时限不是一个明确的日期（文字、时间段、上半年、季度、只写到月…），按规则读出日期并写入该任务的时限说明。")
LEDGER_DEADLINE_YEAR_ASSUMED = register(
    "ledger-deadline-year-assumed", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：单位 {record} 序号 {value} 的完成时限「{text}」按 {date} 计"
    "（{detail}）：如年份不对，请在表中写明年份，或在 evalkit.toml 的 [evaluation] 中设置 year。",
    "完成时限没有写年份（如「6月底前」），按评估年度（evalkit.toml 的 year，否则框架的版本年份，否则评估截止日期的年份）计。")
LEDGER_DEADLINE_EMPTY = register(
    "ledger-deadline-empty", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：序号 {value} 没有填写完成时限："
    "已按框架中的时限「{text}」计，请补填。",
    "任务分解表某行没有填写完成时限，改按框架中的时限计。")
LEDGER_DONE_NO_DATE = register(
    "ledger-done-no-date", ERROR,
    "{place}：单位 {record} 序号 {value} 标为「{status}」却没有完成日期：请填写完成日期，或改为「推进中」。",
    "任务标为已完成或已销账，却没有完成日期。")
LEDGER_STATUS_UNKNOWN = register(
    "ledger-status-unknown", ERROR,
    "{place}：完成情况「{status}」无法识别{hint}可用：未开始、推进中、已完成、已销账。",
    "完成情况不是未开始、推进中、已完成、已销账之一（也不是可识别的别名）。")
LEDGER_DATE_INVALID = register(
    "ledger-date-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：完成日期「{value}」不是日期："
    "请写成 2018-05-30 或 2018年5月30日。",
    "任务分解表的完成日期单元格读不出一个确定的日期。")
LEDGER_DATE_AFTER_AS_OF = register(
    "ledger-date-after-as-of", ERROR,
    "{place}：单位 {record} 序号 {value} 的完成日期 {date} 晚于评估截止日期 {as_of}："
    "截止日期之后的完成情况不能登记，请核对日期。",
    "登记或导入的完成日期晚于评估截止日期（as_of）。")
LEDGER_CLOSE_NO_MATERIAL = register(
    "ledger-close-no-material", ERROR,
    "{place}：单位 {record} 序号 {value} 标为「已销账」却没有销账材料：请附上结项总结、实施方案、"
    "印发文件文号或会议纪要等材料。",
    "任务标为已销账，却没有销账材料。")
LEDGER_DATE_NOT_DONE = register(
    "ledger-date-not-done", ERROR,
    "{place}：单位 {record} 序号 {value} 状态为「{status}」却填写了完成日期 {date}："
    "完成日期只用于「已完成」或「已销账」，请改正状态或删去日期。",
    "状态为未开始或推进中的任务填写了完成日期。")
LEDGER_NOT_APPLICABLE = register(
    "ledger-task-not-applicable", ERROR,
    "单位 {record} 的序号 {value} 在其任务分解表中标为「不涉及」：不能登记完成情况。"
    "如该任务实际涉及，请改正任务分解表后重新导入。",
    "为任务分解表中标为「不涉及」的任务登记完成情况。")
LEDGER_UNIT_NOT_IMPORTED = register(
    "ledger-unit-not-imported", WARNING,
    "单位 {record} 还没有导入任务分解表：请运行 evalkit ledger import 项目 文件 --unit {record}。"
    "该单位的台账指标暂不计分。",
    "单位名单中的单位还没有导入任务分解表（计分时为警告；为它登记完成情况时为错误）。")
LEDGER_IMPORT_EXISTS = register(
    "ledger-import-exists", ERROR,
    "单位 {record} 已导入过任务分解表（{file}）：如要替换，请加 --replace（原表保存在 ledger/tasks/history/ 中）。",
    "再次导入某单位的任务分解表而没有加 --replace。")
LEDGER_AS_OF_MISSING = register(
    "ledger-as-of-missing", WARNING,
    "evalkit.toml 的 [evaluation] 没有设置 as_of（评估截止日期）：不判断逾期，也不检查完成日期是否晚于截止日期。"
    "请填写，如 as_of = \"2018-11-20\"。",
    "按单位计分的项目在 evalkit.toml 中没有设置评估截止日期 as_of。")
LEDGER_AREA_WEIGHT_MISSING = register(
    "ledger-area-weight-missing", ERROR,
    "evalkit.toml 的 [ledger.area_weights] 没有一级指标 {indicator}（{name}）的权重，而单位 {record} 有该领域的任务："
    "请补上权重；本次按「每项任务等分」计算该单位的分值。",
    "按领域分配分值时，单位涉及的某个一级指标没有设置权重。")
LEDGER_OVERRIDE_INVALID = register(
    "ledger-override-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{detail}",
    "时限认定表（ledger/时限认定.xlsx）某行的单位、序号或完成时限无效，或与前面的行重复。")
LEDGER_OVERRIDE_UNUSED = register(
    "ledger-override-unused", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行：单位 {record} 没有导入任务分解表，这条时限认定未使用。",
    "时限认定表中某行所指的单位还没有导入任务分解表。")
LEDGER_STATE_DAMAGED = register(
    "ledger-state-damaged", ERROR, "台账状态文件 {file} 无法读取（{detail}）：请从备份恢复，不要手工修改。",
    "ledger/status 下的某个完成情况记录文件无法读取，或其中的状态、单位不符。")
LEDGER_LEAD_INVALID = register(
    "ledger-lead-invalid", ERROR, "{file} 工作表「{sheet}」第 {row} 行「{column}」：{detail}",
    "牵头单位表（ledger/牵头单位.xlsx）某行的牵头单位、推进组或事项无效。")
LEDGER_LEAD_NO_CARRIER = register(
    "ledger-lead-no-carrier", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行：{what} 没有任何单位在任务分解表中承担：不计牵头加减分。",
    "牵头单位表中的推进组或事项没有任何单位在任务分解表中承担。")
LEDGER_UNIT_MISMATCH = register(
    "ledger-unit-mismatch", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行写的填报单位是「{value}」，而导入的单位是 {record}（{name}）{detail}。",
    "任务分解表上写的填报单位（去掉「（盖章）」等字样后，按编号、名称、全称、别名核对）与导入时指定的单位不符。")
LEDGER_MATERIAL_MISSING = register(
    "ledger-material-missing", ERROR, "销账材料文件 {file} 不存在或不是文件：请检查路径。",
    "登记完成情况时给出的销账材料文件不存在或不是文件。")

# ------------------------------------------------------------------ liaison rosters (联络信息表)

ROSTER_UNIT_UNKNOWN = register(
    "roster-unit-unknown", ERROR, "单位「{record}」不在单位名单中{hint}请使用单位名单中的单位编号（如 c1-01）。",
    "导入联络信息表时指定的单位不是单位名单中的单位编号。")
ROSTER_EXISTS = register(
    "roster-exists", ERROR,
    "单位 {record} 已导入过联络信息表（{file}）：如要替换，请加 --replace（原表保存在 ledger/roster/history/ 中）。",
    "再次导入某单位的联络信息表而没有加 --replace。")
ROSTER_TABLE_MISSING = register(
    "roster-table-missing", ERROR,
    "{file} 中找不到表一「领导小组成员联络信息表」"
    "（表头应有「小组职务」「姓名」「职务」「电话」「传真」「手机」「邮箱」）："
    "请用 evalkit ledger template-roster 生成的表填写。",
    "联络信息表中找不到表一（领导小组成员联络信息表）及其表头。")
ROSTER_ROLE_MISSING = register(
    "roster-role-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{table}没有填写{role}（姓名）：{why}请补填。",
    "表一缺少组长或副组长，或已填写的推进组缺少组长。")
ROSTER_LIAISON_MISSING = register(
    "roster-liaison-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{table}没有联络员（姓名）：每个小组必须设一名联络员"
    "（吉政办函〔2018〕37号 第二条），请补填联络员的姓名和联系方式。",
    "表一或已填写的推进组没有联络员。")
ROSTER_NAME_MISSING = register(
    "roster-name-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role}一行填了联系方式却没有姓名：请补填姓名。",
    "联络信息表某行填了职务或联系方式却没有姓名。")
ROSTER_ROLE_UNKNOWN = register(
    "roster-role-unknown", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：小组职务「{value}」无法识别{hint}只能是组长、副组长或联络员。",
    "联络信息表某行的小组职务不是组长、副组长或联络员。")
ROSTER_PHONE_INVALID = register(
    "roster-phone-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role} {name} 的{column}「{value}」不是固定电话号码{hint}"
    "应写成 0431-88904981 或 88904981（区号可省略）。",
    "联络信息表的电话或传真不是固定电话号码的写法。")
ROSTER_MOBILE_INVALID = register(
    "roster-mobile-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role} {name} 的手机「{value}」不是 11 位手机号{hint}"
    "应为 1 开头、第二位 3–9 的 11 位数字，如 13904312345。",
    "联络信息表的手机不是 11 位手机号。")
ROSTER_EMAIL_INVALID = register(
    "roster-email-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role} {name} 的邮箱「{value}」不是电子邮件地址{hint}"
    "应写成 name@example.gov.cn（半角字符）。",
    "联络信息表的邮箱不是电子邮件地址（如用了全角字符或缺少 @）。")
ROSTER_MOBILE_MISSING = register(
    "roster-mobile-missing", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：联络员 {name} 没有填写手机：进度报告中将无法列出其手机，请补填。",
    "小组的联络员没有填写手机。")
ROSTER_TASK_NAME_MISSING = register(
    "roster-task-name-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：表二的推进组填了成员却没有「任务名称」："
    "请在该组上方的「任务名称」一行写明任务（如任务分解表的序号或三级指标）。",
    "表二的推进组填了成员却没有写任务名称。")
ROSTER_UNIT_MISMATCH = register(
    "roster-unit-mismatch", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行的单位是「{value}」，而导入的单位是 {record}（{name}）{detail}。",
    "联络信息表上写的单位（去掉「（公章）」等字样后，按编号、名称、全称、别名核对）与导入时指定的单位不符。")
ROSTER_NOTE_ROW = register(
    "roster-note-row", INFO,
    "{file} 工作表「{sheet}」第 {row} 行「{value}」{why}，不是小组成员，已略过。",
    "联络信息表中的表注或签字栏（注、说明、填报人、联系电话…），按表格的一部分略过。")
ROSTER_DAMAGED = register(
    "roster-damaged", ERROR,
    "已导入的联络信息表 {file} 有错误：{detail}请重新导入正确的表（evalkit ledger roster … --replace）。",
    "已导入的联络信息表再次读取时有错误（如导入后被改动）。")

# ------------------------------------------------------------------ progress reports (进度报告)

PROGRESS_DATE_MISSING = register(
    "progress-date-missing", ERROR,
    "没有报告日期：evalkit.toml 的 [evaluation] 没有设置 as_of，也没有给出 --date。请用 --date 2018-11-20 指定，"
    "或在 evalkit.toml 中填写 as_of。",
    "出进度报告时既没有给出报告日期，evalkit.toml 中也没有评估截止日期 as_of。")
PROGRESS_CADENCE_UNKNOWN = register(
    "progress-cadence-unknown", ERROR,
    "报告周期「{value}」无法识别：可用 daily（日报告）、weekly（周调度）、monthly（月统筹）、bimonthly（双月汇总）。",
    "进度报告的周期不是日报告、周调度、月统筹、双月汇总之一。")
PROGRESS_UNIT_UNKNOWN = register(
    "progress-unit-unknown", ERROR, "单位「{record}」没有导入任务分解表，无法出进度报告{hint}"
                                    "请先运行 evalkit ledger import，或选择已导入的单位。",
    "为没有导入任务分解表的单位出进度报告。")
