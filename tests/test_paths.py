"""Names taken from cells never escape the output folder and stay valid on Windows and POSIX."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyaddin.run.safe_text import MAX_NAME, WINDOWS_RESERVED, inside, safe_filename

HOSTILE = [
    "../../x",
    "..",
    ".",
    "/etc/passwd",
    "C:\\Windows\\system32",
    "CON",
    "con.docx",
    "Nul",
    "COM1.tar.gz",
    "LPT9",
    "a/b",
    "a\\b",
    "a:b*c?d\"e<f>g|h",
    "x" * 300,
    "备" * 300,
    "😀" * 300,
    "双十一🎉抽奖活动",
    "  尾随空格与点. . ",
    "\x00\x1f控制字符\x7f",
    "zero\u200bwidth\u202eRTL",
    "",
    "   ",
    "......",
]
INVALID_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def assert_safe(name: str, max_len: int = MAX_NAME) -> None:
    assert name and name not in {".", ".."}
    assert not INVALID_CHARS.search(name)
    assert name == name.strip() and not name.endswith(".")
    assert name.split(".")[0].strip().upper() not in WINDOWS_RESERVED
    assert len(name) <= max_len
    assert len(name.encode("utf-8")) <= 200


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_become_safe_names(text):
    assert_safe(safe_filename(text))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_can_be_created_inside_the_output_root(tmp_path, text):
    root = tmp_path / "out"
    root.mkdir()
    for suffix in (".docx", "_第12345行_安全承诺书.docx"):
        target = root / (safe_filename(text) + suffix)
        assert inside(root, target)
        assert target.parent == root
        target.write_bytes(b"ok")  # the OS accepts the name: no ENAMETOOLONG, no separator
        assert target.exists()


def test_sanitised_names_stay_readable():
    assert safe_filename("BA-2026-001_微信_安全承诺书") == "BA-2026-001_微信_安全承诺书"
    assert safe_filename("双十一🎉抽奖活动") == "双十一🎉抽奖活动"
    assert safe_filename("a/b") == "a_b"
    assert safe_filename("a\\b") == "a_b"
    assert safe_filename("CON") == "_CON"
    assert safe_filename("../../x") == "_.._x"
    assert safe_filename("") == "未命名"
    assert safe_filename("备" * 300) == "备" * 66


def test_inside_rejects_traversal_and_absolute_paths(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    assert inside(root, root / "a" / "b.docx")
    assert not inside(root, root / ".." / "x")
    assert not inside(root, root / "a" / ".." / ".." / "x")
    assert not inside(root, Path("/etc/passwd"))
    assert not inside(root, tmp_path / "out-sibling" / "x")


def test_inside_follows_symlinks_out_of_the_root(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    assert not inside(root, root / "link" / "x.docx")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_any_text_gives_a_safe_name(text):
    assert_safe(safe_filename(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=300),
       st.integers(min_value=10, max_value=MAX_NAME))
def test_any_text_stays_under_its_root(tmp_path, text, max_len):
    name = safe_filename(text, max_len=max_len)
    assert_safe(name, max_len)
    target = tmp_path / name
    assert inside(tmp_path, target)
    assert target.parent == tmp_path
