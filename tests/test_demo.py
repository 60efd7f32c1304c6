"""The demo project generator (evalkit/pipeline/demo/, ``evalkit demo``)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from evalkit.cli.main import main
from evalkit.config import read_units
from evalkit.pipeline import INSTRUMENTS, DemoError, Listed, generate, listed_problems
from evalkit.project import validate_project
from evalkit.store import Store, encode, read_pack

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "data" / "demo"


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def comparable(root: Path) -> dict[str, str]:
    """:func:`hashes` without the derived ``out/``, except that a draw's recorded numpy / Python versions are left out: they say
    where the draw was made, and a CI machine with another patch release must not call that drift."""
    import json

    # out/ is derived (make run writes data/demo/out; git ignores it): never part of the demo
    out = {name: digest for name, digest in hashes(root).items() if not name.startswith("out/")}
    for path in sorted((root / "raw" / "packs").glob("*.pack")):
        # a pack's bytes are zstd's: another zstd release may compress the same revisions differently, so the
        # pack is compared by the revisions it holds (its index and every revision's bytes)
        del out[path.relative_to(root).as_posix()]
        pack, data = read_pack(path)
        blocks = pack.read_all(data)
        out["raw/packs/*"] = hashlib.sha256(b"".join(
            f"{e.revision_id} {e.instance_id} {e.parent}\n".encode() + pack.revision_bytes(e, blocks)
            for e in pack.entries)).hexdigest()
    for path in sorted((root / "draws").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("versions", None)
        out[path.relative_to(root).as_posix()] = hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return out


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "demo"
    return root, generate(root, fast=True)


def test_standard_demo_counts_and_size(demo):
    root, summary = demo
    units, problems = read_units(root / "units.xlsx")
    assert problems == [] and len(units.units) == 95 and summary.units == 95
    assert [c.id for c in units.categories] == ["1", "2", "3", "4", "5"]
    assert units.get("c1-01").name == "市编办" and units.get("c5-27").name == "中国联通吉林市分公司"
    assert set(summary.per_instrument) == set(INSTRUMENTS)
    assert summary.per_instrument["expert_review"] == 190 and summary.per_instrument["site_visit"] == 95
    packs = list((root / "raw" / "packs").iterdir())
    assert [p.name for p in (root / "raw").iterdir() if p.name != "attachments"] == ["packs"] and len(packs) == 1
    assert read_pack(packs[0])[0].header["records"] == summary.records == sum(summary.per_instrument.values()) == 999
    assert summary.states["approved"] > 950 and 0 < summary.states["received"] < 40
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == summary.files <= 300
    assert sum(p.stat().st_size for p in files) <= 5 * 1048576
    assert len(list((root / "selfassess").glob("*.json"))) == 95
    for name in ("evalkit.toml", "framework.xlsx", "assessors.xlsx", "adjustments.xlsx", "frames/事项清单.xlsx",
                 "frames/办件记录.xlsx"):
        assert (root / name).is_file(), name
    assert len(list((root / "draws").glob("*.json"))) == 3  # two draws and the assignment


def test_store_loads_everything(demo):
    root, summary = demo
    views, problems = Store(root).load()
    assert problems == []
    assert len(views) == summary.records
    assert sum(len(Store(root).history(v.instance_id)) for v in views) == summary.revisions


def test_record_revisions_are_what_the_store_writes(demo, tmp_path):
    """A record submitted and reviewed through Store gives the very same revisions (bytes and hashes)."""
    root, summary = demo
    view = next(v for v in Store(root).load()[0] if v.instrument_id == "expert_review" and v.state == "approved")
    first, second = Store(root).history(view.instance_id)
    other = Store(tmp_path)
    data = Path(root / "raw" / "attachments" / first.attachments[0]["name"]).read_bytes()
    other.save_attachment(data, original_name=first.attachments[0]["original_name"], media_type="image/png",
                          max_bytes=10 << 20, field="photo_signed")
    mine = other.submit(instrument_id=first.instrument_id, instrument_version=first.instrument_version,
                        instrument_sha256=first.instrument_sha256, unit=first.unit, assessor=first.assessor,
                        answers=first.answers, started=first.started, ended=first.ended,
                        attachments=list(first.attachments), instance_id=view.instance_id,
                        now=first.when_time)
    review = other.review(view.instance_id, state="approved", who=second.who, now=second.when_time)
    assert (mine.revision_id, review.revision_id) == (first.revision_id, second.revision_id)
    assert Path(mine.path).read_bytes() == encode(first.document())


def test_validate_reports_only_the_out_of_range_value(demo):
    root, summary = demo
    bad = summary.record_of("out_of_range")
    results = validate_project(root)
    errors = [(p.code, p.record, p.field) for found in results.values() for p in found if p.is_error]
    assert errors == [("record-answer-invalid", bad.record, "calls[1].calls_connected")]
    warnings = [p.code for found in results.values() for p in found if p.severity == "warning"]
    assert warnings == []


def test_check_catches_every_deliberate_problem(demo):
    root, summary = demo
    code, out = run("check", str(root), "--json")
    found = json.loads(out)
    assert code == 1  # the out-of-range value is an error
    by_code: dict[str, list[dict]] = {}
    for p in found:
        by_code.setdefault(p["code"], []).append(p)
    dup = summary.record_of("duplicate")
    assert [(p["record"]) for p in by_code["record-duplicate"]] == [dup.record]
    original = by_code["record-duplicate"][0]["message"].split("与记录 ")[1][:32]
    assert original in dup.detail and original != dup.record
    bad = summary.record_of("out_of_range")
    assert [(p["record"], p["field"]) for p in by_code["logic-connected-exceeds-made"]] == \
        [(bad.record, "calls[1].calls_connected")]
    rater = summary.record_of("rater")
    [deviates] = by_code["rater-deviates"]
    assert f"「{rater.assessor}」" in deviates["message"] and rater.record in deviates["record"]
    assert deviates["field"] == "score"
    # each record named once: in the location, not again in the message
    assert len(deviates["record"].split("、")) == len(set(deviates["record"].split("、"))) > 1
    assert rater.record not in deviates["message"] and "条记录" in deviates["message"]
    self_report = summary.record_of("self_report")
    [outside] = by_code["self-report-outside-interval"]
    assert outside["indicator"] == "2.2.1" and outside["message"].startswith(f"单位 {self_report.unit} 自报指标 2.2.1 为 100.0%")
    # nothing else is an error; the remaining warnings are few
    assert {p["code"] for p in found if p["severity"] == "error"} == {"logic-connected-exceeds-made"}
    assert len(found) < 20


def test_scores_vary_across_units_and_grades(demo):
    root, _ = demo
    code, out = run("score", str(root), "--json", "--draws", "50")
    assert code == 0
    data = json.loads(out)
    units = data["units"]
    assert len(units) == 95
    totals = [u["total"] for u in units]
    assert max(totals) - min(totals) > 40
    grades = {u["grade"] for u in units if u["grade"]}
    assert len(grades) >= 3
    for category in "12345":
        assert len({u["grade"] for u in units if u["category"] == category}) >= 2, category


def test_generated_twice_gives_identical_bytes_fast_or_not(tmp_path):
    a = generate(tmp_path / "a", seed=7, units=12, records=150, fast=True)
    b = generate(tmp_path / "b", seed=7, units=12, records=150, fast=False)
    assert a.records == b.records == 150
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")
    c = generate(tmp_path / "c", seed=8, units=12, records=150, fast=True)
    assert hashes(tmp_path / "c") != hashes(tmp_path / "a")
    assert c.records == 150


def test_committed_demo_cannot_drift(demo):
    """data/demo is what `evalkit demo data/demo` writes; regenerate it whenever the generator changes."""
    root, _ = demo
    assert COMMITTED.is_dir(), "data/demo is missing: run .venv/bin/evalkit demo data/demo"
    assert comparable(root) == comparable(COMMITTED)


def test_never_overwrites(tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DemoError, match="不是空的"):
        generate(target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    code = main(["demo", str(target)])
    assert code == 2
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_province_scale_units_and_records(tmp_path):
    root = tmp_path / "prov"
    summary = generate(root, units=150, records=3000, fast=True)
    units, problems = read_units(root / "units.xlsx")
    assert problems == [] and len(units.units) == 150 == summary.units
    extra = [u for u in units.units if u.parent]
    assert len(extra) == 55 and all(units.get(u.parent).kind == "region" for u in extra)
    assert {u.category for u in extra} == {"1", "2", "3", "4", "5"}
    assert any(u.kind == "region" and u.name.endswith("便民服务中心") for u in extra)
    assert len({u.name for u in units.units}) == 150
    assert summary.records == 3000
    views, load_problems = Store(root).load()
    assert load_problems == [] and len(views) == 3000
    errors = [p for found in validate_project(root).values() for p in found if p.is_error]
    assert [(p.code, p.record) for p in errors] == [("record-answer-invalid", summary.record_of("out_of_range").record)]


def printed_problems(text: str) -> list[Listed]:
    """The problems as ``format_problems`` prints them (severity and code, location; message)."""
    severities = {"错误": "error", "警告": "warning"}
    lines = text.splitlines()
    found = []
    for line, message in zip(lines, lines[1:]):
        head = line.strip().split("  ", 2)
        if line.startswith("  ") and not line.startswith("   ") and head[0] in severities:
            found.append(Listed(severities[head[0]], head[1], head[2] if len(head) > 2 else "", message.strip()))
    return found


def test_the_readme_lists_exactly_what_the_rerun_reports(demo, tmp_path):
    """data/demo/README.md (written by the generator) lists every problem `evalkit rerun` prints, each
    once, and nothing else; on the demo the rerun says they are deliberate instead of asking to fix them."""
    root, summary = demo
    listed = listed_problems(root)
    code, out = run("rerun", str(root), "--out", str(tmp_path / "out"), "--all")
    assert code == 1  # the deliberate errors are still errors
    printed = printed_problems(out)
    assert printed and len(printed) == len(set(printed))
    assert sorted(printed, key=repr) == sorted(listed, key=repr)
    assert {p.code for p in printed} >= {d.code for d in summary.problems}
    for p in printed:  # a problem names each record once
        ids = [w for w in p.location.replace("、", " ").split() if len(w) == 32]
        assert len(ids) == len(set(ids))
    text = (root / "README.md").read_text(encoding="utf-8")
    assert "### 6." not in text and "随机生成的数据自然产生" not in text  # each from a deliberate cause
    for d in summary.problems:
        assert d.detail in text
    assert out.splitlines()[0].startswith("以下问题是演示项目中有意设置的")
    assert "请改正" not in out.splitlines()[-1] and "都是演示项目中有意设置的" in out.splitlines()[-1]


def test_a_problem_not_in_the_list_still_asks_to_be_fixed(demo, tmp_path):
    """A copy of the demo with one more error: the deliberate ones are named as such, the new one is not."""
    root, _ = demo
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    (copy / "adjustments.xlsx").write_bytes(b"not a workbook")
    code, out = run("rerun", str(copy), "--out", str(tmp_path / "out"))
    assert code == 1
    before, _, after = out.partition("以下问题不在演示项目的有意设置清单中")
    assert before.startswith("以下问题是演示项目中有意设置的") and "adjustments.xlsx" in after
    assert "请改正后重新运行" in out.splitlines()[-1]


def test_a_project_without_the_demo_marker_is_not_a_demo(demo, tmp_path):
    """The README's list counts only where evalkit.toml says the project is a demo ([demo])."""
    root, _ = demo
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    config = (copy / "evalkit.toml").read_text(encoding="utf-8")
    (copy / "evalkit.toml").write_text(config.split("[demo]")[0], encoding="utf-8")
    assert listed_problems(copy) is None
    code, out = run("rerun", str(copy), "--out", str(tmp_path / "out"))
    assert code == 1 and "有意设置" not in out and "请改正后重新运行" in out.splitlines()[-1]
