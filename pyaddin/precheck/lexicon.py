"""The 用语库: terms a platform or the law rejects in advertising copy, and the matcher that finds them.

One Aho-Corasick automaton (leftmost-longest, `ahocorasick-rs`) holds every folded term and every
例外 phrase. A 例外 phrase that contains a term and starts at or before it is the longer match and
wins, so 第一时间 never reports 第一 and 华东区2024年上半年销量第一 (a time- and place-limited fact,
《广告绝对化用语执法指南》) never reports 销量第一. Conditions (行业, 平台, 创意形式; `*` or empty =
any) are applied per filing to the hits, so one automaton serves every filing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ..tracker.tables import Table, TableRow, default_header, sheet_or_default, split_list
from .fold import Folded, fold, fold_term

SHEET = "用语库"
DEFAULT_CSV = "copy_terms.csv"
COLUMNS = default_header(DEFAULT_CSV)
SEVERITIES = {"错误": "error", "警告": "warning", "提示": "info", "error": "error", "warning": "warning",
              "info": "info"}
ANY = "*"


@dataclass(frozen=True)
class Term:
    term: str
    category: str
    severity: str
    industries: frozenset[str]
    platforms: frozenset[str]
    forms: frozenset[str]
    not_industries: frozenset[str]
    """Industries written `!医疗` in 行业: the term applies to every industry but these (《广告法》
    第17条 bans cure claims in every advert except medical, medicine and medical-device ones)."""
    exceptions: tuple[str, ...]
    basis: str
    advice: str
    verified: bool
    row: int
    source: str

    def applies(self, industry: str | None, platform: str | None, forms: Iterable[str]) -> bool:
        if self.industries and industry not in self.industries:
            return False
        if industry in self.not_industries:
            return False
        if self.platforms and platform not in self.platforms:
            return False
        return not self.forms or bool(self.forms & set(forms))


@dataclass
class Hit:
    term: Term
    start: int
    """Offsets in the original text (the match as written, separators included)."""
    end: int


@dataclass
class Lexicon:
    terms: list[Term]
    source: str
    """'workbook' (the 用语库 sheet) or 'default' (the packaged table)."""
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(row, reason) for rows skipped: no term, unknown 级别."""

    @cached_property
    def _automaton(self):
        import ahocorasick_rs as ac

        patterns: dict[str, int] = {}
        self._owners: list[list[Term] | None] = []
        for t in self.terms:
            key = fold_term(t.term)
            if not key:
                continue
            if key not in patterns:
                patterns[key] = len(self._owners)
                self._owners.append([])
            owners = self._owners[patterns[key]]
            if owners is None:  # the same phrase is a 例外 elsewhere: the term still counts
                self._owners[patterns[key]] = owners = []
            owners.append(t)
        for t in self.terms:
            for phrase in t.exceptions:
                key = fold_term(phrase)
                if key and key not in patterns:
                    patterns[key] = len(self._owners)
                    self._owners.append(None)  # a 例外: consumes the span, reports nothing
        if not patterns:
            return None
        return ac.AhoCorasick(list(patterns), matchkind=ac.MatchKind.LeftmostLongest)

    def find(self, text: str, *, industry: str | None = None, platform: str | None = None,
             forms: Iterable[str] = (), folded: Folded | None = None) -> list[Hit]:
        """Terms that apply to the filing, found in `text` (offsets into `text`)."""
        automaton = self._automaton
        if automaton is None or not text:
            return []
        f = folded or fold(text)
        forms = list(forms)
        hits = []
        for idx, s, e in automaton.find_matches_as_indexes(f.text, overlapping=False):
            owners = self._owners[idx]
            if not owners:
                continue
            for t in owners:
                if t.applies(industry, platform, forms):
                    hits.append(Hit(t, f.origin(s), f.origin(e - 1) + 1))
                    break
        return hits


def _set(text: str) -> frozenset[str]:
    return frozenset(p for p in split_list(text) if p != ANY and not p.startswith(("!", "！")))


def _not_set(text: str) -> frozenset[str]:
    return frozenset(p[1:].strip() for p in split_list(text) if p.startswith(("!", "！")))


def _term(r: TableRow, source: str) -> Term | str:
    text = r.text("用语")
    if not text:
        return "用语为空"
    level = SEVERITIES.get(r.text("级别").strip() or "警告")
    if level is None:
        return f"级别“{r.text('级别')}”不是 错误/警告/提示 之一"
    return Term(text, r.text("类别") or "其他", level, _set(r.text("行业")), _set(r.text("平台")),
                _set(r.text("创意形式")), _not_set(r.text("行业")), tuple(p for p in split_list(r.text("例外"))), r.text("依据"),
                r.text("建议"), r.text("已核实") == "是", r.row, source)


def from_table(table: Table) -> Lexicon:
    terms, problems = [], []
    for r in table.rows:
        t = _term(r, table.source)
        if isinstance(t, str):
            problems.append((r.row, t))
        else:
            terms.append(t)
    return Lexicon(terms, table.source, problems)


def load_lexicon(book=None) -> Lexicon:
    """The workbook's 用语库 sheet when it has one, else the packaged default table."""
    return from_table(sheet_or_default(book, SHEET, DEFAULT_CSV, min_match=3))
