"""The problems of the units' self-assessments: the filled workbook's unit, framework, rows and
numbers, its import into the project, and the stored copies read back."""

from __future__ import annotations

from evalkit.problems import ERROR, INFO, WARNING, register

# the workbook: whose it is and which framework it was made from
UNIT_UNKNOWN = register(
    "selfassess-unit-unknown", ERROR,
    "自评表 {file} 的单位「{value}」不在单位名单中{hint}请填写单位名单中的单位编号（如 c1-01）。",
    "自评表写明的（或导入时指定的）单位不在项目的单位名单中。")
UNIT_MISMATCH = register(
    "selfassess-unit-mismatch", ERROR,
    "自评表 {file} 工作表「{sheet}」写的单位是「{value}」，与导入时指定的单位「{expected}」不一致："
    "请确认是否拿错了文件。",
    "自评表中写的单位编号与导入时用 --unit 指定的单位不同。")
UNIT_MISSING = register(
    "selfassess-unit-missing", ERROR,
    "自评表 {file} 没有写明单位：请在工作表「说明」的「单位编号」一行填写，或导入时加 --unit。",
    "自评表的「说明」和「模板信息」工作表都没有单位编号，导入时也没有指定单位。")
FRAMEWORK_MISMATCH = register(
    "selfassess-framework-mismatch", ERROR,
    "自评表 {file} 是按框架「{value}」生成的，本项目的框架是「{expected}」："
    "请用 evalkit selfassess template 重新生成自评表。",
    "自评表的模板信息记录的框架编号与本项目的框架不同。")
FRAMEWORK_CHANGED = register(
    "selfassess-framework-changed", WARNING,
    "自评表 {file} 生成后项目框架有改动：已按当前框架逐项核对编码和分值；如有疑问请重新下发自评表。",
    "自评表生成后，项目框架末级指标的编码、分值或是否按比率计分有了改动（框架摘要不符）。")

# the rows: one per leaf indicator, codes as the template wrote them
INDICATOR_UNKNOWN = register(
    "selfassess-indicator-unknown", ERROR,
    "工作表「{sheet}」第 {row} 行的指标编码「{value}」不在框架中{hint}请按模板的编码填写。",
    "自评表某行的指标编码不在框架中，或编码为空而该行填了自评内容。")
INDICATOR_NOT_LEAF = register(
    "selfassess-indicator-not-leaf", ERROR,
    "工作表「{sheet}」第 {row} 行的指标 {indicator} 不是末级指标：请在它的下级指标（{children}）各行自评。",
    "自评表某行的编码是框架中有下级指标的上级指标。")
INDICATOR_DUPLICATE = register(
    "selfassess-indicator-duplicate", ERROR,
    "工作表「{sheet}」第 {row} 行的指标 {indicator} 与第 {other} 行重复：每个指标只填一行，请删除一行。",
    "自评表中同一个指标编码出现在不止一行。")
CODE_EDITED = register(
    "selfassess-code-edited", ERROR,
    "工作表「{sheet}」第 {row} 行的编码被改成了「{value}」，模板原为 {expected}："
    "编码列不能修改，请恢复原编码（或重新生成模板后再填）。",
    "自评表某行的编码与模板信息中该行原有的编码不同。")
ROW_MISSING = register(
    "selfassess-row-missing", WARNING,
    "自评表 {file} 缺少指标 {indicator}（{name}）一行：该指标视为未自评。如需自评请从模板补回该行。",
    "框架中某个应自评的末级指标在自评表中没有对应的行。")
SCORE_MISSING = register(
    "selfassess-score-missing", WARNING,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 没有填写自评分：该指标视为未自评。",
    "自评表某个指标一行的自评分为空。")

# the numbers: self-score, 分子 / 分母 / 比率
NOT_NUMBER = register(
    "selfassess-not-number", ERROR,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）的「{value}」不是数字：请只填写数字{unit_hint}。",
    "自评分、分子、分母或比率单元格的内容无法读成数字。")
NEGATIVE = register(
    "selfassess-negative", ERROR,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）为 {value}，不能小于 0：请改正。",
    "自评分、分子、分母或比率填了负数。")
SCORE_ABOVE = register(
    "selfassess-score-above-points", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的自评分 {value} 超过该指标分值 {points}："
    "请填写 0 到 {points} 之间的分数。",
    "自评分大于该指标在框架中的分值。")
RATE_ABOVE = register(
    "selfassess-rate-above-100", ERROR,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）的比率 {value}% 超过 100%："
    "比率应在 0 到 100 之间，请核对分子、分母。",
    "所填比率（按百分数）大于 100。")
RATE_SMALL = register(
    "selfassess-rate-small", WARNING,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）填的是 {value}："
    "比率按百分数填写，将按 {value}% 计。如指 {percent}%，请填 {percent}。",
    "比率单元格填了 0 到 1 之间的数字且不是百分比格式，可能是按小数而不是按百分数填写的。")
NUM_EXCEEDS = register(
    "selfassess-numerator-exceeds", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的分子 {value} 大于分母 {denominator}：比率不能超过 100%，请核对。",
    "按比率计分的指标所填分子大于分母。")
DEN_ZERO = register(
    "selfassess-denominator-zero", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的分母为 0："
    "请填写实际的件数（大于 0），或把分子、分母都留空。",
    "按比率计分的指标所填分母为 0。")
SHARE_INCOMPLETE = register(
    "selfassess-share-incomplete", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 只填了{given}，没有填{missing}："
    "分子和分母要一起填写（也可以只填比率）。",
    "按比率计分的指标只填了分子和分母中的一个。")
RATE_MISMATCH = register(
    "selfassess-rate-mismatch", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的分子/分母 = {computed}%，与所填比率 {value}% 不一致："
    "请核对后只保留正确的数字。",
    "分子除以分母得到的比率与所填比率相差超过 0.5 个百分点。")
SHARE_NOT_MEASURED = register(
    "selfassess-share-not-measured", WARNING,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 不按比率计分，「{column}」列的内容已忽略："
    "该指标只需填写自评分和佐证材料。",
    "不按比率计分的指标填了分子、分母或比率。")

# the import into the project and the stored copies
IMPORT_EXISTS = register(
    "selfassess-import-exists", ERROR,
    "单位 {record} 的自评表已经导入过（{file}），这次的文件内容不同："
    "如要以新文件替换，请加 --replace（旧文件保存在 selfassess/history/）。",
    "该单位已导入过内容不同的自评表，这次导入没有加 --replace。")
UNCHANGED = register(
    "selfassess-unchanged", INFO,
    "单位 {record} 的自评表与已导入的文件完全相同：没有改动。",
    "导入的自评表与该单位已导入的文件逐字节相同。")
STORED_DAMAGED = register(
    "selfassess-stored-damaged", ERROR,
    "项目中的自评数据 {file} 无法读取或已被改动（{detail}）："
    "请重新导入该单位的自评表（evalkit selfassess import --replace）。",
    "项目 selfassess/ 中的自评数据无法读取、格式不对、与文件名的单位不符，或保存的自评表与记录的校验值不一致。")
STORED_STALE = register(
    "selfassess-stored-stale", WARNING,
    "已导入的自评数据 {file} 中的指标 {indicator} {detail}：框架在导入后有改动，请让该单位按新模板重新自评。",
    "已导入的自评中某指标已不在框架中、已不是末级指标，或自评分超过该指标现在的分值。")
