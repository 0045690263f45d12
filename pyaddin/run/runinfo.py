"""What a run was: when, as of which day, over which files (with their SHA-256), with which rules.

Written as the 运行信息 sheet of findings.xlsx so a printed or forwarded list can be traced back to
the exact inputs; plain data here, laid out by the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..version import __version__

TODAY_SOURCES = {"option": "命令行 --today", "settings": "设置表“今天”", "system": "系统日期"}


@dataclass(frozen=True)
class RunInfo:
    command: str
    started: datetime | None
    """None for a Context not opened by the loader (built directly, as tests do)."""
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
        started = self.started.strftime("%Y-%m-%d %H:%M:%S %z").strip() if self.started else "（未记录）"
        out = [("运行时间", started),
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


def collect(ctx, command: str, *, inputs: list[Path], digests: dict[Path, str | None]) -> RunInfo:
    """The run's facts as the Context holds them (start, today and where it came from, set once
    by the loader); `digests` are the inputs' SHA-256 (`adapters.hashing`), by resolved path."""
    paths = tuple(Path(p).resolve() for p in inputs)
    started = ctx.run_at.astimezone() if ctx.run_at is not None else None
    return RunInfo(command=command, started=started, today=ctx.today, system_today=ctx.system_today or ctx.today,
                   today_source=ctx.today_source, inputs=paths, rules=ctx.rules_source,
                   sheet=ctx.tracker.sheet, rows=ctx.tracker.rows, digests={p: digests.get(p) for p in paths})
