"""Every capability registered once: its action, `beian` commands, workbook buttons, API names and
the README section that documents it.

The doors are derived from this table, so adding a capability is one entry here plus its own
modules: the command list (`cli/commands/__init__.py`), the button table and the debug entry
(`buttons.py`), the workbook's VBA macros and button sheets (`excel/build.py`) and the API's
`__all__` and names (`__init__.py`). `tests/test_capabilities.py` checks that they agree.

Plain data, importing nothing from the package: `import pyaddin.buttons` (a button's cold start)
pays for this module, so its records are NamedTuples (a quarter of frozen dataclasses' set-up time).
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    """A `beian` command: the click command `<name with - as _>` in `pyaddin/cli/commands/<module>.py`."""

    name: str
    module: str

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")


class Button(NamedTuple):
    """A workbook button: the VBA macro `macro` runs `pyaddin.buttons.<function>()` (the function is
    defined in `pyaddin/excel/buttons.py`); `caption` is its label and the title of its messages."""

    macro: str
    function: str
    caption: str
    help: str
    """The 使用说明 sheet's text beside the button."""
    slot: int
    """Its place among the buttons: 使用说明 top to bottom, 备案台账 left to right."""
    on_tracker: bool = True
    """Also on the 备案台账 sheet (every button is on 使用说明)."""
    writes: tuple[str, ...] = ()
    """The result sheets it writes into the workbook (never mistaken for the tracker)."""


class Table(NamedTuple):
    """An editable table a capability adds to the workbook: the sheet (with its VBA code name),
    filled from the packaged `pyaddin/data/<csv>`, which the core reads when the sheet is absent."""

    sheet: str
    code_name: str
    csv: str
    widths: tuple[tuple[str, int], ...] = ()
    """Column widths by header, in Excel's character units."""


class Api(NamedTuple):
    """A public name of the Python API: `pyaddin.<verb>` is `pyaddin.actions.<function>`."""

    verb: str
    function: str
    """`module.function` inside `pyaddin.actions`."""


class Capability(NamedTuple):
    name: str
    action: str | None
    """The module in `pyaddin/actions/` (None for the tools around the workbook itself)."""
    commands: tuple[Command, ...] = ()
    buttons: tuple[Button, ...] = ()
    api: tuple[Api, ...] = ()
    tables: tuple[Table, ...] = ()
    readme: str = ""
    """The README heading of the section that documents it."""
    title: str = ""
    """As users name it (诊断 and doctor: 功能：<title>)."""
    needs: tuple[str, ...] = ()
    """The modules it imports beyond reading the tracker: 诊断 and doctor check that each imports."""


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "check", "check",
        commands=(Command("validate", "validate"), Command("deadlines", "validate"), Command("check", "validate")),
        buttons=(
            Button("ValidateTracker", "validate_tracker", "校验台账",
                   "逐行检查台账：必填项、平台要求的材料与字段、日期先后、信用代码、电话邮箱、状态一致性、备案号格式等。"
                   "结果写在台账右侧的“校验结果/问题说明”列和“校验结果”工作表（每条问题可点击跳到单元格）。", slot=1, writes=("校验结果",)),
            Button("FlagDeadlines", "flag_deadlines", "到期与逾期",
                   "检查资质到期、审核逾期、补充材料逾期、来不及提交、未通过先上线、归档逾期。"
                   "结果写在台账右侧的“到期提醒”列和“到期提醒”工作表。", slot=2, writes=("到期提醒",)),
            Button("CheckAll", "check_all", "全部检查",
                   "依次运行“校验台账”和“到期与逾期”，一次看到全部问题。", slot=7, writes=("校验结果", "到期提醒")),
        ),
        api=(Api("run_check", "check.run"),),
        readme="问题代码", title="校验台账、到期与逾期", needs=("pandas", "chinese_calendar")),
    Capability(
        "documents", "documents",
        commands=(Command("docs", "docs"), Command("templates", "templates")),
        buttons=(Button("GenerateDocuments", "generate_documents", "生成文书",
                        "按 Word 模板为每个备案生成《安全承诺书》《营销活动方案》（docx，可选 PDF），保存到“设置”中的输出目录。",
                        slot=3),),
        api=(Api("make_documents", "documents.run"),),
        readme="模板变量", title="生成文书", needs=("docxtpl", "docx", "jinja2")),
    Capability(
        "archive", "archive",
        commands=(Command("archive", "archive"),),
        buttons=(Button("BuildArchiveIndex", "build_archive_index", "归档索引",
                        "扫描“设置”中的归档根目录，列出每个备案的材料文件（含 SHA-256），写入“归档索引”工作表。", slot=4, writes=("归档索引",)),),
        api=(Api("index_archive", "archive.run"), Api("verify_archive", "archive.verify")),
        readme="命令行参考", title="归档索引", needs=("xlsxwriter", "bagit")),
    Capability(
        "weekly", "weekly",
        commands=(Command("report", "report"),),
        buttons=(Button("WeeklyReport", "weekly_report", "周报",
                        "生成本周备案周报（各平台×状态统计、逾期与风险清单、即将上线未通过等），写入“周报”工作表并另存文件。",
                        slot=6, writes=("周报",)),),
        api=(Api("weekly_report", "weekly.run"),),
        readme="命令行参考", title="周报", needs=("matplotlib", "xlsxwriter")),
    Capability(
        "precheck", "precheck",
        commands=(Command("precheck", "precheck"),),
        buttons=(Button("PrecheckMaterials", "precheck_materials", "材料预检",
                        "打开每个未结束备案的归档文件夹中的文件（文档、PDF、图片文字识别），检查上传格式与大小、“用语库”中的违规用语，"
                        "以及与台账不一致的主体、日期和奖金额；结果写入“材料预检”工作表和输出目录中的 findings.xlsx。", slot=5, writes=("材料预检",)),),
        api=(Api("precheck_materials", "precheck.run"),),
        tables=(Table("用语库", "shCopyTerms", "copy_terms.csv",
                      widths=(("用语", 14), ("类别", 10), ("级别", 6), ("行业", 14), ("平台", 8), ("例外", 36), ("依据", 48),
                              ("建议", 40))),
                Table("材料规格", "shMaterialSpecs", "material_specs.csv",
                      widths=(("平台", 10), ("材料", 12), ("允许格式", 18), ("依据", 60), ("核对日期", 11)))),
        readme="材料预检", title="材料预检",
        needs=("rapidocr", "onnxruntime", "opencc", "ahocorasick_rs", "pptx", "pypdfium2")),
    Capability(
        "notify", "notify",
        commands=(Command("notify", "notify"),),
        buttons=(Button("SendReminders", "send_reminders", "发送提醒",
                        "把紧急到期事项（按负责人分组并 @ 负责人）和新下号的备案发到“通知”表中的企业微信 / 钉钉 / 飞书群机器人；"
                        "新备案号只通知一次。", slot=8),),
        api=(Api("send_notifications", "notify.run"),),
        readme="群机器人通知与日程", title="发送提醒"),
    Capability(
        "calendar", "calendar",
        commands=(Command("calendar", "notify"),),
        buttons=(Button("ExportCalendar", "export_calendar", "导出日程",
                        "把审核结果应出、补充截止、最晚提交、计划上线、资质到期、归档截止导出为 备案日程.ics，"
                        "可导入 Outlook、飞书日历、钉钉日历（重新导入会更新，不会重复）。", slot=9),),
        api=(Api("export_calendar", "calendar.run"),),
        readme="日程文件", title="导出日程"),
    Capability(
        "reuse", "reuse",
        commands=(Command("reuse", "reuse"),),
        buttons=(Button("ReuseSelected", "reuse_selected", "复用材料",
                        "先选中台账中一个备案所在的行：列出与它最相似的已通过备案、审核用时、驳回历史、仍与归档清单一致的文件"
                        "和已过期的资质，写入“复用建议”工作表。", slot=11, writes=("复用建议",)),),
        api=(Api("find_reusable", "reuse.run"),),
        readme="复用已通过的备案", title="复用材料"),
    Capability(
        "rules-diff", "rules_diff",
        commands=(Command("rules-diff", "rules_diff"),),
        buttons=(Button("RulesChanges", "rules_changes", "规则变化",
                        "与上一版平台规则比较：新增、删除、修改的规则，以及每条变化影响的未结备案和它们现在缺的材料，写入“规则变化”工作表。",
                        slot=12, writes=("规则变化",)),),
        api=(Api("diff_rules", "rules_diff.run"),),
        readme="平台规则变化", title="规则变化"),
    # the tools around the workbook and the sample: no action of their own
    Capability(
        "workbook", None,
        commands=(Command("setup", "setup"), Command("build-workbook", "workbook"), Command("doctor", "workbook")),
        buttons=(Button("Diagnose", "diagnose", "诊断",
                        "把 Excel 与 Python 的版本、Python 路径、各功能所需组件是否可用和最近的出错记录写入“诊断”工作表。"
                        "按钮不能正常工作时，点它并把“诊断”工作表发给维护者。", slot=10, on_tracker=False, writes=("诊断",)),),
        readme="第一次使用（Windows 与 macOS）", title="Excel 工作簿"),
    Capability("demo", None, commands=(Command("demo", "demo"),), readme="命令行参考", title="演示"),
)


def buttons() -> tuple[Button, ...]:
    """Every button in its place (the order of the 使用说明 sheet and of the VBA module)."""
    return tuple(sorted((b for c in CAPABILITIES for b in c.buttons), key=lambda b: b.slot))


def commands() -> tuple[Command, ...]:
    return tuple(cmd for c in CAPABILITIES for cmd in c.commands)


def needs() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(title, modules) of every capability that imports more than reading the tracker needs."""
    return tuple((c.title, c.needs) for c in CAPABILITIES if c.needs)


def tables() -> tuple[Table, ...]:
    """The editable tables the capabilities add, in the order the workbook shows them."""
    return tuple(t for c in CAPABILITIES for t in c.tables)


def sheets() -> frozenset[str]:
    """Every sheet a capability adds to the workbook (its tables) or writes its results into."""
    return frozenset({t.sheet for t in tables()} | {s for b in buttons() for s in b.writes})


def api() -> tuple[Api, ...]:
    return tuple(a for c in CAPABILITIES for a in c.api)
