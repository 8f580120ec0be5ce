"""Every write of evaluation: one service per rule, each checking its own permission, audited
and transactional. Pages, API and CLI call these."""
