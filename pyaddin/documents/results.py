"""What a documents run hands back: each document written, and each selected row (or name) for
which nothing was written, with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..run.findings import Finding


@dataclass
class Document:
    row: int
    filing_id: str | None
    platform: str | None
    kind: str
    """The document title (安全承诺书 / 营销活动方案)."""
    format: str
    path: Path
    sha256: str


Refusal = tuple[int | None, str | None, str]
"""(Excel row, 备案编号, reason): a selected row, or a name, for which nothing was written."""


@dataclass
class DocsResult:
    written: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    """Every selected row not rendered, and every --ids/--rows name that matched nothing."""
    findings: list[Finding] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    index_path: Path | None = None
    not_in_loop: list[int] = field(default_factory=list)
    """Rows left out of the default selection (already submitted, approved, withdrawn, resubmitted)."""
    locked: list[Path] = field(default_factory=list)
    """Outputs skipped because Word or Excel holds them open."""

    @property
    def ok(self) -> bool:
        return not self.refused and not self.locked
