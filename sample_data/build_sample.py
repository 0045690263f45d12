"""Build `sample_data/备案台账示例.xlsx` and its answer key `answer_key.csv`.

The workbook looks like a real team's tracker: a title row and a blank row above the header,
a few alias headers (投放平台, 活动形式, 申报主体, 上线日期, 备案状态), dates typed five ways, a
formula or two, an #N/A, a hidden internal column, a 资质库 register, the rule tables and settings.

Every problem row states, next to its data, the findings it is meant to produce; the answer key is
written from those statements, never by running beian, so the tests compare the tool with intent.
Run: `uv run python sample_data/build_sample.py`.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pyaddin.tracker.credit_code import check_character  # noqa: E402

TODAY = date(2026, 11, 20)
WORKBOOK = HERE / "备案台账示例.xlsx"
ANSWER_KEY = HERE / "answer_key.csv"
TRACKER = "备案台账"


def code(prefix17: str) -> str:
    return prefix17 + check_character(prefix17)


COMPANIES = {
    "A": ("上海星河数字科技有限公司", "91310110666007217T"),
    "B": ("北京云帆文化传媒有限公司", code("91110105MA01ABCD1")),
    "C": ("杭州禾美生物科技有限公司", code("91330106MA2CDE123")),
    "D": ("杭州悦颜医疗美容诊所有限公司", code("91330102MA2H4K5L6")),
    "E": ("深圳快启电子商务有限公司", code("91440300MA5FGH789")),
    "F": ("广州青禾餐饮管理有限公司", code("91440101MA9JKL012")),
    "G": ("成都远山旅游发展有限公司", code("91510100MA6MNP345")),
    "H": ("苏州新程教育科技有限公司", code("91320594MA1QRT678")),
    "I": ("宁波惠通金融信息服务有限公司", code("91330201MA2UWX901")),
    "X": ("厦门海润贸易有限公司", "91350211M00013FA1N"),
    "J": ("南京仁康口腔门诊部有限公司", code("91320106MA1WXY234")),
    "K": ("无锡鲜味食品有限公司", code("91320211MA1ABC567")),
    "L": ("青岛蓝湾会展服务有限公司", code("91370212MA3DEF890")),
}

LICENSES = [
    # company, type, number, issued, valid until, file
    ("A", "营业执照", "310110000123456", date(2015, 3, 2), "长期", "营业执照_星河.pdf"),
    ("B", "营业执照", "110105000654321", date(2018, 6, 1), "长期", "营业执照_云帆.pdf"),
    ("C", "营业执照", "330106000111222", date(2019, 1, 8), "长期", "营业执照_禾美.pdf"),
    ("C", "保健食品广告批准文件", "浙食健广审(文)第270831-00123号", date(2025, 9, 1), date(2027, 8, 31), "广告批准_禾美.pdf"),
    ("D", "营业执照", "330102000333444", date(2020, 5, 5), "长期", "营业执照_悦颜.pdf"),
    ("D", "医疗广告审查证明", "浙医广【2025】第1101号", date(2025, 11, 2), date(2026, 11, 1), "医疗广告审查证明_悦颜.pdf"),
    ("E", "营业执照", "440300000555666", date(2016, 12, 11), date(2026, 12, 10), "营业执照_快启.pdf"),
    ("F", "营业执照", "440101000777888", date(2007, 1, 16), date(2027, 1, 15), "营业执照_青禾.pdf"),
    ("G", "营业执照", "510100000999000", date(2007, 4, 1), date(2027, 3, 31), "营业执照_远山.pdf"),
    ("I", "营业执照", "330201000121212", date(2017, 8, 8), "长期", "营业执照_惠通.pdf"),
    ("X", "营业执照", "350211000343434", date(2014, 2, 14), "长期", "营业执照_海润.pdf"),
    # issue 12: every dated license of the company counts, not only the required types
    ("D", "医疗机构执业许可证", "PDY12345633010211A1002", date(2021, 6, 1), date(2031, 5, 31), "执业许可证_悦颜.pdf"),
    ("J", "营业执照", "320106000565656", date(2019, 4, 4), "长期", "营业执照_仁康.pdf"),
    ("J", "医疗机构执业许可证", "PDY23456732010617D2152", date(2021, 11, 1), date(2026, 10, 31), "执业许可证_仁康.pdf"),
    # no 有效期至: one year after 发证日期 (statutory), i.e. until 2026-11-30
    ("J", "医疗广告审查证明", "苏医广【2025】第1201号", date(2025, 12, 1), "", "医疗广告审查证明_仁康.pdf"),
    ("K", "营业执照", "320211000787878", date(2020, 7, 7), "长期", "营业执照_鲜味.pdf"),
    ("K", "食品经营许可证", "JY13202110012345", date(2021, 11, 28), date(2026, 11, 27), "食品经营许可证_鲜味.pdf"),
    # a company whose only filing is withdrawn: reported once, on this 资质库 row
    ("L", "营业执照", "370212000909090", date(2006, 11, 11), date(2026, 11, 10), "营业执照_蓝湾.pdf"),
]

FIELDS = [
    ("备案编号", "filing_id"), ("活动名称", "activity"), ("投放平台", "platform"), ("活动形式", "forms"),
    ("行业", "industry"), ("申报主体", "company"), ("统一社会信用代码", "credit_code"), ("负责人", "owner"),
    ("联系人", "contact_name"), ("联系电话", "contact_phone"), ("联系邮箱", "contact_email"),
    ("活动开始日期", "start_date"), ("活动结束日期", "end_date"), ("上线日期", "launch_date"),
    ("预算（元）", "budget"), ("收集个人信息", "collects_pi"), ("敏感个人信息", "sensitive_pi"),
    ("隐私政策链接", "privacy_url"), ("用户授权机制", "consent"), ("最高奖金额（元）", "top_prize"),
    ("提交日期", "submitted_date"), ("申请号", "application_no"), ("备案状态", "status"),
    ("驳回原因/补充要求", "feedback"), ("反馈日期", "feedback_date"), ("补充截止日期", "supplement_due"),
    ("备案号", "approval_no"), ("通过日期", "approved_date"), ("归档状态", "archived"),
    ("原备案编号", "original_id"), ("面向未成年人", "minors"), ("监护人同意机制", "guardian_consent"),
]
MATERIALS = ["营业执照", "行业许可证明", "活动方案", "创意物料", "隐私政策", "安全承诺书", "抽奖规则", "兑换规则",
             "风险提示", "直播脚本", "ICP备案证明", "广告标识", "App备案证明"]
TRAILING = [("备注", "notes"), ("内部工单号", "ticket")]
HEADERS = [h for h, _ in FIELDS] + MATERIALS + [h for h, _ in TRAILING]
HEADER_OF = {k: h for h, k in FIELDS + TRAILING}
PREFIX = {"微信": "WX", "抖音": "DY", "小红书": "XHS", "快手": "KS", "微博": "WB", "B站": "BL", "淘宝": "TB",
          "天猫": "TM", "京东": "JD", "拼多多": "PDD", "百度": "BD", "自有APP": ""}
DIGITS = {"XHS": 9, "PDD": 9}
SPECIAL_INDUSTRIES = {"医疗", "药品", "医疗器械", "保健食品", "特医食品", "农药", "兽药"}


def approval(platform: str, n: int) -> str:
    p = PREFIX[platform]
    digits = DIGITS.get(p, 10)
    return f"{p}{(2026110000 + n) % 10**digits:0{digits}d}" if p else f"APP-{n:04d}"


CHANCE_FORMS = {"抽奖", "福袋", "刮刮卡", "砸金蛋", "大转盘", "随机红包", "红包雨", "锦鲤"}  # forms.csv 抽奖性质 = 是


def required_materials(r: dict) -> set[str]:
    """What the default 平台规则 require of a row (mirrors data/platform_rules.csv by hand)."""
    need = {"营业执照", "活动方案", "创意物料", "安全承诺书"}
    forms = set(r["forms"])
    if forms & CHANCE_FORMS or r["top_prize"] not in ("", None, 0):  # LOT-01: every 有奖销售
        need.add("抽奖规则")
    if "优惠券" in forms:
        need.add("兑换规则")
    if r["industry"] in SPECIAL_INDUSTRIES:
        need.add("行业许可证明")
    if r["industry"] == "金融":
        need.add("风险提示")
    if r["collects_pi"] == "是":
        need.add("隐私政策")
    if "直播" in forms:
        need.add("直播脚本")
    if "H5" in forms:  # ICP-01: an H5 on the company's own domain, on every platform
        need.add("ICP备案证明")
    if r["platform"] == "自有APP":  # APP-01
        need.add("App备案证明")
    if "种草" in forms:  # AD-05
        need.add("广告标识")
    if "小程序" in forms:
        need.add("ICP备案证明")
    return need


def base(platform: str, forms: list[str], company: str = "A", industry: str = "快消", **over) -> dict:
    """An approved, archived, fully documented filing: no findings at all."""
    name, credit = COMPANIES[company]
    r = {
        "activity": "", "platform": platform, "forms": forms, "industry": industry, "company": name,
        "credit_code": credit, "owner": "王敏", "contact_name": "李娜", "contact_phone": "13800138000",
        "contact_email": "li.na@xinghe-digital.com", "start_date": date(2026, 9, 1), "end_date": date(2026, 9, 30),
        "launch_date": date(2026, 9, 1), "budget": 50000, "collects_pi": "否", "sensitive_pi": "否",
        "privacy_url": "", "consent": "", "top_prize": "", "submitted_date": date(2026, 8, 17),
        "application_no": "", "status": "已通过", "feedback": "", "feedback_date": "", "supplement_due": "",
        "approval_no": None, "approved_date": date(2026, 8, 26), "archived": "是", "notes": "", "ticket": "",
        "original_id": "", "minors": "", "guardian_consent": "",
    }
    if "抽奖" in forms:
        r["top_prize"] = 5000
    r.update(over)
    if r["collects_pi"] == "是" and "privacy_url" not in over:
        r["privacy_url"] = "https://www.xinghe-digital.com/privacy"
    if r["collects_pi"] == "是" and "consent" not in over:
        r["consent"] = "页面勾选同意《隐私政策》后提交，未勾选不可参与"
    return r


# ----------------------------------------------------------------------------- the rows
CLEAN_PLAN = [
    ("微信", ["H5"]), ("抖音", ["短视频"]), ("小红书", ["图文"]), ("快手", ["直播"]), ("微博", ["图文"]),
    ("B站", ["短视频"]), ("淘宝", ["优惠券"]), ("天猫", ["H5", "抽奖"]), ("京东", ["优惠券"]), ("拼多多", ["H5"]),
    ("百度", ["信息收集"]), ("自有APP", ["H5"]), ("微信", ["抽奖"]), ("抖音", ["直播", "抽奖"]), ("小红书", ["问卷"]),
]
ACTIVITY_NAMES = ["秋季新品上市", "会员日", "双11预热", "品牌周年庆", "开学季", "国庆出游", "中秋礼盒", "夏末清仓",
                  "新客专享", "直播专场", "联名限定", "粉丝福利", "门店焕新", "年终盘点", "早鸟预售"]


def clean_rows(start: int = 0, stop: int = 48) -> list[dict]:
    rows = []
    for i in range(start, stop):
        platform, forms = CLEAN_PLAN[i % len(CLEAN_PLAN)]
        company = ["A", "B", "C", "I"][i % 4]
        industry = {"A": "快消", "B": "互联网", "C": "保健食品", "I": "金融"}[company]
        over = {"activity": f"{ACTIVITY_NAMES[i % len(ACTIVITY_NAMES)]}·{platform}{i + 1:02d}"}
        if platform in {"百度", "自有APP"} or "信息收集" in forms or "问卷" in forms or i % 5 == 0:
            over["collects_pi"] = "是"
        if i % 3 == 1:  # pending filings, launching well after the lead time
            over.update(status="审核中", approval_no="", approved_date="", archived="否",
                        submitted_date=date(2026, 11, 18), launch_date=date(2027, 1, 8),
                        start_date=date(2027, 1, 8), end_date=date(2027, 1, 31))
        if i % 6 == 2:
            over.update(status="待提交", approval_no="", approved_date="", archived="否", submitted_date="",
                        launch_date=date(2027, 1, 20), start_date=date(2027, 1, 20), end_date=date(2027, 2, 10))
        if i % 7 == 3:
            over["budget"] = "1.2万"
        if i % 8 == 5:
            over["contact_phone"] = "021-61234567"
        rows.append({"data": base(platform, forms, company, industry, **over), "v": [], "d": []})
    return rows


def P(platform, forms, v=(), d=(), company="A", industry="快消", **over):
    """A problem row: data plus the validate (v) and deadlines (d) findings it must produce.

    v items are (code, header) or (code, header, rule); d items are codes (checked by row and code).
    """
    return {"data": base(platform, forms, company, industry, **over), "v": list(v), "d": list(d)}


H = HEADER_OF
M_DATE = date(2026, 11, 2)


def problem_rows() -> list[dict]:
    return [
        P("微信", ["H5"], [("missing-value", H["activity"])], activity=""),
        P("抖音", ["短视频"], [("missing-value", H["activity"])], activity="#FORMULA_NA"),
        P("小红书", ["图文"], [], activity="申请号为公式错误值的活动", application_no="#FORMULA_NA"),
        P("快手", ["短视频"], [("duplicate-id", "备案编号")], activity="重复编号的活动", filing_id="BA-2026-0003"),
        P("推特", ["图文"], [("unknown-platform", H["platform"])], activity="海外平台试投", approval_no="WX2026119001"),
        P("抖音、快手", ["短视频"], [("multi-platform", H["platform"])], activity="双平台同步投放", approval_no="DY2026119002"),
        P("微博", ["图文"], [("invalid-date", H["launch_date"])], activity="日期写错的活动", launch_date="2026年13月5日"),
        P("B站", ["短视频"], [("invalid-date", H["start_date"])], activity="开始日期写成文字", start_date="下周一"),
        P("淘宝", ["H5"], [("date-order", H["end_date"])], activity="结束早于开始",
          start_date=date(2026, 10, 10), end_date=date(2026, 10, 1)),
        P("天猫", ["H5"], [("date-order", H["approved_date"])], activity="通过早于提交",
          submitted_date=date(2026, 9, 10), approved_date=date(2026, 9, 5)),
        P("京东", ["H5"], [("invalid-credit-code", H["credit_code"]), ("company-mismatch", H["credit_code"])],
          activity="信用代码少两位", credit_code="9131011066600721"),
        P("拼多多", ["H5"], [("invalid-credit-code", H["credit_code"])], company="X", activity="早期试点地区代码"),
        P("百度", ["H5"], [("invalid-phone", H["contact_phone"])], activity="电话少一位", contact_phone="1380013800"),
        P("微信", ["H5"], [("invalid-email", H["contact_email"])], activity="邮箱写错", contact_email="lina#xinghe.com"),
        P("抖音", ["信息收集"], [("invalid-url", H["privacy_url"])], activity="隐私链接缺协议头", collects_pi="是",
          privacy_url="www.xinghe-digital.com/privacy"),
        P("小红书", ["问卷"], [("missing-field", H["privacy_url"], "PI-01")], activity="问卷缺隐私政策链接",
          collects_pi="是", privacy_url=""),
        P("快手", ["信息收集"], [("missing-field", H["consent"], "PI-02")], activity="留资缺授权说明",
          collects_pi="是", consent=""),
        P("微信", ["抽奖"], [("missing-material", "抽奖规则", "LOT-01")], activity="抽奖缺规则", m_抽奖规则="否"),
        P("抖音", ["抽奖"], [("missing-field", H["top_prize"], "LOT-02")], activity="抽奖未填最高奖", top_prize=""),
        P("天猫", ["抽奖"], [("prize-over-limit", H["top_prize"])], activity="豪华大奖抽奖", top_prize="¥60,000"),
        P("京东", ["H5"], [("missing-material", "行业许可证明", "AD-01")], company="C", industry="保健食品",
          activity="保健品缺广告批准文件", m_行业许可证明="否"),
        P("百度", ["H5"], [("missing-material", "风险提示", "AD-04")], company="I", industry="金融",
          activity="理财缺风险提示", m_风险提示=""),
        P("B站", ["短视频"], [("missing-material", "安全承诺书", "BASE-04")], activity="缺安全承诺书", m_安全承诺书="缺"),
        P("快手", ["直播"], [("missing-material", "直播脚本", "LIVE-01")], activity="直播缺脚本", m_直播脚本="否"),
        P("自有APP", ["H5"], [("missing-material", "ICP备案证明", "ICP-01")], activity="官网H5缺ICP截图",
          m_ICP备案证明="否"),
        P("小红书", ["图文"], [("missing-field", H["contact_phone"], "BASE-05")], activity="未留联系电话",
          contact_phone=""),
        P("微博", ["抽奖"], [("missing-material", "抽奖规则", "LOT-01"), ("missing-material", "抽奖规则", "WB-01")],
          activity="微博转发抽奖缺规则", m_抽奖规则="否"),
        P("微信", ["H5"], [("unknown-status", H["status"])], activity="状态写成挂起", status="挂起"),
        P("抖音", ["H5"], [("status-inconsistent", H["approval_no"])], activity="已通过缺备案号", approval_no=""),
        P("小红书", ["H5"], [("status-inconsistent", H["submitted_date"])], activity="已提交缺提交日期",
          status="已提交", submitted_date="", approval_no="", approved_date="", archived="否",
          launch_date=date(2027, 1, 20), start_date=date(2027, 1, 20), end_date=date(2027, 2, 20)),
        # 已驳回 without a resubmission, but its activity ended on 9-30: history, not launch-unapproved
        # (docs/deadlines.md; a rejection whose activity still runs is the 驳回未重提下周上线 row below)
        P("快手", ["H5"], [("status-inconsistent", H["feedback"])], [], activity="驳回未写原因",
          status="已驳回", approval_no="", approved_date="", archived="否", feedback_date=date(2026, 8, 24)),
        # no 备案号格式 ships (docs/rules.md): the format is learned from the tracker's 12 other approved
        # 微信 numbers (2 letters + 10 digits); 抖音 has too few approved numbers to learn from
        P("微信", ["H5"], [("approval-no-format", H["approval_no"])], activity="备案号格式不对",
          approval_no="WX-2026-001"),
        P("自有APP", ["短视频"], [("approval-no-reused", H["approval_no"])], activity="APP沿用微信备案号",
          approval_no="@FIRST_WECHAT"),
        P("微博", ["图文"], [("company-mismatch", H["company"])], activity="主体与代码不符",
          credit_code=COMPANIES["B"][1]),
        P("淘宝", ["快闪"], [("unknown-value", H["forms"])], activity="线下快闪"),
        P("京东", ["H5"], [("unknown-value", H["industry"])], industry="宠物", activity="宠物节"),
        P("拼多多", ["H5"], [("invalid-value", H["collects_pi"])], activity="是否收集写成也许", collects_pi="也许"),
        P("百度", ["H5"], [("invalid-value", H["budget"])], activity="预算写成大写", budget="五万"),
        # ---- deadlines scenarios (validate-clean unless stated)
        P("抖音", ["短视频"], [], ["review-overdue"], activity="抖音审核超期", status="已提交", submitted_date=M_DATE,
          approval_no="", approved_date="", archived="否", launch_date=date(2026, 12, 20),
          start_date=date(2026, 12, 20), end_date=date(2027, 1, 10)),
        P("抖音", ["短视频"], [], [], activity="刚好到审核期限", status="审核中", submitted_date=date(2026, 11, 13),
          approval_no="", approved_date="", archived="否", launch_date=date(2026, 12, 15),
          start_date=date(2026, 12, 15), end_date=date(2026, 12, 31)),
        P("小红书", ["图文"], [], ["supplement-overdue"], activity="补充材料已逾期", status="需补充",
          submitted_date=date(2026, 11, 3), feedback="请补充活动规则公示截图", feedback_date=date(2026, 11, 10),
          supplement_due=date(2026, 11, 17), approval_no="", approved_date="", archived="否",
          launch_date=date(2026, 12, 12), start_date=date(2026, 12, 12), end_date=date(2026, 12, 31)),
        P("快手", ["短视频"], [], ["supplement-overdue"], activity="补充未设截止日", status="需补充",
          submitted_date=date(2026, 11, 9), feedback="请补充营业执照彩色扫描件", feedback_date=date(2026, 11, 16),
          approval_no="", approved_date="", archived="否", launch_date=date(2026, 12, 12),
          start_date=date(2026, 12, 12), end_date=date(2026, 12, 31)),
        P("抖音", ["短视频"], [], ["submit-late-risk"], activity="下周上线尚未提交", status="待提交",
          submitted_date="", approval_no="", approved_date="", archived="否", launch_date=date(2026, 11, 27),
          start_date=date(2026, 11, 27), end_date=date(2026, 12, 10)),
        P("微信", ["H5"], [], ["launch-unapproved"], activity="已上线仍在审核", status="审核中",
          submitted_date=date(2026, 11, 16), approval_no="", approved_date="", archived="否",
          launch_date=date(2026, 11, 18), start_date=date(2026, 11, 18), end_date=date(2026, 12, 18)),
        P("京东", ["优惠券"], [], ["archive-overdue"], activity="结束已久未归档", archived="否",
          start_date=date(2026, 9, 10), end_date=date(2026, 10, 10)),
        P("微信", ["H5"], [], ["license-expired"], company="D", industry="医疗", activity="医美秋季体验",
          status="审核中", submitted_date=date(2026, 11, 18), approval_no="", approved_date="", archived="否",
          launch_date=date(2026, 12, 20), start_date=date(2026, 12, 20), end_date=date(2026, 12, 31),
          m_行业许可证明="是"),
        P("天猫", ["H5"], [], ["license-expiring", "license-gap"], company="E", activity="年货节预热",
          start_date=date(2026, 11, 1), end_date=date(2026, 12, 31), launch_date=date(2026, 11, 1),
          submitted_date=date(2026, 10, 15), approved_date=date(2026, 10, 22)),
        # 餐饮 requires a 食品经营许可证 (warning level); F has none
        P("拼多多", ["H5"], [], ["license-expiring", "license-missing"], company="F", industry="餐饮", activity="冬季火锅节",
          start_date=date(2026, 11, 10), end_date=date(2026, 12, 20), launch_date=date(2026, 11, 10),
          submitted_date=date(2026, 10, 20), approved_date=date(2026, 10, 28)),
        P("百度", ["H5"], [], ["license-gap"], company="G", industry="旅游", activity="春节出游季",
          start_date=date(2026, 11, 1), end_date=date(2027, 5, 1), launch_date=date(2026, 11, 1),
          submitted_date=date(2026, 10, 12), approved_date=date(2026, 10, 20)),
        P("B站", ["短视频"], [], ["license-missing"], company="H", industry="教育", activity="寒假课程推广",
          status="审核中", submitted_date=date(2026, 11, 17), approval_no="", approved_date="", archived="否",
          launch_date=date(2026, 12, 18), start_date=date(2026, 12, 18), end_date=date(2027, 1, 18)),
        # ---- issue 12: compliance correctness
        # the lottery cap applies to draws only: a 60,000 元 coupon is not a lottery prize, but its
        # prize is said (prize-without-draw) and the letters call it a 奖品/权益, not a draw (docs/rules.md);
        # the activity runs into next year: on a past coupon the note is history and is not said
        P("京东", ["优惠券"], [("prize-without-draw", H["top_prize"])], activity="六万元购物券", top_prize=60000,
          start_date=date(2026, 11, 1), end_date=date(2027, 1, 31), launch_date=date(2026, 11, 1),
          submitted_date=date(2026, 10, 20), approved_date=date(2026, 10, 27)),
        # the platform's own 单奖上限 (this sample's 平台 sheet gives 微博 5,000) is below 设置's 50,000
        P("微博", ["抽奖"], [("prize-over-limit", H["top_prize"])], activity="微博大奖转发抽奖", top_prize=8000),
        # 已驳回, resubmitted by the next row: closed, no deadline finding although launch is near
        P("抖音", ["短视频"], [], [], activity="被驳回后已重提", filing_id="BA-2026-R001", status="已驳回",
          submitted_date=date(2026, 11, 2), feedback="创意含绝对化用语", feedback_date=date(2026, 11, 9),
          approval_no="", approved_date="", archived="否", launch_date=date(2026, 11, 27),
          start_date=date(2026, 11, 27), end_date=date(2026, 12, 10)),
        P("抖音", ["短视频"], [], [], activity="被驳回后已重提（新提交）", filing_id="BA-2026-R002",
          original_id="BA-2026-R001", status="审核中", submitted_date=date(2026, 11, 18), approval_no="",
          approved_date="", archived="否", launch_date=date(2027, 1, 8), start_date=date(2027, 1, 8),
          end_date=date(2027, 1, 31)),
        # 已驳回 with no resubmission, launching next week: not yet submitted for submit-late-risk
        P("抖音", ["短视频"], [], ["submit-late-risk"], activity="驳回未重提下周上线", status="已驳回",
          submitted_date=date(2026, 11, 2), feedback="资质文件模糊", feedback_date=date(2026, 11, 9),
          approval_no="", approved_date="", archived="否", launch_date=date(2026, 11, 27),
          start_date=date(2026, 11, 27), end_date=date(2026, 12, 10)),
        # 敏感个人信息 = 是 but 收集个人信息 = 否
        P("小红书", ["问卷"], [("pi-inconsistent", "敏感个人信息")], activity="健康问卷未标收集", sensitive_pi="是",
          privacy_url="https://www.xinghe-digital.com/privacy", consent="单独弹窗同意健康信息处理"),
        # sensitive data needs its own consent: PI-02 and PI-05 both ask for 用户授权机制
        P("快手", ["信息收集"], [("missing-field", H["consent"], "PI-02"), ("missing-field", H["consent"], "PI-05")],
          activity="人脸核验抽签缺授权", collects_pi="是", sensitive_pi="是", consent=""),
        # under-14s: guardian consent when personal data is collected
        P("B站", ["问卷"], [("missing-field", "监护人同意机制", "PI-06")], activity="少儿绘画征集", industry="教育",
          collects_pi="是", minors="是"),
        # 《广告法》第40条: 美妆 (化妆品) ads not aimed at minors
        P("抖音", ["短视频"], [("prohibited-for-minors", "面向未成年人")], activity="校园美妆挑战", industry="美妆",
          minors="是"),
        # ICP-02: a mini program needs its ICP 备案 (since 2023-09-01)
        P("微信", ["小程序"], [("missing-material", "ICP备案证明", "ICP-02")], activity="会员小程序缺ICP截图",
          m_ICP备案证明="否"),
        # positions 1-2 of the credit code (registration authority K does not exist)
        P("京东", ["H5"], [("invalid-credit-code", H["credit_code"]), ("company-mismatch", H["credit_code"])],
          activity="信用代码首位无效", credit_code="KL9433057NAC91XMCE"),
        # a full-width digit folds to ASCII: the same valid code, no finding
        P("淘宝", ["H5"], [], activity="信用代码含全角数字", credit_code="91３10110666007217T"),
        # licenses: J's 医疗机构执业许可证 expired; its 医疗广告审查证明 has no 有效期至 (one year after issue)
        P("抖音", ["短视频"], [], ["license-expired", "license-expiring"], company="J", industry="医疗",
          activity="口腔护理科普", status="审核中", submitted_date=date(2026, 11, 18), approval_no="",
          approved_date="", archived="否", launch_date=date(2026, 11, 26), start_date=date(2026, 11, 26),
          end_date=date(2026, 11, 28)),
        # K's 食品经营许可证 expires in 7 days, before the activity ends: not a required type of 快消,
        # still reported
        P("小红书", ["图文"], [], ["license-expiring", "license-gap"], company="K", industry="快消", activity="冬季零食节",
          status="审核中", submitted_date=date(2026, 11, 18), approval_no="", approved_date="", archived="否",
          launch_date=date(2027, 1, 8), start_date=date(2027, 1, 8), end_date=date(2027, 1, 31)),
        # L's only filing is withdrawn: its expired 营业执照 is reported once on 资质库, not here
        P("微博", ["图文"], [], [], company="L", industry="旅游", activity="会展招商（已撤回）", status="已撤回",
          submitted_date="", approval_no="", approved_date="", archived="否", launch_date=date(2026, 12, 1),
          start_date=date(2026, 12, 1), end_date=date(2026, 12, 31)),
    ]


def late_problem_rows() -> list[dict]:
    """Issue 23's bans, after every other row so no earlier 备案编号 moves."""
    return [
        # 《互联网广告管理办法》(2023): no tobacco (e-cigarettes included) ads on the internet
        P("抖音", ["短视频"], [("prohibited-ad", H["industry"])], industry="电子烟", activity="电子烟新口味种草",
          status="待提交", submitted_date="", approval_no="", approved_date="", archived="否",
          launch_date=date(2027, 1, 20), start_date=date(2027, 1, 20), end_date=date(2027, 2, 10)),
        # 《广告法》第40条: games harmful to minors — a person judges the game: a warning
        P("B站", ["短视频"], [("prohibited-for-minors", "面向未成年人")], industry="游戏", activity="寒假手游联动",
          minors="是"),
        # WX-01: 微信 does not allow rewards for sharing (助力、砍价、集赞)
        P("微信", ["裂变"], [("forbidden-form", H["forms"], "WX-01")], activity="好友助力领券"),
        # AD-05: 种草 content with a purchase link is marked 广告
        P("小红书", ["种草"], [("missing-material", "广告标识", "AD-05")], activity="达人测评带购物链接",
          m_广告标识="否"),
    ]


def team_rule(**cells) -> list[str]:
    """A team rule as a row of the 平台规则 header (data/platform_rules.csv); unnamed cells are * or empty."""
    header = _csv("platform_rules.csv")[0]
    blank = {"核对日期", "生效日期", "失效日期"}
    return [cells.get(h, "" if h in blank else "*") for h in header]


BAD_RULES = [
    # expected column of the bad-rule finding
    (dict(规则编号="TEAM-01", 平台="微信", 创意形式="抽奖", 要求="抽奖规测", 级别="error",
          说明="团队自定：微信抽奖须附规则截图", 依据="团队内控", 已核实="否"), "要求"),
    (dict(规则编号="TEAM-02", 平台="推特", 要求="创意物料", 级别="warning", 说明="团队自定：海外平台须附物料",
          依据="团队内控", 已核实="否"), "平台"),
]
# a valid team rule checked long ago: rule-stale (设置 规则复核天数 180); every 微博 row names its activity
STALE_RULE = dict(规则编号="TEAM-03", 平台="微博", 要求="活动名称", 级别="warning", 说明="团队自定：微博活动须写明活动名称",
                  依据="团队内控", 已核实="是", 核对日期="2025-01-15")
PLATFORM_OVERRIDES = {"微博": {"单奖上限(元)": "5000"}}
"""The sample team filled in 微博's cap from its current rules (the shipped column is empty)."""


# ----------------------------------------------------------------------------- writing
def assign_ids(rows: list[dict]) -> None:
    n = 0
    for r in rows:
        n += 1
        r["data"].setdefault("filing_id", f"BA-2026-{n:04d}")
        if not r["data"].get("filing_id"):
            r["data"]["filing_id"] = f"BA-2026-{n:04d}"
        if r["data"]["approval_no"] is None:
            r["data"]["approval_no"] = approval(r["data"]["platform"], n) if r["data"]["platform"] in PREFIX else ""
        if r["data"]["status"] == "已通过" and not r["data"].get("application_no"):
            r["data"]["application_no"] = f"SQ2026{n:05d}"
    first_wechat = next(r["data"]["approval_no"] for r in rows
                        if r["data"]["platform"] == "微信" and r["data"]["status"] == "已通过" and not r["v"])
    for r in rows:
        if r["data"]["approval_no"] == "@FIRST_WECHAT":
            r["data"]["approval_no"] = first_wechat


def interleave(clean: list[dict], problems: list[dict]) -> list[dict]:
    """Spread problem rows among clean ones, as they occur in a real tracker."""
    out, ci = [], 0
    for i, p in enumerate(problems):
        take = 1 if i % 4 else 2
        out.extend(clean[ci:ci + take])
        ci += take
        out.append(p)
    out.extend(clean[ci:])
    return out


def material_cells(r: dict) -> dict[str, str]:
    need = required_materials(r)
    cells = {}
    for i, m in enumerate(MATERIALS):
        cells[m] = ("是" if i % 2 else "✓") if m in need else ("不适用" if i % 3 else "")
    for key, value in r.items():
        if key.startswith("m_"):
            cells[key[2:]] = value
    return cells


def write_workbook(rows: list[dict]) -> dict[int, dict]:
    wb = xlsxwriter.Workbook(str(WORKBOOK), {"strings_to_numbers": False, "strings_to_formulas": False,
                                              "strings_to_urls": False})
    wb.set_properties({"title": "2026年营销活动备案台账（示例）", "author": "beian sample",
                       "created": datetime(2026, 11, 20, 9, 0, 0)})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dfmt_cn = wb.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    money = wb.add_format({"num_format": "¥#,##0"})
    ws = wb.add_worksheet(TRACKER)
    ws.merge_range(0, 0, 0, 8, "2026年营销活动备案台账（市场部 · 示例数据）", title)
    ws.write_row(2, 0, HEADERS, head)
    ws.freeze_panes(3, 2)
    ws.set_column(0, len(HEADERS) - 1, 13)
    ws.set_column(1, 1, 22)
    ws.set_column(len(HEADERS) - 1, len(HEADERS) - 1, 12, None, {"hidden": True})
    col = {h: i for i, h in enumerate(HEADERS)}
    excel_rows = {}
    r_excel = 4  # header on row 3
    for i, row in enumerate(rows):
        if i in (20, 55):
            r_excel += 1  # a fully blank row inside the table, as teams leave them
        d = row["data"]
        excel_rows[r_excel] = row
        r0 = r_excel - 1
        for header, key in FIELDS + TRAILING:
            value = d.get(key)
            c = col[header]
            if key == "forms":
                value = "、".join(value) if i % 3 else "，".join(value)
            if value in ("", None):
                continue
            if value == "#FORMULA_NA":
                ws.write_formula(r0, c, '=VLOOKUP("缺失",$A$1:$B$2,2,FALSE)', None, "#N/A")
            elif isinstance(value, date):
                style = i % 5 if key == "start_date" else (i % 4 if key in ("end_date", "launch_date") else 0)
                if style == 1:
                    ws.write_string(r0, c, f"{value.year}/{value.month}/{value.day}")
                elif style == 2:
                    ws.write_string(r0, c, value.strftime("%Y.%m.%d"))
                elif style == 3:
                    ws.write_datetime(r0, c, value, dfmt_cn)
                elif style == 4:
                    ws.write_number(r0, c, (value - date(1899, 12, 30)).days)
                else:
                    ws.write_datetime(r0, c, value, dfmt)
            elif key == "budget" and isinstance(value, int):
                if i % 9 == 4:
                    ws.write_formula(r0, c, f"={value // 2}*2", money, value)
                else:
                    ws.write_number(r0, c, value, money)
            elif key == "contact_phone" and value.isdigit() and i % 2:
                ws.write_number(r0, c, int(value))
            elif isinstance(value, int | float):
                ws.write_number(r0, c, value)
            else:
                ws.write_string(r0, c, str(value))
        for m, value in material_cells(d).items():
            if value:
                ws.write_string(r0, col[m], value)
        r_excel += 1
    ws.data_validation(3, col["投放平台"], r_excel, col["投放平台"], {
        "validate": "list", "source": list(PREFIX), "error_type": "warning"})
    ws.data_validation(3, col["备案状态"], r_excel, col["备案状态"], {
        "validate": "list", "source": ["草稿", "待提交", "已提交", "审核中", "需补充", "已通过", "已驳回", "已撤回"],
        "error_type": "warning"})
    _write_old_tracker(wb, head)
    _write_licenses(wb, head, dfmt)
    _write_tables(wb, head)
    wb.close()
    return excel_rows


OLD_SHEET = "2025旧台账"


def _write_old_tracker(wb, head) -> None:
    """An older tracker kept in the same file, without a 状态 column: `--sheet 2025旧台账` reads it."""
    ws = wb.add_worksheet(OLD_SHEET)
    headers = ["备案编号", "活动名称", "平台", "创意形式", "主体名称", "统一社会信用代码", "联系电话",
               "营业执照", "活动方案", "创意物料", "安全承诺书"]
    ws.write_row(0, 0, headers, head)
    name, credit = COMPANIES["A"]
    for i, (platform, activity) in enumerate([("微信", "2025双旦"), ("抖音", "2025年货节"), ("淘宝", "2025春上新")]):
        ws.write_row(i + 1, 0, [f"OLD-2025-{i + 1:03d}", activity, platform, "H5", name, credit, "13800138000",
                                "是", "是", "是", "是"])


def _write_licenses(wb, head, dfmt) -> None:
    ws = wb.add_worksheet("资质库")
    headers = ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至", "文件"]
    ws.write_row(0, 0, headers, head)
    ws.set_column(0, 6, 18)
    for i, (company, lic_type, number, issued, until, file) in enumerate(LICENSES, start=1):
        name, credit = COMPANIES[company]
        ws.write_row(i, 0, [name, credit, lic_type, number])
        ws.write_datetime(i, 4, issued, dfmt)
        if isinstance(until, date):
            ws.write_datetime(i, 5, until, dfmt)
        else:
            ws.write_string(i, 5, until)
        ws.write_string(i, 6, file)


def _csv(name: str) -> list[list[str]]:
    text = (HERE.parent / "pyaddin" / "data" / name).read_text(encoding="utf-8")
    return list(csv.reader(text.splitlines()))


def _write_tables(wb, head) -> None:
    team = [team_rule(**r) for r, _ in BAD_RULES] + [team_rule(**STALE_RULE)]
    for sheet, filename, extra in (("平台", "platforms.csv", []), ("平台规则", "platform_rules.csv", team),
                                   ("材料", "materials.csv", [])):
        ws = wb.add_worksheet(sheet)
        rows = _csv(filename)
        ws.write_row(0, 0, rows[0], head)
        for i, r in enumerate(rows[1:] + extra, start=1):
            if sheet == "平台" and r[0] in PLATFORM_OVERRIDES:
                r = [PLATFORM_OVERRIDES[r[0]].get(h, v) for h, v in zip(rows[0], r, strict=True)]
            ws.write_row(i, 0, r)
        ws.set_column(0, len(rows[0]), 14)
    ws = wb.add_worksheet("设置")
    ws.write_row(0, 0, ["项目", "值", "说明"], head)
    settings = _csv("settings.csv")
    values = {"today": TODAY.isoformat(), "archive_root": "archive"}
    for i, (label, key, default, note, *_bounds) in enumerate(settings[1:], start=1):
        ws.write_row(i, 0, [label, values.get(key, default), note])
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 60)
    ws = wb.add_worksheet("节假日")
    ws.write_row(0, 0, ["日期", "类型", "说明"], head)


def bad_rule_rows() -> list[tuple[int, str, str]]:
    n_defaults = len(_csv("platform_rules.csv")) - 1
    return [(n_defaults + 2 + i, col, rule["规则编号"]) for i, (rule, col) in enumerate(BAD_RULES)]


def rule_freshness_rows() -> list[tuple[int, str, str, str]]:
    """(sheet row, code, column, rule id): the rules with 已核实 = 否 that apply to open filings
    are ONE rule-unverified note listing them (several here, so on no single row; docs/rules.md);
    TEAM-03, checked more than 180 days before TODAY, is rule-stale."""
    rules = _csv("platform_rules.csv")
    out = [("", "rule-unverified", "已核实", "")]
    stale_row = len(rules) + len(BAD_RULES) + 1
    out.append((stale_row, "rule-stale", "核对日期", STALE_RULE["规则编号"]))
    return out


def settings_row(key: str) -> int:
    return next(i for i, r in enumerate(_csv("settings.csv")[1:], start=2) if r[1] == key)


def license_row(company: str, lic_type: str) -> int:
    return next(i for i, r in enumerate(LICENSES, start=2) if r[0] == company and r[1] == lic_type)


def write_answer_key(excel_rows: dict[int, dict]) -> None:
    key = []
    for row, spec in excel_rows.items():
        fid = spec["data"]["filing_id"]
        for item in spec["v"]:
            code_, field = item[0], item[1]
            rule = item[2] if len(item) > 2 else ""
            key.append(["validate", TRACKER, row, fid, code_, field, rule])
        for code_ in spec["d"]:
            key.append(["deadlines", TRACKER, row, fid, code_, "*", ""])
    for row, column, rule in bad_rule_rows():
        key.append(["validate", "平台规则", row, "", "bad-rule", column, rule])
    for row, code_, column, rule in rule_freshness_rows():
        key.append(["validate", "平台规则", row, "", code_, column, rule])
    # 设置 今天 pins the date: said once per run, on its cell
    key.append(["validate", "设置", settings_row("today"), "", "today-pinned", "值", ""])
    # L has no open filing: its expired 营业执照 is reported once, on the 资质库 row
    key.append(["deadlines", "资质库", license_row("L", "营业执照"), "", "license-expired", "*", ""])
    key.append(["deadlines", "节假日", "", "", "calendar-fallback", "*", ""])
    key.append([f"validate --sheet {OLD_SHEET}", OLD_SHEET, 1, "", "missing-column", "状态", ""])
    with ANSWER_KEY.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["命令", "工作表", "行", "备案编号", "代码", "字段", "规则"])
        w.writerows(key)


# Rejection hints: a 草稿/待提交 row gets `rejection-pattern` when its platform's 已驳回/需补充 审核意见
# of the 12 weeks before TODAY fall into a category other than 其他. In the sample only 小红书 has one
# (补充材料已逾期: “请补充活动规则公示截图” → 抽奖规则); 快手's “请补充营业执照彩色扫描件” has no draft to warn.
# 抖音 has two (issue 12's rejected rows: “创意含绝对化用语” → 绝对化用语, “资质文件模糊” → 资质/清晰度).
HINTED_PLATFORMS = {"小红书", "抖音"}


def add_rejection_hints(rows: list[dict]) -> None:
    for r in rows:
        if r["data"]["status"] in ("草稿", "待提交") and r["data"]["platform"] in HINTED_PLATFORMS:
            r["v"].append(("rejection-pattern", H["status"]))


def main() -> None:
    # 12 more clean rows after everything else keep the sample mostly clean without moving the
    # rows (and 备案编号) that other tests name
    rows = interleave(clean_rows(), problem_rows()) + clean_rows(48, 60) + late_problem_rows()
    assign_ids(rows)
    add_rejection_hints(rows)
    excel_rows = write_workbook(rows)
    write_answer_key(excel_rows)
    clean = sum(1 for r in rows if not r["v"] and not r["d"])
    platforms = {r["data"]["platform"] for r in rows}
    print(f"{WORKBOOK.name}: {len(rows)} rows, {clean} clean, {len(platforms)} platforms; {ANSWER_KEY.name} written")


if __name__ == "__main__":
    main()
