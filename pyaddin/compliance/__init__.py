"""Compliance: the 平台规则 decision table, every row's checks, the checks across trackers, what a rule
change hits, and why filings were rejected."""
