"""What the robots say, read as the chat app shows it: the urgent message's header agrees with its
items, a 资质库 item names the company and the licence, 飞书 gets rich `post` elements and never a
Markdown sign, and the weekly summary has a plain-text twin for pasting by hand."""

from __future__ import annotations

import re
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import CLEAN, write_tracker
from robot_receiver import Receiver

from pyaddin.cli.main import main

TODAY = "2026-11-20"
HEADERS = [*CLEAN, "负责人", "审核意见", "反馈日期", "补充截止日期", "行业许可证明"]
LATER = {"计划上线日期": date(2026, 12, 31), "活动开始日期": date(2026, 12, 31), "活动结束日期": date(2027, 1, 31)}
ROWS = [
    # overdue supplement (error, 5 working days late) for 王敏, a phone number in the name
    {"备案编号": "BA-1", "活动名称": "咨询热线13812345678", "负责人": "王敏", "状态": "需补充", "备案号": None,
     "通过日期": None, "审核意见": "补充资质", "反馈日期": date(2026, 11, 10), "补充截止日期": date(2026, 11, 13), **LATER},
    # a 医疗 filing launching in April without its 医疗广告审查证明: an error, 104 working days away
    {"备案编号": "BA-7", "活动名称": "春季义诊", "负责人": "李雷", "状态": "草稿", "备案号": None, "通过日期": None,
     "提交日期": None, "行业": "医疗", "计划上线日期": date(2027, 4, 15), "活动开始日期": date(2027, 4, 15),
     "活动结束日期": date(2027, 5, 31)},
    # review overdue (warning) for 王敏
    {"备案编号": "BA-3", "活动名称": "年终盛典", "负责人": "王敏", "状态": "审核中", "备案号": None, "通过日期": None,
     "提交日期": date(2026, 11, 2), **LATER},
    {"备案编号": "BA-4", "活动名称": "冬季新品", "负责人": "王敏", "备案号": "WX2026110004", "通过日期": date(2026, 11, 18)},
]
LICENSES = [["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"],
            [CLEAN["主体名称"], CLEAN["统一社会信用代码"], "营业执照", "1", date(2015, 1, 1), "长期"],
            ["宁波惠通金融信息服务有限公司", "91330201MA2AXXXX1X", "增值电信业务经营许可证", "B2-20190001",
             date(2021, 1, 1), date(2026, 10, 31)]]
PEOPLE = [["姓名", "手机", "企业微信ID", "钉钉ID", "飞书ID"], ["王敏", "13900001111", "wangmin", "ding_wm", "ou_wm"]]


@pytest.fixture(scope="module")
def rx():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def fresh(rx):
    rx.requests.clear()


def workbook(tmp_path, rx, kind, contents="urgent"):
    url = {"企业微信": rx.url("wecom"), "钉钉": rx.url("ding"), "飞书": rx.url("feishu")}[kind]
    robots = [["名称", "类型", "Webhook", "加签密钥", "内容", "启用"], [f"{kind}群", kind, url, "", contents, "是"]]
    return write_tracker(tmp_path / "台账.xlsx", ROWS, headers=HEADERS,
                         extra_sheets={"通知": robots, "人员": PEOPLE, "资质库": LICENSES})


def notify(path, *args):
    return CliRunner().invoke(main, ["notify", str(path), "--today", TODAY, *map(str, args)])


def feishu_view(body: dict) -> list[str]:
    """The post as 飞书 shows it: each paragraph's elements side by side, `at` as @id, bold marked."""
    post = body["content"]["post"]["zh_cn"]
    lines = [post["title"]]
    for paragraph in post["content"]:
        parts = []
        for el in paragraph:
            assert el["tag"] in ("text", "a", "at"), el
            if el["tag"] == "at":
                parts.append(f"@{el['user_id']}")
            else:
                parts.append(f"<b>{el['text']}</b>" if "bold" in el.get("style", []) else el["text"])
        lines.append("".join(parts))
    return lines


def test_the_urgent_header_counts_exactly_the_items_it_lists(tmp_path, rx):
    result = notify(workbook(tmp_path, rx, "企业微信"), "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (text,) = [r.body["markdown"]["content"] for r in rx.of("wecom") if r.body.get("msgtype") == "markdown"]
    items = [ln for ln in text.split("\n") if ln.startswith("- ")]
    header = re.search(r"共 (\d+) 项：已逾期 (\d+) 项，3 个工作日内到期 (\d+) 项", text)
    assert header, text
    assert int(header.group(1)) == len(items) == int(header.group(2)) + int(header.group(3))
    assert sum(int(n) for n in re.findall(r"（(\d+) 项）", text)) == len(items)
    # the 医疗 licence missing for a launch 104 working days away is in the check report, not urgent
    assert "BA-7" not in text and "医疗广告审查证明" not in text
    assert any("BA-1" in ln and "已逾期 5 个工作日" in ln for ln in items)


def test_a_licence_register_item_names_the_company_and_the_licence(tmp_path, rx):
    result = notify(workbook(tmp_path, rx, "企业微信"), "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (text,) = [r.body["markdown"]["content"] for r in rx.of("wecom") if r.body.get("msgtype") == "markdown"]
    (line,) = [ln for ln in text.split("\n") if "宁波惠通" in ln]
    assert "宁波惠通金融信息服务有限公司 · 增值电信业务经营许可证（证书编号 B2-20190001） · 资质已过期" in line
    assert "资质库第3行" in line
    assert "（无活动名称）" not in line and "（无平台）" not in line and " 第3行" not in line


def test_feishu_urgent_is_rich_post_with_bold_headings_and_at(tmp_path, rx):
    assert notify(workbook(tmp_path, rx, "飞书"), "--out", tmp_path / "out").exit_code == 0
    (req,) = rx.of("feishu")
    view = feishu_view(req.body)
    assert "<b>王敏（2 项）</b> @ou_wm" in view
    assert any(ln.startswith("• BA-1 · 咨询热线138****5678") for ln in view)  # masked stars are text, not markup
    joined = re.sub(r"\d\*{4}\d", "", "\n".join(view))  # a masked phone's stars are text
    assert "**" not in joined and "###" not in joined and "【" not in joined


def test_feishu_weekly_carries_no_markdown_signs(tmp_path, rx):
    result = notify(workbook(tmp_path, rx, "飞书", "weekly"), "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (req,) = rx.of("feishu")
    view = feishu_view(req.body)
    elements = [el for p in req.body["content"]["post"]["zh_cn"]["content"] for el in p]
    for el in elements:
        text = el.get("text", "")
        assert "**" not in text.replace("****", "") and not text.startswith(("#", ">", "|", "- ")), text
        assert "\\" not in text, text  # Markdown escapes undone
    assert req.body["content"]["post"]["zh_cn"]["title"].startswith("备案周报 2026-W47")
    assert any(el.get("style") == ["bold"] and el["text"] == "本周" for el in elements)  # **本周** became bold
    assert "【新备案号（请各团队知悉）】" in view or "<b>新备案号（请各团队知悉）</b>" in view


def test_weekly_writes_a_plain_text_twin_of_the_markdown(tmp_path):
    path = write_tracker(tmp_path / "台账.xlsx", ROWS, headers=HEADERS)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(path), "--today", TODAY, "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    md = (out / "周报_2026-W47.md").read_text(encoding="utf-8")
    txt = (out / "周报_2026-W47.txt").read_text(encoding="utf-8")
    assert txt.startswith("备案周报 2026-W47")
    bare = re.sub(r"\d\*{4}\d", "", txt)  # a masked phone's stars are text
    for sign in ("**", "## ", "|---", "\\", "> "):
        assert sign not in bare, sign
    assert "• 本周：新增" in txt and "【需要处理】" in txt
    # the same words: every Markdown line's text is in the plain text
    assert "13812345678" not in txt and "138****5678" in md.replace("\\", "")
    words = re.findall(r"BA-\d+", md)
    assert words and all(w in txt for w in words)
