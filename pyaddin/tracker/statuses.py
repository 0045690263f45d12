"""The filing statuses that mean something to a rule, in one place.

docs/tracker.md: "pending" = 草稿, 待提交, 已提交, 审核中, 需补充; "not yet submitted" = 草稿, 待提交 or
empty. "Is this filing still open?" needs the rows too (a 已驳回 is closed only once resubmitted):
every module asks `filings.open_filings` / `filings.closed`, built on these sets, so it cannot drift.
"""

from __future__ import annotations

DRAFT, TO_SUBMIT, SUBMITTED, IN_REVIEW_STATUS = "草稿", "待提交", "已提交", "审核中"
SUPPLEMENT, APPROVED, REJECTED, WITHDRAWN = "需补充", "已通过", "已驳回", "已撤回"

NOT_SUBMITTED = frozenset({DRAFT, TO_SUBMIT})
IN_REVIEW = frozenset({SUBMITTED, IN_REVIEW_STATUS})
PENDING = frozenset({DRAFT, TO_SUBMIT, SUBMITTED, IN_REVIEW_STATUS, SUPPLEMENT})
AWAITING_DECISION = frozenset({SUBMITTED, IN_REVIEW_STATUS, SUPPLEMENT})
"""Submitted and not yet decided: the weekly report's 在审."""
ORDER = (DRAFT, TO_SUBMIT, SUBMITTED, IN_REVIEW_STATUS, SUPPLEMENT, APPROVED, REJECTED, WITHDRAWN)
