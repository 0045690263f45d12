"""Builds templates/安全承诺书.docx and templates/营销活动方案.docx.

The committed .docx files are this script's output, so the layout can be reviewed as code and the
templates rebuilt after a change. Teams then edit the .docx files in Word; placeholders are Chinese
(`{{ 主体名称 }}`) and each placeholder sits in a single run, which docxtpl requires.

Run:  uv run python templates/build_templates.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(12)  # 小四
SMALL = Pt(9)
CELL_SIZE = Pt(10.5)  # 五号
HEADING_SIZE = Pt(14)  # 四号
LABEL_WIDTHS = (Cm(4.0), Cm(11.0))
SEAL_WIDTHS = (Cm(2.4), Cm(12.6))
"""The seal block: a narrow left spacer and the lines on the right, the page's 15 cm text width."""
OWN_APP = "自有APP"
"""The platform name (the canonical list, pyaddin/data/platforms.csv) of the company's own app: a letter for it is addressed
to the company's own 法务与安全审核 (the 备案入口 of 自有APP in platforms.csv), not to a platform."""
FIXED_DATE = "2025-01-01T00:00:00Z"
"""Core-property timestamps are pinned so rebuilding gives the same files."""


# --- low-level helpers -------------------------------------------------------------------------

def set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """python-docx only sets w:ascii/w:hAnsi; Chinese text needs w:eastAsia or Word falls back."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def run(paragraph, text: str, *, font: str = BODY_FONT, size=None, bold: bool = False):
    r = paragraph.add_run(text)
    # a 黑体 run is 黑体 for its digits and Latin letters too: a sans Chinese title with serif digits
    # (粉丝福利·自有APP27) reads as two typefaces
    set_fonts(r._element, font, latin=font if font == HEADING_FONT else LATIN_FONT)
    if size is not None:
        r.font.size = size
    r.bold = bold
    return r


def paragraph(doc_or_cell, text: str = "", *, font: str = BODY_FONT, size=None, bold: bool = False,
              align=None, indent: bool = False, space_before: float = 0, space_after: float = 0,
              keep_with_next: bool = False):
    p = doc_or_cell.add_paragraph()
    if text:
        run(p, text, font=font, size=size, bold=bold)
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(24)  # two Chinese characters
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    fmt.keep_with_next = keep_with_next
    if size is not None and size > BODY_SIZE:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # a fixed 20 pt line would clip large titles
    return p


def tag(doc_or_cell, text: str):
    """A paragraph holding only a docxtpl `{%p … %}` tag: docxtpl removes the whole paragraph."""
    return paragraph(doc_or_cell, text)


def field(paragraph_, instruction: str, font: str = BODY_FONT, size=SMALL) -> None:
    """A Word field (PAGE, NUMPAGES) as begin/instr/separate/result/end runs."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        r = paragraph_.add_run()
        set_fonts(r._element, font)
        r.font.size = size
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            r._element.append(el)
        elif kind == "text":
            r.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            r._element.append(el)


def page_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, "第 ", size=Pt(9))
    field(p, "PAGE")
    run(p, " 页 / 共 ", size=Pt(9))
    field(p, "NUMPAGES")
    run(p, " 页", size=Pt(9))


def cell_text(cell, text: str, *, bold: bool = False, align=None, font: str = BODY_FONT, size=CELL_SIZE):
    p = cell.paragraphs[0]
    if text:
        run(p, text, font=font, size=size, bold=bold)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_before = Pt(2)
    p.paragraph_format.space_after = Pt(2)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(16)
    return p


def shade(cell, fill: str = "E7ECF3") -> None:
    tcpr = cell._element.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def row_flag(row, name: str) -> None:
    """A row property such as w:cantSplit or w:tblHeader, on (no w:val: the schema's ST_OnOff
    default), once, in the order CT_TrPr wants (cantSplit before tblHeader)."""
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn(name)) is not None:
        return
    el = OxmlElement(name)
    header = trpr.find(qn("w:tblHeader"))
    if name == "w:cantSplit" and header is not None:
        header.addprevious(el)
    else:
        trpr.append(el)


def repeat_header(row) -> None:
    row_flag(row, "w:tblHeader")


def set_widths(table, widths) -> None:
    """Column widths in both places: Word reads the cells' tcW, LibreOffice the table's tblGrid."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    # `autofit = False` already wrote <w:tblLayout w:type="fixed"/> in its schema position; a second
    # one appended after <w:tblLook> is schema-invalid and makes Word offer to repair the file.


def keep_rows_together(table) -> None:
    """Rows never split over a page break: a split row leaves an empty-looking sliver of borders and
    padding at the top of the next page."""
    for row in table.rows:
        row_flag(row, "w:cantSplit")


def keep_table_on_one_page(table) -> None:
    """The whole table on one page: every row's paragraphs keep with the next row (Word and
    LibreOffice then move the table to the next page rather than split it)."""
    keep_rows_together(table)
    for row in table.rows[:-1]:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def set_lang(rpr) -> None:
    """w:lang with East Asian text as zh-CN: Word, LibreOffice and HarfBuzz then pick Simplified
    Chinese glyph forms in any substitute font (Noto CJK, Source Han) instead of Japanese ones."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def chinese_defaults(doc) -> None:
    """Document defaults a Chinese document needs: 宋体 / Times New Roman named outright (python-docx's
    default template defers to theme fonts whose East Asian slot is empty) and zh-CN East Asian text,
    in docDefaults and the Normal style, so every style and every run inherits them."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    set_lang(rpr)
    set_lang(doc.styles["Normal"].element.get_or_add_rPr())


def drop_styles_with_effects(doc) -> None:
    """python-docx's default template carries word/stylesWithEffects.xml, a Word 2010 copy of the
    styles that no longer matches styles.xml once they are edited (validators flag the mismatch)."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)


FONT_TABLE = (
    '<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/><w:charset w:val="86"/>'
    '<w:family w:val="{family}"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" '
    'w:csb1="00000000"/></w:font>')
JAPANESE_FONTS = ("ＭＳ 明朝", "ＭＳ ゴシック")


def chinese_package(path: Path) -> None:
    """Rewrite the font table and theme that python-docx's default template ships for Japanese
    (ＭＳ 明朝 / ＭＳ ゴシック, charset 80): the font table names 宋体 and 黑体 with charset 86 (GB2312)
    and their Latin names, so Word and LibreOffice substitute a Simplified Chinese face when the
    font is missing; the theme's East Asian slots name them too."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    out = []
    for info, data in items:
        if info.filename == "word/fontTable.xml":
            xml = data.decode("utf-8")
            for name in JAPANESE_FONTS:
                xml = re.sub(r'<w:font w:name="' + name + r'">.*?</w:font>', "", xml, flags=re.S)
            xml = xml.replace("</w:fonts>", FONT_TABLE.format(
                name=BODY_FONT, alt="SimSun", panose="02010600030101010101", family="auto")
                + FONT_TABLE.format(name=HEADING_FONT, alt="SimHei", panose="02010609060101010101",
                                    family="modern") + "</w:fonts>")
            data = xml.encode("utf-8")
        elif info.filename == "word/theme/theme1.xml":
            xml = data.decode("utf-8")
            major, minor = xml.split("<a:minorFont>", 1)
            major = major.replace('<a:ea typeface=""/>', f'<a:ea typeface="{HEADING_FONT}"/>', 1)
            minor = minor.replace('<a:ea typeface=""/>', f'<a:ea typeface="{BODY_FONT}"/>', 1)
            data = (major + "<a:minorFont>" + minor).encode("utf-8")
        out.append((info, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in out:
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def save(doc, out: Path) -> None:
    doc.save(out)
    chinese_package(out)


def new_document(title: str) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.3), Cm(2.0)
    section.left_margin = section.right_margin = Cm(3.0)
    section.header_distance, section.footer_distance = Cm(1.3), Cm(1.0)

    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    pf = normal.paragraph_format
    # A fixed line height (固定值 19 磅), as Chinese office documents use: CJK fonts' own line
    # heights differ a lot between 宋体 and its substitutes, and would move page breaks.
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(19)
    pf.space_before = pf.space_after = Pt(0)
    # Left, not justified: a long Latin token (credit code, URL) would otherwise stretch the
    # Chinese characters of the line before it.
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    chinese_defaults(doc)
    for name in ("Header", "Footer", "Table Grid"):
        style = doc.styles[name]
        set_fonts(style.element, BODY_FONT)
    drop_styles_with_effects(doc)

    props = doc.core_properties
    props.title = title
    props.author = "beian"
    props.comments = "由 templates/build_templates.py 生成；可在 Word 中编辑，占位符见 README“模板变量”。"
    from datetime import datetime
    props.created = props.modified = datetime.fromisoformat(FIXED_DATE.replace("Z", "+00:00"))
    props.last_modified_by = "beian"
    props.revision = 1
    page_footer(section)
    return doc


def heading(doc, text: str, *, size=HEADING_SIZE, space_before: float = 12):
    return paragraph(doc, text, font=HEADING_FONT, size=size, space_before=space_before, space_after=4,
                     keep_with_next=True)


# --- 安全承诺书 --------------------------------------------------------------------------------

def build_commitment(out: Path) -> None:
    doc = new_document("安全承诺书")
    paragraph(doc, "营销活动信息安全承诺书", font=HEADING_FONT, size=Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER,
              space_before=6, space_after=6)
    paragraph(doc, "备案编号：{{ 备案编号 }}", size=Pt(10.5), align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=12)

    tag(doc, f'{{%p if 平台 == "{OWN_APP}" %}}')
    paragraph(doc, "本单位法务与安全审核部门：", bold=True, space_after=6)
    tag(doc, "{%p else %}")
    paragraph(doc, "{{ 平台 }}平台：", bold=True, space_after=6)
    tag(doc, "{%p endif %}")
    paragraph(doc, "我单位{{ 主体名称 }}（统一社会信用代码：{{ 统一社会信用代码 }}）拟于"
                   "{{ 活动开始日期|中文日期 }}至{{ 活动结束日期|中文日期 }}在"
                   f'{{% if 平台 == "{OWN_APP}" %}}本单位自有APP{{% else %}}贵平台{{% endif %}}开展'
                   "“{{ 活动名称 }}”营销活动，创意形式为{{ 创意形式 }}{% if 显示预算 %}，活动预算{{ 预算|金额 }}"
                   "（人民币{{ 预算|大写金额 }}）{% endif %}。为保障活动合法合规开展，我单位郑重承诺如下：", indent=True)

    def item(title: str, text: str):
        p = paragraph(doc, indent=True)
        run(p, title, font=HEADING_FONT)
        run(p, text)

    item("一、内容安全。", "活动页面、文案、图片、音视频及直播内容遵守《网络信息内容生态治理规定》等法律法规和"
         f'{{% if 平台 == "{OWN_APP}" %}}本单位自有APP的运营{{% else %}}贵平台{{% endif %}}'
         "规则，不含违法和不良信息，不侵犯他人知识产权、肖像权等合法权益；上线内容与本次报备内容一致，如有变更"
         "将重新报备。")
    item("二、广告合规。", "遵守《中华人民共和国广告法》，不使用“国家级”“最高级”“最佳”等绝对化用语，不作虚假或"
         "引人误解的宣传；所属行业为{{ 行业 }}，依法须经审查的广告已取得相应审查批准文件。")
    pi = "遵守《中华人民共和国个人信息保护法》，坚持合法、正当、必要和诚信原则。"
    tag(doc, '{%p if 收集个人信息 == "是" %}')
    item("三、个人信息保护。", pi + "本活动收集用户个人信息，已公示隐私政策（{{ 隐私政策链接 }}），并在收集前"
         "取得用户同意，授权方式为：{{ 用户授权机制 }}。{{ 敏感个人信息说明 }}。所收集信息仅用于本活动，"
         "采取加密存储、访问控制等措施保障安全，活动结束后按隐私政策约定期限删除或匿名化处理。")
    tag(doc, '{%p elif 收集个人信息 == "否" %}')
    item("三、个人信息保护。", pi + "本活动不收集用户个人信息；如需收集，将事先公示隐私政策、取得用户同意并重新报备。")
    tag(doc, "{%p else %}")
    item("三、个人信息保护。", pi + "本活动是否收集用户个人信息：{{ 收集个人信息 }}。")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if 含抽奖 %}")
    item("四、抽奖合规。", "本活动含抽奖环节，最高奖金额{{ 最高奖金额|金额 }}（人民币{{ 最高奖金额|大写金额 }}），"
         "不超过{{ 抽奖金额上限|金额 }}（《中华人民共和国反不正当竞争法》规定抽奖式有奖销售最高奖金额不超过五万元）；奖项设置、参与方式、开奖时间和兑奖方式在活动"
         "页面事先公示，开奖公开、公平、公正，不以谎称有奖或内定中奖人等方式欺骗用户。")
    tag(doc, "{%p elif 含奖品 %}")
    item("四、奖品与权益。", "本活动设有奖品或权益，单个奖品或权益的最高价值为{{ 最高奖金额|金额 }}（人民币"
         "{{ 最高奖金额|大写金额 }}）；奖品或权益的内容、数量、领取或兑换条件、方式和期限在活动页面事先公示，"
         "公示后不作不利于用户的变更，并按公示的条件兑现。")
    tag(doc, "{%p else %}")
    item("四、抽奖合规。", "本活动不含抽奖；如增加抽奖环节，将事先公示抽奖规则并重新报备。")
    tag(doc, "{%p endif %}")
    item("五、配合监管。", "活动期间如发现违法违规内容或收到平台、监管部门通知，我单位将立即下线整改并配合调查；"
         "因违反上述承诺造成的一切后果由我单位承担。")
    paragraph(doc, "特此承诺。", indent=True, space_before=6, keep_with_next=True)

    seal_block(doc, [
        ("承诺单位（盖章）：", "{{ 主体名称 }}"),
        ("法定代表人或授权代表（签字）：", "＿＿＿＿＿"),
        ("联系人：", "{{ 联系人 }}"),
        ("联系电话：", "{{ 联系电话 }}"),
        ("日期：", "{{ 落款日期|中文日期 }}"),
    ])
    save(doc, out)


def seal_block(doc, lines: list[tuple[str, str]]) -> None:
    """Signature and seal block: a borderless two-column table, the seal area on the right, kept on
    one page. The right column holds 29 characters a line, so 承诺单位（盖章）： and a company name of
    up to 20 characters (宁波惠通金融信息服务有限公司 is 14) stay on one line instead of breaking the
    name before its last character."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    set_widths(table, SEAL_WIDTHS)
    keep_rows_together(table)
    left, right = table.rows[0].cells
    cell_text(left, "")
    for i, (label, value) in enumerate(lines):
        p = right.paragraphs[0] if i == 0 else right.add_paragraph()
        p.paragraph_format.line_spacing = Pt(22)
        p.paragraph_format.keep_with_next = i < len(lines) - 1
        run(p, label)
        run(p, value)


# --- 营销活动方案 -------------------------------------------------------------------------------

def info_table(doc, rows: list[tuple[str, str]], widths=LABEL_WIDTHS):
    """A label/value table, never split over two pages."""
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, widths)
    for (label, value), row in zip(rows, table.rows, strict=True):
        a, b = row.cells
        cell_text(a, label, bold=True, font=HEADING_FONT)
        shade(a)
        cell_text(b, value)
    keep_table_on_one_page(table)
    return table


def loop_table(doc, headers: list[str], loop: str, cells: list[str], widths: list):
    """Header row + `{%tr for %}` row + data row + `{%tr endfor %}` row, as docxtpl expects."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, widths)
    keep_rows_together(table)
    head, start, data, end = table.rows
    repeat_header(head)
    for i, text in enumerate(headers):
        cell_text(head.cells[i], text, bold=True, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
        shade(head.cells[i])
    cell_text(start.cells[0], loop)
    for i, text in enumerate(cells):
        cell_text(data.cells[i], text, align=WD_ALIGN_PARAGRAPH.CENTER if i == 0 else None)
    cell_text(end.cells[0], "{%tr endfor %}")
    return table


def build_plan(out: Path) -> None:
    doc = new_document("营销活动方案")
    doc.sections[0].different_first_page_header_footer = True  # a clean cover page
    header = doc.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run(header, "{{ 主体名称 }} · 营销活动方案", size=Pt(9))

    # Cover block
    paragraph(doc, "", space_before=120)
    paragraph(doc, "{{ 活动名称 }}", font=HEADING_FONT, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(doc, "营销活动方案", font=HEADING_FONT, size=Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER,
              space_before=12, space_after=60)
    info_table(doc, [
        ("备案编号", "{{ 备案编号 }}"),
        ("投放平台", "{{ 平台 }}"),
        ("申报主体", "{{ 主体名称 }}"),
        ("统一社会信用代码", "{{ 统一社会信用代码 }}"),
        ("活动时间", "{{ 活动开始日期|中文日期 }} 至 {{ 活动结束日期|中文日期 }}"),
        ("编制日期", "{{ 落款日期|中文日期 }}"),
    ])
    brk = paragraph(doc)
    brk.add_run().add_break(WD_BREAK.PAGE)

    heading(doc, "一、活动目标", space_before=0)
    paragraph(doc, "{{ 主体名称 }}拟在"
                   f'{{% if 平台 == "{OWN_APP}" %}}本单位自有APP{{% else %}}{{{{ 平台 }}}}平台{{% endif %}}'
                   "开展“{{ 活动名称 }}”营销活动（所属行业：{{ 行业 }}），"
                   "通过{{ 创意形式 }}等形式提升品牌认知与用户参与，在合法合规、保护用户权益的前提下"
                   "达成品牌传播与用户互动目标。", indent=True)
    tag(doc, "{%p if 备注 %}")
    paragraph(doc, "补充说明：{{ 备注 }}", indent=True)
    tag(doc, "{%p endif %}")

    heading(doc, "二、创意形式")
    paragraph(doc, "本活动采用的创意形式：{{ 创意形式 }}。", indent=True)
    tag(doc, "{%p if 含H5 %}")
    paragraph(doc, "H5 页面：活动落地页内容与报备物料一致，页面显著位置展示活动规则和主办方信息；"
                   "涉及用户信息收集的页面在收集前展示隐私政策并取得同意。", indent=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if 含直播 %}")
    paragraph(doc, "直播：按事先确定的直播脚本进行，主播不使用绝对化用语、不作虚假宣传；"
                   "直播间展示的商品与活动信息真实准确，直播内容依法留存。", indent=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if 含抽奖 %}")
    paragraph(doc, "抽奖：奖项设置、参与方式、开奖时间和兑奖方式事先公示；最高奖金额"
                   "{{ 最高奖金额|金额 }}（人民币{{ 最高奖金额|大写金额 }}），不超过{{ 抽奖金额上限|金额 }}。", indent=True)
    tag(doc, "{%p elif 含奖品 %}")
    paragraph(doc, "奖品与权益：奖品或权益的内容、数量和领取或兑换规则事先公示；单个奖品或权益的最高价值"
                   "{{ 最高奖金额|金额 }}（人民币{{ 最高奖金额|大写金额 }}）。", indent=True)
    tag(doc, "{%p endif %}")

    heading(doc, "三、活动时间")
    paragraph(doc, "活动时间为{{ 活动开始日期|中文日期 }}至{{ 活动结束日期|中文日期 }}，计划上线日期为"
                   "{{ 计划上线日期|中文日期 }}。主要时间节点如下：", indent=True, space_after=4)
    loop_table(doc, ["序号", "阶段", "日期", "说明"], "{%tr for 节点 in 时间安排 %}",
               ["{{ loop.index }}", "{{ 节点.阶段 }}", "{{ 节点.日期|中文日期 }}", "{{ 节点.说明 }}"],
               [Cm(1.4), Cm(3.2), Cm(3.6), Cm(6.8)])

    heading(doc, "四、活动预算")
    paragraph(doc, "活动总预算{{ 预算|金额 }}（人民币{{ 预算|大写金额 }}），用于创意制作、媒体投放、"
                   "奖品及运营执行。", indent=True)
    tag(doc, "{%p if 含抽奖 or 含奖品 %}")
    paragraph(doc, "其中单个奖品或权益的最高价值{{ 最高奖金额|金额 }}（人民币{{ 最高奖金额|大写金额 }}）。", indent=True)
    tag(doc, "{%p endif %}")

    heading(doc, "五、用户数据使用声明")
    tag(doc, '{%p if 收集个人信息 == "是" %}')
    paragraph(doc, "本活动收集用户个人信息。隐私政策：{{ 隐私政策链接 }}。用户授权方式：{{ 用户授权机制 }}。"
                   "{{ 敏感个人信息说明 }}。所收集信息仅用于本活动的参与、兑奖和必要联系，不向第三方提供，"
                   "活动结束后按隐私政策约定期限删除或匿名化处理。", indent=True)
    tag(doc, '{%p elif 收集个人信息 == "否" %}')
    paragraph(doc, "本活动不收集用户个人信息。如后续需要收集，将事先公示隐私政策、取得用户同意并重新报备。",
              indent=True)
    tag(doc, "{%p else %}")
    paragraph(doc, "本活动是否收集用户个人信息：{{ 收集个人信息 }}。", indent=True)
    tag(doc, "{%p endif %}")

    heading(doc, "六、备案材料清单")
    loop_table(doc, ["序号", "材料名称", "说明", "状态"], "{%tr for 材料 in 材料清单 %}",
               ["{{ loop.index }}", "{{ 材料.名称 }}", "{{ 材料.说明 }}", "{{ 材料.状态 }}"],
               [Cm(1.4), Cm(3.2), Cm(8.4), Cm(2.0)])

    heading(doc, "七、平台与联系人")
    info_table(doc, [
        ("投放平台", "{{ 平台 }}"),
        ("备案入口", "{{ 备案入口 }}"),
        ("负责人", "{{ 负责人 }}"),
        ("联系人", "{{ 联系人 }}"),
        ("联系电话", "{{ 联系电话 }}"),
        ("联系邮箱", "{{ 联系邮箱 }}"),
    ])
    paragraph(doc, "", space_before=18, keep_with_next=True)
    seal_block(doc, [("编制单位（盖章）：", "{{ 主体名称 }}"), ("日期：", "{{ 落款日期|中文日期 }}")])
    save(doc, out)


TEMPLATES = {"安全承诺书.docx": build_commitment, "营销活动方案.docx": build_plan}


def main(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        path = out_dir / name
        build(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
