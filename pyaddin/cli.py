"""The `beian` command line: each command parses its options, loads a Context, calls one core
function and reports. Failures that stop a run exit 2 with a one-line reason, Chinese first."""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import BeianError, TrackerNotFound

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2
DEFAULT_OUT = Path("beian-out")


class BeianGroup(click.Group):
    """Turns every failure into exit 2 with one line on stderr and no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BeianError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_CANNOT_RUN)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。 / Interrupted.", err=True)
            sys.exit(EXIT_CANNOT_RUN)
        except Exception as exc:  # noqa: BLE001 - never show a traceback to a user
            if os.environ.get("BEIAN_DEBUG"):
                traceback.print_exc()
            click.echo(f"内部错误：{type(exc).__name__}: {exc}；请设置 BEIAN_DEBUG=1 重试并把输出发给维护者。 "
                       f"/ Internal error.", err=True)
            sys.exit(EXIT_CANNOT_RUN)


@click.group(cls=BeianGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="beian")
def main() -> None:
    """beian：营销活动备案台账助手（校验、到期提醒、文书、归档、周报）。"""


def parse_today(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"日期“{value}”应写成 YYYY-MM-DD / use YYYY-MM-DD") from exc


def common_options(func):
    """WORKBOOK, --out, --today, --sheet and --json, shared by every workbook command."""
    @click.argument("workbook", type=click.Path(path_type=Path))
    @click.option("--out", "out", type=click.Path(path_type=Path), default=None, help="输出文件夹。")
    @click.option("--today", callback=parse_today, default=None, metavar="YYYY-MM-DD",
                  help="按指定日期计算（默认：设置表“今天”，否则系统日期）。")
    @click.option("--sheet", default=None, help="台账所在工作表（默认自动识别）。")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出到标准输出。")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def load(workbook: Path, *, sheet: str | None = None, today: date | None = None, rules: Path | None = None):
    """Read the workbook (and the tracker/rules workbooks it names) into a Context."""
    from .adapters.files import read_book
    from .context import build_context

    book = read_book(workbook)
    rules_book = read_book(rules) if rules else None
    tracker_book = None
    from .settings import load_settings

    tracker_file = load_settings(book).tracker_file
    if tracker_file:
        target = Path(tracker_file)
        if not target.is_absolute():
            target = workbook.parent / target
        tracker_book = read_book(target)
    try:
        ctx = build_context(book, system_today=date.today(), today=today, sheet=sheet, rules_book=rules_book,
                            tracker_book=tracker_book)
    except TrackerNotFound as exc:
        source = tracker_book or book
        raise TrackerNotFound(f"“{Path(source.path or workbook).name}”：{_empty_reason(source) or exc}") from exc
    attach_archive(ctx, workbook)
    return ctx


def _empty_reason(book) -> str | None:
    """An empty workbook deserves its own reason rather than 'no tracker header found'."""
    if any(v not in (None, "") for s in book.sheets.values() for r in s.rows for v in r):
        return None
    return "工作簿中没有任何数据，请确认选择了正确的文件并已保存。 / The workbook contains no data."


def attach_archive(ctx, workbook: Path) -> None:
    """With 设置 归档根目录, materials found in the archive count for validate's material rules."""
    if not ctx.settings.archive_root:
        return
    from .archive import scan_materials

    root = Path(ctx.settings.archive_root)
    root = root if root.is_absolute() else workbook.parent / root
    if root.is_dir():
        ctx.archive_materials = scan_materials(root, ctx.tracker.df, ctx.catalog)


def output_dir(out: Path | None, ctx, *, default: Path | None) -> Path | None:
    """--out, else 设置 输出目录, else `default` (None: write nothing)."""
    if out is not None:
        return out
    if ctx is not None and ctx.settings.output_dir:
        return Path(ctx.settings.output_dir)
    return default


def emit_json(payload: dict) -> None:
    """Indented for a person at a terminal; compact (C encoder, ~10× faster) when piped or redirected."""
    if sys.stdout.isatty():
        text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    else:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    click.echo(text)


def emit_json_lines(payload: dict, items_key: str = "findings") -> None:
    """One JSON object per line: each item of `payload[items_key]`, then the rest of the payload
    (tool, command, summary …) as the last line, so a consumer can stream findings."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    write = sys.stdout.write
    for item in payload.get(items_key, ()):
        write(dumps(item))
        write("\n")
    write(dumps({k: v for k, v in payload.items() if k != items_key}))
    write("\n")
    sys.stdout.flush()


from .commands import archive as _archive  # noqa: E402,F401  (each import registers its commands)
from .commands import demo as _demo  # noqa: E402,F401
from .commands import docs as _docs  # noqa: E402,F401
from .commands import report as _report  # noqa: E402,F401
from .commands import validate as _validate  # noqa: E402,F401
from .commands import workbook as _workbook  # noqa: E402,F401
