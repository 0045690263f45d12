"""Several trackers in one run (docs/cli.md, 多个台账): one report over all of them, and the checks that only
make sense across them.

A group keeps one tracker per brand or agency; compliance wants one view. Each tracker is checked
on its own exactly as in a single run, its findings stamped with their `workbook`; then the keys
every tracker holds (备案编号, 备案号 and platform per row) are compared across trackers:
- the same 备案编号 in two trackers is `duplicate-id` on the later one, naming the first file and row;
- the same 备案号 on two platforms anywhere is `approval-no-reused`, naming the other file and row.
Within one tracker validate already reports both, so only pairs in different trackers are added
here: the run's findings are the sum of the single runs plus these.

Only `TrackerKeys` (a few lists per tracker) is kept for the cross checks, so a run over many
trackers need not hold every Context at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..run.context import Context
from ..run.findings import Finding, Report, codes, sort_key, stamp
from ..tracker.textnorm import approval_key, filing_key


@dataclass
class TrackerKeys:
    """What the cross-tracker checks need from one tracker."""

    workbook: str
    """The tracker's file as given (the `workbook` of its findings)."""
    sheet: str
    rows: list[int]
    filing_ids: list[object]
    """As written (for messages)."""
    activities: list[object]
    approval_nos: list[object]
    platforms: list[object]
    id_column: int | None = None
    id_header: str = "备案编号"
    approval_column: int | None = None
    approval_header: str = "备案号"
    id_keys: list[str | None] = field(default_factory=list)
    """`filing_key` of each 备案编号, made where the tracker was read (a worker process, in parallel)."""
    approval_keys: list[str | None] = field(default_factory=list)
    """Each 备案号 stripped and upper-cased, None when blank."""

    @property
    def name(self) -> str:
        return Path(self.workbook).name


def keys_of(ctx: Context, workbook: str | None = None) -> TrackerKeys:
    t = ctx.tracker
    df = t.df
    index = [int(r) for r in df.index]
    return TrackerKeys(
        workbook=workbook or str(ctx.path or ctx.workbook or ""), sheet=t.sheet, rows=index,
        filing_ids=df["filing_id"].tolist(), activities=df["activity"].tolist(),
        approval_nos=df["approval_no"].tolist(), platforms=df["platform"].tolist(),
        id_column=t.columns.get("filing_id"), id_header=t.headers.get("filing_id", "备案编号"),
        approval_column=t.columns.get("approval_no"), approval_header=t.headers.get("approval_no", "备案号"),
        id_keys=[filing_key(v) for v in df["filing_id"].tolist()],
        approval_keys=[approval_key(v) for v in df["approval_no"].tolist()])


def _finding(code: str, message: str, k: TrackerKeys, i: int, column: int | None, header: str,
             value: object) -> Finding:
    return Finding(code, message, codes()[code].severity, k.sheet, k.rows[i], column, header,
                   k.filing_ids[i], k.activities[i], value, None, None, None, k.workbook)


def _later_uses(trackers: list[TrackerKeys], keys_of_tracker) -> list[tuple[int, int, int, int]]:
    """(tracker, position, tracker, position of the key's first use) for every use of a key after
    its first, in tracker then row order; None keys (blank cells) are never compared."""
    first: dict[str, tuple[int, int]] = {}
    out = []
    for t, k in enumerate(trackers):
        for i, key in enumerate(keys_of_tracker(k)):
            if key is not None:
                seen = first.setdefault(key, (t, i))
                if seen != (t, i):
                    out.append((t, i, *seen))
    return out


def cross_findings(trackers: list[TrackerKeys]) -> list[Finding]:
    """duplicate-id and approval-no-reused between different trackers, in tracker then row order."""
    out: list[Finding] = []
    for t, i, t0, i0 in _later_uses(trackers, lambda k: k.id_keys):
        if t0 != t:  # within one tracker validate reports it
            k, other = trackers[t], trackers[t0]
            raw = k.filing_ids[i]
            out.append(_finding(
                "duplicate-id",
                f"备案编号“{raw}”已在“{other.name}”第{other.rows[i0]}行使用，"
                f"请为每个活动×平台使用全集团唯一的编号（例如加品牌前缀）。",
                k, i, k.id_column, k.id_header, raw))
    for t, i, t0, i0 in _later_uses(trackers, lambda k: k.approval_keys):
        k, other = trackers[t], trackers[t0]
        platform, first_platform = k.platforms[i], other.platforms[i0]
        if t0 != t and platform != first_platform:
            raw = k.approval_nos[i]
            out.append(_finding(
                "approval-no-reused",
                f"备案号“{str(raw).strip()}”已用于“{other.name}”第{other.rows[i0]}行的{first_platform}，"
                f"同一备案号不能用于两个平台，请核对。",
                k, i, k.approval_column, k.approval_header, raw))
    return out


@dataclass
class Skipped:
    """A workbook given (or found in a folder) that was not checked, and why."""

    path: Path
    reason: str


@dataclass
class MultiReport:
    report: Report
    """Every tracker's findings (stamped) followed by the cross-tracker ones."""
    per_workbook: dict[str, Report] = field(default_factory=dict)
    cross: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def combine(reports: list[Report], keys: list[TrackerKeys], *, command: str, today: date,
            skipped: list[Skipped] | None = None) -> MultiReport:
    """One report over several trackers: each one's findings in run order, then the cross findings
    sorted by file and cell. `reports[i]` and `keys[i]` are the same tracker."""
    per = {}
    findings: list[Finding] = []
    rows = 0
    for report, k in zip(reports, keys, strict=True):
        stamp(report.findings, k.workbook)
        per[k.workbook] = report
        findings.extend(report.findings)
        rows += report.rows
    cross = sorted(cross_findings(keys), key=lambda f: (f.workbook or "", *sort_key(f)))
    label = "；".join(k.workbook for k in keys)
    return MultiReport(Report(command, label, today, rows, findings + cross), per, cross, list(skipped or []))
