import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from helpers import docx_text as text_of

import pyaddin.cli.commands.docs  # noqa: F401  (registers `beian docs`)
from pyaddin.actions.documents import generate
from pyaddin.adapters import docx_templates
from pyaddin.adapters.files import read_book
from pyaddin.cli.main import main
from pyaddin.documents.blanks import BLANK
from pyaddin.documents.context import template_values
from pyaddin.documents.kinds import KINDS, TEMPLATES_DIR
from pyaddin.documents.placeholders import (
    FILTERS,
    PLACEHOLDER_COLUMNS,
    VARIABLE_NAMES,
    VARIABLES,
    placeholder_rows,
    variables_markdown,
)
from pyaddin.errors import TemplateProblem
from pyaddin.run.build import build_context

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 10, 20)
HEADER = ["备案编号", "活动名称", "平台", "创意形式", "行业", "主体名称", "统一社会信用代码", "负责人", "联系人",
          "联系电话", "联系邮箱", "活动开始日期", "活动结束日期", "计划上线日期", "预算(元)", "收集个人信息",
          "敏感个人信息", "隐私政策链接", "用户授权机制", "最高奖金额(元)", "状态", "营业执照", "活动方案", "安全承诺书"]
COMPANY = "上海示例科技有限公司"
CODE = "91310000MA1FL4B24G"


def row(filing_id="BA-001", activity="双11 抽奖", platform="微信公众号", forms="H5、抽奖", **over):
    values = {
        "备案编号": filing_id, "活动名称": activity, "平台": platform, "创意形式": forms, "行业": "快消",
        "主体名称": COMPANY, "统一社会信用代码": CODE, "负责人": "王五", "联系人": "张三",
        "联系电话": "13800138000", "联系邮箱": "zhang@example.com", "活动开始日期": date(2025, 11, 1),
        "活动结束日期": date(2025, 11, 11), "计划上线日期": date(2025, 10, 30), "预算(元)": 12000,
        "收集个人信息": "是", "敏感个人信息": "否", "隐私政策链接": "https://example.com/privacy",
        "用户授权机制": "弹窗勾选同意", "最高奖金额(元)": 5000, "状态": "待提交", "营业执照": "是",
        "活动方案": "否", "安全承诺书": "否",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def tracker(tmp_path: Path, rows: list[list], name="台账.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # user text, not a formula
    path = tmp_path / name
    wb.save(path)
    return path


def context(path: Path):
    return build_context(read_book(path), system_today=TODAY)


CLEAN_ROWS = [
    row(),
    row("BA-002", "新品直播", "抖音", "直播", **{"预算(元)": "1.2万", "最高奖金额(元)": None, "收集个人信息": "否"}),
    row("BA-003", "A&B<C> 联名", "小红书", "图文", **{"预算(元)": 100000010}),
]


@pytest.fixture
def clean(tmp_path):
    return context(tracker(tmp_path, CLEAN_ROWS))


def test_every_clean_row_renders_both_documents(clean, tmp_path):
    result = generate(clean, out_dir=tmp_path / "out")
    assert result.refused == []
    names = sorted(p.name for p in result.written)
    assert names == sorted(f"{i}_{p}_{k}.docx" for i, p in [("BA-001", "微信"), ("BA-002", "抖音"), ("BA-003", "小红书")]
                           for k in ("安全承诺书", "营销活动方案"))
    for path in result.written:
        text = text_of(path)
        assert "{{" not in text and "{%" not in text and "%}" not in text
        assert COMPANY in text and CODE in text
        assert "2025年11月1日" in text and "2025年11月11日" in text


def test_documents_carry_platform_dates_and_amounts_in_both_forms(clean, tmp_path):
    result = generate(clean, out_dir=tmp_path / "out", ids=["BA-001"])
    letter, plan = (text_of(p) for p in result.written)
    assert "微信平台：" in letter
    assert "¥12,000.00" in plan and "壹万贰仟元整" in plan
    assert "¥5,000.00" in letter and "伍仟元整" in letter  # lottery clause with the top prize
    assert "不超过¥50,000.00" in letter  # 设置 prize limit (default)
    assert "日期：2025年10月20日" in letter  # 落款日期 = today when not yet submitted
    assert "本活动收集用户个人信息" in letter and "https://example.com/privacy" in letter
    assert "微信公众平台" in plan  # 备案入口 from the platform catalogue
    assert "2025年10月30日" in plan  # timeline table row
    assert "H5 页面" in plan and "抽奖：" in plan and "直播：" not in plan
    for material in ("营业执照", "活动方案", "安全承诺书"):
        assert material in plan


def test_amount_in_wan_and_large_amounts_are_written_in_capitals(clean, tmp_path):
    result = generate(clean, out_dir=tmp_path / "out", ids=["BA-002", "BA-003"], kind="方案")
    two, three = (text_of(p) for p in result.written)
    assert "¥12,000.00" in two and "壹万贰仟元整" in two
    assert "本活动不收集用户个人信息" in two and "抽奖：" not in two
    assert "¥100,000,010.00" in three and "壹亿零壹拾元整" in three


def test_campaign_name_with_xml_characters_renders(clean, tmp_path):
    result = generate(clean, out_dir=tmp_path / "out", ids=["BA-003"])
    for path in result.written:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode()
        assert "A&amp;B&lt;C&gt; 联名" in xml
        assert "“A&B<C> 联名”" in text_of(path) or "A&B<C> 联名" in text_of(path)


def test_empty_optional_value_renders_visible_blank_and_warns(tmp_path):
    ctx = context(tracker(tmp_path, [row(**{"用户授权机制": None, "联系邮箱": None})]))
    result = generate(ctx, out_dir=tmp_path / "out", force=True)  # PI rules want 用户授权机制
    letter, plan = (text_of(p) for p in result.written)
    assert "授权方式为：" + BLANK + "。" in letter
    assert BLANK in plan
    warned = sorted((f.code, f.severity, f.row, f.field) for f in result.findings if f.code == "empty-placeholder")
    assert warned == [("empty-placeholder", "warning", 2, "用户授权机制"),
                      ("empty-placeholder", "warning", 2, "用户授权机制"),
                      ("empty-placeholder", "warning", 2, "联系邮箱")]


def test_rows_with_errors_are_refused_with_reason_unless_forced(tmp_path):
    ctx = context(tracker(tmp_path, [row(), row("BA-002", 主体名称=None)]))
    result = generate(ctx, out_dir=tmp_path / "out")
    assert [(r, i) for r, i, _ in result.refused] == [(3, "BA-002")]
    assert "主体名称" in result.refused[0][2] and "--force" in result.refused[0][2]
    assert all("BA-001" in p.name for p in result.written)
    assert any(f.code == "missing-value" and f.row == 3 for f in result.findings)

    forced = generate(ctx, out_dir=tmp_path / "forced", force=True)
    assert forced.refused == []
    assert len(forced.written) == 4


def test_missing_materials_do_not_block_the_documents_that_supply_them(clean, tmp_path):
    # the clean rows lack 安全承诺书/活动方案 and other materials: a missing-material error each
    result = generate(clean, out_dir=tmp_path / "out")
    assert result.refused == []


def test_selection_by_ids_and_rows_and_unknown_names_reported(clean, tmp_path):
    result = generate(clean, out_dir=tmp_path / "out", ids=["ba-002", "NOPE"], rows=[4, 99], kind="方案")
    assert sorted(p.name for p in result.written) == ["BA-002_抖音_营销活动方案.docx", "BA-003_小红书_营销活动方案.docx"]
    assert [(r, i) for r, i, _ in result.refused] == [(None, "NOPE"), (99, None)]


@pytest.mark.parametrize("filing_id", ["../../etc/passwd", "CON", "a/b\\c:d*e?", "🎉" * 3, "长" * 300, "..", " "])
def test_output_names_stay_inside_out_folder(tmp_path, filing_id):
    ctx = context(tracker(tmp_path, [row(filing_id)]))
    out = tmp_path / "out"
    result = generate(ctx, out_dir=out, kind="承诺书", force=True)
    assert len(result.written) == 1
    path = result.written[0]
    assert path.parent == out and path.exists()
    assert len(path.name.encode()) <= 255
    assert "/" not in path.name and "\\" not in path.name and not path.name.startswith(".")


def test_same_filing_twice_gets_distinct_names(tmp_path):
    ctx = context(tracker(tmp_path, [row(), row()]))
    result = generate(ctx, out_dir=tmp_path / "out", kind="承诺书", force=True)
    assert sorted(p.name for p in result.written) == ["BA-001_微信_安全承诺书.docx", "BA-001_微信_安全承诺书_第3行.docx"]


def test_index_lists_every_document_with_hash_and_keeps_formulas_as_text(tmp_path):
    import hashlib

    ctx = context(tracker(tmp_path, [row("=1+1")]))
    result = generate(ctx, out_dir=tmp_path / "out", force=True)
    ws = openpyxl.load_workbook(result.index_path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("备案编号", "平台", "文书", "格式", "路径", "SHA-256")
    assert len(rows) == 3
    assert sorted(r[2] for r in rows[1:]) == ["安全承诺书", "营销活动方案"]
    for filing_id, platform, _kind, fmt, rel, digest, excel_row in rows[1:]:
        assert filing_id == "=1+1" and platform == "微信" and fmt == "docx" and excel_row == 2
        assert hashlib.sha256((tmp_path / "out" / rel).read_bytes()).hexdigest() == digest
    assert ws["A2"].data_type == "s"


def test_output_open_in_word_is_skipped_reported_and_the_batch_goes_on(clean, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "BA-001_微信_安全承诺书.docx").write_bytes(b"the copy open in Word")
    (out / "~$BA-001_微信_安全承诺书.docx").write_bytes(b"lock")
    result = generate(clean, out_dir=out)
    assert (out / "BA-001_微信_安全承诺书.docx").read_bytes() == b"the copy open in Word"
    assert [p.name for p in result.locked] == ["BA-001_微信_安全承诺书.docx"]
    assert len(result.written) == 5 and not result.ok
    locked = [f for f in result.findings if f.code == "output-locked"]
    assert [(f.row, f.filing_id, f.severity) for f in locked] == [(2, "BA-001", "error")]
    assert "BA-001_微信_安全承诺书.docx" in locked[0].message
    index = openpyxl.load_workbook(result.index_path).active
    assert index.max_row == 6  # header + the five documents written


def test_index_open_in_excel_is_reported_and_documents_are_still_written(clean, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "~$documents.xlsx").write_bytes(b"lock")
    result = generate(clean, out_dir=out)
    assert len(result.written) == 6 and result.index_path is None
    assert [p.name for p in result.locked] == ["documents.xlsx"]


def test_a_lock_file_in_the_templates_folder_is_not_a_template(tmp_path):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}")
    (tpl / "~$全承诺书.docx").write_bytes(b"lock")
    paths, issues = docx_templates.check_templates(tpl)
    assert [p.name for p in paths] == ["安全承诺书.docx"] and issues == []


def test_template_values_are_json_able_and_pure(clean):
    df = clean.tracker.df
    first = template_values(df.loc[2], clean)
    assert json.loads(json.dumps(first, ensure_ascii=False)) == first
    assert template_values(df.loc[2], clean) == first
    assert first["平台"] == "微信" and first["活动开始日期"] == "2025-11-01" and first["预算"] == 12000.0
    assert first["含抽奖"] and first["含H5"] and not first["含直播"]
    assert set(first) == VARIABLE_NAMES


# --- templates --------------------------------------------------------------------------------

def make_template(folder: Path, name: str, *paragraphs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    path = folder / name
    doc.save(path)
    return path


def test_unknown_placeholder_fails_naming_template_and_placeholder(clean, tmp_path):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }} 的 {{ 主题 }}")
    with pytest.raises(TemplateProblem) as exc:
        generate(clean, out_dir=tmp_path / "out", kind="承诺书", templates_dir=tpl)
    assert "模板“安全承诺书.docx”使用了未定义的占位符“{{ 主题 }}”" in str(exc.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.docx"))


@pytest.mark.parametrize("hostile", [
    "{{ ''.__class__.__mro__ }}",
    "{{ 平台.__class__.__init__.__globals__ }}",
    "{{ 材料清单.__class__.__subclasses__() }}",
    "{{ 'x' * 100000000 }}",
    "{{ 9 ** 999999 }}",
    "{{ ((9 ** 60) ** 60) ** 60 }}",
    "{% for i in range(10**9) %}{% endfor %}",
])
def test_hostile_template_fails_safely(clean, tmp_path, hostile):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}", hostile)
    with pytest.raises(TemplateProblem) as exc:
        generate(clean, out_dir=tmp_path / "out", kind="承诺书", templates_dir=tpl)
    assert "安全承诺书.docx" in str(exc.value)


def test_template_syntax_error_and_corrupt_file_are_template_problems(clean, tmp_path):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 ")
    (tpl / "营销活动方案.docx").write_bytes(b"not a zip")
    for kind in ("承诺书", "方案"):
        with pytest.raises(TemplateProblem):
            generate(clean, out_dir=tmp_path / "out", kind=kind, templates_dir=tpl)


def _template_names(path: Path) -> set[str]:
    return set(docx_templates.load_template(path).names)


def test_templates_use_only_documented_variables():
    used = set()
    for kind in KINDS.values():
        used |= _template_names(TEMPLATES_DIR / kind.template)
    assert used <= VARIABLE_NAMES
    assert {"主体名称", "平台", "预算", "材料清单", "时间安排"} <= used


def test_readme_template_section_is_the_generated_placeholder_list():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## 模板变量")
    end = text.find("\n## ", start + 1)
    assert text[start:end] == variables_markdown(), "regenerate with placeholders.variables_markdown()"


def test_placeholder_rows_describe_every_placeholder_the_renderer_accepts():
    rows = placeholder_rows()
    assert [r["占位符"] for r in rows] == [f"{{{{ {v.name} }}}}" for v in VARIABLES]
    assert all(set(r) == set(PLACEHOLDER_COLUMNS) and r["含义"] and r["示例"] for r in rows)
    dates = next(r for r in rows if r["占位符"] == "{{ 活动开始日期 }}")
    assert dates["可用过滤器"] == "{{ 活动开始日期|中文日期 }}"


def test_variables_markdown_lists_every_variable_and_filter():
    md = variables_markdown()
    assert md.startswith("## 模板变量")
    for v in VARIABLES:
        assert f"`{v.name}`" in md
    for name in FILTERS:
        assert f"`|{name}`" in md


def test_committed_templates_match_the_build_script(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "templates" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for built in module.main(tmp_path):
        committed = ROOT / "templates" / built.name
        with zipfile.ZipFile(built) as a, zipfile.ZipFile(committed) as b:
            for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml"):
                assert a.read(part) == b.read(part), f"{built.name}:{part} differs; rerun build_templates.py"


def test_templates_are_a4_with_east_asian_fonts_and_page_numbers():
    for kind in KINDS.values():
        path = TEMPLATES_DIR / kind.template
        doc = Document(str(path))
        section = doc.sections[0]
        assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
        with zipfile.ZipFile(path) as z:
            styles = z.read("word/styles.xml").decode()
            footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
            body = z.read("word/document.xml").decode()
        assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="zh-CN"' in styles
        assert 'w:eastAsia="黑体"' in body
        assert " PAGE " in footers and " NUMPAGES " in footers


# --- command line -----------------------------------------------------------------------------

def test_cli_writes_documents_and_index(tmp_path):
    book = tracker(tmp_path, CLEAN_ROWS)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["docs", str(book), "--out", str(out), "--today", "2025-10-20",
                                  "--ids", "BA-001,BA-002", "--kind", "承诺书"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.glob("*.docx")) == ["BA-001_微信_安全承诺书.docx", "BA-002_抖音_安全承诺书.docx"]
    assert (out / "documents.xlsx").exists()
    assert "已生成 2 份 Word 文书" in r.output


def test_cli_exits_1_listing_refused_rows(tmp_path):
    book = tracker(tmp_path, [row(), row("BA-002", 主体名称=None)])
    r = CliRunner().invoke(main, ["docs", str(book), "--out", str(tmp_path / "out"), "--json", "--today", "2025-10-20"])
    assert r.exit_code == 1, r.output
    payload = json.loads(r.stdout)
    assert payload["command"] == "docs"
    assert [x["filing_id"] for x in payload["refused"]] == ["BA-002"]
    assert len(payload["documents"]) == 2


def test_cli_exits_2_on_a_bad_template_with_one_line(tmp_path):
    book = tracker(tmp_path, [row()])
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主题 }}")
    r = CliRunner().invoke(main, ["docs", str(book), "--out", str(tmp_path / "out"), "--templates", str(tpl),
                                  "--kind", "承诺书"])
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "主题" in r.stderr and "Traceback" not in r.stderr


def test_cli_rows_option_parses_ranges():
    from pyaddin.cli.commands.docs import parse_rows, split_ids

    assert parse_rows(("5,7-9", "12")) == [5, 7, 8, 9, 12]
    assert split_ids(("A,B", "C；D E")) == ["A", "B", "C", "D", "E"]


def test_sample_workbook_renders_every_row_without_errors(tmp_path):
    sample = ROOT / "sample_data" / "备案台账示例.xlsx"
    if not sample.exists():
        pytest.skip("no sample workbook")
    ctx = context(sample)
    result = generate(ctx, out_dir=tmp_path / "out")
    assert result.written
    for path in result.written[:6]:
        text = text_of(path)
        assert "{{" not in text and "{%" not in text
