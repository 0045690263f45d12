"""The 资质库 register: header aliases, 长期, unreadable dates on their cell, and which licenses a row gets."""

from __future__ import annotations

from datetime import date, datetime

from pyaddin.deadlines.licenses import load_licenses
from pyaddin.tracker.book import Book, Sheet
from pyaddin.tracker.cells import CellError
from pyaddin.tracker.values import LONG_TERM

HEADER = ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"]
XINGHE, XINGHE_CODE = "上海星河数字科技有限公司", "91310110666007217T"
YUNFAN, YUNFAN_CODE = "北京云帆文化传媒有限公司", "911101055923456781"


def register(*rows: list, header: list | None = None, above: list[list] | None = None) -> Book:
    return Book({"资质库": Sheet("资质库", [*(above or []), header or HEADER, *rows])})


def test_a_workbook_without_the_sheet_has_no_register():
    for book in (None, Book({"备案台账": Sheet("备案台账", [["备案编号"]])})):
        licenses = load_licenses(book)
        assert not licenses.present
        assert licenses.frame.empty and licenses.findings == []
        assert licenses.for_company(XINGHE, XINGHE_CODE).empty


def test_rows_are_read_with_excel_row_numbers_dates_and_upper_case_codes():
    licenses = load_licenses(register(
        [XINGHE, XINGHE_CODE.lower(), "营业执照", "N-1", datetime(2020, 1, 2), "长期"],
        [None, None, None, None, None, None],
        [YUNFAN, YUNFAN_CODE, "网络文化经营许可证", "N-2", "2023/5/6", "2026年12月31日"],
    ))
    assert licenses.present and licenses.findings == []
    frame = licenses.frame
    assert list(frame["row"]) == [2, 4]
    assert list(frame["credit_code"]) == [XINGHE_CODE, YUNFAN_CODE]
    assert list(frame["issued"]) == [date(2020, 1, 2), date(2023, 5, 6)]
    assert list(frame["valid_until"]) == [LONG_TERM, date(2026, 12, 31)]
    assert list(frame["type"]) == ["营业执照", "网络文化经营许可证"]


def test_header_aliases_and_a_header_below_a_title_are_recognised():
    licenses = load_licenses(register(
        ["星河", "91310110666007217T", "营业执照", "2030-01-01"],
        header=["企业名称", "信用代码", "证照类型", "到期日期"],
        above=[["资质台账（2026）"], [], ["说明：长期有效填“长期”"]],
    ))
    assert licenses.present
    assert list(licenses.frame["row"]) == [5]
    assert (licenses.frame["company"].iloc[0], licenses.frame["valid_until"].iloc[0]) == ("星河", date(2030, 1, 1))


def test_a_sheet_without_a_recognisable_header_counts_as_no_register():
    assert not load_licenses(register(["a", "b"], header=["名称", "备注"])).present


def test_long_term_words_stand_for_no_expiry_only_in_the_validity_column():
    licenses = load_licenses(register(
        [XINGHE, XINGHE_CODE, "营业执照", "N-1", "长期", "长期有效"],
        [YUNFAN, YUNFAN_CODE, "营业执照", "N-2", None, "永久"],
    ))
    assert list(licenses.frame["valid_until"]) == [LONG_TERM, LONG_TERM]
    assert [(f.code, f.row, f.field) for f in licenses.findings] == [("invalid-date", 2, "发证日期")]


def test_an_unreadable_date_is_an_invalid_date_finding_on_its_cell_and_the_license_is_kept():
    licenses = load_licenses(register(
        [XINGHE, XINGHE_CODE, "营业执照", "N-1", "2020-01-02", "明年底"],
        [YUNFAN, YUNFAN_CODE, "营业执照", "N-2", "2020-02-30", "2030-01-01"],
    ))
    assert [(f.code, f.severity, f.sheet, f.row, f.column, f.field, f.value) for f in licenses.findings] == [
        ("invalid-date", "error", "资质库", 2, 5, "有效期至", "明年底"),
        ("invalid-date", "error", "资质库", 3, 4, "发证日期", "2020-02-30"),
    ]
    assert all("资质库" in f.message for f in licenses.findings)
    frame = licenses.frame
    assert list(frame["row"]) == [2, 3]
    assert frame["valid_until"].iloc[0] is None and frame["issued"].iloc[1] is None
    assert frame["valid_until"].iloc[1] == date(2030, 1, 1)


def test_blank_and_excel_error_dates_are_unknown_not_findings():
    licenses = load_licenses(register(
        [XINGHE, XINGHE_CODE, "营业执照", "N-1", None, CellError("#N/A")],
    ))
    assert licenses.findings == []
    assert licenses.frame["valid_until"].iloc[0] is None


def test_a_rows_licenses_are_found_by_credit_code_whatever_the_company_is_called():
    licenses = load_licenses(register(
        [XINGHE, XINGHE_CODE, "营业执照", "N-1", None, "长期"],
        ["星河科技（简称）", XINGHE_CODE, "ICP许可证", "N-2", None, "2027-01-01"],
        [YUNFAN, YUNFAN_CODE, "营业执照", "N-3", None, "长期"],
    ))
    assert list(licenses.for_company("别的名字", XINGHE_CODE.lower())["number"]) == ["N-1", "N-2"]


def test_a_credit_code_missing_from_the_register_finds_nothing_even_when_the_name_is_there():
    licenses = load_licenses(register([XINGHE, XINGHE_CODE, "营业执照", "N-1", None, "长期"]))
    assert licenses.for_company(XINGHE, "91310110MA1G8XXXXX").empty


def test_without_a_credit_code_a_rows_licenses_are_found_by_company_name_as_folded():
    licenses = load_licenses(register(
        [XINGHE, XINGHE_CODE, "营业执照", "N-1", None, "长期"],
        [YUNFAN, None, "营业执照", "N-3", None, "长期"],
    ))
    assert list(licenses.for_company(" 北京云帆文化传媒有限公司 ", None)["number"]) == ["N-3"]
    assert list(licenses.for_company("上海星河数字科技有限公司", "")["number"]) == ["N-1"]
    assert licenses.for_company("不存在的公司", None).empty
    assert licenses.for_company(None, None).empty
