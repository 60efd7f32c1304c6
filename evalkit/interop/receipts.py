"""Receipts of bundle imports (``imports/<bundle sha256[:16]>.json``): what came from which bundle.

Each records-bundle import that added anything writes one receipt (never replaced): the bundle's
sha256 and file name, who signed it (key id, person, roles) or that it was unsigned and let in by
``--allow-unsigned``, when, and every revision added.  ``evalkit validate`` warns about every
unsigned import (:func:`receipt_problems`), so an auditor sees which revisions no signature vouches for.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from evalkit.interop.bundle_format import RAW_RE, hash_file
from evalkit.interop.problems import BUNDLE_IMPORTED_UNSIGNED
from evalkit.io import durable
from evalkit.problems import Problem, problem

IMPORTS = "imports"
FORMAT = "evalkit.import-receipt/1"


def write_receipt(root: Path, bundle: Path, checked, auth, allow_unsigned: bool, result,
                  now: dt.datetime | None) -> str:
    """Write the receipt of an import that added files; returns its path relative to the project."""
    sha = hash_file(bundle)[0]
    added = sorted(m.group(2) for p in result.added_paths if (m := RAW_RE.fullmatch(p)))
    body = {"format": FORMAT, "bundle": sha, "file": Path(bundle).name,
            "signed": auth.signer is not None,
            "signer": ({"key": auth.signer.key_id, "person": auth.signer.person, "roles": list(auth.signer.roles)}
                       if auth.signer else None),
            "allow_unsigned": bool(allow_unsigned and auth.signer is None),
            "imported": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            "revisions": added, "attachments": result.added.get("attachments", 0)}
    rel = f"{IMPORTS}/{sha[:16]}.json"
    n = 1
    while (Path(root) / rel).exists():
        n += 1
        rel = f"{IMPORTS}/{sha[:16]}-{n}.json"
    durable.write_new(Path(root) / rel, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
    return rel


def receipt_problems(root: Path) -> list[Problem]:
    """A warning for every receipt of an unsigned import."""
    found = []
    folder = Path(root) / IMPORTS
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if isinstance(body, dict) and body.get("format") == FORMAT and not body.get("signed"):
            found.append(problem(BUNDLE_IMPORTED_UNSIGNED, file=str(path), bundle=str(body.get("file"))[:100],
                                 when=str(body.get("imported")), count=len(body.get("revisions") or [])))
    return found
