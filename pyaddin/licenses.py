"""The 资质库 register: which company holds which license until when.

Read from the workbook sheet into a DataFrame with one row per license; unreadable dates become
findings on their cell. Matching a tracker row to its licenses is by credit code, else by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .book import Book
from .findings import Finding, make
from .tables import default_table, read_sheet_table, split_list
from .textnorm import fold
from .values import Unreadable, is_blank, is_error, parse_date

LICENSE_SHEET = "资质库"
COLUMNS = ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至", "文件"]


@dataclass
class Licenses:
    frame: pd.DataFrame
    """Columns: row (Excel row), company, credit_code, type, number, issued, valid_until, file."""
    present: bool
    findings: list[Finding] = field(default_factory=list)

    def for_company(self, company: str | None, credit_code: str | None) -> pd.DataFrame:
        """The licenses of a tracker row: by 统一社会信用代码 when it has one, else by 主体名称."""
        f = self.frame
        if credit_code:
            return f[f["credit_code"] == credit_code.upper()]
        if company:
            return f[f["company_key"] == fold(company)]
        return f.iloc[0:0]


def _aliases() -> dict[str, list[str]]:
    return {r.text("字段"): split_list(r.text("别名")) for r in default_table("license_fields.csv", "资质库").rows}


def load_licenses(book: Book | None) -> Licenses:
    empty = pd.DataFrame(columns=["row", "company", "company_key", "credit_code", "type", "type_key", "number",
                                  "issued", "valid_until", "file"])
    sheet = book.get(LICENSE_SHEET) if book else None
    if sheet is None:
        return Licenses(empty, present=False)
    table = read_sheet_table(sheet, _aliases(), min_match=3, scan=20)
    if table is None:
        return Licenses(empty, present=False)
    findings: list[Finding] = []
    records = []
    for r in table.rows:
        dates = {}
        for col, allow_long in (("发证日期", False), ("有效期至", True)):
            raw = r.values.get(col)
            if is_blank(raw) or is_error(raw):
                dates[col] = None
                continue
            try:
                dates[col] = parse_date(raw, allow_long_term=allow_long)
            except Unreadable as exc:
                dates[col] = None
                findings.append(make("invalid-date", f"资质库“{col}”{exc}。", sheet=sheet.name, row=r.row,
                                     column=r.columns.get(col), field=col, value=raw))
        company = r.text("主体名称")
        lic_type = r.text("资质类型")
        records.append({
            "row": r.row,
            "company": company,
            "company_key": fold(company),
            "credit_code": r.text("统一社会信用代码").upper(),
            "type": lic_type,
            "type_key": fold(lic_type),
            "number": r.text("证书编号"),
            "issued": dates["发证日期"],
            "valid_until": dates["有效期至"],
            "file": r.text("文件"),
        })
    frame = pd.DataFrame.from_records(records, columns=list(empty.columns)).astype(object) if records else empty
    return Licenses(frame, present=True, findings=findings)
