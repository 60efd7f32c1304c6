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
    "记录 {record} 的修订 {file} 指向的上一修订 {parent} 不存在（文件缺失、已损坏或被改动过）。请从提交或修改该记录的电脑、"
    "数据包或备份中找回名为 {parent}.json 的修订文件，放回 raw/{record}/。",
    "记录的某个修订所指的上一修订在记录库中不存在或无法读取（中间的修订被删除或改动）。")
RECORD_HASH_MISMATCH = register(
    "record-hash-mismatch", ERROR,
    "修订 {file} 的内容与它的名称（内容的 sha256）不符，实际 sha256 以 {actual} 开头：文件在写入后被改动过或被改名，"
    "已不予采用。raw/ 中的文件不能手工编辑或改名：请从提交该记录的电脑、数据包或备份中找回原始文件替换它。",
    "修订文件或数据包中的修订，其内容的 sha256 与其名称不符（被改动过一个字节、被改名或被替换）。")
RECORD_RULE = register(
    "record-revision-rule", ERROR,
    "记录 {record} 的修订 {file} 违反修订规则：{detail}。evalkit 自己从不写出这样的修订：它是手工或其他程序做出的，"
    "请从提交该记录的电脑、数据包或备份中找回原始文件，并告知项目负责人。",
    "修订与其上一修订之间的变化不符合该种修订的规则（如审核改了答案、提交不是「已接收」、删除改了内容）。")
RECORD_TIME_ORDER = register(
    "record-time-order", WARNING,
    "记录 {record} 的修订 {file} 的时间 {when} 早于它的上一修订（{parent_when}）：可能是某台电脑的时钟不准，"
    "或修订的顺序被改动过。请核对该记录的修改历史。",
    "修订的时间早于它所指的上一修订。")
STORE_OLD_FORMAT = register(
    "store-old-format", ERROR,
    "raw/ 中有 {count} 个旧格式（evalkit.record/1）的修订文件（如 {file}），它们不会被读取、计分或导出。"
    "请运行 evalkit store convert {project} 把它们转换为新格式（每条记录、修订和审核都会保留，原文件移到 backup/store-v1/）。",
    "项目的记录库中还有旧格式（evalkit.record/1，以 uuid 命名）的修订文件。")
PACK_DAMAGED = register(
    "store-pack-damaged", ERROR,
    "记录包 {file} 已损坏或被改动过（{detail}）：{salvage}。记录包不能手工编辑：请从备份中找回同名文件替换它，"
    "或把它移到项目文件夹以外后从各评估员的电脑重新导入数据包。",
    "raw/packs/ 中的记录包内容与其名称（文件的 sha256）不符，或无法读取。")
PACK_STRAY = register(
    "store-pack-stray", WARNING,
    "raw/packs/ 中的 {file} 不是 evalkit 记录包，已忽略：请把它移到项目文件夹以外。",
    "raw/packs/ 中有名称不符合 pack-<sha256>.pack 的文件。")

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
