"""The compliance archive: which files each filing has and whether they changed, and what an approved
filing can lend a new one."""
