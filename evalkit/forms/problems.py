"""The problem codes of the XLSForm instruments.

The one place where :mod:`evalkit.forms` registers its codes (see :mod:`evalkit.problems`):
each with its severity, the Chinese message saying how to fix it, and one line saying when it
is raised.  Answers that break a form's rules are not problems here: the form engine returns
:class:`evalkit.forms.engine.FieldIssue` records, which the record checks turn into problems.
"""

from evalkit.problems import ERROR, WARNING, register

MAX_MB_LIMIT = 30  # below serve.WEBSOCKET_MAX_BYTES (32 MiB), so an over-limit photo still reaches the check

_AT = "{file} 工作表「{sheet}」第 {row} 行「{column}」列（字段 {field}）"

# ------------------------------------------------------------------ reading the workbook

PYXFORM_ERROR = register(
    "instrument-pyxform-error", ERROR,
    "pyxform 无法转换表单 {file}{where}：{detail}。请按提示修改该处后重新检查。",
    "pyxform 读取或转换该 XLSForm 工作簿时报错，且同一行没有 evalkit 自己的检查已报告的错误。")

# ------------------------------------------------------------------ evalkit's checks of the sheets

EXPRESSION_UNSUPPORTED = register(
    "instrument-expression-unsupported", ERROR,
    _AT + "的表达式「{expression}」无法使用：{detail}。表达式只能用 ${{字段}}、.、比较、+ - * div mod、"
    "and/or/not() 以及 selected()、if()、today() 等 evalkit 支持的函数。",
    "约束、相关性、计算或默认值列的表达式有语法错误，或用了 evalkit 不支持的函数或写法。")
REFERENCE_UNKNOWN = register(
    "instrument-reference-unknown", ERROR,
    _AT + "引用了不存在的字段 ${{{ref}}}。请改为表单中已有的字段名，或先添加该字段。{hint}",
    "表达式、标签或提示中用 ${…} 引用的字段名在表单中不存在。")
TYPE_UNSUPPORTED = register(
    "instrument-type-unsupported", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」列：字段 {field} 的类型「{type}」evalkit 表单不支持。"
    "请改用以下类型之一：{supported}。{hint}",
    "survey 工作表某行的字段类型不在 evalkit 表单支持的类型之列。")
ROLE_MISSING = register(
    "instrument-role-missing", ERROR,
    "{file} 工作表「{sheet}」没有「{column}」为 {role} 的字段（{label}）。请添加一行：type=text、name={role}、"
    "required=yes、{column}={role}。",
    "表单中没有 evalkit::role 为 unit（被评估单位）或 assessor（评估员）的字段。")
ROLE_UNKNOWN = register(
    "instrument-role-unknown", WARNING,
    _AT + "的角色「{role}」无法识别，已忽略。可用角色：unit、assessor、indicator、rating。{hint}",
    "某行 evalkit::role 列的取值不是 unit、assessor、indicator、rating 之一。")
INDICATOR_UNKNOWN = register(
    "instrument-indicator-unknown", ERROR,
    _AT + "的指标代码「{indicator}」不在指标体系中。请改为指标体系中的代码（多个代码用英文逗号分隔），"
    "或先在指标体系中添加该指标。{hint}",
    "evalkit::indicator 列或选择指标字段的选项中有指标体系里没有的指标代码。")
INDICATOR_CHOOSER_MISSING = register(
    "instrument-indicator-chooser-missing", ERROR,
    _AT + "写的是 *（由表单选择指标），但表单中没有「evalkit::role」为 indicator 的字段。"
    "请添加 type=select_one indicator、evalkit::role=indicator 的字段。",
    "某行的 evalkit::indicator 写 *（由表单选择指标），但表单中没有角色为 indicator 的字段。")
FIELD_DUPLICATE = register(
    "instrument-field-duplicate", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」列：字段名 {field} 与第 {first_row} 行重复。"
    "字段名在整张表单中必须唯一，请改名。",
    "同一个字段名（不分大小写）在 survey 工作表中出现了不止一次。")
SETTING_MISSING = register(
    "instrument-setting-missing", ERROR,
    "{file} 的工作表「{sheet}」缺少「{column}」{detail}。请在 settings 工作表第 1 行加列名 {column}、"
    "第 2 行填写取值（例如 {example}）。",
    "settings 工作表没有填写 form_id 或 version，或整个 settings 工作表都不存在。")
REQUIRED_UNSUPPORTED = register(
    "instrument-required-unsupported", ERROR,
    _AT + "的值「{value}」无法使用：evalkit 表单的必填列只支持 yes 或 no（不支持条件必填）。"
    "需要条件必填时，请填 yes 并用 relevant 列控制何时显示该字段。",
    "required 列的值不是 yes、no（或 true、false 等），例如写了条件表达式。")
MAX_MB_INVALID = register(
    "instrument-max-mb-invalid", ERROR,
    _AT + "的照片大小上限「{value}」无效：请填写 0 到 " + str(MAX_MB_LIMIT) + " 之间以 MB 为单位的数，例如 10"
    "（表单服务一次最多接收 32 MB）。",
    "evalkit::max_mb 列的照片大小上限不是大于 0、不超过 " + str(MAX_MB_LIMIT) + " 的数。")
MIN_REPEATS_INVALID = register(
    "instrument-min-repeats-invalid", ERROR,
    _AT + "的最少条数「{value}」无效：evalkit::min_repeats 只能写在 begin_repeat 行，取 0 到 100 的整数，"
    "例如测试电话至少 1 条就写 1。",
    "evalkit::min_repeats 列写在了不是 begin_repeat 的行上，或不是 0 到 100 的整数。")
