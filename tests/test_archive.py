"""The archive index: folder matching, material classification, hashing cache, symlinks, answer key."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from conftest import SAMPLE_DATA
from helpers import index_archive, write_tracker

from pyaddin import errors, verify_archive
from pyaddin.adapters import archive_tree
from pyaddin.adapters.files import read_book
from pyaddin.archive import index as archive
from pyaddin.run.build import build_context
from pyaddin.tracker.catalog import load_catalog

TODAY = date(2026, 11, 20)
SAMPLE_BOOK = SAMPLE_DATA / "备案台账示例.xlsx"
SAMPLE_ARCHIVE = SAMPLE_DATA / "archive"


def tree_digest(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root → (sha256, mtime_ns): what "the archive was not touched" means."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if p.is_symlink():
                out[str(p.relative_to(root))] = ("link:" + os.readlink(p), 0)
            else:
                out[str(p.relative_to(root))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def small_workbook(tmp_path: Path, rows: list[dict] | None = None, archive_root: str | None = None) -> Path:
    rows = rows or [
        {"备案编号": "BA-1", "状态": "已通过"},
        {"备案编号": "BA-2", "状态": "审核中", "备案号": None, "通过日期": None, "创意形式": "抽奖", "最高奖金额": 100},
        {"备案编号": "BA-3", "状态": "待提交", "备案号": None, "通过日期": None},
    ]
    extra = {"设置": [["项目", "值"], ["归档根目录", archive_root]]} if archive_root else None
    return write_tracker(tmp_path / "台账.xlsx", rows, extra_sheets=extra)


def context(path: Path):
    return build_context(read_book(path), system_today=TODAY, today=TODAY)


def put(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def small_archive(root: Path) -> Path:
    put(root / "BA-1 秋季上新 微信" / "营业执照.pdf", b"%PDF-1.4 licence")
    put(root / "BA-1 秋季上新 微信" / "活动方案.docx", b"plan")
    put(root / "BA-1 秋季上新 微信" / "物料" / "kv.png", b"png")
    put(root / "BA-1 秋季上新 微信" / "安全承诺书.pdf", b"letter")
    put(root / "BA-2_抽奖" / "营业执照.pdf", b"licence 2")
    put(root / "BA-2_抽奖" / "抽奖规则.txt", b"rules in the wrong format")
    put(root / "BA-9 不在台账" / "营业执照.pdf", b"orphan")
    return root


# ---------------------------------------------------------------- folder matching
@pytest.mark.parametrize("name, expected", [
    ("BA-2026-0012 双11抽奖 抖音", "BA-2026-0012"),
    ("ba-2026-0012_双11", "BA-2026-0012"),
    ("BA-2026-0012-补充材料", "BA-2026-0012"),
    ("BA-2026-0012", "BA-2026-0012"),
    ("ＢＡ－2026－0012 全角", "BA-2026-0012"),
    ("BA-2026-00123 别的备案", None),
    ("旧资料 BA-2026-0012", None),
    ("BA-2026-0012-2 第二期", "BA-2026-0012-2"),
])
def test_folder_name_matches_the_filing_id_it_starts_with(name, expected):
    matcher = archive.FolderMatcher(["BA-2026-0012", "BA-2026-0012-2", "BA-2026-0001"])
    assert matcher.match(name) == expected


@pytest.mark.parametrize("parts, material, ok", [
    (["营业执照.pdf"], "营业执照", True),
    (["营业执照.docx"], "营业执照", False),
    (["直播方案.docx"], "直播脚本", True),
    (["活动方案_v2.PDF"], "活动方案", True),
    (["创意物料", "主视觉.jpg"], "创意物料", True),
    (["privacy_policy.pdf"], "隐私政策", True),
    (["description.pdf"], None, False),
    (["会议纪要.txt"], None, False),
])
def test_files_are_classified_by_keyword_then_by_folder(parts, material, ok):
    classifier = archive.Classifier(load_catalog(None).materials)
    m, format_ok = classifier.classify(parts)
    assert (m.name if m else None, format_ok) == (material, ok)


# ---------------------------------------------------------------- index
def test_small_archive_index_lists_found_missing_wrong_format_orphans_and_unfiled(tmp_path):
    root = small_archive(tmp_path / "归档")
    ctx = context(small_workbook(tmp_path))
    result = index_archive(ctx, root, tmp_path / "out")
    rows = {(r.filing.filing_id, r.material, r.found, r.file.rel if r.file else "") for r in result.index}
    assert rows == {
        ("BA-1", "营业执照", "找到", "BA-1 秋季上新 微信/营业执照.pdf"),
        ("BA-1", "活动方案", "找到", "BA-1 秋季上新 微信/活动方案.docx"),
        ("BA-1", "创意物料", "找到", "BA-1 秋季上新 微信/物料/kv.png"),
        ("BA-1", "安全承诺书", "找到", "BA-1 秋季上新 微信/安全承诺书.pdf"),
        ("BA-1", "ICP备案证明", "缺失", ""),  # ICP-01: an H5 on every platform (issue 23)
        ("BA-2", "营业执照", "找到", "BA-2_抽奖/营业执照.pdf"),
        ("BA-2", "活动方案", "缺失", ""),
        ("BA-2", "创意物料", "缺失", ""),
        ("BA-2", "安全承诺书", "缺失", ""),
        ("BA-2", "抽奖规则", "格式不符", "BA-2_抽奖/抽奖规则.txt"),
        ("BA-2", "ICP备案证明", "缺失", ""),
    }
    assert [o.rel for o in result.orphans] == ["BA-9 不在台账"]
    assert [f.filing_id for f in result.no_folder] == ["BA-3"]
    assert result.hashed == 7
    manifest = (tmp_path / "out" / archive.MANIFEST_NAME).read_text(encoding="utf-8")
    assert "BA-9 不在台账/营业执照.pdf" in manifest


def test_grouping_folders_are_descended_and_stray_folders_are_orphans(tmp_path):
    root = tmp_path / "归档"
    put(root / "2026" / "微信" / "BA-1 秋季" / "营业执照.pdf")
    put(root / "2026" / "杂项" / "a" / "b.pdf")
    put(root / "2026" / "说明.txt")
    put(root / "旧资料" / "x" / "y.pdf")
    scan = archive_tree.scan_tree(root, ["BA-1"], load_catalog(None))
    assert scan.folders == {"BA-1": ["2026/微信/BA-1 秋季"]}
    assert sorted((o.rel, o.files) for o in scan.orphans) == [("2026/杂项", 1), ("旧资料", 1)]
    loose = [f.rel for f in scan.files if f.filing is None and f.folder is None]
    assert loose == ["2026/说明.txt"]


def test_sample_index_matches_the_answer_key(tmp_path):
    before = tree_digest(SAMPLE_ARCHIVE)
    ctx = context(SAMPLE_BOOK)
    root = archive.resolve_root(ctx, None)
    assert root == SAMPLE_ARCHIVE.resolve()
    index_archive(ctx, root, tmp_path / "out")

    with (SAMPLE_DATA / "archive_answer_key.csv").open(encoding="utf-8") as fh:
        expected = {tuple(r.values()) for r in csv.DictReader(fh)}
    wb = openpyxl.load_workbook(tmp_path / "out" / archive.INDEX_NAME)
    got = set()
    for r in wb["归档索引"].iter_rows(min_row=2, values_only=True):
        got.add(("归档索引", r[0], r[6], r[8], r[9] or ""))
    for r in wb["孤立文件夹"].iter_rows(min_row=2, values_only=True):
        got.add(("孤立文件夹", r[1], "", "", r[0]))
    for r in wb["未归类文件"].iter_rows(min_row=2, values_only=True):
        got.add(("未归类文件", r[0], "", "", r[1]))
    assert got == expected
    no_folder = {r[0] for r in wb["无文件夹的备案"].iter_rows(min_row=2, values_only=True)}
    assert "BA-2026-0002" in no_folder and not no_folder & {"BA-2026-0001", "BA-2026-0006", "BA-2026-0010"}
    assert tree_digest(SAMPLE_ARCHIVE) == before


def test_index_rows_carry_size_hash_and_a_link_to_the_file(tmp_path):
    root = small_archive(tmp_path / "归档")
    index_archive(context(small_workbook(tmp_path)), root, tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / archive.INDEX_NAME)["归档索引"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[9].value == "BA-1 秋季上新 微信/营业执照.pdf")
    assert row[10].value == len(b"%PDF-1.4 licence")
    assert row[11].value == hashlib.sha256(b"%PDF-1.4 licence").hexdigest()
    target = os.path.relpath(root / "BA-1 秋季上新 微信" / "营业执照.pdf", tmp_path / "out")
    assert unquote(row[9].hyperlink.target).replace("\\", "/") == target.replace(os.sep, "/")
    assert (tmp_path / "out" / target).is_file()


def test_rerun_on_an_unchanged_archive_hashes_nothing(tmp_path):
    root = small_archive(tmp_path / "归档")
    ctx = context(small_workbook(tmp_path))
    out = tmp_path / "out"
    assert index_archive(ctx, root, out).hashed == 7
    assert index_archive(ctx, root, out).hashed == 0
    changed = root / "BA-2_抽奖" / "营业执照.pdf"
    changed.write_bytes(b"licence 2, rescanned")
    again = index_archive(ctx, root, out)
    assert again.hashed == 1
    assert {f.rel: f.sha256 for f in again.files}["BA-2_抽奖/营业执照.pdf"] == hashlib.sha256(
        b"licence 2, rescanned").hexdigest()


def test_a_symlink_pointing_outside_the_root_is_not_followed(tmp_path):
    root = small_archive(tmp_path / "归档")
    secret = put(tmp_path / "outside" / "工资表.pdf", b"secret")
    (root / "BA-1 秋季上新 微信" / "抽奖规则.pdf").symlink_to(secret)
    (root / "BA-1 秋季上新 微信" / "外部文件夹").symlink_to(secret.parent, target_is_directory=True)
    (root / "BA-2_抽奖" / "活动方案.pdf").symlink_to(root / "BA-1 秋季上新 微信" / "活动方案.docx")
    ctx = context(small_workbook(tmp_path))
    result = index_archive(ctx, root, tmp_path / "out")
    rels = {f.rel for f in result.files}
    assert "BA-1 秋季上新 微信/抽奖规则.pdf" not in rels
    assert not any("外部文件夹" in r or "工资表" in r for r in rels)
    assert "BA-2_抽奖/活动方案.pdf" in rels  # a link inside the root is indexed
    skipped = sorted(f.value for f in result.report.findings if f.code == "archive-skipped")
    assert skipped == ["BA-1 秋季上新 微信/外部文件夹", "BA-1 秋季上新 微信/抽奖规则.pdf"]
    manifest = (tmp_path / "out" / archive.MANIFEST_NAME).read_text(encoding="utf-8")
    assert hashlib.sha256(b"secret").hexdigest() not in manifest


def test_an_unreadable_file_is_a_finding_not_a_crash(tmp_path, monkeypatch):
    root = small_archive(tmp_path / "归档")
    real = archive_tree.sha256_file

    def flaky(path):
        if path.name == "活动方案.docx":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(archive_tree, "sha256_file", flaky)
    result = index_archive(context(small_workbook(tmp_path)), root, tmp_path / "out")
    assert [(f.code, f.row, f.value) for f in result.report.findings] == [
        ("archive-unreadable", 2, "BA-1 秋季上新 微信/活动方案.docx")]
    assert not result.report.valid


def test_the_archive_is_never_written_and_output_inside_it_is_refused(tmp_path):
    root = small_archive(tmp_path / "归档")
    before = tree_digest(root)
    ctx = context(small_workbook(tmp_path))
    with pytest.raises(errors.OutputInsideArchive):
        index_archive(ctx, root, root / "beian-out")
    index_archive(ctx, root, tmp_path / "out", bag=True)
    verify_archive(ctx, out_dir=tmp_path / "out", root=root)
    assert tree_digest(root) == before


def test_archive_root_comes_from_settings_relative_to_the_workbook(tmp_path):
    small_archive(tmp_path / "归档")
    ctx = context(small_workbook(tmp_path, archive_root="归档"))
    assert archive.resolve_root(ctx, None) == (tmp_path / "归档").resolve()
    (tmp_path / "plain").mkdir()
    with pytest.raises(errors.ArchiveRootMissing, match="归档根目录"):
        archive.resolve_root(context(small_workbook(tmp_path / "plain")), None)
    with pytest.raises(errors.ArchiveRootMissing, match="不存在"):
        archive.resolve_root(ctx, tmp_path / "nowhere")


def test_scan_materials_reports_materials_found_in_accepted_formats(tmp_path):
    root = small_archive(tmp_path / "归档")
    ctx = context(small_workbook(tmp_path))
    found = archive.scan_materials(archive_tree.ArchiveTree(), root, ctx.tracker.df, ctx.catalog)
    assert found == {"BA-1": {"营业执照", "活动方案", "创意物料", "安全承诺书"}, "BA-2": {"营业执照"}}


def test_progress_reports_bytes_up_to_the_total(tmp_path):
    root = small_archive(tmp_path / "归档")
    seen = []
    index_archive(context(small_workbook(tmp_path)), root, tmp_path / "out",
                        progress=lambda done, total: seen.append((done, total)))
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert seen[0] == (0, total) and seen[-1] == (total, total)


def test_a_copied_sample_archive_keeps_its_index(tmp_path):
    """The sample tree is self-contained: copied elsewhere it indexes the same (paths are relative)."""
    root = tmp_path / "copy"
    shutil.copytree(SAMPLE_ARCHIVE, root)
    ctx = context(SAMPLE_BOOK)
    a = index_archive(ctx, root, tmp_path / "o1")
    b = index_archive(ctx, SAMPLE_ARCHIVE, tmp_path / "o2")
    assert [(f.rel, f.sha256) for f in a.files] == [(f.rel, f.sha256) for f in b.files]
