"""统一社会信用代码 (GB 32100-2015): format, registration authority and type, check character.

Cell text is folded to NFKC first (a full-width ３ is the digit 3); after that only ASCII
characters of the code alphabet can reach the arithmetic, so no character can crash a run.
The table of registration authorities (position 1) and their organisation types (position 2)
is data: `data/credit_code_types.csv`, from GB 32100-2015 附录 A.
"""

from __future__ import annotations

import re
from functools import cache

from .tables import default_table
from .textnorm import code_key

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


@cache
def authorities() -> dict[str, tuple[str, dict[str, str]]]:
    """Position-1 code → (registration authority, {position-2 code → organisation type})."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for r in default_table("credit_code_types.csv", "统一社会信用代码").rows:
        name, types = out.setdefault(r.text("登记管理部门代码"), (r.text("登记管理部门"), {}))
        types[r.text("机构类别代码")] = r.text("机构类别")
    return out


def check_character(code17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(code17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> tuple[str, str] | None:
    """None when valid, else (severity, Chinese reason).

    A bad format or an unknown registration authority / organisation type is an error; a bad
    check character only a warning, because some real codes issued in early pilot regions fail
    the checksum.
    """
    shown = code
    code = code_key(code)
    if not FORMAT.match(code):
        return "error", f"统一社会信用代码“{shown}”格式不对（应为18位数字或大写字母，不含 I、O、S、V、Z），请对照营业执照改正。"
    table = authorities()
    if code[0] not in table:
        return "error", (f"统一社会信用代码“{shown}”第1位“{code[0]}”不是有效的登记管理部门代码"
                         f"（应为 {'、'.join(table)} 之一），请对照营业执照改正。")
    authority, types = table[code[0]]
    if code[1] not in types:
        return "error", (f"统一社会信用代码“{shown}”第2位“{code[1]}”不是{authority}登记的机构类别代码"
                         f"（应为 {'、'.join(types)} 之一），请对照营业执照改正。")
    expected = check_character(code[:17])
    if code[17] != expected:
        return "warning", (f"统一社会信用代码“{shown}”的校验位应为“{expected}”，请对照营业执照核对"
                           f"（个别早期试点地区的真实代码也会校验不通过）。")
    return None
