from datetime import date

import openpyxl
import pytest

from pyaddin.adapters.files import read_book
from pyaddin.errors import TrackerNotFound
from pyaddin.run.build import build_context
from pyaddin.tracker.catalog import load_catalog
from pyaddin.tracker.reading import read_tracker
from pyaddin.tracker.settings import Settings

TODAY = date(2026, 11, 20)


def load(path, **kw):
    return build_context(read_book(path), system_today=TODAY, **kw)


def test_new_users_tracker_with_title_rows_and_alias_headers_is_read_without_configuration(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "市场部 2026 备案登记"
    ws["A2"] = "更新于 11 月"
    ws.append(["编号", "活动", "投放平台", "活动形式", "申报主体", "上线日期", "备案状态", "预算（元）", "我们自己的列"])
    ws.append(["X-1", "周年庆", "Douyin", "H5、抽奖", "A公司", "2026/12/1", "通过", "1.2万", "保留"])
    ws.append([None] * 9)
    ws.append(["X-2", "会员日", "微信公众号 ", "直播", "B公司", "2026年12月3日", "审核", "¥12,000", ""])
    wb.save(tmp_path / "t.xlsx")

    ctx = load(tmp_path / "t.xlsx")
    t = ctx.tracker
    assert t.sheet == "Sheet1" and t.header_row == 3
    assert list(t.df.index) == [4, 6]
    assert t.df.loc[4, "platform"] == "抖音" and t.df.loc[6, "platform"] == "微信"
    assert t.df.loc[4, "forms"] == ["H5", "抽奖"]
    assert t.df.loc[4, "launch_date"] == date(2026, 12, 1) and t.df.loc[6, "launch_date"] == date(2026, 12, 3)
    assert t.df.loc[4, "status"] == "已通过" and t.df.loc[6, "status"] == "审核中"
    assert t.df.loc[4, "budget"] == 12000.0 and t.df.loc[6, "budget"] == 12000.0
    assert t.headers["company"] == "申报主体"
    assert t.extra_columns == {"我们自己的列": 8}
    assert t.findings == []


@pytest.mark.parametrize("header,key", [
    ("投放平台", "platform"), ("活动形式", "forms"), ("申报主体", "company"), ("上线日期", "launch_date"),
    ("信用代码", "credit_code"), ("备案状态", "status"), ("驳回原因", "feedback"), ("驳回原因/补充要求", "feedback"),
    ("平台、渠道", "platform"), ("预算（元）", "budget"), ("预算(元)", "budget"), ("ＰＬＡＴＦＯＲＭ", "platform"),
    ("Platform", "platform"), (" 备案 编号 ", "filing_id"), ("Filing ID", "filing_id"),
])
def test_header_aliases_match_ignoring_case_space_width_and_units(tmp_path, header, key):
    headers = ["备案编号", "活动名称", "平台", "主体名称", "状态"]
    replaced = {"platform": "平台", "filing_id": "备案编号"}.get(key)
    headers = [header if h == replaced else h for h in headers] if replaced else headers + [header]
    wb = openpyxl.Workbook()
    wb.active.title = "备案台账"
    wb.active.append(headers)
    wb.active.append(["1"] * len(headers))
    wb.save(tmp_path / "t.xlsx")
    assert key in load(tmp_path / "t.xlsx").tracker.columns


def test_field_mapping_sheet_maps_a_teams_own_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态", "对接窗口"])
    ws.append(["A-1", "x", "微信", "公司", "草稿", "张三"])
    m = wb.create_sheet("字段映射")
    m.append(["表头", "字段"])
    m.append(["对接窗口", "联系人"])
    wb.save(tmp_path / "t.xlsx")
    t = load(tmp_path / "t.xlsx").tracker
    assert t.df.loc[2, "contact_name"] == "张三"


def test_tracker_sheet_is_chosen_by_header_when_not_named(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["这是说明页"])
    ws = wb.create_sheet("我们的台账")
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态"])
    ws.append(["A-1", "x", "微信", "公司", "草稿"])
    wb.save(tmp_path / "t.xlsx")
    assert load(tmp_path / "t.xlsx").tracker.sheet == "我们的台账"


def test_no_tracker_sheet_is_a_clear_error(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(TrackerNotFound, match="找不到备案台账"):
        load(tmp_path / "t.xlsx")


def test_requested_sheet_that_does_not_exist_names_the_sheets_there(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "备案台账"
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(TrackerNotFound, match="不存在|找不到工作表“X”"):
        load(tmp_path / "t.xlsx", sheet="X")


def test_hidden_columns_and_formulas_are_read_by_their_values_and_merged_cells_give_top_left_only(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("备案台账")
    ws.write_row(0, 0, ["备案编号", "活动名称", "平台", "主体名称", "状态", "预算"])
    ws.write_row(1, 0, ["A-1", "x", "微信", "公司", "草稿"])
    ws.write_formula(1, 5, "=2*6000", None, 12000)
    ws.merge_range(2, 0, 2, 1, "A-2")
    ws.write_row(2, 2, ["抖音", "公司", "草稿"])
    ws.write_formula(2, 5, "=NA()", None, "#N/A")
    ws.set_column(5, 5, None, None, {"hidden": True})
    wb.close()
    ctx = load(path)
    df = ctx.tracker.df
    assert df.loc[2, "budget"] == 12000.0
    assert df.loc[3, "filing_id"] == "A-2" and df.loc[3, "activity"] is None
    assert df.loc[3, "budget"] is None  # #N/A in an optional field is empty, not a finding
    assert not [f for f in ctx.tracker.findings if f.row == 3 and f.field == "预算"]


@pytest.mark.parametrize("module", ["tracker.reading", "compliance.validate", "compliance.rules", "tracker.catalog",
                                    "tracker.values", "run.findings", "run.context", "tracker.settings",
                                    "deadlines.licenses", "tracker.tables", "tracker.book"])
def test_core_modules_import_no_excel_io_library(module):
    import ast
    import importlib

    source = open(importlib.import_module(f"pyaddin.{module}").__file__, encoding="utf-8").read()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & {"openpyxl", "xlwings", "python_calamine", "xlsxwriter"}


def test_read_tracker_uses_explicit_settings_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "备案台账"
    wb.active.append(["x"])
    ws = wb.create_sheet("团队台账")
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态"])
    ws.append(["A-1", "x", "微信", "公司", "草稿"])
    wb.save(tmp_path / "t.xlsx")
    book = read_book(tmp_path / "t.xlsx")
    t = read_tracker(book, load_catalog(book), Settings(tracker_sheet="团队台账"))
    assert t.sheet == "团队台账" and t.rows == 1
