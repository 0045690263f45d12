"""Reading a team's tracker: the workbook picture, the header and value readers, vocabularies, settings,
and where each filing stands (open or closed, resubmission chains)."""
