"""统一社会信用代码 (GB 32100-2015): format and check character."""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(code17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(code17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> tuple[str, str] | None:
    """None when valid, else (severity, Chinese reason).

    A bad format is an error; a bad check character only a warning, because some real codes
    issued in early pilot regions fail the checksum.
    """
    if not FORMAT.match(code):
        return "error", f"统一社会信用代码“{code}”格式不对（应为18位数字或大写字母，不含 I、O、S、V、Z），请对照营业执照改正。"
    expected = check_character(code[:17])
    if code[17] != expected:
        return "warning", (f"统一社会信用代码“{code}”的校验位应为“{expected}”，请对照营业执照核对"
                           f"（个别早期试点地区的真实代码也会校验不通过）。")
    return None
