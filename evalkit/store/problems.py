"""The problems of :mod:`evalkit.store`: every code it can raise, with its message template and when it is raised."""

from __future__ import annotations

from evalkit.problems import ERROR, WARNING, register

# checks
ANSWER_INVALID = register(
    "record-answer-invalid", ERROR,
    "记录 {record}（{instrument}，单位 {unit}，评估员 {assessor}）的字段 {field}：{detail}。"
    "请在「我的记录」中更正这条记录，或由评估组长审核时退回。",
    "已存储记录的某个回答不符合调查工具的类型、必填、约束或选项规则。")
INSTRUMENT_UNKNOWN = register(
    "record-instrument-unknown", ERROR,
    "记录 {record} 使用的调查工具「{instrument}」不在项目的 instruments/ 文件夹中：请放回该调查工具，否则无法检查和计分。",
    "记录所用的调查工具不在项目的 instruments/ 文件夹中。")
INSTRUMENT_CHANGED = register(
    "record-instrument-changed", WARNING,
    "记录 {record} 是用调查工具 {instrument} 的版本 {version} 填写的，而项目中的是版本 {current}"
    "（文件内容也不同）：已按当前版本检查，请核对字段是否仍然对应。",
    "记录填写时所用调查工具的版本号和文件内容都与项目当前的不同。")
UNIT_UNKNOWN = register(
    "record-unit-unknown", ERROR,
    "记录 {record} 的被评估单位「{unit}」不在单位名单中：请更正记录中的单位，或把该单位加入单位名单。",
    "记录中的被评估单位不在项目的单位名单中。")

# records
RECORD_STRAY = register(
    "record-stray-file", WARNING,
    "raw/ 中的 {file} 不是 evalkit 记录文件，已忽略。raw/ 只能由 evalkit 写入：请把它移到项目文件夹以外。",
    "raw/ 或记录文件夹中有不是 evalkit 记录（名称或类型不符）的文件或文件夹。")

# revisions
RECORD_DAMAGED = register(
    "record-damaged", ERROR,
    "记录文件 {file} 已损坏，无法读取（{detail}）。其余记录照常读取。请不要删除此文件：从提交该记录的电脑或备份中"
    "找回同名文件替换它；找不到时请告知项目负责人。",
    "记录修订文件或文件夹无法读取，或内容不是可解析的 JSON。")
RECORD_INVALID = register(
    "record-invalid", ERROR,
    "文件 {file} 不是有效的 evalkit 记录（{detail}），已忽略。raw/ 中的文件不能手工编辑：请从提交该记录的电脑或备份中"
    "找回原始文件替换它。",
    "记录修订文件能解析，但格式版本、字段或编号不符合 evalkit 记录格式。")
RECORD_ORPHAN = register(
    "record-orphan-revision", ERROR,
    "记录 {record} 的修订 {file} 指向的上一修订 {parent} 不存在（文件缺失或已损坏）。请从提交或修改该记录的电脑、"
    "或备份中把 raw/{record}/{parent}.json 复制回来。",
    "记录的某个修订所指的上一修订在记录文件夹中不存在或无法读取。")
RECORD_CONFLICT = register(
    "record-conflict", WARNING,
    "记录 {record} 有互相冲突的修改（可能两台电脑修改了同一条记录）：目前采用时间最晚的修订 {current}，"
    "另有修订 {others} 均已保留。请核对各修订（查看修改历史），再以「解决冲突」方式修改一次该记录，确定最终答案。",
    "同一记录有多个互不继承的最新修订（如两台电脑各自修改了它）。")

# records: review decisions
REVIEW_COMMENT_MISSING = register(
    "review-comment-missing", ERROR,
    "把记录 {record} 标为「{state}」时必须填写审核意见：请写明评估员需要更正或补充的内容，记录的审核状态没有改变。",
    "评估组长把记录标为有问题或退回，却没有写审核意见。")
REVIEW_WHO_MISSING = register(
    "review-reviewer-missing", ERROR,
    "审核记录 {record} 时没有审核人：请写明审核人姓名，记录的审核状态没有改变。",
    "审核决定没有写明审核人。")
