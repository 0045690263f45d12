"""Finding a team's tracker in a workbook and reading it into a normalised DataFrame.

Teams keep their own trackers: a title row above the header, their own words for columns,
dates typed five ways. This module finds the sheet and the header, maps every header it can to a
canonical field (aliases from data/fields.csv and the 字段映射 sheet), keeps the rest untouched, and
normalises each cell; a cell it cannot read becomes a finding on that cell.
"""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

import numpy as np
import pandas as pd

from .. import capabilities
from ..errors import TrackerNotFound
from ..run.findings import Finding, make
from .book import Book, Sheet
from .catalog import Catalog
from .cells import EXCEL_ERRORS, CellError
from .columns import MATERIAL_PREFIX
from .frame import Tracker
from .settings import Settings
from .textnorm import code_key, header_key, header_parts
from .values import (
    Unreadable,
    as_text,
    is_blank,
    is_error,
    parse_bool,
    parse_date,
    parse_tracker_amount,
    split_multi,
)

TRACKER_SHEET = "备案台账"
HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 4
OUTPUT_SHEETS = {"使用说明", "平台", "平台规则", "材料", "设置", "节假日", "xlwings.conf", "字段映射", "资质库", "行业资质",
                 "驳回原因分类", "通知", "人员", "行业", *capabilities.sheets()}
"""Sheets never taken for the tracker: the workbook's own tables, and every sheet a capability adds or
writes its results into (`pyaddin/capabilities.py`)."""
RESULT_HEADERS = ("校验结果", "问题说明", "到期提醒")
_ERRORS = list(EXCEL_ERRORS)
"""Columns the buttons append right of the user's last column; never read as data."""


class HeaderMatcher:
    """Maps one header cell to a field key or material column, or to nothing."""

    def __init__(self, catalog: Catalog):
        # canonical names first, then material names, then aliases: 隐私政策 is a material even
        # though a team might also use it loosely for the link column
        self.lookup: dict[str, str] = {}
        for spec in catalog.fields:
            for name in (spec.header, spec.key):
                self.lookup.setdefault(header_key(name), spec.key)
        for m in catalog.materials:
            for name in (m.name, m.key):
                self.lookup.setdefault(header_key(name), MATERIAL_PREFIX + m.name)
        for spec in catalog.fields:
            for name in spec.aliases:
                self.lookup.setdefault(header_key(name), spec.key)
        self.lookup.update(catalog.header_overrides)

    def match(self, text: object) -> str | None:
        if is_blank(text) or is_error(text):
            return None
        key = header_key(as_text(text))
        if key in self.lookup:
            return self.lookup[key]
        for part in header_parts(as_text(text)):
            if part in self.lookup:
                return self.lookup[part]
        return None

    def map_row(self, cells: list[object]) -> dict[str, int]:
        found: dict[str, int] = {}
        for c, v in enumerate(cells):
            key = self.match(v)
            if key is not None and key not in found:
                found[key] = c
        return found


def _score(mapping: dict[str, int]) -> int:
    return sum(1 for k in mapping if not k.startswith(MATERIAL_PREFIX))


def find_header(sheet: Sheet, matcher: HeaderMatcher) -> tuple[int, dict[str, int]] | None:
    """(0-based row index, mapping) of the first row in the first 20 that names enough fields."""
    for r, cells in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        mapping = matcher.map_row(cells)
        if _score(mapping) >= MIN_HEADER_MATCHES:
            return r, mapping
    return None


def choose_sheet(book: Book, matcher: HeaderMatcher, requested: str | None, settings: Settings) -> Sheet:
    """`--sheet`, else 设置 台账工作表, else 备案台账, else the sheet whose header matches best."""
    for name, origin in ((requested, "--sheet"), (settings.tracker_sheet, "设置“台账工作表”")):
        if name:
            sheet = book.get(name)
            if sheet is None and book.unreadable_reason(name):
                raise _unreadable(name, book.unreadable_reason(name))
            if sheet is None:
                raise TrackerNotFound(
                    f"找不到工作表“{name}”（{origin}），现有工作表：{'、'.join(book.names)}。"
                    f" / Sheet {name!r} ({origin}) not found.")
            return sheet
    if book.unreadable_reason(TRACKER_SHEET):
        raise _unreadable(TRACKER_SHEET, book.unreadable_reason(TRACKER_SHEET))
    sheet = book.get(TRACKER_SHEET)
    if sheet is not None and find_header(sheet, matcher) is not None:
        return sheet
    # any sheet that could not be read might be the tracker: name it rather than check another one
    for name, reason in book.unreadable.items():
        if name not in OUTPUT_SHEETS:
            raise _unreadable(name, reason)
    best, best_score = None, 0
    for candidate in book.sheets.values():
        if candidate.name in OUTPUT_SHEETS:
            continue
        found = find_header(candidate, matcher)
        if found is None:
            continue
        score = _score(found[1])
        if ("platform" in found[1] or "filing_id" in found[1]) and score > best_score:
            best, best_score = candidate, score
    if best is None:
        raise TrackerNotFound(
            "找不到备案台账：没有工作表在前20行内含有至少4个台账表头（须包括“平台”或“备案编号”），"
            "请用 --sheet 指定工作表或在“字段映射”中映射表头。 / No tracker sheet found.")
    return best


def _unreadable(name: str, reason: str) -> TrackerNotFound:
    return TrackerNotFound(f"工作表“{name}”无法读取：{reason}；请在 Excel 中打开该表确认后另存为 .xlsx 再试"
                           f"（没有改查其他工作表）。 / Sheet {name!r} cannot be read; no other sheet was checked instead.")


def read_tracker(book: Book, catalog: Catalog, settings: Settings, *, sheet_name: str | None = None) -> Tracker:
    matcher = HeaderMatcher(catalog)
    sheet = choose_sheet(book, matcher, sheet_name, settings)
    found = find_header(sheet, matcher)
    if found is None:
        raise TrackerNotFound(
            f"工作表“{sheet.name}”的前20行内找不到台账表头（至少4个字段，如 备案编号、活动名称、平台、状态），"
            f"请检查表头或在“字段映射”中映射。 / No header row found in sheet {sheet.name!r}.")
    header_idx, mapping = found
    header_cells = sheet.rows[header_idx]
    header_row = header_idx + 1

    result_columns = {}
    extra = {}
    for c, v in enumerate(header_cells):
        if is_blank(v) or c in mapping.values():
            continue
        text = as_text(v)
        if text in RESULT_HEADERS:
            result_columns[text] = c
        else:
            extra[text] = c
    n_cols = max(len(header_cells), max(mapping.values(), default=-1) + 1)
    body = sheet.rows[header_idx + 1:]
    findings: list[Finding] = []

    keys = list(mapping)
    idx = [mapping[k] for k in keys]
    kept_rows: list[int] = []
    kept: list[list[object]] = []
    take = itemgetter(*idx) if idx else (lambda cells: ())
    need = max(idx, default=-1) + 1
    for offset, cells in enumerate(body):
        first = cells[0] if cells else None  # most rows start filled: skip the call for them
        if (first is None or first.__class__ is not str or not first.strip()) and _blank_row(cells):
            continue
        kept_rows.append(header_row + 1 + offset)
        if len(cells) >= need:
            kept.append(take(cells) if len(idx) > 1 else (take(cells),))
        else:
            width = len(cells)
            kept.append([cells[i] if i < width else None for i in idx])
    raw = pd.DataFrame(kept, columns=keys, index=pd.Index(kept_rows, name="row"), dtype=object)

    headers = {k: as_text(header_cells[mapping[k]]) for k in keys}
    df = pd.DataFrame(index=raw.index)
    normaliser = _Normaliser(catalog, sheet.name, headers, mapping, raw, findings)
    kinds = {f.key: f.kind for f in catalog.fields}
    for key in keys:
        kind = "bool" if key.startswith(MATERIAL_PREFIX) else kinds[key]
        if kind == "platform":
            df["platform"], df["platforms"] = normaliser.platform(key)
        else:
            df[key] = normaliser.column(key, kind)
    absent = None
    for spec in catalog.fields:
        if spec.key not in df.columns:
            if absent is None:
                # one read-only array of None behind every field the sheet lacks: a short tracker
                # lacks ~30 of them, 8 bytes a row each, and nothing writes into the frame in place
                absent = np.full(len(df), None, dtype=object)
                absent.flags.writeable = False
            df[spec.key] = pd.Series(absent, index=df.index, dtype=object, copy=False)
    if "platforms" not in df.columns:
        df["platforms"] = pd.Series([[] for _ in range(len(df))], index=df.index, dtype=object)
    df["draw"], df["prize_sale"] = prize_kinds(df, catalog.chance_forms)
    for spec in catalog.fields:
        if spec.required and spec.key not in mapping:
            findings.append(make(
                "missing-column", f"台账缺少必需列“{spec.header}”，请在表头行添加该列或在“字段映射”中指定对应列。",
                sheet=sheet.name, row=header_row, field=spec.header))
    return Tracker(sheet.name, header_row, df, raw, dict(mapping), headers, extra, n_cols, result_columns, findings)


def prize_kinds(df: pd.DataFrame, chance_forms: frozenset[str]) -> tuple[pd.Series, pd.Series]:
    """(draw, prize_sale) per row. A draw is a form decided by chance (抽奖, 福袋, 随机红包 …): the
    抽奖式有奖销售 that the prize cap and the lottery wording are about. 有奖销售 is wider (《规范促销
    行为暂行规定》: 抽奖式 and 附赠式): a draw, or any row that states a 最高奖金额."""
    if df.empty:
        empty = pd.Series(False, index=df.index, dtype=bool)
        return empty, empty.copy()
    exploded = df["forms"].explode()
    draw = exploded.isin(chance_forms).groupby(level=0).any().reindex(df.index, fill_value=False).astype(bool)
    prize = pd.to_numeric(df["top_prize"], errors="coerce").fillna(0).gt(0)
    return draw, (draw | prize).astype(bool)


def _blank_row(cells: list[object]) -> bool:
    return all(is_blank(v) for v in cells)


class _Normaliser:
    """Per-column normalisation, parsing each distinct value once (trackers repeat values a lot)."""

    def __init__(self, catalog, sheet_name, headers, mapping, raw, findings):
        self.catalog = catalog
        self.sheet = sheet_name
        self.headers = headers
        self.mapping = mapping
        self.raw = raw
        self.findings = findings
        self._factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._id_columns: dict[str, dict] | None = None
        self._scans: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._dates: dict[str, tuple[object, str | None]] = {}

    def _ids(self, row: int) -> tuple[str | None, str | None]:
        """备案编号 and 活动名称 of a row, from columns turned into dicts once (`.at` per finding is slow)."""
        if self._id_columns is None:
            self._id_columns = {key: dict(zip(self.raw.index, self.raw[key], strict=True))
                                for key in ("filing_id", "activity") if key in self.raw.columns}

        def get(key):
            v = self._id_columns.get(key, {}).get(row)
            return None if is_blank(v) or is_error(v) else as_text(v)
        return get("filing_id"), get("activity")

    def _report(self, key: str, code: str, bad: dict[object, str], severity=None) -> None:
        if not bad:
            return
        codes, uniques = self._factorize(key)
        bad_codes = [i for i, u in enumerate(uniques) if u in bad]
        series = self.raw[key]
        hits = series[np.isin(codes, bad_codes)]
        for row, value in hits.items():
            fid, act = self._ids(row)
            self.findings.append(make(
                code, bad[value], severity=severity, sheet=self.sheet, row=int(row), column=self.mapping[key],
                field=self.headers[key], filing_id=fid, activity=act, value=value))

    def _factorize(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(code per row, distinct values); None and NaN get code -1."""
        if key not in self._factors:
            self._factors[key] = pd.factorize(self.raw[key].to_numpy(dtype=object))
        return self._factors[key]

    def _scan(self, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per distinct value of a column, without a Python call per value: (skip: blank or an Excel
        error, is_str, the stripped text of each str value — None for other types)."""
        if key in self._scans:
            return self._scans[key]
        _, uniques = self._factorize(key)
        n = len(uniques)
        types = np.fromiter(map(type, uniques), dtype=object, count=n)
        is_str = types == str  # noqa: E721 - elementwise over a numpy array of types
        skip = types == CellError
        texts = np.empty(n, dtype=object)
        if is_str.any():
            at = np.flatnonzero(is_str)
            stripped = np.fromiter(map(str.strip, uniques[at]), dtype=object, count=len(at))
            texts[at] = stripped
            skip[at[(stripped == "") | pd.Series(stripped, dtype=object).isin(_ERRORS).to_numpy()]] = True
        self._scans[key] = skip, is_str, texts
        return self._scans[key]

    def _map(self, key: str, parse, *, text: bool = False) -> tuple[pd.Series, dict[object, str]]:
        """Parse each distinct value once; `text`: parse is `as_text`, which for str is the stripped
        text, so only the non-str values are parsed one by one."""
        codes, uniques = self._factorize(key)
        skip, is_str, texts = self._scan(key)
        table = np.empty(len(uniques) + 1, dtype=object)  # the last slot (code -1) stays None
        bad: dict[object, str] = {}
        todo = ~skip
        if text:
            fast = todo & is_str
            table[:-1][fast] = texts[fast]
            todo &= ~is_str
        elif parse is parse_date:
            types = np.fromiter(map(type, uniques), dtype=object, count=len(uniques))
            for typ, convert in ((datetime, datetime.date), (date, None)):
                fast = todo & (types == typ)
                if fast.any():
                    table[:-1][fast] = uniques[fast] if convert is None else list(map(convert, uniques[fast]))
                    todo &= ~fast
        # dates typed as text repeat across the date columns (开始/上线/提交…): parse each text once per tracker
        shared = self._dates if parse is parse_date else None
        for i in np.flatnonzero(todo):
            value = uniques[i]
            if shared is not None and value.__class__ is str:
                known = shared.get(value)
                if known is None:
                    try:
                        known = shared[value] = (parse(value), None)
                    except Unreadable as exc:
                        known = shared[value] = (None, str(exc))
                if known[1] is None:
                    table[i] = known[0]
                else:
                    bad[value] = known[1]
                continue
            try:
                table[i] = parse(value)
            except Unreadable as exc:
                bad[value] = str(exc)
        return pd.Series(table[codes], index=self.raw.index, dtype=object), bad

    def _fallback(self, key: str, out: pd.Series, convert) -> pd.Series:
        """Where parsing failed (None), `convert` of the raw value instead — per distinct value."""
        codes, uniques = self._factorize(key)
        skip, _, _ = self._scan(key)
        table = np.empty(len(uniques) + 1, dtype=object)
        table[-1] = convert(None)
        for i, value in enumerate(uniques):
            table[i] = convert(None) if skip[i] else convert(value)
        fill = table[codes]
        values = out.to_numpy(dtype=object).copy()
        missing = pd.isna(values) if len(values) else np.zeros(0, dtype=bool)
        values[missing] = fill[missing]
        return pd.Series(values, index=out.index, dtype=object)

    def column(self, key: str, kind: str) -> pd.Series:
        header = self.headers[key]
        if kind == "date":
            out, bad = self._map(key, parse_date)
            self._report(key, "invalid-date", {v: f"“{header}”的值{r}。" for v, r in bad.items()})
        elif kind == "bool":
            out, bad = self._map(key, parse_bool)
            self._report(key, "invalid-value", {v: f"“{header}”的值{r}。" for v, r in bad.items()})
        elif kind == "amount":
            out, bad = self._map(key, parse_tracker_amount)
            self._report(key, "invalid-value", {v: f"“{header}”的值{r}。" for v, r in bad.items()})
        elif kind == "status":
            out, bad = self._map(key, self._vocab(self.catalog.statuses, "状态"))
            self._report(key, "unknown-status", {v: f"{r}请从 {'、'.join(self.catalog.statuses.names)} 中选择。"
                                                 for v, r in bad.items()})
        elif kind == "industry":
            out, bad = self._map(key, self._vocab(self.catalog.industries, "行业"))
            self._report(key, "unknown-value", {v: f"{r}规则按原文匹配，请从行业目录中选择。" for v, r in bad.items()})
            # unknown industries keep their own text so table rules naming them still match
            out = self._fallback(key, out, lambda r: None if r is None else as_text(r))
        elif kind == "forms":
            out, bad = self._map(key, self._forms)
            self._report(key, "unknown-value", {v: f"{r}请从创意形式目录中选择。" for v, r in bad.items()})
            out = self._fallback(key, out, lambda r: [] if r is None else split_multi(r))
        elif kind == "credit_code":

            out, _ = self._map(key, lambda v: code_key(as_text(v)))
        else:
            out, _ = self._map(key, as_text, text=True)
        return out

    @staticmethod
    def _vocab(vocab, label):
        def parse(value):
            text = as_text(value)
            name = vocab.get(text)
            if name is None:
                raise Unreadable(f"{label}“{text}”不在目录中，")
            return name
        return parse

    def _forms(self, value) -> list[str]:
        parts = split_multi(value)
        out, unknown = [], []
        for p in parts:
            name = self.catalog.forms.get(p)
            (out if name else unknown).append(name or p)
        if unknown:
            raise Unreadable(f"创意形式“{'、'.join(unknown)}”不在目录中，")
        return out

    def platform(self, key: str) -> tuple[pd.Series, pd.Series]:
        """(the one canonical platform or None, every platform named) with multi/unknown findings."""
        series = self.raw[key]
        names = self.catalog.platform_names
        single: dict[object, object] = {}
        multi: dict[object, list[str]] = {}
        unknown: dict[object, str] = {}
        multi_bad: dict[object, str] = {}
        for value in pd.unique(series.to_numpy(dtype=object)):
            if is_blank(value) or is_error(value):
                single[value], multi[value] = None, []
                continue
            text = as_text(value)
            whole = names.get(text)
            if whole is not None:
                single[value], multi[value] = whole, [whole]
                continue
            parts = [p for p in split_multi(text)]
            found = [names.get(p) for p in parts]
            known = list(dict.fromkeys(f for f in found if f))
            missing = [p for p, f in zip(parts, found, strict=True) if f is None]
            multi[value] = known
            single[value] = known[0] if len(known) == 1 and not missing else None
            if len(known) > 1:
                multi_bad[value] = (f"一行填写了多个平台（{'、'.join(known)}），每个平台须单独备案，"
                                    f"请拆成 {len(known)} 行并分别编号。")
            elif missing:
                unknown[value] = (f"平台“{text}”不在平台表中，请改用标准名称（如 {'、'.join(names.names[:5])}）"
                                  f"或在“平台”表中添加别名。")
        self._report(key, "multi-platform", multi_bad)
        self._report(key, "unknown-platform", unknown)
        values = series.to_numpy(dtype=object)
        return (pd.Series([single.get(v) for v in values], index=series.index, dtype=object),
                pd.Series([multi.get(v, []) for v in values], index=series.index, dtype=object))


def error_cells(tracker: Tracker, keys: list[str]) -> dict[tuple[int, str], CellError | str]:
    """(row, key) → the Excel error value read there, for 'required field holds #N/A' messages."""
    out = {}
    for key in keys:
        if key not in tracker.raw.columns:
            continue
        col = tracker.raw[key]
        uniques = pd.unique(col.to_numpy(dtype=object))
        errors = uniques[_error_mask(uniques)]
        if not len(errors):
            continue
        for row, v in col[col.isin(list(errors))].items():
            out[(int(row), key)] = v
    return out


def _error_mask(values: np.ndarray) -> np.ndarray:
    """`is_error` of each value, without a Python call per value."""
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    mask = types == CellError
    is_str = types == str  # noqa: E721 - elementwise over a numpy array of types
    if is_str.any():
        at = np.flatnonzero(is_str)
        stripped = np.fromiter(map(str.strip, values[at]), dtype=object, count=len(at))
        mask[at[pd.Series(stripped, dtype=object).isin(_ERRORS).to_numpy()]] = True
    return mask
