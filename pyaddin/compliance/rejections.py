"""Why filings were rejected: every 审核意见 of a 已驳回/需补充 row sorted into 驳回原因分类 categories.

The table (类别, 关键词, 建议) comes from the workbook's 驳回原因分类 sheet when the team keeps
one, else from `data/rejection_categories.csv`. 关键词 is a regular expression matched anywhere in
the folded 审核意见 (NFKC, case-insensitive); `、` and `；` also separate alternatives, so a plain
keyword list works. An opinion may fall into several categories; one matching none is 其他, never
dropped. Advice (建议) is what the team should fix before the next submission.

Windows for "recent" rejections rest on 反馈日期, else 提交日期; a row with neither counts in
whole-tracker figures but in no window.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from ..run.findings import Finding, make
from ..tracker.book import Book
from ..tracker.tables import Table, default_header, default_table, read_sheet_table
from ..tracker.textnorm import fold

REJECTION_SHEET = "驳回原因分类"
OTHER = "其他"
REJECTED_STATUSES = ("已驳回", "需补充")
DRAFT_STATUSES = ("草稿", "待提交")
PATTERN_WEEKS = 12
FRAME_COLUMNS = ["行", "备案编号", "平台", "状态", "日期", "审核意见", "类别"]


@dataclass(frozen=True)
class Category:
    name: str
    pattern: re.Pattern | None
    pattern_text: str
    advice: str


@dataclass
class Classifier:
    categories: list[Category]
    source: str
    findings: list[Finding] = field(default_factory=list)

    def classify(self, text: object) -> list[str]:
        """Every category whose pattern matches `text`, in table order; [其他] when none does."""
        folded = fold(str(text)) if text is not None else ""
        hits = [c.name for c in self.categories if c.pattern is not None and c.pattern.search(folded)]
        return hits or [OTHER]

    def advice(self, name: str) -> str:
        for c in self.categories:
            if c.name == name:
                return c.advice
        return ""


def _table(book: Book | None) -> Table:
    sheet = book.get(REJECTION_SHEET) if book else None
    if sheet is not None:
        table = read_sheet_table(sheet, default_header("rejection_categories.csv"), min_match=2)
        if table is not None and table.rows:
            return table
    return default_table("rejection_categories.csv", REJECTION_SHEET)


def load_classifier(book: Book | None) -> Classifier:
    table = _table(book)
    categories, findings = [], []
    for r in table.rows:
        name = r.text("类别").strip()
        if not name:
            continue
        text = r.text("关键词").strip()
        pattern = None
        if text:
            try:
                alternatives = re.sub(r"[、；;]", "|", unicodedata.normalize("NFKC", text))
                pattern = re.compile(alternatives, re.IGNORECASE)
            except re.error:
                in_book = table.source == "workbook"
                findings.append(make(
                    "bad-rule", f"驳回原因分类“{name}”的关键词“{text}”不是有效的正则表达式，该类别不参与匹配，请修正。",
                    sheet=table.name, row=r.row if in_book else None,
                    column=r.columns.get("关键词") if in_book else None, field="关键词", value=text))
        categories.append(Category(name, pattern, text, r.text("建议")))
    if not any(c.name == OTHER for c in categories):
        categories.append(Category(OTHER, None, "", "请按审核意见逐条修改后重新提交。"))
    return Classifier(categories, table.source, findings)


def _when(df: pd.DataFrame) -> pd.Series:
    return df["feedback_date"].where(df["feedback_date"].notna(), df["submitted_date"])


def classify_tracker(df: pd.DataFrame, classifier: Classifier) -> pd.DataFrame:
    """One line per 已驳回/需补充 row: 行, 备案编号, 平台, 状态, 日期, 审核意见, 类别 (a list)."""
    # only the columns used: a boolean row filter over the whole frame copies all ~45 of them
    part = df.loc[df["status"].isin(REJECTED_STATUSES),
                  ["filing_id", "platform", "status", "feedback", "feedback_date", "submitted_date"]]
    when = _when(part)
    cache: dict[object, list[str]] = {}
    cats = []
    for text in part["feedback"]:
        if text not in cache:
            cache[text] = classifier.classify(text)
        cats.append(cache[text])
    return pd.DataFrame({
        "行": [int(r) for r in part.index], "备案编号": list(part["filing_id"]), "平台": list(part["platform"]),
        "状态": list(part["status"]), "日期": list(when), "审核意见": list(part["feedback"]), "类别": cats,
    }, columns=FRAME_COLUMNS)


def in_window(frame: pd.DataFrame, end: date, weeks: int) -> pd.DataFrame:
    """Lines dated within the `weeks` weeks ending on `end` (inclusive)."""
    start = end - timedelta(weeks=weeks) + timedelta(days=1)
    keep = pd.Series([d is not None and not pd.isna(d) and start <= d <= end for d in frame["日期"]],
                     index=frame.index, dtype=bool)
    return frame[keep]


def category_counts(frame: pd.DataFrame) -> dict[str, Counter]:
    """Platform → Counter of categories (a line in two categories counts in both)."""
    out: dict[str, Counter] = {}
    for platform, cats in zip(frame["平台"], frame["类别"], strict=True):
        counter = out.setdefault(platform or "（未识别）", Counter())
        counter.update(cats)
    return out


def top_categories(frame: pd.DataFrame, classifier: Classifier, end: date, windows=(4, 12), n: int = 3
                   ) -> pd.DataFrame:
    """Columns 平台, 时间窗, 类别, 次数, 建议: the `n` most frequent categories per platform and window."""
    rows = []
    for weeks in windows:
        for platform, counter in category_counts(in_window(frame, end, weeks)).items():
            ranked = sorted(counter.items(), key=lambda kv: (-kv[1], _order(classifier, kv[0])))
            for name, count in ranked[:n]:
                rows.append({"平台": platform, "时间窗": f"近{weeks}周", "类别": name, "次数": int(count),
                             "建议": classifier.advice(name)})
    return pd.DataFrame(rows, columns=["平台", "时间窗", "类别", "次数", "建议"])


def _order(classifier: Classifier, name: str) -> int:
    for i, c in enumerate(classifier.categories):
        if c.name == name:
            return i
    return len(classifier.categories)


def most_frequent(frame: pd.DataFrame, classifier: Classifier, today: date, weeks: int = PATTERN_WEEKS
                  ) -> dict[str, tuple[str, int]]:
    """Platform → (its most frequent category other than 其他, count) over the last `weeks` weeks."""
    out = {}
    for platform, counter in category_counts(in_window(frame, today, weeks)).items():
        specific = [(k, v) for k, v in counter.items() if k != OTHER]
        if specific:
            name, count = min(specific, key=lambda kv: (-kv[1], _order(classifier, kv[0])))
            out[platform] = (name, int(count))
    return out


def pattern_hints(df: pd.DataFrame, classifier: Classifier, today: date
                  ) -> list[tuple[int, str, str, int, str]]:
    """(row, platform, category, count, advice) for each 草稿/待提交 row whose platform has a
    frequent rejection category in the last 12 weeks; one per row."""
    top = most_frequent(classify_tracker(df, classifier), classifier, today)
    drafts = df.loc[df["status"].isin(DRAFT_STATUSES), "platform"]
    out = []
    for row, platform in drafts.items():
        if platform in top:
            name, count = top[platform]
            out.append((int(row), platform, name, count, classifier.advice(name)))
    return out
