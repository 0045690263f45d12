"""The 诊断 sheet's rows: what a maintainer needs from the first Excel user, read outside Excel."""

from __future__ import annotations

import sys

from pyaddin import __version__
from pyaddin.excel.diagnosis import CAPABILITIES, LOG_NAME, diagnosis_rows


def _rows(tmp_path, **overrides):
    args = {"excel_version": "16.0", "excel_platform": "Windows 11", "workbook": tmp_path / "beian.xlsm",
            "workbook_vba_xlwings": "0.37.8", "installed_xlwings": "0.37.8"}
    return diagnosis_rows(**{**args, **overrides})


def _facts(rows):
    return {r[0]: (r[1], r[2]) for r in rows[1:] if r[0]}


def test_every_row_is_three_text_cells(tmp_path):
    rows = _rows(tmp_path)
    assert all(len(r) == 3 and all(isinstance(v, str) for v in r) for r in rows)
    facts = _facts(rows)
    assert facts["beian 版本"][0] == __version__ and facts["Python 解释器"][0] == sys.executable
    assert facts["Excel 版本"][0] == "16.0" and facts["操作系统"][0] == "Windows 11"


def test_version_mismatch_says_how_to_fix_it(tmp_path):
    facts = _facts(_rows(tmp_path, workbook_vba_xlwings="0.30.0"))
    assert "不一致" in facts["已安装的 xlwings"][1] and "beian setup" in facts["已安装的 xlwings"][1]
    assert facts["已安装的 xlwings"][1] != _facts(_rows(tmp_path))["已安装的 xlwings"][1]


def test_a_capability_whose_dependency_fails_to_import_is_unavailable_with_the_reason(tmp_path):
    def importer(name):
        if name == "docxtpl":
            raise ImportError("DLL load failed")
        return None

    facts = _facts(_rows(tmp_path, importer=importer))
    assert facts["功能：生成文书"][0] == "不可用" and "DLL load failed" in facts["功能：生成文书"][1]
    assert [facts[f"功能：{c}"][0] for c, _ in CAPABILITIES if c != "生成文书"] == ["可用"] * (len(CAPABILITIES) - 1)


def test_last_lines_of_the_error_log_beside_the_workbook(tmp_path):
    (tmp_path / LOG_NAME).write_text("\n".join(f"line {i}" for i in range(50)) + "\n", encoding="utf-8")
    rows = _rows(tmp_path)
    start = next(i for i, r in enumerate(rows) if r[0].startswith(LOG_NAME))
    assert [r[1] for r in rows[start:]] == [f"line {i}" for i in range(30, 50)]


def test_no_log_and_no_saved_workbook_are_said_plainly(tmp_path):
    assert any("还没有出过错" in r[1] for r in _rows(tmp_path))
    assert any("尚未保存" in r[1] for r in _rows(tmp_path, workbook=None))
