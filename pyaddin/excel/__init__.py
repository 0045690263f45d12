"""The Excel door: the buttons, the workbook build with its VBA, `doctor`, the 诊断 report and `setup`."""
