"""The project's set-up: ``evalkit.toml`` as one typed configuration (``settings``), the
folder layout and the shipped frameworks (``layout``), and the assessed units with their
categories (``units``).

May use: :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.config.layout import FRAMEWORKS, SUBDIRS, repository_root, shipped_dir
from evalkit.config.problems import CONFIG_BAD
from evalkit.config.settings import (
    CONFIG,
    DemoConfig,
    EvaluationConfig,
    LedgerConfig,
    ProjectConfig,
    ScoringConfig,
    SelfassessConfig,
    load_config,
    parse_config,
)
from evalkit.config.units import (
    KIND_ZH,
    Category,
    Unit,
    UnitList,
    is_safe_id,
    name_key,
    read_units,
    split_aliases,
    write_units,
)
from evalkit.config.writing import new_config, update_config, write_config

__all__ = [
    "CONFIG",
    "CONFIG_BAD",
    "FRAMEWORKS",
    "KIND_ZH",
    "SUBDIRS",
    "Category",
    "DemoConfig",
    "EvaluationConfig",
    "LedgerConfig",
    "ProjectConfig",
    "ScoringConfig",
    "SelfassessConfig",
    "Unit",
    "UnitList",
    "is_safe_id",
    "load_config",
    "name_key",
    "new_config",
    "parse_config",
    "read_units",
    "repository_root",
    "shipped_dir",
    "split_aliases",
    "update_config",
    "write_config",
    "write_units",
]
