"""The problems of :mod:`evalkit.sampling`: every code it can raise, with its message template and when it is raised."""

from __future__ import annotations

from evalkit.problems import ERROR, WARNING, register

# assign
ASSESSOR_ID_MISSING = register("assessor-id-missing", ERROR, "这一行没有评估员编号：请填写「编号」。",
    "评估员名单中某一行的编号为空。")
ASSESSOR_DUPLICATE = register("assessor-id-duplicate", ERROR, "评估员编号「{value}」重复（第 {first_row} 行已出现）：每名评估员只能列一次。",
    "评估员名单中同一编号出现在多行。")
ASSESSORS_EMPTY = register("assessors-empty", ERROR, "评估员名单 {file} 中没有评估员：请至少列出 {per_unit} 名。",
    "评估员名单中没有一名可用的评估员。")
ROLE_UNKNOWN = register(
    "assessor-role-unknown", ERROR,
    "评估员「{record}」的角色「{value}」无法识别：角色只能是 评估员、组长 或 复核员；该行在团队服务器上没有角色，登录后只会看到「请联系组长」。",
    "评估员名单「角色」列的值不是 评估员 / 组长 / 复核员。")
ACCOUNT_INVALID = register(
    "assessor-account-invalid", ERROR,
    "评估员「{record}」的账号「{value}」不能用作团队服务器的登录名：请只用小写字母、数字和 . _ -，以字母或数字开头（如 wanglei）。",
    "评估员名单「账号」列的登录名含有不允许的字符。")
ACCOUNT_DUPLICATE = register(
    "assessor-account-duplicate", ERROR,
    "评估员「{record}」的账号「{value}」与第 {first_row} 行重复：一个登录账号只能对应一名评估员，请改正。",
    "评估员名单中同一登录账号出现在多行。")
LINK_UNKNOWN = register(
    "assessor-link-unknown", WARNING,
    "评估员「{record}」的关联单位「{value}」不在单位名单中{hint}该回避关系未生效，请改正单位编号或名称。",
    "评估员的关联（回避）单位不是单位名单中的单位编号或名称。")
PER_UNIT_INVALID = register("assign-per-unit-invalid", ERROR, "每个单位的评估员人数「{value}」无效：应为不小于 1 的整数。",
    "每个单位的评估员人数不是不小于 1 的整数。")
UNIT_INFEASIBLE = register(
    "assign-unit-infeasible", ERROR,
    "单位「{record}」（{name}）只有 {eligible} 名无利害关系的评估员，少于每单位 {per_unit} 名：请增加评估员或减少每单位人数。",
    "某单位无利害关系的评估员人数少于每单位所需人数。")
UNBALANCED = register(
    "assign-unbalanced", WARNING,
    "由于回避关系，工作量无法做到相差不超过 1：现为每人 {low}–{high} 个单位；{who}。",
    "受回避关系所限，评估员之间派到的单位数相差超过 1。")
ASSIGN_EXISTS = register("assign-exists", ERROR, "派员记录 {file} 已存在：派员记录从不覆盖，请用 --id 另起一个编号。",
    "同一编号的派员记录文件已存在（派员记录从不覆盖）。")
ASSIGN_ID_UNSAFE = register(
    "assign-id-unsafe", ERROR, "派员编号「{value}」不能用作文件名：只能使用英文字母、数字、-、_ 和 .，以字母或数字开头。",
    "派员编号不能安全地用作文件名。")
NO_UNITS = register("assign-no-units", ERROR, "项目单位名单 {file} 无法使用：{detail}。请先用 evalkit validate 检查项目。",
    "派员时项目单位名单不存在、有错误或没有单位。")

# designs
METHOD_UNKNOWN = register("sample-method-unknown", ERROR, "抽样方法「{value}」无法识别：应为 {choices} 之一。",
    "抽样方法不是 srs、systematic、stratified、pps 之一。")
N_INVALID = register("sample-n-invalid", ERROR, "样本量「{value}」无效：应为不小于 1 的整数。",
    "未给出样本量（且不是指定分配），或样本量不是不小于 1 的整数。")
N_TOO_LARGE = register(
    "sample-n-too-large", ERROR, "样本量 {value} 超过了抽样框 {file} 的单元数 {population}：请减少样本量或改为普查。",
    "样本量大于抽样框中的单元总数。")
SEED_INVALID = register("sample-seed-invalid", ERROR, "随机种子「{value}」无效：应为不小于 0 的整数（请记下并公开所用的种子）。",
    "抽样或派员的随机种子不是不小于 0 的整数。")
RESERVE_INVALID = register("sample-reserve-invalid", ERROR, "备用样本数「{value}」无效：应为不小于 0 的整数。",
    "每层备用样本数不是不小于 0 的整数。")
STRATA_NEEDED = register("sample-strata-needed", ERROR, "分层随机抽样需要指定分层列（如「单位」或「类型」）：请用 --strata 给出。",
    "选了分层随机抽样却没有指定分层列。")
ALLOCATION_UNKNOWN = register("sample-allocation-unknown", ERROR, "分配方法「{value}」无法识别：应为 {choices} 之一。",
    "样本分配方法不是 proportional、equal、fixed 之一。")
FIXED_NEEDED = register("sample-fixed-needed", ERROR, "指定分配需要给出每层的样本量（例如 --fixed 'c1-01=3,c1-02=4'）。",
    "选了指定分配却没有给出各层的样本量。")
FIXED_UNKNOWN = register(
    "sample-fixed-unknown-stratum", ERROR, "指定分配中的分层「{record}」不在抽样框的「{column}」列中{hint}",
    "指定分配中写了抽样框里不存在的分层。")
FIXED_MISSING = register(
    "sample-fixed-missing-stratum", ERROR, "指定分配缺少分层「{record}」（{population} 个单元）的样本量：不抽的分层请写 0。",
    "指定分配没有给出抽样框中某个分层的样本量。")
FIXED_TOTAL = register("sample-fixed-total", ERROR, "指定分配各层之和为 {total}，与样本量 {value} 不一致。",
    "指定分配各层样本量之和与给出的总样本量不一致。")
STRATUM_TOO_SMALL = register(
    "sample-stratum-too-small", ERROR,
    "分层「{record}」只有 {population} 个单元，少于分配给它的 {wanted} 个：请减少该层样本量或合并分层。",
    "某分层的单元数少于指定分给它的样本量或每层最少样本量。")
ALLOCATION_INVALID = register("sample-allocation-invalid", ERROR, "无法分配样本：{detail}。",
    "每层最少样本量或某层指定样本量不是非负整数，或无法按所选方法分配。")

# draws
DRAW_ID_UNSAFE = register(
    "draw-id-unsafe", ERROR,
    "抽样编号「{value}」不能用作文件名：只能使用英文字母、数字、-、_ 和 .，以字母或数字开头，"
    "最长 64 个字符，且不能以 assign- 开头（例如 hotline-2024）。",
    "抽样编号不能安全地用作文件名，或以 assign- 开头。")
DRAW_EXISTS = register(
    "draw-exists", ERROR, "抽样记录 {file} 已存在：抽样记录从不覆盖。请用 --id 另起一个编号，或先核验已有的抽样。",
    "同一编号的抽样记录文件已存在（抽样记录从不覆盖）。")
DRAW_MISSING = register("draw-missing", ERROR, "找不到抽样记录 {file}：请检查抽样编号（现有：{found}）。",
    "要读取或核验的抽样编号在 draws/ 中没有记录文件。")
DRAW_UNREADABLE = register("draw-unreadable", ERROR, "抽样记录 {file} 无法读取：{detail}。该文件可能被改动或损坏。",
    "抽样记录文件无法解析（已被改动或损坏）。")
DRAW_FRAME_MISSING = register("draw-frame-missing", ERROR, "找不到抽样时使用的抽样框 {file}：无法核验该次抽样。",
    "核验抽样时，记录中的抽样框文件已不在项目中。")
DRAW_FRAME_CHANGED = register(
    "draw-frame-changed", ERROR,
    "抽样框 {file} 在抽样后被改动过（抽样时 sha256 {recorded}…，现在 {current}…）：该样本不再对应这份清单。"
    "请找回原文件，或用新清单重新抽样（新的抽样编号）。",
    "抽样框文件的 sha256 与抽样时记录的不同（文件已被改动）。")
DRAW_MISMATCH = register(
    "draw-mismatch", ERROR,
    "按记录的设计和种子重新抽样，得到的{what}与记录不一致：{detail}。抽样时的版本 {then}，现在 {now}。",
    "按记录的设计和种子重抽，分层样本量、入样或备用编号与记录不一致。")
FRAME_NAME_TAKEN = register(
    "draw-frame-name-taken", ERROR,
    "项目的 frames/ 中已有同名但内容不同的文件 {file}：请给抽样框换个文件名，或直接使用项目里的那份。",
    "项目 frames/ 中已有同名但内容不同的抽样框文件。")

# estimate
STATUS_UNKNOWN = register(
    "fieldwork-status-unknown", ERROR, "编号「{record}」的状态「{value}」无法识别：应为 已完成、拒访 或 无法联系（未联系的留空）。",
    "实地进度中某编号的状态不是已完成、拒访、无法联系或空白。")
ID_UNKNOWN = register("fieldwork-id-unknown", WARNING, "编号「{record}」不在抽样「{draw}」的样本或备用名单中：已忽略。",
    "实地进度中的编号不在该次抽样的样本或备用名单中。")
RESERVE_OUT_OF_ORDER = register(
    "fieldwork-reserve-out-of-order", WARNING,
    "备用单元「{record}」（分层「{stratum}」第 {order} 位）尚未轮到就已联系：备用样本必须按顺序启用，"
    "只有前面的单元拒访或无法联系时才能使用它。",
    "备用单元尚未因前面的单元拒访或无法联系而启用，却已填写了联系状态。")

# frames
FRAME_EMPTY = register("frame-empty", ERROR, "抽样框 {file} 没有任何单元：请至少列出一行{what}。",
    "抽样框中没有一行有可用的编号。")
FRAME_ID_MISSING = register("frame-id-missing", ERROR, "这一行没有编号：抽样框的每一行都必须有唯一的「{column}」。",
    "抽样框中某一行的编号为空。")
FRAME_ID_DUPLICATE = register(
    "frame-id-duplicate", ERROR,
    "编号「{value}」重复（第 {first_row} 行已出现）：重复列出的单元被抽中的机会会加倍，请删除或改正重复行。",
    "抽样框中同一编号出现在多行。")
FRAME_UNIT_UNKNOWN = register(
    "frame-unit-unknown", ERROR,
    "单位「{value}」不在项目单位名单中{hint}请改正单位编号或名称，或先把该单位加入单位名单。",
    "抽样框中所填的单位不是单位名单中的单位编号或名称。")
FRAME_UNIT_MISSING = register("frame-unit-missing", WARNING, "编号「{value}」这一行没有填写单位：不能按单位分层，请补填。",
    "抽样框有单位列，但某一行的单位为空。")
FRAME_COLUMN_NEEDED = register(
    "frame-column-needed", ERROR,
    "抽样框 {file} 缺少列「{column}」：{why}{hint}请在表头添加该列，或改用其他抽样方法。",
    "抽样框中缺少分层或按规模抽样（PPS）所需的列。")
FRAME_SIZE_INVALID = register(
    "frame-size-invalid", ERROR,
    "编号「{value}」的规模「{size}」无效：按规模成比例抽样（PPS）要求每个单元的「{column}」是大于 0 的数字。",
    "按规模抽样（PPS）时，某单元的规模不是大于 0 的数字。")
FRAME_STRATUM_EMPTY = register(
    "frame-stratum-empty", ERROR, "编号「{value}」的分层列「{column}」为空：分层抽样要求每一行都填写分层。",
    "分层抽样时，抽样框某一行的分层列为空。")

# designs: one code per argument of sample_size (sample-p-invalid, sample-margin-invalid …)
SIZE_CODES = {
    "p": register("sample-p-invalid", ERROR, "{label}「{value}」无效：{rule}。",
                      "计算样本量时预期比例 p 不是 0 到 1 之间的数。"),
    "margin": register("sample-margin-invalid", ERROR, "{label}「{value}」无效：{rule}。",
                      "计算样本量时边际误差不是大于 0 且小于 1 的数。"),
    "confidence": register("sample-confidence-invalid", ERROR, "{label}「{value}」无效：{rule}。",
                      "计算样本量时置信水平不是大于 0 且小于 1 的数。"),
    "deff": register("sample-deff-invalid", ERROR, "{label}「{value}」无效：{rule}。",
                      "计算样本量时设计效应不是大于 0 的数。"),
    "response_rate": register("sample-response-rate-invalid", ERROR, "{label}「{value}」无效：{rule}。",
                      "计算样本量时预期应答率不在大于 0 且不超过 1 的范围内。"),
    "population": register("sample-population-invalid", ERROR, "{label}「{value}」无效：{rule}。",
                      "计算样本量时给出的总体规模不是不小于 1 的整数。"),
}
