"""The problem codes of :mod:`evalkit.interop`: bundles and imports, in one static catalogue.

Every code the package raises is registered here (code, severity, Chinese template saying how to
fix it, and a one-line description of when it is raised); the modules import the constants.
Imports only :mod:`evalkit.problems`.
"""

from __future__ import annotations

from evalkit.problems import ERROR, INFO, WARNING, register

_AT = "{file}{where}"   # an import's location: the file, then 工作表「x」第 3 行「y」列

# ---------------------------------------------------------------- field-laptop bundles

BUNDLE_UNREADABLE = register(
    "bundle-unreadable", ERROR,
    "文件 {file} 不是完整的 evalkit 数据包（{detail}）：可能拷贝或下载不完整。什么也没有导入；"
    "请让对方重新导出并发送。",
    "数据包不是可读的 zip 文件，或缺少 bundle.json / bundle.sha256，或有重名成员。")
BUNDLE_CHECKSUM = register(
    "bundle-checksum", ERROR,
    "数据包 {file} 的校验和不符（{detail}）：文件已损坏或被改动过。什么也没有导入；请让对方重新导出并发送。",
    "数据包中 bundle.json 的 sha256 与 bundle.sha256 中写的不一致。")
BUNDLE_INDEX_INVALID = register(
    "bundle-index-invalid", ERROR,
    "数据包 {file} 的目录 bundle.json 无效（{detail}）：不是本版本 evalkit 导出的数据包。什么也没有导入；"
    "请用 evalkit bundle export 重新导出。",
    "数据包的目录 bundle.json 不是有效的 JSON，或其格式、种类、项目标识、成员列表不符合 evalkit.bundle/2。")
BUNDLE_MEMBER_HASH = register(
    "bundle-member-hash", ERROR,
    "数据包 {file} 中的 {field} 与目录记录的 sha256 / 大小不符（{detail}）：文件已损坏或被改动过。什么也没有导入；"
    "请让对方重新导出并发送。",
    "数据包中某个成员的 sha256 或大小与目录 bundle.json 记录的不同，或无法读出。")
BUNDLE_MEMBER_MISSING = register(
    "bundle-member-missing", ERROR,
    "数据包 {file} 的目录列出了 {field}，但包中没有这个文件：数据包不完整。什么也没有导入；请让对方重新导出并发送。",
    "目录 bundle.json 列出的成员不在数据包中。")
BUNDLE_MEMBER_UNLISTED = register(
    "bundle-member-unlisted", ERROR,
    "数据包 {file} 中的 {field} 不在目录 bundle.json 中（数据包被改动过）。什么也没有导入；请让对方重新导出并发送。",
    "数据包中有目录 bundle.json 没有列出的成员。")
BUNDLE_PATH_UNSAFE = register(
    "bundle-path-unsafe", ERROR,
    "数据包 {file} 中的路径「{field}」不允许（只能是 raw/packs/pack-<sha256>.pack、raw/attachments/<sha256>.<扩展名> 或项目"
    "设置文件，不能含 ..、绝对路径或隐藏文件）。什么也没有导入：这不是 evalkit 导出的数据包，请勿使用。",
    "数据包中某个成员的路径不是记录、附件或设置文件允许的形式（如含 ..、绝对路径或隐藏文件名）。")
BUNDLE_ATTACHMENT_HASH = register(
    "bundle-attachment-hash", ERROR,
    "数据包 {file} 中附件 {field} 的内容与文件名中的 sha256 不符（实际为 {actual}…）：附件已损坏或被改动过。"
    "什么也没有导入；请让对方重新导出并发送。",
    "数据包中某个附件的内容与其文件名中的 sha256 不符。")
BUNDLE_RECORD_INVALID = register(
    "bundle-record-invalid", ERROR,
    "数据包 {file} 中的修订 {field} 不是有效的 evalkit 记录（{detail}）。什么也没有导入；"
    "请让对方用 evalkit validate 检查其项目后重新导出。",
    "数据包中的记录包无法读取，或其中某个修订与其哈希不符、不是有效的 evalkit 修订。")
BUNDLE_SETUP_INVALID = register(
    "bundle-setup-invalid", ERROR,
    "数据包 {file} 中的设置文件 {field} 无法读取（{detail}）。什么也没有导入；请让项目负责人重新导出设置包。",
    "设置包中的 evalkit.toml 或 .json 文件过大或无法解析。")
BUNDLE_OLD_FORMAT = register(
    "bundle-old-format", ERROR,
    "数据包 {file} 是旧格式（evalkit.bundle/1，记录未签名、未按内容哈希命名），不再导入。请对方升级 evalkit，运行 "
    "evalkit store convert 转换其项目，用 evalkit keys new 生成密钥并交项目负责人登记后，重新导出数据包。",
    "数据包的格式是旧的 evalkit.bundle/1。")
BUNDLE_SIGNATURE_INVALID = register(
    "bundle-signature-invalid", ERROR,
    "数据包 {file} 的签名无效（{detail}）：数据包在签名后被改动过，或不是用 evalkit 导出的。什么也没有导入；"
    "请让对方重新导出并发送。",
    "数据包的签名 bundle.sig 无法读取，或与 bundle.json 的内容不符。")
BUNDLE_UNSIGNED = register(
    "bundle-unsigned", ERROR,
    "数据包 {file} 没有签名，无法确认它来自哪台电脑：什么也没有导入。请让对方用 evalkit keys new 生成密钥、"
    "交项目负责人登记（evalkit keys register），再用 evalkit bundle export --key 重新导出；确需导入时加 --allow-unsigned"
    "（会记录在 imports/ 中，并在 evalkit validate 中提示）。",
    "数据包没有签名，且导入时没有给 --allow-unsigned。")
BUNDLE_UNSIGNED_ALLOWED = register(
    "bundle-unsigned-allowed", WARNING,
    "数据包 {file} 没有签名，因给了 --allow-unsigned 仍按规则检查后导入；这一点记录在 {receipt} 中。",
    "没有签名的数据包因给了 --allow-unsigned 仍然导入。")
BUNDLE_KEY_UNKNOWN = register(
    "bundle-key-unknown", ERROR,
    "数据包 {file} 由密钥 {key}（{person}）签名，但本项目没有登记这个密钥{revoked}：什么也没有导入。"
    "请核实对方身份后用 evalkit keys register 项目 {key}.pub.json --role … 登记，再重新导入。",
    "签名数据包的密钥没有在项目的 keys/ 中登记，或已被吊销，或与登记的公钥不符。")
BUNDLE_RULE = register(
    "bundle-rule", ERROR,
    "数据包 {file} 中记录 {record} 的修订 {field}（{kind}，{who}，{when}）违反规则：{rule}。什么也没有导入；"
    "数据包只能带来证据，不能带来权限。{hint}",
    "数据包中的某个新修订不符合导入规则（签名者无权审核或更正、审核改了答案、提交不是「已接收」、时间在未来、附件未被引用或过大）。")
BUNDLE_IMPORTED_UNSIGNED = register(
    "bundle-imported-unsigned", WARNING,
    "{file}：没有签名的数据包 {bundle} 曾因 --allow-unsigned 被导入（{when}，新增 {count} 个修订）：这些修订的来源"
    "无法由签名确认，请核对。",
    "项目的 imports/ 中有因 --allow-unsigned 导入的无签名数据包的记录。")
BUNDLE_OTHER_PROJECT = register(
    "bundle-other-project", ERROR,
    "数据包 {file} 来自另一个项目（{theirs}），而这里是项目 {ours}：什么也没有导入。请确认选对了项目文件夹；"
    "确实要合并时加 --other-project。",
    "数据包的项目标识与导入目标项目的不同，且没有给 --other-project。")
BUNDLE_OTHER_PROJECT_FORCED = register(
    "bundle-other-project-forced", WARNING,
    "数据包 {file} 来自另一个项目（{theirs}），这里是项目 {ours}：因为给了 --other-project，仍然导入。",
    "数据包来自另一个项目，因给了 --other-project 仍然导入。")
BUNDLE_NOT_A_PROJECT = register(
    "bundle-not-a-project", ERROR,
    "{file} 不是 evalkit 项目（没有 evalkit.toml），不能导入记录数据包："
    "请先导入项目负责人发来的设置包（evalkit bundle export 项目 --setup 导出），或选择正确的项目文件夹。",
    "导出数据包或导入记录包时，项目文件夹中没有可读的 evalkit.toml。")
BUNDLE_FILE_DIFFERS = register(
    "bundle-file-differs", ERROR,
    "项目中已有 {file}，但内容与数据包中的不同（项目中 {ours}…，数据包中 {theirs}…）：evalkit 从不覆盖文件，"
    "什么也没有导入。{hint}",
    "项目中已有与数据包成员同名的文件，内容却不同（且不是 --update-setup 可替换的设置文件）。")
BUNDLE_PARENT_MISSING = register(
    "bundle-parent-missing", ERROR,
    "数据包 {file} 中记录 {record} 的修订 {field} 的上一修订 {parent} 既不在数据包中也不在本项目中（导出时用了 --sinc"
    "e 且日期太晚？）。什么也没有导入；请让对方不加 --since（或用更早的日期）重新导出。",
    "数据包中某个修订的上一修订既不在数据包中，也不在项目中。")
BUNDLE_PATH_OUTSIDE = register(
    "bundle-path-outside", ERROR,
    "项目中的 {file} 指向项目文件夹以外（符号链接）：为安全起见不向那里写入，什么也没有导入。请把它换成普通文件夹。",
    "导入时，项目中要写入的位置经符号链接指向项目文件夹以外。")
BUNDLE_WRITE_FAILED = register(
    "bundle-write-failed", ERROR,
    "写入 {file} 时出错（{detail}）：已放入项目的 {placed} 个文件都是完整的，其余未写入。排除问题（如磁盘已满）"
    "后重新导入同一个数据包即可补齐。",
    "数据包校验通过后，把文件放入项目时出错（如磁盘已满），只放入了一部分。")
BUNDLE_SOURCE_SKIPPED = register(
    "bundle-source-skipped", WARNING,
    "{file} 无法读取或不是有效的记录文件，未放入数据包（{detail}）：请先用 evalkit validate 检查并修复。",
    "导出记录包时，raw/ 中的某个修订文件不是普通文件、无法读取或无效。")
BUNDLE_ATTACHMENT_MISSING = register(
    "bundle-attachment-missing", WARNING,
    "记录 {record} 引用的附件 {file} 不在 raw/attachments/ 中或内容已损坏，未放入数据包："
    "请从拍摄照片的电脑或备份中找回。",
    "导出记录包时，记录引用的附件不在 raw/attachments/ 中，或内容与文件名中的 sha256 不符。")
BUNDLE_SETUP_SKIPPED = register(
    "bundle-setup-skipped", WARNING,
    "设置文件 {file} 不在项目文件夹的根目录或 instruments/、frames/、draws/ 中（或文件名不适合），未放入设置包："
    "请把它移到项目文件夹中并在 evalkit.toml 中改用相对路径。",
    "导出设置包时，evalkit.toml 指定的框架或单位名单在项目文件夹以外，或文件名不适合放入数据包。")
BUNDLE_PROJECT_NO_ID = register(
    "bundle-project-no-id", INFO,
    "项目 {file} 没有 project_id，按项目名称「{name}」识别：运行 evalkit bundle id 项目 --new 生成项目编号后，"
    "再向各评估员发送设置包，可避免同名项目混淆。",
    "导出数据包时，项目的 evalkit.toml 中没有 project_id。")

# ---------------------------------------------------------------- imports (ODK Central, KoboToolbox, tables)

IMPORT_INSTRUMENT_UNKNOWN = register(
    "import-instrument-unknown", ERROR,
    "项目 {file} 的 instruments/ 中没有编号为「{instrument}」的调查工具{hint}。"
    "请用 --instrument 给出项目中已有的调查工具编号（settings 工作表的 form_id），可用的有：{known}。",
    "项目 instruments/ 中没有与 --instrument 编号相同的调查工具。")
IMPORT_FORMAT_UNKNOWN = register(
    "import-format-unknown", ERROR,
    "无法按 {source} 导出读取 {file}：{detail}。请提供 {expected}。",
    "要导入的文件的扩展名、编码或内容不是所选来源的导出格式。")
IMPORT_COLUMN_UNKNOWN = register(
    "import-column-unknown", ERROR,
    _AT + "在调查工具 {instrument}（版本 {version}）中没有对应的字段{hint}。导出很可能来自另一版本的表单："
    "请用与项目中相同版本的表单导出，或把项目中的调查工具换成采集时用的版本。",
    "ODK / Kobo 导出中有一列对应不到调查工具中的任何字段。")
IMPORT_COLUMN_MISSING = register(
    "import-column-missing", ERROR,
    _AT + "（表头）缺少必填字段 {field}（{label}）的列「{column}」。导出很可能来自另一版本的表单："
    "请用与项目中相同版本的表单导出。",
    "导出缺少必填字段、记录编号、重复组链接或 --assessor-column 指定的列。")
IMPORT_COLUMN_MISSING_OPTIONAL = register(
    "import-column-missing-optional", WARNING,
    _AT + "（表头）没有字段 {field}（{label}）的列「{column}」，该字段按未填写导入。如导出来自另一版本的表单，"
    "请核对。",
    "导出没有某个非必填字段的列。")
IMPORT_VERSION_DIFFERS = register(
    "import-version-differs", ERROR,
    _AT + "写的表单版本是「{value}」（{count} 条记录），而项目中的调查工具 {instrument} 是版本「{version}」。"
    "请用同一版本的表单导出；确认字段完全相同时可加 --any-version 照常导入。",
    "导出中的表单版本与项目中调查工具的版本不同，且没有给 --any-version。")
IMPORT_VERSION_ACCEPTED = register(
    "import-version-accepted", WARNING,
    _AT + "的表单版本「{value}」与项目中的版本「{version}」不同，因 --any-version 仍按当前版本检查并导入。",
    "导出中的表单版本与项目中调查工具的版本不同，因给了 --any-version 仍然导入。")
IMPORT_ID_MISSING = register(
    "import-id-missing", ERROR,
    _AT + "为空，这一行没有记录编号：无法判断是否已导入过。请从 {source} 重新导出完整的数据。",
    "ODK / Kobo 导出中某一行的记录编号为空。")
IMPORT_ID_DUPLICATE = register(
    "import-id-duplicate", ERROR,
    _AT + "的记录编号「{value}」与第 {first_row} 行重复：同一份问卷出现了两次。请删去重复的一行后再导入。",
    "ODK / Kobo 导出中两行的记录编号相同。")
IMPORT_REPEAT_ORPHAN = register(
    "import-repeat-orphan", ERROR,
    _AT + "：这一重复组行的上级记录「{value}」在导出中不存在。请导出完整的数据（主表和所有重复组表一起）。",
    "重复组表中的一行链接不到主表或上级重复组中的任何一行。")
IMPORT_REPEAT_TABLE_UNKNOWN = register(
    "import-repeat-table-unknown", ERROR,
    "{file}{where} 看起来是重复组「{name}」的表，但调查工具 {instrument} 中没有这个重复组{hint}。"
    "导出很可能来自另一版本的表单。",
    "导出中有一张看似重复组的表，而调查工具中没有这个重复组。")
IMPORT_REPEAT_TABLE_MISSING = register(
    "import-repeat-table-missing", WARNING,
    "{file} 中没有调查工具 {instrument} 的重复组「{field}」（{label}）的表，该重复组按未填写导入。"
    "ODK 请导出包含重复组的 .zip，KoboToolbox 请导出 .xlsx（CSV 导出不含重复组）。",
    "调查工具有重复组，而导出中没有它的表。")
IMPORT_VALUE_INVALID = register(
    "import-value-invalid", ERROR,
    _AT + "（字段 {field}）：{detail}。请在{fix}，或加 --skip-invalid 只导入没有问题的记录。",
    "导入的一条记录的答案没有通过调查工具的检查（与表单录入的检查相同）。")
IMPORT_UNIT_UNKNOWN = register(
    "import-unit-unknown", ERROR,
    _AT + "的被评估单位「{value}」不在项目的单位名单中{hint}。请更正为单位名单中的编号（如 c1-01），"
    "或先把该单位加入单位名单。",
    "导入记录的被评估单位不在项目的单位名单中。")
IMPORT_UNITS_UNREADABLE = register(
    "import-units-unreadable", WARNING,
    "项目的单位名单 {file} 无法读取，本次导入未核对单位编号：请先用 evalkit validate 修好单位名单。",
    "导入时项目的单位名单无法读取，未核对单位编号。")
IMPORT_REVIEW_UNKNOWN = register(
    "import-review-unknown", WARNING,
    _AT + "的审核状态「{value}」无法识别，按「已接收」（未审核）导入。可识别的值：{known}。",
    "导出中的审核状态不是可识别的 ODK / Kobo 审核状态。")
IMPORT_LABEL_MAPPED = register(
    "import-label-mapped", INFO,
    "{file}{where}有 {count} 个答案写的是选项标签（如「{label}」），已按调查工具的选项表换成代码（如 {example_code}）"
    "。",
    "要导入的某一列用选项标签而不是选项代码作答，已换成代码。")
IMPORT_PHOTO_SKIPPED = register(
    "import-photo-skipped", WARNING,
    _AT + "的照片字段 {field} 有文件「{value}」：照片不随表格导入，该字段按未填写导入。"
    "请在 evalkit 中更正该记录补传照片。",
    "导入的照片字段写有文件名，而照片不随导入带入。")
IMPORT_SKIPPED_INVALID = register(
    "import-skipped-invalid", WARNING,
    "{file} 中有 {count} 条记录有错误，因 --skip-invalid 未导入：{rows}。其余记录已导入。",
    "有错误的记录因 --skip-invalid 没有导入。")
IMPORT_ALREADY_IMPORTED = register(
    "import-already-imported", INFO,
    "{file} 中有 {count} 条记录此前已经导入过，本次没有重复导入。",
    "要导入的文件中有记录此前已经导入过（记录编号相同）。")
IMPORT_RECORD_CHANGED = register(
    "import-record-changed", WARNING,
    _AT + "的记录此前已导入为 {record}，但导出中的答案已不同（可能在 {source} 中修改过）。"
    "evalkit 中的记录没有被覆盖：如需采用新答案，请在 evalkit 中更正该记录（填写原因）。",
    "此前已导入的记录在导出中的答案与 evalkit 中的不同。")
IMPORT_REVIEW_KEPT = register(
    "import-review-kept", WARNING,
    _AT + "在 {source} 中的审核状态是「{value}」，而 evalkit 中记录 {record} 已由评估组长审核为「{state}」："
    "保留 evalkit 中的审核结果。",
    "来源中的审核状态与 evalkit 中的不同，而 evalkit 中已有人审核或更正过该记录。")
IMPORT_WRITE_FAILED = register(
    "import-write-failed", ERROR,
    "导入时写入记录失败（{detail}）：已写入 {written} 条，其余未写入。问题解决后重新运行同一导入命令即可补齐，"
    "已写入的不会重复。",
    "检查通过后写入记录时出错（如磁盘已满），只写入了一部分。")
IMPORT_NO_RECORDS = register(
    "import-no-records", ERROR,
    "{file}{where} 没有数据行：请确认导出的是有记录的表单数据。",
    "要导入的表格或导出没有数据行。")

# ---------------------------------------------------------------- questionnaire tables: the column mapping

IMPORT_MAP_INVALID = register(
    "import-map-invalid", ERROR,
    "对照表 {file}{where} 无法使用：{detail}。对照表应有「列」和「字段」两列（或写成 '列=字段,列=字段'）；"
    "可用 evalkit import … --template 生成模板。",
    "对照表缺少「列」或「字段」表头、没有工作表、是空的，或行内写法不是 列=字段。")
IMPORT_MAP_COLUMN_UNMAPPED = register(
    "import-map-column-unmapped", ERROR,
    "{file}{where}不在对照表中，对应不到调查工具 {instrument} 的任何字段{hint}。请在对照表中为它填写字段名；"
    "确实不需要的列，字段填「-」表示忽略。",
    "问卷表格的某一列不在对照表中。")
IMPORT_MAP_FIELD_UNKNOWN = register(
    "import-map-field-unknown", ERROR,
    "对照表 {map}{map_where}：列「{column}」对应的字段「{value}」在调查工具 {instrument} 中不存在{hint}。"
    "请改为调查工具中的字段名（可用 --template 列出全部字段）。",
    "对照表中某列对应的字段在调查工具中不存在，或是说明、计算、重复组字段。")
IMPORT_MAP_FIELD_REPEAT = register(
    "import-map-field-repeat", ERROR,
    "对照表 {map}{map_where}：列「{column}」对应的是重复组「{repeat}」中的字段 {value}，"
    "一行一份问卷的表格不能导入重复组。请去掉该列的对应（字段填「-」），或改用 ODK / KoboToolbox 导出。",
    "对照表把一列对应到重复组中的字段。")
IMPORT_MAP_COLUMN_ABSENT = register(
    "import-map-column-absent", ERROR,
    "对照表 {map}{map_where}：列「{column}」在 {file} 的表头中找不到{hint}。请把对照表中的列名改成与表头完全一致。",
    "对照表中的列名在问卷表格的表头中找不到。")
IMPORT_MAP_FIELD_TWICE = register(
    "import-map-field-twice", ERROR,
    "对照表 {map} 把列「{column}」和「{other}」都对应到字段 {value}：一个字段只能来自一列，请删去其中一个对应。",
    "对照表把两列对应到同一个字段。")
IMPORT_MAP_REQUIRED_MISSING = register(
    "import-map-required-missing", ERROR,
    "调查工具 {instrument} 的必填字段 {field}（{label}）在对照表中没有对应的列：请在对照表中添加该字段的列{extra}。",
    "调查工具的必填字段在对照表中没有对应的列，也没有用 --unit / --assessor 为所有行指定。")
IMPORT_MAP_CONDITIONAL_MISSING = register(
    "import-map-conditional-missing", WARNING,
    "调查工具 {instrument} 的字段 {field}（{label}）只在 {relevant} 时必填，对照表中没有它的列：需要它的行会报错。"
    "如表格中有该题，请在对照表中添加。",
    "调查工具中条件必填的字段在对照表中没有对应的列。")
IMPORT_TEMPLATE_EXISTS = register(
    "import-template-exists", ERROR,
    "{file} 已存在：evalkit 不覆盖已有文件，请换一个文件名。",
    "生成对照表模板时，输出文件已存在。")
