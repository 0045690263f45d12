"""材料预检: every file of a filing read before submission and checked for upload format, wording
against the 用语库 and facts against the tracker row (docs/precheck.md). Pure: the text arrives already
extracted (`pyaddin/adapters/materials/`)."""
