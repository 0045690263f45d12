"""The finding: the one output shape shared by validate, deadlines, the CLI and the buttons."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from operator import attrgetter
from typing import Literal

from ..tracker.book import cell_ref, column_letter

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str
    description: str


@cache
def codes() -> dict[str, Code]:
    """The registry of finding codes, kept as data (`data/codes.csv`) so docs and tests can list it."""
    text = files("pyaddin.data").joinpath("codes.csv").read_text(encoding="utf-8")
    return {r["代码"]: Code(r["代码"], r["级别"], r["标题"], r["说明"]) for r in csv.DictReader(text.splitlines())}


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """One problem found. Treat as immutable: only `stamp` writes to a finding, once, right after
    the run that made it. Not `frozen=True`, whose `object.__setattr__` per field made a finding
    cost 2.7 µs instead of 0.3 µs — 0.45 s of a 100k-row check, which makes ~180k of them."""

    code: str
    message: str
    severity: Severity
    sheet: str | None = None
    row: int | None = None
    column: int | None = None
    """0-based column index of the offending cell, for hyperlinks; None when not a cell."""
    field: str | None = None
    filing_id: str | None = None
    activity: str | None = None
    value: object = None
    rule: str | None = None
    due: date | None = None
    days_left: int | None = None
    """Working days until (positive) or since (negative) `due`, for deadline findings."""
    workbook: str | None = None
    """The workbook the finding is about, when a run reads several; None for the single input."""
    file: str | None = None
    """材料预检: the material's path relative to the archive root."""
    location: str | None = None
    """材料预检: where in the file (第 n 页 / 第 n 段 / 第 n 张幻灯片 / 图中第 n 行)."""
    snippet: str | None = None
    """材料预检: ≤ 40 characters around the match, the match in 【】."""

    @property
    def cell(self) -> str | None:
        """The Excel reference ("B7") of the offending cell, None when the finding is not about a cell."""
        if self.row is None or self.column is None:
            return None
        return cell_ref(self.row, self.column)

    def __reduce__(self):
        # the constructor with the fields in order: a run over several trackers sends ~18k findings
        # a tracker between processes, and pickle's default for slots (a state dict, then setattr
        # per field) took twice the time and half again the bytes
        return Finding, _FIELD_VALUES(self)

    def as_json(self) -> dict:
        """Plain JSON-ready dict (built directly, not with `dataclasses.asdict`, which deep-copies every
        value). `column` is 1-based here, as a person counts, beside its reference `cell` ("B7")."""
        value, due, column, row = self.value, self.due, self.column, self.row
        return {"code": self.code, "message": self.message, "severity": self.severity, "sheet": self.sheet,
                "row": row, "column": None if column is None else column + 1,
                "cell": None if row is None or column is None else f"{column_letter(column)}{row}",
                "field": self.field, "filing_id": self.filing_id, "activity": self.activity,
                "value": None if value is None else _json_value(value), "rule": self.rule,
                "due": due.isoformat() if due else None, "days_left": self.days_left, "workbook": self.workbook,
                "file": self.file, "location": self.location, "snippet": self.snippet}


_FIELD_VALUES = attrgetter(*(f.name for f in fields(Finding)))


def share_values(findings: list[Finding], pool: dict | None = None) -> dict:
    """Make equal messages, values, dates and day counts one object each, in place; returns the
    pool to pass on. A run over 20 trackers holds ~360k findings whose ~260k cell values are ~2.6k
    distinct ones (每个单元格 its own str from the reader) and whose messages repeat across trackers:
    sharing them is ~40 MB of the run's peak memory. Keys carry the type, so True stays True and
    1.0 stays 1.0 (they hash and compare equal to 1)."""
    pool = {} if pool is None else pool
    get = pool.setdefault
    for f in findings:
        f.message = get(f.message, f.message)
        for name in ("value", "due", "days_left"):
            v = getattr(f, name)
            if v is not None:
                try:
                    setattr(f, name, get((v.__class__, v), v))
                except TypeError:  # an unhashable value stays as it is
                    pass
    return pool


def stamp(findings: list[Finding], workbook: str | None) -> list[Finding]:
    """Mark where findings came from, in place (several trackers in one run). This runs once, right
    after a run made them and before anyone else sees them (`dataclasses.replace` per finding would
    copy ~12k objects per 10k-row tracker)."""
    for f in findings:
        if f.workbook is None:
            f.workbook = workbook
    return findings


def _json_value(value: object) -> object:
    if value.__class__ is str:  # most values: skip the isinstance chain
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # a phone number or amount read from a numeric cell: 13800138000, not 13800138000.0
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def make(code: str, message: str, *, severity: Severity | None = None, **where) -> Finding:
    """A finding with the registry's default severity unless the caller overrides it."""
    known = codes().get(code)
    if known is None:
        raise KeyError(f"unregistered finding code {code!r}")
    return Finding(code=code, message=message, severity=severity or known.severity, **where)


def sort_key(f: Finding):
    return (f.sheet or "", f.row if f.row is not None else -1, f.column if f.column is not None else -1,
            SEVERITY_ORDER[f.severity], f.code)


@dataclass
class Report:
    """What one command found: the rows it read and every finding, collected before reporting."""

    command: str
    workbook: str
    today: date
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    run_at: datetime | None = None
    """When the run really happened (set by the door that ran it; core never reads the clock)."""
    system_today: date | None = None
    """The machine's date at the run; `today` differs from it when 设置 今天 or --today pins it."""

    @property
    def today_pinned(self) -> bool:
        return self.system_today is not None and self.today != self.system_today

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def summary(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def as_json(self) -> dict:
        return {
            "tool": "beian",
            "command": self.command,
            "workbook": self.workbook,
            "today": self.today.isoformat(),
            "today_pinned": self.today_pinned,
            "system_today": self.system_today.isoformat() if self.system_today else None,
            "run_at": self.run_at.isoformat(timespec="seconds") if self.run_at else None,
            "rows": self.rows,
            "findings": [f.as_json() for f in self.findings],
            "summary": self.summary(),
        }

    def flatten(self, spec: list[str]) -> list[list]:
        """Chosen attributes of every finding, for compact exact assertions in tests."""
        return [[getattr(f, k) for k in spec] for f in self.findings]

    def merged(self, other: Report, command: str) -> Report:
        seen = set()
        findings = []
        for f in self.findings + other.findings:
            key = (f.code, f.sheet, f.row, f.field, f.message)
            if key not in seen:
                seen.add(key)
                findings.append(f)
        return Report(command, self.workbook, self.today, max(self.rows, other.rows), findings,
                      self.run_at or other.run_at, self.system_today or other.system_today)

    def sorted(self) -> Report:
        return replace(self, findings=sorted(self.findings, key=sort_key))


DEADLINE_CODES = frozenset({
    "license-missing", "license-expired", "license-expiring", "license-gap", "review-overdue",
    "supplement-overdue", "submit-late-risk", "launch-unapproved", "archive-overdue", "calendar-fallback",
})
