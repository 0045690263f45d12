"""安全承诺书 and 营销活动方案 for the chosen filings, plus the documents.xlsx index.

The steps, each small: choose rows (ids / rows / all / the filing loop), refuse those with an
error from `check` (validate and deadlines) unless forced, render each row in memory (core), write
each file atomically (a file Word holds open is skipped and reported, the batch goes on), export
PDFs in one converter run, and index what was written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..adapters.docx_templates import Template, load_templates, render
from ..adapters.hashing import sha256_bytes
from ..adapters.output_files import ensure_folder
from ..documents.cells import text_of
from ..documents.context import required_materials, template_values
from ..documents.findings import blank_findings, locked_finding, unprintable_finding
from ..documents.naming import INDEX_NAME, output_name
from ..documents.refusal import blocking_errors, refuse
from ..documents.results import DocsResult, Document
from ..documents.selection import select_rows
from ..errors import OutputFailed, OutputLocked, TemplateProblem, ValueNotPrintable
from ..run.context import Context
from ..run.findings import Finding, Report
from . import check
from .result import ActionResult

Progress = Callable[[int, int], None]


def run(ctx: Context, *, out_dir: Path, ids: Iterable[str] | None = None, rows: Iterable[int] | None = None,
        all_rows: bool = False, kind: str = "all", pdf: bool = False, force: bool = False,
        templates_dir: Path | None = None, checked: check.CheckData | None = None,
        progress: Progress | None = None) -> ActionResult[DocsResult]:
    """`generate` as an action: its findings as the report, every file written (index last)."""
    result = generate(ctx, out_dir=out_dir, ids=ids, rows=rows, all_rows=all_rows, kind=kind, pdf=pdf, force=force,
                      templates_dir=templates_dir, checked=checked, progress=progress)
    report = Report("docs", str(ctx.workbook or ctx.path or ""), ctx.today, ctx.tracker.rows, result.findings)
    written = [*result.written]
    if result.index_path is not None and result.index_path not in written:
        written.append(result.index_path)
    return ActionResult(report, written, result)


def check_findings(ctx: Context, checked: check.CheckData | None = None) -> list[Finding]:
    """Everything `check` reports (validate and deadlines), reusing the parts a caller already has."""
    validation = checked.validation if checked else None
    deadlines = checked.deadlines if checked else None
    if validation is None or deadlines is None:
        fresh = check.findings(ctx, validation=validation is None, deadlines=deadlines is None)
        validation = validation or fresh.validation
        deadlines = deadlines or fresh.deadlines
    return [*validation.findings, *deadlines.findings]


def generate(ctx: Context, *, out_dir: Path, ids: Iterable[str] | None = None, rows: Iterable[int] | None = None,
             all_rows: bool = False, kind: str = "all", pdf: bool = False, force: bool = False,
             templates_dir: Path | None = None, checked: check.CheckData | None = None,
             progress: Progress | None = None) -> DocsResult:
    """Render the chosen documents for the chosen rows into `out_dir`, plus `documents.xlsx`.

    Selection: `ids`/`rows`, else every row with `all_rows`, else the rows still in the filing loop
    (草稿, 待提交, 需补充, 已驳回 not resubmitted) whose activity has not ended. Rows with an error from `check` are refused
    unless `force`. Templates are pre-flighted before anything is written. `progress(done, total)`
    is called once per file (Word, then PDF).
    """
    out_dir = Path(out_dir)
    templates = load_templates(templates_dir, kind)
    result = DocsResult()
    df = ctx.tracker.df
    selected, missing = select_rows(df, ids=ids, rows=rows, all_rows=all_rows, today=ctx.today)
    result.refused.extend(missing)
    if not ids and not rows and not all_rows:
        chosen = set(selected)
        result.not_in_loop = [int(r) for r in df.index if int(r) not in chosen]

    errors = blocking_errors(ctx, check_findings(ctx, checked))
    to_render, refused, reasons = refuse(ctx, selected, errors, force)
    result.refused.extend(refused)
    result.findings.extend(reasons)

    ticker = _Ticker(progress, len(to_render) * len(templates) * (2 if pdf else 1))
    ensure_folder(out_dir)
    required = required_materials(ctx, to_render)
    taken: set[str] = set()
    for row in to_render:
        rendered = render_row(ctx, row, templates, required=required.get(row, []), taken=taken)
        if rendered.unprintable is not None:  # this row's value, not the template: report it, go on
            result.findings.append(rendered.unprintable)
            result.refused.append((row, rendered.unprintable.filing_id, rendered.unprintable.message))
            ticker(len(templates))
            continue
        for doc in rendered.docs:
            _write_docx(ctx, out_dir, doc, result)
            ticker()
    if pdf and result.documents:
        _export_pdfs(ctx, result, out_dir, ticker)
    _write_index(ctx, result, out_dir)
    return result


@dataclass
class Rendered:
    """One document of one row, rendered but not written: where it goes and what it holds."""

    row: int
    filing_id: str | None
    platform: str | None
    kind: str
    name: str
    """The output file name, unique within the batch."""
    data: bytes
    sha256: str
    findings: list[Finding]
    """empty-placeholder warnings for the values printed as blanks."""


@dataclass
class RowRendered:
    """One row's documents, or (`unprintable`) the finding that says which of its values a
    template's filter refused, and no document for that row."""

    docs: list[Rendered] = field(default_factory=list)
    unprintable: Finding | None = None


def render_row(ctx: Context, row: int, templates: dict[str, Template], *, required: Iterable[str],
               taken: set[str]) -> RowRendered:
    """Every chosen document of one tracker row, in memory; `taken` keeps names unique per batch."""
    record = ctx.tracker.df.loc[row]
    filing_id, platform = text_of(record.get("filing_id")), text_of(record.get("platform"))
    context = template_values(record, ctx, required=required)
    out = []
    for title, template in templates.items():
        try:
            data, blanks = render(template, context)
        except ValueNotPrintable as exc:
            finding = unprintable_finding(ctx, record, row, title, context, exc.reason)
            if finding is None:  # no value fails on its own: the template's expression does
                raise TemplateProblem(f"模板“{template.name}”无法渲染（{exc.reason}），请检查占位符和过滤器的写法。"
                                      f" / Template {template.name} cannot be rendered.") from None
            return RowRendered(unprintable=finding)
        out.append(Rendered(row, filing_id, platform, title, output_name(filing_id, platform, title, row, taken),
                            data, sha256_bytes(data), blank_findings(ctx, record, row, title, blanks)))
    return RowRendered(out)


class _Ticker:
    """Calls `progress(done, total)` once per finished file; a no-op without a callback."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0
        if progress is not None:
            progress(0, total)

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


def _write_docx(ctx: Context, out_dir: Path, doc: Rendered, result: DocsResult) -> None:
    from ..adapters.output_files import atomic_write_bytes
    from ..run.safe_text import inside

    path = out_dir / doc.name
    if not inside(out_dir, path):  # safe_filename makes this impossible; keep the guard
        raise TemplateProblem(f"输出文件名“{path.name}”不在输出文件夹内，已停止。 / Unsafe output name.")
    result.findings.extend(doc.findings)
    if not _writable(path):
        _locked(ctx, path, result, row=doc.row, filing_id=doc.filing_id)
        return
    try:
        atomic_write_bytes(path, doc.data)
    except OutputFailed as exc:
        if not exc.held_open:  # a read-only or full disk stops the batch with its reason
            raise
        # Windows: the file is open although Word left no lock file
        _locked(ctx, path, result, row=doc.row, filing_id=doc.filing_id)
        return
    result.written.append(path)
    result.documents.append(Document(doc.row, doc.filing_id, doc.platform, doc.kind, "docx", path, doc.sha256))


def _locked(ctx: Context, path: Path, result: DocsResult, *, row: int | None, filing_id: str | None) -> None:
    result.locked.append(path)
    result.findings.append(locked_finding(ctx, path, row=row, filing_id=filing_id))


def _export_pdfs(ctx: Context, result: DocsResult, out_dir: Path, tick: _Ticker) -> None:
    """One converter run for every document written; a PDF held open is skipped and reported."""
    from ..adapters import pdf as pdf_mod
    from ..adapters.hashing import sha256_file

    docx_docs = list(result.documents)
    skipped: list[Path] = []
    base = tick.done

    def converted(done: int, _total: int) -> None:
        if base + done > tick.done:
            tick(base + done - tick.done)

    pdfs = pdf_mod.convert([d.path for d in docx_docs], out_dir, progress=converted, on_locked=skipped.append)
    by_name = {d.path.with_suffix(".pdf").name: d for d in docx_docs}
    for p in skipped:
        d = by_name.get(p.name)
        _locked(ctx, p, result, row=d.row if d else None, filing_id=d.filing_id if d else None)
    for d, p in zip(docx_docs, pdfs, strict=True):
        if p is not None:
            result.written.append(p)
            result.documents.append(Document(d.row, d.filing_id, d.platform, d.kind, "pdf", p, sha256_file(p)))
    if tick.done < tick.total:
        tick(tick.total - tick.done)


def _write_index(ctx: Context, result: DocsResult, out_dir: Path) -> None:
    from ..adapters.documents_index import write_index

    path = out_dir / INDEX_NAME
    if not _writable(path):
        _locked(ctx, path, result, row=None, filing_id=None)
        return
    try:
        result.index_path = write_index(path, result.documents, out_dir)
    except OutputFailed as exc:
        if not exc.held_open:
            raise
        _locked(ctx, path, result, row=None, filing_id=None)


def _writable(path: Path) -> bool:
    """False when Word or Excel holds `path` open (its `~$` lock file is there). Other refusals to
    write (the output would replace an input workbook) still stop the run."""
    from ..adapters.output_files import check_not_locked

    try:
        check_not_locked(path)
    except OutputLocked:
        return False
    return True
