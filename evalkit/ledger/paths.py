"""Where a project keeps its task ledger and liaison rosters (see docs/ledger.md and docs/roster.md)::

    ledger/tasks/<unit>.xlsx                the unit's imported 任务分解表 (validated copy)
    ledger/tasks/history/<unit>/…           earlier imports replaced with --replace
    ledger/status/<unit>/<time>-<id>.json   append-only state entries (evalkit.io.durable.write_new)
    ledger/materials/<sha256><ext>          closing materials stored as files (by hash)
    ledger/时限认定.xlsx                    the lead evaluator's deadlines (单位, 序号, 完成时限, 说明)
    ledger/牵头单位.xlsx                    lead departments (推进组 / 事项, 牵头单位)
    ledger/roster/<unit>.xlsx               the unit's imported liaison roster (联络信息表)
    ledger/roster/history/<unit>/…          earlier rosters replaced with --replace
"""

LEDGER_DIR = "ledger"
TASKS_DIR = "ledger/tasks"
STATUS_DIR = "ledger/status"
MATERIALS_DIR = "ledger/materials"
DEADLINES_FILE = "ledger/时限认定.xlsx"
LEADS_FILE = "ledger/牵头单位.xlsx"
ROSTER_DIR = "ledger/roster"
