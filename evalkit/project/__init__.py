"""The project folder as a whole: validation of a folder or a single input file (``validate``)
and a new project from the shipped files (``init``).

May use every domain subpackage below it (:mod:`evalkit.scoring`, :mod:`evalkit.checks`,
:mod:`evalkit.ledger`, :mod:`evalkit.selfassess`, :mod:`evalkit.sampling`, :mod:`evalkit.store`,
:mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`) and the ground.
"""

from evalkit.project.init import init_project
from evalkit.project.validate import validate_path, validate_project

__all__ = [
    "init_project",
    "validate_path",
    "validate_project",
]
