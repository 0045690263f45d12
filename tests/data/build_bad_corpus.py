"""Build the bad-input corpus in `tests/data/bad/`: the files a team really sends us by mistake.

Small files are committed; the big ones (the zip-bomb-like workbook) are built at test time by
`zip_bomb()` so the repository stays small. Each file name says what is wrong with it, and
`EXPECT` says what `beian` must do with it: `refuse` (exit 2, one-line reason naming the file)
or `read` (a normal run, exit 0/1, findings on the right cells).

Run: `uv run python tests/data/build_bad_corpus.py` (the .xls needs LibreOffice `soffice`; without
it the committed .xls is kept).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"

HEADER = ["备案编号", "活动名称", "平台", "主体名称", "状态", "计划上线日期", "提交日期", "预算（元）"]
ROWS = [
    ["BA-001", "双十一抽奖", "微信", "上海星河数字科技有限公司", "草稿", "2026-12-01", None, 12000],
    ["BA-002", "新品直播", "抖音", "北京云帆文化传媒有限公司", "审核中", "2026-12-05", "2026-11-10", "1.2万"],
    ["BA-003", "问卷有礼", "小红书", "杭州禾美生物科技有限公司", "已提交", "2026-12-10", "2026-11-12", "¥5,000"],
]

EXPECT = {
    # name: (what beian must do, what the file is)
    "text_named.xlsx": ("refuse", "a text file renamed to .xlsx"),
    "truncated.xlsx": ("refuse", "the first half of a valid workbook"),
    "encrypted.xlsx": ("refuse", "a workbook with an open password (msoffcrypto)"),
    "encrypted.xls": ("refuse", "a BIFF8 .xls whose workbook stream starts with an RC4 FILEPASS record"),
    "encrypted.ods": ("refuse", "an .ods whose content.xml is declared encrypted in META-INF/manifest.xml"),
    "empty.xlsx": ("refuse", "a workbook whose only sheet is empty"),
    "no_tracker.xlsx": ("refuse", "a workbook with data but no tracker header"),
    "tracker.csv": ("refuse", "the tracker saved as CSV"),
    "zero_bytes.xlsx": ("refuse", "an empty file"),
    "billion_laughs.xlsx": ("refuse", "entity expansion (billion laughs) in sheet XML and sharedStrings"),
    "dtd_workbook.xlsx": ("refuse", "entity declarations in workbook.xml (calamine alone would accept it)"),
    "xxe.xlsx": ("refuse", "an external entity (XXE) to /etc/passwd in sharedStrings"),
    "old.xls": ("read", "a real BIFF8 .xls (Excel 97-2003) tracker, read like .xlsx"),
    "merged_header.xlsx": ("read", "a merged title above the header and merged cells in header and body"),
    "formulas_errors.xlsx": ("read", "formulas with cached values and #N/A / #REF! error values"),
    "wide_16384.xlsx": ("read", "a tracker using all 16,384 columns (A to XFD)"),
}


def _tracker_xlsx(path: Path, *, title: str | None = None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    if title:
        ws.append([title])
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    wb.save(path)


def _valid_bytes() -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADER)
    for row in ROWS * 30:
        ws.append(row)
    wb.save(buf)
    return buf.getvalue()


def text_named(path: Path) -> None:
    path.write_text("备案编号,活动名称\nBA-001,双十一抽奖\n这不是 Excel 文件。\n", encoding="utf-8")


def truncated(path: Path) -> None:
    data = _valid_bytes()
    path.write_bytes(data[: len(data) // 2])


def encrypted(path: Path) -> None:
    import msoffcrypto.format.ooxml

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.xlsx"
        _tracker_xlsx(plain)
        with plain.open("rb") as src, path.open("wb") as dst:
            msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("beian-pass", dst)


def _compound_file(stream_name: str, data: bytes) -> bytes:
    """A minimal compound file (CFB v3, 512-byte sectors) holding one stream of at least 4096
    bytes, so it lives in regular sectors and needs no mini stream."""
    import struct

    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    data = data + b"\0" * (-len(data) % 512)
    n = len(data) // 512
    fat = [fat_sector, end] + [3 + i for i in range(n - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1 if name else 0, no_stream, no_stream,
                                                   child) + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, no_stream, 2, len(data))
                 + entry("", 0, no_stream, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + directory + data


def encrypted_xls(path: Path) -> None:
    """BOF, then FILEPASS (RC4, salt and verifier), then records that are noise without the key."""
    import random
    import struct

    noise = random.Random(12).randbytes
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    filepass = struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 1) + noise(48)
    path.write_bytes(_compound_file("Workbook", bof + filepass + noise(5000)))


def encrypted_ods(path: Path) -> None:
    """What LibreOffice writes for "save with password": content.xml encrypted, declared in the manifest."""
    import random

    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="3000">'
        '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k"'
        ' manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc"'
        ' manifest:initialisation-vector="AAAA"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2"'
        ' manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAA"/></manifest:encryption-data>'
        '</manifest:file-entry></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", random.Random(13).randbytes(3000))


def empty(path: Path) -> None:
    openpyxl.Workbook().save(path)


def no_tracker(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "销售数据"
    ws.append(["月份", "区域", "销售额", "同比"])
    for month in range(1, 13):
        ws.append([f"2026-{month:02d}", "华东", month * 1000, 0.1])
    wb.save(path)


def csv_file(path: Path) -> None:
    lines = [",".join(HEADER)] + [",".join("" if v is None else str(v) for v in r) for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def old_xls(path: Path) -> bool:
    """Convert a tracker to BIFF8 with LibreOffice (xlwt is not a dependency); False without soffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "old.xlsx"
        _tracker_xlsx(src)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        "xls:MS Excel 97", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        shutil.copyfile(Path(tmp) / "old.xls", path)
    return True


def merged_header(path: Path) -> None:
    """Row 1: a merged title. Row 2: the header, 计划上线日期 merged over two columns. A merged
    活动名称 spanning rows 3–4: only row 3 holds it, so row 4 lacks its 活动名称 (docs/tracker.md)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(["2026 年营销活动备案台账"])
    ws.merge_cells("A1:H1")
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态", "计划上线日期", None, "提交日期"])
    ws.merge_cells("F2:G2")
    ws.append(["BA-101", "双十一抽奖", "微信", "上海星河数字科技有限公司", "草稿", "2026-12-01", None, None])
    ws.append(["BA-102", None, "抖音", "上海星河数字科技有限公司", "草稿", "2026-12-02", None, None])
    ws.merge_cells("B3:B4")
    ws.append(["BA-103", "问卷有礼", "小红书", "杭州禾美生物科技有限公司", "审核中", "2026-12-03", None, "2026-11-01"])
    wb.save(path)


def formulas_errors(path: Path) -> None:
    """Formulas with cached values (read as their values) and error values: #N/A in the required
    活动名称 (row 3, a finding), #REF! in the optional 提交日期 of a 草稿 row (row 4, empty)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("备案台账")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ROWS[0][:7])
    ws.write_formula(1, 7, "=10000+2000", None, 12000)
    ws.write_row(2, 0, ["BA-002"])
    ws.write_formula(2, 1, '=VLOOKUP("x",Z:Z,1,FALSE)', None, "#N/A")
    ws.write_row(2, 2, ["抖音", "北京云帆文化传媒有限公司", "草稿", "2026-12-05"])
    ws.write_row(3, 0, ["BA-003", "问卷有礼", "小红书", "杭州禾美生物科技有限公司", "草稿", "2026-12-10"])
    ws.write_formula(3, 6, "=#REF!+1", None, "#REF!")
    ws.write_formula(4, 0, '="BA-"&"004"', None, "BA-004")
    ws.write_row(4, 1, ["周年庆", "快手", "杭州禾美生物科技有限公司", "草稿", "2026-12-11"])
    wb.close()


def wide(path: Path) -> None:
    """Header and data in A–H, an unknown note column at XFD (column 16,384)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("备案台账")
    ws.write_row(0, 0, HEADER)
    ws.write_string(0, 16383, "内部备注")
    for r, row in enumerate(ROWS, start=1):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
        ws.write_string(r, 16383, f"备注{r}")
    ws.write_string(2, 5, "明年春节")  # row 3: an unreadable launch date
    wb.close()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _workbook_xml(doctype: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<workbook {NS} {NS_R}><sheets><sheet name="备案台账" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _package(path: Path, sheet_xml: str | bytes, shared: str, workbook: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", shared)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")


def billion_laughs(path: Path) -> None:
    """Entity expansion in workbook.xml, sharedStrings.xml and the sheet: 10^9 'lol's if expanded."""
    strings = HEADER + ["&lol9;"]
    shared = (f'<?xml version="1.0" encoding="UTF-8"?>{LAUGHS}<sst {NS} count="{len(strings)}" '
              f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADER)))
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>{LAUGHS}<worksheet {NS}><sheetData>'
             f'<row r="1">{cells}</row>'
             f'<row r="2"><c r="A2" t="s"><v>{len(HEADER)}</v></c>'
             f'<c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
             "</sheetData></worksheet>")
    _package(path, sheet, shared, _workbook_xml(LAUGHS))


def _small_tracker(path: Path, *, workbook_doctype: str = "", shared_doctype: str = "",
                   extra_string: str | None = None) -> None:
    """A hand-written package: header + one row with an #N/A, optional DTDs in workbook/sharedStrings."""
    strings = HEADER + ([extra_string] if extra_string else [])
    shared = (f'<?xml version="1.0" encoding="UTF-8"?>{shared_doctype}<sst {NS} count="{len(strings)}" '
              f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADER)))
    row = "".join(f'<c r="{chr(65 + i)}2" t="inlineStr"><is><t>{v}</t></is></c>'
                  for i, v in enumerate(["BA-001", "双十一抽奖", "微信", "上海星河数字科技有限公司", "草稿"]))
    row += '<c r="F2" t="e"><v>#N/A</v></c>'
    if extra_string:
        row += f'<c r="I2" t="s"><v>{len(HEADER)}</v></c>'
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData><row r="1">{cells}</row>'
             f'<row r="2">{row}</row></sheetData></worksheet>')
    _package(path, sheet, shared, _workbook_xml(workbook_doctype))


def dtd_workbook(path: Path) -> None:
    """Entity declarations (never referenced) in workbook.xml: calamine reads it; our own XML parse
    must refuse it rather than crash or expand."""
    _small_tracker(path, workbook_doctype=LAUGHS)


def xxe(path: Path) -> None:
    """An external entity pointing at /etc/passwd, referenced from sharedStrings."""
    _small_tracker(path, shared_doctype='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                   extra_string="&xxe;")


def zip_bomb(path: Path, megabytes: int = 200) -> Path:
    """A well-formed workbook whose one sheet inflates to `megabytes` MB of identical rows (~1000×
    compression): what a generated export gone wrong or a hostile file looks like. Built at test time."""
    shared = (f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{len(HEADER)}" uniqueCount="{len(HEADER)}">'
              + "".join(f"<si><t>{s}</t></si>" for s in HEADER) + "</sst>")
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData><row r="1">'
            + "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADER))) + "</row>")
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    chunk = row.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook_xml())
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", shared)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            for _ in range(megabytes * 1_000_000 // len(chunk) + 1):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    return path


BUILDERS = {
    "text_named.xlsx": text_named,
    "truncated.xlsx": truncated,
    "encrypted.xlsx": encrypted,
    "encrypted.xls": encrypted_xls,
    "encrypted.ods": encrypted_ods,
    "empty.xlsx": empty,
    "no_tracker.xlsx": no_tracker,
    "tracker.csv": csv_file,
    "zero_bytes.xlsx": zero_bytes,
    "billion_laughs.xlsx": billion_laughs,
    "dtd_workbook.xlsx": dtd_workbook,
    "xxe.xlsx": xxe,
    "old.xls": old_xls,
    "merged_header.xlsx": merged_header,
    "formulas_errors.xlsx": formulas_errors,
    "wide_16384.xlsx": wide,
}


def build(dest: Path = BAD) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in BUILDERS.items():
        target = dest / name
        if builder(target) is False:
            print(f"skipped {name}: soffice not found, keeping the committed file", file=sys.stderr)
            continue
        written.append(target)
    return written


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent.parent), p.stat().st_size)
