"""材料规格: what each platform's upload form accepts (format, size, pixels), per material.

A platform with no row gets no check at all: a limit nobody has read in the platform's own
documentation is not invented. A row's findings are errors when 已核实 = 是, warnings otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..tracker.tables import Table, TableRow, default_header, sheet_or_default, split_list

SHEET = "材料规格"
DEFAULT_CSV = "material_specs.csv"
COLUMNS = default_header(DEFAULT_CSV)
ANY = "*"
EXT_ALIASES = {"jpeg": "jpg", "tif": "tiff"}


def _ext(e: str) -> str:
    e = e.lower().lstrip(".")
    return EXT_ALIASES.get(e, e)


def _number(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Spec:
    platform: str
    material: str
    formats: frozenset[str]
    max_mb: float | None
    min_px: float | None
    max_px: float | None
    basis: str
    verified: bool
    checked_on: str
    row: int

    @property
    def severity(self) -> str:
        return "error" if self.verified else "warning"


@dataclass
class Specs:
    specs: list[Spec]
    source: str

    def for_file(self, platform: str | None, material: str | None) -> list[Spec]:
        """The rows for this platform and material: the material's own rows when it has any,
        else the platform's `*` rows."""
        rows = [s for s in self.specs if s.platform == platform]
        own = [s for s in rows if s.material == material]
        return own or [s for s in rows if s.material == ANY]

    def check(self, platform: str | None, material: str | None, ext: str, size: int,
              pixels: tuple[int, int] | None) -> list[tuple[str, Spec, str]]:
        """(code, the row, what is wrong in words) for each limit the file breaks."""
        rows = self.for_file(platform, material)
        if not rows:
            return []
        e = _ext(ext)
        allowed = sorted({f for s in rows for f in s.formats})
        matching = [s for s in rows if not s.formats or e in s.formats]
        if not matching:
            return [("material-format", rows[0], "、".join(allowed))]
        out = []
        spec = matching[0]
        if spec.max_mb is not None and size > spec.max_mb * 1024 * 1024:
            out.append(("material-too-large", spec, f"{size / 1024 / 1024:.1f} MB，上限 {spec.max_mb:g} MB"))
        if pixels is not None:
            short, long = min(pixels), max(pixels)
            if spec.min_px is not None and short < spec.min_px:
                out.append(("image-too-small", spec, f"{pixels[0]}×{pixels[1]} 像素，短边不足 {spec.min_px:g} 像素"))
            if spec.max_px is not None and long > spec.max_px:
                out.append(("image-too-small", spec, f"{pixels[0]}×{pixels[1]} 像素，长边超过 {spec.max_px:g} 像素"))
        return out


def _spec(r: TableRow) -> Spec | None:
    platform = r.text("平台")
    if not platform:
        return None
    return Spec(platform, r.text("材料") or ANY, frozenset(_ext(f) for f in split_list(r.text("允许格式"))),
                _number(r.text("单文件上限MB")), _number(r.text("最小边长px")), _number(r.text("最大边长px")),
                r.text("依据"), r.text("已核实") == "是", r.text("核对日期"), r.row)


def from_table(table: Table) -> Specs:
    return Specs([s for s in (_spec(r) for r in table.rows) if s is not None], table.source)


def load_specs(book=None) -> Specs:
    """The workbook's 材料规格 sheet when it has one, else the packaged default table."""
    return from_table(sheet_or_default(book, SHEET, DEFAULT_CSV, min_match=3))
