"""BagIt packages of approved filings: a standard validator accepts them and catches tampering."""

from __future__ import annotations

import shutil
from pathlib import Path

import bagit
import pytest
from helpers import index_archive
from test_archive import SAMPLE_ARCHIVE, SAMPLE_BOOK, context, small_archive, small_workbook, tree_digest


@pytest.fixture(scope="module")
def sample_bags(tmp_path_factory):
    """The sample's bags, built once for this file; tests that tamper with a bag work on a copy."""
    out = tmp_path_factory.mktemp("bagit") / "out"
    return index_archive(context(SAMPLE_BOOK), SAMPLE_ARCHIVE, out, bag=True)


def bag_copy(bag: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(bag, tmp_path / bag.name))


def test_each_approved_filing_with_a_folder_becomes_a_valid_bag(sample_bags):
    names = sorted(p.name for p in sample_bags.bags)
    assert names == ["BA-2026-0001_微信", "BA-2026-0006_快手", "BA-2026-0010_B站", "BA-2026-0022_微信"]
    for path in sample_bags.bags:
        bag = bagit.Bag(str(path))
        bag.validate()
        assert bag.algorithms == ["sha256"]
    assert sorted(p.name for p in sample_bags.bags[0].parent.iterdir()) == names  # no staging left behind


def test_bags_declare_bagit_1_0_of_rfc_8493_and_still_validate(sample_bags):
    for path in sample_bags.bags:
        assert (path / "bagit.txt").read_bytes() == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
        bag = bagit.Bag(str(path))
        assert bag.version_info == (1, 0)
        bag.validate()  # the tag manifest's hash of bagit.txt matches the 1.0 file
        tagged = (path / "tagmanifest-sha256.txt").read_text(encoding="utf-8")
        assert " bagit.txt" in tagged and " bag-info.txt" in tagged and " manifest-sha256.txt" in tagged


def test_bag_info_holds_filing_id_platform_approval_number_and_date(sample_bags):
    bag = bagit.Bag(str(next(p for p in sample_bags.bags if p.name == "BA-2026-0001_微信")))
    assert {k: bag.info[k] for k in ("Filing-Id", "Platform", "Approval-No", "Approved-Date", "Bagging-Date")} == {
        "Filing-Id": "BA-2026-0001", "Platform": "微信", "Approval-No": "WX2026110001",
        "Approved-Date": "2026-08-26", "Bagging-Date": "2026-11-20"}
    payload = sorted(bag.payload_files())
    assert "data/BA-2026-0001 秋季新品上市 微信/创意物料/主视觉_v1.jpg" in payload
    index_hashes = {f.rel: f.sha256 for f in sample_bags.files}
    for rel, hashes in bag.entries.items():
        if rel.startswith("data/"):
            assert hashes["sha256"] == index_hashes[rel[len("data/"):]]


def test_a_tampered_bag_fails_validation(sample_bags, tmp_path):
    path = bag_copy(next(p for p in sample_bags.bags if p.name == "BA-2026-0006_快手"), tmp_path)
    bagit.Bag(str(path)).validate()
    victim = next(Path(path, "data").rglob("活动方案.pdf"))
    victim.write_bytes(victim.read_bytes() + b"\n% edited")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(path)).validate()


def test_an_added_payload_file_fails_validation(sample_bags, tmp_path):
    path = bag_copy(sample_bags.bags[0], tmp_path)
    bagit.Bag(str(path)).validate()
    (path / "data" / "extra.txt").write_text("smuggled", encoding="utf-8")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(path)).validate()


def test_unapproved_filings_are_not_bagged_and_rebagging_replaces_cleanly(tmp_path):
    root = small_archive(tmp_path / "归档")
    before = tree_digest(root)
    ctx = context(small_workbook(tmp_path))
    first = index_archive(ctx, root, tmp_path / "out", bag=True)
    assert [p.name for p in first.bags] == ["BA-1_微信"]  # BA-2 is 审核中
    (root / "BA-1 秋季上新 微信" / "隐私政策.pdf").write_bytes(b"privacy")
    before = tree_digest(root)
    second = index_archive(ctx, root, tmp_path / "out", bag=True)
    bag = bagit.Bag(str(second.bags[0]))
    bag.validate()
    assert "data/BA-1 秋季上新 微信/隐私政策.pdf" in set(bag.payload_files())
    assert tree_digest(root) == before
