"""beian: marketing-campaign filing (备案) tracker checks for Excel and the command line.

The Python API is the third door (beside the command line and the workbook's buttons) onto the
same loader and actions::

    import pyaddin as beian

    ctx = beian.open_workbook("备案台账.xlsx")            # the one loader, file reader
    result = beian.run_check(ctx, out_dir="结果")           # validate + deadlines, findings.xlsx
    print(result.report.summary(), result.written)
    beian.make_documents(ctx, out_dir="文书")                # 承诺书 and 方案 per filing

Every action returns an `ActionResult(report, written, data)`. The names are verbs so they never
shadow a submodule (`pyaddin.archive` is the core module). Imports are lazy so that a button's
cold start pays only for what it uses.
"""

from __future__ import annotations

from .version import __version__

__all__ = ["__version__", "open_workbook", "run_check", "make_documents", "index_archive", "verify_archive",
           "weekly_report", "send_notifications", "export_calendar", "find_reusable", "diff_rules"]


def open_workbook(path, *, sheet=None, rules=None, today=None):
    """Read a workbook (and the tracker/rules workbooks it names) into a Context."""
    from .actions.loader import open_context
    from .adapters.files import FileReader

    return open_context(FileReader(), path, sheet=sheet, rules=rules, today=today)


def run_check(ctx, *, validation=True, deadlines=True, out_dir=None):
    """validate and/or deadlines; writes findings.xlsx into `out_dir` when given."""
    from .actions import check as action

    return action.run(ctx, validation=validation, deadlines=deadlines, out_dir=out_dir)


def make_documents(ctx, *, out_dir, **options):
    """安全承诺书 and 营销活动方案 (options as `beian docs`: ids, rows, all_rows, kind, pdf, force,
    templates_dir; and progress(done, total), called per file)."""
    from .actions import documents as action

    return action.run(ctx, out_dir=out_dir, **options)


def index_archive(ctx, *, out_dir, root=None, bag=False):
    """The archive index with hashes (and BagIt bags with `bag`)."""
    from .actions import archive as action

    return action.run(ctx, out_dir=out_dir, root=root, bag=bag)


def verify_archive(ctx, *, out_dir, root=None):
    """Re-check the archive against the manifest the last `archive` run wrote into `out_dir`."""
    from .actions import archive as action

    return action.verify(ctx, out_dir=out_dir, root=root)


def weekly_report(ctx, *, out_dir, week=None):
    """The weekly report (xlsx, Markdown, PNG) and this week's snapshot."""
    from .actions import weekly as action

    return action.run(ctx, out_dir=out_dir, week=week)


def send_notifications(ctx, *, channel=None, what=None, dry_run=False):
    """Post urgent / approved / weekly messages to the group robots of the 通知 sheet."""
    from .actions import notify as action

    return action.run(ctx, channel=channel, what=what, dry_run=dry_run)


def export_calendar(ctx, *, out_dir):
    """备案日程.ics: one event per deadline, stable UIDs."""
    from .actions import calendar as action

    return action.run(ctx, out_dir=out_dir)


def find_reusable(ctx, *, filing_id, out_dir, copy=False):
    """The approved filings most like this one, and their archived files still intact."""
    from .actions import reuse as action

    return action.run(ctx, filing_id=filing_id, out_dir=out_dir, copy=copy)


def diff_rules(ctx, *, since=None):
    """Rules added, removed or changed since a stored snapshot, and the open filings each one hits."""
    from .actions import rules_diff as action

    return action.run(ctx, since=since)
