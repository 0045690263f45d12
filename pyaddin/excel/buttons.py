"""The workbook's buttons: one function per VBA macro (`RunPython "import pyaddin.buttons; …"`).

Each function gets the calling workbook inside the function (never at import time), opens it
through the same loader as the command line (`loader.open_context` with the live reader, which
reads each sheet in one call), runs the same action as the command line, computes every
output before writing anything, then writes each block in one call (see `adapters/excel.py`).
Any failure shows a Chinese message, writes the traceback to `beian-error.log` beside the
workbook and leaves the tracker as it was.

Debug without clicking: `python -m pyaddin.buttons validate_tracker` with beian.xlsm open
(`pyaddin/buttons.py`, the address the VBA calls).
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import xlwings as xw

from .. import capabilities
from ..adapters import excel
from ..errors import BeianError
from ..run.findings import DEADLINE_CODES, Report

TITLE = "备案台账助手"
LOG_NAME = "beian-error.log"
CAPTIONS = {b.function: b.caption for b in capabilities.buttons()}


# ---------------------------------------------------------------------------------------------
# the buttons (each registered in pyaddin/capabilities.py, which gives its caption and macro)


def validate_tracker() -> None:
    _run("validate_tracker", lambda xbook: _checks(xbook, validation=True, deadlines=False))


def flag_deadlines() -> None:
    _run("flag_deadlines", lambda xbook: _checks(xbook, validation=False, deadlines=True))


def check_all() -> None:
    _run("check_all", lambda xbook: _checks(xbook, validation=True, deadlines=True))


def generate_documents() -> None:
    _run("generate_documents", _documents)


def build_archive_index() -> None:
    _run("build_archive_index", _archive)


def weekly_report() -> None:
    _run("weekly_report", _weekly)


def precheck_materials() -> None:
    _run("precheck_materials", _precheck)


# ---------------------------------------------------------------------------------------------
# the work behind them


def _run(name: str, work: Callable[[object], str]) -> None:
    """Button `name` (`capabilities.py`): its caption titles the status bar and every message."""
    title = CAPTIONS[name]
    xbook = xw.Book.caller()
    excel.set_status(xbook, f"{TITLE}：正在{title}……")
    try:
        message = work(xbook)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a crash in Excel
        log = write_log(xbook, title)
        excel.set_status(xbook, False)
        xbook.app.alert(failure_message(title, exc, log), title=TITLE)
        return
    excel.set_status(xbook, False)
    xbook.app.alert(message, title=TITLE)


def failure_message(title: str, exc: Exception, log: Path | None) -> str:
    if isinstance(exc, BeianError):
        reason = str(exc).split(" / ")[0]
    elif isinstance(exc, ImportError | AttributeError):
        reason = (f"“{title}”需要的程序模块不可用（{exc}）。请在 beian 文件夹中运行 uv sync（或 pip install .），"
                  "再运行 beian doctor 检查；或点击“诊断”按钮把“诊断”工作表发给维护者。")
    else:
        reason = f"“{title}”运行出错：{type(exc).__name__}: {exc}。请把日志文件发给维护者。"
    where = f"\n详细信息已写入 {log}" if log else ""
    return f"{reason}\n台账内容没有被修改。{where}"


def write_log(xbook, title: str) -> Path | None:
    """The traceback, appended to beian-error.log beside the workbook (else in the temp folder)."""
    text = f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} {title} ===\n{traceback.format_exc()}"
    folders = []
    base = excel.book_path(xbook)
    if base is not None:
        folders.append(base.parent)
    folders += [Path.cwd(), Path(tempfile.gettempdir())]
    for folder in folders:
        path = folder / LOG_NAME
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    return None


class Live:
    """The calling workbook opened through the one loader, plus the xlwings books to write into."""

    def __init__(self, xbook, reader=None, ctx=None):
        from ..actions.loader import open_context

        self.xbook = xbook
        self.reader = reader or excel.LiveReader(xbook)
        self.ctx = ctx or open_context(self.reader)
        self.tracker = self.ctx.tracker
        self.tracker_xbook = self.reader.xbook_for(self.ctx.source)
        self.sheet = self.ctx.source.get(self.tracker.sheet)

    @property
    def external_file(self) -> str | None:
        return None if self.tracker_xbook is self.xbook else str(self.tracker_xbook.fullname)

    def output_dir(self) -> Path:
        """Where results go (`run.places`): 设置 输出目录, else beian-out beside the workbook."""
        return self.ctx.results_dir()


def summary_line(report: Report) -> str:
    s = report.summary()
    return f"错误 {s['error']} 条，警告 {s['warning']} 条，提示 {s['info']} 条"


def _open(xbook):
    """The calling workbook through the one loader: one tracker's `Live`, or (设置 台账文件 names a
    folder or several files) the trackers to run over, as `actions.loader.Opened`."""
    from ..actions.loader import open_named

    reader = excel.LiveReader(xbook)
    opened = open_named(reader)
    return opened, (None if opened.several else Live(xbook, reader, opened.ctx))


def _checks(xbook, *, validation: bool, deadlines: bool) -> str:
    from ..actions import check

    opened, live = _open(xbook)
    if live is None:
        return _checks_many(xbook, opened, validation=validation, deadlines=deadlines)
    data = check.run(live.ctx, validation=validation, deadlines=deadlines, keep_history=True).data
    v_report, d_report = data.validation, data.deadlines
    # everything is computed before the first write
    block = excel.result_block(live.tracker, live.sheet, v_report, d_report)
    sheets = []
    if v_report is not None:
        sheets.append(("校验结果", excel.findings_block(v_report, tracker_sheet=live.tracker.sheet,
                                                       tracker_file=live.external_file)))
    if d_report is not None:
        sheets.append(("到期提醒", excel.findings_block(d_report, tracker_sheet=live.tracker.sheet,
                                                       tracker_file=live.external_file)))
    excel.set_status(xbook, f"{TITLE}：正在写入结果……")
    for name, rows in sheets:
        excel.write_findings_sheet(xbook, name, rows)
    excel.write_result_block(live.tracker_xbook.sheets[live.tracker.sheet], block)
    lines = [f"已检查“{live.tracker.sheet}”中的 {live.tracker.rows} 行。"]
    if v_report is not None:
        lines.append(f"校验：{summary_line(v_report)}（见“校验结果”工作表）。")
    if d_report is not None:
        lines.append(f"到期与逾期：{summary_line(d_report)}（见“到期提醒”工作表）。")
    lines.append(f"每行的结果写在台账的 {excel.column_range_text(block)} 列；点击结果表中的位置可跳到对应单元格。")
    return "\n".join(lines)


def _name(ctx) -> str:
    """（台账文件名） for a progress label; nothing for the live workbook itself."""
    source = ctx.path or ctx.workbook
    return f"（{Path(source).name}）" if source else ""


def _skipped_lines(skipped) -> list[str]:
    return [f"已跳过 {s.path.name}：{s.reason}" for s in skipped]


def _checks_many(xbook, opened, *, validation: bool, deadlines: bool) -> str:
    """Several trackers named by 设置: each checked from its saved file exactly as this workbook
    naming only it would check it (this workbook's 设置 and rules, live), the cross-tracker checks
    added; findings go to this workbook's result sheets (linking into each file) and findings.xlsx.
    Nothing is written into the trackers themselves."""
    from ..actions import many

    home = opened.home
    result = many.run_opened(opened, validation=validation, deadlines=deadlines, out=opened.results_dir(),
                              workers=1, progress=excel.status_progress(xbook, "检查台账"))
    multi = result.data.several
    parts = [("校验结果", lambda f: f.code not in DEADLINE_CODES)] if validation else []
    parts += [("到期提醒", lambda f: f.code in DEADLINE_CODES)] if deadlines else []
    home_label = str(home.path) if home.path is not None else None
    blocks = [(name, excel.findings_block(
        Report(result.report.command, result.report.workbook, result.report.today, result.report.rows,
               [f for f in result.report.findings if wanted(f)]), several=True, home=home_label))
        for name, wanted in parts]
    excel.set_status(xbook, f"{TITLE}：正在写入结果……")
    for name, rows in blocks:
        excel.write_findings_sheet(xbook, name, rows)
    lines = [f"已检查 {len(multi.per_workbook)} 个台账（从各自已保存的文件读取，共 {result.report.rows} 行）："]
    lines += [f"  {Path(w).name}：{summary_line(r)}" for w, r in multi.per_workbook.items()]
    if multi.cross:
        lines.append(f"跨台账：{len(multi.cross)} 条（备案编号重复或备案号跨平台复用）。")
    lines += _skipped_lines(multi.skipped)
    lines.append(f"全部结果见{'、'.join(f'“{n}”' for n, _ in blocks)}工作表（“来源”列为台账文件，点击位置打开对应单元格）"
                 f"和 {result.written[0]}；多台账时不在各台账中写结果列。")
    return "\n".join(lines)


def _documents(xbook) -> str:
    from ..actions import documents
    from ..actions.batch import each_tracker

    opened, _ = _open(xbook)
    batch = each_tracker(opened, None, lambda c, folder: documents.run(
        c, out_dir=folder, progress=excel.status_progress(xbook, f"生成文书{_name(c)}")))
    if not batch.several:
        part = batch.parts[0]
        return "\n".join(_documents_lines(part.result.data, part.out_dir))
    lines = []
    for part in batch.parts:  # each tracker's documents in <out>/<tracker file name>/, as the command line does
        lines += [f"{part.source.name}："] + _documents_lines(part.result.data, part.out_dir)
    return "\n".join(lines + _skipped_lines(batch.skipped))


def _documents_lines(result, out: Path) -> list[str]:
    lines = [f"已生成 {len(result.documents)} 份文书，保存在：{out}"]
    if result.refused:
        lines.append(f"有 {len(result.refused)} 行未生成，改正后再点“生成文书”：")
        lines += [f"  第 {row} 行 {fid or ''}：{why}" for row, fid, why in result.refused[:5]]
        if len(result.refused) > 5:
            lines.append(f"  ……另有 {len(result.refused) - 5} 行，先点“校验台账”和“到期与逾期”查看全部原因。")
    if result.locked:
        lines.append(f"有 {len(result.locked)} 个文件正被 Word 或 Excel 打开，已跳过（如 {result.locked[0].name}）；关闭后再生成。")
    return lines


def archive_rows(result) -> list[list[object]]:
    """归档索引 sheet: one row per expected or found material, with a link to the file."""
    rows: list[list[object]] = [["备案编号", "行", "平台", "备案号", "材料", "要求", "状态", "文件", "大小(字节)", "SHA-256"]]
    for r in result.index:
        f = r.filing
        file = r.file
        rows.append([f.filing_id, f.row, excel.plain(f.platform), excel.plain(f.approval_no), r.material,
                     r.required, r.found, file.rel if file else "", file.size if file else "",
                     excel.plain(file.sha256) if file else ""])
    return rows


def _archive(xbook) -> str:
    from ..actions import archive
    from ..actions.batch import each_tracker

    opened, _ = _open(xbook)
    batch = each_tracker(opened, None, lambda c, folder: archive.run(
        c, out_dir=folder, progress=excel.status_progress(xbook, f"计算哈希{_name(c)}")))
    out = opened.results_dir()
    if batch.several:
        rows: list[list[object]] = []
        lines = []
        for part in batch.parts:  # each tracker indexed into <out>/<tracker file name>/, one sheet for all
            result = part.result.data
            block = archive_rows(result)
            rows = rows or [[*block[0], "来源"]]
            rows += [[*r, part.source.name] for r in block[1:]]
            lines.append(f"{part.source.name}：{len(block) - 1} 行，缺少的材料 {len(result.missing)} 项")
        excel.write_table_sheet(xbook, "归档索引", rows, text_from=2)
        return "\n".join([f"归档索引已写入“归档索引”工作表（{len(rows) - 1} 行，“来源”列为台账文件）；"
                          f"各台账的索引与清单文件保存在：{out}", *lines, *_skipped_lines(batch.skipped)])
    result = batch.parts[0].result.data
    rows = archive_rows(result)
    excel.write_table_sheet(xbook, "归档索引", rows, text_from=2)
    missing = len(result.missing)
    return (f"归档索引已写入“归档索引”工作表（{len(rows) - 1} 行），缺少的材料 {missing} 项；"
            f"索引与清单文件保存在：{out}")


def precheck_sheet_rows(result, out_dir: Path) -> list[list[object]]:
    """材料预检 sheet: the same rows as findings.xlsx's 材料预检 sheet (the link as the file's path)."""
    from ..adapters.findings_xlsx import FILE_LINK_TEXT, PRECHECK_COLUMNS, precheck_rows

    cols = [c for c in PRECHECK_COLUMNS if c != FILE_LINK_TEXT]
    rows: list[list[object]] = [cols]
    for r in precheck_rows(result, out_dir):
        rows.append([excel.plain(r[c]) if isinstance(r[c], str) else r[c] for c in cols])
    return rows


def _precheck(xbook) -> str:
    from ..actions import precheck
    from ..actions.batch import each_tracker

    opened, _ = _open(xbook)
    batch = each_tracker(opened, None, lambda c, folder: precheck.run(
        c, out_dir=folder, progress=excel.status_progress(xbook, f"读取材料{_name(c)}")))
    if batch.several:
        rows: list[list[object]] = []
        lines = []
        for part in batch.parts:
            outcome = part.result
            block = precheck_sheet_rows(outcome.data, part.out_dir)
            rows = rows or [[*block[0], "来源"]]
            rows += [[*r, part.source.name] for r in block[1:]]
            s = outcome.report.summary()
            lines.append(f"{part.source.name}：{len(outcome.data.files)} 个文件，错误 {s['error']}，警告 {s['warning']}，"
                         f"提示 {s['info']}")
        excel.write_table_sheet(xbook, "材料预检", rows, text_from=0)
        return "\n".join([f"材料预检已写入“材料预检”工作表（{len(rows) - 1} 个文件）；各台账的 findings.xlsx 保存在："
                          f"{opened.results_dir()}", *lines, *_skipped_lines(batch.skipped)])
    part = batch.parts[0]
    outcome, result = part.result, part.result.data
    excel.write_table_sheet(xbook, "材料预检", precheck_sheet_rows(result, part.out_dir), text_from=0)
    s = outcome.report.summary()
    lines = [f"材料预检：{len(result.filings)} 个未结束的备案、{len(result.files)} 个文件（本次读取 {result.read} 个）；"
             f"错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}。",
             f"逐条问题（含文件、位置和原文片段）见 {outcome.written[0]}；每个文件一行写在“材料预检”工作表。"]
    if result.no_folder:
        lines.append(f"{len(result.no_folder)} 个备案在归档中没有文件夹，未能预检（如 {result.no_folder[0].filing_id}）。")
    return "\n".join(lines)


def weekly_rows(report) -> list[list[object]]:
    """周报 sheet: counts by platform × status, then the week's headline counts."""
    table = report.by_platform_status.reset_index()
    rows = index_rows(table)
    rows.append([])
    rows += [["指标", "数量"]] + [[k, v] for k, v in report.counts.items()]
    return rows


def _weekly(xbook) -> str:
    from ..actions import weekly

    opened, _ = _open(xbook)
    out = opened.results_dir()
    outcome = weekly.run_opened(opened)  # several trackers: one report, with a 来源 breakdown
    note = _skipped_lines(outcome.skipped)
    report, written = outcome.data, outcome.written
    rows = weekly_rows(report)
    excel.write_table_sheet(xbook, "周报", rows, text_from=0)
    names = "、".join(p.name for p in written[:3])
    return "\n".join([f"{report.week} 周报已写入“周报”工作表；文件（{names}）保存在：{out}", *note])


def index_rows(table) -> list[list[object]]:
    """A DataFrame (or list of dicts) as header + rows of plain cell values."""
    if hasattr(table, "columns") and hasattr(table, "itertuples"):
        header = [str(c) for c in table.columns]
        body = [[excel.plain(v) for v in row] for row in table.itertuples(index=False)]
    else:
        items = list(table)
        header = list(items[0]) if items else ["（无）"]
        body = [[excel.plain(item.get(h)) for h in header] for item in items]
    return [header] + body


def diagnose() -> None:
    """诊断 button: the Excel/Python facts a maintainer needs, written to the 诊断 sheet in one block."""
    _run("diagnose", _diagnose)


def _diagnose(xbook) -> str:
    import platform

    from .diagnosis import SHEET, diagnosis_rows
    from .doctor import installed_xlwings, workbook_xlwings_version

    path = excel.book_path(xbook)
    try:
        vba = workbook_xlwings_version(path) if path else None
        vba_text = vba or "（工作簿中没有 xlwings VBA 模块）"
    except Exception as exc:  # noqa: BLE001 - the diagnosis reports what it cannot read
        vba_text = f"（读不出：{type(exc).__name__}: {exc}）"
    if path is None:
        vba_text = "（工作簿尚未保存到磁盘，无法读取）"
    try:
        version = str(xbook.app.version)
    except Exception:  # noqa: BLE001 - some engines do not say
        version = "（未知）"
    rows = diagnosis_rows(excel_version=version, excel_platform=f"{platform.system()} {platform.release()} ({sys.platform})",
                          workbook=path, workbook_vba_xlwings=vba_text, installed_xlwings=installed_xlwings() or "（未安装）")
    excel.write_table_sheet(xbook, SHEET, rows, text_from=0)
    return f"诊断信息已写入“{SHEET}”工作表（{len(rows) - 1} 项）；按钮有问题时请把这张工作表发给维护者。"


# ---------------------------------------------------------------------------------------------
# the loop: reuse what passed, see what a rule change hits


def reuse_selected() -> None:
    _run("reuse_selected", _reuse)


def rules_changes() -> None:
    _run("rules_changes", _rules_diff)


def reuse_rows(plan) -> list[list[object]]:
    """复用建议 sheet: one row per archived file of each candidate (a candidate without files: one row)."""
    rows: list[list[object]] = [["候选", "备案编号", "活动名称", "平台", "得分", "备案号", "通过日期", "审核用时(工作日)",
                                 "驳回历史", "已过期资质", "文件", "状态", "说明"]]
    for i, c in enumerate(plan.candidates, start=1):
        history = "；".join(f"{r.filing_id} {r.status}：{'、'.join(r.categories)}" for r in c.rejections)
        expired = "；".join(f"{x.type} {x.number} 至 {x.valid_until:%Y-%m-%d}" for x in c.expired_licenses)
        head = [i, c.filing_id, excel.plain(c.activity), excel.plain(c.platform), c.score, excel.plain(c.approval_no),
                c.approved_date, c.review_days, history, expired]
        for f in c.files or [None]:
            rows.append([*head, f.rel if f else "", f.state if f else "", f.reason if f else ""])
    for fid, reason in plan.skipped:
        rows.append(["已跳过", fid, "", "", "", "", "", "", "", "", "", "", f"本身有错误，不作复用来源：{reason}"])
    return rows


def _reuse(xbook) -> str:
    from ..actions import reuse

    live = Live(xbook)
    where = excel.selected_cell(xbook)
    fid = None
    if where is not None and where[0] == live.tracker.sheet and where[1] in live.tracker.df.index:
        fid = live.tracker.df.at[where[1], "filing_id"]
    if not fid:
        return f"请先在“{live.tracker.sheet}”中选中要复用材料的备案所在的行（该行须有备案编号），再点“复用材料”。"
    plan = reuse.run(live.ctx, filing_id=str(fid), out_dir=live.output_dir()).data.plan
    rows = reuse_rows(plan)
    excel.write_table_sheet(xbook, "复用建议", rows, text_from=1)
    first = plan.candidates[0].filing_id if plan.candidates else "无"
    note = f"\n{plan.note}" if plan.note else ""
    return (f"{plan.filing_id} 的复用建议已写入“复用建议”工作表：{len(plan.candidates)} 个候选，首选 {first}。"
            f"复制文件请用命令 beian reuse --copy。{note}")


def rules_diff_rows(diff) -> list[list[object]]:
    """规则变化 sheet: one row per affected filing of each change (a change hitting none: one row)."""
    rows: list[list[object]] = [["变化", "规则编号", "字段变化", "影响", "行", "备案编号", "活动名称", "平台", "状态", "现在缺少"]]
    for imp in diff.impacts:
        ch = imp.change
        fields = "；".join(ch.changes_text)
        for a in imp.affected or [None]:
            rows.append([ch.label, ch.rule_id, fields, a.effect if a else "无受影响的未结备案", a.row if a else "",
                         excel.plain(a.filing_id) if a else "", excel.plain(a.activity) if a else "",
                         excel.plain(a.platform) if a else "", excel.plain(a.status) if a else "",
                         a.missing if a else ""])
    return rows


def _rules_diff(xbook) -> str:
    from ..actions import rules_diff

    live = Live(xbook)
    diff = rules_diff.run(live.ctx).data
    if diff.base is None:
        return f"{diff.note}\n规则快照已保存在 {diff.current.path.parent}。"
    excel.write_table_sheet(xbook, "规则变化", rules_diff_rows(diff), text_from=1)
    hit = sum(len(i.affected) for i in diff.impacts)
    return (f"与 {diff.base.name} 相比有 {len(diff.changes)} 处规则变化，涉及 {hit} 个未结备案，"
            f"详见“规则变化”工作表。")


# ---------------------------------------------------------------------------------------------
# group robots and the deadline calendar (issue 15)


def send_reminders() -> None:
    _run("send_reminders", _send_reminders)


def export_calendar() -> None:
    _run("export_calendar", _export_calendar)


def _send_reminders(xbook) -> str:
    """Urgent deadlines and new 备案号 to the 通知 sheet's robots, as `beian notify --what urgent,approved`."""
    from ..actions import notify as action

    live = Live(xbook)
    result = action.run(live.ctx, what=("urgent", "approved"),
                        progress=lambda text: excel.set_status(xbook, f"{TITLE}：{text}"))
    lines = action.summary_lines(result, dry_run=False)
    if action.exit_code(result):
        lines.append("有消息未送达或机器人设置有误（见上），请按提示检查“通知”表后再点“发送提醒”；已送达的不会重复发送新备案号。")
    return "\n".join(lines)


def _export_calendar(xbook) -> str:
    from ..actions import calendar as action

    live = Live(xbook)
    result = action.run(live.ctx, out_dir=live.output_dir())
    path, data = result.written[0], result.data
    older = (f"（{data.past_days} 天前已过的 {data.past_left_out} 个到期日未导出，逾期事项见“检查”结果）"
             if data.past_left_out else "")
    return (f"已导出 {len(data.events)} 个到期日程{older}：{path}\n"
            "在 Outlook、飞书日历或钉钉日历中导入该文件即可；再次导出后重新导入会更新日程，不会重复。")
