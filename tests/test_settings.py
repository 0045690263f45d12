"""The 设置 sheet: labels as the team writes them, packaged defaults, and bad values reported, never used."""

from __future__ import annotations

import csv
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from pyaddin.tracker.book import Book, Sheet
from pyaddin.tracker.settings import Settings, load_settings
from pyaddin.tracker.values import parse_bool

SETTINGS_CSV = Path(__file__).resolve().parent.parent / "pyaddin" / "data" / "settings.csv"


def book(*rows: list, title: str | None = None) -> Book:
    lines = ([[title]] if title else []) + [["项目", "值"], *rows]
    return Book({"设置": Sheet("设置", lines)})


def test_without_a_settings_sheet_every_value_is_the_packaged_default():
    with SETTINGS_CSV.open(encoding="utf-8") as fh:
        documented = {r["键"]: r["默认值"] for r in csv.DictReader(fh)}
    loaded = load_settings(None)
    assert set(documented) == {f.name for f in fields(Settings)} - {"findings", "cells"}
    for key, text in documented.items():
        value = getattr(loaded, key)
        if isinstance(value, bool):
            assert value == parse_bool(text), key  # bool("否") would be True
        elif text:
            assert value == type(value)(text), key
        else:
            assert value in ("", None), key
    assert load_settings(Book({"备案台账": Sheet("备案台账", [["备案编号"]])})) == loaded
    assert loaded.findings == []


def test_chinese_labels_keys_and_light_spelling_changes_all_reach_the_setting():
    s = load_settings(book(
        ["资质到期警告天数", 15],
        ["license_info_days", "60"],
        [" 抽奖最高金额（元） ", "3万"],
        ["默认审核周期", 9],
        ["今天", "2026年11月1日"],
        ["输出目录", "出口"],
    ))
    assert (s.license_warn_days, s.license_info_days, s.prize_limit) == (15, 60, 30000.0)
    assert (s.default_review_days, s.today, s.output_dir) == (9, date(2026, 11, 1), "出口")
    assert s.findings == []


def test_the_table_is_found_under_a_title_row():
    assert load_settings(book(["归档期限天数", 45], title="团队设置")).archive_days == 45


def test_blank_values_keep_the_default_without_a_finding():
    s = load_settings(book(["资质到期警告天数", None], ["今天", "  "], ["归档期限天数", 10]))
    assert (s.license_warn_days, s.today, s.archive_days) == (30, None, 10)
    assert s.findings == []


@pytest.mark.parametrize(("label", "raw", "attr", "default"), [
    ("资质到期警告天数", "三十", "license_warn_days", 30),
    ("资质到期警告天数", 2.5, "license_warn_days", 30),
    ("临近上线天数", -3, "upcoming_days", 14),
    ("抽奖最高金额(元)", "很多", "prize_limit", 50000.0),
    ("今天", "下周一", "today", None),
])
def test_an_invalid_value_is_an_invalid_value_finding_on_its_cell_and_the_default_is_kept(label, raw, attr,
                                                                                           default):
    s = load_settings(book(["归档期限天数", 45], [label, raw]))
    assert getattr(s, attr) == default
    assert s.archive_days == 45
    assert [(f.code, f.severity, f.sheet, f.row, f.column, f.field, f.value) for f in s.findings] == [
        ("invalid-value", "error", "设置", 3, 1, "值", raw)]
    assert label.strip() in s.findings[0].message and "默认值" in s.findings[0].message


@pytest.mark.parametrize(("label", "raw", "attr", "default", "shown"), [
    ("临近上线天数", 1e9, "upcoming_days", 14, "0–366"),
    ("提醒提前工作日", "1000000000", "reminder_days", 3, "0–250"),
    ("默认审核周期(工作日)", 10**12, "default_review_days", 5, "0–250"),
    ("抽奖最高金额(元)", 1e300, "prize_limit", 50000.0, "0–100000000"),
    ("资质到期提示天数", "1e999", "license_info_days", 90, "非负整数"),
])
def test_an_impossible_number_is_reported_with_its_range_and_the_default_used(label, raw, attr, default, shown):
    s = load_settings(book([label, raw]))
    assert getattr(s, attr) == default
    [finding] = s.findings
    assert (finding.code, finding.sheet, finding.row, finding.column) == ("invalid-value", "设置", 2, 1)
    assert shown in finding.message and f"默认值 {default:g}" in finding.message


def test_every_numeric_setting_has_a_range_that_holds_its_default():
    from pyaddin.tracker.tables import setting_bounds

    bounds = setting_bounds()
    numeric = {f.name for f in fields(Settings) if f.type in ("int", "float")}
    assert set(bounds) == numeric
    for key, (low, high) in bounds.items():
        assert low <= getattr(Settings(), key) <= high, key
