"""One filing's materials against the 材料规格, the 用语库 and the tracker row: the findings of
docs/precheck.md and one summary line per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..run.findings import SEVERITY_ORDER, Finding, make
from . import facts
from .fold import fold
from .lexicon import Lexicon
from .material import NOT_READ, OCR_SKIPPED, UNREADABLE, FilingFacts, MaterialFile, Segment
from .specs import Specs

LICENCE_MATERIALS = frozenset({"营业执照", "行业许可证明", "ICP备案证明"})
"""Materials that prove who the 主体 is: a company other than the row's on one of them is an error
(a creative may name partners, so there it is a warning)."""
SNIPPET = 40
TERM_CODES = frozenset({"copy-term", "material-company-mismatch", "material-date-mismatch", "material-prize-mismatch"})


@dataclass
class FileSummary:
    """One line of the 材料预检 sheet."""

    filing_id: str
    row: int
    rel: str
    material: str | None
    type: str
    size: int
    pixels: tuple[int, int] | None
    pages: int | None
    chars: int
    ocr_used: bool
    low_confidence: int
    status: str
    worst: str | None = None
    """The worst finding's severity (错误/警告/提示 in the sheet); None when clean."""
    codes: list[str] = field(default_factory=list)
    cached: bool = False


def snippet(text: str, start: int, end: int, width: int = SNIPPET) -> str:
    """≤ `width` characters around the match, the match in 【】, line breaks flattened."""
    match = text[start:end]
    room = max(0, width - len(match) - 2)
    before = max(0, start - room // 2)
    after = min(len(text), end + (room - (start - before)))
    before = max(0, min(before, start - (room - (after - end))))
    out = text[before:start] + "【" + match + "】" + text[end:after]
    return out.replace("\n", " ").replace("\r", " ")[:width + 2]


def _money(v: Decimal) -> str:
    return f"¥{v:,.2f}"


class FilingCheck:
    """The checks for one filing; `file(...)` returns the findings and summary of one file."""

    def __init__(self, filing: FilingFacts, lexicon: Lexicon, specs: Specs, *, sheet: str | None,
                 column: int | None = None):
        self.f = filing
        self.lexicon = lexicon
        self.specs = specs
        self.sheet = sheet
        self.column = column
        self.year_of = facts.activity_year(filing.start, filing.end)

    def make(self, code: str, message: str, m: MaterialFile, *, severity=None, location=None, snip=None,
             value=None) -> Finding:
        f = make(code, message, severity=severity, sheet=self.sheet, row=self.f.row, filing_id=self.f.filing_id,
                 activity=self.f.activity, field=m.material, value=value if value is not None else m.rel)
        f.file, f.location, f.snippet = m.rel, location, snip
        return f

    def file(self, m: MaterialFile) -> tuple[list[Finding], FileSummary]:
        x = m.extracted
        out: list[Finding] = []
        out += self.spec_findings(m)
        if x.status == UNREADABLE:
            out.append(self.make("material-unreadable", f"“{m.rel}”无法打开（{x.reason}），请换一份能正常打开、未加密的文件后重新预检。", m))
        elif x.status == NOT_READ:
            out.append(self.make("material-not-read", f"“{m.rel}”是 {m.ext or '无扩展名'} 文件，预检不读取这种格式，请人工检查其内容。", m))
        elif x.status == OCR_SKIPPED:
            out.append(self.make("material-not-read", f"“{m.rel}”是图片，本次使用了 --no-ocr 未识别文字，请去掉 --no-ocr 重新预检或人工检查。", m))
        else:
            for loc in x.no_text:
                out.append(self.make("material-no-text", f"“{m.rel}”{loc}没有识别出任何文字，未做用语和事实检查，请人工查看。", m,
                                     location=loc))
            for note in x.notes:
                out.append(self.make("material-no-text", f"“{m.rel}”{note}，未读部分请人工查看。", m))
            licence = m.material in LICENCE_MATERIALS
            for seg in x.segments:
                out += self.segment(m, seg, licence)
        out = _dedupe(out)
        worst = min((f.severity for f in out), key=SEVERITY_ORDER.__getitem__, default=None)
        summary = FileSummary(self.f.filing_id, self.f.row, m.rel, m.material, x.type, m.size, x.pixels, x.pages,
                              x.chars, x.ocr_used, x.low_confidence, x.status, worst,
                              sorted({f.code for f in out}), m.cached)
        return out, summary

    def spec_findings(self, m: MaterialFile) -> list[Finding]:
        out = []
        for code, spec, detail in self.specs.check(self.f.platform, m.material, m.ext, m.size, m.extracted.pixels):
            basis = f"（依据：{spec.basis}）" if spec.basis else ""
            if code == "material-format":
                msg = (f"“{m.rel}”是 {m.ext or '无扩展名'} 文件，{spec.platform}的{m.material or '材料'}只接受 {detail}{basis}，"
                       f"请转换格式后再上传。")
                out.append(self.make(code, msg, m, severity=spec.severity))
            elif code == "material-too-large":
                msg = f"“{m.rel}”{detail}，超过{spec.platform}的单文件上限{basis}，请压缩后再上传。"
                out.append(self.make(code, msg, m, severity=spec.severity))
            else:
                msg = f"“{m.rel}”{detail}{basis}，请换一张尺寸合适的图片。"
                out.append(self.make(code, msg, m))
        return out

    def segment(self, m: MaterialFile, seg: Segment, licence: bool) -> list[Finding]:
        text, loc = seg.text, seg.location
        review = f"（识别置信度 {seg.confidence:.2f}，需人工复核）" if seg.low else ""
        out = []
        folded = fold(text)
        for hit in self.lexicon.find(text, industry=self.f.industry, platform=self.f.platform, forms=self.f.forms,
                                     folded=folded):
            t = hit.term
            advice = t.advice or "请删除或改写"
            basis = f"，依据{t.basis}" if t.basis else ""
            out.append(self.make(
                "copy-term", f"“{m.rel}”{loc}出现{t.category}用语“{t.term}”{basis}：{advice}。{review}", m,
                severity=t.severity, location=loc, snip=snippet(text, hit.start, hit.end), value=t.term))
        out += self.company(m, seg, licence, review)
        if not licence:
            out += self.dates(m, seg, review)
            out += self.prizes(m, seg, review)
        return out

    def company(self, m: MaterialFile, seg: Segment, licence: bool, review: str) -> list[Finding]:
        severity = "error" if licence else "warning"
        tail = ("证照必须是本备案主体的，请换成主体本身的证照或改正台账主体。" if licence else
                "如为合作方请确认已在活动方案中写明，否则请改正。")
        out = []
        for c in facts.companies(seg.text):
            if self.f.company and not facts.same_company(c.text, self.f.company):
                out.append(self.make("material-company-mismatch",
                                     f"“{m.rel}”{seg.location}写的公司是“{c.text}”，与本备案主体“{self.f.company}”不一致，{tail}{review}",
                                     m, severity=severity, location=seg.location,
                                     snip=snippet(seg.text, c.start, c.end), value=c.text))
        own = facts.credit_codes(self.f.credit_code or "")
        mine = own[0].value if own else None
        for c in facts.credit_codes(seg.text):
            if mine and c.value != mine:
                out.append(self.make("material-company-mismatch",
                                     f"“{m.rel}”{seg.location}的统一社会信用代码 {c.value} 与本备案的 {mine} 不一致，{tail}{review}",
                                     m, severity=severity, location=seg.location,
                                     snip=snippet(seg.text, c.start, c.end), value=c.value))
        return out

    def dates(self, m: MaterialFile, seg: Segment, review: str) -> list[Finding]:
        start, end = self.f.start, self.f.end
        if start is None or end is None:
            return []
        out = []
        for d in facts.dates(seg.text, self.year_of):
            if start <= d.value <= end:
                continue
            out.append(self.make(
                "material-date-mismatch",
                f"“{m.rel}”{seg.location}印有日期“{d.text}”（{d.value:%Y年%-m月%-d日}），不在活动期 "
                f"{start:%Y年%-m月%-d日}–{end:%Y年%-m月%-d日} 内，请与台账核对后改正其中之一。{review}",
                m, location=seg.location, snip=snippet(seg.text, d.start, d.end), value=d.value))
        return out

    def prizes(self, m: MaterialFile, seg: Segment, review: str) -> list[Finding]:
        out = []
        top = self.f.top_prize
        for p in facts.prizes(seg.text):
            if top is not None and p.value <= top:
                continue
            why = (f"超过台账最高奖金额 {_money(top)}" if top is not None else "但台账没有填写最高奖金额")
            out.append(self.make(
                "material-prize-mismatch",
                f"“{m.rel}”{seg.location}印有奖金额“{p.text}”（{_money(p.value)}），{why}，请核对奖项后改正材料或台账。{review}",
                m, location=seg.location, snip=snippet(seg.text, p.start, p.end), value=float(p.value)))
        return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same wording repeated in one place (a header on every page) is one finding per location."""
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.file, f.location, f.value)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
