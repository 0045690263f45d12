"""Facts printed in a material, against the filing's row: company, 统一社会信用代码, dates, prizes.

Platforms reject a licence of the wrong company and a prize or date printed differently from the
filing. Everything here reads NFKC-folded text (full-width digits are digits) and works on one
text segment (a paragraph, a slide, an OCR line) at a time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ..tracker.credit_code import FORMAT, check_character

# ---------------------------------------------------------------- companies
COMPANY = re.compile(r"[\u4e00-\u9fff()（）]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团(?:有限公司|股份有限公司)?(?![\u4e00-\u9fff]))")
"""A company name: Chinese characters (brackets for 北京（分公司）-style names) ending in a legal form."""
_LEAD = re.compile(r"^.*(?:由|为|是|系|联合|主办方?|承办方?|协办方?|赞助方?|出品方?|运营方?|名称|单位|主体|发起方?|合作方)(?=[\u4e00-\u9fff(（])")
OCR_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"})
"""Letters OCR reads for digits (and V for U), none of which the code alphabet uses (GB 32100-2015)."""
CODE_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def company_key(name: str) -> str:
    """Brackets and spaces do not make a company different: 北京某某（上海）有限公司 = 北京某某(上海)有限公司."""
    return re.sub(r"[\s()（）]", "", _fold(name))


@dataclass
class Mention:
    kind: str
    """'company', 'code', 'date', 'prize'."""
    text: str
    start: int
    end: int
    value: object = None


LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团(有限公司|股份有限公司)?)$")
LABELS = frozenset({"类型", "企业类型", "公司类型", "主体类型", "性质", "企业性质", "组织形式"})
"""A licence's 类型 line (类型 有限责任公司) names the legal form, not a company."""


def companies(text: str) -> list[Mention]:
    """Company names in the text, without the words before them that are not part of the name."""
    out = []
    for m in COMPANY.finditer(text):
        name, start = m.group(0), m.start()
        lead = _LEAD.match(name)
        if lead and len(name) - lead.end() >= 4:
            start += lead.end()
            name = name[lead.end():]
        stem = LEGAL_FORM.sub("", name)
        if len(stem) < 2 or stem in LABELS:
            continue
        out.append(Mention("company", name, start, m.end(), company_key(name)))
    return out


def same_company(found: str, row_company: str | None) -> bool:
    """The name in the material is the row's 主体 when one contains the other (a material may
    write the name after 主办方 or drop a bracketed branch)."""
    if not row_company:
        return True
    a, b = company_key(found), company_key(row_company)
    return bool(a) and (a == b or a.endswith(b) or b.endswith(a) or b in a)


def credit_codes(text: str) -> list[Mention]:
    """Valid 统一社会信用代码 in the text, after mapping OCR's letter/digit confusions; a token
    whose check character still fails is not a code and is ignored."""
    out = []
    upper = _fold(text).upper()
    for m in CODE_TOKEN.finditer(upper):
        code = m.group(0).translate(OCR_CONFUSIONS)
        if FORMAT.match(code) and check_character(code[:17]) == code[17]:
            out.append(Mention("code", m.group(0), m.start(), m.end(), code))
    return out


# ---------------------------------------------------------------- dates
_Y = r"(?P<y>20\d{2})"
DATE_PATTERNS = [
    re.compile(_Y + r"\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d年.])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d.])" + _Y + r"\s*[./-]\s*(?P<m>\d{1,2})\s*[./-]\s*(?P<d>\d{1,2})(?![\d.])"),
    re.compile(r"(?<![\d./:\-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/:%])"),
]
"""2026年11月11日 · 11月11日 (the activity's year) · 2026.11.11 / 2026-11-11 / 2026/11/11 · 11/11."""


def dates(text: str, year_of) -> list[Mention]:
    """Dates printed in the text. `year_of(month, day)` gives the year for a date printed without
    one (the activity's). Impossible dates (2月30日) are not dates and are skipped."""
    text = _fold(text)
    taken: list[tuple[int, int]] = []
    out = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            month, day = int(m.group("m")), int(m.group("d"))
            try:
                year = int(m.group("y")) if "y" in m.groupdict() and m.group("y") else year_of(month, day)
                value = date(year, month, day)
            except (ValueError, TypeError):
                continue
            taken.append((m.start(), m.end()))
            out.append(Mention("date", m.group(0), m.start(), m.end(), value))
    return sorted(out, key=lambda x: x.start)


def activity_year(start: date | None, end: date | None):
    """The year of a date printed without one: the one that puts it inside the activity (an
    activity across New Year has two), else the start's."""
    def year_of(month: int, day: int) -> int | None:
        base = start or end
        if base is None:
            return None
        for y in sorted({d.year for d in (start, end) if d is not None}):
            try:
                d = date(y, month, day)
            except ValueError:
                continue
            if (start is None or d >= start) and (end is None or d <= end):
                return y
        return base.year
    return year_of


# ---------------------------------------------------------------- prizes
PRIZE = re.compile(
    r"(?P<kw>最高奖|最高可得|最高可获|一等奖|特等奖|头奖|大奖|奖金|现金|价值)"
    r"[^。！？!?;；\n\d¥￥]{0,8}?(?P<cur>[¥￥])?\s*(?P<num>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万|千)?\s*(?P<yuan>元|块)?")
"""A prize amount: a prize word, then within a few characters an amount in yuan (¥ before it or
元 after it; 万 multiplies)."""


def prizes(text: str) -> list[Mention]:
    out = []
    for m in PRIZE.finditer(_fold(text)):
        if not (m.group("cur") or m.group("yuan")):
            continue
        try:
            amount = Decimal(m.group("num").replace(",", "").replace("，", ""))
        except InvalidOperation:
            continue
        amount *= {"万": 10000, "千": 1000}.get(m.group("unit") or "", 1)
        out.append(Mention("prize", m.group(0), m.start(), m.end(), amount))
    return out
