"""The tracker as read: the frame every check works on, the cells as typed and where each column
sits (`Tracker`).

Only the data type lives here, below the reader, so the run context and the checks can hold a
tracker without depending on how one is read (`reading`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..run.findings import Finding
from .columns import MATERIAL_PREFIX


@dataclass
class Tracker:
    sheet: str
    header_row: int
    """Excel row number of the header."""
    df: pd.DataFrame
    """Index: Excel row numbers. Columns: every canonical field key (None where absent),
    `platforms` (all platforms named), `draw` (a form is a chance draw, 抽奖性质 = 是), `prize_sale`
    (有奖销售: a draw, or a 最高奖金额 filled in) and `material:<名称>` per material checklist column."""
    raw: pd.DataFrame
    """The cells as read, same index, columns keyed like `df` for mapped columns."""
    columns: dict[str, int]
    """Field key or material column → 0-based column index in the sheet."""
    headers: dict[str, str]
    """Field key or material column → the header text as the user's sheet spells it."""
    extra_columns: dict[str, int]
    """Unmapped headers → column index (kept, never touched)."""
    n_cols: int
    result_columns: dict[str, int] = field(default_factory=dict)
    """Existing 校验结果/问题说明/到期提醒 columns (from an earlier button run) → column index."""
    findings: list[Finding] = field(default_factory=list)
    row_values: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)
    """Column → {Excel row: value}, built once per tracker for every finding builder (validate and
    deadlines both name the 备案编号 and 活动名称 of each row; see `run.row_findings.RowFindings.column`)."""

    @property
    def rows(self) -> int:
        return len(self.df)

    def header_for(self, key: str, catalog=None) -> str:
        """The column as the user's sheet spells it; for an absent column, the material's name or
        the catalogue's canonical header (the one place every finding and document asks)."""
        if key in self.headers:
            return self.headers[key]
        if key.startswith(MATERIAL_PREFIX):
            return key[len(MATERIAL_PREFIX):]
        spec = catalog.field_by_key.get(key) if catalog is not None else None
        return spec.header if spec else key

    def materials(self) -> list[str]:
        return [c[len(MATERIAL_PREFIX):] for c in self.df.columns if c.startswith(MATERIAL_PREFIX)]
