"""`docs --all` memory stays flat in the number of documents: each rendered DocxTemplate is a
reference cycle holding a whole lxml tree, and the CLI's raised collector thresholds let 250 of
them pile up to 1.4 GB. Measured in a child process (peak RSS), through the real entry point."""

from __future__ import annotations

import subprocess
import sys

from test_documents import row, tracker

ROWS = 48
LIMIT_MB = 400
"""About 140 MB here for 48 or 250 rows; before the fix 48 rows (96 documents) reached ~650 MB."""


def test_docs_all_peak_memory_does_not_grow_with_the_documents(tmp_path):
    book = tracker(tmp_path, [row(f"BA-{i:03d}") for i in range(ROWS)])
    out = tmp_path / "out"
    # a fresh parent runs the command and reports its only child's peak: this test process's earlier
    # children (OCR workers, LibreOffice) would otherwise set RUSAGE_CHILDREN's maximum
    command = [sys.executable, "-m", "pyaddin", "docs", str(book), "--all", "--out", str(out), "--today", "2025-10-20"]
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.strip().splitlines()[-1]) / 1024
    assert len(list(out.glob("*.docx"))) == 2 * ROWS
    assert peak_mb < LIMIT_MB, f"peak {peak_mb:.0f} MB"
