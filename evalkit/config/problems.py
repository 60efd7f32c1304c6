"""The problems of the project's set-up: ``evalkit.toml``, the folder layout, the unit list."""

from __future__ import annotations

from evalkit.problems import ERROR, WARNING, register

CONFIG_BAD = register(
    "config-invalid", ERROR, "项目配置 {file} 无法读取：{detail}。请按 TOML 格式改正。",
    "evalkit.toml 不是有效的 TOML 文件（语法错误或编码不是 UTF-8），整个文件按默认设置处理。")
CONFIG_VALUE_INVALID = register(
    "config-value-invalid", ERROR,
    "项目配置 {file} 中「{key}」的值 {value} 无效：{expected}。该设置暂按默认值处理，请改正。",
    "evalkit.toml 中某项设置的类型或取值不对（如日期写错、数字写成文字、文件路径指向项目以外）。")
CONFIG_KEY_UNKNOWN = register(
    "config-key-unknown", WARNING,
    "项目配置 {file} 中的「{key}」无法识别，已忽略。{hint}",
    "evalkit.toml 中有 evalkit 不认识的段或设置名（多半是拼写错误）。")

# units
UNIT_ID_DUPLICATE = register(
    "unit-id-duplicate", ERROR, "单位编号「{value}」重复（第 {first_row} 行已使用）：每个单位的编号必须唯一。",
    "单位名单中同一单位编号出现在多行。")
UNIT_ID_UNSAFE = register(
    "unit-id-unsafe", ERROR,
    "单位编号「{value}」不能安全地用作文件名：只能使用英文字母、数字、-、_ 和 .，以字母或数字开头，"
    "不含「..」，最长 64 个字符（例如 c1-01）。",
    "单位编号含不允许的字符、含「..」、过长或是系统保留名，不能用作文件名。")
UNIT_ID_MISSING = register("unit-id-missing", ERROR, "这一行没有单位编号：请填写编号（例如 c1-01）。",
    "单位名单中某一行的编号单元格为空。")
UNIT_NAME_MISSING = register("unit-name-missing", ERROR, "单位「{value}」没有名称：请填写单位全称。",
    "单位名单中某个单位的名称为空。")
UNIT_CATEGORY_UNKNOWN = register(
    "unit-category-unknown", ERROR,
    "单位「{value}」的类别「{category}」不在「类别」工作表中{hint}请改正类别，或在「类别」工作表中添加该类别。",
    "单位所填的类别不在「类别」工作表列出的类别编号中。")
UNIT_CATEGORY_MISSING = register("unit-category-missing", ERROR, "单位「{value}」没有填写类别：每个被评估单位必须属于一个类别。",
    "单位名单中某个单位的类别单元格为空。")
UNIT_KIND_UNKNOWN = register("unit-kind-unknown", ERROR, "单位「{value}」的类型「{kind}」无法识别：应为「部门」或「地区」。",
    "单位的类型既不是「部门」也不是「地区」。")
UNIT_PARENT_UNKNOWN = register(
    "unit-parent-unknown", ERROR, "单位「{value}」的上级地区「{parent}」不是已列出的单位编号{hint}请改正或留空。",
    "单位的上级地区不是单位名单中已有的单位编号。")
UNIT_NAME_AMBIGUOUS = register(
    "unit-name-ambiguous", ERROR,
    "单位「{value}」的名称「{name}」与单位「{first}」的名称、全称或别名相同：同一个名称只能指一个单位，"
    "请改正或删去其中一个。",
    "单位名单中两个单位的名称、全称或别名相同，无法据此认出单位。")
CATEGORY_DUPLICATE = register("category-duplicate", ERROR, "类别编号「{value}」重复：请删除重复的一行。",
    "「类别」工作表中同一类别编号出现在多行。")
CATEGORY_BAD_WEIGHT = register(
    "category-bad-weight", ERROR, "类别「{value}」的绩效权重「{weight}」无效：应为 0 到 1 之间的数字（如 0.7）。",
    "类别的绩效权重不是数字，或不在 0 到 1 之间。")
CATEGORY_BAD_FLAG = register("category-bad-flag", ERROR, "类别「{value}」的「仅通报」应填「是」或「否」，收到「{flag}」。",
    "类别的「仅通报」一栏填的不是「是」或「否」。")
UNITS_EMPTY = register("units-empty", WARNING, "单位名单 {file} 中没有单位：请在「单位」工作表中列出被评估单位。",
    "单位名单的「单位」工作表中没有一个可用的单位。")
