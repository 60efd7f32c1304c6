"""Names and links every page shows: a link to another page, a unit as 「名称（编号）」, an instrument's title.

Kept apart from :mod:`evalkit.app.pages` so that the modules ``pages`` itself uses (one record as it is
read, :mod:`evalkit.app.record`) can name units and link pages too.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from evalkit.project import Project


def link(page: str, **params: str) -> str:
    """A link to another page (never with a token: the login cookie carries the session), under the
    user's own prefix on a team server (``/user/<login>/``)."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/").rstrip("/")
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v not in (None, ""))
    return f"{prefix}/voila/render/{page}" + (f"?{query}" if query else "")


def unit_label(project: Project, unit_id: str) -> str:
    """「名称（编号）」 for a listed unit, else the id as stored."""
    unit = project.units.get(unit_id) if project.units is not None else None
    return f"{unit.name}（{unit.id}）" if unit else (unit_id or "")


def title_of(project: Project, instrument_id: str | None) -> str:
    """The instrument's Chinese title, else its id (「未知工具」 when there is none)."""
    inst = project.instruments.get(instrument_id or "")
    return inst.title if inst else (instrument_id or "未知工具")
