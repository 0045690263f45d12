"""The command modules; `COMMANDS` is what `beian` offers, in the order `beian --help` lists them."""

from .archive import archive
from .demo import demo
from .docs import docs
from .notify import calendar, notify
from .precheck import precheck
from .report import report
from .reuse import reuse
from .rules_diff import rules_diff
from .setup import setup
from .templates import templates
from .validate import check, deadlines, validate
from .workbook import build_workbook, doctor

COMMANDS = [validate, deadlines, check, docs, templates, archive, precheck, report, notify, calendar, demo, setup, build_workbook,
            doctor, reuse, rules_diff]
