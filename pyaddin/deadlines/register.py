"""The 资质库 register as data (`Licenses`): one row per license and where its columns sit.

Reading the sheet and deciding which licenses are due is `licenses`; the type lives below it so the
run context can hold a register without depending on how one is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..run.findings import Finding
from ..tracker.textnorm import code_key, fold

LICENSE_SHEET = "资质库"


@dataclass
class Licenses:
    frame: pd.DataFrame
    """Columns: row (Excel row), company, credit_code, type, number, issued, valid_until, file."""
    present: bool
    findings: list[Finding] = field(default_factory=list)
    sheet: str = LICENSE_SHEET
    columns: dict[str, int] = field(default_factory=dict)
    """Column name → 0-based index in the workbook's 资质库 sheet, for pointing at a cell."""

    def for_company(self, company: str | None, credit_code: str | None) -> pd.DataFrame:
        """The licenses of a tracker row: by 统一社会信用代码 when it has one, else by 主体名称."""
        f = self.frame
        if credit_code:
            return f[f["credit_code"] == code_key(credit_code)]
        if company:
            return f[f["company_key"] == fold(company)]
        return f.iloc[0:0]
