"""What the files of a documents run are called: `<备案编号>_<平台>_<文书>.docx`, safe on Windows and
POSIX, never two alike in one folder, and the index beside them."""

from __future__ import annotations

INDEX_NAME = "documents.xlsx"
NAME_LIMIT = 60
"""Characters per output-name stem: 60 CJK characters are 180 UTF-8 bytes, under the 255-byte limit
of ext4/APFS and far under Windows' 260-character path limit for ordinary folders."""


def output_name(filing_id: str | None, platform: str | None, title: str, row: int, taken: set[str]) -> str:
    from ..run.safe_text import safe_filename

    stem = safe_filename(f"{filing_id or f'第{row}行'}_{platform or '未知平台'}_{title}", max_len=NAME_LIMIT)
    name = stem + ".docx"
    if name.casefold() in taken:
        name = f"{stem}_第{row}行.docx"
    taken.add(name.casefold())
    return name
