"""The sampling and fieldwork page, driven through its widgets (the browser test checks the wiring)."""

from __future__ import annotations

import pytest
from conftest import make_workbook

from evalkit.app.pages import current_project
from evalkit.app.sampling import SamplingView
from evalkit.project import init_project
from evalkit.sampling import list_draws, read_draw, record_contact, statuses

HEADER = ["办件编号", "事项", "单位", "日期", "联系电话"]


def case_frame(path, n=40, duplicate=False):
    rows = [HEADER] + [[f"B{i:03d}", "不动产登记", "c1-0" + str(1 + i % 3), "2018-10-01", "13900000000"]
                       for i in range(n)]
    if duplicate:
        rows.append(rows[1])
    return make_workbook(path, {"办件记录": rows})


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "eval"
    init_project(root, "province-2018")
    case_frame(root / "frames" / "cases.xlsx")
    case_frame(root / "frames" / "broken.xlsx", duplicate=True)
    return root


def test_size_draw_and_progress(project):
    view = SamplingView(current_project(project))
    view.frame.value = "cases.xlsx"
    assert "40 行" in view.frame_info.value
    # Cochran: n0 = 1.96² · 0.25 / 0.05² = 384.15; fpc with N = 40: 384.15 / (1 + 383.15/40) = 37.9;
    # divided by the 0.8 response rate: 47.4 → capped at the population, 40
    assert "建议样本量 <b>40</b>" in view.size_info.value
    view.margin.value = 0.2
    # n0 = 24.01; fpc 24.01 / (1 + 23.01/40) = 15.24; / 0.8 = 19.05 → 20
    assert "建议样本量 <b>20</b>" in view.size_info.value
    view.n.value, view.reserve.value, view.seed.value = 6, 2, "20181120"
    view.draw_button.click()
    assert "已记录抽样" in view.draw_info.value and "下载样本表" in view.draw_info.value
    (draw_id,) = list_draws(project)
    draw = read_draw(project, draw_id)
    assert len(draw.ids()) == 6 and draw.seed == 20181120
    assert (project / "out" / "samples" / f"{draw_id}.xlsx").exists()
    assert view.draw_pick.value == draw_id
    assert "<td>合计</td><td>6</td><td>0</td>" in view.progress.value
    view.mark_id.value, view.mark_status.value, view.mark_who.value = draw.ids()[0], "refused", "李四"
    view.mark_button.click()
    assert "<td>合计</td><td>6</td><td>0</td><td>1</td>" in view.progress.value


def test_bad_input_records_no_draw(project):
    view = SamplingView(current_project(project))
    view.frame.value = "broken.xlsx"
    assert "重复（第" in view.frame_info.value and "frame-id-duplicate" not in view.frame_info.value
    assert str(project) not in view.frame_info.value  # files are named from the project folder
    view.n.value, view.seed.value = 5, "1"
    view.draw_button.click()
    assert "未记录抽样" in view.draw_info.value and list_draws(project) == []
    view.frame.value = "cases.xlsx"
    assert ("单位", "单位") in view.strata.options  # the frame's columns to choose from
    view.seed.value = "abc"
    view.draw_button.click()
    assert "随机种子" in view.draw_info.value and list_draws(project) == []
    view.margin.value = 0
    assert "边际误差" in view.size_info.value and "sample-margin-invalid" not in view.size_info.value


def test_fieldwork_statuses_from_records_and_marks(project):
    from evalkit.sampling import Design, make_draw
    from evalkit.store import Store

    draw = make_draw(project, project / "frames" / "cases.xlsx", Design(method="srs", n=4, reserve=2), 5).draw
    first, second = draw.ids()[:2]
    Store(project).submit(instrument_id="service_user_check", instrument_version="2018.1", instrument_sha256="0" * 64,
                          unit="c1-01", assessor="张三", answers={"citizens": [{"case_id": first}]},
                          started="2018-11-20T09:00:00+08:00")
    record_contact(project, draw.draw_id, second, "无法联系", "李四", when="2018-11-20T10:00:00+00:00")
    record_contact(project, draw.draw_id, first, "拒访", "李四", when="2018-11-20T11:00:00+00:00")
    found = statuses(project, draw, Store(project).records())
    assert found == {first: "done", second: "unreachable"}  # a record wins over a mark
    with pytest.raises(ValueError, match="无法识别"):
        record_contact(project, draw.draw_id, second, "maybe", "李四")
    with pytest.raises(ValueError, match="文件名"):
        record_contact(project, "../../x", second, "拒访", "李四")
