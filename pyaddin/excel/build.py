"""Build `beian.xlsm` from text sources: the buttons, their macros and the capabilities' tables
registered in `pyaddin/capabilities.py`, VBA modules (pyaddin/excel/vba/*.bas; `BeianButtons.bas` is
only the header of the module whose macros the registry gives), default tables (CSV) and the VBA
project xlwings ships (`quickstart_standalone.xlsm`).

The build is deterministic (fixed creation date, fixed zip timestamps), so the committed workbook
can be compared with a fresh build. Run `beian build-workbook` after changing the registry, a .bas file, a
default table or the xlwings version.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import xlsxwriter

from ..capabilities import Button, buttons, tables
from ..tracker.book import column_letter
from . import ovba

VBA_MODULE = "BeianButtons"
TRACKER_SHEET = "备案台账"
CONF_SHEET = "xlwings.conf"
BUILD_DATE = datetime(2025, 1, 1, 0, 0, 0)


ButtonSpec = Button
BUTTONS = buttons()
"""The workbook's buttons, in their places (`pyaddin/capabilities.py`)."""


def vba_dir() -> Path:
    return Path(str(files("pyaddin.excel").joinpath("vba")))


def read_bas(path: Path) -> str:
    """A .bas file as VBA stores it: CRLF line ends, ASCII only."""
    text = path.read_text(encoding="ascii")
    return _crlf(text)


def _crlf(text: str) -> str:
    return "\r\n".join(text.replace("\r\n", "\n").split("\n")).rstrip("\r\n") + "\r\n"


def button_macros(specs: tuple[Button, ...] = BUTTONS) -> str:
    """One `Sub` per registered button, calling `pyaddin.buttons.<function>()` (the address every
    workbook ever built calls)."""
    return "".join(f'\nSub {b.macro}()\n    RunPython "import pyaddin.buttons; pyaddin.buttons.{b.function}()"\nEnd Sub\n'
                   for b in specs)


def vba_modules() -> dict[str, str]:
    """Every standard module of the workbook's VBA project, as VBA stores it: each `vba/*.bas`;
    `BeianButtons.bas` holds only the module's header, its macros come from the registry."""
    modules = {}
    for bas in sorted(vba_dir().glob("*.bas")):
        text = bas.read_text(encoding="ascii")
        if bas.stem == VBA_MODULE:
            text = text.replace("\r\n", "\n").rstrip("\n") + "\n" + button_macros()
        modules[bas.stem] = _crlf(text)
    return modules


def macro_calls(source: str) -> dict[str, str]:
    """{macro name: pyaddin.buttons function} for each `Sub X() RunPython "...buttons.f()"`."""
    found = {}
    for m in re.finditer(r'^\s*Sub\s+(\w+)\s*\(\s*\)(.*?)^\s*End\s+Sub', source, re.M | re.S | re.I):
        call = re.search(r'RunPython\s+"import pyaddin\.buttons;\s*pyaddin\.buttons\.(\w+)\(\)"', m.group(2))
        if call:
            found[m.group(1)] = call.group(1)
    return found


def xlwings_template() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"


def _csv(name: str) -> tuple[list[str], list[list[str]]]:
    text = files("pyaddin.data").joinpath(name).read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    return rows[0], [r for r in rows[1:] if any(r)]


# sheet name → VBA code name (ASCII, equal to the sheet's document module)
SHEETS = {
    "使用说明": "shGuide",
    TRACKER_SHEET: "shTracker",
    "资质库": "shLicenses",
    "平台": "shPlatforms",
    "平台规则": "shRules",
    "材料": "shMaterials",
    "行业": "shIndustries",
    **{t.sheet: t.code_name for t in tables()},  # the capabilities' own editable tables
    "设置": "shSettings",
    "节假日": "shHolidays",
    "通知": "shNotify",
    "人员": "shPeople",
    CONF_SHEET: "shXlwingsConf",
}

TABLE_SHEETS = (
    ("平台", "platforms.csv", {"平台": 10, "别名": 40, "备案号格式": 18, "备案入口": 28, "说明": 60}, ()),
    ("平台规则", "platform_rules.csv", {"说明": 48, "依据": 48, "要求": 16, "平台": 10}, ()),
    ("材料", "materials.csv", {"材料名称": 16, "文件名关键词": 36, "格式": 24, "说明": 56}, ("材料键",)),
    ("行业", "industries.csv",
     {"行业": 12, "别名": 32, "需审查广告": 10, "禁向未成年人": 12, "禁止互联网广告": 14, "依据": 64}, ()),
)
"""The core's editable tables (the team's copy of a packaged CSV, read back by
`tracker.tables.sheet_or_default`): sheet, CSV, column widths, internal key columns moved last and
hidden. A capability's own tables (用语库, 材料规格) are registered with it in `pyaddin/capabilities.py`."""

CONF_ROWS = (
    ("INTERPRETER_WIN", "", "Windows 上 Python 的完整路径，例如 %USERPROFILE%\\beian\\.venv\\Scripts\\pythonw.exe；"
                           "留空则用 PATH 中的 python。beian setup 会自动填写。"),
    ("INTERPRETER_MAC", "", "macOS 上 Python 的完整路径，例如 /Users/你的用户名/beian/.venv/bin/python；macOS 必须填写，"
                           "beian setup 会自动填写。"),
    ("PYTHONPATH", "", "pyaddin 所在文件夹（beian 未安装到上面的 Python 时填写）；beian setup 会按需填写。"),
)


def build_vba_project(xlwings_source: str | None = None, template: Path | None = None) -> bytes:
    """The workbook's vbaProject.bin: xlwings' project with our modules and one document module per sheet.

    `xlwings_source` replaces the xlwings module's source (tests use it to fake another version).
    """
    with zipfile.ZipFile(template or xlwings_template()) as z:
        project = ovba.VbaProject.load(z.read("xl/vbaProject.bin"))
    for name in [m.name for m in project.modules if m.kind == "document" or m.name == "Module1"]:
        project.remove_module(name)
    if xlwings_source is not None:
        project.set_module(ovba.Module("xlwings", "module", xlwings_source))
    modules = [ovba.Module("ThisWorkbook", "document",
                           ovba.document_source("ThisWorkbook", ovba.DOCUMENT_HEADER_WORKBOOK))]
    modules += [ovba.Module(code, "document", ovba.document_source(code)) for code in SHEETS.values()]
    for name, source in vba_modules().items():
        modules.append(ovba.Module(name, "module", source))
    project.modules = modules + project.modules
    return project.to_bytes()


def _number_or_text(value: str) -> object:
    if re.fullmatch(r"0|[1-9]\d{0,8}", value):
        return int(value)
    return value


def build_workbook(out: Path | io.BytesIO, *, xlwings_source: str | None = None,
                   conf: Mapping[str, str] | None = None, settings: Mapping[str, str] | None = None) -> None:
    """Write the workbook to `out` (a path or a binary buffer).

    `conf` fills values of the xlwings.conf sheet (keys of CONF_ROWS) and `settings` values of the
    设置 sheet (by 项目, e.g. 台账文件): `beian setup` uses them for a machine-ready workbook. Without
    them the build is the committed, machine-independent workbook.
    """
    unknown = set(conf or {}) - {k for k, _, _ in CONF_ROWS}
    if unknown:
        raise ValueError(f"unknown xlwings.conf keys: {sorted(unknown)}")
    target = out if isinstance(out, io.BytesIO) else str(out)
    wb = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": "备案台账助手 beian", "author": "beian", "created": BUILD_DATE,
                       "comments": "Built by `beian build-workbook`; do not edit the VBA by hand."})
    wb.set_vba_name("ThisWorkbook")
    wb.add_vba_project(io.BytesIO(build_vba_project(xlwings_source)), is_stream=True)
    fmt = _Formats(wb)
    sheets = {name: wb.add_worksheet(name) for name in SHEETS}
    for name, ws in sheets.items():
        ws.set_vba_name(SHEETS[name])
    _guide(sheets["使用说明"], fmt)
    _tracker(sheets[TRACKER_SHEET], fmt)
    _licenses(sheets["资质库"], fmt)
    for name, csv_name, widths, last in TABLE_SHEETS:
        _table_sheet(sheets[name], csv_name, fmt, widths=widths, last=last)
    for table in tables():
        _table_sheet(sheets[table.sheet], table.csv, fmt, widths=dict(table.widths))
    _rule_severity(sheets["平台规则"])
    _industry_flags(sheets["行业"])
    _settings(sheets["设置"], fmt, settings or {})
    _holidays(sheets["节假日"], fmt)
    _robots(sheets["通知"], fmt)
    _people(sheets["人员"], fmt)
    _conf(sheets[CONF_SHEET], fmt, conf or {})
    sheets["使用说明"].activate()
    wb.close()


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "valign": "vcenter"})
        self.title = wb.add_format({"bold": True, "font_size": 16})
        self.h2 = wb.add_format({"bold": True, "font_size": 12, "bg_color": "#F2F2F2"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.text = wb.add_format({"num_format": "@"})
        self.red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.yellow = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})


def _insert_buttons(ws, row: int, col: int, buttons: tuple[ButtonSpec, ...], *, vertical: bool) -> None:
    for i, b in enumerate(buttons):
        r, c = (row + i, col) if vertical else (row, col + i * 2)
        ws.insert_button(r, c, {"macro": b.macro, "caption": b.caption, "width": 120, "height": 30,
                                "x_offset": 4, "y_offset": 4})


GUIDE_WIDTHS = (20, 80)  # columns A and B of 使用说明, in Excel's character units


def _text_width(text: str) -> int:
    """Width in Excel's character units: CJK and full-width characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _row_height(text: str, width: int, *, minimum: float = 15) -> float:
    """Points a wrapped cell of `width` units needs (15 pt a line), so nothing is cut."""
    lines = sum(max(1, -(-_text_width(part) // (width - 2))) for part in text.split("\n"))
    return max(minimum, 15.0 * lines + 3)


def placeholder_rows() -> list[tuple[str, str]]:
    """(占位符, 含义) rows of the template placeholder table, as the renderer knows them."""
    # The single place the workbook takes the placeholder table from: documents.placeholders.placeholder_rows,
    # the table the renderer checks templates against (meaning, example and filters in one cell).
    from ..documents.placeholders import FILTERS, ITEM_FIELDS
    from ..documents.placeholders import placeholder_rows as documented

    rows = []
    for r in documented():
        meaning = r["含义"] + (f"。示例：{r['示例']}" if r["示例"] else "")
        if r["可用过滤器"]:
            meaning += f"；可写 {r['可用过滤器']}"
        rows.append((r["占位符"], meaning))
    rows += [(f"{name} 的每一项", "字段：" + "、".join(fields)) for name, fields in ITEM_FIELDS.items()]
    rows += [("|" + name, meaning) for name, meaning in FILTERS.items()]
    return rows


GUIDE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("第一次使用", (
        "1. 安装 Python 3.11 或更高版本（python.org；Windows 安装时勾选“Add python.exe to PATH”）和 uv"
        "（docs.astral.sh/uv）。",
        "2. 在 beian 文件夹中打开“命令提示符”（Windows）或“终端”（macOS），运行：uv run beian setup 你的台账.xlsx"
        "（不用 uv 时先运行 pip install . 再运行 beian setup 你的台账.xlsx）。"
        "它会生成一个已填好本机 Python 路径的 beian.xlsm，检查环境，并列出剩下要做的步骤。",
        "3. 用 Excel 打开生成的 beian.xlsm，点击黄色提示栏中的“启用内容”（macOS 上点击“启用宏”），然后点击按钮。",
        "请勿单独升级 xlwings：升级 beian 后重新运行 beian setup --force 生成工作簿即可（你们的台账放在单独的文件中，不受影响）。",
    )),
    ("结果在哪里", (
        "校验与到期检查的结果写在台账最右侧的“校验结果 / 问题说明 / 到期提醒”三列（再次运行会覆盖这三列，不会重复添加），"
        "以及“校验结果”“到期提醒”工作表；点击其中的单元格链接可跳到出问题的单元格。",
        "按钮只写这些结果列和结果工作表，不会修改你填写的内容。",
    )),
    ("其他工作表", (
        "资质库：营业执照、行业许可等资质及有效期。",
        "平台 / 平台规则 / 材料：各平台的要求（示例，请按各平台现行规则核对并修改）。平台规则的“级别”填 错误、警告 或 提示。",
        "行业：行业名称与别名，哪些行业不得面向未成年人投放（是 / 否 / 警告）、哪些禁止在互联网发布广告（处方药、烟草、电子烟），"
        "以及依据；可按团队的行业分类增改。",
        "设置：台账所在的工作表或文件、今天的日期、输出目录、归档根目录、提醒天数等。",
        "节假日：日历尚未收录的年份，按国务院办公厅的放假通知逐日填写放假（休）和调休上班（班）。",
        "xlwings.conf：本机 Python 的位置（由 beian setup 填写；A 列为项目，B 列为值），请勿改名。",
    )),
    ("出错时", (
        "按钮出错会弹出中文提示；详细信息写在工作簿同一文件夹的 beian-error.log 中。",
        "点击“诊断”按钮，把生成的“诊断”工作表发给维护者；或在命令行运行 beian doctor beian.xlsm，按提示逐条修改。",
        "命令行也能完成同样的检查：beian validate 台账.xlsx、beian deadlines 台账.xlsx 等（不修改原文件）。",
    )),
)


def _guide(ws, fmt: _Formats) -> None:
    a, b = GUIDE_WIDTHS
    ws.set_column(0, 0, a, fmt.wrap)
    ws.set_column(1, 1, b, fmt.wrap)
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.write_string(0, 0, "备案台账助手 beian", fmt.title)
    intro = "在“备案台账”工作表填写或粘贴你们的台账，然后点击按钮。按钮会调用本机安装的 Python 程序 beian（见下方“第一次使用”）。"
    ws.write_string(1, 1, intro, fmt.wrap)
    ws.set_row(1, _row_height(intro, b))
    row = 3
    ws.write_string(row, 0, "按钮", fmt.h2)
    ws.write_string(row, 1, "作用", fmt.h2)
    row += 1
    _insert_buttons(ws, row, 0, BUTTONS, vertical=True)
    for spec in BUTTONS:
        ws.set_row(row, _row_height(spec.help, b, minimum=30))
        ws.write_string(row, 1, spec.help, fmt.wrap)
        row += 1
    row += 1
    for heading, lines in GUIDE_SECTIONS:
        ws.write_string(row, 0, heading, fmt.h2)
        row += 1
        for line in lines:
            ws.write_string(row, 1, line, fmt.wrap)
            ws.set_row(row, _row_height(line, b))
            row += 1
        row += 1
    ws.write_string(row, 0, "文书模板占位符", fmt.h2)
    row += 1
    note = ("生成文书用 templates 文件夹中的 Word 模板。模板里可写的占位符如下，写法如 {{ 主体名称 }}；"
            "空值在文书中显示为“＿＿＿＿”并给出警告。日期和金额可加过滤器，如 {{ 活动开始日期|中文日期 }}。")
    ws.write_string(row, 1, note, fmt.wrap)
    ws.set_row(row, _row_height(note, b))
    row += 1
    ws.write_string(row, 0, "占位符", fmt.header)
    ws.write_string(row, 1, "含义", fmt.header)
    row += 1
    for name, meaning in placeholder_rows():
        ws.write_string(row, 0, name, fmt.wrap)
        ws.write_string(row, 1, meaning, fmt.wrap)
        ws.set_row(row, max(_row_height(name, a), _row_height(meaning, b)))
        row += 1
    ws.print_area(0, 0, row - 1, 1)


def tracker_headers() -> list[str]:
    """The canonical tracker headers: fields, then one checklist column per material."""
    header, rows = _csv("fields.csv")
    names = [r[header.index("字段")] for r in rows]
    names = [n + "(元)" if n in ("预算", "最高奖金额") else n for n in names]
    mheader, mrows = _csv("materials.csv")
    return names + [r[mheader.index("材料名称")] for r in mrows]


def _tracker(ws, fmt: _Formats) -> None:
    header_row = 1  # 0-based: Excel row 2; row 1 holds the buttons
    ws.set_row(0, 40)
    ws.write_string(0, 0, TRACKER_SHEET, fmt.title)
    _insert_buttons(ws, 0, 2, tuple(b for b in BUTTONS if b.on_tracker), vertical=False)
    fheader, frows = _csv("fields.csv")
    types = {r[fheader.index("字段")]: r[fheader.index("类型")] for r in frows}
    headers = tracker_headers()
    _, mrows = _csv("materials.csv")
    materials = {r[1] for r in mrows}
    ws.set_row(header_row, 30)
    last = 2000
    for col, name in enumerate(headers):
        ws.write_string(header_row, col, name, fmt.header)
        kind = types.get(name.removesuffix("(元)"), "bool")
        width = {"text": 18, "date": 12, "id": 14, "platform": 10, "status": 10, "amount": 12, "url": 28,
                 "phone": 14, "email": 22, "credit_code": 21, "forms": 14, "industry": 10}.get(kind, 10)
        if name in ("活动名称", "主体名称", "审核意见", "备注"):
            width = 26
        cell_format = fmt.date if kind == "date" else (fmt.text if kind in ("phone", "credit_code", "id") else None)
        ws.set_column(col, col, width, cell_format)
        rng = (header_row + 1, col, last, col)
        if kind == "platform":
            _list_validation(ws, rng, "='平台'!$A$2:$A$200", "平台", "请从平台表中选择；别名（如“微信公众号”）也可识别。")
        elif kind == "industry":
            _list_validation(ws, rng, "='行业'!$A$2:$A$200", name, "请从行业表中选择；别名（如“化妆品”）也可识别。")
        elif kind in ("status", "forms"):
            csv_name = {"status": "statuses.csv", "forms": "forms.csv"}[kind]
            _, rows = _csv(csv_name)
            _list_validation(ws, rng, [r[0] for r in rows], name,
                             "请从列表中选择；多个创意形式用顿号分隔。" if kind == "forms" else "请从列表中选择。")
        elif name in materials:  # what validate accepts for a material: ready, missing, not needed
            _list_validation(ws, rng, ["是", "否", "不适用"], name, "请选择“是”“否”或“不适用”。")
        elif kind == "bool":
            _list_validation(ws, rng, ["是", "否"], name, "请选择“是”或“否”。")
    cols = {name: i for i, name in enumerate(headers)}
    # dates that need attention: supplement deadline passed, launch within 7 days
    if "补充截止日期" in cols:
        c = column_letter(cols["补充截止日期"])
        ws.conditional_format(header_row + 1, cols["补充截止日期"], last, cols["补充截止日期"], {
            "type": "formula", "criteria": f"=AND(ISNUMBER(${c}3),${c}3<TODAY())", "format": fmt.red})
    if "计划上线日期" in cols:
        c = column_letter(cols["计划上线日期"])
        ws.conditional_format(header_row + 1, cols["计划上线日期"], last, cols["计划上线日期"], {
            "type": "formula", "criteria": f"=AND(ISNUMBER(${c}3),${c}3>=TODAY(),${c}3<=TODAY()+7)",
            "format": fmt.yellow})
    ws.freeze_panes(header_row + 1, 2)
    ws.autofilter(header_row, 0, header_row, len(headers) - 1)


def _list_validation(ws, rng, source, title: str, message: str) -> None:
    ws.data_validation(*rng, {"validate": "list", "source": source, "error_type": "warning",
                              "error_title": f"{title}不在列表中", "error_message": message,
                              "ignore_blank": True})


def _licenses(ws, fmt: _Formats) -> None:
    header, rows = _csv("license_fields.csv")
    names = [r[0] for r in rows]
    _, lic = _csv("industry_licenses.csv")
    for col, name in enumerate(names):
        ws.write_string(0, col, name, fmt.header)
        date_col = name in ("发证日期", "有效期至")
        ws.set_column(col, col, 14 if date_col else (21 if name == "统一社会信用代码" else 20),
                      fmt.date if date_col else (fmt.text if name in ("统一社会信用代码", "证书编号") else None))
    types = sorted({r[1] for r in lic}, key=[r[1] for r in lic].index)
    col = names.index("资质类型")
    _list_validation(ws, (1, col, 2000, col), types, "资质类型", "请从列表中选择，或填写其他资质类型。")
    col = names.index("有效期至")
    c = column_letter(col)
    ws.conditional_format(1, col, 2000, col, {"type": "formula", "criteria": f"=AND(ISNUMBER(${c}2),${c}2<TODAY())",
                                              "format": fmt.red})
    ws.conditional_format(1, col, 2000, col, {"type": "formula",
                                              "criteria": f"=AND(ISNUMBER(${c}2),${c}2<=TODAY()+30)",
                                              "format": fmt.yellow})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(names) - 1)


def _table_sheet(ws, csv_name: str, fmt: _Formats, *, widths: dict[str, int], last: tuple[str, ...] = ()) -> None:
    """A packaged table as an editable sheet. Columns named in `last` are internal keys (材料键 =
    business_license …): moved to the end and hidden, so a person sees the Chinese names first; the
    readers find columns by header, so the order does not matter to them."""
    header, rows = _csv(csv_name)
    order = [i for i, name in enumerate(header) if name not in last] + [header.index(n) for n in last]
    header = [header[i] for i in order]
    rows = [[row[i] if i < len(row) else "" for i in order] for row in rows]
    for col, name in enumerate(header):
        ws.write_string(0, col, name, fmt.header)
        ws.set_column(col, col, widths.get(name, 12), fmt.wrap if widths.get(name, 12) > 30 else None,
                      {"hidden": True} if name in last else {})
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value:
                v = _number_or_text(value)
                if isinstance(v, int):
                    ws.write_number(r, col, v)
                else:
                    ws.write_string(r, col, v)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, len(rows), len(header) - 1)


def _rule_severity(ws) -> None:
    """级别 of 平台规则 as a drop-down of the Chinese labels (English still accepted: warning only)."""
    header, _ = _csv("platform_rules.csv")
    col = header.index("级别")
    _list_validation(ws, (1, col, 1000, col), ["错误", "警告", "提示"], "级别",
                     "请选择“错误”“警告”或“提示”（也接受 error、warning、info）。")


def _industry_flags(ws) -> None:
    """禁向未成年人 and 禁止互联网广告 of the 行业 sheet as drop-downs of the values the catalog reads."""
    header, _ = _csv("industries.csv")
    col = header.index("禁向未成年人")
    _list_validation(ws, (1, col, 500, col), ["是", "否", "警告"], "禁向未成年人",
                     "请选择“是”（禁止）、“否”或“警告”（须人工判断，如游戏）。")
    col = header.index("禁止互联网广告")
    _list_validation(ws, (1, col, 500, col), ["是", "否"], "禁止互联网广告", "请选择“是”或“否”。")


def _settings(ws, fmt: _Formats, values: Mapping[str, str]) -> None:
    header, rows = _csv("settings.csv")
    unknown = set(values) - {r[header.index("项目")] for r in rows}
    if unknown:
        raise ValueError(f"unknown 设置 items: {sorted(unknown)}")
    for col, name in enumerate(("项目", "值", "说明")):
        ws.write_string(0, col, name, fmt.header)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 30, fmt.text)
    ws.set_column(2, 2, 70, fmt.wrap)
    for r, row in enumerate(rows, start=1):
        item, value, note = row[header.index("项目")], row[header.index("默认值")], row[header.index("说明")]
        ws.write_string(r, 0, item)
        v = values[item] if item in values else _number_or_text(value)
        if isinstance(v, int):
            ws.write_number(r, 1, v)
        elif v:
            ws.write_string(r, 1, v)
        ws.write_string(r, 2, note, fmt.wrap)
    ws.freeze_panes(1, 0)


def _holidays(ws, fmt: _Formats) -> None:
    for col, name in enumerate(("日期", "类型", "说明")):
        ws.write_string(0, col, name, fmt.header)
    ws.set_column(0, 0, 14, fmt.date)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 60)
    _list_validation(ws, (1, 1, 1000, 1), ["休", "班"], "类型", "“休”= 放假，“班”= 调休上班。")
    ws.write_string(1, 2, "示例：日历软件包尚未覆盖的年份，按国务院办公厅放假通知逐日填写放假（休）和调休上班（班）的日期。")
    ws.freeze_panes(1, 0)


def _robots(ws, fmt: _Formats) -> None:
    """通知: one group robot per row; the webhook and 加签密钥 are credentials (never printed by beian)."""
    names = ("名称", "类型", "Webhook", "加签密钥", "内容", "启用", "说明")
    for col, name in enumerate(names):
        ws.write_string(0, col, name, fmt.header)
    for col, width in enumerate((14, 10, 60, 40, 22, 8, 70)):
        ws.set_column(col, col, width, fmt.wrap if col == 6 else fmt.text)
    _list_validation(ws, (1, 1, 200, 1), ["企业微信", "钉钉", "飞书"], "类型", "请选择 企业微信、钉钉 或 飞书。")
    _list_validation(ws, (1, 5, 200, 5), ["是", "否"], "启用", "请选择“是”或“否”（空白 = 是）。")
    ws.write_string(1, 6, "每行一个群机器人。内容：urgent（紧急到期，按负责人 @）、approved（新下号备案）、weekly（周报），"
                          "可填多项，用逗号分隔；空白 = urgent,approved。Webhook 和加签密钥相当于密码：beian 不会在任何输出中显示它们，"
                          "但请勿把填好此表的工作簿发到群里。如何获取见 README“群机器人通知”。", fmt.wrap)
    ws.freeze_panes(1, 1)


def _people(ws, fmt: _Formats) -> None:
    """人员: who a 负责人 is in each chat app, so robot messages can @ them."""
    names = ("姓名", "手机", "企业微信ID", "钉钉ID", "飞书ID", "说明")
    for col, name in enumerate(names):
        ws.write_string(0, col, name, fmt.header)
    for col, width in enumerate((12, 14, 16, 16, 22, 70)):
        ws.set_column(col, col, width, fmt.wrap if col == 5 else fmt.text)
    ws.write_string(1, 5, "姓名与台账“负责人”一致。企业微信ID：通讯录中的账号；钉钉ID：userid；飞书ID：user_id 或 open_id（ou_ 开头）。"
                          "没有 ID 时填手机号（企业微信、钉钉可按手机号 @；飞书须填 ID）。手机号只用于 @，消息正文中会打码。", fmt.wrap)
    ws.freeze_panes(1, 1)


def _conf(ws, fmt: _Formats, values: Mapping[str, str]) -> None:
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 60, fmt.text)
    ws.set_column(2, 2, 90, fmt.wrap)
    for r, (key, default, note) in enumerate(CONF_ROWS):
        ws.write_string(r, 0, key)
        value = values.get(key, default)
        if value:
            ws.write_string(r, 1, value)
        ws.write_string(r, 2, note)
