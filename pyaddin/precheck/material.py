"""What the extractors hand to the core: a file's text in located segments, and what could not be read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

OK, UNREADABLE, NOT_READ, OCR_SKIPPED = "ok", "unreadable", "not-read", "ocr-skipped"
LOW_CONFIDENCE = 0.80
"""OCR lines read with less confidence than this are marked 需人工复核 (rapidocr scores clean
printed text at 0.95–1.0; blurred or tiny text falls to 0.5–0.8)."""


@dataclass
class Segment:
    location: str
    """第 n 段 / 表格 … / 页眉 / 第 n 页 / 第 n 张幻灯片 / 图中第 n 行 — as the finding names it."""
    text: str
    confidence: float | None = None
    """OCR's confidence for the line (None for text read from a text layer)."""

    @property
    def low(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


@dataclass
class Extracted:
    type: str
    """docx, pptx, pdf, image, text, xlsx, other."""
    segments: list[Segment] = field(default_factory=list)
    status: str = OK
    reason: str = ""
    pages: int | None = None
    pixels: tuple[int, int] | None = None
    ocr_used: bool = False
    no_text: list[str] = field(default_factory=list)
    """Locations (an image, a page) OCR looked at and read nothing from."""
    notes: list[str] = field(default_factory=list)
    """What was left out on purpose, said in the findings (the OCR page cap, --no-ocr)."""

    @property
    def chars(self) -> int:
        return sum(len(s.text) for s in self.segments)

    @property
    def low_confidence(self) -> int:
        return sum(1 for s in self.segments if s.low)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Extracted:
        data = dict(data)
        data["segments"] = [Segment(**s) for s in data.get("segments", [])]
        if data.get("pixels") is not None:
            data["pixels"] = tuple(data["pixels"])
        return cls(**data)


@dataclass
class MaterialFile:
    rel: str
    """Path relative to the archive root, `/` separators."""
    filing_id: str
    material: str | None
    """The material kind as `archive` names it (None: the file matched no material)."""
    ext: str
    size: int
    extracted: Extracted
    cached: bool = False


@dataclass
class FilingFacts:
    """The row a filing's materials are checked against."""

    filing_id: str
    row: int
    activity: str | None = None
    platform: str | None = None
    industry: str | None = None
    forms: tuple[str, ...] = ()
    company: str | None = None
    credit_code: str | None = None
    start: date | None = None
    end: date | None = None
    top_prize: Decimal | None = None
