"""The 资质库 register: which company holds which license until when, and which are due.

Read from the workbook sheet into a DataFrame with one row per license; unreadable dates become
findings on their cell. Matching a tracker row to its licenses is by credit code, else by name.

A license whose type has a statutory validity (data/license_validity.csv: 医疗广告审查证明, one
year) and whose 有效期至 is empty is valid until one year after its 发证日期 (the day before the
anniversary); `implied` says so, and every message about it says so too.

`alerts` is the one list of licenses that are expired or due within 设置 资质到期提示天数: `beian
check` reports it (on the open filings of the company, else once on the 资质库 row) and the
weekly report lists it under 资质到期. Remaining time is counted in working days everywhere
(`days_left`, like every deadline); the reminder windows (资质到期警告/提示天数) are calendar days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..run.findings import Finding, make
from ..tracker.book import Book
from ..tracker.tables import default_table, read_sheet_table, split_list
from ..tracker.textnorm import code_key, fold
from ..tracker.values import LONG_TERM, Unreadable, is_blank, is_error, parse_date
from .register import LICENSE_SHEET, Licenses
from .workdays import plus_days

COLUMNS = ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至", "文件"]


def _aliases() -> dict[str, list[str]]:
    return {r.text("字段"): split_list(r.text("别名")) for r in default_table("license_fields.csv", "资质库").rows}


def statutory_years() -> dict[str, int]:
    """资质类型 (folded) → statutory validity in years, for licenses whose 有效期至 is empty."""
    return {fold(r.text("资质类型")): int(r.text("法定有效期(年)"))
            for r in default_table("license_validity.csv", "资质有效期").rows}


def _years_after(day: date, years: int) -> date:
    """The day before the `years`-th anniversary of `day` (29 Feb → 28 Feb)."""
    try:
        anniversary = day.replace(year=day.year + years)
    except ValueError:
        try:
            anniversary = day.replace(year=day.year + years, day=28)
        except ValueError:  # beyond year 9999
            return date.max
    return plus_days(anniversary, -1)


def load_licenses(book: Book | None) -> Licenses:
    empty = pd.DataFrame(columns=["row", "company", "company_key", "credit_code", "type", "type_key", "number",
                                  "issued", "valid_until", "implied", "file"])
    sheet = book.get(LICENSE_SHEET) if book else None
    if sheet is None:
        return Licenses(empty, present=False)
    table = read_sheet_table(sheet, _aliases(), min_match=3, scan=20)
    if table is None:
        return Licenses(empty, present=False)
    findings: list[Finding] = []
    records = []
    statutory = statutory_years()
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
        implied = False
        years = statutory.get(fold(lic_type))
        if dates["有效期至"] is None and dates["发证日期"] is not None and years and is_blank(r.values.get("有效期至")):
            dates["有效期至"], implied = _years_after(dates["发证日期"], years), True
        records.append({
            "row": r.row,
            "company": company,
            "company_key": fold(company),
            "credit_code": code_key(r.text("统一社会信用代码")),
            "type": lic_type,
            "type_key": fold(lic_type),
            "number": r.text("证书编号"),
            "issued": dates["发证日期"],
            "valid_until": dates["有效期至"],
            "implied": implied,
            "file": r.text("文件"),
        })
    frame = pd.DataFrame.from_records(records, columns=list(empty.columns)).astype(object) if records else empty
    columns = table.rows[0].columns if table.rows else {}
    return Licenses(frame, present=True, findings=findings, sheet=table.name, columns=dict(columns))


@dataclass(frozen=True)
class LicenseAlert:
    """A license that is expired or due within the reminder window."""

    row: int
    """The 资质库 row."""
    company: str
    credit_code: str
    type: str
    number: str
    issued: date | None
    valid_until: date
    implied: bool
    """True when valid_until comes from 发证日期 + the statutory validity."""
    expired: bool
    severity: str
    days_left: int
    """Working days from today to valid_until (negative once expired)."""

    @property
    def state(self) -> str:
        return "已过期" if self.expired else "即将到期"

    def basis(self) -> str:
        """How valid_until was known, for messages: empty unless it was inferred."""
        if not self.implied or self.issued is None:
            return ""
        return (f"（资质库未填有效期至，按发证日期 {self.issued:%Y-%m-%d} 起一年的法定有效期推定至 "
                f"{self.valid_until:%Y-%m-%d}）")


def group_key(lic: dict) -> tuple[str, str]:
    """Licenses of one company and type: the one valid longest stands for the group."""
    who = lic["credit_code"] or "name:" + lic["company_key"]
    return who, lic["type_key"]


def best_dated(held: list[dict]) -> list[dict]:
    """Of each (company, type) in `held`, the license valid longest (on a tie, the upper 资质库
    row); undated ones are not judged. In first-seen group order."""
    best: dict[tuple[str, str], dict] = {}
    for lic in held:
        until = lic["valid_until"]
        if until is None or pd.isna(until):
            continue
        key = group_key(lic)
        kept = best.get(key)
        if kept is None or until > kept["valid_until"] or (until == kept["valid_until"] and lic["row"] < kept["row"]):
            best[key] = lic
    return list(best.values())


class Holdings:
    """Which licenses a tracker row holds, looked up in dicts built once (not a frame filter per row).

    By 统一社会信用代码 when the row has one; when none carry that code, those filed under its
    主体名称 without a code; a row without a code holds those filed under its 主体名称.
    """

    def __init__(self, licenses: Licenses):
        self.records: list[dict] = licenses.frame.to_dict("records") if not licenses.frame.empty else []
        self.by_code: dict[str, list[dict]] = {}
        self.by_name: dict[str, list[dict]] = {}
        self.by_name_no_code: dict[str, list[dict]] = {}
        for lic in self.records:
            if lic["credit_code"]:
                self.by_code.setdefault(lic["credit_code"], []).append(lic)
            else:
                self.by_name_no_code.setdefault(lic["company_key"], []).append(lic)
            self.by_name.setdefault(lic["company_key"], []).append(lic)

    def held(self, company: str | None, code: str | None) -> list[dict]:
        if code:
            found = self.by_code.get(code_key(code), [])
            if not found and company:
                found = self.by_name_no_code.get(fold(company), [])
            return found
        if company:
            return self.by_name.get(fold(company), [])
        return []


def alert_for(lic: dict, today: date, settings, left: Callable[[date], int]) -> LicenseAlert | None:
    """The alert for one license, or None when it is long-term or not yet in the window."""
    valid_until = lic["valid_until"]
    if valid_until is None or pd.isna(valid_until) or valid_until >= LONG_TERM:
        return None
    expired = valid_until < today
    if expired:
        severity = "error"
    elif valid_until <= plus_days(today, settings.license_warn_days):
        severity = "warning"
    elif valid_until <= plus_days(today, settings.license_info_days):
        severity = "info"
    else:
        return None
    issued = lic["issued"]
    return LicenseAlert(
        row=int(lic["row"]), company=lic["company"], credit_code=lic["credit_code"], type=lic["type"],
        number=lic["number"], issued=None if issued is None or pd.isna(issued) else issued,
        valid_until=valid_until, implied=bool(lic["implied"]), expired=expired, severity=severity,
        days_left=left(valid_until))


def alerts(licenses: Licenses, today: date, settings, left: Callable[[date], int]) -> list[LicenseAlert]:
    """Every license of the register that is expired or due within 资质到期提示天数, one per
    company and type (the one valid longest), soonest first. `left(d)` counts working days."""
    if licenses.frame.empty:
        return []
    out = [a for lic in best_dated(licenses.frame.to_dict("records"))
           if (a := alert_for(lic, today, settings, left)) is not None]
    return sorted(out, key=lambda a: (a.valid_until, a.row))
