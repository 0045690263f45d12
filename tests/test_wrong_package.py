"""No text we ship tells a user to install `beian` from the package index: that name belongs to an
unrelated project, so following such a line installs someone else's code."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from pyaddin.excel import ovba
from pyaddin.excel.build import build_workbook

ROOT = Path(__file__).resolve().parent.parent
WRONG = re.compile(r"pip3?\s+install\s+(?:-{1,2}[\w-]+\s+)*[\"'`]?beian(?![\w.\-/\\])", re.I)
TEXT_SUFFIXES = {".py", ".csv", ".bas", ".md", ".txt", ".json", ".toml", ".cfg", ".ini", ".xml", ".html", ".j2"}
OFFICE_SUFFIXES = {".docx", ".xlsx", ".xlsm"}


def test_the_pattern_catches_every_spelling_of_the_wrong_line():
    for line in ["pip install beian", "pip install -U beian", "pip3 install --upgrade beian", "运行：pip install beian。",
                 "pip install 'beian'"]:
        assert WRONG.search(line), line
    for line in ["pip install .", "pip install ./beian-0.1.0-py3-none-any.whl", "pip install -U chinesecalendar",
                 "pip install beian-0.1.0-py3-none-any.whl", "uv sync"]:
        assert not WRONG.search(line), line


def _office_strings(data: bytes) -> str:
    """Every XML part of an Office file, plus the source of each VBA module."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            part = z.read(name)
            if name.endswith("vbaProject.bin"):
                texts += [m.source for m in ovba.VbaProject.load(part).modules]
            elif name.endswith((".xml", ".rels", ".vml")):
                texts.append(part.decode("utf-8", errors="replace"))
    # Word splits text into runs; joining the text nodes finds a line split across runs too
    joined = "\n".join(texts)
    return joined + "\n" + re.sub(r"<[^>]+>", "", joined)


def _shipped_files() -> list[Path]:
    files = [p for p in (ROOT / "pyaddin").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    return files + [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "beian.xlsm"]


@pytest.mark.parametrize("path", _shipped_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_file_says_pip_install_beian(path):
    if path.suffix in OFFICE_SUFFIXES:
        text = _office_strings(path.read_bytes())
    elif path.suffix in TEXT_SUFFIXES:
        text = path.read_text(encoding="utf-8")
    else:
        text = path.read_bytes().decode("utf-8", errors="ignore")
    assert not WRONG.search(text), WRONG.search(text).group(0)


def test_no_string_in_a_fresh_workbook_says_pip_install_beian():
    buffer = io.BytesIO()
    build_workbook(buffer)
    text = _office_strings(buffer.getvalue())
    assert "beian setup" in text  # the strings are really being read
    assert not WRONG.search(text)
