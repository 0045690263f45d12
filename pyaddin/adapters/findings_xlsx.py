"""findings.xlsx: one row per finding, in the order a person works through them, ready to print.

Columns: 级别, 备案编号, 活动名称, 负责人, 问题 (the code's Chinese title), 说明 (wrapped), 到期日,
剩余工作日, [来源 when the run read several workbooks], 单元格 (a hyperlink that opens the input
workbook at the offending cell), 代码. Deadline findings also get their own 到期提醒 sheet, most
urgent first; 运行信息 says when, as of which day, over which files and rules the list was made.

Written with rustpy-xlsxwriter (rust_xlsxwriter underneath): the same file XlsxWriter wrote,
several times faster at 100k findings (see benchmarks/README.md). Every string is written as a
string (never a formula), links stop at Excel's 65,530 per sheet (the reference stays as text
after that), and the page setup prints landscape, one page wide, with the header on every page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from rustpy_xlsxwriter import Format, write_worksheets

from ..run.findings import DEADLINE_CODES, SEVERITY_ORDER, SEVERITY_ZH, Finding, Report, codes
from ..run.runinfo import RunInfo
from ..tracker.book import column_letter
from ..tracker.values import as_text
from .output_files import atomic_write, check_not_input
from .xlsx_pages import FILL, HEADER_PT
from .xlsx_pages import LINE_PT as LINE_HEIGHT
from .xlsx_pages import wrapped_lines as _lines

CHECKS, DEADLINES, RUN_INFO = "校验结果", "到期提醒", "运行信息"
SOURCE = "来源"
LINK = "单元格"
LINK_TEXT = "单元格文本"
"""A hidden helper column: the text the 单元格 link shows (the writer takes link text from a column);
empty where 单元格 is plain text."""
COLUMNS = ["级别", "备案编号", "活动名称", "负责人", "问题", "说明", "到期日", "剩余工作日", LINK, "代码"]
MATERIAL_COLUMNS = ["文件", "位置", "片段"]
"""Added after 说明 when a finding is about a material file (材料预检): the file relative to the
archive root, where in it, and ≤ 40 characters around the match."""
WIDTHS = {"级别": 6, "备案编号": 15, "活动名称": 20, "负责人": 8, "问题": 20, "说明": 58, "到期日": 11,
          "剩余工作日": 11, SOURCE: 16, LINK: 16, "代码": 22, LINK_TEXT: 0,
          "文件": 30, "位置": 14, "片段": 36}
WRAPPED = ("活动名称", "问题", "说明", "文件", "片段")
"""Columns whose text wraps inside the column (a title such as 统一社会信用代码有误 is wider than 问题);
the others hold short codes, dates and numbers that fit their width."""
PRECHECK = "材料预检"
FILE_LINK, FILE_LINK_TEXT = "打开文件", "打开文件文本"
PRECHECK_COLUMNS = ["备案编号", "材料", "文件", "类型", "大小(KB)", "像素或页数", "识别字数", "文字识别", "最严重问题",
                    "问题代码", FILE_LINK, FILE_LINK_TEXT]
PRECHECK_WIDTHS = {"备案编号": 15, "材料": 12, "文件": 36, "类型": 7, "大小(KB)": 10, "像素或页数": 12, "识别字数": 9,
                   "文字识别": 16, "最严重问题": 10, "问题代码": 30, FILE_LINK: 10, FILE_LINK_TEXT: 0}
MAX_LINKS = 65_530
"""Excel allows this many hyperlinks per worksheet; past it the reference is written as text."""
FILLS = {"错误": "#FFC7CE", "警告": "#FFEB9C", "提示": "#DDEBF7"}
MAX_LINES = 25
"""Excel's highest row (409 pt) holds 25 wrapped lines."""
EMPTY = {CHECKS: "没有校验问题。", DEADLINES: "没有到期或逾期事项。"}


def _columns(multi: bool, material: bool = False) -> list[str]:
    cols = list(COLUMNS)
    if material:
        cols[cols.index("说明") + 1:cols.index("说明") + 1] = MATERIAL_COLUMNS
    if multi:
        cols.insert(cols.index(LINK), SOURCE)
    return [*cols, LINK_TEXT]


def _target(workbook: Path, out_dir: Path) -> str | None:
    """The input workbook relative to the findings file, so the pair still works when copied together;
    None when a link to it cannot be written (a `#` in the path ends a link's file part)."""
    try:
        target = Path(os.path.relpath(workbook.resolve(), out_dir.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        target = workbook.resolve().as_posix()
    return None if "#" in target else target


def _urgency(f: Finding):
    return (SEVERITY_ORDER[f.severity], f.days_left if f.days_left is not None else 10**6,
            f.due or date.max, f.workbook or "", f.row or 0)


class _Rows:
    """Builds the row dicts of one sheet; counts links so none is written past Excel's limit."""

    def __init__(self, targets: Mapping[str | None, str | None], owners: Mapping[tuple[str | None, str | None, int], str],
                 titles: dict[str, str], multi: bool, sources: Mapping[str | None, str], material: bool = False):
        self.targets, self.owners, self.titles, self.multi, self.sources = targets, owners, titles, multi, sources
        self.material = material

    def build(self, findings: list[Finding]) -> tuple[list[dict], dict[int, float]]:
        """The rows, and the height of each row whose 活动名称, 问题 or 说明 wraps (LibreOffice and WPS do
        not size rows themselves: a fixed row would cut the lines below the first).

        One pass, no per-value helper calls where the value is already text: at 100k findings this
        loop is half of what writing the file costs in Python.
        """
        rows = []
        heights: dict[int, float] = {0: 2 * LINE_HEIGHT + 2}  # the header wraps 剩余工作日 over two lines
        links = 0
        per_line = int(WIDTHS["说明"] * FILL)  # columns of text a wrapped line holds
        name_fits = int(WIDTHS["活动名称"] * FILL) // 2  # characters of any kind that surely fit one line
        title_lines = {code: _lines(title, WIDTHS["问题"]) for code, title in self.titles.items()}
        targets, owners, titles, multi, sources = self.targets, self.owners, self.titles, self.multi, self.sources
        letters: dict[int, str] = {}
        quoted: dict[str, str] = {}
        for f in findings:
            sheet, row_no, column, workbook = f.sheet, f.row, f.column, f.workbook
            if sheet is None:
                ref = link = None
            else:
                if row_no is None:
                    cell = "A1"
                elif column is None:
                    cell = f"A{row_no}"
                else:
                    letter = letters.get(column)
                    if letter is None:
                        letter = letters[column] = column_letter(column)
                    cell = f"{letter}{row_no}"
                ref = f"{sheet}!{cell}"
                target = targets.get(workbook)
                if target is not None and links < MAX_LINKS:
                    links += 1
                    q = quoted.get(sheet)
                    if q is None:
                        q = quoted[sheet] = sheet.replace("'", "''")
                    link = f"file:///{target}#'{q}'!{cell}"
                else:
                    # text, not a link: no workbook, or past the limit; the link text column stays
                    # empty (~0.5 s less writing at 100k findings, where most rows are past the limit)
                    link, ref = ref, None
            fid, activity, message = f.filing_id, f.activity, f.message
            row = {
                "级别": SEVERITY_ZH[f.severity],
                "备案编号": fid if fid is None or fid.__class__ is str else as_text(fid),
                "活动名称": activity if activity is None or activity.__class__ is str else as_text(activity),
                "负责人": owners.get((workbook, sheet, row_no)) if row_no is not None else None,
                "问题": titles.get(f.code, f.code),
                "说明": message,
                "到期日": f.due,
                "剩余工作日": f.days_left,
            }
            if self.material:
                row["文件"], row["位置"], row["片段"] = f.file, f.location, f.snippet
            if multi:
                row[SOURCE] = sources.get(workbook)
            row[LINK] = link
            row["代码"] = f.code
            row[LINK_TEXT] = ref
            rows.append(row)
            width = (len(message.encode("utf-8")) + len(message)) // 2  # a Chinese character is 2 columns
            lines = -(-width // per_line)
            title = title_lines.get(f.code, 1)
            if title > lines:
                lines = title
            if activity.__class__ is str and len(activity) > name_fits:
                name = _lines(activity, WIDTHS["活动名称"])
                if name > lines:
                    lines = name
            if lines > 1:
                heights[len(rows)] = LINE_HEIGHT * min(MAX_LINES, lines) + 2
        return rows, heights


def write_findings(path: Path, report: Report, workbook: Path | None, *,
                   workbooks: Mapping[str, Path] | None = None,
                   owners: Mapping[tuple[str | None, str | None, int], str] | None = None,
                   run_info: RunInfo | None = None, precheck=None) -> Path:
    """Write `findings.xlsx` atomically.

    `workbook` is the input the links open; with several inputs, `workbooks` maps each finding's
    `workbook` label to its file (the 来源 column appears). `owners` maps (workbook label, sheet,
    Excel row) to the row's 负责人. `precheck` (a `PrecheckResult`) adds the 材料预检 sheet: one
    row per file read, with a link that opens it.
    """
    path = Path(path)
    out_dir = path.parent
    multi = bool(workbooks) and len(workbooks) > 1
    files: dict[str | None, Path] = dict(workbooks or {})
    if workbook is not None:
        files.setdefault(None, Path(workbook))
    targets = {label: _target(file, out_dir) for label, file in files.items()}
    sources = {label: file.name for label, file in files.items()}
    titles = {c: v.title for c, v in codes().items()}
    material = precheck is not None or any(f.file for f in report.findings)
    rows = _Rows(targets, owners or {}, titles, multi, sources, material)

    # errors first, notes about the run or the setup (today-pinned, rule-unverified) last
    checks = sorted((f for f in report.findings if f.code not in DEADLINE_CODES), key=lambda f: SEVERITY_ORDER[f.severity])
    deadlines = sorted((f for f in report.findings if f.code in DEADLINE_CODES), key=_urgency)
    sheets = [(CHECKS, checks)]
    if report.command in {"deadlines", "check"} or deadlines:
        sheets.append((DEADLINES, deadlines))
    cols = _columns(multi, material)

    data = []
    heights: dict[str, dict[int, float]] = {}
    for name, findings in sheets:
        body, heights[name] = rows.build(findings)
        data.append((name, body or [dict.fromkeys(cols) | {"说明": EMPTY[name]}]))
    if precheck is not None:
        data.append((PRECHECK, precheck_rows(precheck, out_dir)))
    info = run_info.rows_for_sheet() if run_info is not None else \
        [("命令", f"beian {report.command}"), ("按哪天计算", f"{report.today:%Y-%m-%d}")]
    data.append((RUN_INFO, [{"项目": k, "值": v} for k, v in info]))
    heights[RUN_INFO] = {0: HEADER_PT} | {i: LINE_HEIGHT * min(MAX_LINES, n) + 2 for i, (_, v) in enumerate(info, start=1)
                         if (n := _lines(str(v), 90)) > 1}  # several input files, long rule sources

    def write(tmp: Path) -> None:
        _write(tmp, data, [name for name, _ in sheets], cols, heights, precheck is not None)

    for source in files.values():
        check_not_input(path, source)  # also when the workbook was not read by this process
    return atomic_write(path, write)


def _formats() -> dict[str, Format]:
    def top() -> Format:
        return Format().set_align("top")

    return {
        "header": Format().set_bold().set_background_color("#D9E1F2").set_border("thin").set_text_wrap()
        .set_align("top"),
        "text": top().set_num_format("@"),
        "wrap": top().set_text_wrap().set_num_format("@"),
        "date": top().set_num_format("yyyy-mm-dd"),
        # centred: a right-aligned count would butt against the link in the next column
        "number": top().set_num_format("0").set_align("center"),
        "link": top().set_font_color("#0563C1").set_underline().set_text_wrap(),  # a long sheet name wraps
    }


def precheck_rows(result, out_dir: Path) -> list[dict]:
    """One row per file of the 材料预检: what was read, how, and the worst finding; a link opens the file."""
    root = Path(result.root) if result.root else None
    rows = []
    for s in result.files:
        if s.pixels:
            extent = f"{s.pixels[0]}×{s.pixels[1]}"
        elif s.pages:
            extent = f"{s.pages} 页"
        else:
            extent = None
        ocr = "否"
        if s.ocr_used:
            ocr = f"是（{s.low_confidence} 行需人工复核）" if s.low_confidence else "是"
        elif s.status == "ocr-skipped":
            ocr = "未识别（--no-ocr）"
        target = _target(root / s.rel, out_dir) if root is not None else None
        rows.append({
            "备案编号": s.filing_id, "材料": s.material or "未归类", "文件": s.rel, "类型": s.type,
            "大小(KB)": round(s.size / 1024, 1), "像素或页数": extent, "识别字数": s.chars, "文字识别": ocr,
            "最严重问题": SEVERITY_ZH[s.worst] if s.worst else "无", "问题代码": "、".join(s.codes) or None,
            FILE_LINK: f"file:///{target}" if target else None, FILE_LINK_TEXT: "打开" if target else None,
        })
    return rows or [dict.fromkeys(PRECHECK_COLUMNS) | {"文件": "没有找到要预检的文件。"}]


def _write(tmp: Path, data: list[tuple[str, list[dict]]], finding_sheets: list[str], cols: list[str],
           heights: dict[str, dict[int, float]], precheck: bool = False) -> None:
    fmt = _formats()
    column_formats = {c: fmt["wrap"] if c in WRAPPED else fmt["date"] if c == "到期日" else
                      fmt["number"] if c == "剩余工作日" else fmt["link"] if c == LINK else fmt["text"] for c in cols}
    severity_rules = [{"type": "text", "criteria": "contains", "value": label,
                       "format": Format().set_background_color(colour)} for label, colour in FILLS.items()]
    page = {"landscape": True, "paper_size": 9, "fit_to_pages": (1, 0), "repeat_rows": 0,
            "margins": {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3},
            "header": "&L&A", "footer": "&C第 &P 页，共 &N 页"}
    write_worksheets(
        data, str(tmp),
        freeze_panes={name: {"row": 1, "col": 0} for name in finding_sheets},
        row_heights={name: h for name, h in heights.items() if h},
        # a shared-strings table, as Excel itself writes: with inline strings Excel rewrites the file on
        # its next save and OOXML validators flag every sheet
        dedupe_strings={name: True for name, _ in data},
        datetime_format="yyyy-mm-dd",
        column_widths={**{name: {c: WIDTHS[c] for c in cols} for name in finding_sheets},
                       RUN_INFO: {"项目": 22, "值": 90}, **({PRECHECK: PRECHECK_WIDTHS} if precheck else {})},
        column_formats={**{name: column_formats for name in finding_sheets},
                        RUN_INFO: {"项目": fmt["text"], "值": fmt["wrap"]}},
        header_format={name: fmt["header"] for name, _ in data},
        autofilter={**{name: True for name in finding_sheets}, **({PRECHECK: True} if precheck else {})},
        url_columns={**{name: {LINK: LINK_TEXT} for name in finding_sheets},
                     **({PRECHECK: {FILE_LINK: FILE_LINK_TEXT}} if precheck else {})},
        conditional_formats={name: {"级别": severity_rules} for name in finding_sheets},
        page_setup={**{name: page for name in finding_sheets},
                    RUN_INFO: {**page, "landscape": False, "fit_to_pages": (1, 0)}},
    )


def owners_of(ctx, label: str | None = None) -> dict[tuple[str | None, str | None, int], str]:
    """(workbook label, tracker sheet, Excel row) → 负责人 of the tracker's rows that name one."""
    df, sheet = ctx.tracker.df, ctx.tracker.sheet
    if "owner" not in df.columns:
        return {}
    out = {}
    for row, owner in zip(df.index.tolist(), df["owner"].tolist(), strict=True):
        if owner.__class__ is not str:  # normalised text is str or None; anything else, spelled out
            owner = as_text(owner) if owner is not None and owner == owner else ""
        if owner and owner.strip():
            out[(label, sheet, row)] = owner
    return out


def write_for_context(path: Path, report: Report, ctx, *, workbook: Path | None = None) -> Path:
    """findings.xlsx for a run over one loaded Context: links to the tracker, 负责人 from its rows,
    and the 运行信息 sheet (the run's facts from the Context, input files hashed here)."""
    from ..run.runinfo import collect
    from .hashing import sha256_or_none

    tracker_file = Path(ctx.path) if ctx.path else workbook
    inputs = [p for p in dict.fromkeys([workbook, tracker_file]) if p is not None]
    digests = {p: sha256_or_none(p) for p in (Path(i).resolve() for i in inputs)}
    info = collect(ctx, report.command, inputs=inputs, digests=digests)
    return write_findings(path, report, tracker_file, owners=owners_of(ctx), run_info=info)
