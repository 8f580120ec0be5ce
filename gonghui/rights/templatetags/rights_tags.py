"""Labels for the status codes history rows store."""

from __future__ import annotations

from django import template

from gonghui.rights.models import AlertStatus, CaseStatus, ContractStatus, LetterStatus

register = template.Library()

_LABELS: dict[str, object] = {}
for _enum in (AlertStatus, ContractStatus, LetterStatus, CaseStatus):
    _LABELS.update(dict(_enum.choices))


@register.filter
def status_label(value: str) -> str:
    return str(_LABELS.get(value, value))


@register.filter
def overdue_days(left: int) -> int:
    return -left
