"""Resubmission chains: a rejected filing revised and filed again names its predecessor in 原备案编号.

Rows linked that way form a chain, first attempt first. A row whose 原备案编号 names no filing in
the tracker, and rows whose links run in a circle, are `bad-link` findings and belong to no chain.
When two rows name the same predecessor the chain forks; each branch is a chain of its own.

Review time is counted two ways (working days, `Calendar.workdays_between`):
- per attempt: 提交日期 → the attempt's decision (通过日期 for 已通过, else 反馈日期);
- whole chain: the first attempt's 提交日期 → the final attempt's 通过日期, for chains ending 已通过.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .textnorm import filing_key
from .values import as_text, is_blank

APPROVED = "已通过"


@dataclass
class Chain:
    rows: list[int]
    """Excel rows of the attempts, first attempt first."""

    @property
    def first(self) -> int:
        return self.rows[0]

    @property
    def last(self) -> int:
        return self.rows[-1]

    @property
    def resubmissions(self) -> int:
        return len(self.rows) - 1


@dataclass
class BadLink:
    row: int
    kind: str
    """`dangling` or `loop`."""
    target: str
    message: str


@dataclass
class Chains:
    chains: list[Chain]
    bad: list[BadLink] = field(default_factory=list)
    parent: dict[int, int] = field(default_factory=dict)
    """Row → the row it resubmits (only good links)."""

    def chain_of(self, row: int) -> list[int]:
        """The attempts up to and including `row` (its own history), first attempt first."""
        out = [row]
        seen = {row}
        while out[0] in self.parent and self.parent[out[0]] not in seen:
            out.insert(0, self.parent[out[0]])
            seen.add(out[0])
        return out


def build_chains(df: pd.DataFrame) -> Chains:
    """Chains from the `original_id` column of a normalised tracker frame."""
    rows = [int(r) for r in df.index]
    parent, bad, in_loop = _links(df)
    good = {r: p for r, p in parent.items() if r not in in_loop and p not in in_loop}
    children: dict[int, list[int]] = {}
    for r, p in good.items():
        children.setdefault(p, []).append(r)
    chains: list[Chain] = []
    for root in rows:
        if root in good or root in in_loop:
            continue
        stack = [[root]]
        while stack:
            path = stack.pop()
            kids = children.get(path[-1], [])
            if not kids:
                chains.append(Chain(path))
            for k in sorted(kids, reverse=True):
                stack.append([*path, k])
    chains.sort(key=lambda c: (c.first, c.rows))
    return Chains(chains, bad, good)


def bad_links(df: pd.DataFrame, keys: pd.Series | None = None) -> list[BadLink]:
    """`build_chains(df).bad` without building the chains: validate needs only the bad links.
    `keys`: `filing_key` of each row's 备案编号 when the caller has them already."""
    return _links(df, keys)[1]


def _links(df: pd.DataFrame, keys: pd.Series | None = None) -> tuple[dict[int, int], list[BadLink], set[int]]:
    """(row → the row its 原备案编号 names, the bad links sorted by row, the rows in a loop)."""
    links = {int(r): v for r, v in zip(df.index, df["original_id"], strict=True)
             if v is not None and not is_blank(v)}
    if not links:
        return {}, [], set()
    if keys is None:
        ids = {int(r): filing_key(v) for r, v in zip(df.index, df["filing_id"], strict=True)}
    else:
        ids = {int(r): k for r, k in zip(df.index, keys.tolist(), strict=True)}
    by_id: dict[str, int] = {}
    for r, key in ids.items():
        if key is not None:
            by_id.setdefault(key, r)
    ids_raw = dict(zip((int(r) for r in df.index), df["filing_id"], strict=True))
    parent: dict[int, int] = {}
    bad: list[BadLink] = []
    for r, raw in links.items():
        target = by_id.get(filing_key(raw) or "")
        if target is None:
            bad.append(BadLink(r, "dangling", as_text(raw),
                               f"原备案编号“{as_text(raw)}”在台账中找不到，请填写被驳回的那条备案的备案编号，或清空此格。"))
        else:
            parent[r] = target
    in_loop: set[int] = set()
    for start in parent:
        path, seen = [], {}
        node = start
        while node in parent and node not in seen and node not in in_loop:
            seen[node] = len(path)
            path.append(node)
            node = parent[node]
        if node in seen:
            in_loop.update(path[seen[node]:])
    for r in sorted(in_loop):
        ring = [r]
        while parent[ring[-1]] != r:
            ring.append(parent[ring[-1]])
        names = " → ".join(as_text(ids_raw[x]) for x in [*ring, r])
        bad.append(BadLink(r, "loop", as_text(links[r]),
                           f"原备案编号构成循环（{names}），请把第一次提交那条的原备案编号清空。"))
    return parent, sorted(bad, key=lambda b: b.row), in_loop


class Lookup:
    """Column values by Excel row, as dicts (`DataFrame.at` is too slow per cell over 10k rows)."""

    def __init__(self, df: pd.DataFrame):
        self._df = df
        self._cols: dict[str, dict] = {}

    def __call__(self, row: int, col: str):
        if col not in self._cols:
            self._cols[col] = dict(zip((int(r) for r in self._df.index), self._df[col], strict=True))
        v = self._cols[col].get(row)
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def decision_date(get: Lookup, row: int) -> date | None:
    return get(row, "approved_date") if get(row, "status") == APPROVED else get(row, "feedback_date")


def attempt_days(get: Lookup, chain: Chain, calendar) -> list[int | None]:
    """Working days of each attempt from 提交日期 to its decision (None when a date is missing)."""
    out: list[int | None] = []
    for r in chain.rows:
        start, end = get(r, "submitted_date"), decision_date(get, r)
        out.append(calendar.workdays_between(start, end) if start and end and end >= start else None)
    return out


def chain_days(get: Lookup, chain: Chain, calendar) -> int | None:
    """Working days from the first attempt's 提交日期 to the approval that ended the chain."""
    if get(chain.last, "status") != APPROVED:
        return None
    start, end = get(chain.first, "submitted_date"), get(chain.last, "approved_date")
    if start is None or end is None or end < start:
        return None
    return calendar.workdays_between(start, end)


CHAIN_COLUMNS = ["平台", "首次行", "末次行", "尝试次数", "首次结果", "最终状态", "全程工作日", "各次工作日"]


def chain_frame(df: pd.DataFrame, chains: Chains, calendar) -> pd.DataFrame:
    """One line per chain: 平台, 首次行, 末次行, 尝试次数, 首次结果, 最终状态, 全程工作日, 各次工作日."""
    get = Lookup(df)
    records = [{
        "平台": get(c.last, "platform"), "首次行": c.first, "末次行": c.last, "尝试次数": len(c.rows),
        "首次结果": get(c.first, "status"), "最终状态": get(c.last, "status"),
        "全程工作日": chain_days(get, c, calendar), "各次工作日": attempt_days(get, c, calendar),
    } for c in chains.chains]
    return pd.DataFrame(records, columns=CHAIN_COLUMNS)
