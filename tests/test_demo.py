"""`beian demo` runs the whole pipeline on the sample data and leaves the sample untouched."""

import hashlib

from click.testing import CliRunner
from conftest import SAMPLE_DATA

from pyaddin.cli import main


def tree_digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_demo_writes_every_output_and_changes_no_sample_file(tmp_path):
    before = tree_digest(SAMPLE_DATA)
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "findings.xlsx").exists()
    assert list((out / "documents").glob("*_安全承诺书.docx")) and list((out / "documents").glob("*_营销活动方案.docx"))
    assert (out / "archive" / "archive_index.xlsx").exists()
    assert list(out.glob("周报_*.xlsx")) and list(out.glob("周报_*.md"))
    assert tree_digest(SAMPLE_DATA) == before
