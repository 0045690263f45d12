"""The pre-check of a set of filings: which filings, their row facts, and the findings and
per-file summary lines over the files the action has read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pandas as pd

from ..run.context import Context
from ..run.findings import Finding, Report, make
from ..tracker.filings import open_filings
from ..tracker.textnorm import filing_key
from ..tracker.values import as_text, is_blank
from .check import FileSummary, FilingCheck
from .lexicon import Lexicon
from .material import FilingFacts, MaterialFile
from .specs import Specs


@dataclass
class PrecheckResult:
    report: Report
    files: list[FileSummary]
    filings: dict[str, FilingFacts]
    no_folder: list[FilingFacts] = field(default_factory=list)
    """Selected filings with no folder in the archive: nothing could be checked for them."""
    root: str = ""
    ocr: bool = True
    read: int = 0
    """Files actually read this run (the rest came from the cache)."""


def _value(v):
    if is_blank(v):
        return None
    return v


def _decimal(v) -> Decimal | None:
    v = _value(v)
    if v is None:
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _date(v) -> date | None:
    v = _value(v)
    return v if isinstance(v, date) else None


def filing_facts(ctx: Context, *, ids: list[str] | None = None, all_rows: bool = False) -> dict[str, FilingFacts]:
    """The filings to check: `ids` when given (in the tracker's spelling or any case), every row
    with `all_rows`, else the open filings (docs/deadlines.md). The first row of a duplicated ID stands."""
    df = ctx.tracker.df
    if df.empty:
        return {}
    mask = pd.Series(True, index=df.index) if all_rows or ids else open_filings(df, ctx.today)
    wanted = {filing_key(i) for i in ids} if ids else None
    out: dict[str, FilingFacts] = {}
    for row in df.index[mask.to_numpy(dtype=bool)]:
        fid = _value(df.at[row, "filing_id"])
        if fid is None:
            continue
        fid = as_text(fid)
        if (wanted is not None and filing_key(fid) not in wanted) or fid in out:
            continue
        forms = df.at[row, "forms"] if "forms" in df.columns else None

        def get(key, row=row):
            return _value(df.at[row, key]) if key in df.columns else None
        def text(key):
            v = get(key)
            return as_text(v) if v is not None else None

        out[fid] = FilingFacts(
            fid, int(row), text("activity"), text("platform"), text("industry"),
            tuple(forms) if isinstance(forms, list | tuple) else (), text("company"), text("credit_code"),
            _date(get("start_date")), _date(get("end_date")), _decimal(get("top_prize")))
    return out


def unknown_ids(ctx: Context, ids: list[str], filings: dict[str, FilingFacts]) -> list[str]:
    found = {filing_key(f) for f in filings}
    return [i for i in ids if filing_key(i) not in found]


def check(ctx: Context, filings: dict[str, FilingFacts], materials: list[MaterialFile], lexicon: Lexicon,
          specs: Specs, *, folders: set[str], skipped: list[tuple[str, str]] = (), ocr: bool = True) -> PrecheckResult:
    """Findings and summary lines for `materials` (each file of a selected filing's folder)."""
    report = Report("precheck", str(ctx.path or ""), ctx.today, ctx.tracker.rows)
    sheet = ctx.tracker.sheet
    checks = {fid: FilingCheck(f, lexicon, specs, sheet=sheet) for fid, f in filings.items()}
    summaries: list[FileSummary] = []
    for m in materials:
        c = checks.get(m.filing_id)
        if c is None:
            continue
        found, summary = c.file(m)
        report.findings += found
        summaries.append(summary)
    for rel, reason in skipped:
        report.findings.append(make("archive-skipped", f"“{rel}”{reason}；预检没有读取它，如需预检请放入真实文件。", value=rel,
                                    file=rel))
    for row, reason in lexicon.problems:
        report.findings.append(make("bad-rule", f"用语库第 {row} 行{reason}，已跳过该行，请补全或删除。",
                                    sheet="用语库" if lexicon.source == "workbook" else None,
                                    row=row if lexicon.source == "workbook" else None))
    if not ocr and any(m.extracted.type in {"image", "pdf"} for m in materials):
        report.findings.append(make("material-not-read", "本次使用了 --no-ocr：图片和没有文字层的 PDF 页未做文字识别，"
                                                         "请去掉 --no-ocr 再预检一次。"))
    no_folder = [f for fid, f in filings.items() if fid not in folders]
    return PrecheckResult(report, summaries, filings, no_folder, ocr=ocr,
                          read=sum(1 for m in materials if not m.cached))


def findings_of(result: PrecheckResult) -> list[Finding]:
    return result.report.findings
