"""`beian reuse` on the sample: the expected approved filing first, tampered archived files reported
and never copied, `--copy` never overwriting, licenses expired since the approval flagged."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyaddin.cli.main import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
TODAY = ["--today", "2026-11-20"]


def beian(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


@pytest.fixture
def sample(tmp_path) -> Path:
    """A copy of the sample workbook and archive with the manifest of a `beian archive` run."""
    for name in ("备案台账示例.xlsx", "archive"):
        src = SAMPLE / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    assert beian("archive", tmp_path / "备案台账示例.xlsx", "--out", tmp_path / "out", *TODAY).exit_code == 0
    return tmp_path


def reuse(sample: Path, *args) -> dict:
    result = beian("reuse", sample / "备案台账示例.xlsx", "--out", sample / "out", "--json", *TODAY, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_company_ranks_first_and_a_filing_with_errors_is_skipped_with_its_reason(sample):
    # BA-2026-0091: 抖音 · 短视频 · 快消 · 上海星河. BA-2026-0005 (抖音 短视频 快消 星河) matches on all four
    # but its 活动名称 is #N/A: skipped, with the reason; BA-2026-0043 (星河, 抖音, 快消, the earliest row
    # of the tie; a missing 最高奖金额 is a rule requirement, not a wrong row) comes first
    out = reuse(sample, "--id", "BA-2026-0091")
    first = out["candidates"][0]
    assert (first["filing_id"], first["score"], first["matched"]) == ("BA-2026-0043", 13, ["主体", "平台", "行业"])
    assert first["approval_no"] == "DY2026110043"
    assert first["review_workdays"] == 7  # 2026-08-17 → 2026-08-26
    assert "BA-2026-0005" not in [c["filing_id"] for c in out["candidates"]]
    skipped = {s["filing_id"]: s["reason"] for s in out["skipped"]}
    assert "#N/A" in skipped["BA-2026-0005"]
    assert "已通过" in skipped["BA-2026-0066"] and "备案号为空" in skipped["BA-2026-0066"]
    # the same company always ranks above any other company
    assert all("主体" in c["matched"] for c in out["candidates"])
    assert [c["score"] for c in out["candidates"]] == sorted((c["score"] for c in out["candidates"]), reverse=True)


def test_every_row_of_a_duplicated_id_is_skipped(sample):
    out = reuse(sample, "--id", "BA-2026-0091", "--top", "50")
    ids = [c["filing_id"] for c in out["candidates"]]
    assert "BA-2026-0003" not in ids


def test_unchanged_archived_files_are_offered_and_a_tampered_one_is_reported_as_changed(sample):
    folder = sample / "archive" / "BA-2026-0001 秋季新品上市 微信"
    (folder / "营业执照.pdf").write_bytes(b"%PDF-1.4 edited after the manifest")
    out = reuse(sample, "--id", "BA-2026-0092")
    first = out["candidates"][0]
    assert first["filing_id"] == "BA-2026-0001"  # ties on score go to the filing with reusable files
    states = {Path(f["path"]).name: f["state"] for f in first["files"]}
    reasons = {Path(f["path"]).name: f["reason"] for f in first["files"]}
    assert states["营业执照.pdf"] == "已改变"
    # the same company: its privacy policy and unclassified notes too; per-filing papers never
    assert {n for n, s in states.items() if s == "可复用"} == {"主视觉_v1.jpg", "隐私政策.pdf", "会议纪要.txt"}
    assert states["安全承诺书.pdf"] == states["活动方案.docx"] == "不提供"
    assert "beian docs" in reasons["安全承诺书.pdf"] and "同一主体" in reasons["隐私政策.pdf"]
    assert all(reasons.values())


def test_copy_takes_only_unchanged_files_never_overwrites_and_records_provenance(sample):
    source = sample / "archive" / "BA-2026-0001 秋季新品上市 微信"
    (source / "营业执照.pdf").write_bytes(b"tampered")
    target = sample / "archive" / "BA-2026-0092 已上线仍在审核 微信"
    target.mkdir()
    (target / "隐私政策.pdf").write_bytes(b"our own policy")
    out = reuse(sample, "--id", "BA-2026-0092", "--copy")
    assert out["copied_from"] == "BA-2026-0001"
    assert (target / "隐私政策.pdf").read_bytes() == b"our own policy"
    assert not (target / "营业执照.pdf").exists()
    assert not (target / "活动方案.docx").exists() and not (target / "安全承诺书.pdf").exists()
    assert sha(target / "创意物料" / "主视觉_v1.jpg") == sha(source / "创意物料" / "主视觉_v1.jpg")
    assert {Path(c["to"]).name for c in out["copied"]} == {"会议纪要.txt", "主视觉_v1.jpg"}
    provenance = (target / "复用来源.txt").read_text(encoding="utf-8")
    assert "BA-2026-0092 复用自 BA-2026-0001" in provenance and "WX2026110001" in provenance
    assert f"SHA-256 {sha(source / '会议纪要.txt')}" in provenance
    assert "隐私政策.pdf\t已存在，未覆盖" in provenance
    # a second copy finds everything in place: nothing overwritten, provenance appended
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file() and p.name != "复用来源.txt"}
    again = reuse(sample, "--id", "BA-2026-0092", "--copy")
    assert again["copied"] == [] and len(again["kept_existing"]) == 3
    assert {p: p.read_bytes() for p in before} == before
    assert (target / "复用来源.txt").read_text(encoding="utf-8").startswith(provenance)


def test_copy_for_another_company_takes_none_of_its_papers(sample):
    # issue 23: BA-2026-0116 (杭州禾美, 保健食品) once received 北京云帆's 营业执照, 安全承诺书 and 活动方案
    # from BA-2026-0010. Now 禾美's own approved filings rank first and none of them has archived files.
    out = reuse(sample, "--id", "BA-2026-0116", "--copy")
    assert out["copied"] == [] and out["copied_from"] is None
    assert all("主体" in c["matched"] for c in out["candidates"])
    archive = sample / "archive"
    assert [p.name for p in archive.iterdir() if p.name.startswith("BA-2026-0116")] == []
    # asked for explicitly, BA-2026-0010 gives only its creative; every other file says why not
    forced = reuse(sample, "--id", "BA-2026-0116", "--copy", "--from", "BA-2026-0010", "--top", "50")
    assert [Path(c["from"]).name for c in forced["copied"]] == ["短视频封面.png"]
    source = next(c for c in forced["candidates"] if c["filing_id"] == "BA-2026-0010")
    reasons = {Path(f["path"]).name: (f["state"], f["reason"]) for f in source["files"]}
    for name in ("营业执照.docx", "隐私政策.pdf"):
        assert reasons[name][0] == "不提供" and "北京云帆文化传媒有限公司" in reasons[name][1]
    for name in ("安全承诺书.pdf", "活动方案.docx"):
        assert reasons[name][0] == "不提供" and "beian docs" in reasons[name][1]
    assert "请确认其中没有对方的名称和品牌" in reasons["短视频封面.png"][1]
    (folder,) = [p for p in archive.iterdir() if p.name.startswith("BA-2026-0116")]
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["复用来源.txt", "短视频封面.png"]


def test_copy_through_a_symlinked_filing_folder_writes_nothing_outside_the_root(sample, tmp_path_factory):
    # issue 25: a filing folder that is a link to elsewhere must not receive the copies
    outside = tmp_path_factory.mktemp("outside")
    (sample / "archive" / "BA-2026-0092 已上线仍在审核 微信").symlink_to(outside, target_is_directory=True)
    out = reuse(sample, "--id", "BA-2026-0092", "--copy")
    assert list(outside.rglob("*")) == []
    assert out["copied"] == [] and out["findings"]
    assert {f["code"] for f in out["findings"]} == {"archive-outside-root"}
    assert all(str(outside) in f["message"] for f in out["findings"])
    # the plain run says it too, one line per refused file, and exits 0
    text = beian("reuse", sample / "备案台账示例.xlsx", "--out", sample / "out", *TODAY, "--id", "BA-2026-0092",
                 "--copy")
    assert text.exit_code == 0 and text.output.count("archive-outside-root") == len(out["findings"])


def test_copy_creates_the_filing_folder_when_there_is_none(sample):
    out = reuse(sample, "--id", "BA-2026-0092", "--copy")
    folders = [p for p in (sample / "archive").iterdir() if p.name.startswith("BA-2026-0092")]
    assert [p.name for p in folders] == ["BA-2026-0092 已上线仍在审核 微信"]
    assert len(out["copied"]) == 4 and (folders[0] / "复用来源.txt").is_file()


def test_without_a_manifest_no_file_is_offered(sample):
    (sample / "out" / "archive_manifest.json").unlink()
    out = reuse(sample, "--id", "BA-2026-0092", "--copy")
    assert out["copied"] == [] and all(c["files"] == [] for c in out["candidates"])
    assert "archive_manifest.json" in out["note"]


def test_a_license_valid_at_approval_but_expired_since_is_flagged(sample):
    # BA-2026-0095 (天猫, 深圳快启) was approved 2026-10-22; 快启's 营业执照 runs to 2026-12-10
    out = reuse(sample, "--id", "BA-2026-0013", "--today", "2026-12-20", "--top", "50")
    by_id = {c["filing_id"]: c for c in out["candidates"]}
    assert by_id["BA-2026-0095"]["expired_licenses"] == [
        {"type": "营业执照", "number": "440300000555666", "valid_until": "2026-12-10"}]
    assert all(c["expired_licenses"] == [] for i, c in by_id.items() if i != "BA-2026-0095")
    on_time = reuse(sample, "--id", "BA-2026-0013")
    assert all(c["expired_licenses"] == [] for c in on_time["candidates"])


def test_an_unknown_id_stops_with_a_reason():
    result = CliRunner().invoke(main, ["reuse", str(SAMPLE / "备案台账示例.xlsx"), "--id", "BA-404", *TODAY])
    assert result.exit_code == 2 and "BA-404" in result.output


def test_a_candidate_reached_after_rejections_shows_its_history_and_whole_chain_time(tmp_path):
    from datetime import date

    from helpers import CLEAN, write_tracker

    rejected = {"状态": "已驳回", "备案号": None, "通过日期": None}
    rows = [
        {**rejected, "备案编号": "BA-1", "提交日期": date(2026, 11, 2), "反馈日期": date(2026, 11, 5),
         "审核意见": "海报含“国家级”字样；隐私政策链接缺失"},
        {"备案编号": "BA-1-R1", "原备案编号": "BA-1", "提交日期": date(2026, 11, 6), "通过日期": date(2026, 11, 11)},
        {"备案编号": "BA-3", "状态": "草稿", "备案号": None, "通过日期": None, "提交日期": None},
    ]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=[*CLEAN, "原备案编号", "审核意见", "反馈日期"])
    result = CliRunner().invoke(main, ["reuse", str(path), "--id", "BA-3", "--json", "--out", str(tmp_path / "o"),
                                       *TODAY])
    (first,) = json.loads(result.output)["candidates"]
    assert first["filing_id"] == "BA-1-R1" and first["attempts"] == 2
    assert first["review_workdays"] == 3 and first["chain_workdays"] == 7  # 11-06→11-11; 11-02→11-11
    assert first["rejections"] == [{"filing_id": "BA-1", "status": "已驳回", "feedback": "海报含“国家级”字样；隐私政策链接缺失",
                                    "categories": ["绝对化用语", "隐私与授权"]}]
