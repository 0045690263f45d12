"""The placeholder registry: every name a template may use, what it means, where it comes from and
which filters it takes. It is the one list the template check accepts, `beian templates` and the
workbook's 占位符说明 sheet print, and the README's 模板变量 section is generated from
(`variables_markdown`; a test keeps them equal)."""

from __future__ import annotations

from dataclasses import dataclass

from .blanks import BLANK


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    key: str | None = None
    """The tracker field it comes from, so an empty-value warning can name the column to fill."""
    example: str = ""
    """What it prints for the sample row (with the filters applied, where it takes one)."""
    filters: tuple[str, ...] = ()


DATE = ("中文日期",)
MONEY = ("金额", "大写金额")
VARIABLES: tuple[Variable, ...] = (
    Variable("备案编号", "台账“备案编号”", "filing_id", "BA-2026-0001"),
    Variable("活动名称", "台账“活动名称”", "activity", "秋季新品上市"),
    Variable("平台", "投放平台（规范名称，如 微信、抖音）", "platform", "微信"),
    Variable("备案入口", "平台表中该平台的“备案入口”", None, "微信公众平台 / 小程序后台"),
    Variable("创意形式", "创意形式，用顿号连接（如 H5、抽奖）", "forms", "H5、抽奖"),
    Variable("创意形式列表", "创意形式的列表，可用 {% for 形式 in 创意形式列表 %} 循环", "forms", "[H5, 抽奖]"),
    Variable("含H5", "创意形式包含 H5 时为真，用于 {%p if 含H5 %}", None, "真"),
    Variable("含直播", "创意形式包含 直播 时为真", None, "假"),
    Variable("含抽奖", "创意形式含随机决定中奖的形式（创意形式表 抽奖性质 = 是：抽奖、福袋、刮刮卡、随机红包 …）时为真",
             None, "真"),
    Variable("含奖品", "填写了最高奖金额、但创意形式不含抽奖时为真：按奖品/权益的最高价值表述，不写抽奖", None, "假"),
    Variable("行业", "台账“行业”", "industry", "快消"),
    Variable("主体名称", "台账“主体名称”（申报主体）", "company", "上海星河数字科技有限公司"),
    Variable("统一社会信用代码", "台账“统一社会信用代码”", "credit_code", "91310110666007217T"),
    Variable("负责人", "台账“负责人”", "owner", "王敏"),
    Variable("联系人", "台账“联系人”", "contact_name", "李娜"),
    Variable("联系电话", "台账“联系电话”", "contact_phone", "13800138000"),
    Variable("联系邮箱", "台账“联系邮箱”", "contact_email", "li.na@example.com"),
    Variable("活动开始日期", "台账“活动开始日期”", "start_date", "2026年9月1日", DATE),
    Variable("活动结束日期", "台账“活动结束日期”", "end_date", "2026年9月30日", DATE),
    Variable("计划上线日期", "台账“计划上线日期”", "launch_date", "2026年9月1日", DATE),
    Variable("提交日期", "台账“提交日期”", "submitted_date", "2026年8月17日", DATE),
    Variable("预算", "台账“预算(元)”数值", "budget", "¥50,000.00 / 伍万元整", MONEY),
    Variable("显示预算", "设置“承诺书显示预算”为“是”时为真，用于 {% if 显示预算 %}", None, "假"),
    Variable("最高奖金额", "台账“最高奖金额(元)”数值", "top_prize", "¥5,000.00 / 伍仟元整", MONEY),
    Variable("抽奖金额上限", "设置“抽奖最高金额(元)”（默认 50000）", None, "¥50,000.00", MONEY),
    Variable("收集个人信息", "“是”或“否”（台账“收集个人信息”）", "collects_pi", "是"),
    Variable("敏感个人信息", "“是”或“否”（台账“敏感个人信息”）", "sensitive_pi", "否"),
    Variable("敏感个人信息说明", "按“敏感个人信息”生成的一句说明（不带句号）", "sensitive_pi", "不收集敏感个人信息"),
    Variable("隐私政策链接", "台账“隐私政策链接”", "privacy_url", "https://example.com/privacy"),
    Variable("用户授权机制", "台账“用户授权机制”（去掉末尾标点，可放在“授权方式为：”之后）", "consent",
             "页面勾选同意《隐私政策》后参与"),
    Variable("备案号", "台账“备案号”（已通过时）", "approval_no", "WX2026110001"),
    Variable("备注", "台账“备注”（去掉末尾标点）", "notes", "与线下门店同步开展"),
    Variable("落款日期", "文书日期：台账“提交日期”，未填则为今天（--today、设置“今天”或系统日期）", None,
             "2026年8月17日", DATE),
    Variable("材料清单", "备案材料表：平台规则对本行要求的材料加上本行勾选的材料，每项有 名称、说明、状态"
             "（已备/未备/不适用），用 {%tr for 材料 in 材料清单 %}", None, "营业执照 · 主体营业执照副本 · 已备"),
    Variable("时间安排", "时间节点表（提交备案、计划上线、活动开始、活动结束），每项有 阶段、日期、说明，"
             "用 {%tr for 节点 in 时间安排 %}", None, "活动开始 · 2026-09-01 · 活动正式开始"),
)
VARIABLE_NAMES = frozenset(v.name for v in VARIABLES)
ITEM_FIELDS = {"材料清单": ("名称", "说明", "状态"), "时间安排": ("阶段", "日期", "说明")}
FILTERS = {
    "中文日期": "日期写成 2025年11月1日",
    "金额": "金额写成 ¥12,000.00",
    "大写金额": "金额写成中文大写 壹万贰仟元整",
}
PLACEHOLDER_COLUMNS = ("占位符", "含义", "示例", "可用过滤器")


def placeholder_rows() -> list[dict[str, str]]:
    """One row per placeholder (占位符, 含义, 示例, 可用过滤器) from the table the renderer checks
    templates against, for a 占位符说明 sheet or any other listing."""
    rows = []
    for v in VARIABLES:
        usage = "、".join(f"{{{{ {v.name}|{f} }}}}" for f in v.filters)
        rows.append({"占位符": f"{{{{ {v.name} }}}}", "含义": v.meaning, "示例": v.example, "可用过滤器": usage})
    return rows


def variables_markdown() -> str:
    """The README's 模板变量 section, generated so the docs cannot drift from the code."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["## 模板变量", "", "模板（`templates/*.docx`）中可用的占位符。写法如 `{{ 主体名称 }}`；"
             "空值在文书中显示为“" + BLANK + "”并给出警告。用 `beian templates --check 文件夹` 一次列出"
             "模板中所有写错的占位符。", "", "| 占位符 | 含义 | 示例 | 过滤器 |", "|---|---|---|---|"]
    for v in VARIABLES:
        filters = "、".join(f"`|{f}`" for f in v.filters)
        lines.append(f"| `{v.name}` | {cell(v.meaning)} | {cell(v.example)} | {cell(filters)} |")
    lines += ["", "表格循环项的字段：", ""]
    lines += [f"- `{name}`：" + "、".join(f"`{f}`" for f in fields) for name, fields in ITEM_FIELDS.items()]
    lines += ["", "过滤器：", ""]
    lines += [f"- `|{name}`：{meaning}" for name, meaning in FILTERS.items()]
    return "\n".join(lines) + "\n"
