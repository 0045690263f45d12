"""BagIt (RFC 8493) packages of approved filings, for handing an audit a self-checking folder.

A bag is a copy: the filing's files are copied out of the archive into a staging folder under the
output folder, `bagit.make_bag` moves them into `data/` and writes the SHA-256 manifest, and the
staging folder replaces any earlier bag only once it is complete. The archive itself is only read.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path, PurePosixPath

import bagit

from ..run.findings import Report, make
from ..run.safe_text import inside, safe_filename
from ..tracker.values import as_text

APPROVED = "已通过"
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
"""RFC 8493 (BagIt 1.0). bagit-python's make_bag still declares 0.97; `declare_rfc8493` restates it."""


def declare_rfc8493(bag: bagit.Bag) -> bagit.Bag:
    """Declare BagIt-Version 1.0 in bagit.txt and re-seal the tag manifests (they hash bagit.txt).
    What bagit-python writes already meets RFC 8493: UTF-8 tag files, LF line endings, a SHA-256
    payload manifest naming each file once, percent-encoded CR/LF/% in file names, Payload-Oxum."""
    Path(bag.path, "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8", newline="\n")
    sealed = bagit.Bag(bag.path)
    sealed.save()  # rewrites bag-info.txt as read and every tagmanifest; the payload manifest is kept
    return bagit.Bag(bag.path)


def bag_name(filing) -> str:
    return safe_filename(f"{filing.filing_id}_{filing.platform or '未知平台'}")


def bag_info(filing, today: date) -> dict[str, str]:
    """bag-info.txt: reserved BagIt labels where one fits, ASCII labels for the filing's own facts."""
    info = {
        "Filing-Id": filing.filing_id,
        "External-Identifier": filing.filing_id,
        "Platform": as_text(filing.platform) if filing.platform else "",
        "Approval-No": as_text(filing.approval_no) if filing.approval_no else "",
        "Approved-Date": filing.approved_date.isoformat() if filing.approved_date else "",
        "Activity": as_text(filing.activity) if filing.activity else "",
        "Source-Organization": as_text(filing.company) if filing.company else "",
        "Bagging-Date": today.isoformat(),
        "Bag-Software-Agent": "beian (bagit-python)",
    }
    return {k: v for k, v in info.items() if v}


def make_bags(result, filings: dict, bags_dir: Path, today: date, report: Report) -> list[Path]:
    """One bag per 已通过 filing that has a folder; returns the bag folders written."""
    bags_dir = Path(bags_dir)
    bags_dir.mkdir(parents=True, exist_ok=True)
    files_by_filing: dict[str, list] = {}
    for f in result.files:
        if f.filing is not None and f.sha256 is not None:
            files_by_filing.setdefault(f.filing, []).append(f)
    written = []
    for fid, filing in filings.items():
        if filing.status != APPROVED or fid not in files_by_filing:
            continue
        target = bags_dir / bag_name(filing)
        if not inside(bags_dir, target):
            continue
        staging = Path(tempfile.mkdtemp(prefix=".bag-", dir=bags_dir))
        try:
            for f in files_by_filing[fid]:
                # keep the filing folder's own name so two folders of one filing cannot collide
                rel = PurePosixPath(f.rel)
                folder_parent = PurePosixPath(f.folder).parent if f.folder else PurePosixPath(".")
                dest = staging.joinpath(*rel.relative_to(folder_parent).parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f.source, dest)
                shutil.copystat(f.source, dest)
            bag = declare_rfc8493(bagit.make_bag(str(staging), bag_info(filing, today), checksums=["sha256"]))
            _cross_check(bag, files_by_filing[fid], folder_parent_of(files_by_filing[fid]), filing, report)
            staging.chmod(0o755)  # mkdtemp makes it owner-only; a bag is meant to be handed over
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
            written.append(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return written


def folder_parent_of(files) -> dict[str, str]:
    """Bag payload path (data/…) → root-relative path, for comparing hashes with the index."""
    out = {}
    for f in files:
        rel = PurePosixPath(f.rel)
        parent = PurePosixPath(f.folder).parent if f.folder else PurePosixPath(".")
        out["data/" + rel.relative_to(parent).as_posix()] = f.rel
    return out


def _cross_check(bag: bagit.Bag, files, payload_to_rel: dict[str, str], filing, report: Report) -> None:
    """A file that changed between hashing and copying must not be sealed silently into a bag."""
    by_rel = {f.rel: f for f in files}
    for payload, hashes in bag.entries.items():
        rel = payload_to_rel.get(payload)
        if rel is None or rel not in by_rel:
            continue
        if hashes.get("sha256") != by_rel[rel].sha256:
            report.findings.append(make(
                "archive-changed",
                f"归档文件“{rel}”在本次索引与打包之间被改动，包中的副本与索引的 SHA-256 不同，请确认后重新运行 beian archive --bag。",
                filing_id=filing.filing_id, value=rel))
