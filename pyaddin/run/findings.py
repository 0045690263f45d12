"""The finding: the one output shape shared by validate, deadlines, the CLI and the buttons."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
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


_KIND = ("code", "message", "severity", "sheet", "column", "field", "rule", "workbook")
"""What findings of one rule on one column share: one tuple object for all of them (`Finding._kind`)."""
_MORE = ("due", "days_left", "file", "location", "snippet")
"""What few findings have (deadlines, 材料预检): None on every other finding (`Finding._more`)."""
FIELDS = ("code", "message", "severity", "sheet", "row", "column", "field", "filing_id", "activity", "value",
          "rule", "due", "days_left", "workbook", "file", "location", "snippet")
"""The finding's fields in constructor order (the order positional arguments take)."""


def _kind_property(i: int, doc: str | None = None) -> property:
    def get(self):
        return self._kind[i]

    def put(self, value):
        k = self._kind
        self._kind = (*k[:i], value, *k[i + 1:])

    return property(get, put, doc=doc)


def _more_property(i: int, doc: str | None = None) -> property:
    def get(self):
        more = self._more
        return None if more is None else more[i]

    def put(self, value):
        more = self._more or (None,) * len(_MORE)
        more = (*more[:i], value, *more[i + 1:])
        self._more = None if more.count(None) == len(more) else more

    return property(get, put, doc=doc)


class Finding:
    """One problem found. Treat as immutable: only `stamp` and `share_values` write to a finding,
    right after the run that made it.

    Laid out for memory, because a tracker can hold ten findings a row: a run over a 1 MB file of
    near-empty rows makes ~280k of them, and as a 17-slot dataclass each cost 168 bytes, more than
    the file's cells. Here a finding holds only what varies from row to row (row, 备案编号, 活动,
    value) plus two shared tuples: `_kind`, the fields all findings of one rule on one column share
    (one object for thousands of findings when the builder passes the same tuple), and `_more`,
    the fields only deadline and 材料预检 findings have (None otherwise). 80 bytes a finding.
    Every field still reads and compares as an attribute; construct it as before, positionally in
    `FIELDS` order or by keyword."""

    __slots__ = ("_kind", "row", "filing_id", "activity", "value", "_more")

    code = _kind_property(0)
    message = _kind_property(1)
    severity = _kind_property(2)
    sheet = _kind_property(3)
    column = _kind_property(4, "0-based column index of the offending cell, for hyperlinks; None when not a cell.")
    field = _kind_property(5)
    rule = _kind_property(6)
    workbook = _kind_property(7, "The workbook the finding is about, when a run reads several; None for the single input.")
    due = _more_property(0)
    days_left = _more_property(1, "Working days until (positive) or since (negative) `due`, for deadline findings.")
    file = _more_property(2, "材料预检: the material's path relative to the archive root.")
    location = _more_property(3, "材料预检: where in the file (第 n 页 / 第 n 段 / 第 n 张幻灯片 / 图中第 n 行).")
    snippet = _more_property(4, "材料预检: ≤ 40 characters around the match, the match in 【】.")

    def __init__(self, code: str, message: str, severity: Severity, sheet: str | None = None,
                 row: int | None = None, column: int | None = None, field: str | None = None,
                 filing_id: str | None = None, activity: str | None = None, value: object = None,
                 rule: str | None = None, due: date | None = None, days_left: int | None = None,
                 workbook: str | None = None, file: str | None = None, location: str | None = None,
                 snippet: str | None = None):
        self._kind = (code, message, severity, sheet, column, field, rule, workbook)
        self.row = row
        self.filing_id = filing_id
        self.activity = activity
        self.value = value
        self._more = (None if due is None and days_left is None and file is None and location is None
                      and snippet is None else (due, days_left, file, location, snippet))

    @classmethod
    def of(cls, kind: tuple, row: int | None, filing_id: str | None, activity: str | None,
           value: object = None) -> Finding:
        """A finding on a row from a `_kind` tuple the caller shares between findings (see `kind`)."""
        self = cls.__new__(cls)
        self._kind = kind
        self.row = row
        self.filing_id = filing_id
        self.activity = activity
        self.value = value
        self._more = None
        return self

    @staticmethod
    def kind(code: str, message: str, severity: Severity, sheet: str | None, column: int | None,
             field: str | None, rule: str | None, workbook: str | None = None) -> tuple:
        return (code, message, severity, sheet, column, field, rule, workbook)

    def _state(self) -> tuple:
        return (self._kind, self.row, self.filing_id, self.activity, self.value, self._more)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._state() == other._state()

    def __hash__(self):
        return hash(self._state())

    def __repr__(self) -> str:
        return "Finding(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in FIELDS) + ")"

    @property
    def cell(self) -> str | None:
        """The Excel reference ("B7") of the offending cell, None when the finding is not about a cell."""
        column = self._kind[4]
        if self.row is None or column is None:
            return None
        return cell_ref(self.row, column)

    def __reduce__(self):
        # the state tuples as they are: a run over several trackers sends ~18k findings a tracker
        # between processes, and pickle's memo then sends each shared `_kind` once, not per finding
        return _restore, self._state()

    def as_json(self) -> dict:
        """Plain JSON-ready dict (built directly, not with `dataclasses.asdict`, which deep-copies every
        value). `column` is 1-based here, as a person counts, beside its reference `cell` ("B7")."""
        code, message, severity, sheet, column, field_, rule, workbook = self._kind
        due, days_left, file, location, snippet = self._more or _NO_MORE
        value, row = self.value, self.row
        return {"code": code, "message": message, "severity": severity, "sheet": sheet,
                "row": row, "column": None if column is None else column + 1,
                "cell": None if row is None or column is None else f"{column_letter(column)}{row}",
                "field": field_, "filing_id": self.filing_id, "activity": self.activity,
                "value": None if value is None else _json_value(value), "rule": rule,
                "due": due.isoformat() if due else None, "days_left": days_left, "workbook": workbook,
                "file": file, "location": location, "snippet": snippet}


_NO_MORE = (None,) * len(_MORE)


def _restore(kind, row, filing_id, activity, value, more) -> Finding:
    f = Finding.of(kind, row, filing_id, activity, value)
    f._more = more
    return f


def share_values(findings: list[Finding], pool: dict | None = None) -> dict:
    """Make equal messages, kinds, values, dates and day counts one object each, in place; returns
    the pool to pass on. A run over 20 trackers holds ~360k findings whose ~260k cell values are
    ~2.6k distinct ones (每个单元格 its own str from the reader) and whose kinds repeat across
    trackers: sharing them is ~40 MB of the run's peak memory. Keys carry the type, so True stays
    True and 1.0 stays 1.0 (they hash and compare equal to 1)."""
    pool = {} if pool is None else pool
    get = pool.setdefault
    for f in findings:
        kind = f._kind
        shared = pool.get(("kind", kind))
        if shared is None:
            message = kind[1]
            kind = (*kind[:1], get(message, message), *kind[2:])
            shared = pool[("kind", kind)] = kind
        f._kind = shared
        v = f.value
        if v is not None:
            try:
                f.value = get((v.__class__, v), v)
            except TypeError:  # an unhashable value stays as it is
                pass
        more = f._more
        if more is not None:
            try:
                f._more = get(("more", more), more)
            except TypeError:
                pass
    return pool


def stamp(findings: list[Finding], workbook: str | None) -> list[Finding]:
    """Mark where findings came from, in place (several trackers in one run). This runs once, right
    after a run made them and before anyone else sees them (`dataclasses.replace` per finding would
    copy ~12k objects per 10k-row tracker)."""
    if workbook is None:
        return findings
    stamped: dict[tuple, tuple] = {}  # one new kind per shared kind, so findings keep sharing them
    for f in findings:
        kind = f._kind
        if kind[7] is None:
            new = stamped.get(kind)
            if new is None:
                new = stamped[kind] = (*kind[:7], workbook)
            f._kind = new
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
    """Report order: sheet, row, column, severity, code (`sort_findings` sorts by it more cheaply)."""
    return (f.sheet or "", f.row if f.row is not None else -1, f.column if f.column is not None else -1,
            SEVERITY_ORDER[f.severity], f.code)


def _sheet_key(f: Finding) -> str:
    return f.sheet or ""


def _row_key(f: Finding) -> int:
    return -1 if f.row is None else f.row


def _column_key(f: Finding) -> int:
    return -1 if f.column is None else f.column


def _severity_key(f: Finding) -> int:
    return SEVERITY_ORDER[f.severity]


_PASSES = (attrgetter("code"), _severity_key, _column_key, _row_key, _sheet_key)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """`findings` put in `sort_key` order in place (and returned), in stable passes from the last
    key part to the first.

    Each pass's keys are objects the findings already hold (or small cached ints), where
    `sorted(key=sort_key)` builds a 5-tuple per finding: on a tracker with ten findings a row
    (~280k findings from a 1 MB file) those tuples were ~30 MB of the run's peak memory, more
    than the file's cells. The passes take about the same time as the one tuple sort."""
    for key in _PASSES:
        findings.sort(key=key)
    return findings


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
        findings = _first_of_each(self.findings + other.findings)
        return Report(command, self.workbook, self.today, max(self.rows, other.rows), findings,
                      self.run_at or other.run_at, self.system_today or other.system_today)

    def sorted(self) -> Report:
        return replace(self, findings=sort_findings(list(self.findings)))


def _same_key(f: Finding) -> tuple:
    return (f.code, f.sheet, f.row, f.field, f.message)


def _first_of_each(findings: list[Finding]) -> list[Finding]:
    """`findings` without repeats (same code, sheet, row, field and message), first ones kept; in place.

    A set of those 5-tuples cost ~35 MB at ~280k findings, more than the tracker's cells, and
    repeats are rare (the setup notes both parts of a check carry). So the keys' hashes go into
    one int64 array first, and only findings whose hash occurs twice are compared by key."""
    import numpy as np

    hashes = np.fromiter((hash(_same_key(f)) for f in findings), dtype=np.int64, count=len(findings))
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    twice = np.isin(hashes, repeated) if len(repeated) else np.zeros(0, dtype=bool)
    del hashes
    seen = set()
    repeats = []
    for i in np.flatnonzero(twice).tolist():
        key = _same_key(findings[i])
        if key in seen:
            repeats.append(i)
        seen.add(key)
    if len(repeats) > 64:  # many repeats: one pass instead of a shift per deletion
        drop = set(repeats)
        findings[:] = [f for i, f in enumerate(findings) if i not in drop]
    else:
        for i in reversed(repeats):
            del findings[i]
    return findings


DEADLINE_CODES = frozenset({
    "license-missing", "license-expired", "license-expiring", "license-gap", "review-overdue",
    "supplement-overdue", "submit-late-risk", "launch-unapproved", "archive-overdue", "calendar-fallback",
})
