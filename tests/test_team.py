"""Team mode without a browser (issue 15): 账号 and 角色 in assessors.xlsx, the page gate that decides
from the JupyterHub login what a kernel may show, and the hub's configuration."""

from __future__ import annotations

import openpyxl
import pytest

from evalkit.app.pages import LOGIN, gate
from evalkit.app.team import TeamConfig, hub_config, leads
from evalkit.project import init_project, open_project, validate_path
from evalkit.sampling import read_assessors
from evalkit.store import Drafts, Store

STARTED = "2018-11-20T09:00:00+08:00"


def assessors(path, rows) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评估员"
    ws.append(["吉林省“只跑一次”第三方评估 评估员名单"])
    ws.append(["编号", "姓名", "关联单位", "账号", "角色"])
    for row in rows:
        ws.append(row)
    wb.save(path)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    init_project(root, "province-2018")
    assessors(root / "assessors.xlsx", [["a01", "王磊", "", "wanglei", "评估员"], ["a02", "李娜", "", "LiNa", ""],
                                        ["a03", "张伟", "", "zhangwei", "组长"], ["a04", "周审", "", "zhoushen", "复核员"],
                                        ["a05", "赵六", "", "", ""]])
    return root


def test_accounts_and_roles_are_read_and_bad_ones_are_problems_with_their_row(tmp_path):
    path = tmp_path / "assessors.xlsx"
    assessors(path, [["a01", "王磊", "", "wanglei", "评估员"], ["a02", "李娜", "", "LiNa", ""],
                     ["a03", "张伟", "", "wanglei", "组长"], ["a04", "周审", "", "zhou shen", "复核员"],
                     ["a05", "赵六", "", "zhaoliu", "队长"]])
    people, problems = read_assessors(path)
    by_id = {a.id: a for a in people}
    assert (by_id["a01"].account, by_id["a01"].role) == ("wanglei", "评估员")
    assert (by_id["a02"].account, by_id["a02"].role) == ("lina", "评估员")  # lower case, 评估员 by default
    assert by_id["a03"].account == "" and by_id["a04"].account == "" and by_id["a05"].role == ""
    found = {(p.code, p.row) for p in problems}
    assert ("assessor-account-duplicate", 5) in found and ("assessor-account-invalid", 6) in found
    assert ("assessor-role-unknown", 7) in found
    role = next(p for p in problems if p.code == "assessor-role-unknown")
    assert "队长" in role.message and "组长" in role.message and role.column == "角色"


def test_validate_names_an_unknown_account_with_its_row(tmp_path):
    root = tmp_path / "p"
    init_project(root, "province-2018")
    assessors(root / "assessors.xlsx", [["a01", "王磊", "", "王磊", "评估员"]])
    problems = [p for ps in validate_path(root).values() for p in ps]
    bad = [p for p in problems if p.code == "assessor-account-invalid"]
    assert len(bad) == 1 and bad[0].row == 3 and "王磊" in bad[0].message


def team_env(monkeypatch, account: str) -> None:
    monkeypatch.setenv("EVALKIT_TEAM", "1")
    monkeypatch.setenv("JUPYTERHUB_USER", account)


def text(widget) -> str:
    return " ".join(getattr(w, "value", "") for w in widget.children if isinstance(getattr(w, "value", ""), str))


def test_the_gate_keeps_an_assessor_to_their_own_pages_records_and_drafts(project, monkeypatch):
    other = Store(project).submit(instrument_id="hotline_test", instrument_version="1", instrument_sha256="0" * 64,
                                  unit="c1-02", assessor="王磊", answers={}, started=STARTED, ended=STARTED)
    Drafts(project).save("d" * 32, {"draft_id": "d" * 32, "instrument": "hotline_test", "assessor": "王磊"})
    p = open_project(project)
    team_env(monkeypatch, "lina")
    params, refused = gate("form_page", p, {"assessor": "王磊", LOGIN: "张伟", "instrument": "hotline_test"})
    assert refused is None and params["assessor"] == "李娜" and params[LOGIN] == "李娜"  # whatever the page said
    for query in ({"record": other.instance_id}, {"draft": "d" * 32}):
        _, refused = gate("form_page", p, query)
        assert "这不是您的记录或草稿" in text(refused)
    _, refused = gate("review_page", p, {"reviewer": "张伟"})
    assert "「记录审核」页面只供组长、复核员使用" in text(refused)
    params, refused = gate("records_page", p, {"assessor": "王磊"})
    assert refused is None and params["assessor"] == "李娜"
    team_env(monkeypatch, "zhoushen")  # 复核员: the review page under their own name, not scoring
    params, refused = gate("review_page", p, {"reviewer": "张伟"})
    assert refused is None and params["reviewer"] == "周审"
    assert gate("scoring_page", p, {})[1] is not None
    team_env(monkeypatch, "zhangwei")  # the lead: every page, others' records, but reviews as 张伟
    params, refused = gate("form_page", p, {"record": other.instance_id})
    assert refused is None and params[LOGIN] == "张伟"
    params, refused = gate("review_page", p, {"reviewer": "李娜"})
    assert refused is None and params["reviewer"] == "张伟"
    team_env(monkeypatch, "nobody")
    _, refused = gate("form_page", p, {})
    assert "账号「nobody」还没有角色" in text(refused) and "张伟" in text(refused)


def test_outside_team_mode_the_gate_changes_nothing_but_drops_a_forged_login(project, monkeypatch):
    monkeypatch.delenv("EVALKIT_TEAM", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "lina")  # (a JupyterHub without evalkit team: not trusted as a role)
    params, refused = gate("review_page", open_project(project), {"reviewer": "x", LOGIN: "张伟"})
    assert refused is None and params == {"reviewer": "x"}


def test_the_hub_configuration(project):
    p = open_project(project)
    assert leads(p) == ["zhangwei"]
    source = hub_config(TeamConfig(project=project, port=8000), p, 18081, 18001, "/usr/bin/configurable-http-proxy")
    compile(source, "jupyterhub_config.py", "exec")
    assert "c.Authenticator.admin_users = {'zhangwei'}" in source
    assert "NativeAuthenticator.open_signup = False" in source and "'evalkit.app.voilad'" in source
    assert "'EVALKIT_TEAM': '1'" in source and "token" not in source.lower().replace("cookie_secret", "")
    assert str(project.resolve() / "team" / "jupyterhub.sqlite") in source


def test_the_demo_is_ready_for_the_team_server():
    """`make team PROJECT=out/demo` works on the demo: every assessor has an account, 王磊 leads,
    李娜 also reviews, and nothing in assessors.xlsx is a problem."""
    from pathlib import Path

    demo = open_project(Path(__file__).resolve().parent.parent / "data" / "demo")
    people = {a.name: a for a in demo.assessors}
    assert all(a.account == a.id for a in people.values()) and len(people) >= 6
    assert (people["王磊"].role, people["李娜"].role, people["张伟"].role) == ("组长", "复核员", "评估员")
    assert leads(demo) == ["a01"]
    _, problems = read_assessors(demo.root / "assessors.xlsx")
    assert problems == []
