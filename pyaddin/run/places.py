"""Where a run's files go: the one rule every door and action follows (README "结果与历史放在哪里").

Results go beside the workbook the user opened, in `<its folder>/beian-out/`: that is where the
buttons always put them and where a person looks, and a command started from another folder now
puts them in the same place instead of in whatever folder the terminal happened to be in. `--out`
(read relative to the current folder, as every shell path is) or 设置 输出目录 (relative to the
workbook's folder) say otherwise, in that order.

The history (rule snapshots and the rule-change baseline, weekly snapshots, notify state, caches)
is not a result: it always lives in `<results folder without --out>/history/`, so every run of
one workbook, from any folder and with or without `--out`, reads and extends the same history.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = "beian-out"
HISTORY = "history"


def default_results(workbook: Path | None, output_setting: Path | None) -> Path:
    """设置 输出目录 (already resolved against the workbook's folder), else beian-out beside the workbook."""
    if output_setting is not None:
        return Path(output_setting)
    return (Path(workbook).parent if workbook is not None else Path.cwd()) / RESULTS


def results_dir(given: Path | None, workbook: Path | None, output_setting: Path | None) -> Path:
    """--out when given, else `default_results`."""
    return Path(given) if given is not None else default_results(workbook, output_setting)


def history_dir(workbook: Path | None, output_setting: Path | None) -> Path:
    """The workbook's history folder: never moved by --out."""
    return default_results(workbook, output_setting) / HISTORY


def tracker_results(out_dir: Path, tracker: Path) -> Path:
    """With several trackers, each one's own files (documents, archive index) go in a sub-folder
    named after its file, so two trackers' outputs never overwrite each other."""
    return Path(out_dir) / Path(tracker).stem
