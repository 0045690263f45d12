"""Shared fixtures. Tests needing an external tool skip locally without it, but fail in CI.

CI sets BEIAN_REQUIRE_TOOLS=1 so that a missing LibreOffice (or olevba, pdftotext …) is a failure
there, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"


def require_tool(name: str) -> str:
    """Path of an executable, or skip (locally) / fail (CI) when it is missing."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed"
    if os.environ.get("BEIAN_REQUIRE_TOOLS") == "1":
        pytest.fail(message + " (BEIAN_REQUIRE_TOOLS=1: CI must install it)")
    pytest.skip(message)


@pytest.fixture
def soffice() -> str:
    return require_tool("soffice")


# ------------------------------------------------------------------ inputs built once per session
@pytest.fixture(scope="session")
def built_workbook(tmp_path_factory) -> Path:
    """beian.xlsm built once from source for the whole run. Read it freely; copy it before changing it."""
    from pyaddin.excel.build import build_workbook

    path = tmp_path_factory.mktemp("workbook") / "beian.xlsm"
    build_workbook(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def _project_folder_stays_clean():
    """No test may leave beian-out/ in the project or beside the sample: a workbook's history lives
    in beian-out/ beside it (`run.places`), so a stray one makes later runs report rule changes that
    depend on which tests ran before."""
    strays = [ROOT / "beian-out", ROOT / "sample_data" / "beian-out"]
    existed = [s.exists() for s in strays]
    yield
    for stray, was in zip(strays, existed, strict=True):
        if not was and stray.exists():
            shutil.rmtree(stray, ignore_errors=True)
            pytest.fail(f"a test wrote {stray} into the project; run it on a copy in tmp_path")

