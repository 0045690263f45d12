"""The command modules; `COMMANDS` is what `beian` offers, in the order `beian --help` lists them."""

from .archive import archive
from .demo import demo
from .docs import docs
from .report import report
from .validate import check, deadlines, validate
from .workbook import build_workbook, doctor

COMMANDS = [validate, deadlines, check, docs, archive, report, demo, build_workbook, doctor]
