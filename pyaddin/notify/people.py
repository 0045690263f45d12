"""The 人员 sheet: who a 负责人/联系人 name is in each chat app (手机, 企业微信ID, 钉钉ID, 飞书ID).

A robot message @-mentions a person by the ID its app knows; a name with no entry (or no ID for
that app) stays plain text and is listed once in the command's output (`person-unknown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..run.findings import Finding, make
from ..tracker.book import Book
from ..tracker.tables import TableRow, read_sheet_table
from ..tracker.textnorm import fold

PEOPLE_SHEET = "人员"
COLUMNS = {
    "姓名": ["名字", "负责人", "name"],
    "手机": ["手机号", "电话", "mobile", "phone"],
    "企业微信ID": ["企业微信", "企微ID", "wecom id", "wecom"],
    "钉钉ID": ["钉钉", "dingtalk id", "dingtalk"],
    "飞书ID": ["飞书", "飞书user_id", "feishu id", "lark id", "feishu"],
}


@dataclass(frozen=True)
class Person:
    name: str
    mobile: str = ""
    wecom_id: str = ""
    dingtalk_id: str = ""
    feishu_id: str = ""


@dataclass
class People:
    by_key: dict[str, Person] = field(default_factory=dict)
    present: bool = False
    findings: list[Finding] = field(default_factory=list)

    def get(self, name: str | None) -> Person | None:
        return self.by_key.get(fold(name)) if name else None


def _cell(r: TableRow, key: str) -> str:
    text = r.text(key)
    if key == "手机" and text.endswith(".0"):  # a phone number typed as text from a float cell
        text = text[:-2]
    return text


def load_people(book: Book | None) -> People:
    sheet = book.get(PEOPLE_SHEET) if book else None
    if sheet is None:
        return People()
    table = read_sheet_table(sheet, COLUMNS, min_match=2)
    if table is None:
        return People(findings=[make("missing-column", "“人员”工作表缺少表头（姓名、手机、企业微信ID、钉钉ID、飞书ID），"
                                     "请在第一行填写这些列名。", sheet=PEOPLE_SHEET, row=1, field="姓名")])
    people = People(present=True)
    for r in table.rows:
        name = _cell(r, "姓名")
        if not name:
            people.findings.append(make("missing-value", "“人员”表此行没有姓名，已忽略，请填写姓名或删除该行。",
                                        sheet=PEOPLE_SHEET, row=r.row, column=r.columns.get("姓名"), field="姓名"))
            continue
        key = fold(name)
        if key in people.by_key:
            people.findings.append(make("duplicate-id", f"“人员”表中“{name}”出现多次，只使用第一行，请合并为一行。",
                                        sheet=PEOPLE_SHEET, row=r.row, column=r.columns.get("姓名"), field="姓名",
                                        value=name))
            continue
        people.by_key[key] = Person(name, _cell(r, "手机"), _cell(r, "企业微信ID"),
                                    _cell(r, "钉钉ID"), _cell(r, "飞书ID"))
    return people
