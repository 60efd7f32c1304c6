"""The project's set-up: ``evalkit.toml`` as one typed configuration (``settings``), the
folder layout and the shipped frameworks (``layout``), and the assessed units with their
categories (``units``).

May use: :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.config.layout import FRAMEWORKS, SUBDIRS, repository_root, shipped_dir
from evalkit.config.settings import CONFIG, load_config
from evalkit.config.units import Category, KIND_ZH, Unit, UnitList, is_safe_id, read_units, write_units

__all__ = [
    "CONFIG",
    "Category",
    "FRAMEWORKS",
    "KIND_ZH",
    "SUBDIRS",
    "Unit",
    "UnitList",
    "is_safe_id",
    "load_config",
    "read_units",
    "repository_root",
    "shipped_dir",
    "write_units",
]
