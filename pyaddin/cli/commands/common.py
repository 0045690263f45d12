"""What every command shares: options, opening the workbook, exit codes, printing findings, JSON.

A command parses its options, opens the workbook with `open_workbook` (the one loader, with the
file reader), calls one action and presents its result with the helpers here.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import click

from ...run.findings import SEVERITY_ZH, Finding, Report, codes

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2
DEFAULT_OUT = Path("beian-out")
TERMINAL_LIMIT = 40


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_ID_SEPARATORS = re.compile(r"[,，;；、\s]+")


def split_ids(values: tuple[str, ...]) -> list[str]:
    """`--ids A,B --ids C` and `--ids "A B"` all name A, B and C (docs and precheck alike)."""
    return [part for v in values for part in _ID_SEPARATORS.split(v) if part]


def parse_today(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    if not _ISO_DATE.match(value):
        raise click.BadParameter(f"日期“{value}”应写成 YYYY-MM-DD，如 2026-11-20。 / use YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"日期“{value}”不存在（月份为 01–12，日不超过当月天数），请改正。 "
                                 f"/ {value} is not a date that exists") from exc


def check_out_dir(_ctx, _param, value: Path | None) -> Path | None:
    """--out names a folder; an existing file there (or on the way there), or a name the system
    cannot hold, would only fail later, halfway through."""
    if value is None:
        return value
    try:
        value.stat()
    except FileNotFoundError:
        return value
    except OSError as exc:  # a name too long, a file where a folder should be, a symlink loop
        from ...adapters.output_files import os_reason

        raise click.BadParameter(f"无法使用“{value}”：{os_reason(exc)}，请换一个文件夹。 "
                                 f"/ --out cannot be used: {exc.strerror or exc}") from None
    if not value.is_dir():
        raise click.BadParameter(f"“{value}”是一个已存在的文件，--out 应指定文件夹（不存在时会自动创建），"
                                 f"请换一个文件夹名。 / --out must name a folder, not a file")
    return value


def common_options(func=None, *, many: bool = False):
    """WORKBOOK, --out, --today, --sheet and --json, shared by every workbook command.

    `many`: WORKBOOK... (several workbooks and folders, docs/cli.md), passed as `workbooks`."""
    if func is None:
        return functools.partial(common_options, many=many)

    @(click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path)) if many
      else click.argument("workbook", type=click.Path(path_type=Path)))
    @click.option("--out", "out", type=click.Path(path_type=Path), default=None, callback=check_out_dir,
                  help="输出文件夹（默认：设置表“输出目录”，相对路径以工作簿所在文件夹为准）。")
    @click.option("--today", callback=parse_today, default=None, metavar="YYYY-MM-DD",
                  help="按指定日期计算（默认：设置表“今天”，否则系统日期）。")
    @click.option("--sheet", default=None, help="台账所在工作表（默认自动识别）。")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出到标准输出。")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def licenses_option(func):
    return click.option("--licenses", type=click.Path(path_type=Path), default=None,
                        help="多个台账共用的资质库：从此工作簿的“资质库”表读取。")(func)


def rules_option(func):
    return click.option("--rules", type=click.Path(path_type=Path), default=None,
                        help="从另一个工作簿读取 平台/平台规则/材料 表。")(func)


def open_workbook(workbook: Path, *, sheet: str | None = None, today: date | None = None,
                  rules: Path | None = None):
    """The one loader with the file reader: the same Context the buttons get from live Excel."""
    from ...adapters.files import FileReader, read_ahead

    read_ahead(workbook)  # calamine reads while the loader's imports (pandas, the core) load
    from ...actions.loader import open_context

    return open_context(FileReader(), workbook, sheet=sheet, rules=rules, today=today)


def emit_json(payload: dict) -> None:
    """Indented for a person at a terminal; compact (the C encoder, ~10× faster) when piped or redirected."""
    if sys.stdout.isatty():
        text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    else:
        # no circular-reference bookkeeping: the payload is plain dicts and lists built for this
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False)
    click.echo(text)


def emit_json_lines(payload: dict, items_key: str = "findings") -> None:
    """JSON Lines: each item of `payload[items_key]` on its own line, then the rest of the payload
    (tool, command, rows, summary …) as the last line, so a consumer can stream the findings."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    out = sys.stdout
    for item in payload.get(items_key, ()):
        out.write(dumps(item) + "\n")
    out.write(dumps({k: v for k, v in payload.items() if k != items_key}) + "\n")
    out.flush()


def json_lines_option(func):
    return click.option("--json-lines", "json_lines", is_flag=True,
                        help="以 JSON Lines 输出：每行一条问题，最后一行为汇总（便于流式处理）。")(func)


def code_title(code: str) -> str:
    """The Chinese name of a finding code (codes.csv 标题): a person reads 必填项为空, not missing-value.
    The code itself stays in --json, findings.xlsx and the README table."""
    known = codes().get(code)
    return known.title if known else code


def finding_line(f: Finding) -> str:
    """One finding on one terminal line: [级别] 工作表!行 备案编号 问题名称：说明."""
    where = f"{f.sheet}!{f.row}" if f.row is not None else (f.sheet or "")
    who = f" {f.filing_id}" if f.filing_id else ""
    place = f" {where}" if where else ""
    return f"[{SEVERITY_ZH[f.severity]}]{place}{who} {code_title(f.code)}：{f.message}"


def print_findings(findings: list[Finding], *, more_hint: str = "完整列表请用 --out 写入 findings.xlsx 或用 --json",
                   full_list: Path | None = None) -> None:
    """The first TERMINAL_LIMIT findings; past that, where the rest is: the file this run wrote
    (`full_list`), else `more_hint` (how to get one)."""
    for f in findings[:TERMINAL_LIMIT]:
        click.echo(finding_line(f))
    if len(findings) > TERMINAL_LIMIT:
        where = f"完整列表已写入 {full_list}" if full_list is not None else more_hint
        click.echo(f"……还有 {len(findings) - TERMINAL_LIMIT} 条，{where}。")


def pinned_notice(report: Report) -> str | None:
    """The first line a terminal shows when "today" is not the machine's date (docs/deadlines.md)."""
    if not report.today_pinned:
        return None
    return (f"注意：本次按 {report.today:%Y-%m-%d} 计算（设置“今天”或 --today），系统日期为 "
            f"{report.system_today:%Y-%m-%d}。 / Dates are computed as of {report.today:%Y-%m-%d}, not today.")


def print_summary(report: Report, written: list[Path]) -> None:
    """A terminal view: a pinned "today" first, the first findings, counts by code, and where
    the full list went."""
    notice = pinned_notice(report)
    if notice:
        click.echo(notice)
    full = next((p for p in written if Path(p).name == "findings.xlsx"), None)
    print_findings(report.findings, full_list=full)
    counts = Counter(code_title(f.code) for f in report.findings)
    if counts:
        click.echo("按问题：" + "，".join(f"{title} {n}" for title, n in counts.most_common()))
    s = report.summary()
    click.echo(f"共读取 {report.rows} 行：错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}。")
    for path in written:
        click.echo(f"已写入 {path}")


def open_named(workbooks, *, sheet: str | None = None, today: date | None = None, rules: Path | None = None):
    """The one loader with the file reader over what the command names (one workbook, several,
    folders): one tracker's Context, or the trackers to run over (`actions.loader.Opened`)."""
    from ...adapters.files import FileReader, read_ahead

    workbooks = [Path(w) for w in workbooks]
    if len(workbooks) == 1 and not workbooks[0].is_dir():
        read_ahead(workbooks[0])  # calamine reads while the loader's imports (pandas, the core) load
    from ...actions import loader

    return loader.open_named(FileReader(), workbooks, sheet=sheet, rules=rules, today=today)


def present_batch(command: str, batch, workbooks, present_one, *, as_json: bool) -> None:
    """Present an `actions.batch.Batch` and exit: one tracker as `present_one(result, workbook, emit)`
    alone; several each under a "== file" line (or one JSON object holding every tracker's payload),
    exiting with the worst tracker's code. `present_one` returns the exit code."""
    if not batch.several:
        sys.exit(present_one(batch.parts[0].result, str(workbooks[0]), emit_json if as_json else None))
    payloads: list[dict] = []
    codes = []
    for part in batch.parts:
        if not as_json:
            click.echo(f"== {part.source}")
        codes.append(present_one(part.result, str(part.source), payloads.append if as_json else None))
    finish_many(command, payloads, batch.skipped, codes, as_json=as_json)


def finish_many(command: str, payloads: list[dict], skipped, codes: list[int], *, as_json: bool) -> None:
    """End a run over several trackers: one JSON object with every tracker's payload (or the
    skipped files listed for a person), exiting with the worst tracker's code."""
    if as_json:
        emit_json({"tool": "beian", "command": command, "workbooks": [p["workbook"] for p in payloads],
                   "trackers": payloads, "skipped": [{"workbook": str(s.path), "reason": s.reason} for s in skipped]})
    else:
        for s in skipped:
            click.echo(f"已跳过 {s.path}：{s.reason}")
    sys.exit(max(codes))
