"""Reuse what passed: the approved filings most like this one, and which of their materials still hold.

Scoring (stated so the order can be checked by hand): each approved filing (status 已通过, not
this filing nor an attempt in its own resubmission chain) scores
    8 for the same 主体 + 4 for the same 平台 + 2 for a shared 创意形式 + 1 for the same 行业,
so the same company always ranks first, then 平台, 创意形式, 行业 (8 > 4 + 2 + 1, and so on): what a
filing may borrow depends first on whose it is. Same 主体 means the same 统一社会信用代码, or the same
主体名称 when either code is missing. Ties go to the filing with more reusable files, then the later
通过日期, then the earlier tracker row. Filings scoring 0 are not offered, nor filings with an
error-level validate finding about the row itself (a duplicated 备案编号, 已通过 without 备案号, a #N/A
cell …; a missing material or field the 平台规则 table asks for does not count): a filing that is
itself wrong is no model; they are listed as skipped with the reason.

For each candidate: its 备案号; review working days (提交日期 → 通过日期) of the approved attempt
and of its whole resubmission chain; its rejection history (the 已驳回/需补充 attempts of its chain
with their 审核意见 categories); the archived files of its folder as recorded in the last archive
manifest (`beian archive`): a file whose SHA-256 still matches is reusable, one that changed or
disappeared is listed as such and never offered; and the licenses of its 主体 that were valid on
its 通过日期 (of the types its 行业 needs, when the 行业资质 table names any) but have expired
since — reusing materials does not make an expired license valid again.

What a file may be reused for is the 材料 table's 复用 column: 可复用 (创意物料) from any filing;
同主体 (营业执照, licences, 资质, papers naming the company) only from a filing of the same 主体 —
another company's licence in this filing's folder would count as this filing's material;
每次新建 (安全承诺书, 活动方案) never: they are generated anew for each filing. A file of no known
material is reused only within the same 主体. Every file says why it is or is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..compliance.rejections import REJECTED_STATUSES, load_classifier
from ..errors import FilingNotFound
from ..run.context import Context
from ..tracker.chains import Lookup, build_chains, chain_days
from ..tracker.textnorm import filing_key, fold
from ..tracker.values import as_text, is_blank
from .index import ArchiveDisk, FolderMatcher

WEIGHTS = {"company": 8, "platform": 4, "forms": 2, "industry": 1}
APPROVED = "已通过"
TOP = 5
PROVENANCE = "复用来源.txt"
REUSABLE, CHANGED, MISSING, UNVERIFIED, NOT_OFFERED = "可复用", "已改变", "已缺失", "未核验", "不提供"
ANY_COMPANY, SAME_COMPANY, PER_FILING = "可复用", "同主体", "每次新建"


@dataclass
class ArchivedFile:
    rel: str
    """Path relative to the archive root, as in the manifest."""
    material: str | None
    state: str
    sha256: str | None
    reason: str = ""
    """Why the file is or is not offered, in one sentence."""


@dataclass
class ExpiredLicense:
    type: str
    number: str
    valid_until: date


@dataclass
class Rejection:
    filing_id: str | None
    status: str
    feedback: str
    categories: list[str]


@dataclass
class Candidate:
    row: int
    filing_id: str
    activity: str | None
    platform: str | None
    approval_no: str | None
    approved_date: date | None
    score: int
    matched: list[str]
    company: str | None
    """The candidate's 主体名称 (the reasons name it when its papers are not offered)."""
    review_days: int | None
    chain_days: int | None
    attempts: int
    rejections: list[Rejection] = field(default_factory=list)
    files: list[ArchivedFile] = field(default_factory=list)
    expired_licenses: list[ExpiredLicense] = field(default_factory=list)

    @property
    def reusable(self) -> list[ArchivedFile]:
        return [f for f in self.files if f.state == REUSABLE]


@dataclass
class ReusePlan:
    filing_id: str
    row: int
    candidates: list[Candidate]
    manifest: bool
    """Whether an archive manifest was found (without one no file can be verified or offered)."""
    note: str = ""
    activity: str | None = None
    platform: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(备案编号, reason) of approved filings that would have outranked the last candidate shown but
    have error-level findings (at most `top` of them)."""


def _forms(value: object) -> set[str]:
    return set(value) if isinstance(value, list) else set()


def manifest_entries(manifest: dict | None) -> dict[str, list[dict]]:
    """The last archive manifest's file entries by filing (ID in comparison form)."""
    by_filing: dict[str, list[dict]] = {}
    for e in (manifest or {}).get("files", []):
        if isinstance(e, dict) and e.get("filing") and e.get("path"):
            by_filing.setdefault(filing_key(e["filing"]), []).append(e)
    return by_filing


def _files(entries: list[dict], root: Path | None, policy: dict[str, str], same: bool,
           company: str | None, disk: ArchiveDisk | None) -> list[ArchivedFile]:
    out = []
    for e in sorted(entries, key=lambda e: e["path"]):
        rel, recorded, material = e["path"], e.get("sha256"), e.get("material")
        if root is None or disk is None or not recorded:
            out.append(ArchivedFile(rel, material, UNVERIFIED, recorded, "归档清单中没有可核验的 SHA-256，不提供。"))
            continue
        path = root / rel
        try:
            state = REUSABLE if disk.sha256(path) == recorded else CHANGED
        except FileNotFoundError:
            state = MISSING
        except OSError:
            state = UNVERIFIED
        reason = {CHANGED: "内容与归档清单的 SHA-256 不同（归档后被改动），不提供。",
                  MISSING: "归档清单中有、文件已不存在，不提供。",
                  UNVERIFIED: "文件无法读取，未能核验 SHA-256，不提供。"}.get(state, "")
        if state == REUSABLE:
            state, reason = _offer(material, policy, same, company)
        out.append(ArchivedFile(rel, material, state, recorded, reason))
    return out


def _offer(material: str | None, policy: dict[str, str], same: bool, company: str | None) -> tuple[str, str]:
    """(state, reason) of an unchanged file under the 材料 table's 复用 policy."""
    other = f"另一主体（{company}）" if company else "另一主体（或主体不明）"
    kind = policy.get(material or "", SAME_COMPANY) if material else None
    if kind == PER_FILING:
        return NOT_OFFERED, (f"{material}是每个备案各自的文件，不复用"
                             f"{'：请用 beian docs 为本备案重新生成' if material in ('安全承诺书', '活动方案') else ''}。")
    if kind == ANY_COMPANY:
        return REUSABLE, ("SHA-256 与归档清单一致，同一主体，可复用。" if same else
                          f"SHA-256 与归档清单一致，可复用；来自{other}，请确认其中没有对方的名称和品牌。")
    if same:
        return REUSABLE, "SHA-256 与归档清单一致，同一主体，可复用。"
    what = f"{material}属于主体自己" if material else "未归类的文件只在同一主体的备案之间复用"
    return NOT_OFFERED, (f"{what}，来自{other}，不提供：请使用本主体自己的{material}。" if material
                         else f"{what}，来自{other}，不提供。")


def same_company(code_a, name_a, code_b, name_b) -> bool:
    """Same 统一社会信用代码; when either is missing, the same 主体名称 (folded); unknown is not the same."""
    if not is_blank(code_a) and not is_blank(code_b):
        return as_text(code_a).strip().upper() == as_text(code_b).strip().upper()
    if not is_blank(name_a) and not is_blank(name_b):
        return fold(as_text(name_a)) == fold(as_text(name_b))
    return False


REQUIREMENTS = frozenset({"missing-material", "missing-field"})
"""What the 平台规则 table asks of a row: a gap there leaves what the filing has worth reusing (and a
tracker without material columns would otherwise offer nothing at all)."""


def blocked_rows(ctx: Context) -> dict[int, str]:
    """Tracker rows with an error-level validate finding about the row itself (not a 平台规则
    requirement) → the first one's title and message; every row of a duplicated 备案编号 counts
    (which of them the 备案号 and the files belong to is unknown)."""
    from ..compliance.validate import validate
    from ..run.findings import codes

    titles = codes()
    out: dict[int, str] = {}
    duplicated: set[str] = set()
    for f in validate(ctx).findings:
        if f.severity != "error" or f.row is None or f.sheet != ctx.tracker.sheet or f.code in REQUIREMENTS:
            continue
        out.setdefault(int(f.row), f"{titles[f.code].title}：{f.message}")
        if f.code == "duplicate-id" and f.filing_id:
            duplicated.add(filing_key(f.filing_id))
    if duplicated:
        df = ctx.tracker.df
        for row, value in zip(df.index, df["filing_id"], strict=True):
            if not is_blank(value) and filing_key(value) in duplicated:
                out.setdefault(int(row), f"备案编号重复：“{as_text(value)}”在台账中出现多次，无法确定该备案的材料。")
    return out


def _expired(ctx: Context, company, credit_code, industry, approved: date | None) -> list[ExpiredLicense]:
    if approved is None or not ctx.licenses.present:
        return []
    held = ctx.licenses.for_company(as_text(company) if company else None,
                                    as_text(credit_code) if credit_code else None)
    needed = {fold(t) for t in ctx.catalog.industry_licenses.get(industry or "", [])}
    out = []
    for lic_type, number, issued, until in zip(held["type"], held["number"], held["issued"], held["valid_until"],
                                               strict=True):
        if until is None or pd.isna(until) or (needed and fold(lic_type) not in needed):
            continue
        valid_then = (issued is None or pd.isna(issued) or issued <= approved) and until >= approved
        if valid_then and until < ctx.today:
            out.append(ExpiredLicense(lic_type, number, until))
    return out


def plan(ctx: Context, filing_id: str, *, manifest: dict | None, archive_root: Path | None,
         disk: ArchiveDisk | None = None, calendar=None, top: int = TOP) -> ReusePlan:
    """The `top` approved filings most similar to `filing_id`, each with what can be reused (a
    file only when `disk` confirms its SHA-256 under `archive_root`)."""
    from ..deadlines.workdays import calendar_for

    df = ctx.tracker.df
    wanted = filing_key(filing_id)
    ids = {int(r): filing_key(v) if not is_blank(v) else "" for r, v in zip(df.index, df["filing_id"], strict=True)}
    rows = [r for r, v in ids.items() if v == wanted]
    if not rows:
        raise FilingNotFound(f"台账中没有备案编号“{filing_id}”，请核对 --id（如 BA-2026-0001）。")
    me = rows[0]
    get = Lookup(df)
    chains = build_chains(df)
    own = set(chains.chain_of(me))
    children = {r for r, p in chains.parent.items() if p in own}
    own |= children
    calendar = calendar or calendar_for(ctx.book)[0]
    classifier = load_classifier(ctx.book)
    by_filing = manifest_entries(manifest)

    mine = {"platform": get(me, "platform"), "forms": _forms(get(me, "forms")), "industry": get(me, "industry")}
    my_code, my_name = get(me, "credit_code"), get(me, "company")
    policy = {m.name: m.reuse for m in ctx.catalog.materials}
    blocked = blocked_rows(ctx)
    approved = df.index[df["status"].eq(APPROVED).fillna(False).astype(bool)]
    scored, skipped = [], []
    seen_ids: set[str] = set()
    for row in approved:
        r = int(row)
        if r in own or not ids[r] or ids[r] == wanted or ids[r] in seen_ids:
            continue
        matched = []
        if same_company(my_code, my_name, get(r, "credit_code"), get(r, "company")):
            matched.append("company")
        if mine["platform"] and get(r, "platform") == mine["platform"]:
            matched.append("platform")
        if mine["forms"] & _forms(get(r, "forms")):
            matched.append("forms")
        if mine["industry"] and get(r, "industry") == mine["industry"]:
            matched.append("industry")
        score = sum(WEIGHTS[m] for m in matched)
        if not score:
            continue
        seen_ids.add(ids[r])
        if r in blocked:
            skipped.append((score, r, blocked[r]))
        else:
            scored.append((score, r, matched))
    # files decide ties, so only hash the folders of filings that can still make the list
    scored.sort(key=lambda x: (-x[0], x[1]))
    cutoff = scored[top - 1][0] if len(scored) >= top else 0
    candidates = []
    for score, r, matched in scored:
        if score < cutoff:
            break
        same = "company" in matched
        candidates.append(_candidate(ctx, get, chains, classifier, calendar, r, score, matched,
                                     _files(by_filing.get(ids[r], []), archive_root, policy, same, get(r, "company"), disk),
                                     ))
    candidates.sort(key=lambda c: (-c.score, -len(c.reusable), -(c.approved_date.toordinal() if c.approved_date
                                                                 else 0), c.row))
    note = "" if manifest is not None else ("没有找到归档清单（archive_manifest.json），无法核验归档文件是否改动，"
                                "请先运行 beian archive 生成清单。")
    shown = candidates[:top]
    floor = shown[-1].score if len(shown) >= top else 0
    # the skipped filings that would have made the list, best first, no more of them than shown
    skipped_out = [(as_text(get(r, "filing_id")), reason)
                   for score, r, reason in sorted(skipped, key=lambda x: (-x[0], x[1])) if score > floor][:top]
    return ReusePlan(as_text(get(me, "filing_id")), me, shown, manifest is not None, note,
                     activity=get(me, "activity"), platform=get(me, "platform"), skipped=skipped_out)


def _candidate(ctx, get, chains, classifier, calendar, r, score, matched, files) -> Candidate:
    history = chains.chain_of(r)
    rejections = [Rejection(get(x, "filing_id"), get(x, "status"), as_text(get(x, "feedback") or ""),
                            classifier.classify(get(x, "feedback")))
                  for x in history if get(x, "status") in REJECTED_STATUSES]
    own_feedback = get(r, "feedback")
    if own_feedback and len(history) == 1:
        rejections.append(Rejection(get(r, "filing_id"), "需补充（已通过前）", as_text(own_feedback),
                                    classifier.classify(own_feedback)))
    submitted, approved = get(r, "submitted_date"), get(r, "approved_date")
    review = calendar.workdays_between(submitted, approved) if submitted and approved and approved >= submitted \
        else None
    from ..tracker.chains import Chain

    return Candidate(
        row=r, filing_id=as_text(get(r, "filing_id")), activity=get(r, "activity"), platform=get(r, "platform"),
        approval_no=get(r, "approval_no"), approved_date=approved, score=score, matched=matched,
        company=get(r, "company"), review_days=review, chain_days=chain_days(get, Chain(history), calendar), attempts=len(history),
        rejections=rejections, files=files,
        expired_licenses=_expired(ctx, get(r, "company"), get(r, "credit_code"), get(r, "industry"), approved))


MATCH_ZH = {"platform": "平台", "forms": "创意形式", "industry": "行业", "company": "主体"}


def provenance_text(target_id: str, source: Candidate, copied: list[tuple[str, str]], skipped: list[str],
                    today: date) -> str:
    """Lines appended to 复用来源.txt: when, from which filing, and each file with its SHA-256."""
    lines = [f"# {today:%Y-%m-%d} beian reuse：{target_id} 复用自 {source.filing_id}"
             f"（备案号 {source.approval_no or '—'}，通过日期 {source.approved_date or '—'}）"]
    sha = {f.rel: f.sha256 for f in source.files}
    for src, dest in copied:
        lines.append(f"{dest}\t来源 {src}\tSHA-256 {sha.get(src, '')}")
    for dest in skipped:
        lines.append(f"{dest}\t已存在，未覆盖")
    return "\n".join(lines) + "\n"


@dataclass
class CopyPlan:
    source: Candidate
    folder: Path
    """This filing's archive folder (created by the copy when it does not exist yet)."""
    files: list[tuple[str, Path, Path]]
    """(manifest path, absolute source, absolute destination) of each reusable file."""


def inner_path(rel: str, filing_id: str) -> str:
    """The part of an archive path below the filing's own folder (`物料/封面.png`)."""
    parts = rel.split("/")
    matcher = FolderMatcher([filing_id])
    for i, part in enumerate(parts[:-1]):
        if matcher.match(part) is not None:
            return "/".join(parts[i + 1:])
    return parts[-1]


def filing_folder(root: Path, plan: ReusePlan, disk: ArchiveDisk) -> Path:
    """This filing's folder directly under the archive root, else the name a new one gets
    (`<备案编号> <活动名称> <平台>`, the convention the archive index recognises)."""
    from ..run.safe_text import safe_filename

    matcher = FolderMatcher([plan.filing_id])
    for entry in disk.folders(root):
        if matcher.match(entry.name) is not None:
            return entry
    name = " ".join(as_text(x) for x in (plan.filing_id, plan.activity, plan.platform) if x)
    return root / safe_filename(name, fallback=plan.filing_id)


def copy_plan(plan: ReusePlan, root: Path, disk: ArchiveDisk, source_id: str | None = None) -> CopyPlan | None:
    """What `--copy` copies: the reusable files of the best candidate (or of `source_id`)."""
    pool = plan.candidates
    if source_id:
        pool = [c for c in pool if filing_key(c.filing_id) == filing_key(source_id)]
    pool = [c for c in pool if c.reusable]
    if not pool:
        return None
    source = pool[0]
    folder = filing_folder(root, plan, disk)
    files = [(f.rel, root / f.rel, folder / inner_path(f.rel, source.filing_id)) for f in source.reusable]
    return CopyPlan(source, folder, files)
