"""What a run was: when, as of which day, over which files (with their SHA-256), with which rules.

Written as the 运行信息 sheet of findings.xlsx so a printed or forwarded list can be traced back to
the exact inputs; plain data here, laid out by the adapters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..version import __version__

TODAY_SOURCES = {"option": "命令行 --today", "settings": "设置表“今天”", "system": "系统日期"}


@dataclass(frozen=True)
class RunInfo:
    command: str
    started: datetime
    today: date
    system_today: date
    today_source: str
    """One of TODAY_SOURCES' keys."""
    inputs: tuple[Path, ...]
    rules: str
    """Where the rules came from, in words (a workbook path, or the built-in defaults)."""
    sheet: str | None = None
    rows: int | None = None
    version: str = __version__
    digests: dict[Path, str | None] = field(default_factory=dict)

    @property
    def pinned(self) -> bool:
        return self.today != self.system_today

    def rows_for_sheet(self) -> list[tuple[str, str]]:
        """(项目, 值) pairs, in reading order."""
        if self.pinned:
            today = (f"{self.today:%Y-%m-%d}（已固定，来自{TODAY_SOURCES[self.today_source]}；"
                     f"系统日期为 {self.system_today:%Y-%m-%d}）")
        else:
            today = f"{self.today:%Y-%m-%d}（{TODAY_SOURCES[self.today_source]}，未固定）"
        out = [("运行时间", self.started.strftime("%Y-%m-%d %H:%M:%S %z").strip()),
               ("命令", f"beian {self.command}"),
               ("按哪天计算", today)]
        for i, path in enumerate(self.inputs, start=1):
            label = "输入文件" if len(self.inputs) == 1 else f"输入文件 {i}"
            out.append((label, str(path)))
            digest = self.digests.get(path)
            out.append((f"{label} SHA-256", digest or "（无法读取，未计算）"))
        if self.sheet:
            out.append(("台账工作表", self.sheet))
        if self.rows is not None:
            out.append(("读取行数", str(self.rows)))
        out += [("规则来源", self.rules), ("beian 版本", self.version)]
        return out


def sha256_of(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def collect(ctx, command: str, *, inputs: list[Path], started: datetime, system_today: date,
            today_option: date | None = None) -> RunInfo:
    """The run's facts from a loaded Context; hashes the input files (once each)."""
    if today_option is not None:
        source = "option"
    elif ctx.settings.today is not None and ctx.settings.today == ctx.today:
        source = "settings"
    elif ctx.today == system_today:
        source = "system"
    else:
        source = "option"  # neither 设置 nor the clock: an explicit date from the caller
    paths = tuple(Path(p).resolve() for p in inputs)
    return RunInfo(command=command, started=started, today=ctx.today, system_today=system_today,
                   today_source=source, inputs=paths, rules=ctx.rules_source,
                   sheet=ctx.tracker.sheet, rows=ctx.tracker.rows,
                   digests={p: sha256_of(p) for p in paths})
