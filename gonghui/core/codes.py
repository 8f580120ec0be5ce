"""Words for the dotted codes apps store as plain strings — a posting's source
("mutualaid.contribution"), a public notice's kind ("awards.honour"). Each app registers the
codes it writes when it is ready; a page that shows a stored code (the audit trail, a voucher)
reads it in words through `code_label`, and an unknown code stays as stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_LABELS: dict[str, Any] = {}


def register_codes(labels: Mapping[str, Any]) -> None:
    """Register {code: lazy label}; a code registered twice keeps the last label."""
    _LABELS.update(labels)


def code_label(code: Any) -> str | None:
    """The words for `code`, or None when no app registered it."""
    if not isinstance(code, str) or code not in _LABELS:
        return None
    return str(_LABELS[code])
