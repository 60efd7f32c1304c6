"""Property-based fuzzing of bundles (issue 9): damaged or hostile bundle bytes end in problems,
never an unhandled exception, and the project is either unchanged or holds exactly the records
that were exported — never anything else, never anything outside the project.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bundle import JPEG, KEYS, PID, at, files_under, make_project, submit

from evalkit.interop import check_bundle, export_bundle, import_bundle, load_signing_key, new_key, project_identity
from evalkit.interop.bundle_format import FORMAT
from evalkit.io.durable import dumps
from evalkit.problems import Problem
from evalkit.store import Store

FUZZ = settings(max_examples=int(os.environ.get("BUNDLE_FUZZ", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A project with two records (an edit, a photo), its records bundle and its setup bundle."""
    base = tmp_path_factory.mktemp("fuzzsrc")
    secret, shared = new_key("组长", folder=base / "key")
    KEYS.clear()
    KEYS["组长"] = (load_signing_key(secret), shared, "lead")   # every project made here registers the lead's key
    key = KEYS["组长"][0]
    root = make_project(base / "lead")
    store = Store(root)
    first = submit(store, "zhang", 0)
    store.edit(first.instance_id, answers={"q1": "否", "note": "<script>alert(1)</script>"}, who="zhang",
               why="看错了", now=at(1))
    photo = store.save_attachment(JPEG, original_name="门牌.jpg", media_type="image/jpeg", max_bytes=10**6)
    submit(store, "li", 2, attachments=[photo])
    records, setup = base / "records.zip", base / "setup.zip"
    export_bundle(root, records, key=key)
    export_bundle(root, setup, setup=True, key=key)
    return {"root": root, "records": records.read_bytes(), "setup": setup.read_bytes(),
            "raw": files_under(root / "raw")}


def check_outcome(src: dict, data: bytes, *, kind: str = "records") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "fuzz.zip"
        path.write_bytes(data)
        target = make_project(tmp / "deep" / "target") if kind == "records" else tmp / "deep" / "new"
        before = files_under(tmp / "deep")
        checked, found = check_bundle(path)
        assert all(isinstance(p, Problem) and p.message for p in found)
        assert (checked is None) == any(p.is_error for p in found)
        result = import_bundle(target, path)
        assert all(isinstance(p, Problem) and p.message and p.code for p in result.problems)
        assert "bundle-unsigned" not in [p.code for p in result.problems] or data != src[kind]
        if not result.ok:
            assert files_under(tmp / "deep") == before
        elif kind == "records":
            assert files_under(target / "raw") == src["raw"]          # exactly what was exported, intact
            assert [p.name for p in (target / "imports").iterdir()]    # and the import is recorded
        else:
            assert project_identity(target) == {"id": PID, "name": "吉林测试评估"}
        # nothing ever lands outside the target project
        outside = {k for k in files_under(tmp) if not k.startswith("deep/")}
        assert outside == {"fuzz.zip"}


@FUZZ
@given(cut=st.integers(min_value=0, max_value=10**6), flips=st.lists(
    st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=7)), max_size=4),
    which=st.sampled_from(["records", "setup"]))
def test_truncated_and_bit_flipped_bundles(source, cut, flips, which):
    data = bytearray(source[which])
    for pos, bit in flips:
        data[pos % len(data)] ^= 1 << bit
    if cut % 3 == 0:                      # a third of the examples are also truncated
        data = data[:cut % (len(data) + 1)]
    check_outcome(source, bytes(data), kind=which)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20)
                    | st.sampled_from(["../../x", "/etc/passwd", "raw/attachments/" + "0" * 64 + ".jpg",
                                       "evalkit.toml", "draws/a.json", "records", "setup", FORMAT, PID]),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)


@FUZZ
@given(key=st.sampled_from(["format", "kind", "project", "members", "selection", "counts"]), value=JSON,
       member_field=st.sampled_from(["path", "sha256", "size", None]), member_value=JSON)
def test_forged_index_with_a_correct_checksum(source, key, value, member_field, member_value):
    """An index rewritten by hand (checksum recomputed): hostile values reach every check."""
    with zipfile.ZipFile(io.BytesIO(source["records"])) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.startswith("bundle.")}
        index = json.loads(zf.read("bundle.json"))
    if member_field is None:
        index[key] = value
    else:
        index["members"][0][member_field] = member_value
    try:
        data = dumps(index)
    except ValueError:
        return
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("bundle.json", data)
        zf.writestr("bundle.sha256", hashlib.sha256(data).hexdigest() + "  bundle.json\n")
        for name, content in members.items():
            zf.writestr(name, content)
    check_outcome(source, buffer.getvalue())


def test_the_untouched_bundles_import(source):
    check_outcome(source, source["records"])
    check_outcome(source, source["setup"], kind="setup")
