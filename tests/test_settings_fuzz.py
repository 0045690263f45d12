"""Fuzz: any number (negative, zero, huge, NaN, infinite, text) in 设置 or 平台 ends every command with
exit 0, 1 or 2, no traceback and no 内部错误, in bounded time. A few examples in the default run; the
"ci" profile (CI=true) tries many more, well under a minute."""

from __future__ import annotations

import math
import os
import time
from datetime import date
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from helpers import CLEAN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyaddin.cli.main import main

SETTINGS_ITEMS = ["抽奖最高金额(元)", "资质到期警告天数", "资质到期提示天数", "补充材料默认工作日", "归档期限天数",
                  "临近上线天数", "默认审核周期(工作日)", "默认提前量(工作日)", "规则复核天数", "提醒提前工作日"]
PLATFORM_HEADER = ["平台", "别名", "审核周期(工作日)", "提前量(工作日)", "单奖上限(元)", "备案号格式"]
COMMANDS = [["check"], ["validate"], ["calendar"], ["report"], ["docs", "--all"], ["deadlines"]]
SECONDS_PER_RUN = 30

settings.register_profile("beian-fuzz-default", max_examples=6, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("beian-fuzz-ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = "beian-fuzz-ci" if os.environ.get("CI", "").lower() == "true" else "beian-fuzz-default"

numbers = st.one_of(
    st.integers(min_value=-10**20, max_value=10**20),
    st.sampled_from([0, -1, 1, 10**9, 10**18, 2**63, -(2**63), 1e308, 0.5, 250, 251, 366, 367, 3650]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["abc", "1e9", "1e999", "-1", "九", "", " ", "1.2万", "nan", "inf", "１００", "=1+1"]),
)


def cell(value):
    """openpyxl writes NaN and infinities as text the way a pasted cell would hold them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def workbook(path: Path, setting_values: dict, platform_rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    headers = list(CLEAN)
    ws.append(headers)
    pending = {**CLEAN, "备案编号": "BA-2", "状态": "审核中", "备案号": None, "通过日期": None, "归档状态": "否",
               "计划上线日期": date(2026, 12, 1), "活动开始日期": date(2026, 12, 1), "活动结束日期": date(2026, 12, 31)}
    draft = {**pending, "备案编号": "BA-3", "平台": "抖音", "状态": "草稿", "提交日期": None}
    for row in (CLEAN, pending, draft):
        ws.append([row.get(h) for h in headers])
    s = wb.create_sheet("设置")
    s.append(["项目", "值"])
    for item, value in setting_values.items():
        s.append([item, cell(value)])
    p = wb.create_sheet("平台")
    p.append(PLATFORM_HEADER)
    for r in platform_rows:
        p.append([cell(v) for v in r])
    wb.save(path)
    return path


@settings(settings.get_profile(PROFILE))
@given(
    setting_values=st.dictionaries(st.sampled_from(SETTINGS_ITEMS), numbers, max_size=4),
    review=numbers, lead=numbers, cap=numbers,
    command=st.sampled_from(COMMANDS),
)
def test_any_number_in_settings_or_platforms_ends_cleanly(tmp_path_factory, setting_values, review, lead, cap,
                                                          command):
    folder = tmp_path_factory.mktemp("fuzz")
    book = workbook(folder / "台账.xlsx", setting_values,
                    [["微信", "公众号", review, lead, cap, r"^WX\d{10}$"], ["抖音", "dy", lead, review, None, ""]])
    started = time.monotonic()
    result = CliRunner().invoke(main, [*command, str(book), "--out", str(folder / "out"), "--today", "2026-11-20"])
    elapsed = time.monotonic() - started
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
    text = result.output + (result.stderr or "")
    assert "Traceback" not in text and "内部错误" not in text, text
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert elapsed < SECONDS_PER_RUN, f"{command} took {elapsed:.1f} s"
