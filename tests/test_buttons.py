"""The buttons on xlwings' remote engine: a real `xw.Book` built from a JSON payload of a workbook
file; `book.json()` lists every write the click would make in Excel."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest
import xlwings as xw

import pyaddin.buttons as buttons
from pyaddin.excel.build import build_workbook, tracker_headers
from pyaddin.excel.diagnosis import CAPABILITIES

WRITES = {"setValues", "setNumberFormat", "addConditionalFormat", "clearConditionalFormats", "addSheet",
          "clear", "sheetDelete", "clearContents", "setRangeName"}


@pytest.fixture(autouse=True)
def _remote_engine(monkeypatch):
    """The remote engine is xlwings PRO code under its noncommercial license, for the tests only;
    the product never needs it. xlwings registers it at import time, so register it here if the
    key was not set when xlwings was first imported."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    try:
        xw.engines["remote"]
    except xw.LicenseError:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """A remote-engine book has no folder, so a button's beian-out (rule history included) goes to
    the current folder: keep it out of the project, where later runs would read its history."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "beian.xlsm"
    build_workbook(path)
    return path


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat() + ".000Z"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat() + ".000Z"
    return value


def payload(path: Path, extra: dict[str, list[list[object]]] | None = None) -> dict:
    """The remote engine's payload for a workbook file, with rows appended to some sheets."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
        rows += [[_cell(c) for c in row] for row in (extra or {}).get(ws.title, [])]
        width = max((len(r) for r in rows), default=1)
        rows = [list(r) + [""] * (width - len(r)) for r in rows] or [[""]]
        sheets.append({"name": ws.title, "values": rows, "pictures": [], "tables": [], "pivot_tables": [],
                       "used_range_address": f"$A$1:${openpyxl.utils.get_column_letter(width)}${len(rows)}"})
    return {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [],
            "sheets": sheets}


HEADERS = tracker_headers()


def row(**values) -> list[object]:
    return [values.get(h, "") for h in HEADERS]


def good_row(i: int) -> list[object]:
    return row(备案编号=f"BA-{i:05d}", 活动名称=f"双十一活动{i}", 平台="微信", 创意形式="H5", 行业="快消",
               主体名称="上海星河数字科技有限公司", 统一社会信用代码="91310110666007217T", 状态="草稿",
               计划上线日期=dt.date(2030, 1, 10))


LICENSE = ["上海星河数字科技有限公司", "91310110666007217T", "营业执照", "310110000000001", dt.date(2020, 1, 1), "长期"]
"""The company's business license in 资质库: without it every filing lacks a required license."""


def tracker_rows(n: int) -> list[list[object]]:
    rows = [good_row(i) for i in range(n)]
    rows[0][HEADERS.index("状态")] = ""  # a missing required value: an error on row 3
    rows[0][HEADERS.index("备注")] = '=HYPERLINK("http://evil")'  # user text that must stay text
    return rows


def run(workbook: Path, function: str, rows: list[list[object]], **extra):
    book = xw.Book(json=payload(workbook, {"备案台账": rows, **extra}))
    with mock.patch.object(xw.Book, "caller", return_value=book):
        getattr(buttons, function)()
    return book, book.json()["actions"]


def sheet_position(book, name: str) -> int:
    return [s.name for s in book.sheets].index(name)


def writes(actions):
    return [a for a in actions if a["func"] in WRITES]


def test_validate_writes_result_columns_links_and_colours(workbook):
    book, actions = run(workbook, "validate_tracker", tracker_rows(10))
    tracker = sheet_position(book, "备案台账")
    on_tracker = [a for a in writes(actions) if a["sheet_position"] == tracker]
    values = next(a for a in on_tracker if a["func"] == "setValues")
    first_col = len(HEADERS)  # right of the user's last column
    assert (values["start_row"], values["start_column"]) == (1, first_col)
    assert values["values"][0] == ["校验结果", "问题说明"]
    assert values["values"][1][0] == "✖ 错误" and "状态" in values["values"][1][1]
    assert len(values["values"]) == 11
    fmt = next(a for a in on_tracker if a["func"] == "setNumberFormat")
    assert fmt["args"] == ["@"] and fmt["start_column"] == first_col and fmt["row_count"] == 11
    assert on_tracker.index(fmt) < on_tracker.index(values)
    rules = [a for a in on_tracker if a["func"] == "addConditionalFormat"]
    assert [(r["args"][0]["formula"], r["args"][0]["fill_color"]) for r in rules] == [
        ('=LEFT(INDIRECT("RC",FALSE),1)="✖"', "#ffc7ce"), ('=LEFT(INDIRECT("RC",FALSE),1)="⚠"', "#ffeb9c")]
    # one rule per severity over the result columns, down to Excel's last row (no re-adding on re-runs)
    assert all((r["start_row"], r["start_column"], r["row_count"], r["column_count"]) == (2, first_col, 1048574, 2)
               for r in rules)
    # only the label column starts with a mark, so the explanation column is never coloured
    assert not any(line[1].startswith(("✖", "⚠", "ℹ")) for line in values["values"][1:])
    # the findings sheet: a link formula per finding, the text columns formatted as text first
    findings = [a for a in actions if a["func"] == "setValues" and a is not values]
    block = findings[0]["values"]
    assert block[0][0] == "位置"
    missing = next(r for r in block if r[8] == "missing-value")
    assert missing[0] == f'=HYPERLINK("#\'备案台账\'!{openpyxl.utils.get_column_letter(HEADERS.index("状态") + 1)}3",' \
                         f'"{openpyxl.utils.get_column_letter(HEADERS.index("状态") + 1)}3")'
    assert all(r[0] == "" or r[0].startswith('=HYPERLINK("#') for r in block[1:])
    text_fmt = next(a for a in actions if a["func"] == "setNumberFormat" and a["sheet_position"] != tracker)
    assert text_fmt["start_column"] == 1  # column B onwards: user text stays text
    alert = actions[-1]
    assert alert["func"] == "alert" and "错误" in alert["args"][0]


def test_user_text_starting_with_equals_is_never_written_as_a_formula(workbook):
    _, actions = run(workbook, "validate_tracker", tracker_rows(10))
    for a in actions:
        for line in a["values"] or []:
            for v in line:
                assert not (isinstance(v, str) and "evil" in v and v.startswith("="))


def test_rerun_reuses_result_columns(workbook):
    first_book, first = run(workbook, "validate_tracker", tracker_rows(5))
    values = next(a for a in first if a["func"] == "setValues" and a["values"][0][0] == "校验结果")
    # the tracker as it looks after the first run: result columns filled in
    rows = tracker_rows(5)
    header = list(HEADERS) + values["values"][0]
    data = [r + v for r, v in zip(rows, values["values"][1:], strict=True)]
    extra = {"备案台账": data}
    wb = openpyxl.load_workbook(workbook)
    ws = wb["备案台账"]
    for c, h in enumerate(header, start=1):
        ws.cell(2, c, h)
    path = workbook.parent / "rerun.xlsm"
    wb.save(path)
    book = xw.Book(json=payload(path, extra))
    with mock.patch.object(xw.Book, "caller", return_value=book):
        buttons.validate_tracker()
    second = book.json()["actions"]
    again = next(a for a in second if a["func"] == "setValues" and a["values"][0][0] == "校验结果")
    assert again["start_column"] == values["start_column"]
    # the first run's whole-column rules still apply: nothing is cleared or stacked
    assert not any(a["func"] in {"clearConditionalFormats", "addConditionalFormat"} for a in second)


@pytest.mark.parametrize(("function", "budget"), [("validate_tracker", 10), ("flag_deadlines", 10), ("check_all", 10)])
def test_write_count_does_not_grow_with_rows(workbook, function, budget):
    _, small = run(workbook, function, tracker_rows(10))
    _, large = run(workbook, function, tracker_rows(1000))
    assert [a["func"] for a in writes(small)] == [a["func"] for a in writes(large)]
    assert len(writes(small)) <= budget


def test_deadlines_write_the_reminder_column(workbook):
    rows = tracker_rows(10)
    rows[1][HEADERS.index("计划上线日期")] = dt.date(2020, 1, 1)  # draft that should have launched
    book, actions = run(workbook, "flag_deadlines", rows)
    tracker = sheet_position(book, "备案台账")
    values = next(a for a in actions if a["func"] == "setValues" and a["sheet_position"] == tracker)
    assert values["values"][0] == ["到期提醒"]
    assert values["values"][2][0].startswith("✖ ")
    assert "到期提醒" in [s.name for s in book.sheets] or any(a["func"] == "addSheet" for a in actions)


def test_failing_core_call_leaves_the_tracker_untouched_and_logs(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with mock.patch("pyaddin.compliance.validate.validate", side_effect=RuntimeError("boom")):
        book, actions = run(workbook, "validate_tracker", tracker_rows(10))
    assert writes(actions) == []
    assert [a["func"] for a in actions] == ["alert"]
    assert "台账内容没有被修改" in actions[0]["args"][0]
    assert "boom" in (tmp_path / "beian-error.log").read_text(encoding="utf-8")


def naming_trackers(workbook: Path, listing: str, path: Path) -> Path:
    """A copy of the built workbook whose 设置 台账文件 is `listing`."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb["设置"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "台账文件":
            ws.cell(r, 2, listing)
    wb.save(path)
    return path


def click(path: Path, function: str) -> list[dict]:
    """The Excel actions of one button clicked in the workbook file `path` (remote engine)."""
    book = xw.Book(json=payload(path))
    with mock.patch.object(xw.Book, "caller", return_value=book):
        getattr(buttons, function)()
    return book.json()["actions"]


def test_missing_tracker_file_setting_explains_what_to_do(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = naming_trackers(workbook, "别的台账.xlsx", tmp_path / "with-file.xlsm")
    actions = click(path, "validate_tracker")
    assert [a["func"] for a in actions] == ["alert"]
    assert "没有打开" in actions[0]["args"][0]


def test_every_button_runs_on_the_remote_engine(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for function in ["validate_tracker", "flag_deadlines", "check_all", "generate_documents",
                     "build_archive_index", "weekly_report"]:
        _, actions = run(workbook, function, tracker_rows(10), 资质库=[LICENSE])
        assert actions[-1]["func"] == "alert", function
        message = actions[-1]["args"][0]
        if function == "generate_documents":
            assert "已生成 18 份文书" in message  # 9 error-free rows × 2 documents
        elif function == "build_archive_index":
            assert "归档根目录" in message and writes(actions) == []  # not configured: says what to do
        elif function == "weekly_report":
            assert any(a["func"] == "setValues" for a in actions) and "周报" in message


def test_adding_a_result_column_replaces_the_earlier_rules_instead_of_stacking_them(workbook):
    _, first = run(workbook, "validate_tracker", tracker_rows(5))
    values = next(a for a in first if a["func"] == "setValues" and a["values"][0][0] == "校验结果")
    header = list(HEADERS) + values["values"][0]
    data = [r + v for r, v in zip(tracker_rows(5), values["values"][1:], strict=True)]
    wb = openpyxl.load_workbook(workbook)
    ws = wb["备案台账"]
    for c, h in enumerate(header, start=1):
        ws.cell(2, c, h)
    path = workbook.parent / "partly.xlsm"
    wb.save(path)
    book = xw.Book(json=payload(path, {"备案台账": data}))
    with mock.patch.object(xw.Book, "caller", return_value=book):
        buttons.check_all()
    tracker = sheet_position(book, "备案台账")
    on_tracker = [a["func"] for a in book.json()["actions"] if a.get("sheet_position") == tracker]
    assert on_tracker.count("clearConditionalFormats") == 1 and on_tracker.count("addConditionalFormat") == 2
    assert on_tracker.index("clearConditionalFormats") < on_tracker.index("addConditionalFormat")


def test_diagnose_writes_the_diagnosis_sheet_in_one_block(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book, actions = run(workbook, "diagnose", tracker_rows(3))
    blocks = [a for a in actions if a["func"] == "setValues"]
    assert len(blocks) == 1  # one write, whatever the number of facts
    assert blocks[0]["sheet_position"] == sheet_position(book, "诊断")
    assert not any(a["func"] == "setValues" and a is not blocks[0] for a in writes(actions))
    rows = blocks[0]["values"]
    assert rows[0] == ["项目", "值", "说明"]
    facts = {r[0]: r[1] for r in rows[1:] if r[0]}
    for item in ("Excel 版本", "操作系统", "工作簿中的 xlwings VBA 版本", "已安装的 xlwings", "Python 解释器",
                 "PYTHONPATH", "beian 版本"):
        assert item in facts, item
    assert facts["已安装的 xlwings"] == xw.__version__
    assert facts["Python 解释器"] == sys.executable
    assert [v for k, v in facts.items() if k.startswith("功能：")] == ["可用"] * len(CAPABILITIES)
    assert any(k.startswith("beian-error.log") for k in facts)
    assert actions[-1]["func"] == "alert" and "诊断" in actions[-1]["args"][0]


def _tracker_file(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    lic = wb.create_sheet("资质库")
    lic.append(["主体名称", "统一社会信用代码", "资质类型", "证照编号", "发证日期", "有效期至"])
    lic.append(LICENSE)
    wb.save(path)
    return path


def test_check_buttons_run_over_the_several_trackers_settings_names(workbook, tmp_path):
    """设置 台账文件 naming two trackers: one click checks both from their files, adds the
    cross-tracker duplicate, writes the findings (with 来源 and links into each file) into this
    workbook and findings.xlsx, and leaves both tracker files untouched."""
    a = _tracker_file(tmp_path / "品牌A.xlsx", [good_row(1), good_row(2)])
    b_rows = [good_row(3), good_row(1)]  # BA-00001 again, in another brand's tracker
    b = _tracker_file(tmp_path / "品牌B.xlsx", b_rows)
    before = a.read_bytes(), b.read_bytes()
    hub = naming_trackers(workbook, "品牌A.xlsx；品牌B.xlsx", tmp_path / "总控.xlsm")
    actions = click(hub, "check_all")
    message = actions[-1]["args"][0]
    assert actions[-1]["func"] == "alert" and "已检查 2 个台账" in message, message
    assert "品牌A.xlsx：" in message and "品牌B.xlsx：" in message and "跨台账：1 条" in message
    blocks = [a["values"] for a in actions
              if a["func"] == "setValues" and isinstance(a["values"], list) and a["values"]
              and a["values"][0][:2] == ["位置", "工作表"]]
    checks = blocks[0]
    header = checks[0]
    assert header[-1] == "来源"
    dup = [r for r in checks[1:] if r[header.index("代码")] == "duplicate-id"]
    assert [r[-1] for r in dup] == ["品牌B.xlsx"]
    assert str(b) in dup[0][0] and "'备案台账'!A3" in dup[0][0]  # the link opens 品牌B's cell
    assert (tmp_path / "beian-out" / "findings.xlsx").exists()
    assert (a.read_bytes(), b.read_bytes()) == before


def test_the_other_buttons_run_over_the_several_trackers_too(workbook, tmp_path):
    _tracker_file(tmp_path / "品牌A.xlsx", [good_row(1), good_row(2)])
    _tracker_file(tmp_path / "品牌B.xlsx", [good_row(3)])
    hub = naming_trackers(workbook, "品牌A.xlsx\n品牌B.xlsx", tmp_path / "总控.xlsm")
    messages = {function: click(hub, function)[-1]["args"][0]
                for function in ["generate_documents", "build_archive_index", "weekly_report"]}
    docs = messages["generate_documents"]
    assert "品牌A.xlsx：\n已生成 4 份文书" in docs and "品牌B.xlsx：\n已生成 2 份文书" in docs, docs
    assert len(list((tmp_path / "beian-out" / "品牌A").glob("*.docx"))) == 4
    assert len(list((tmp_path / "beian-out" / "品牌B").glob("*.docx"))) == 2
    assert "归档根目录" in messages["build_archive_index"]  # not configured: says what to do
    assert "周报已写入" in messages["weekly_report"], messages["weekly_report"]
    report = next((tmp_path / "beian-out").glob("周报_*.xlsx"))
    assert "按来源" in openpyxl.load_workbook(report, read_only=True).sheetnames


def test_precheck_button_writes_the_material_sheet_and_findings_file(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    archive = tmp_path / "归档" / "BA-00001 双十一"
    archive.mkdir(parents=True)
    (archive / "海报文案.txt").write_text("全网最佳，转发朋友圈领取红包\n", encoding="utf-8")
    (archive / "空.txt").write_bytes(b"")
    wb = openpyxl.load_workbook(workbook)
    ws = wb["设置"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "归档根目录":
            ws.cell(r, 2, str(tmp_path / "归档"))
    path = tmp_path / "with-archive.xlsm"
    wb.save(path)
    book, actions = run(path, "precheck_materials", tracker_rows(3), 资质库=[LICENSE])
    message = actions[-1]["args"][0]
    assert actions[-1]["func"] == "alert" and "材料预检" in message and "2 个文件" in message, message
    sheet = next(a for a in actions if a["func"] == "setValues" and a["values"][0][0] == "备案编号")
    assert [r[2] for r in sheet["values"][1:]] == ["BA-00001 双十一/海报文案.txt", "BA-00001 双十一/空.txt"]
    assert sheet["values"][1][8] == "错误"  # 转发朋友圈 on 微信: 诱导分享, an error
    found = pd.read_excel(tmp_path / "beian-out" / "findings.xlsx", sheet_name="校验结果")
    assert {"copy-term", "material-unreadable"} <= set(found["代码"])
