"""Reading the files of the archive for the 材料预检: text per located segment, OCR for images and
scanned pages, a cache by SHA-256, and every bad file turned into a finding instead of a crash."""
